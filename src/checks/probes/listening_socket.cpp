// listening-socket: the local addresses a TCP port listens on, from the host's /proc/net/tcp
// and tcp6. One observation per listening socket on `port` (value: the address, "0.0.0.0",
// "::", "127.0.0.1"); nothing observed when nothing listens there.
#include <fmt/format.h>

#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kProtos[] = {"tcp", "tcp4", "tcp6"};

constexpr ParamSpec kParams[] = {
    {"port", ParamType::Integer, true, "the port number"},
    {"proto", ParamType::String, false, "tcp (default: IPv4 and IPv6), tcp4 or tcp6", kProtos},
};

ProbeResult evaluateListeningSocket(const Params& params, const Resource& resource) {
  if (resource.snapshot == nullptr) return probes::noInput("Docker host snapshot");
  const auto& listening = resource.snapshot->host.listening;
  if (auto gate = probes::unlessOk("/proc/net/tcp", listening.state, false)) {
    return std::move(*gate);
  }
  const std::int64_t port = params.integer("port", -1);
  const std::string_view proto = params.string("proto", "tcp");
  const std::string where = listening.state.source.empty()
                                ? std::string("/proc/net/tcp, /proc/net/tcp6")
                                : listening.state.source;
  ProbeResult result;
  for (const auto& socket : listening.sockets) {
    if (static_cast<std::int64_t>(socket.port) != port) continue;
    const bool v6 = socket.proto == "tcp6";
    if ((proto == "tcp4" && v6) || (proto == "tcp6" && !v6)) continue;
    Observation o;
    o.values = {socket.address};
    o.display = v6 ? fmt::format("{} [{}]:{}", socket.proto, socket.address, socket.port)
                   : fmt::format("{} {}:{}", socket.proto, socket.address, socket.port);
    o.where = where;
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& listeningSocketProbe() {
  static const ProbeKind kKind{"listening-socket", "local addresses a TCP port listens on", kParams,
                               &evaluateListeningSocket, false};
  return kKind;
}

}  // namespace bulwark::checks
