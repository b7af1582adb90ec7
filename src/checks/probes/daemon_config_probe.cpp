// daemon-config: an option of dockerd's effective configuration — the dockerd flag, else
// daemon.json, else Docker's default (docker/daemon_config.h). Scalars give one observation;
// lists and maps give one list observation, or with `element: true` one observation per
// element ("name=value" for maps), so that `[*]`-style "no element is X" tests read naturally.
// `where` says which source decided. An option whose source could not be read is not
// evaluated, with that source's state as the cause.
#include <fmt/format.h>

#include "checks/docker/daemon_config.h"
#include "checks/probes/common.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

std::span<const std::string_view> optionKeys() {
  static const std::vector<std::string_view> kKeys = [] {
    std::vector<std::string_view> keys;
    for (const auto& option : docker::daemonOptions()) keys.push_back(option.key);
    return keys;
  }();
  return kKeys;
}

ProbeResult evaluateDaemonConfig(const Params& params, const Resource& resource) {
  const std::string_view key = params.string("option");
  const docker::DaemonOption* option = docker::findDaemonOption(key);
  if (option == nullptr) {
    return ProbeResult::notEvaluated(fmt::format("dockerd has no option {}", key),
                                     model::NotEvaluatedCause::MissingInput);
  }
  if (resource.daemon == nullptr) return probes::noInput("effective daemon configuration");
  const docker::OptionValue* value = resource.daemon->find(key);
  if (value == nullptr) {
    return ProbeResult::notEvaluated(fmt::format("daemon option {} was not resolved", key),
                                     model::NotEvaluatedCause::MissingInput);
  }
  if (value->origin == docker::OptionValue::Origin::Unknown) {
    return ProbeResult::notEvaluated(fmt::format("daemon option {} is unknown: {}", key,
                                                 probes::stateText("its source", value->unread)),
                                     probes::causeFor(value->unread.status));
  }
  const bool multi =
      option->type == docker::OptionType::List || option->type == docker::OptionType::Map;
  ProbeResult result;
  result.looked_at = value->where;
  if (multi && params.flag("element")) {
    for (const auto& element : value->values) {
      Observation o;
      o.values = {element};
      o.display = probes::shorten(fmt::format("{} {}", key, probes::shown(element)), 200);
      o.where = value->where;
      result.observations.push_back(std::move(o));
    }
    return result;
  }
  Observation o;
  o.where = value->where;
  if (multi) {
    o.is_list = true;
    o.values = value->values;
    o.display = probes::shorten(fmt::format("{}={}", key, probes::shownList(value->values)), 200);
  } else {
    if (value->values.empty()) return result;
    o.values = {value->values.front()};
    o.display =
        probes::shorten(fmt::format("{}={}", key, probes::shown(value->values.front())), 200);
  }
  result.observations.push_back(std::move(o));
  return result;
}

}  // namespace

const ProbeKind& daemonConfigProbe() {
  static const ParamSpec kParams[] = {
      {"option", ParamType::String, true,
       "the daemon.json key of the option (icc, log-level, insecure-registries, …)", optionKeys()},
      {"element", ParamType::Boolean, false,
       "lists and maps: one observation per element instead of one list"},
  };
  static const ProbeKind kKind{"daemon-config",
                               "an option of dockerd's effective configuration (flag > "
                               "daemon.json > default)",
                               kParams, &evaluateDaemonConfig, false};
  return kKind;
}

}  // namespace bulwark::checks
