// Fuzzes the rules loader (src/rules/loader.h) with arbitrary file contents: read, then
// compiled. Nothing may crash, hang or recurse without bound; every message names a code and an
// item type; every compiled rule has a condition and comes from an enabled rule item.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "rules/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bulwark::rules::RulesSource source;
  bulwark::rules::LoadResult result;
  bulwark::rules::loadRulesText(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml",
                                source, result);
  const auto rules = bulwark::rules::compileRules(source, result);
  for (const auto& message : result.messages) {
    if (message.code.empty() || message.item_type.empty() || message.text.empty()) std::abort();
  }
  for (const auto& rule : rules) {
    if (!rule.condition || rule.item == nullptr || !rule.item->enabled) std::abort();
  }
  return 0;
}
