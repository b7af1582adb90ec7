// container-process: the processes running inside a container (their comm names, read from
// the container's cgroup by the collector). One observation per process. A container that
// does not run has no processes to check: not applicable.
#include <fmt/format.h>

#include "checks/docker/snapshot.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

// Whether the container runs: inspect State.Running, else the summary's State; nullopt when
// neither document says.
std::optional<bool> running(const docker::Container& container) {
  if (container.inspect.state.ok()) {
    const nlohmann::json* state = probes::member(container.inspect.doc, "State");
    const nlohmann::json* flag = state != nullptr ? probes::member(*state, "Running") : nullptr;
    if (flag != nullptr && flag->is_boolean()) return flag->get<bool>();
  }
  if (container.summary.state.ok()) {
    const nlohmann::json* state = probes::member(container.summary.doc, "State");
    if (state != nullptr && state->is_string()) return state->get<std::string>() == "running";
  }
  return std::nullopt;
}

ProbeResult evaluateContainerProcess(const Params& /*params*/, const Resource& resource) {
  if (resource.container == nullptr) return probes::noInput("container");
  const docker::Container& container = *resource.container;
  const std::string id = probes::shortId(container.id);
  if (running(container) == false) {
    return ProbeResult::notApplicable(fmt::format("container {} is not running", id));
  }
  if (auto gate = probes::unlessOk(fmt::format("the processes of container {}", id),
                                   container.processes_state, false)) {
    return std::move(*gate);
  }
  const std::string where =
      container.processes_state.source.empty()
          ? fmt::format("processes of container {}", id)
          : fmt::format("processes of container {} ({})", id, container.processes_state.source);
  ProbeResult result;
  for (const auto& process : container.processes) {
    Observation o;
    o.values = {process};
    o.display = fmt::format("process {}", probes::shown(process));
    o.where = where;
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& containerProcessProbe() {
  static const ProbeKind kKind{"container-process",
                               "processes running inside a container",
                               {},
                               &evaluateContainerProcess,
                               false};
  return kKind;
}

}  // namespace bulwark::checks
