// k8s-field: values anywhere in a Kubernetes object as it was read (a Service's spec.type, a
// Role's rules[*].verbs, labels{*} with `key:`), at a JSON path from the object root
// (docker/json_path.h). One observation per value reached (a list is one list observation);
// `where` is the value's path with its manifest line. Workloads are read raw here: the pod-spec
// view with its API defaults is pod-field's.
#include <fmt/format.h>

#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kNormalise[] = {"none", "lower"};

constexpr ParamSpec kParams[] = {
    {"path", ParamType::Path, true, "JSON path from the object root (spec.type)"},
    {"key", ParamType::Regex, false,
     "after a final {*} or {keys}: keep only the members whose key matches"},
    {"normalise", ParamType::String, false, "none (default), or lower: ASCII lower case",
     kNormalise},
};

std::string lower(std::string value) {
  for (auto& c : value) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return value;
}

ProbeResult evaluateK8sField(const Params& params, const Resource& resource) {
  const docker::JsonPath* path = params.path("path");
  if (path == nullptr) return probes::noInput("JSON path");
  auto found = probes::k8sObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& object = *std::get<const k8s::Object*>(found);
  probes::Normalise normalise;
  if (params.string("normalise") == "lower") normalise = lower;
  ProbeResult result;
  result.looked_at = path->text() + object.locationSuffix({});
  auto reached = probes::reachValues(*path, object.doc, {}, params.regex("key"));
  if (auto* problem = std::get_if<ProbeResult>(&reached)) return std::move(*problem);
  for (const auto& named : std::get<std::vector<docker::JsonPath::Named>>(reached)) {
    Observation o = probes::observationOf(named, normalise);
    o.where = named.path + object.locationSuffix(named.path);
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& k8sFieldProbe() {
  static const ProbeKind kKind{"k8s-field", "a field of a Kubernetes object", kParams,
                               &evaluateK8sField, false};
  return kKind;
}

}  // namespace bulwark::checks
