// One event from any source, as the rule engine sees it (docs/dev/runtime-design.md §1.1). The
// payload stays in the form its source decoded it into; a field table's extractors know how to
// read it. Events are borrowed: the source keeps the payload alive until the next event.
#pragma once

#include <cstdint>
#include <string_view>

namespace bulwark::events {

// A rule's `source:`. Each has one field table.
enum class Source : std::uint8_t { Syscall, K8sAudit };

std::string_view toString(Source source);  // "syscall", "k8s_audit"
// "syscall", "k8s_audit"; false for any other name.
bool parseSource(std::string_view name, Source& out);

struct Event {
  Source source = Source::K8sAudit;
  std::int64_t ts_ns = 0;         // wall clock, ns since the epoch (k8s audit: stageTimestamp)
  std::uint64_t num = 0;          // per-source sequence number, from 1
  const void* payload = nullptr;  // K8sAudit: const k8s_audit::AuditEvent*
};

}  // namespace bulwark::events
