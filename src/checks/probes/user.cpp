// user: the user the final image runs as — the last USER of the final stage (and the stages it
// builds on), or the image config's User. The value is the user part ("app" of "app:staff");
// "" when none is set, which means root unless the base image sets another.
#include <fmt/format.h>

#include "checks/probes/common.h"

namespace bulwark::checks {

namespace {

std::string userPart(std::string_view user) {
  return std::string(core::trim(user.substr(0, user.find(':'))));
}

ProbeResult evaluateUser(const Params& /*params*/, const Resource& resource) {
  ProbeResult result;
  Observation o;
  if (resource.kind == ResourceKind::Image) {
    if (resource.config == nullptr || !resource.config->present) {
      return ProbeResult::notEvaluated("the image has no config");
    }
    o.values = {userPart(resource.config->user)};
    o.display = resource.config->user.empty()
                    ? "Config.User is not set"
                    : fmt::format("Config.User is \"{}\"", resource.config->user);
    o.where = "image config: Config.User";
    result.observations.push_back(std::move(o));
    return result;
  }
  const dockerfile::Instruction* last = nullptr;
  std::string value;
  bool unresolved = false;
  probes::forEachInstruction(
      resource, true,
      [&](const dockerfile::Instruction& instruction, const dockerfile::Variables& v) {
        if (instruction.keyword != "USER") return;
        last = &instruction;
        unresolved = false;
        value = dockerfile::expand(instruction.args, v, unresolved, resource.dockerfile->escape);
      });
  if (last == nullptr) {
    const auto& stages = resource.dockerfile->stages;
    o.values = {""};
    o.display = "no USER instruction in the final stage";
    o.where = stages.empty()
                  ? resource.name
                  : resource.where(resource.dockerfile->instructions[stages.back().from]);
  } else {
    o.values = {userPart(value)};
    o.display = fmt::format("USER {}", last->args);
    o.where = resource.where(*last);
    if (unresolved) {
      o.unknown = true;
      o.note = "the user comes from a variable the Dockerfile does not set";
    }
  }
  result.observations.push_back(std::move(o));
  return result;
}

}  // namespace

const ProbeKind& userProbe() {
  static const ProbeKind kKind{"user", "the user the final image runs as", {}, &evaluateUser};
  return kKind;
}

}  // namespace bulwark::checks
