// pod-field: values in a workload's pod spec or, with `scope: metadata`, its pod metadata, at a
// JSON path (docker/json_path.h) — the same path for a Pod, a Deployment or a CronJob, since
// the object says where its pod spec is (k8s/object.h). The spec is the defaulted view: a
// volume without a source reads as an emptyDir, a hostPort defaulted under hostNetwork as set;
// such values show "(API default)". One observation per value reached (a list is one list
// observation); `where` is the value's path from the object root with its manifest line.
//
// A fanned-out element without the member the path ends in (`volumes[*].hostPath` on a
// configMap volume) gives nothing, not an `absent` observation: the Pod Security Standards
// treat an unset field as allowed, so only the values that are set are judged, and a pod with
// none of them is the test's `missing:`.
#include <fmt/format.h>

#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kScopes[] = {"spec", "metadata"};

constexpr ParamSpec kParams[] = {
    {"path", ParamType::Path, true,
     "JSON path under the pod spec (volumes[*].hostPath) or pod metadata (annotations{*})"},
    {"scope", ParamType::String, false,
     "spec (default): the pod spec with API defaults applied; metadata: the pod metadata", kScopes},
    {"key", ParamType::Regex, false,
     "after a final {*} or {keys}: keep only the members whose key matches"},
};

ProbeResult evaluatePodField(const Params& params, const Resource& resource) {
  const docker::JsonPath* path = params.path("path");
  if (path == nullptr) return probes::noInput("JSON path");
  auto found = probes::podObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& object = *std::get<const k8s::Object*>(found);
  const bool metadata = params.string("scope", "spec") == "metadata";
  const std::string& base = metadata ? object.pod_meta_path : object.pod_spec_path;
  ProbeResult result;
  result.looked_at = probes::joinPath(base, path->text()) + object.locationSuffix(base);
  const nlohmann::json* doc = metadata ? object.podMeta() : object.podSpec();
  if (doc == nullptr) return result;  // no pod metadata: nothing observed
  auto reached = probes::reachValues(*path, *doc, {}, params.regex("key"));
  if (auto* problem = std::get_if<ProbeResult>(&reached)) return std::move(*problem);
  for (const auto& named : std::get<std::vector<docker::JsonPath::Named>>(reached)) {
    Observation o = probes::observationOf(named, {});
    if (!metadata && probes::isDefaulted(object, named.path)) o.display += probes::kApiDefault;
    const std::string where = probes::joinPath(base, named.path);
    o.where = where + object.locationSuffix(where);
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& podFieldProbe() {
  static const ProbeKind kKind{"pod-field", "a field of a workload's pod spec or pod metadata",
                               kParams, &evaluatePodField, false};
  return kKind;
}

}  // namespace bulwark::checks
