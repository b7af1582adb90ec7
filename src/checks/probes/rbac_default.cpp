// rbac-default: why a role or binding is one of the cluster's own (k8s/rbac.h
// defaultRbacReason: a system: name, the bootstrap label, the bootstrap policy's user-facing
// ClusterRoles and binding, a managed platform's prefix). One observation, `default` with the
// reason, when it is; nothing otherwise. The RBAC checks gate on it (`applies_when: {probe:
// rbac-default, compare: unset, missing: pass}`); BW-K8S-214 judges the subjects of such
// bindings (`compare: set`).
#include <fmt/format.h>

#include "checks/k8s/rbac.h"
#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

ProbeResult evaluateRbacDefault(const Params& /*params*/, const Resource& resource) {
  auto found = probes::k8sObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& object = *std::get<const k8s::Object*>(found);
  ProbeResult result;
  result.looked_at = fmt::format("{} {}: name, labels and subjects", object.kind, object.name);
  const std::string why = k8s::defaultRbacReason(object);
  if (!why.empty()) {
    Observation o;
    o.values = {"default"};
    o.display = fmt::format("a default of the cluster ({})", why);
    o.where = fmt::format("metadata{}", object.locationSuffix("metadata"));
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& rbacDefaultProbe() {
  static const ProbeKind kKind{"rbac-default",
                               "whether a role or binding is one of the cluster's own",
                               {},
                               &evaluateRbacDefault,
                               false};
  return kKind;
}

}  // namespace bulwark::checks
