// container-exec: the exec sessions the daemon keeps for a container (/exec/{id}/json of each
// of its ExecIDs; the daemon forgets them some minutes after they end). One observation per
// session: `privileged` ("true"/"false") or `user` ("" = the container's user).
#include <fmt/format.h>

#include "checks/docker/json_path.h"
#include "checks/probes/common.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kFields[] = {"privileged", "user"};

constexpr ParamSpec kParams[] = {
    {"field", ParamType::String, true, "privileged or user", kFields},
};

ProbeResult evaluateContainerExec(const Params& params, const Resource& resource) {
  if (resource.container == nullptr) return probes::noInput("container");
  const docker::Container& container = *resource.container;
  const std::string id = probes::shortId(container.id);
  if (auto gate = probes::unlessOk(fmt::format("the exec sessions of container {}", id),
                                   container.execs_state, true)) {
    return std::move(*gate);
  }
  // /exec/{id}/json keeps the session's options under ProcessConfig; Docker omits `user` when
  // the session runs as the container's user, and older engines omit `privileged` when false.
  const bool privileged = params.string("field") == "privileged";
  const char* key = privileged ? "privileged" : "user";
  ProbeResult result;
  result.looked_at = fmt::format("/exec/…/json ProcessConfig.{} of container {}", key, id);
  for (const auto& exec : container.execs) {
    const nlohmann::json* config = probes::member(exec, "ProcessConfig");
    const nlohmann::json* exec_id = probes::member(exec, "ID");
    const std::string exec_short = exec_id != nullptr && exec_id->is_string()
                                       ? probes::shortId(exec_id->get<std::string>())
                                       : std::string("?");
    Observation o;
    o.where = fmt::format("/exec/{}/json ProcessConfig.{}", exec_short, key);
    if (config == nullptr || !config->is_object()) {
      // A session document without its process config: the test's `absent:` decides.
      o.absent = true;
      o.display = fmt::format("exec {} has no ProcessConfig", exec_short);
      result.observations.push_back(std::move(o));
      continue;
    }
    const nlohmann::json* value = probes::member(*config, key);
    o.values = {value != nullptr ? docker::scalarText(*value)
                                 : std::string(privileged ? "false" : "")};
    const nlohmann::json* entry = probes::member(*config, "entrypoint");
    o.display = fmt::format("exec {} {}={}{}", exec_short, key, probes::shown(o.values.front()),
                            entry != nullptr && entry->is_string()
                                ? fmt::format(" ({})", probes::shorten(entry->get<std::string>()))
                                : std::string());
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& containerExecProbe() {
  static const ProbeKind kKind{"container-exec", "a container's exec sessions", kParams,
                               &evaluateContainerExec, false};
  return kKind;
}

}  // namespace bulwark::checks
