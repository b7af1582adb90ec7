// file-owner: the owner and group of host files (paths as file-mode takes them). Value:
// "root:root" (`format: names`, the default; names from the host's /etc/passwd and /etc/group,
// "#<id>" when the host has none) or "0:0" (`format: ids`); evidence shows both. A file that
// does not exist gives no observation.
#include <fmt/format.h>

#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kFormats[] = {"names", "ids"};

constexpr ParamSpec kParams[] = {
    {"path", ParamType::String, true,
     "the file: an absolute path, a glob or `${alias}` (as file-mode)"},
    {"format", ParamType::String, false,
     "names (default): \"user:group\" by name; ids: \"uid:gid\"", kFormats},
};

ProbeResult evaluateFileOwner(const Params& params, const Resource& resource) {
  if (resource.snapshot == nullptr) return probes::noInput("Docker host snapshot");
  auto files = probes::fileFacts(*resource.snapshot, params.string("path"));
  if (auto* result = std::get_if<ProbeResult>(&files)) return std::move(*result);
  const bool ids = params.string("format", "names") == "ids";
  ProbeResult result;
  for (const auto& file : std::get<std::vector<probes::NamedFile>>(files)) {
    if (!file.exists()) continue;
    const docker::FileFact& fact = *file.fact;
    const std::string user = fact.user.empty() ? fmt::format("#{}", fact.uid) : fact.user;
    const std::string group = fact.group.empty() ? fmt::format("#{}", fact.gid) : fact.group;
    Observation o;
    o.values = {ids ? fmt::format("{}:{}", fact.uid, fact.gid) : fmt::format("{}:{}", user, group)};
    o.display = fmt::format("owner {}:{} ({}:{})", user, group, fact.uid, fact.gid);
    o.where = probes::statWhere(file.path);
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& fileOwnerProbe() {
  static const ProbeKind kKind{"file-owner", "owner and group of a host file", kParams,
                               &evaluateFileOwner, false};
  return kKind;
}

}  // namespace bulwark::checks
