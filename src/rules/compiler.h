// Conditions compiled into evaluators (docs/dev/runtime-design.md §3.5): every field name is
// resolved once against its source's field table, every literal is parsed once (sets for `in`,
// RE2 programs for `regex`, bytes for `bcontains`), and per event each distinct field is
// extracted at most once (EvalContext caches values by slot).
//
// Semantics (../shared/reference/falco-rule-language.md §1.5): a field without a value makes
// every comparison false, `!=` included, and only `exists` looks at presence; a list field
// under `in` holds when every value is in the set, under `intersects` when one is, and under
// any other operator when one value satisfies it (an index argument picks one value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "events/field.h"
#include "rules/intel.h"
#include "rules/parser.h"

namespace bulwark::rules {

// A resolved field: its row, its checked argument, the transformers applied to it (outermost
// first) and the cache slot of this (row, argument, transformers) combination.
struct FieldRef {
  const events::FieldRow* row = nullptr;
  events::FieldArg arg;
  std::vector<std::string> transformers;
  std::size_t slot = 0;
  // The values are a list: a list field without an index argument (after `len`, one value).
  bool list = false;
};

// Numbers the distinct fields of a whole ruleset, so that per event each is extracted once,
// and the distinct comparisons (`jevt.value[/stage] in (ResponseComplete)` is in every k8s
// audit rule through the `kevt` macro), so that per event each is evaluated once.
class FieldSlots {
 public:
  std::size_t slotOf(const FieldRef& ref);
  std::size_t checkSlotOf(const std::string& canonical);
  [[nodiscard]] std::size_t size() const { return fields_.size(); }
  [[nodiscard]] std::size_t checks() const { return checks_.size(); }

 private:
  std::map<std::string, std::size_t, std::less<>> fields_;
  std::map<std::string, std::size_t, std::less<>> checks_;
};

// Per-thread evaluation state: the event being matched and the values extracted so far.
// An earlier event of a sequence that fired (bw.seq.related in JSON alerts): its number, time
// and the fields that say what it was (proc.cmdline; ka.verb, ka.uri and ka.user.name), each
// value cut at kMaxRelatedValueBytes, and all of a sequence's values together at
// kMaxRelatedBytes (state is kept for up to 65 536 keys per rule: a bound on its memory).
struct RelatedEvent {
  std::uint64_t num = 0;
  std::int64_t ts_ns = 0;
  std::vector<std::pair<std::string_view, std::string>> fields;  // name (a field row's), value
};
inline constexpr std::size_t kMaxRelatedValueBytes = 256;
inline constexpr std::size_t kMaxRelatedBytes = 1024;

class EvalContext {
 public:
  EvalContext() = default;
  // A new event; the slot tables grow to the ruleset's.
  void reset(const events::Event& event, const FieldSlots& slots);
  [[nodiscard]] const events::Event& event() const { return *event_; }
  // The field's values for the current event (empty: missing).
  std::span<const std::string_view> values(const FieldRef& ref);
  // The earlier events of the sequence rule that fired last on this event (set by
  // StatefulRule::observe; empty for any other rule).
  [[nodiscard]] const std::vector<RelatedEvent>& related() const { return related_; }
  void setRelated(std::vector<RelatedEvent> related) { related_ = std::move(related); }
  // The result of comparison `slot` for the current event, computed at most once.
  template <class Compute>
  bool remember(std::size_t slot, Compute&& compute) {
    Memo& memo = checks_[slot];
    if (memo.epoch == epoch_) return memo.value;
    const bool value = compute();
    memo = {epoch_, value};
    return value;
  }

 private:
  struct Slot {
    std::uint64_t epoch = 0;
    events::Values values;
  };
  struct Memo {
    std::uint64_t epoch = 0;
    bool value = false;
  };
  const events::Event* event_ = nullptr;
  std::uint64_t epoch_ = 0;
  std::vector<Slot> slots_;
  std::vector<Memo> checks_;
  std::vector<RelatedEvent> related_;
};

class Filter {
 public:
  virtual ~Filter() = default;
  virtual bool eval(EvalContext& context) const = 0;
};

struct CompileError {
  std::string message;
  std::size_t offset = 0;  // in the text the node was parsed from
  // Set when the cause is a field Falco has and no sensor of this build fills (kUnsupported):
  // the rule is skipped with a warning rather than failing.
  std::string unsupported_field;
};

// Resolves a field expression of the given table (name, argument, transformers). A field no
// sensor fills (kUnsupported) is an error with `unsupported_field` set, unless allowed (an
// output prints it as <NA>).
tl::expected<FieldRef, CompileError> resolveField(const FieldExpr& expr,
                                                  const events::FieldTable& table,
                                                  FieldSlots& slots,
                                                  bool allow_unsupported = false);

// Compiles a parsed condition whose macros are inlined. A set operator (in, intersects) whose
// value names one of `intel`'s sets — `fd.sip in (c2_addresses)`, `in c2_addresses` — tests
// membership in that set as it is at each event (reloads swap it).
tl::expected<std::unique_ptr<Filter>, CompileError> compileFilter(
    const Node& node, const events::FieldTable& table, FieldSlots& slots,
    const IntelRegistry* intel = nullptr);

}  // namespace bulwark::rules
