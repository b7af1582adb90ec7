// The runtime detection flow (docs/dev/runtime-design.md §5.1): load Falco-compatible rule files,
// compile them against the field tables, read events from the sources, match every event and
// hand each alert to the caller. `bulwark detect` and the accuracy tests both run it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostic.h"
#include "core/result.h"
#include "rules/loader.h"
#include "rules/ruleset.h"

namespace bulwark::pipeline {

// Rule files loaded and compiled; `result` has every message, `ruleset` the rules that compiled.
struct LoadedRules {
  rules::RulesSource source;
  rules::LoadResult result;
  rules::Ruleset ruleset;
};

// Files and directories in order; rules below `min_priority` are left out.
std::unique_ptr<LoadedRules> loadRules(const std::vector<std::string>& paths,
                                       rules::Priority min_priority);

struct Alert {
  const rules::Rule* rule = nullptr;
  std::int64_t ts_ns = 0;
  std::string output;  // the rendered template, without time and priority
  std::vector<std::pair<std::string, std::optional<std::string>>> fields;  // output_fields
};

enum class AlertFormat { Text, Json };

struct DetectOptions {
  std::vector<std::string> sources;  // "k8s-audit:FILE"
  bool first_match = false;          // Falco's rule_matching: first
  bool output_fields = false;        // fill Alert::fields (JSON output needs them)
  bool use_index = true;             // off: every rule on every event (differential tests)
};

struct DetectSummary {
  std::uint64_t events = 0;
  std::uint64_t alerts = 0;
  std::map<std::string, std::uint64_t> alerts_by_rule;
  std::vector<core::Diagnostic> diagnostics;
};

// Checks a source spec ("k8s-audit:FILE") without opening it.
core::Status checkSource(const std::string& spec);

// Reads every source to its end, matching each event; `on_alert` sees every alert in event
// order. A source that cannot be opened is an error; bad events are diagnostics.
core::Result<DetectSummary> runDetect(const DetectOptions& options, const rules::Ruleset& ruleset,
                                      const std::function<void(const Alert&)>& on_alert);

// One line as Falco prints it: text `HH:MM:SS.nnnnnnnnn: Priority output` (local time, or ISO
// 8601 UTC with `iso8601`), or Falco's JSON alert object.
std::string formatAlert(const Alert& alert, AlertFormat format, bool iso8601,
                        const std::string& hostname);

}  // namespace bulwark::pipeline
