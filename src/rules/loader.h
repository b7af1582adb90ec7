// Falco rules files read into lists, macros and rules (docs/dev/runtime-design.md §3.1), then
// compiled: lists substituted, conditions parsed, macros inlined, outputs parsed. Every problem
// is a message with Falco's code, the item it belongs to and its file:line:column; loading goes
// on after a bad item so one run reports them all. Fields are not checked yet (no field tables):
// a condition naming a field that does not exist compiles here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/intel.h"
#include "rules/output_format.h"
#include "rules/parser.h"

namespace bulwark::rules {

// The newest engine version whose files we read ("0.63.0"); an integer n means 0.n.0.
inline constexpr int kEngineMinor = 63;
// A rules file larger than this is refused (the whole falcosecurity/rules set is ~300 KB).
inline constexpr std::size_t kMaxRulesFileBytes = std::size_t{16} << 20;

enum class Priority { Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug };
std::string_view toString(Priority priority);  // "Emergency", …, "Informational", "Debug"
// Case-insensitive; "info" is Informational. False when unknown.
bool parsePriority(std::string_view text, Priority& out);

struct Location {
  std::string file;
  std::size_t line = 0;  // 1-based; 0: unknown
  std::size_t column = 0;
};

struct LoadMessage {
  bool error = true;      // else a warning
  std::string code;       // "LOAD_ERR_YAML_VALIDATE", "LOAD_UNUSED_MACRO", …
  std::string item_type;  // "rules content", "list", "macro", "rule", "required_engine_version"
  std::string item_name;
  Location at;
  std::string text;
};

// "file:line:column: error CODE rule 'name': text" (line and column left out when unknown).
std::string toString(const LoadMessage& message);

struct LoadResult {
  std::vector<LoadMessage> messages;
  [[nodiscard]] bool ok() const;  // no error
};

// Where a condition's text came from, to turn offsets into file positions.
struct SourceText {
  Location at;                // where the value starts
  std::string_view document;  // the file's text (kept alive by RulesSource::texts)
  std::size_t value_pos = 0;  // byte of the value in `document`
  std::size_t start = 0;      // where this part begins in the (appended-to) condition
};

struct ListItem {
  std::string name;
  std::vector<std::string> items;
  Location at;
};

struct MacroItem {
  std::string name;
  std::string condition;
  Location at;
  std::vector<SourceText> condition_sources;  // the definition, then each appended part
  // Ours (bulwark's built-in rules; Falco has no such keys): a stable id, what to do about an
  // alert, and where the rule comes from (e.g. "azure:K8S_ExposedDashboard").
  std::string id;
  std::string remediation;
  std::vector<std::string> references;
};

// One entry of a rule's `exceptions:` (falco-rule-language.md §1.6). List form: `fields` is a
// list, each value row has one entry per field (a nested list is written `(a, b)`), comps
// default to `=`. Scalar form: one field, the values are one list, the comp defaults to `in`.
struct ExceptionItem {
  std::string name;
  bool list_form = true;
  std::vector<std::string> fields;
  std::vector<std::string> comps;
  std::vector<std::vector<std::string>> values;  // rows (list form); one row (scalar form)
  Location at;
};

// What a stateful rule has instead of `condition` (docs/dev/runtime-design.md §3.8; bulwark's,
// Falco has no such rules). Durations are in ns of event time.
enum class StatefulKind { None, Sequence, Count, FirstSeen };
enum class StateBy { ProcessTree, Container, Fields };

struct StatefulItem {
  StatefulKind kind = StatefulKind::None;
  // sequence, count: which events share state.
  StateBy by = StateBy::Fields;
  std::vector<std::string> by_fields;  // StateBy::Fields
  std::int64_t within_ns = 0;
  // sequence: each step's condition, in order; count, first_seen: the one condition.
  std::vector<std::string> steps;
  std::vector<std::vector<SourceText>> step_sources;
  std::string distinct;  // count: a field whose distinct values are counted ("": events)
  std::uint64_t threshold = 0;
  std::vector<std::string> key;    // first_seen: the fields of the key…
  std::vector<std::string> value;  // …and of the value learned for it
  std::int64_t learn_ns = 0;
};

struct RuleItem {
  std::string name;
  std::string condition;
  std::string output;
  std::string desc;
  Priority priority = Priority::Debug;
  std::string source = "syscall";
  std::vector<std::string> tags;
  bool enabled = true;
  std::vector<ExceptionItem> exceptions;  // compiled as `and not (…)` after the condition
  Location at;
  std::vector<SourceText> condition_sources;  // the definition, then each appended part
  // Ours (bulwark's built-in rules; Falco has no such keys): a stable id, what to do about an
  // alert, and where the rule comes from (e.g. "azure:K8S_ExposedDashboard").
  std::string id;
  std::string remediation;
  std::vector<std::string> references;
  StatefulItem stateful;  // kind None: an ordinary rule
};

// Items of every file loaded so far, in declaration order (a redefinition keeps the first
// position). `intel` holds the threat-intel sets the files declare (`- intel: NAME`), loaded.
struct RulesSource {
  IntelRegistry intel;
  std::vector<std::unique_ptr<std::string>> texts;  // the files' text, for positions
  std::vector<ListItem> lists;
  std::vector<MacroItem> macros;
  std::vector<RuleItem> rules;
};

// Reads one file's text into `source` (files load in order: later ones override, append to
// and enable/disable earlier items).
void loadRulesText(std::string text, const std::string& file, RulesSource& source,
                   LoadResult& result);

// Reads a rules file, or every *.yaml / *.yml file of a directory in name order, into `source`;
// a file that cannot be read is a LOAD_ERR_FILE_READ error.
void loadRulesPath(const std::string& path, RulesSource& source, LoadResult& result);

struct CompiledRule {
  const RuleItem* item = nullptr;
  std::unique_ptr<Node> condition;  // lists substituted, macros inlined
  OutputTemplate output;
  // A stateful rule's step conditions, compiled as `condition` is; `condition` is then their
  // `or` (what the index and the candidate filter look at).
  std::vector<std::unique_ptr<Node>> steps;
};

// Compiles every enabled rule; a rule with a problem is reported and left out. Warnings for
// lists and macros nothing uses.
std::vector<CompiledRule> compileRules(const RulesSource& source, LoadResult& result);

}  // namespace bulwark::rules
