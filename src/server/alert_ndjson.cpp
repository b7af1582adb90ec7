#include "server/alert_ndjson.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/text.h"
#include "server/api_bodies.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;
using core::ErrorCode;

constexpr std::size_t kMaxRuleBytes = 1024;
constexpr std::size_t kMaxNameBytes = 256;  // hostname, source, rule id, container, namespace…
constexpr std::size_t kMaxTags = 64;
constexpr std::size_t kMaxTagBytes = 128;
constexpr std::size_t kMaxFieldsJsonBytes = std::size_t{256} << 10;
// Years 1970..9999: what RFC 3339 can write and a signed 64-bit millisecond count holds.
constexpr store::Millis kMaxMillis = std::int64_t{253402300799999};

constexpr std::array<std::string_view, 8> kPriorityNames = {
    "Debug", "Informational", "Notice", "Warning", "Error", "Critical", "Alert", "Emergency"};

std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool digitsAt(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// A string member; `required` ones may not be absent or empty. PostgreSQL text cannot hold NUL,
// so a decoded "\u0000" is refused here rather than failing the whole batch in the store.
core::Result<std::string> stringMember(const Json& object, const char* key, std::size_t max,
                                       bool required) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return core::fail(ErrorCode::Input, "'{}' is missing", key);
    return std::string();
  }
  if (!it->is_string()) return core::fail(ErrorCode::Input, "'{}' must be a string", key);
  const auto& text = it->get_ref<const std::string&>();
  if (required && text.empty()) return core::fail(ErrorCode::Input, "'{}' is empty", key);
  if (text.size() > max) {
    return core::fail(ErrorCode::Input, "'{}' is longer than {} bytes", key, max);
  }
  if (text.find('\0') != std::string::npos) {
    return core::fail(ErrorCode::Input, "'{}' contains a NUL character", key);
  }
  return text;
}

// A scalar of output_fields as the text the filters compare ("" for null and non-strings).
std::string fieldText(const Json& fields, const char* key) {
  auto it = fields.find(key);
  if (it == fields.end() || !it->is_string()) return {};
  const auto& text = it->get_ref<const std::string&>();
  if (text.size() > kMaxNameBytes || text.find('\0') != std::string::npos) return {};
  return text;
}

bool containsNul(const Json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>().find('\0') != std::string::npos;
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      if (key.find('\0') != std::string::npos || containsNul(member)) return true;
    }
  }
  if (value.is_array()) {
    return std::any_of(value.begin(), value.end(), [](const Json& v) { return containsNul(v); });
  }
  return false;
}

}  // namespace

bool validUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !isHex(text[i])) return false;
  }
  return true;
}

std::optional<int> parseAlertPriority(std::string_view text) {
  const std::string wanted = core::asciiLower(text);
  if (wanted == "info") return 1;
  for (std::size_t i = 0; i < kPriorityNames.size(); ++i) {
    if (core::asciiLower(kPriorityNames[i]) == wanted) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::string_view alertPriorityName(int level) {
  if (level < 0 || level >= static_cast<int>(kPriorityNames.size())) return kPriorityNames[0];
  return kPriorityNames[static_cast<std::size_t>(level)];
}

std::optional<store::Millis> parseRfc3339Millis(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || !digitsAt(text, 0, 4, year) || text[4] != '-' ||
      !digitsAt(text, 5, 2, month) || text[7] != '-' || !digitsAt(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't') || !digitsAt(text, 11, 2, hour) || text[13] != ':' ||
      !digitsAt(text, 14, 2, minute) || text[16] != ':' || !digitsAt(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t at = 19;
  std::int64_t millis = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    const std::size_t start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      if (at - start < 3) millis = millis * 10 + (text[at] - '0');
      ++at;
    }
    if (at == start || at - start > 9) return std::nullopt;
    for (std::size_t digits = at - start; digits < 3; ++digits) millis *= 10;
  }
  if (at >= text.size()) return std::nullopt;
  std::int64_t offset_s = 0;
  if (text[at] == 'Z' || text[at] == 'z') {
    ++at;
  } else if (text[at] == '+' || text[at] == '-') {
    int oh = 0, om = 0;
    if (!digitsAt(text, at + 1, 2, oh) || at + 3 >= text.size() || text[at + 3] != ':' ||
        !digitsAt(text, at + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_s = (std::int64_t{oh} * 3600 + std::int64_t{om} * 60) * (text[at] == '-' ? -1 : 1);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || year < 1970 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const std::int64_t seconds =
      days * 86400 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + std::min(second, 59);
  const std::int64_t result = (seconds - offset_s) * 1000 + millis;
  if (result < 0 || result > kMaxMillis) return std::nullopt;
  return result;
}

std::string rfc3339Millis(store::Millis at) {
  at = std::clamp<store::Millis>(at, 0, kMaxMillis);
  const std::chrono::sys_days days{std::chrono::days(at / 86'400'000)};
  const std::chrono::year_month_day date{days};
  const std::int64_t in_day = at % 86'400'000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     in_day / 3'600'000, in_day / 60'000 % 60, in_day / 1000 % 60, in_day % 1000);
}

core::Result<store::AlertRecord> parseAlertLine(std::string_view line, store::Millis now,
                                                std::string_view agent) {
  Json value;
  try {
    value = Json::parse(
        line.begin(), line.end(),
        [](int depth, Json::parse_event_t, Json&) {
          if (depth > kMaxJsonDepth) throw std::length_error("nesting too deep");
          return true;
        },
        false);
  } catch (const std::exception&) {
    return core::fail(ErrorCode::Input, "the line nests deeper than {} levels", kMaxJsonDepth);
  }
  if (value.is_discarded()) return core::fail(ErrorCode::Input, "the line is not JSON");
  if (!value.is_object()) return core::fail(ErrorCode::Input, "the line is not a JSON object");

  store::AlertRecord alert;
  alert.received_ms = now;
  alert.agent = std::string(agent.substr(0, kMaxNameBytes));

  auto id = stringMember(value, "alert_id", 36, true);
  if (!id) return tl::unexpected(id.error());
  if (!validUuid(*id)) return core::fail(ErrorCode::Input, "'alert_id' must be a UUID");
  alert.alert_id = core::asciiLower(*id);

  auto rule = stringMember(value, "rule", kMaxRuleBytes, true);
  if (!rule) return tl::unexpected(rule.error());
  alert.rule = std::move(*rule);

  auto priority = stringMember(value, "priority", kMaxNameBytes, true);
  if (!priority) return tl::unexpected(priority.error());
  auto level = parseAlertPriority(*priority);
  if (!level) {
    return core::fail(ErrorCode::Input,
                      "'priority' must be one of Emergency, Alert, Critical, Error, Warning, "
                      "Notice, Informational, Debug");
  }
  alert.priority = *level;

  auto time = stringMember(value, "time", kMaxNameBytes, true);
  if (!time) return tl::unexpected(time.error());
  auto at = parseRfc3339Millis(*time);
  if (!at) return core::fail(ErrorCode::Input, "'time' must be an RFC 3339 time");
  alert.time_ms = *at;

  auto source = stringMember(value, "source", kMaxNameBytes, false);
  if (!source) return tl::unexpected(source.error());
  alert.source = source->empty() ? std::string("syscall") : std::move(*source);

  auto host = stringMember(value, "hostname", kMaxNameBytes, false);
  if (!host) return tl::unexpected(host.error());
  alert.host = std::move(*host);

  auto output = stringMember(value, "output", kMaxAlertOutputBytes, false);
  if (!output) return tl::unexpected(output.error());
  alert.output = std::move(*output);

  Json tags = Json::array();
  if (auto it = value.find("tags"); it != value.end() && !it->is_null()) {
    if (!it->is_array()) return core::fail(ErrorCode::Input, "'tags' must be an array");
    if (it->size() > kMaxTags) {
      return core::fail(ErrorCode::Input, "'tags' has more than {} entries", kMaxTags);
    }
    for (const Json& tag : *it) {
      if (!tag.is_string() || tag.get_ref<const std::string&>().size() > kMaxTagBytes ||
          tag.get_ref<const std::string&>().find('\0') != std::string::npos) {
        return core::fail(ErrorCode::Input, "'tags' must hold strings of at most {} bytes",
                          kMaxTagBytes);
      }
      tags.push_back(tag);
    }
  }
  alert.tags_json = dump(tags);

  Json fields = Json::object();
  if (auto it = value.find("output_fields"); it != value.end() && !it->is_null()) {
    if (!it->is_object()) return core::fail(ErrorCode::Input, "'output_fields' must be an object");
    if (it->size() > kMaxAlertFields) {
      return core::fail(ErrorCode::Input, "'output_fields' has more than {} keys", kMaxAlertFields);
    }
    if (containsNul(*it)) {
      return core::fail(ErrorCode::Input, "'output_fields' contains a NUL character");
    }
    fields = *it;
  }
  alert.fields_json = dump(fields);
  if (alert.fields_json.size() > kMaxFieldsJsonBytes) {
    return core::fail(ErrorCode::Input, "'output_fields' is larger than {} bytes",
                      kMaxFieldsJsonBytes);
  }
  alert.container_id = fieldText(fields, "container.id");
  alert.container_image = fieldText(fields, "container.image");
  if (alert.container_image.empty()) {
    alert.container_image = fieldText(fields, "container.image.repository");
  }
  alert.k8s_ns = fieldText(fields, "k8s.ns.name");
  if (alert.k8s_ns.empty()) alert.k8s_ns = fieldText(fields, "ka.target.namespace");
  alert.k8s_pod = fieldText(fields, "k8s.pod.name");
  if (alert.k8s_pod.empty()) alert.k8s_pod = fieldText(fields, "ka.target.name");

  if (auto it = value.find("bulwark"); it != value.end() && !it->is_null()) {
    if (!it->is_object()) return core::fail(ErrorCode::Input, "'bulwark' must be an object");
    auto rule_id = stringMember(*it, "id", kMaxNameBytes, false);
    if (!rule_id) {
      return core::fail(ErrorCode::Input, "'bulwark.id' must be a string of at most {} bytes",
                        kMaxNameBytes);
    }
    alert.rule_id = std::move(*rule_id);
  }
  if (auto it = value.find("simulated"); it != value.end() && !it->is_null()) {
    if (!it->is_boolean()) return core::fail(ErrorCode::Input, "'simulated' must be a boolean");
    alert.simulated = it->get<bool>();
  }
  // `bulwark detect --simulate` marks its alerts in output_fields (Falco's consumers keep them).
  if (const auto it = fields.find("simulated"); it != fields.end() && it->is_boolean()) {
    alert.simulated = alert.simulated || it->get<bool>();
  }
  return alert;
}

core::Result<AlertBatch> parseAlertBatch(std::string_view body, store::Millis now,
                                         std::string_view agent) {
  if (body.size() > kMaxAlertBodyBytes) {
    return core::fail(ErrorCode::Input, "the body is larger than {} bytes", kMaxAlertBodyBytes);
  }
  const auto lines = static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n')) +
                     (body.empty() || body.back() == '\n' ? 0 : 1);
  if (lines > kMaxAlertLines) {
    return core::fail(ErrorCode::Input, "the body has more than {} lines", kMaxAlertLines);
  }
  AlertBatch batch;
  std::int64_t number = 0;
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (core::trim(line).empty()) continue;
    auto alert = parseAlertLine(line, now, agent);
    if (alert) {
      batch.alerts.push_back(std::move(*alert));
    } else {
      batch.rejected.push_back({number, alert.error().message});
    }
  }
  if (batch.alerts.empty() && batch.rejected.empty()) {
    return core::fail(ErrorCode::Input, "the body holds no alert (NDJSON, one alert a line)");
  }
  return batch;
}

}  // namespace bulwark::server
