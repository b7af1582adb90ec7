// instruction: the instructions of the given kinds. `field` picks what is compared:
// `arguments` (the text after the keyword, variables expanded when `expand` is true) or
// `sources` (one observation per source of ADD/COPY; history's content hashes are unknown).
#include <fmt/format.h>

#include "checks/probes/common.h"
#include "core/text.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kFields[] = {"arguments", "sources"};
constexpr std::string_view kStages[] = {"final", "all"};

constexpr ParamSpec kParams[] = {
    {"instruction", ParamType::StringList, true, "keywords: RUN, ADD, WORKDIR, …"},
    {"field", ParamType::String, false, "arguments (default) or sources", kFields},
    {"stage", ParamType::String, false, "final or all (default)", kStages},
    {"expand", ParamType::Boolean, false, "substitute ENV and ARG values"},
};

ProbeResult evaluateInstruction(const Params& params, const Resource& resource) {
  const auto keywords = params.list("instruction");
  const bool sources = params.string("field", "arguments") == "sources";
  const bool expand = params.flag("expand");
  ProbeResult result;
  probes::forEachInstruction(
      resource, probes::finalOnly(params),
      [&](const dockerfile::Instruction& instruction, const dockerfile::Variables& vars) {
        if (std::find(keywords.begin(), keywords.end(), instruction.keyword) == keywords.end()) {
          return;
        }
        const char escape = resource.dockerfile->escape;
        const std::string where = resource.where(instruction);
        if (!sources) {
          Observation o;
          bool unresolved = false;
          std::string value = instruction.exec_form ? instruction.script() : instruction.args;
          if (expand) value = dockerfile::expand(value, vars, unresolved, escape);
          if (unresolved) {
            o.unknown = true;
            o.note = "uses a variable the Dockerfile does not set";
          }
          o.display = probes::shorten(instruction.keyword + " " + instruction.args);
          o.values = {std::move(value)};
          o.where = where;
          result.observations.push_back(std::move(o));
          return;
        }
        std::vector<std::string> words = instruction.exec_form
                                             ? instruction.exec_args
                                             : core::shellWords(instruction.args, escape);
        if (resource.dockerfile->from_history && words.size() >= 3 &&
            words[words.size() - 2] == "in") {
          words.erase(words.end() - 2);  // legacy history: "file:abc in /dest"
        }
        if (!words.empty()) words.pop_back();              // the destination
        if (!instruction.heredocs.empty()) words.clear();  // inline files
        for (const auto& word : words) {
          Observation o;
          bool unresolved = false;
          std::string value = expand ? dockerfile::expand(word, vars, unresolved, escape) : word;
          const bool hashed = resource.dockerfile->from_history &&
                              (value.rfind("file:", 0) == 0 || value.rfind("dir:", 0) == 0 ||
                               value.rfind("multi:", 0) == 0);
          if (unresolved || hashed) {
            o.unknown = true;
            o.note = hashed ? "the history records a content hash, not the source"
                            : "uses a variable the Dockerfile does not set";
          }
          o.display = fmt::format("{} {}", instruction.keyword, probes::shorten(word, 120));
          o.values = {std::move(value)};
          o.where = where;
          result.observations.push_back(std::move(o));
        }
      });
  return result;
}

}  // namespace

const ProbeKind& instructionProbe() {
  static const ProbeKind kKind{"instruction", "the arguments or sources of instructions", kParams,
                               &evaluateInstruction};
  return kKind;
}

}  // namespace bulwark::checks
