// stage-name: the `AS` names of build stages. Value: how many stages carry that name (names
// compare case-insensitively, as BuildKit does). Images have no stages: not applicable.
#include <fmt/format.h>

#include "checks/probes/common.h"

namespace bulwark::checks {

namespace {

ProbeResult evaluateStageName(const Params& /*params*/, const Resource& resource) {
  if (resource.kind == ResourceKind::Image || resource.dockerfile == nullptr) {
    return ProbeResult::notApplicable("an image has no build stages");
  }
  const auto& file = *resource.dockerfile;
  ProbeResult result;
  for (const auto& stage : file.stages) {
    if (stage.name.empty()) continue;
    const std::string name = core::asciiLower(stage.name);
    std::size_t count = 0;
    for (const auto& other : file.stages) count += core::asciiLower(other.name) == name;
    result.observations.push_back(
        {{std::to_string(count)},
         false,
         false,
         fmt::format("FROM … AS {} ({} stage(s) with this name)", stage.name, count),
         resource.where(file.instructions[stage.from]),
         {}});
  }
  return result;
}

}  // namespace

const ProbeKind& stageNameProbe() {
  static const ProbeKind kKind{
      "stage-name", "build stage names and how often each is used", {}, &evaluateStageName};
  return kKind;
}

}  // namespace bulwark::checks
