// Fuzzes the rule condition parser (src/rules/parser.h) and list substitution (lists.h) with
// arbitrary text. Nothing may crash or recurse without bound; an error carries a message and an
// offset inside the text; a condition that parses writes back (toString) to text that parses to
// the same canonical form; every substituted byte maps back inside the condition; read as an
// output template, every field reference starts at a '%'.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "rules/lists.h"
#include "rules/output_format.h"
#include "rules/parser.h"

namespace {

// The condition with a few lists substituted: empty, with a blank, naming an earlier list.
void substituteAndParse(std::string_view text) {
  static const auto lists = bulwark::rules::flattenLists(
      {{"none", {}}, {"shells", {"sh", "bash"}}, {"tools", {"shells", "my tool"}}});
  bool truncated = false;
  const auto out = bulwark::rules::substituteLists(text, lists, std::size_t{1} << 16, truncated);
  if (out.origin.size() != out.text.size()) std::abort();
  for (const auto at : out.origin) {
    if (at >= text.size()) std::abort();
  }
  auto node = bulwark::rules::parseCondition(out.text);
  if (!node && out.originOf(node.error().offset, text.size()) > text.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  substituteAndParse(text);
  // The same bytes as an output template: every field starts at a '%' of the text.
  const auto output = bulwark::rules::parseOutput(text);
  for (const auto& segment : output.segments) {
    if (segment.is_field &&
        (segment.field.offset >= text.size() || text[segment.field.offset] != '%')) {
      std::abort();
    }
  }
  (void)bulwark::rules::renderOutput(
      output, [](const bulwark::rules::FieldExpr&, std::string&) { return false; });
  auto node = bulwark::rules::parseCondition(text);
  if (!node) {
    if (node.error().message.empty() || node.error().offset > text.size()) std::abort();
    return 0;
  }
  const std::string once = bulwark::rules::toString(**node);
  auto again = bulwark::rules::parseCondition(once);
  if (!again) std::abort();
  if (bulwark::rules::toString(**again) != once) std::abort();
  return 0;
}
