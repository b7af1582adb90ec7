// Falco output templates (docs/dev/runtime-design.md §3.4; falco-rule-language.md §1.7): text
// with `%field`, `%field[arg]`, `%<width>field` and `%transformer(field)` references, parsed once
// per rule and rendered per alert. A field reference is the longest prefix of dotted words that
// names a field (`%proc.name)` stops at the parenthesis); a `%` that starts no field stays text.
// `%container.info` (deprecated in Falco) renders as nothing, with a warning.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/parser.h"

namespace bulwark::rules {

struct OutputSegment {
  bool is_field = false;
  std::string text;       // literal text
  FieldExpr field;        // a field reference (offset: of its '%')
  std::size_t width = 0;  // %<width>field: padded with blanks or cut to this many bytes; 0: as is
};

struct OutputTemplate {
  std::vector<OutputSegment> segments;
  std::vector<std::string> warnings;  // "%container.info is deprecated and prints nothing"

  // The fields referenced, in order, each once (what JSON output_fields carries).
  [[nodiscard]] std::vector<const FieldExpr*> fields() const;
};

// Whether a dotted name is a field the run knows; null: any syntactically valid name.
using FieldKnown = std::function<bool(std::string_view)>;

// Never fails: text that is no reference is literal. Templates over kMaxConditionBytes are cut
// there (a warning says so).
OutputTemplate parseOutput(std::string_view text, const FieldKnown& known = nullptr);

// The template with each field's value appended by `append`, which is called once per field
// segment, in order, and returns false when the field is missing (printed "<NA>"; what it
// appended then is dropped). Appending in place: alert-heavy streams render all the time.
using AppendValue = std::function<bool(const FieldExpr&, std::string& out)>;
std::string renderOutput(const OutputTemplate& output, const AppendValue& append);
// The same, appended to `out` (a caller that keeps one string per alert keeps its capacity).
void renderOutput(const OutputTemplate& output, const AppendValue& append, std::string& out);

}  // namespace bulwark::rules
