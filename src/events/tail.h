// Reading a log file of lines to its end, or following it as `tail -F` does (docs/dev/
// runtime-design.md §2.1, §2.5): the one implementation behind `k8s-audit:FILE` and
// `auditd:FILE`. A source gives the bytes to a LineSink, its line decoder; the tail owns the
// file: reading in blocks, lines spread over reads, rotation (rename or delete, then a new file
// at the path: the old one drained, the new one read from its start), copytruncate (the file
// shrank: read again from its start) and waiting for more (inotify on the file and its
// directory, a poll timeout as the fallback, a stop flag looked at every 100 ms).
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/diagnostic.h"
#include "core/result.h"

namespace bulwark::events {

struct FollowOptions {
  bool follow = false;    // keep reading after the end of the file until *stop
  bool from_end = false;  // start at the end of the file as it is at open (only with follow)
  // How long a wait lasts when inotify reports nothing (no inotify, or a change it does not
  // see, e.g. on some network file systems): the path and the file are checked again then.
  std::chrono::milliseconds poll{1000};
  // With follow: called once the file is open and positioned (at its end with from_end), before
  // the first read; what is written after this is read.
  std::function<void()> on_ready;
};

struct TailStats {
  std::uint64_t rotations = 0;    // follow: new files opened at the path (rename, re-create)
  std::uint64_t truncations = 0;  // follow: the file shrank under us (copytruncate)
};

// Bytes read per read(2); a longer line makes a LineBuffer grow.
inline constexpr std::size_t kTailBlockBytes = std::size_t{1} << 20;

// A regular file read once, ahead of its reader on a thread of its own: copying it out of the
// page cache (a tenth of a k8s audit run) overlaps decoding what came before. Blocks of
// kTailBlockBytes, at most kDepth of them waiting. One reader thread; the descriptor is read
// by the ahead thread alone until the ReadAhead is destroyed (pread(2) is fine).
class ReadAhead {
 public:
  explicit ReadAhead(int fd);
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // As read(2): up to `size` bytes of the file in order, fewer only at its end; 0 at the end,
  // -1 with errno when the read failed (after the bytes read before the failure).
  ssize_t read(char* out, std::size_t size);

 private:
  static constexpr std::size_t kDepth = 2;
  struct Block {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;  // 0: the end of the file (or an error)
    int error = 0;
  };
  void run();

  const int fd_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Block> ready_;
  std::vector<std::unique_ptr<char[]>> spare_;
  bool stopping_ = false;
  // The reader's side.
  Block current_;
  std::size_t used_ = 0;
  int error_ = 0;
  bool ended_ = false;
  std::thread thread_;  // last: runs once the rest is built
};

// Bytes read from a file and not decoded yet (an incomplete last line) with room to read more,
// followed by `padding` readable bytes (simdjson parses a line in place and reads past it).
class LineBuffer {
 public:
  // The buffer grows up to max_line_bytes + one block: a decoder that skips lines over
  // max_line_bytes always makes progress.
  LineBuffer(std::size_t max_line_bytes, std::size_t padding);

  // read(2) into the free room until it is full or the file ends: the count read, or -1 with
  // errno.
  ssize_t fill(int fd);
  ssize_t fill(ReadAhead& ahead);
  [[nodiscard]] std::string_view view() const { return {data_.get(), filled_}; }
  [[nodiscard]] bool full() const { return filled_ == capacity_; }
  [[nodiscard]] bool canGrow() const { return capacity_ < max_capacity_; }
  void consume(std::size_t count);
  void clear() { filled_ = 0; }
  // One line fills the buffer: double it, up to the maximum.
  void grow() { resize(std::min(capacity_ * 2, max_capacity_)); }
  // Back to one block once a long line is gone: a follow run lasts for days.
  void shrink();

 private:
  void resize(std::size_t capacity);

  std::size_t padding_;
  std::size_t max_capacity_;
  std::size_t capacity_ = kTailBlockBytes;
  std::size_t filled_ = 0;
  std::unique_ptr<char[]> data_;
};

// Where a tail's bytes go: a source's line decoder.
class LineSink {
 public:
  LineSink() = default;
  LineSink(const LineSink&) = delete;
  LineSink& operator=(const LineSink&) = delete;
  virtual ~LineSink() = default;

  // Decodes the complete ('\n'-ended) lines at the start of `data`, and with `at_end` (the end
  // of a file read once, or of a file left for good: rotated away or truncated) the last one
  // without '\n' too. Returns the bytes decoded or skipped; the rest is an incomplete line,
  // passed again with what follows it. A line over the tail's max_line_bytes must be consumed
  // (skipped) even while incomplete. `data` is followed by the tail's padding.
  virtual std::size_t feed(std::string_view data, bool at_end, core::Diagnostics& diagnostics) = 0;
  // A new file begins (after a rotation or a truncation): its lines are counted from 1 again.
  virtual void startFile() = 0;
  // Reading begins in the middle of a line (from_end while the last line is being written):
  // skip up to the first '\n'.
  virtual void skipToNextLine() = 0;
  // While following: nothing was read for `quiet` (called at least every 100 ms while waiting),
  // for decoders that hold data back until more arrives.
  virtual void idle(std::chrono::steady_clock::duration quiet, core::Diagnostics& diagnostics) {
    (void)quiet;
    (void)diagnostics;
  }
};

struct TailNames {
  std::string_view file;  // in errors: "<file> PATH: cannot read: …" ("k8s audit file")
  std::string_view kind;  // diagnostic kinds "<kind>.truncated", "<kind>.unreadable"
};

// NotFound for ENOENT, Io otherwise: "<file> PATH: <what>: <strerror>".
core::Error tailError(std::string_view file, std::string_view path, std::string_view what,
                      int error);

class FileTail {
 public:
  FileTail(std::string path, FollowOptions options, TailNames names, std::size_t max_line_bytes,
           std::size_t padding = 0);

  // Opens the file (NotFound or Io when it cannot be opened at the start; a directory is Io) and
  // gives its bytes to `sink` in order. Without follow: to its end, the last line without '\n'
  // included (at_end), or until *stop (checked between blocks). With follow: reads to the end,
  // then waits for more and returns Ok once *stop is true (checked at least every 100 ms while
  // waiting and between blocks while reading); a last line without '\n' waits for it. Rotation,
  // when the path names another file than the one open: the open file is read to its end (its
  // last line given with at_end), then the new one from its start; the path missing for a while
  // is normal; a new file that cannot be opened (its owner or mode) is reported once
  // ("<kind>.unreadable") and waited for. The open file shrinking (copytruncate) → diagnostic
  // "<kind>.truncated" and reading again from its start (its last line given with at_end
  // first, as at a rotation). A read error ends the run with Io.
  core::Status run(LineSink& sink, core::Diagnostics& diagnostics,
                   const std::atomic<bool>* stop = nullptr);

  // The counters of the last run; read them after run returned.
  [[nodiscard]] TailStats stats() const { return stats_; }

 private:
  std::string path_;
  FollowOptions options_;
  TailNames names_;
  std::size_t max_line_bytes_;
  std::size_t padding_;
  TailStats stats_;
};

}  // namespace bulwark::events
