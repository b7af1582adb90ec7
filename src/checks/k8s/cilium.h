// Cilium's network policies (cilium.io/v2 CiliumNetworkPolicy, namespaced, and
// CiliumClusterwideNetworkPolicy) as far as isolation goes (docs/dev/k8s-design.md §4.4): which
// pods a rule selects and in which direction it puts them into default deny.
//
// A policy carries one rule in `spec` and/or a list in `specs`. A rule selects pods with
// `endpointSelector` (a label selector whose keys may carry a label source, "k8s:app" or
// "any:app"; Cilium also gives every pod the labels io.kubernetes.pod.namespace,
// io.cilium.k8s.policy.serviceaccount and io.cilium.k8s.namespace.labels.<key>), or nodes with
// `nodeSelector` (a host policy: no pod). In Cilium's default enforcement mode a selected pod
// goes into default deny in a direction when the rule has rules for it (`ingress` or
// `ingressDeny`; `egress` or `egressDeny`), unless `enableDefaultDeny.<direction>` says
// otherwise; `enableDefaultDeny.<direction>: true` isolates even without rules.
// A CiliumNetworkPolicy selects pods of its own namespace only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/k8s/inventory.h"
#include "checks/k8s/selector.h"
#include "core/result.h"

namespace bulwark::checks::k8s {

inline constexpr std::size_t kMaxCiliumRules = 256;

struct CiliumRule {
  std::string path;         // "spec", "specs[1]"
  LabelSelector endpoints;  // keys without the k8s:/any: source
  bool host = false;        // a nodeSelector rule: selects nodes, never pods
  bool ingress = false;     // selected pods are isolated for ingress
  bool egress = false;
};

// "CiliumNetworkPolicy" or "CiliumClusterwideNetworkPolicy".
bool isCiliumPolicy(std::string_view kind);

// The policy's rules; an error (ErrorCode::Input, naming the member) when spec/specs, a rule,
// its selector or enableDefaultDeny is malformed, a rule has neither selector, or there are more
// than kMaxCiliumRules.
core::Result<std::vector<CiliumRule>> ciliumRules(const Object& policy);

// The labels Cilium matches a workload's pods by: the pod-template labels plus the pod's
// namespace, service account and — when the Namespace object is in the inventory — the
// namespace's labels. `namespace_known` says whether they were added.
struct CiliumLabels {
  nlohmann::json labels = nlohmann::json::object();
  bool namespace_known = false;
};
CiliumLabels ciliumLabels(const Inventory& inventory, const Object& workload);

// Whether the rule's endpointSelector selects a pod with these labels. A requirement on a
// namespace label (io.cilium.k8s.namespace.labels.…) of a namespace not in the inventory cannot
// be decided: the rule is taken as not selecting (never a pass on a guess).
bool ciliumSelects(const CiliumRule& rule, const CiliumLabels& labels);

// Whether the rule selects every pod of namespace `ns` (a clusterwide policy counts for a
// namespace then): each requirement is on io.kubernetes.pod.namespace and holds for `ns`.
bool ciliumSelectsNamespace(const CiliumRule& rule, std::string_view ns);

}  // namespace bulwark::checks::k8s
