#include "events/docker/message.h"

#include <simdjson.h>

namespace bulwark::events::docker {

namespace {

std::string_view stringOf(simdjson::dom::element element) {
  return element.is_string() ? std::string_view(element.get_string().value_unsafe())
                             : std::string_view();
}

}  // namespace

core::Result<Message> decodeMessage(std::string_view line) {
  if (line.size() > kMaxMessage) {
    return core::fail(core::ErrorCode::Input, "a Docker event longer than {} bytes", kMaxMessage);
  }
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(line);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return core::fail(core::ErrorCode::Input, "a Docker event that is not a JSON object");
  }
  Message out;
  const auto object = root.get_object().value_unsafe();
  simdjson::dom::element value;
  // Since API 1.22 the message has Type/Action/Actor; older daemons sent status/id/from only.
  if (object["Type"].get(value) == simdjson::SUCCESS) out.type = stringOf(value);
  std::string_view action;
  if (object["Action"].get(value) == simdjson::SUCCESS) action = stringOf(value);
  if (action.empty() && object["status"].get(value) == simdjson::SUCCESS) action = stringOf(value);
  if (action.empty()) return core::fail(core::ErrorCode::Input, "a Docker event without Action");
  // "exec_start: sh -c id", "health_status: healthy": the verb, then what it applies to.
  if (const std::size_t colon = action.find(": "); colon != std::string_view::npos) {
    out.action = std::string(action.substr(0, colon));
    out.detail = std::string(action.substr(colon + 2));
  } else {
    out.action = std::string(action);
  }
  if (out.action.empty()) {
    return core::fail(core::ErrorCode::Input, "a Docker event whose Action has no verb");
  }
  simdjson::dom::element actor;
  if (object["Actor"].get(actor) == simdjson::SUCCESS && actor.is_object()) {
    if (actor["ID"].get(value) == simdjson::SUCCESS) out.id = stringOf(value);
    simdjson::dom::object attributes;
    if (actor["Attributes"].get(attributes) == simdjson::SUCCESS) {
      for (const auto field : attributes) {
        if (out.attributes.size() >= kMaxAttributes) break;
        out.attributes.emplace(std::string(field.key), std::string(stringOf(field.value)));
      }
    }
  }
  if (out.id.empty() && object["id"].get(value) == simdjson::SUCCESS) out.id = stringOf(value);
  if (out.id.empty()) return core::fail(core::ErrorCode::Input, "a Docker event without Actor.ID");
  if (out.type.empty()) out.type = "container";  // the old format had container events only
  std::int64_t nanos = 0;
  if (object["timeNano"].get(value) == simdjson::SUCCESS && value.is_int64()) {
    nanos = value.get_int64().value_unsafe();
  } else if (object["time"].get(value) == simdjson::SUCCESS && value.is_int64()) {
    const std::int64_t seconds = value.get_int64().value_unsafe();
    if (seconds > 0 && seconds < (INT64_MAX / 1000000000)) nanos = seconds * 1000000000;
  }
  out.time_ns = nanos > 0 ? nanos : 0;
  return out;
}

}  // namespace bulwark::events::docker
