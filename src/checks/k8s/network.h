// Which workloads a Service sends traffic to and which NetworkPolicies isolate a workload
// (docs/dev/k8s-design.md §4.4): lookups over an indexed Inventory that scan one namespace
// only. They rely on the order Inventory::index() gives the objects (by namespace; in each,
// workloads first, then the other kinds by kind name), so a namespace and a kind in it are
// found by binary search: a run over 10 000 objects costs services × workloads per namespace,
// never services × all workloads.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "checks/docker/snapshot.h"
#include "checks/k8s/inventory.h"
#include "checks/k8s/selector.h"
#include "core/result.h"

namespace bulwark::checks::k8s {

enum class Direction { Ingress, Egress };

// "ingress" | "egress"
std::string_view toString(Direction direction);

// What a lookup found, and the candidates it could not judge (an object whose state is not Ok;
// a NetworkPolicy whose podSelector or policyTypes is malformed): they might belong to the
// answer, so a probe must not pass on `selected` alone while `unreadable` is not empty.
struct Selection {
  std::vector<const Object*> selected;
  std::vector<const Object*> unreadable;
};

// The Service's spec.selector (no selector: selects nothing); an error when it is malformed.
core::Result<LabelSelector> serviceSelector(const Object& service);

// A NetworkPolicy's spec.podSelector (absent: `{}`, every pod of the namespace); an error when
// it, or spec, is malformed.
core::Result<LabelSelector> podSelector(const Object& policy);

// The workloads of the Service's namespace whose pod-template labels (Object::podMeta()) the
// selector matches, in inventory order. An error when the selector is malformed.
core::Result<Selection> workloadsSelectedBy(const Inventory& inventory, const Object& service);

// The NetworkPolicies of the workload's namespace whose podSelector matches its pod labels and
// whose policyTypes include `direction`, in inventory order.
Selection policiesSelecting(const Inventory& inventory, const Object& workload,
                            Direction direction);

// Whether the policy's policyTypes include `direction`; unset or empty policyTypes default as
// the API server defaults them: Ingress, plus Egress when spec.egress has rules. An error when
// policyTypes is not a list of "Ingress"/"Egress".
core::Result<bool> policyCovers(const Object& policy, Direction direction);

// The objects of `ns` (Inventory::index() order); empty when none.
std::span<const Object> objectsIn(const Inventory& inventory, std::string_view ns);

// The state of the lists a lookup read, by resource name ("networkpolicies"; a live source
// may carry its group: "networking.k8s.io/networkpolicies"). Manifests (no sources recorded)
// are taken as complete: Ok. A live inventory that lacks one of the lists: NotCollected. The
// first list that is not Ok decides.
docker::FactState listState(const Inventory& inventory,
                            std::span<const std::string_view> resources);

// The lists the workload lookups read, and the NetworkPolicy list.
std::span<const std::string_view> workloadLists();
std::span<const std::string_view> networkPolicyLists();

}  // namespace bulwark::checks::k8s
