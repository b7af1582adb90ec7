// file-exists: whether host files exist (paths as file-mode takes them). Value "true" or
// "false" per path; a file the collector could not stat is not evaluated, never "false".
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr ParamSpec kParams[] = {
    {"path", ParamType::String, true,
     "the file: an absolute path, a glob or `${alias}` (as file-mode)"},
};

ProbeResult evaluateFileExists(const Params& params, const Resource& resource) {
  if (resource.snapshot == nullptr) return probes::noInput("Docker host snapshot");
  auto files = probes::fileFacts(*resource.snapshot, params.string("path"));
  if (auto* result = std::get_if<ProbeResult>(&files)) return std::move(*result);
  ProbeResult result;
  for (const auto& file : std::get<std::vector<probes::NamedFile>>(files)) {
    Observation o;
    o.values = {file.exists() ? "true" : "false"};
    o.display = file.exists() ? (file.fact->type.empty() ? "exists" : "exists, " + file.fact->type)
                              : "does not exist";
    o.where = probes::statWhere(file.path);
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& fileExistsProbe() {
  static const ProbeKind kKind{"file-exists", "whether a host file exists", kParams,
                               &evaluateFileExists, false};
  return kKind;
}

}  // namespace bulwark::checks
