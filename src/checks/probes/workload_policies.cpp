// workload-policies: the NetworkPolicies that isolate a workload in one direction — per
// NetworkPolicy of the workload's namespace whose podSelector matches the pod-template labels
// and whose policyTypes (defaulted as the API server does: Ingress, plus Egress when the
// policy has egress rules) include the direction (k8s/network.h), its name. Evidence:
// `deny-all (NetworkPolicy prod/deny-all)` at `spec.podSelector {} (policies.yaml:3)`.
// Nothing observed: no policy isolates the workload (the test's `missing:`).
//
// Not evaluated: the NetworkPolicy list was not read (live), or a policy of the namespace
// could not be read (a malformed podSelector or policyTypes: it might select the workload and
// nothing else does — a policy the API server would refuse to store).
#include <fmt/format.h>

#include "checks/k8s/network.h"
#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kDirections[] = {"ingress", "egress"};

constexpr ParamSpec kParams[] = {
    {"direction", ParamType::String, true, "ingress or egress", kDirections},
};

ProbeResult unreadablePolicy(const k8s::Object& policy) {
  if (!policy.state.ok()) return probes::notEvaluatedFor(policy.resourceName(), policy.state);
  auto selector = k8s::podSelector(policy);
  auto covers = k8s::policyCovers(policy, k8s::Direction::Ingress);
  const std::string problem = !selector ? selector.error().message
                              : !covers ? covers.error().message
                                        : std::string("unreadable");
  return ProbeResult::notEvaluated(fmt::format("NetworkPolicy {}/{}{}: {}", policy.ns, policy.name,
                                               policy.locationSuffix("spec"), problem),
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
  const auto direction = params.string("direction", "ingress") == "egress"
                             ? k8s::Direction::Egress
                             : k8s::Direction::Ingress;
  const k8s::Selection selection = k8s::policiesSelecting(inventory, workload, direction);
  if (!selection.unreadable.empty()) return unreadablePolicy(*selection.unreadable.front());
  ProbeResult result;
  result.looked_at =
      fmt::format("NetworkPolicies of namespace {} ({})", workload.ns, k8s::toString(direction));
  for (const k8s::Object* policy : selection.selected) {
    const auto selector = k8s::podSelector(*policy);  // parsed: the policy was selected
    const std::string text = selector->selectsEverything() ? "{}" : selector->text();
    Observation o;
    o.values = {policy->name};
    o.display = fmt::format("{} (NetworkPolicy {}/{})", policy->name, policy->ns, policy->name);
    o.where =
        fmt::format("spec.podSelector {}{}", text, policy->locationSuffix("spec.podSelector"));
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
