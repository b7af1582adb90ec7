// run-script: the shell script of each RUN (heredoc bodies included; exec form joined).
#include "checks/probes/common.h"

namespace bulwark::checks {

namespace {

ProbeResult evaluateRunScript(const Params& /*params*/, const Resource& resource) {
  ProbeResult result;
  if (resource.dockerfile == nullptr) return result;
  for (const auto& instruction : resource.dockerfile->instructions) {
    if (instruction.keyword != "RUN") continue;
    std::string script = instruction.script();
    std::string display = "RUN " + probes::shorten(script);
    result.observations.push_back(
        {{std::move(script)}, false, false, std::move(display), resource.where(instruction), {}});
  }
  return result;
}

}  // namespace

const ProbeKind& runScriptProbe() {
  static const ProbeKind kKind{"run-script", "the text of each RUN", {}, &evaluateRunScript};
  return kKind;
}

}  // namespace bulwark::checks
