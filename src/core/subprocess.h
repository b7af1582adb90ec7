// Running a program with its output captured and a time limit: what bulwark runs of other
// tools (auditctl -l for the Docker checks, chromium for PDF reports). Never through a shell;
// stdin is /dev/null.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace bulwark::core {

struct CaptureOptions {
  std::chrono::milliseconds timeout{60'000};  // then the program is killed (SIGKILL)
  std::size_t max_output = std::size_t{1} << 20;
  // Output over max_output: keep its last max_output bytes and let the program go on (a log
  // whose end says why it failed), or stop reading and kill it (output the caller cannot use).
  bool keep_tail = false;
  // Runs in a process group of its own, and a kill reaches the whole group (programs that start
  // helpers, as chromium does).
  bool own_group = false;
};

struct CapturedRun {
  bool started = false;
  int spawn_error = 0;  // errno of the pipe or the spawn when !started
  bool timed_out = false;
  bool too_large = false;  // output over max_output without keep_tail: killed
  int exit_code = -1;      // -1 when killed by a signal
  int signal = 0;          // the signal that ended it
  std::string output;      // stdout and stderr, interleaved as written
};

// argv[0] is a path to the program, or a name looked up in PATH.
CapturedRun runCaptured(const std::vector<std::string>& argv, const CaptureOptions& options);

}  // namespace bulwark::core
