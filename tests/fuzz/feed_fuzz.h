// What every feed fuzz target does: hand the input to a feed parser with a sink that touches
// each advisory it delivers, and ignore the outcome (errors are expected; crashes are not).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/diagnostic.h"
#include "vulndb/feeds/feeds.h"

namespace bulwark::fuzz {

inline std::string_view asText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// `parse(input, where, sink, diagnostics)`, as every parser in vulndb/feeds is called.
template <class Parser>
void runFeedParser(Parser parse, std::string_view input, std::string_view where) {
  core::Diagnostics diagnostics;
  std::size_t touched = 0;
  const vulndb::feeds::AdvisorySink sink = [&](model::Advisory&& advisory) {
    touched += advisory.id.size() + advisory.affected.size();
  };
  (void)parse(input, where, sink, diagnostics);
}

}  // namespace bulwark::fuzz
