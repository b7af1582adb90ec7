// namespace-summary: a value of what bulwark derives about a namespace from the inventory
// (k8s/namespace_doc.h: counts of workloads, Services and NetworkPolicies, the Pod Security
// admission labels, the default ServiceAccount's automount), at a JSON path. The labels are
// known only when the Namespace object is in the input: for a namespace that objects merely
// name, `pod_security` is not evaluated (missing input) rather than read as unlabelled.
#include <fmt/format.h>

#include "checks/docker/json_path.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr ParamSpec kParams[] = {
    {"path", ParamType::Path, true,
     "JSON path into the namespace document (network_policies, pod_security.enforce)"},
};

ProbeResult evaluateNamespaceSummary(const Params& params, const Resource& resource) {
  if (resource.kind != ResourceKind::K8sNamespace || resource.derived == nullptr) {
    return probes::noInput("namespace document");
  }
  const docker::JsonPath* path = params.path("path");
  if (path == nullptr) return probes::noInput("JSON path");
  const auto declared = resource.derived->find("declared");
  const bool known =
      declared != resource.derived->end() && declared->is_boolean() && declared->get<bool>();
  if (!known && !path->steps().empty() && path->steps().front().name == "pod_security") {
    return ProbeResult::notEvaluated(
        fmt::format("the Namespace object of {} is not in the input", resource.name),
        model::NotEvaluatedCause::MissingInput);
  }
  ProbeResult result;
  result.looked_at = fmt::format("{} (derived from the input) {}", resource.name, path->text());
  probes::addJsonObservations(*path, *resource.derived, result.looked_at, {}, result.observations);
  return result;
}

}  // namespace

const ProbeKind& namespaceSummaryProbe() {
  static const ProbeKind kKind{"namespace-summary",
                               "what the input says about a Kubernetes namespace", kParams,
                               &evaluateNamespaceSummary, false};
  return kKind;
}

}  // namespace bulwark::checks
