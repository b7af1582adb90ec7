// The NDJSON body of POST /api/v1/alerts (docs/dev/runtime-design.md §5.3), parsed and validated
// apart from the handlers (src/server/alerts_api.cpp) so that a fuzz target can drive it
// (tests/fuzz/alert_ndjson_fuzz.cpp). Each line is the JSON alert `bulwark detect --format json`
// prints (hostname, output, priority, rule, source, tags, time, output_fields, optional
// bulwark{id,remediation,references}) plus `alert_id`, a UUID the sender chooses so that a batch
// sent twice is stored once. A bad line is rejected on its own; the others are kept. Untrusted
// bytes: nothing here throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace bulwark::server {

inline constexpr std::size_t kMaxAlertBodyBytes = std::size_t{4} << 20;
inline constexpr std::size_t kMaxAlertLines = 5000;
inline constexpr std::size_t kMaxAlertOutputBytes = std::size_t{64} << 10;
inline constexpr std::size_t kMaxAlertFields = 256;

struct RejectedAlertLine {
  std::int64_t line = 0;  // 1-based line number in the body
  std::string error;
};

struct AlertBatch {
  std::vector<store::AlertRecord> alerts;  // in body order
  std::vector<RejectedAlertLine> rejected;
};

// One NDJSON line → an alert received at `now` from `agent` (the token's name). Input error
// naming the bad field.
core::Result<store::AlertRecord> parseAlertLine(std::string_view line, store::Millis now,
                                                std::string_view agent);
// A whole body. Blank lines are skipped (they still count for line numbers). Input error when
// the body itself is unusable: larger than kMaxAlertBodyBytes, more than kMaxAlertLines lines,
// or no alert line at all.
core::Result<AlertBatch> parseAlertBatch(std::string_view body, store::Millis now,
                                         std::string_view agent);

// "2026-11-24T06:48:12.123456789Z", "…+02:00" (RFC 3339; fractions kept to the millisecond)
// → Unix milliseconds; nullopt when malformed.
std::optional<store::Millis> parseRfc3339Millis(std::string_view text);
// Unix milliseconds → "2026-11-24T06:48:12.123Z".
std::string rfc3339Millis(store::Millis at);
// Falco's priority names, any case, plus "info" → the level AlertRecord::priority keeps.
std::optional<int> parseAlertPriority(std::string_view text);
// The level → Falco's name ("Warning"); "Debug" for levels out of range.
std::string_view alertPriorityName(int level);
// 8-4-4-4-12 hex digits, any case.
bool validUuid(std::string_view text);

}  // namespace bulwark::server
