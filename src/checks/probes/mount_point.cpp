// mount-point: whether a host path is a mount point of its own (CIS: the data root on a separate
// partition). Value "true" when a mount table entry's mount point is the path, else "false";
// the evidence names the file system it is on. Paths as file-mode takes them.
#include <fmt/format.h>

#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr ParamSpec kParams[] = {
    {"path", ParamType::String, true, "the path: absolute or `${alias}` (`${data-root}`)"},
};

std::string_view withoutTrailingSlash(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

bool under(std::string_view path, std::string_view point) {
  if (point == "/") return !path.empty() && path.front() == '/';
  return path == point || (path.size() > point.size() && path.substr(0, point.size()) == point &&
                           path[point.size()] == '/');
}

ProbeResult evaluateMountPoint(const Params& params, const Resource& resource) {
  if (resource.snapshot == nullptr) return probes::noInput("Docker host snapshot");
  const auto& mountinfo = resource.snapshot->host.mountinfo;
  if (auto gate = probes::unlessOk("/proc/self/mountinfo", mountinfo.state, false)) {
    return std::move(*gate);
  }
  auto resolved = probes::resolvePaths(*resource.snapshot, params.string("path"));
  if (auto* result = std::get_if<ProbeResult>(&resolved)) return std::move(*result);
  const std::string where =
      mountinfo.state.source.empty() ? std::string("/proc/self/mountinfo") : mountinfo.state.source;
  ProbeResult result;
  for (const auto& raw : std::get<std::vector<std::string>>(resolved)) {
    const std::string_view path = withoutTrailingSlash(raw);
    // The mount the path is on: the last entry (later mounts hide earlier ones) with the
    // longest mount point above or at the path.
    const docker::Mount* on = nullptr;
    for (const auto& mount : mountinfo.mounts) {
      const std::string_view point = withoutTrailingSlash(mount.point);
      if (!under(path, point)) continue;
      if (on == nullptr || point.size() >= withoutTrailingSlash(on->point).size()) on = &mount;
    }
    const bool own = on != nullptr && withoutTrailingSlash(on->point) == path;
    Observation o;
    o.values = {own ? "true" : "false"};
    if (own) {
      o.display = fmt::format("{} is a mount point ({} from {})", path, on->fstype, on->source);
    } else if (on != nullptr) {
      o.display = fmt::format("{} is not a mount point; it is on {} ({} from {})", path, on->point,
                              on->fstype, on->source);
    } else {
      o.display = fmt::format("{} is not a mount point", path);
    }
    o.where = where;
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& mountPointProbe() {
  static const ProbeKind kKind{"mount-point", "whether a host path is a mount point of its own",
                               kParams, &evaluateMountPoint, false};
  return kKind;
}

}  // namespace bulwark::checks
