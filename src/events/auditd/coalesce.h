// Groups audit records into events (docs/dev/runtime-design.md §2.5). The kernel gives every
// record of one event the same timestamp and serial and ends a multi-record event with EOE;
// records of different events interleave, arrive out of order within a few, and get lost
// (serial gaps) when the kernel's backlog or the reader overflows.
//
//  - an event is complete on its EOE record, and at once for the single-record types
//    (user-space 1005 and 1100–1199, auditd's own 1200–1299, 2100–2999);
//  - otherwise it is delivered when `timeout` of event time has passed since its first record
//    (the newest record timestamp seen, and at least `min_records_after` records arrived since
//    its last one, so that a record reordered behind a later one still finds its event after
//    an idle gap in the log; or the time given to expire()), which is how single-record
//    kernel events (a SYSCALL without EOE, CONFIG_CHANGE) complete; or, counted incomplete,
//    when more than max_in_flight events are pending (the oldest goes); flush() at the end of
//    the input delivers what is left (counted flushed), expirePending() when a followed log
//    goes quiet (counted timed out);
//  - serials are tracked modulo 2^32 (4294967295 → 0 is no gap): a serial above the highest
//    seen opens a gap of the serials skipped; one that arrives later, within `timeout`, closes
//    its place in the gap (out of order, not lost); gaps older than `timeout`, beyond
//    max_gaps, or left at flush() count as lost. A serial more than kResetWindow below or above
//    the highest is a restart of the counter (a reboot, another log), not a loss.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/auditd/record.h"

namespace bulwark::events::auditd {

enum class Completion {
  Eoe,         // its EOE record arrived
  Standalone,  // a single-record type
  Timeout,     // no more records within the timeout
  Evicted,     // pushed out by max_in_flight (counted incomplete)
  Flushed,     // still pending at flush(), the end of the input
};

// One coalesced event: its records in arrival order (EOE included).
struct AuditEvent {
  std::uint32_t serial = 0;
  std::int64_t ts_ns = 0;
  Completion completion = Completion::Timeout;
  std::vector<Record> records;
  std::size_t dropped_records = 0;  // over kMaxRecordsPerEvent

  // The first record of that type.
  [[nodiscard]] const Record* find(std::uint32_t type) const;
  // The record with the process and the syscall: SYSCALL when there is one, else kind().
  [[nodiscard]] const Record* primary() const;
  // The record that names the event, as go-libaudit's record_type: the first record that is
  // neither SYSCALL nor EOE/PROCTITLE/CWD/PATH/EXECVE/SOCKADDR (AVC, NETFILTER_CFG,
  // USER_LOGIN...), else SYSCALL, else the first record.
  [[nodiscard]] const Record* kind() const;
  // The value of `key` in the primary record, else in the first record that has it.
  [[nodiscard]] std::optional<std::string_view> get(std::string_view key) const;
  // EXECVE arguments over all EXECVE records: a<n>, or a<n>[0], a<n>[1]... joined; at most
  // argc of them (argc of the first EXECVE record), missing ones empty.
  [[nodiscard]] std::vector<std::string> args() const;
  // The audit rule keys (tags) of all records, in order, without repeats.
  [[nodiscard]] std::vector<std::string_view> tags() const;
};

using AuditEventCallback = std::function<void(const AuditEvent&)>;

struct CoalescerOptions {
  std::int64_t timeout_ns = 2'000'000'000;
  std::size_t max_in_flight = 512;
  std::size_t max_gaps = 4096;  // open gap ranges tracked
  std::size_t min_records_after = 8;
};

inline constexpr std::size_t kMaxRecordsPerEvent = 4096;
inline constexpr std::uint32_t kResetWindow = 1U << 20;

struct CoalescerStats {
  std::uint64_t records = 0;
  std::uint64_t events = 0;           // delivered
  std::uint64_t lost = 0;             // serials never seen (gaps)
  std::uint64_t incomplete = 0;       // events evicted by max_in_flight
  std::uint64_t flushed = 0;          // events delivered by flush()
  std::uint64_t timed_out = 0;        // events completed by the timeout
  std::uint64_t out_of_order = 0;     // serials first seen after a higher one (gap filled)
  std::uint64_t late_records = 0;     // records of an event already delivered (a new event)
  std::uint64_t lone_eoe = 0;         // EOE records with no event pending (dropped)
  std::uint64_t serial_resets = 0;    // the serial counter started again
  std::uint64_t dropped_records = 0;  // records over kMaxRecordsPerEvent
};

// True for the types that never share their serial (delivered at once).
bool isStandaloneType(std::uint32_t type);

class Coalescer {
 public:
  explicit Coalescer(AuditEventCallback on_event, CoalescerOptions options = {});

  // Adds a record; delivers whatever it completes or times out.
  void push(Record record);
  // Delivers what has timed out by `now_ns` (wall clock for a live source).
  void expire(std::int64_t now_ns);
  // End of input: every pending event delivered, open gaps counted lost.
  void flush();
  // A followed log gone quiet (no record for a while): every pending event is delivered now, as
  // timed out, so that the last event of a quiet log is not held until the next record. Open
  // gaps stay open (a late record may still fill them).
  void expirePending();

  [[nodiscard]] const CoalescerStats& stats() const { return stats_; }
  [[nodiscard]] std::size_t inFlight() const { return pending_.size(); }

 private:
  struct Pending {
    AuditEvent event;
    std::uint64_t last_record = 0;  // stats_.records at its last record
  };
  struct Gap {
    std::uint64_t first = 0;  // unwrapped serials, first..last
    std::uint64_t last = 0;
    std::int64_t seen_ns = 0;  // event time when it opened
  };

  void trackSerial(std::uint32_t serial);
  void expireEvents(std::int64_t now_ns, std::size_t min_records_after);
  void expireGaps(std::int64_t now_ns);
  void deliver(std::size_t index, Completion completion);

  AuditEventCallback on_event_;
  CoalescerOptions options_;
  CoalescerStats stats_;
  std::vector<Pending> pending_;  // in order of their first record
  std::deque<Gap> gaps_;          // in order of opening
  // Recently delivered (serial, ts) pairs, to tell late records apart.
  std::deque<std::pair<std::uint32_t, std::int64_t>> recent_;
  std::uint64_t highest_ = 0;  // unwrapped highest serial
  bool have_serial_ = false;
  std::int64_t newest_ns_ = 0;
};

}  // namespace bulwark::events::auditd
