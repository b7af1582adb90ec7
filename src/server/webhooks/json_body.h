// Bounded JSON for untrusted request bodies (webhooks, admission reviews, Harbor scan requests):
// the size is checked first, then the nesting depth (a scan that skips strings), and only then
// does nlohmann::json parse, without exceptions. Field readers never throw either: a missing
// field, a field of the wrong type or an over-long string reads as absent.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace bulwark::server::webhooks {

// Bodies are bounded by the server first; these are the parsers' own ceilings.
inline constexpr std::size_t kMaxBodyBytes = std::size_t{8} << 20;
inline constexpr int kMaxJsonDepth = 64;
// Longest string field any of our documents needs (descriptions are truncated on output).
inline constexpr std::size_t kMaxFieldBytes = 8192;

enum class TopLevel { Object, ObjectOrArray };

// Parses `body` as JSON. Errors (one line, naming `what`): ErrorCode::Limit when larger than
// `max_bytes` or nested deeper than kMaxJsonDepth; ErrorCode::Input when not JSON or when the
// top level is not an object (or array, when allowed).
core::Result<nlohmann::json> parseJsonBody(std::string_view body, std::string_view what,
                                           TopLevel top = TopLevel::Object,
                                           std::size_t max_bytes = kMaxBodyBytes);

// object[key] when `object` is an object, the field is a string and at most `max_bytes` long.
const std::string* stringField(const nlohmann::json& object, std::string_view key,
                               std::size_t max_bytes = kMaxFieldBytes);
// object[key] when `object` is an object and the field is an object / array.
const nlohmann::json* objectField(const nlohmann::json& object, std::string_view key);
const nlohmann::json* arrayField(const nlohmann::json& object, std::string_view key);
// object[key] when it is a boolean.
std::optional<bool> boolField(const nlohmann::json& object, std::string_view key);

// A value for an error or diagnostic line: control characters and bad UTF-8 escaped, cut at
// `max` bytes ("…" appended).
std::string shown(std::string_view text, std::size_t max = 120);

// Serializes without throwing: bytes that are not UTF-8 become U+FFFD.
std::string dumpJson(const nlohmann::json& value, int indent = -1);

}  // namespace bulwark::server::webhooks
