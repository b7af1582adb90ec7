// healthcheck: the final image's health check — the last HEALTHCHECK of the final stage, or
// the image config's Healthcheck. Value: "CMD …" or "NONE"; nothing observed when there is none.
#include <fmt/format.h>

#include "checks/probes/common.h"

namespace bulwark::checks {

namespace {

ProbeResult evaluateHealthcheck(const Params& /*params*/, const Resource& resource) {
  ProbeResult result;
  if (resource.kind == ResourceKind::Image) {
    if (resource.config == nullptr || !resource.config->present) {
      return ProbeResult::notEvaluated("the image has no config");
    }
    const auto& test = resource.config->healthcheck_test;
    if (!test.empty() && test.front() == "NONE") {
      result.observations.push_back(
          {{"NONE"}, false, false, "Healthcheck is NONE", "image config: Config.Healthcheck", {}});
    } else if (resource.config->has_healthcheck) {
      std::string text = "CMD";
      for (std::size_t i = 1; i < test.size(); ++i) text += " " + test[i];
      result.observations.push_back(
          {{text}, false, false, probes::shorten(text), "image config: Config.Healthcheck", {}});
    }
    return result;
  }
  const dockerfile::Instruction* last = nullptr;
  probes::forEachInstruction(resource, true, [&](const dockerfile::Instruction& i, const auto&) {
    if (i.keyword == "HEALTHCHECK") last = &i;
  });
  if (last != nullptr) {
    std::string value(core::trim(last->args));
    result.observations.push_back({{value},
                                   false,
                                   false,
                                   probes::shorten("HEALTHCHECK " + value),
                                   resource.where(*last),
                                   {}});
  }
  return result;
}

}  // namespace

const ProbeKind& healthcheckProbe() {
  static const ProbeKind kKind{
      "healthcheck", "the final image's HEALTHCHECK", {}, &evaluateHealthcheck};
  return kKind;
}

}  // namespace bulwark::checks
