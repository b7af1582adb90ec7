// file-mode: the permission bits of host files the Docker checks name — a literal path, a glob
// over the files the collector stat'ed, or a `${alias}` the collector resolved (unit files,
// sockets, TLS files from the daemon config). Value: the mode in octal, "0644" (with setuid,
// setgid and sticky bits when set, "4755"), so `mode-at-most` compares bitwise. A file that
// does not exist gives no observation (the test's `missing:` decides).
#include <fmt/format.h>

#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr ParamSpec kParams[] = {
    {"path", ParamType::String, true,
     "the file: an absolute path, a glob (`/etc/docker/certs.d/*/*`) or `${alias}` "
     "(`${unit:docker.service}`, `${docker-socket}`, `${daemon:tlskey}`, …)"},
};

ProbeResult evaluateFileMode(const Params& params, const Resource& resource) {
  if (resource.snapshot == nullptr) return probes::noInput("Docker host snapshot");
  auto files = probes::fileFacts(*resource.snapshot, params.string("path"));
  if (auto* result = std::get_if<ProbeResult>(&files)) return std::move(*result);
  ProbeResult result;
  for (const auto& file : std::get<std::vector<probes::NamedFile>>(files)) {
    if (!file.exists()) continue;
    Observation o;
    o.values = {fmt::format("{:04o}", file.fact->mode & 07777U)};
    o.display = file.fact->type.empty()
                    ? fmt::format("mode {}", o.values.front())
                    : fmt::format("mode {} ({})", o.values.front(), file.fact->type);
    o.where = probes::statWhere(file.path);
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& fileModeProbe() {
  static const ProbeKind kKind{"file-mode", "permission bits of a host file, in octal", kParams,
                               &evaluateFileMode, false};
  return kKind;
}

}  // namespace bulwark::checks
