// Audit event shapes and timestamps as Falco's k8saudit plugin reads them
// (plugins/k8saudit/pkg/k8saudit: ParseAuditEventsJSON, parseSingleAuditEventJSON).
#include "events/k8s_audit/audit_event.h"

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace bulwark::events::k8s_audit {

namespace {

using simdjson::dom::element;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil): exact
// for any year, no time zone or locale involved (timegm/mktime have both pitfalls).
std::int64_t daysFromCivil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

bool isLeap(unsigned year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

unsigned daysIn(unsigned year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeap(year) ? 29 : kDays[month - 1];
}

// `count` ASCII digits at `at` as a number; false when any is not a digit.
bool digits(std::string_view text, std::size_t at, std::size_t count, unsigned& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

std::string_view kindOf(element value) {
  std::string_view kind;
  if (value.type() != simdjson::dom::element_type::OBJECT) return {};
  if (value.get_object().at_key("kind").get_string().get(kind) != simdjson::SUCCESS) return {};
  return kind;
}

// One item of an EventList or an Event: the plugin takes it as an event without looking at
// its kind, and drops it when stageTimestamp is unusable (then when it is too large).
void addEvent(element value, std::vector<AuditEvent>& out, std::vector<DroppedEvent>& dropped,
              bool check_size) {
  std::string_view stamp;
  std::int64_t ts_ns = 0;
  if (value.type() != simdjson::dom::element_type::OBJECT ||
      value.get_object().at_key("stageTimestamp").get_string().get(stamp) != simdjson::SUCCESS ||
      !parseTimestamp(stamp, ts_ns)) {
    dropped.push_back(DroppedEvent{DropReason::NoTimestamp, value});
    return;
  }
  if (check_size && simdjson::to_string(value).size() > kMaxEventBytes) {
    dropped.push_back(DroppedEvent{DropReason::Oversize, value});
    return;
  }
  out.push_back(AuditEvent::of(value, ts_ns));
}

core::Status collect(element value, std::vector<AuditEvent>& out,
                     std::vector<DroppedEvent>& dropped, bool check_size, std::size_t depth) {
  if (value.type() == simdjson::dom::element_type::ARRAY) {
    if (depth >= kMaxNesting) {
      return core::fail(core::ErrorCode::Limit, "arrays nested deeper than {} levels", kMaxNesting);
    }
    // A named copy: value_unsafe() on the temporary result would leave the loop a dangling
    // reference.
    const simdjson::dom::array items = value.get_array().value_unsafe();
    for (const element item : items) {
      if (auto status = collect(item, out, dropped, check_size, depth + 1); !status) {
        return status;
      }
    }
    return {};
  }
  const std::string_view kind = kindOf(value);
  if (kind == "Event") {
    addEvent(value, out, dropped, check_size);
    return {};
  }
  if (kind == "EventList") {
    simdjson::dom::array items;
    if (value.get_object().at_key("items").get_array().get(items) == simdjson::SUCCESS) {
      for (const element item : items) addEvent(item, out, dropped, check_size);
      return {};
    }
  }
  return core::fail(core::ErrorCode::Input, std::string(kNotAuditEvent));
}

}  // namespace

// Go's time.Parse(time.RFC3339Nano, …), which the plugin uses: "YYYY-MM-DDTHH:MM:SS", then an
// optional '.' and one or more digits (digits past the ninth are ignored, as Go does), then `Z`
// or ±hh:mm. Upper-case `T` and `Z` only, seconds 00–59, real calendar dates.
bool parseTimestamp(std::string_view text, std::int64_t& ns_since_epoch) {
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || !digits(text, 0, 4, year) || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) || text[10] != 'T' ||
      !digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) ||
      text[16] != ':' || !digits(text, 17, 2, second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return false;
  }
  std::size_t at = 19;
  std::int64_t fraction = 0;
  if (at + 1 < text.size() && text[at] == '.' && text[at + 1] >= '0' && text[at + 1] <= '9') {
    ++at;
    std::size_t count = 0;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++count) {
      if (count < 9) fraction = fraction * 10 + (text[at] - '0');
    }
    for (; count < 9; ++count) fraction *= 10;
  }
  std::int64_t offset_seconds = 0;
  const std::string_view zone = text.substr(at);
  if (zone != "Z") {
    unsigned zone_hours = 0, zone_minutes = 0;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || !digits(zone, 1, 2, zone_hours) ||
        zone[3] != ':' || !digits(zone, 4, 2, zone_minutes) || zone_hours > 23 ||
        zone_minutes > 59) {
      return false;
    }
    offset_seconds = std::int64_t{zone_hours} * 3600 + std::int64_t{zone_minutes} * 60;
    if (zone[0] == '-') offset_seconds = -offset_seconds;
  }
  // Local time minus the offset is UTC. Years 0000–9999 fit in int64 seconds; nanoseconds do
  // only between 1677 and 2262, so the last two steps are checked.
  std::int64_t seconds = daysFromCivil(year, month, day) * 86400 + std::int64_t{hour} * 3600 +
                         std::int64_t{minute} * 60 + std::int64_t{second} - offset_seconds;
  if (seconds < 0 && fraction > 0) {
    // Borrow one second so that the product can reach the very bottom of the range.
    seconds += 1;
    fraction -= 1'000'000'000;
  }
  std::int64_t ns = 0;
  if (__builtin_mul_overflow(seconds, std::int64_t{1'000'000'000}, &ns) ||
      __builtin_add_overflow(ns, fraction, &ns)) {
    return false;
  }
  ns_since_epoch = ns;
  return true;
}

AuditEvent AuditEvent::of(simdjson::dom::element root, std::int64_t ts_ns) {
  const bool has_id = root.type() == simdjson::dom::element_type::OBJECT &&
                      root.get_object().at_key("auditID").error() == simdjson::SUCCESS;
  return AuditEvent{root, ts_ns, has_id};
}

core::Status collectEvents(element value, std::vector<AuditEvent>& out,
                           std::vector<DroppedEvent>& dropped, bool check_size) {
  const std::size_t out_size = out.size();
  const std::size_t dropped_size = dropped.size();
  auto status = collect(value, out, dropped, check_size, 0);
  if (!status) {
    out.resize(out_size);
    dropped.resize(dropped_size);
  }
  return status;
}

core::Status collectEvents(element value, std::vector<AuditEvent>& out, std::size_t& skipped) {
  std::vector<DroppedEvent> dropped;
  auto status = collectEvents(value, out, dropped, false);
  skipped += dropped.size();
  return status;
}

core::Status parseAuditBody(std::string_view body, simdjson::dom::parser& parser,
                            std::vector<AuditEvent>& out, std::size_t& skipped) {
  if (body.size() > kMaxBodyBytes) {
    return core::fail(core::ErrorCode::Limit, "body of {} bytes is over the {}-byte limit",
                      body.size(), kMaxBodyBytes);
  }
  element root;
  // The body is not padded: simdjson copies it into its own padded buffer.
  if (const auto error = parser.parse(body.data(), body.size(), true).get(root);
      error != simdjson::SUCCESS) {
    return core::fail(core::ErrorCode::Input, "not valid JSON: {}", simdjson::error_message(error));
  }
  std::vector<DroppedEvent> dropped;
  auto status = collectEvents(root, out, dropped, body.size() > kMaxEventBytes);
  skipped += dropped.size();
  return status;
}

}  // namespace bulwark::events::k8s_audit
