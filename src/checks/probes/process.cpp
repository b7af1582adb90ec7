// process: a host daemon process — today dockerd, the one process the collector looks for.
// `field: running` gives "true"/"false"; `field: uid` the user id it runs as (nothing observed
// when it does not run). A process table the collector could not read (hidepid) is not
// evaluated.
#include <fmt/format.h>

#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kNames[] = {"dockerd"};
constexpr std::string_view kFields[] = {"running", "uid"};

constexpr ParamSpec kParams[] = {
    {"name", ParamType::String, false, "the process (default dockerd)", kNames},
    {"field", ParamType::String, true, "running: \"true\"/\"false\"; uid: its user id", kFields},
};

ProbeResult evaluateProcess(const Params& params, const Resource& resource) {
  if (resource.snapshot == nullptr) return probes::noInput("Docker host snapshot");
  const std::string_view name = params.string("name", "dockerd");
  if (name != "dockerd") {
    return ProbeResult::notEvaluated(fmt::format("process {} is not collected", name),
                                     model::NotEvaluatedCause::MissingInput);
  }
  const auto& dockerd = resource.snapshot->host.dockerd;
  if (auto gate = probes::unlessOk("the dockerd process", dockerd.state, true)) {
    if (gate->state != ProbeState::Evaluated) return std::move(*gate);
  }
  const bool running = dockerd.state.ok();
  const std::string where =
      dockerd.pid > 0
          ? fmt::format("/proc/{}/status", dockerd.pid)
          : (dockerd.state.source.empty() ? std::string("/proc/*/comm") : dockerd.state.source);
  ProbeResult result;
  Observation o;
  o.where = where;
  if (params.string("field") == "uid") {
    if (!running) return result;
    o.values = {fmt::format("{}", dockerd.uid)};
    o.display = fmt::format("dockerd (pid {}) runs as uid {}", dockerd.pid, dockerd.uid);
  } else {
    o.values = {running ? "true" : "false"};
    o.display = running ? fmt::format("dockerd runs (pid {})", dockerd.pid)
                        : std::string("dockerd does not run");
  }
  result.observations.push_back(std::move(o));
  return result;
}

}  // namespace

const ProbeKind& processProbe() {
  static const ProbeKind kKind{"process", "whether a host daemon runs, and as which user", kParams,
                               &evaluateProcess, false};
  return kKind;
}

}  // namespace bulwark::checks
