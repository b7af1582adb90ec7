// `auditd-live` (docs/dev/runtime-design.md §2.5): the kernel's audit records as they happen,
// from the audit netlink multicast group (AUDIT_NLGRP_READLOG; CAP_AUDIT_READ, root). It reads
// beside auditd without disturbing it (auditd keeps its unicast channel and its log), parses
// each message as auditd would log it and coalesces records into events as `auditd:FILE` does;
// events whose last record never comes (a SYSCALL without EOE) complete after the coalescer's
// timeout of wall-clock time. The records the kernel emits depend on the audit rules loaded
// (auditctl); bulwark does not load any.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "core/diagnostic.h"
#include "core/result.h"
#include "events/auditd/coalesce.h"

namespace bulwark::events::auditd {

struct NetlinkSourceStats {
  std::uint64_t messages = 0;  // netlink messages received
  std::uint64_t records = 0;   // parsed into records
  std::uint64_t bad = 0;       // messages that are not records
  std::uint64_t overruns = 0;  // times the socket buffer overflowed (ENOBUFS: records lost)
};

// The audit messages of one datagram (nlmsghdr framing); `on_message` gets each message's type
// and its payload without trailing NULs. Truncated or malformed headers end the walk.
void forEachMessage(
    std::span<const char> datagram,
    const std::function<void(std::uint32_t type, std::string_view payload)>& on_message);

class NetlinkSource {
 public:
  explicit NetlinkSource(std::function<void()> on_ready = {}) : on_ready_(std::move(on_ready)) {}

  // Listens until *stop, coalesced events to `on_event`. Errors: the socket cannot be opened or
  // joined (not root, no CAP_AUDIT_READ, a kernel without audit).
  core::Status run(const AuditEventCallback& on_event, core::Diagnostics& diagnostics,
                   const std::atomic<bool>* stop);

  [[nodiscard]] NetlinkSourceStats stats() const { return stats_; }

 private:
  std::function<void()> on_ready_;
  NetlinkSourceStats stats_;
};

}  // namespace bulwark::events::auditd
