// Fuzzes the rule condition parser (src/rules/parser.h) with arbitrary text. Nothing may crash
// or recurse without bound; an error carries a message and an offset inside the text; a
// condition that parses writes back (toString) to text that parses to the same canonical form.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rules/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
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
