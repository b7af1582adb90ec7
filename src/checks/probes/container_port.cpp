// container-port: the ports a container publishes on the host, as configured
// (HostConfig.PortBindings, so a created container counts before it starts). One observation
// per binding: `host-ip` ("" and "0.0.0.0" are every interface; "[::]" is written "::"),
// `host-port` (the low end of a range; a binding without one is an ephemeral port and gives no
// observation), or `container-port` (the low end, without "/tcp").
#include <fmt/format.h>

#include "checks/probes/docker_common.h"
#include "core/text.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kFields[] = {"host-ip", "host-port", "container-port"};

constexpr ParamSpec kParams[] = {
    {"field", ParamType::String, true,
     "host-ip, host-port (low end of a range; ephemeral ports left out) or container-port",
     kFields},
};

std::string stringMember(const nlohmann::json& doc, std::string_view name) {
  const nlohmann::json* value = probes::member(doc, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

// "8000-8010" → "8000"; "80/tcp" → "80".
std::string lowEnd(std::string_view port) {
  port = port.substr(0, port.find('/'));
  return std::string(core::trim(port.substr(0, port.find('-'))));
}

std::string normalisedIp(std::string ip) {
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  return ip;
}

ProbeResult evaluateContainerPort(const Params& params, const Resource& resource) {
  if (resource.container == nullptr) return probes::noInput("container");
  const docker::Container& container = *resource.container;
  const std::string source = fmt::format("/containers/{}/json", probes::shortId(container.id));
  if (auto gate = probes::unlessOk(source, container.inspect.state, true)) {
    return std::move(*gate);
  }
  ProbeResult result;
  result.looked_at = source + " HostConfig.PortBindings";
  const nlohmann::json* host_config = probes::member(container.inspect.doc, "HostConfig");
  const nlohmann::json* bindings =
      host_config != nullptr ? probes::member(*host_config, "PortBindings") : nullptr;
  if (bindings == nullptr || !bindings->is_object()) return result;
  const std::string_view field = params.string("field");
  for (const auto& [port, list] : bindings->items()) {
    if (!list.is_array()) continue;
    for (const auto& binding : list) {
      if (!binding.is_object()) continue;
      const std::string ip = normalisedIp(stringMember(binding, "HostIp"));
      const std::string host_port = lowEnd(stringMember(binding, "HostPort"));
      Observation o;
      if (field == "host-ip") {
        o.values = {ip};
      } else if (field == "host-port") {
        if (host_port.empty() || host_port == "0") continue;  // ephemeral
        o.values = {host_port};
      } else {
        o.values = {lowEnd(port)};
      }
      const std::string shown_ip = ip.empty() ? "*" : ip;
      o.display = fmt::format(
          "{}:{} → {}", ip.find(':') != std::string::npos ? "[" + shown_ip + "]" : shown_ip,
          host_port.empty() || host_port == "0" ? "(ephemeral)" : host_port, port);
      o.where = fmt::format("{} HostConfig.PortBindings[{}]", source, port);
      result.observations.push_back(std::move(o));
    }
  }
  return result;
}

}  // namespace

const ProbeKind& containerPortProbe() {
  static const ProbeKind kKind{"container-port", "host ports a container publishes", kParams,
                               &evaluateContainerPort, false};
  return kKind;
}

}  // namespace bulwark::checks
