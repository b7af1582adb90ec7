// `k8s-audit:FILE` (docs/dev/runtime-design.md §2.1): Kubernetes audit events from a file of
// JSON lines (the API server's log backend, Falco's trace files), each line an Event, an
// EventList or an array of them; a pretty-printed file is read as whole documents instead.
// Bad input never stops a run: every bad line or event is a diagnostic and a counter.
// With FollowOptions::follow the file is tailed (events/tail.h) as `tail -F` and Falco's
// k8saudit plugin do: new lines are read as they are appended, a rotation (rename or delete,
// then a new file at the path) drains the old file and goes on with the new one from its
// start, and a copytruncate rotation (the file shrank) reads it again from its start; the
// pretty-printed fallback is never used then (a growing file is only ever JSON lines).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/diagnostic.h"
#include "core/result.h"
#include "events/event.h"
#include "events/k8s_audit/audit_event.h"
#include "events/tail.h"

namespace bulwark::events::k8s_audit {

struct FileSourceStats {
  std::uint64_t lines = 0;           // lines read, blank ones included
  std::uint64_t events = 0;          // events delivered
  std::uint64_t skipped_events = 0;  // events dropped: no valid stageTimestamp, or too large
  std::uint64_t bad_lines = 0;       // lines (documents) that gave no events: not JSON, not an
                                     // audit shape, or over the size cap
  std::uint64_t rotations = 0;       // follow: new files opened at the path (rename, re-create)
  std::uint64_t truncations = 0;     // follow: the file shrank under us (copytruncate)
};

using EventCallback = std::function<void(const Event&)>;

// A file over this size is never read as one document (the pretty-printed fallback).
inline constexpr std::size_t kMaxDocumentFileBytes = std::size_t{64} << 20;

// Frames JSON lines with memchr and decodes each with one reused simdjson parser, straight
// from the caller's buffer (no copy per line). FileSource feeds it blocks of a file; the
// fuzzer feeds it whole buffers. Diagnostics name "NAME:LINE".
class LineDecoder {
 public:
  explicit LineDecoder(std::string name);

  struct FeedResult {
    std::size_t consumed = 0;  // bytes decoded or skipped; the rest is an incomplete line
    // The first non-blank line is not valid JSON and the fallback check is on: feed stopped
    // before that line (consumed = its offset) and reported nothing about it.
    bool first_line_not_json = false;
  };

  // Decodes every complete line of `data`, and with `at_end` the last one without '\n' too.
  // `data` must be followed by SIMDJSON_PADDING readable bytes (simdjson reads past the end).
  // The unconsumed tail is to be passed again, with what follows it, in the next call; a tail
  // over kMaxBodyBytes is consumed at once, reported, and skipped up to its '\n'.
  FeedResult feed(std::string_view data, bool at_end, const EventCallback& on_event,
                  core::Diagnostics& diagnostics);

  // While on (the default), feed stops at a first non-blank line that is not valid JSON so
  // that the caller can try decodeDocuments; it turns itself off after the first good line.
  void setFallbackCheck(bool on) { check_first_line_ = on; }

  // A whole file as a sequence of JSON documents, pretty-printed ones included. False, with
  // nothing delivered or reported, unless the first document is valid JSON spread over more
  // than one line: a file of JSON lines whose first line is broken is better read as lines.
  bool decodeDocuments(const simdjson::padded_string& text, const EventCallback& on_event,
                       core::Diagnostics& diagnostics);

  // A new file begins (after a rotation): its lines are counted from 1 again, and a skip of an
  // oversize line of the previous file ends. Event numbers go on.
  void startFile();

  // The data begins in the middle of a line (following from the end of a file whose last line
  // is still being written): skip up to the first '\n'.
  void skipToNextLine() { skipping_ = true; }

  [[nodiscard]] const FileSourceStats& stats() const { return stats_; }

 private:
  // The events of one parsed line or document (`size` = its bytes); reports the rest.
  void deliver(simdjson::dom::element root, std::size_t size, bool is_line, std::uint64_t line,
               const EventCallback& on_event, core::Diagnostics& diagnostics);
  [[nodiscard]] std::string where(std::uint64_t line) const;

  std::string name_;
  simdjson::dom::parser parser_;
  std::vector<AuditEvent> events_;     // reused for every line
  std::vector<DroppedEvent> dropped_;  // reused for every line
  FileSourceStats stats_;
  std::uint64_t line_ = 0;      // lines framed so far
  std::uint64_t next_num_ = 1;  // Event::num of the next event
  bool skipping_ = false;       // inside a line over kMaxBodyBytes, up to its '\n'
  bool check_first_line_ = true;
};

// Follow or not, from the start or the end (events/tail.h, shared with `auditd:FILE`).
using FollowOptions = events::FollowOptions;

class FileSource {
 public:
  explicit FileSource(std::string path, FollowOptions follow = {});

  // Calls on_event for every event in file order: Event{K8sAudit, stageTimestamp, num from 1,
  // payload = const AuditEvent*}; the payload is valid only during the call. Bad lines and
  // events are diagnostics ("k8s-audit.malformed", "k8s-audit.oversize",
  // "k8s-audit.no-timestamp"; where = "FILE:LINE", lines counted from 1 in each file, or from
  // where reading began with from_end). A file that cannot be opened at the start is an error
  // (NotFound or Io), and so is a read error.
  //
  // Without follow: reads the file to its end; a last line without '\n' is decoded too.
  // With follow: reads to the end, then waits (inotify on the file and its directory, and
  // FollowOptions::poll as a fallback) for more, and returns Ok once *stop is true: it is
  // checked at least every 100 ms while waiting and between blocks while reading. A last line
  // without '\n' waits for it. Rotation, when the path names another file than the one open
  // (logrotate's create mode, or delete and re-create): the open file is read to its end (its
  // last line decoded even without '\n'), then the new one from its start; the path missing
  // for a while is normal; a new file that cannot be opened (its owner or mode) is reported
  // once ("k8s-audit.unreadable") and waited for. The open file shrinking (copytruncate) →
  // diagnostic "k8s-audit.truncated" and reading again from its start (a last line without
  // '\n' decoded first, as at a rotation). Event numbers go on across files.
  // `stop` may also end a run without follow early (between blocks).
  core::Status run(const EventCallback& on_event, core::Diagnostics& diagnostics,
                   const std::atomic<bool>* stop = nullptr);

  // The counters of the last run; read them after run returned.
  [[nodiscard]] FileSourceStats stats() const { return stats_; }

 private:
  std::string path_;
  FollowOptions follow_;
  FileSourceStats stats_;
};

}  // namespace bulwark::events::k8s_audit
