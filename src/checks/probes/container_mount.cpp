// container-mount: one field of each of a container's mounts (inspect `Mounts[]`), after two
// filters that look at the same mount: `rw` (writable or read-only mounts only) and `type`
// (bind, volume, tmpfs, npipe, cluster). One observation per mount kept; none when the
// container mounts nothing.
#include <algorithm>

#include <fmt/format.h>

#include "checks/docker/json_path.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kFields[] = {"source", "destination", "propagation", "mode", "type"};
constexpr std::string_view kTypes[] = {"bind", "volume", "tmpfs", "npipe", "cluster"};

constexpr ParamSpec kParams[] = {
    {"field", ParamType::String, true,
     "source (host path or volume), destination (path in the container), propagation, mode, "
     "type",
     kFields},
    {"rw", ParamType::Boolean, false, "keep only writable (true) or read-only (false) mounts"},
    {"type", ParamType::StringList, false, "keep only mounts of these types", kTypes},
};

std::string text(const nlohmann::json& mount, std::string_view name) {
  const nlohmann::json* value = probes::member(mount, name);
  return value == nullptr ? std::string() : docker::scalarText(*value);
}

ProbeResult evaluateContainerMount(const Params& params, const Resource& resource) {
  if (resource.container == nullptr) return probes::noInput("container");
  const docker::Container& container = *resource.container;
  const std::string source = fmt::format("/containers/{}/json", probes::shortId(container.id));
  if (auto gate = probes::unlessOk(source, container.inspect.state, true)) {
    return std::move(*gate);
  }
  const nlohmann::json* mounts = probes::member(container.inspect.doc, "Mounts");
  ProbeResult result;
  result.looked_at = source + " Mounts";
  if (mounts == nullptr || !mounts->is_array()) return result;
  const std::string_view field = params.string("field");
  const auto types = params.list("type");
  const std::string key = field == "source"        ? "Source"
                          : field == "destination" ? "Destination"
                          : field == "propagation" ? "Propagation"
                          : field == "mode"        ? "Mode"
                                                   : "Type";
  for (std::size_t i = 0; i < mounts->size(); ++i) {
    const nlohmann::json& mount = (*mounts)[i];
    if (!mount.is_object()) continue;
    const nlohmann::json* rw = probes::member(mount, "RW");
    const bool writable = rw != nullptr && rw->is_boolean() && rw->get<bool>();
    if (params.has("rw") && writable != params.flag("rw")) continue;
    const std::string type = text(mount, "Type");
    if (!types.empty() && std::find(types.begin(), types.end(), type) == types.end()) continue;
    Observation o;
    o.values = {text(mount, key)};
    const std::string propagation = text(mount, "Propagation");
    o.display =
        fmt::format("{} {} → {} ({}{})", type.empty() ? "mount" : type,
                    probes::shown(text(mount, "Source")), probes::shown(text(mount, "Destination")),
                    writable ? "rw" : "ro", propagation.empty() ? "" : ", " + propagation);
    o.where = fmt::format("{} Mounts[{}].{}", source, i, key);
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& containerMountProbe() {
  static const ProbeKind kKind{"container-mount", "a field of each of a container's mounts",
                               kParams, &evaluateContainerMount, false};
  return kKind;
}

}  // namespace bulwark::checks
