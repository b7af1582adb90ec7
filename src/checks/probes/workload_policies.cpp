// workload-policies: the network policies that isolate a workload in one direction — per
// NetworkPolicy of the workload's namespace whose podSelector matches the pod-template labels
// and whose policyTypes (defaulted as the API server does: Ingress, plus Egress when the
// policy has egress rules) include the direction, and per Cilium policy with a rule that
// selects the pods and puts them into default deny in the direction (k8s/network.h,
// k8s/cilium.h), its name. Evidence: `deny-all (NetworkPolicy prod/deny-all)` at
// `spec.podSelector {} (policies.yaml:3)`.
// Nothing observed: no policy isolates the workload (the test's `missing:`).
//
// Not evaluated: the NetworkPolicy list (or a Cilium list the cluster serves) was not read
// (live), or a policy that might select the workload could not be read (a malformed selector,
// policyTypes or rule list: it might isolate the workload and nothing else does — a policy the
// API server would refuse to store).
#include <fmt/format.h>

#include "checks/k8s/network.h"
#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kDirections[] = {"ingress", "egress"};

constexpr ParamSpec kParams[] = {
    {"direction", ParamType::String, true, "ingress or egress", kDirections},
};

// "NetworkPolicy prod/deny-all", "CiliumClusterwideNetworkPolicy deny-all".
std::string policyName(const k8s::Object& policy) {
  return policy.ns.empty() ? fmt::format("{} {}", policy.kind, policy.name)
                           : fmt::format("{} {}/{}", policy.kind, policy.ns, policy.name);
}

ProbeResult unreadablePolicy(const k8s::Object& policy) {
  if (!policy.state.ok()) return probes::notEvaluatedFor(policy.resourceName(), policy.state);
  return ProbeResult::notEvaluated(
      fmt::format("{}{}: {}", policyName(policy), policy.locationSuffix("spec"),
                  k8s::policyProblem(policy)),
      model::NotEvaluatedCause::Malformed);
}

ProbeResult evaluateWorkloadPolicies(const Params& params, const Resource& resource) {
  // Only the pod labels are read: a workload without a pod spec can still be isolated.
  auto found = probes::k8sObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& workload = *std::get<const k8s::Object*>(found);
  if (workload.workload == k8s::WorkloadKind::None) return probes::noInput("Kubernetes workload");
  if (resource.inventory == nullptr) return probes::noInput("Kubernetes inventory");
  const k8s::Inventory& inventory = *resource.inventory;
  if (auto lists = k8s::listState(inventory, k8s::networkPolicyLists()); !lists.ok()) {
    return probes::notEvaluatedFor(lists.source, lists);
  }
  if (auto lists = k8s::optionalListState(inventory, k8s::ciliumPolicyLists()); !lists.ok()) {
    return probes::notEvaluatedFor(lists.source, lists);
  }
  const auto direction = params.string("direction", "ingress") == "egress"
                             ? k8s::Direction::Egress
                             : k8s::Direction::Ingress;
  const k8s::PolicySelection selection = k8s::policiesSelecting(inventory, workload, direction);
  if (!selection.unreadable.empty()) return unreadablePolicy(*selection.unreadable.front());
  ProbeResult result;
  result.looked_at =
      fmt::format("network policies of namespace {} ({})", workload.ns, k8s::toString(direction));
  for (const k8s::PolicyMatch& match : selection.selected) {
    Observation o;
    o.values = {match.policy->name};
    o.display = fmt::format("{} ({})", match.policy->name, policyName(*match.policy));
    o.where = fmt::format("{} {}{}", match.path, match.selector,
                          match.policy->locationSuffix(match.path));
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& workloadPoliciesProbe() {
  static const ProbeKind kKind{"workload-policies",
                               "the NetworkPolicies that select a workload in one direction",
                               kParams, &evaluateWorkloadPolicies, false};
  return kKind;
}

}  // namespace bulwark::checks
