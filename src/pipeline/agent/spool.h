// The agent's on-disk spool (docs/agent.md): every alert is appended here before it is sent, so
// alerts outlive a server that cannot be reached and an agent that restarts. Alerts are JSON
// lines in numbered segment files (DIR/00000000000000000001.ndjson, …); DIR/cursor names the
// first byte not yet acknowledged by the server. Delivery is at least once: a cursor that is
// lost or stale resends alerts the server already has, which it drops by their alert_id.
//
// Bounded: past `max_bytes` the oldest segments are deleted (their alerts counted as dropped),
// so a server that is down for days costs the node a fixed amount of disk. A line torn by a
// crash while it was written is cut off when the spool is opened again (counted).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::pipeline::agent {

struct SpoolPosition {
  std::uint64_t segment = 0;  // the segment's number
  std::uint64_t offset = 0;   // a byte offset in it, at the start of a line
};

struct SpoolStats {
  std::uint64_t appended = 0;       // lines appended since open
  std::uint64_t acknowledged = 0;   // lines the server acknowledged since open
  std::uint64_t dropped = 0;        // lines deleted unsent: the spool was full
  std::uint64_t torn = 0;           // partial lines cut off at open (a crash while writing)
  std::uint64_t pending_bytes = 0;  // bytes not yet acknowledged (on disk)
  std::size_t segments = 0;
};

class Spool {
 public:
  struct Options {
    std::filesystem::path dir;
    std::uint64_t max_bytes = std::uint64_t{256} << 20;
    std::uint64_t segment_bytes = std::uint64_t{8} << 20;
  };

  // Creates DIR (mode 0700: alerts carry command lines) or resumes the spool in it; appends go
  // to a new segment.
  static core::Result<std::unique_ptr<Spool>> open(const Options& options);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends one line (a '\n' is added; the line must not contain one). Thread-safe.
  core::Status append(std::string_view line);
  // Pushes what was appended to the disk (fdatasync).
  core::Status sync();

  struct Batch {
    std::string body;  // complete lines, each ending in '\n'
    std::size_t lines = 0;
    SpoolPosition end;  // acknowledge this when the server has the batch
  };
  // The oldest unacknowledged lines: at most `max_lines`, and at most `max_bytes` unless the
  // first line alone is longer. Empty when everything was acknowledged.
  core::Result<Batch> peek(std::size_t max_lines, std::size_t max_bytes);
  // Everything before `end` was delivered: moves the cursor (DIR/cursor) and deletes the
  // segments left behind.
  core::Status acknowledge(const SpoolPosition& end);

  // Waits until there are unacknowledged bytes, `timeout` passes or wake() is called; true
  // when there are.
  bool waitForData(std::chrono::milliseconds timeout);
  // Waits until at least `bytes` unacknowledged bytes are waiting, `deadline` passes or wake()
  // is called; returns the bytes waiting.
  std::uint64_t waitForBytes(std::uint64_t bytes, std::chrono::steady_clock::time_point deadline);
  void wake();

  std::uint64_t pendingBytes() const;
  SpoolStats stats() const;

 private:
  struct Segment {
    std::uint64_t number = 0;
    std::uint64_t size = 0;
  };

  explicit Spool(Options options) : options_(std::move(options)) {}
  std::filesystem::path segmentPath(std::uint64_t number) const;
  core::Status startSegment();  // under mutex_
  core::Status trim();          // under mutex_: drop the oldest segments past max_bytes
  core::Status saveCursor();    // under mutex_
  // Under mutex_: while the cursor is at the end of a segment that a later one follows, that
  // segment is done: removed, and the cursor moved to the start of the next. True when moved.
  bool skipFinished();
  std::uint64_t pendingLocked() const;

  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable data_;
  std::deque<Segment> segments_;  // oldest first; the last one is appended to
  int fd_ = -1;                   // the last segment, open for appending
  SpoolPosition cursor_;
  bool woken_ = false;
  SpoolStats stats_;
};

}  // namespace bulwark::pipeline::agent
