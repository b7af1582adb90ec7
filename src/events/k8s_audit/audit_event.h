// A Kubernetes audit event (audit.k8s.io/v1 Event) as the k8s_audit field table reads it
// (docs/dev/runtime-design.md §1.1, §2.1, §2.2). Events are decoded once with simdjson's DOM
// parser (extractors need random access) and borrowed by the engine until the next one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/result.h"

namespace bulwark::events::k8s_audit {

// Falco's limits (k8saudit plugin: maxEventSize, webhookMaxBatchSize).
inline constexpr std::size_t kMaxEventBytes = 262'144;
inline constexpr std::size_t kMaxBodyBytes = 12'582'912;
// The message Falco gives for JSON that is no Event, EventList or array of them.
inline constexpr std::string_view kNotAuditEvent = "data not recognized as a k8s audit event";

struct AuditEvent {
  simdjson::dom::element root;  // the Event object; valid while its parser's document lives
  std::int64_t ts_ns = 0;       // stageTimestamp, ns since the epoch
  // The object has an auditID: without one no ka.* field has a value (the plugin's rule),
  // checked once here rather than by every field.
  bool has_audit_id = false;

  static AuditEvent of(simdjson::dom::element root, std::int64_t ts_ns);
};

// RFC 3339 with optional fraction (up to ns) and `Z` or ±hh:mm, as the API server writes
// stageTimestamp; false when `text` is not one.
bool parseTimestamp(std::string_view text, std::int64_t& ns_since_epoch);

// The events of one decoded JSON value: an Event, an EventList (its items) or an array of
// those (recursively). An event without a valid stageTimestamp is skipped and counted in
// `skipped` (the plugin drops it too); anything that is none of the three shapes is an error
// whose message is kNotAuditEvent.
core::Status collectEvents(simdjson::dom::element value, std::vector<AuditEvent>& out,
                           std::size_t& skipped);

// Arrays nested deeper than this are refused (core::ErrorCode::Limit) before the recursion
// could grow the stack; Falco's shapes need one or two levels.
inline constexpr std::size_t kMaxNesting = 64;

// Why collectEvents left an event out.
enum class DropReason : std::uint8_t {
  NoTimestamp,  // stageTimestamp absent, not a string or not RFC 3339
  Oversize,     // its compact JSON text is over kMaxEventBytes (only when asked to check)
};
struct DroppedEvent {
  DropReason reason = DropReason::NoTimestamp;
  simdjson::dom::element value;
};

// collectEvents with each dropped event reported. With `check_size`, an event whose compact
// JSON text (what the plugin measures: it re-serialises each event) is over kMaxEventBytes is
// dropped as Oversize; callers ask for it only when the enclosing text is itself over the cap,
// since no event inside a smaller text can exceed it. On error, `out` and `dropped` are left
// as they were: the plugin drops the whole value, events before the bad one included.
core::Status collectEvents(simdjson::dom::element value, std::vector<AuditEvent>& out,
                           std::vector<DroppedEvent>& dropped, bool check_size);

// A webhook body (docs/dev/runtime-design.md §2.2): over kMaxBodyBytes → Limit; not JSON →
// Input; no Event/EventList/array → Input with kNotAuditEvent. Events are appended to `out`
// and borrow `parser`'s document (valid until its next parse); events without a valid
// stageTimestamp or over kMaxEventBytes are counted in `skipped`.
core::Status parseAuditBody(std::string_view body, simdjson::dom::parser& parser,
                            std::vector<AuditEvent>& out, std::size_t& skipped);

}  // namespace bulwark::events::k8s_audit
