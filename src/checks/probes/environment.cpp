// environment: an environment variable of the process that collected the snapshot (the
// shell `docker` runs from: DOCKER_CONTENT_TRUST). Value: its value; unset gives nothing
// observed. A variable the collector did not look up is not evaluated.
#include <fmt/format.h>

#include "checks/probes/common.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr ParamSpec kParams[] = {
    {"name", ParamType::String, true, "the variable (DOCKER_CONTENT_TRUST)"},
};

ProbeResult evaluateEnvironment(const Params& params, const Resource& resource) {
  if (resource.snapshot == nullptr) return probes::noInput("Docker host snapshot");
  const std::string_view name = params.string("name");
  const auto& environment = resource.snapshot->host.environment;
  const auto it = environment.find(name);
  if (it == environment.end()) {
    return ProbeResult::notEvaluated(
        fmt::format("the collector's environment variable {} was not collected", name),
        model::NotEvaluatedCause::MissingInput);
  }
  ProbeResult result;
  result.looked_at = fmt::format("environment of the collector: {} is not set", name);
  if (!it->second.has_value()) return result;
  Observation o;
  o.values = {*it->second};
  o.display = fmt::format("{}={}", name, probes::shorten(*it->second, 80));
  o.where = "environment of the collector";
  result.observations.push_back(std::move(o));
  return result;
}

}  // namespace

const ProbeKind& environmentProbe() {
  static const ProbeKind kKind{"environment", "an environment variable of the collecting shell",
                               kParams, &evaluateEnvironment, false};
  return kKind;
}

}  // namespace bulwark::checks
