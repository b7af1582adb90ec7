// variable: environment variables and build arguments whose name matches `name` — ENV and ARG
// instructions, `NAME=value` assignments in RUN (anywhere in the script: `export X=1`,
// `X=1 cmd`), build arguments history records (`RUN |1 X=1 …`) and the image config's Env.
// Value: the variable's value, quotes removed ("" for `ARG NAME` without a default).
#include <fmt/format.h>
#include <re2/re2.h>

#include "checks/probes/common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kSources[] = {"env", "arg", "run"};

constexpr ParamSpec kParams[] = {
    {"name", ParamType::Regex, true, "variable names to observe (RE2, unanchored)"},
    {"exclude", ParamType::Regex, false, "names to leave out"},
    {"sources", ParamType::StringList, false, "env, arg, run (default: all)", kSources},
    {"redact", ParamType::Boolean, false, "show only the first characters of values"},
};

std::string redacted(std::string_view value) {
  if (value.empty()) return "";
  const std::size_t keep = value.size() > 12 ? 3 : (value.size() > 6 ? 1 : 0);
  return std::string(value.substr(0, keep)) +
         std::string(std::min<std::size_t>(value.size() - keep, 8), '*');
}

ProbeResult evaluateVariable(const Params& params, const Resource& resource) {
  const RE2* name = params.regex("name");
  const RE2* exclude = params.regex("exclude");
  auto sources = params.list("sources");
  if (sources.empty()) sources.assign(std::begin(kSources), std::end(kSources));
  const auto wants = [&](std::string_view source) {
    return std::find(sources.begin(), sources.end(), source) != sources.end();
  };
  const bool redact = params.flag("redact");
  ProbeResult result;
  const auto add = [&](std::string_view key, std::string_view value, std::string where) {
    if (name == nullptr || !RE2::PartialMatch(key, *name)) return;
    if (exclude != nullptr && RE2::PartialMatch(key, *exclude)) return;
    Observation o;
    o.values = {std::string(value)};
    o.display = fmt::format("{}={}", key, redact ? redacted(value) : probes::shorten(value, 80));
    o.where = std::move(where);
    result.observations.push_back(std::move(o));
  };
  if (resource.kind == ResourceKind::Image && resource.config != nullptr && wants("env")) {
    for (const auto& entry : resource.config->env) {
      const auto eq = entry.find('=');
      add(std::string_view(entry).substr(0, eq),
          eq == std::string::npos ? "" : std::string_view(entry).substr(eq + 1),
          "image config: Config.Env");
    }
  }
  if (resource.dockerfile == nullptr) return result;
  for (const auto& instruction : resource.dockerfile->instructions) {
    const std::string where = resource.where(instruction);
    if ((instruction.keyword == "ENV" && wants("env") && resource.kind != ResourceKind::Image) ||
        (instruction.keyword == "ARG" && wants("arg"))) {
      for (const auto& [key, value] :
           dockerfile::keyValues(instruction, resource.dockerfile->escape)) {
        add(key, value, where);
      }
    }
    if (instruction.keyword == "RUN" && wants("arg")) {
      for (const auto& [key, value] : instruction.build_args) add(key, value, where);
    }
    if (instruction.keyword == "RUN" && wants("run")) {
      for (const auto& assignment : dockerfile::scanAssignments(instruction.script())) {
        add(assignment.name, assignment.value, where);
      }
    }
  }
  return result;
}

}  // namespace

const ProbeKind& variableProbe() {
  static const ProbeKind kKind{"variable",
                               "environment variables, build arguments and shell "
                               "assignments by name",
                               kParams, &evaluateVariable};
  return kKind;
}

}  // namespace bulwark::checks
