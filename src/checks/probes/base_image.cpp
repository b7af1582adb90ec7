// base-image: the image each stage builds on (FROM), with global ARGs substituted; `scratch`
// and earlier stages are left out. Value: the tag ("" when there is none), or "@sha256:…" when
// pinned by digest. An image's config does not record its base: not evaluated there.
#include <fmt/format.h>

#include "checks/probes/common.h"

namespace bulwark::checks {

namespace {

ProbeResult evaluateBaseImage(const Params& /*params*/, const Resource& resource) {
  if (resource.kind == ResourceKind::Image || resource.dockerfile == nullptr ||
      resource.dockerfile->from_history) {
    return ProbeResult::notEvaluated(
        "an image's config does not record the image it was built "
        "from");
  }
  const auto& file = *resource.dockerfile;
  dockerfile::Variables globals;
  for (const auto& instruction : file.instructions) {
    if (instruction.stage >= 0) break;
    if (instruction.keyword != "ARG") continue;
    for (auto& [key, value] : dockerfile::keyValues(instruction, file.escape)) {
      globals.set(key, value);
    }
  }
  ProbeResult result;
  for (const auto& stage : file.stages) {
    if (stage.base_stage >= 0) continue;
    const auto& instruction = file.instructions[stage.from];
    bool unresolved = false;
    const std::string image = dockerfile::expand(stage.base, globals, unresolved, file.escape);
    if (core::asciiLower(image) == "scratch") continue;
    Observation o;
    o.where = resource.where(instruction);
    o.display = "FROM " + image;
    if (unresolved || image.empty()) {
      o.unknown = true;
      o.values = {image};
      o.note = "the image comes from a build argument without a default";
      result.observations.push_back(std::move(o));
      continue;
    }
    const auto at = image.find('@');
    if (at != std::string::npos) {
      o.values = {image.substr(at)};
    } else {
      const auto slash = image.rfind('/');
      const auto colon = image.rfind(':');
      const bool tagged =
          colon != std::string::npos && (slash == std::string::npos || colon > slash);
      o.values = {tagged ? image.substr(colon + 1) : ""};
      if (!tagged) o.note = "no tag: Docker pulls latest";
    }
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& baseImageProbe() {
  static const ProbeKind kKind{
      "base-image", "the tag or digest of each FROM's image", {}, &evaluateBaseImage};
  return kKind;
}

}  // namespace bulwark::checks
