#include "vulndb/feeds/json_util.h"

#include <fmt/format.h>

namespace bulwark::vulndb::feeds::detail {

core::Result<simdjson::dom::element> parseJson(simdjson::dom::parser& parser,
                                               simdjson::padded_string& storage,
                                               std::string_view bytes, std::string_view where) {
  storage = simdjson::padded_string(bytes);
  simdjson::dom::element root;
  if (const auto error = parser.parse(storage).get(root); error != simdjson::SUCCESS) {
    return core::fail(core::ErrorCode::Input, "{}: invalid JSON: {}", where,
                      simdjson::error_message(error));
  }
  return root;
}

bool getScalarText(simdjson::dom::element element, std::string& out) {
  switch (element.type()) {
    case simdjson::dom::element_type::STRING: return getString(element, out);
    case simdjson::dom::element_type::INT64:
      out = std::to_string(element.get_int64().value_unsafe());
      return true;
    case simdjson::dom::element_type::UINT64:
      out = std::to_string(element.get_uint64().value_unsafe());
      return true;
    case simdjson::dom::element_type::DOUBLE:
      out = fmt::format("{}", element.get_double().value_unsafe());
      return true;
    default: return false;
  }
}

bool isEmptyValue(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return true;
    case simdjson::dom::element_type::STRING: return element.get_string().value_unsafe().empty();
    case simdjson::dom::element_type::ARRAY: return element.get_array().value_unsafe().size() == 0;
    case simdjson::dom::element_type::OBJECT:
      return element.get_object().value_unsafe().size() == 0;
    default: return false;
  }
}

char firstNonBlank(std::string_view text) {
  std::size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte order mark
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
  }
  return '\0';
}

}  // namespace bulwark::vulndb::feeds::detail
