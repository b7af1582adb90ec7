// The NDJSON body of POST /api/v1/alerts: untrusted bytes from any client with an ingest token.
// None may crash, hang or recurse without bound; what is accepted must be what the store and the
// API can hold (bounded, valid ids, levels in range, JSON the GET routes can read back).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/alert_ndjson.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark::server;  // NOLINT(google-build-using-namespace): the target's subject
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto batch = parseAlertBatch(body, 1700000000000, "fuzz");
  if (batch) {
    for (const auto& alert : batch->alerts) {
      if (!validUuid(alert.alert_id) || alert.rule.empty()) __builtin_trap();
      if (alert.priority < 0 || alert.priority > 7) __builtin_trap();
      if (alert.output.size() > kMaxAlertOutputBytes || alert.time_ms < 0) __builtin_trap();
      if (!nlohmann::json::accept(alert.fields_json) || !nlohmann::json::accept(alert.tags_json)) {
        __builtin_trap();
      }
      if (parseRfc3339Millis(rfc3339Millis(alert.time_ms)) != alert.time_ms) __builtin_trap();
    }
    for (const auto& rejected : batch->rejected) {
      if (rejected.line < 1 || rejected.error.empty()) __builtin_trap();
    }
  }
  (void)parseRfc3339Millis(body.substr(0, 64));
  (void)parseAlertPriority(body.substr(0, 32));
  return 0;
}
