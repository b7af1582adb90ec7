#include "server/webhooks/json_body.h"

#include "core/text.h"

namespace bulwark::server::webhooks {

core::Result<nlohmann::json> parseJsonBody(std::string_view body, std::string_view what,
                                           TopLevel top, std::size_t max_bytes) {
  if (body.size() > max_bytes) {
    return core::fail(core::ErrorCode::Limit, "{}: body of {} bytes is larger than {} bytes", what,
                      body.size(), max_bytes);
  }
  if (!core::jsonNestingWithin(body, kMaxJsonDepth)) {
    return core::fail(core::ErrorCode::Limit, "{}: JSON nested deeper than {} levels", what,
                      kMaxJsonDepth);
  }
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  } catch (const std::exception&) {  // allocation failure; the parser itself does not throw
    root = nlohmann::json::value_t::discarded;
  }
  if (root.is_discarded()) return core::fail(core::ErrorCode::Input, "{}: not valid JSON", what);
  const bool array_ok = top == TopLevel::ObjectOrArray && root.is_array();
  if (!root.is_object() && !array_ok) {
    return core::fail(core::ErrorCode::Input, "{}: the body is a JSON {}, not an object{}", what,
                      root.type_name(), top == TopLevel::ObjectOrArray ? " or array" : "");
  }
  return root;
}

namespace {

const nlohmann::json* field(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

}  // namespace

const std::string* stringField(const nlohmann::json& object, std::string_view key,
                               std::size_t max_bytes) {
  const auto* value = field(object, key);
  if (value == nullptr || !value->is_string()) return nullptr;
  const auto* text = value->get_ptr<const std::string*>();
  return text->size() <= max_bytes ? text : nullptr;
}

const nlohmann::json* objectField(const nlohmann::json& object, std::string_view key) {
  const auto* value = field(object, key);
  return value != nullptr && value->is_object() ? value : nullptr;
}

const nlohmann::json* arrayField(const nlohmann::json& object, std::string_view key) {
  const auto* value = field(object, key);
  return value != nullptr && value->is_array() ? value : nullptr;
}

std::optional<bool> boolField(const nlohmann::json& object, std::string_view key) {
  const auto* value = field(object, key);
  if (value == nullptr || !value->is_boolean()) return std::nullopt;
  return value->get<bool>();
}

std::string shown(std::string_view text, std::size_t max) {
  if (text.size() <= max) return core::printable(text);
  return core::printable(text.substr(0, max)) + "…";
}

std::string dumpJson(const nlohmann::json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace bulwark::server::webhooks
