#include "server/query.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/text.h"
#include "core/utf8.h"
#include "server/alert_ndjson.h"

namespace bulwark::server {

std::optional<std::int64_t> parseQueryInt(std::string_view text, std::int64_t min,
                                          std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return std::nullopt;
  }
  return value;
}

std::optional<store::Millis> parseQueryTime(std::string_view text, store::Millis now) {
  if (text.empty() || text.size() > kMaxQueryBytes) return std::nullopt;
  const char last = text.back();
  if (last == 's' || last == 'm' || last == 'h' || last == 'd' || last == 'w') {
    auto seconds = core::parseDurationSeconds(text);
    // Bounded so that the product cannot overflow: nothing is older than the epoch anyway.
    if (!seconds || *seconds < 0 || *seconds > kMaxQueryMillis / 1000) return std::nullopt;
    return now - *seconds * 1000;
  }
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return parseQueryInt(text, 0, kMaxQueryMillis);
  }
  return parseRfc3339Millis(text);
}

bool validQueryText(std::string_view text) {
  if (text.size() > kMaxQueryBytes || text.find('\0') != std::string_view::npos) return false;
  // Well-formed UTF-8: PostgreSQL refuses other bytes in a text parameter (a 500, not a 400).
  while (!text.empty()) {
    const std::size_t length = core::utf8SequenceLength(text);
    if (length == 0) return false;
    text.remove_prefix(length);
  }
  return true;
}

std::string intQueryMessage(std::string_view name, std::int64_t min, std::int64_t max) {
  return fmt::format("query parameter '{}' must be an integer from {} to {}", name, min, max);
}

std::string timeQueryMessage(std::string_view name) {
  return fmt::format(
      "query parameter '{}' must be an RFC 3339 time, Unix milliseconds or a duration such as 24h",
      name);
}

std::string textQueryMessage(std::string_view name) {
  return fmt::format("query parameter '{}' is longer than {} bytes, holds a NUL or is not UTF-8",
                     name, kMaxQueryBytes);
}

std::optional<std::int64_t> intQuery(const RequestContext& context, httplib::Response& res,
                                     const std::string& name, std::int64_t fallback,
                                     std::int64_t min, std::int64_t max) {
  if (!context.http.has_param(name)) return fallback;
  auto value = parseQueryInt(context.http.get_param_value(name), min, max);
  if (!value) sendError(res, 400, "bad_request", intQueryMessage(name, min, max));
  return value;
}

std::optional<Page> pageQuery(const RequestContext& context, httplib::Response& res) {
  auto limit = intQuery(context, res, "limit", kDefaultLimit, 1, kMaxLimit);
  if (!limit) return std::nullopt;
  auto offset = intQuery(context, res, "offset", 0, 0, kMaxOffset);
  if (!offset) return std::nullopt;
  return Page{*limit, *offset};
}

std::optional<std::optional<store::Millis>> timeQuery(const RequestContext& context,
                                                      httplib::Response& res,
                                                      const std::string& name, store::Millis now) {
  if (!context.http.has_param(name)) return std::optional<store::Millis>();
  auto at = parseQueryTime(context.http.get_param_value(name), now);
  if (!at) {
    sendError(res, 400, "bad_request", timeQueryMessage(name));
    return std::nullopt;
  }
  return std::optional<store::Millis>(at);
}

bool textQuery(const RequestContext& context, httplib::Response& res, const std::string& name,
               std::string& out) {
  out = context.query(name);
  if (validQueryText(out)) return true;
  sendError(res, 400, "bad_request", textQueryMessage(name));
  return false;
}

}  // namespace bulwark::server
