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
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "events/field.h"
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

// Numbers the distinct fields of a whole ruleset, so that per event each is extracted once.
class FieldSlots {
 public:
  std::size_t slotOf(const FieldRef& ref);
  [[nodiscard]] std::size_t size() const { return keys_.size(); }

 private:
  std::vector<std::string> keys_;
};

// Per-thread evaluation state: the event being matched and the values extracted so far.
class EvalContext {
 public:
  explicit EvalContext(std::size_t slots = 0);
  void reset(const events::Event& event, std::size_t slots);
  [[nodiscard]] const events::Event& event() const { return *event_; }
  // The field's values for the current event (empty: missing).
  std::span<const std::string_view> values(const FieldRef& ref);

 private:
  struct Slot {
    std::uint64_t epoch = 0;
    events::Values values;
  };
  const events::Event* event_ = nullptr;
  std::uint64_t epoch_ = 0;
  std::vector<Slot> slots_;
};

class Filter {
 public:
  virtual ~Filter() = default;
  virtual bool eval(EvalContext& context) const = 0;
};

struct CompileError {
  std::string message;
  std::size_t offset = 0;  // in the text the node was parsed from
};

// Resolves a field expression of the given table (name, argument, transformers).
tl::expected<FieldRef, CompileError> resolveField(const FieldExpr& expr,
                                                  const events::FieldTable& table,
                                                  FieldSlots& slots);

// Compiles a parsed condition whose macros are inlined.
tl::expected<std::unique_ptr<Filter>, CompileError> compileFilter(const Node& node,
                                                                  const events::FieldTable& table,
                                                                  FieldSlots& slots);

}  // namespace bulwark::rules
