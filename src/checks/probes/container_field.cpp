// container-field: values in a container's Engine API documents — its inspect document
// (/containers/{id}/json, the default) or its /containers/json summary — at a JSON path
// (docker/json_path.h). One observation per value the path reaches; a value that is a list is
// one list observation. `normalise: capability` writes capabilities as Docker's default set
// does ("cap_sys_admin" → "SYS_ADMIN").
#include <fmt/format.h>

#include "checks/docker/json_path.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kDocs[] = {"inspect", "summary"};
constexpr std::string_view kNormalise[] = {"none", "capability"};

constexpr ParamSpec kParams[] = {
    {"path", ParamType::Path, true, "JSON path into the document (HostConfig.CapAdd[*])"},
    {"doc", ParamType::String, false,
     "inspect (default): /containers/{id}/json; summary: the /containers/json entry", kDocs},
    {"normalise", ParamType::String, false,
     "none (default), or capability: upper-case and without CAP_", kNormalise},
};

std::string capability(std::string value) {
  for (auto& c : value) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (value.rfind("CAP_", 0) == 0) value.erase(0, 4);
  return value;
}

ProbeResult evaluateContainerField(const Params& params, const Resource& resource) {
  if (resource.container == nullptr) return probes::noInput("container");
  const docker::JsonPath* path = params.path("path");
  if (path == nullptr) return probes::noInput("JSON path");
  const docker::Container& container = *resource.container;
  const std::string id = probes::shortId(container.id);
  const bool summary = params.string("doc", "inspect") == "summary";
  const docker::DocFact& doc = summary ? container.summary : container.inspect;
  const std::string source =
      summary ? fmt::format("/containers/json {}", id) : fmt::format("/containers/{}/json", id);
  if (auto gate = probes::unlessOk(source, doc.state, true)) return std::move(*gate);
  probes::Normalise normalise;
  if (params.string("normalise") == "capability") normalise = capability;
  ProbeResult result;
  result.looked_at = fmt::format("{} {}", source, path->text());
  probes::addJsonObservations(*path, doc.doc, result.looked_at, normalise, result.observations);
  return result;
}

}  // namespace

const ProbeKind& containerFieldProbe() {
  static const ProbeKind kKind{"container-field",
                               "a field of a container's inspect document or summary", kParams,
                               &evaluateContainerField, false};
  return kKind;
}

}  // namespace bulwark::checks
