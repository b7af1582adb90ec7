// `auditd:FILE` without follow (docs/dev/runtime-design.md §2.5): an auditd log read line by
// line, each line parsed (record.h) and fed to a Coalescer (coalesce.h), coalesced events
// delivered through a callback. Bad input never stops a run: a line that is not a record, or
// one over kMaxLineBytes, is a diagnostic ("auditd.malformed", "auditd.oversize"; where =
// "NAME:LINE", lines counted from 1) and a counter; lost serials and evicted events are
// summed up in one diagnostic each at the end ("auditd.lost", "auditd.incomplete").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "core/result.h"
#include "events/auditd/coalesce.h"

namespace bulwark::events::auditd {

// auditd writes records of at most 8 KiB (MAX_AUDIT_MESSAGE_LENGTH); a longer line is not one.
inline constexpr std::size_t kMaxLineBytes = std::size_t{64} << 10;

struct LogReaderStats {
  std::uint64_t lines = 0;           // blank ones included
  std::uint64_t records = 0;         // parsed and coalesced
  std::uint64_t bad_records = 0;     // lines that are not records
  std::uint64_t oversize_lines = 0;  // lines over kMaxLineBytes (skipped)
  CoalescerStats coalescer;          // events, lost, incomplete...
};

// Frames lines from blocks of any size (a line may span blocks); complete lines are parsed
// from the caller's block without a copy.
class LogReader {
 public:
  LogReader(std::string name, AuditEventCallback on_event, CoalescerOptions options = {});

  void feed(std::string_view data, core::Diagnostics& diagnostics);
  // The end of the input: a last line without '\n', then every pending event.
  void finish(core::Diagnostics& diagnostics);

  [[nodiscard]] LogReaderStats stats() const;

 private:
  void line(std::string_view text, core::Diagnostics& diagnostics);
  void oversize(core::Diagnostics& diagnostics);

  std::string name_;
  Coalescer coalescer_;
  std::size_t max_in_flight_;
  LogReaderStats stats_;
  std::string partial_;    // the start of a line that continues in the next block
  bool skipping_ = false;  // inside a line over kMaxLineBytes, up to its '\n'
};

// Reads a whole file. NotFound or Io when it cannot be opened or read.
core::Result<LogReaderStats> readLogFile(const std::string& path,
                                         const AuditEventCallback& on_event,
                                         core::Diagnostics& diagnostics,
                                         CoalescerOptions options = {});

}  // namespace bulwark::events::auditd
