// Internal helpers shared by the JSON feed parsers (simdjson DOM, error codes only).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/result.h"

namespace bulwark::vulndb::feeds::detail {

// Parses `bytes` with `parser` (the padded copy lives in `storage`); a clear error on failure.
core::Result<simdjson::dom::element> parseJson(simdjson::dom::parser& parser,
                                               simdjson::padded_string& storage,
                                               std::string_view bytes, std::string_view where);

// The string value of `element`, or nullopt-like false when it is not a string.
inline bool getString(simdjson::dom::element element, std::string& out) {
  std::string_view view;
  if (element.get(view) != simdjson::SUCCESS) return false;
  out.assign(view);
  return true;
}

inline bool getString(simdjson::simdjson_result<simdjson::dom::element> result, std::string& out) {
  std::string_view view;
  if (result.get(view) != simdjson::SUCCESS) return false;
  out.assign(view);
  return true;
}

// True for values that real feeds write where they mean "nothing": null, "", [] and {}.
bool isEmptyValue(simdjson::dom::element element);

// A string or a number as text (Debian "debianbug": 555217, secdb versions written bare).
bool getScalarText(simdjson::dom::element element, std::string& out);

// First non-blank byte of `text`, or '\0'.
char firstNonBlank(std::string_view text);

}  // namespace bulwark::vulndb::feeds::detail
