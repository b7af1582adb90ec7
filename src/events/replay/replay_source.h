// `events:FILE` (docs/dev/runtime-design.md §2.7): host events recorded as `bulwark.events/v1`
// JSON lines, one enriched HostEvent per line. Recordings of live sensors, the built-in rules'
// fixtures, `detect --simulate` and the benchmark streams all use it, so a rule can be tested
// without the machine it was written for.
//
// A line:
//   {"v":1,"type":"execve","ts":1700000000123456789,"res":0,"hostname":"node-1",
//    "args":{"filename":"/bin/sh"},
//    "proc":{"pid":42,"ppid":7,"name":"sh","exe":"/bin/sh","exepath":"/usr/bin/dash",
//            "args":["-c","id"],"cwd":"/","uid":0,"user":"root","tty":34816,…},
//    "ancestors":[{"pid":7,"name":"bash",…},…],          parent first
//    "fd":{"type":"ipv4","num":3,"l4proto":"tcp","cip":"10.0.0.2","cport":40000,
//          "sip":"1.2.3.4","sport":4444,"is_server":false,"connected":true},
//    "container":{"id":"<64 hex>","name":"web","image":"nginx:1.25","privileged":true,
//                 "mounts":[{"source":"/etc","destination":"/host-etc","mode":"rw"}],
//                 "k8s":{"namespace":"default","pod_name":"web-0","labels":{"app":"web"}}}}
// `ts` is ns since the epoch or an RFC 3339 time; capabilities are a number (the kernel's
// bit set) or a list of names; `env` an object or a list of "NAME=value". Unknown members are
// ignored (newer recordings stay readable); blank lines and lines starting with '#' (comments in
// hand-written fixtures) are skipped; any other line that is not such an object is a diagnostic.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/diagnostic.h"
#include "core/result.h"
#include "events/event.h"
#include "events/host/host_event.h"

namespace bulwark::events::replay {

inline constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;

struct ReplayStats {
  std::uint64_t lines = 0;
  std::uint64_t events = 0;
  std::uint64_t bad_lines = 0;
};

// Decodes one line into `out` (cleared first); the error says what is wrong with it.
core::Result<void> decodeLine(std::string_view line, host::HostEvent& out, std::int64_t& ts_ns);

// One line for `event` (no newline), members in a fixed order: recordings are deterministic.
std::string encodeLine(const host::HostEvent& event, std::int64_t ts_ns);

class ReplaySource {
 public:
  explicit ReplaySource(std::string path) : path_(std::move(path)) {}
  // Delivers every event of the file in order; an unreadable file is the error, bad lines
  // are diagnostics ("FILE:LINE"). Stops early when *stop turns true.
  core::Result<void> run(const std::function<void(const Event&)>& on_event,
                         core::Diagnostics& diagnostics, const std::atomic<bool>* stop = nullptr);
  [[nodiscard]] const ReplayStats& stats() const { return stats_; }

 private:
  std::string path_;
  ReplayStats stats_;
};

}  // namespace bulwark::events::replay
