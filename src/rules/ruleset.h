// The loaded, compiled rules of a run (docs/dev/runtime-design.md §3.5, §3.6): each enabled rule
// of a source this build has, with its condition compiled against that source's field table and
// its output template resolved. Immutable once built; match() is called per event with a
// per-thread EvalContext. Rules point at their RuleItem: the RulesSource must outlive the set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/event.h"
#include "rules/compiler.h"
#include "rules/loader.h"
#include "rules/stateful.h"

namespace bulwark::rules {

struct Rule {
  const RuleItem* item = nullptr;
  events::Source source = events::Source::K8sAudit;
  std::unique_ptr<Filter> filter;
  OutputTemplate output;
  std::vector<FieldRef> output_fields;  // one per field segment of `output`, in order
  // A stateful rule's steps and state (design §3.8); `filter` is then its steps' `or`. Shared:
  // the state changes under its own lock while the ruleset is const.
  std::shared_ptr<StatefulRule> stateful;
};

class Ruleset {
 public:
  // Resolves every rule against its source's field table. Rules below `min_priority` are left
  // out; rules of a source this build has no events for are skipped with one
  // LOAD_UNKNOWN_SOURCE warning per source; a rule naming an unknown field or misusing an
  // operator is a LOAD_ERR_COMPILE_CONDITION (LOAD_ERR_COMPILE_OUTPUT for its output) error.
  // `intel`: the threat-intel sets conditions may name (kept alive by the ruleset).
  static Ruleset build(const std::vector<CompiledRule>& compiled, Priority min_priority,
                       LoadResult& result, const IntelRegistry* intel = nullptr);

  // The intel sets the rules were compiled against (for reloads).
  [[nodiscard]] const IntelRegistry& intel() const { return intel_; }

  [[nodiscard]] std::span<const Rule> rules() const { return rules_; }
  [[nodiscard]] const FieldSlots& slots() const { return slots_; }
  [[nodiscard]] bool empty() const { return rules_.empty(); }

  // Calls `on_match` for every rule of the event's source whose condition holds, in load
  // order; with `first_match` (Falco's default) only for the first. Stateful rules come after
  // the others and see every event their steps match (their state advances even when a rule
  // before them fired under `first_match`; they then do not fire). With `use_index` (the
  // default) only the rules the index leaves for the event are evaluated; the alerts are the
  // same either way (a differential test holds it to that).
  // `evaluated`, when given, counts the conditions evaluated (what the index left to check).
  void match(const events::Event& event, EvalContext& context, bool first_match,
             const std::function<void(const Rule&)>& on_match, bool use_index = true,
             std::uint64_t* evaluated = nullptr) const;

  // first_seen baselines persist in `<dir>/baselines/` (read now); returns the problems met
  // reading them, one line each. Empty: nothing persists.
  std::vector<std::string> setStateDir(const std::string& dir) const;
  // Writes the baselines that changed (also done at most once a minute while matching, and
  // when the ruleset is destroyed); returns the problems, one line each.
  std::vector<std::string> flushState() const;
  // Each stateful rule's state counters, in load order.
  [[nodiscard]] std::vector<std::pair<const Rule*, StatefulStats>> statefulStats() const;
  // Test hook: smaller state bounds for every stateful rule.
  void setStateLimits(std::size_t max_keys, std::size_t max_pairs) const;

  // How many rules the index constrains on each of its fields ("ka.verb" → 40).
  [[nodiscard]] std::map<std::string, std::size_t> indexedRules() const;

  // The rules of `source` that can only match events whose indexed `field` takes a value
  // outside `values`, in load order: what a sensor that produces only those values (the proc
  // sensor: execve, procexit) can never fire.
  [[nodiscard]] std::vector<const Rule*> rulesOutside(events::Source source, std::string_view field,
                                                      const std::set<std::string>& values) const;

  // The rule's output for the event matched last in `context`: list values as "(a,b)",
  // missing values as <NA>.
  static std::string render(const Rule& rule, EvalContext& context);
  // The same, appended to `out`.
  static void render(const Rule& rule, EvalContext& context, std::string& out);
  // The output's fields with their rendered values (nullopt: missing), each once, in order.
  static std::vector<std::pair<std::string, std::optional<std::string>>> outputFields(
      const Rule& rule, EvalContext& context);

 private:
  using Bits = std::vector<std::uint64_t>;  // one bit per rule, in load order

  // Rules by the values one field must have for them to match (design §3.6): for k8s audit
  // events the verb and the resource. A rule whose condition does not pin the field down is
  // in `any`; an event whose value is not in `by_value` can only match those.
  struct IndexField {
    events::Source source{};
    FieldRef field;
    std::map<std::string, Bits, std::less<>> by_value;
    Bits any;
    std::size_t constrained = 0;
  };

  void buildIndex(const std::vector<const Node*>& conditions);

  std::vector<Rule> rules_;
  FieldSlots slots_;
  IntelRegistry intel_;
  std::vector<IndexField> index_;
  std::map<events::Source, Bits> by_source_;
};

}  // namespace bulwark::rules
