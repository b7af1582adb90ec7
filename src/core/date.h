// Calendar dates for expiry fields (ignore files, check exceptions): "YYYY-MM-DD" and today's
// date in UTC. Header-only so every library can use it without linking more than bulwark_core.
#pragma once

#include <charconv>
#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "core/text.h"

namespace bulwark::core {

// "2025-06-30" (a time after the date, as YAML timestamps have, is ignored); nullopt when the
// text is not a valid calendar date.
inline std::optional<std::chrono::year_month_day> parseDate(std::string_view text) {
  text = trim(text);
  if (text.size() > 10 && (text[10] == 'T' || text[10] == 't' || text[10] == ' ')) {
    text = text.substr(0, 10);
  }
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto number = [&](std::size_t at, std::size_t length) -> std::optional<unsigned> {
    unsigned value = 0;
    const char* begin = text.data() + at;
    const auto [end, ec] = std::from_chars(begin, begin + length, value);
    if (ec != std::errc() || end != begin + length) return std::nullopt;
    return value;
  };
  const auto year = number(0, 4);
  const auto month = number(5, 2);
  const auto day = number(8, 2);
  if (!year || !month || !day) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(*year)),
                                         std::chrono::month(*month), std::chrono::day(*day)};
  if (!date.ok()) return std::nullopt;
  return date;
}

// A time in RFC 3339 UTC, to the second ("2026-11-23T06:00:00Z").
inline std::string utcText(std::time_t when) {
  std::tm utc{};
  if (::gmtime_r(&when, &utc) == nullptr) return {};
  char text[32] = {};
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// The current time in RFC 3339 UTC, to the second: when a snapshot was collected.
inline std::string nowUtc() {
  return utcText(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
}

// Today's date in UTC.
inline std::chrono::year_month_day today() {
  return std::chrono::year_month_day{
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

}  // namespace bulwark::core
