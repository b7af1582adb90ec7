// exposed-port: ports the final image exposes — EXPOSE in the final stage (ranges expanded up
// to 1024 ports), or the image config's ExposedPorts. Value: the port number.
#include <fmt/format.h>

#include "checks/probes/common.h"
#include "core/text.h"

namespace bulwark::checks {

namespace {

constexpr std::uint64_t kMaxRange = 1024;

void addPort(ProbeResult& result, std::string_view spec, const std::string& where,
             const std::string& display) {
  const auto slash = spec.find('/');
  const std::string_view ports = spec.substr(0, slash);
  const auto dash = ports.find('-');
  const auto low = core::parseUnsigned(ports.substr(0, dash));
  const auto high =
      dash == std::string_view::npos ? low : core::parseUnsigned(ports.substr(dash + 1));
  if (!low || !high || *high < *low || *high > 65535) {
    result.observations.push_back(
        {{std::string(spec)}, false, true, display, where, "not a port number"});
    return;
  }
  if (*high - *low >= kMaxRange) {
    result.observations.push_back(
        {{std::string(spec)}, false, true, display, where, "a port range too large to list"});
    return;
  }
  for (std::uint64_t port = *low; port <= *high; ++port) {
    result.observations.push_back({{std::to_string(port)}, false, false, display, where, {}});
  }
}

ProbeResult evaluateExposedPort(const Params& /*params*/, const Resource& resource) {
  ProbeResult result;
  if (resource.kind == ResourceKind::Image) {
    if (resource.config == nullptr || !resource.config->present) {
      return ProbeResult::notEvaluated("the image has no config");
    }
    for (const auto& port : resource.config->exposed_ports) {
      addPort(result, port, "image config: Config.ExposedPorts", "ExposedPorts " + port);
    }
    return result;
  }
  probes::forEachInstruction(
      resource, true,
      [&](const dockerfile::Instruction& instruction, const dockerfile::Variables& vars) {
        if (instruction.keyword != "EXPOSE") return;
        const std::string where = resource.where(instruction);
        for (const auto& word : core::shellWords(instruction.args, resource.dockerfile->escape)) {
          bool unresolved = false;
          const std::string spec =
              dockerfile::expand(word, vars, unresolved, resource.dockerfile->escape);
          if (unresolved) {
            result.observations.push_back({{spec},
                                           false,
                                           true,
                                           "EXPOSE " + word,
                                           where,
                                           "uses a variable the Dockerfile does not set"});
            continue;
          }
          addPort(result, spec, where, "EXPOSE " + spec);
        }
      });
  return result;
}

}  // namespace

const ProbeKind& exposedPortProbe() {
  static const ProbeKind kKind{
      "exposed-port", "ports the final image exposes", {}, &evaluateExposedPort};
  return kKind;
}

}  // namespace bulwark::checks
