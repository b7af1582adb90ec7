// `auditd:FILE` (docs/dev/runtime-design.md §2.5): an auditd log read line by line, each line
// parsed (record.h) and fed to a Coalescer (coalesce.h), coalesced events delivered through a
// callback. Bad input never stops a run: a line that is not a record, or one over
// kMaxLineBytes, is a diagnostic ("auditd.malformed", "auditd.oversize"; where = "NAME:LINE",
// lines counted from 1 in each file) and a counter; lost serials and evicted events are summed
// up in one diagnostic each at the end ("auditd.lost", "auditd.incomplete").
// With FollowOptions::follow the log is tailed as `tail -F` does (events/tail.h, the same
// follower as `k8s-audit:FILE`): records appended later are read as they come, auditd's
// rotation (max_log_file_action=ROTATE: audit.log renamed audit.log.1, a new audit.log) drains
// the old file and goes on with the new one, a truncated file is read again from its start,
// and the records of one event stay together across reads and rotations.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "core/result.h"
#include "events/auditd/coalesce.h"
#include "events/tail.h"

namespace bulwark::events::auditd {

// auditd writes records of at most 8 KiB (MAX_AUDIT_MESSAGE_LENGTH); a longer line is not one.
inline constexpr std::size_t kMaxLineBytes = std::size_t{64} << 10;

struct LogReaderStats {
  std::uint64_t lines = 0;           // blank ones included
  std::uint64_t records = 0;         // parsed and coalesced
  std::uint64_t bad_records = 0;     // lines that are not records
  std::uint64_t oversize_lines = 0;  // lines over kMaxLineBytes (skipped)
  CoalescerStats coalescer;          // events, lost, incomplete...
  std::uint64_t rotations = 0;       // follow: new files opened at the path
  std::uint64_t truncations = 0;     // follow: the file shrank under us
};

// Frames lines from blocks of any size (a line may span blocks); complete lines are parsed
// from the caller's block without a copy.
class LogReader {
 public:
  LogReader(std::string name, AuditEventCallback on_event, CoalescerOptions options = {});

  void feed(std::string_view data, core::Diagnostics& diagnostics);
  // The end of the input: a last line without '\n', then every pending event.
  void finish(core::Diagnostics& diagnostics);

  // Reading a file through events/tail.h. The end of one file (read to its end, rotated away
  // or truncated): its last line is decoded even without '\n'; pending events stay pending (a
  // rotation may split an event's records over two files).
  void endFile(core::Diagnostics& diagnostics);
  // A new file begins: its lines are counted from 1 again.
  void startFile() { file_line_ = 0; }
  // Reading begins in the middle of a line: skip up to the first '\n'.
  void skipToNextLine();
  // The start of a line that waits for its '\n' is held (a record being written).
  [[nodiscard]] bool holdsPartialLine() const { return !partial_.empty() || skipping_; }
  // Stopping a follow run: the last line, still being written, is not a record yet.
  void dropPartialLine();
  // The log went quiet: every pending event is delivered now (Coalescer::expirePending).
  void expirePending() { coalescer_.expirePending(); }
  [[nodiscard]] std::size_t inFlight() const { return coalescer_.inFlight(); }

  [[nodiscard]] LogReaderStats stats() const;

 private:
  void line(std::string_view text, core::Diagnostics& diagnostics);
  void oversize(core::Diagnostics& diagnostics);

  std::string name_;
  Coalescer coalescer_;
  std::size_t max_in_flight_;
  LogReaderStats stats_;
  std::string partial_;          // the start of a line that continues in the next block
  bool skipping_ = false;        // inside a line over kMaxLineBytes, up to its '\n'
  std::uint64_t file_line_ = 0;  // lines of the current file, for diagnostics
};

struct LogFileOptions {
  FollowOptions follow;  // events/tail.h
  CoalescerOptions coalescer;
  // Follow: once nothing was read for this long, the pending events are delivered (an event
  // without EOE, or the last one before a pause, would otherwise wait for the next record).
  // While the start of a record waits for its '\n', the wait is at least the coalescer's
  // timeout: that record may belong to a pending event.
  std::chrono::milliseconds idle_flush{500};
};

// Reads a whole file. NotFound or Io when it cannot be opened or read.
core::Result<LogReaderStats> readLogFile(const std::string& path,
                                         const AuditEventCallback& on_event,
                                         core::Diagnostics& diagnostics,
                                         CoalescerOptions options = {});

// Reads a file, or with options.follow follows it until *stop (FileTail::run: NotFound or Io
// when it cannot be opened at the start, Io on a read error; "auditd.truncated",
// "auditd.unreadable" diagnostics). At the end, or at the stop, every pending event is
// delivered; a last line still being written at the stop is not.
core::Result<LogReaderStats> readLogFile(const std::string& path,
                                         const AuditEventCallback& on_event,
                                         core::Diagnostics& diagnostics,
                                         const LogFileOptions& options,
                                         const std::atomic<bool>* stop = nullptr);

}  // namespace bulwark::events::auditd
