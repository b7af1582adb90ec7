// Which workloads a Service sends traffic to and which NetworkPolicies isolate a workload
// (docs/dev/k8s-design.md §4.4): lookups over an indexed Inventory that scan one namespace
// only. They rely on the order Inventory::index() gives the objects (by namespace; in each,
// workloads first, then the other kinds by kind name), so a namespace and a kind in it are
// found by binary search: a run over 10 000 objects costs services × workloads per namespace,
// never services × all workloads.
#pragma once

#include <span>
#include <string>
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

// A policy that isolates a workload, and the selector that selected it, as evidence writes it:
// "spec.podSelector {}", "specs[1].endpointSelector app=web".
struct PolicyMatch {
  const Object* policy = nullptr;
  std::string path;      // "spec.podSelector", "specs[1].endpointSelector"
  std::string selector;  // kubectl's text of the selector; "{}" for the empty one
};

struct PolicySelection {
  std::vector<PolicyMatch> selected;
  std::vector<const Object*> unreadable;
};

// The policies that isolate the workload's pods in `direction`, in inventory order:
// NetworkPolicies of its namespace whose podSelector matches the pod labels and whose
// policyTypes include the direction; then Cilium's (k8s/cilium.h) — CiliumNetworkPolicies of
// its namespace and CiliumClusterwideNetworkPolicies with a rule that selects the pods and
// isolates them in the direction.
PolicySelection policiesSelecting(const Inventory& inventory, const Object& workload,
                                  Direction direction);

// Why a policy that policiesSelecting() returned as unreadable could not be read: "spec is not
// a map", "specs[0].endpointSelector: …", or the object's own state.
std::string policyProblem(const Object& policy);

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

// As listState(), for lists that a cluster may not serve at all (a CRD that is not installed):
// a list the inventory has no record of counts as empty (Ok).
docker::FactState optionalListState(const Inventory& inventory,
                                    std::span<const std::string_view> resources);

// The lists the workload lookups read, the NetworkPolicy list, and Cilium's policy lists
// (optional: only clusters running Cilium serve them).
std::span<const std::string_view> workloadLists();
std::span<const std::string_view> networkPolicyLists();
std::span<const std::string_view> ciliumPolicyLists();

}  // namespace bulwark::checks::k8s
