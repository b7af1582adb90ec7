// runtime_latency_helper — the timing half of runtime_latency.sh, where a shell would add its
// own fork and exec to every measurement:
//
//   launch MARKER N GAP_MS [TAG]  spawn MARKER N times, GAP_MS apart, with argv[1] = TAG-<i>;
//                                 prints "<i> <CLOCK_REALTIME ns just before the spawn>"
//   stamp                         copy stdin to stdout line by line, each prefixed with the
//                                 CLOCK_REALTIME ns at which read(2) returned it
//   spawn SECONDS PROGRAM         spawn PROGRAM and wait for it, again and again, for SECONDS;
//                                 prints the count and the CPU seconds it and its children used
//   (run as bwlat_marker) TAG     the marker itself: writes "TAG <CLOCK_REALTIME ns>" to stderr
//                                 as its main() begins, stays 100 ms (so that a sensor that
//                                 reads /proc after the exec, proc, still finds it) and exits
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace {

std::int64_t realtimeNs() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

pid_t spawn(const char* program, const char* arg) {
  std::vector<char*> argv = {const_cast<char*>(program), const_cast<char*>(arg), nullptr};
  if (arg == nullptr) argv.erase(argv.begin() + 1);
  pid_t pid = 0;
  if (::posix_spawn(&pid, program, nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

int launch(const char* marker, int count, int gap_ms, const std::string& tag) {
  std::vector<std::string> lines;
  lines.reserve(static_cast<std::size_t>(count));
  for (int i = 1; i <= count; ++i) {
    const std::string arg = tag + "-" + std::to_string(i);
    const std::int64_t at = realtimeNs();
    if (spawn(marker, arg.c_str()) < 0) {
      std::fprintf(stderr, "runtime_latency_helper: cannot spawn %s: %s\n", marker,
                   std::strerror(errno));
      return 1;
    }
    lines.push_back(std::to_string(i) + " " + std::to_string(at));
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
  }
  while (::waitpid(-1, nullptr, 0) > 0) {
  }
  for (const auto& line : lines) std::printf("%s\n", line.c_str());
  return 0;
}

int stamp() {
  std::string pending;
  char block[65536];
  while (true) {
    const ssize_t n = ::read(0, block, sizeof block);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const std::int64_t at = realtimeNs();
    pending.append(block, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1) {
      std::printf("%lld %.*s\n", static_cast<long long>(at), static_cast<int>(end - start),
                  pending.data() + start);
    }
    pending.erase(0, start);
    std::fflush(stdout);
  }
  return 0;
}

int spawnLoop(double seconds, const char* program) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::uint64_t count = 0;
  while (std::chrono::steady_clock::now() < until) {
    const pid_t pid = spawn(program, nullptr);
    if (pid < 0) return 1;
    ::waitpid(pid, nullptr, 0);
    ++count;
  }
  // The workload's own CPU (this loop and its children): the floor detect's cost is put against.
  double cpu = 0;
  for (const int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage usage{};
    ::getrusage(who, &usage);
    cpu += static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  std::printf("%llu %.3f\n", static_cast<unsigned long long>(count), cpu);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view self = argv[0];
  if (self.substr(self.rfind('/') + 1) == "bwlat_marker") {
    // "<argv[1]> <ns>" in one write to stderr (opened O_APPEND by the script): when the program
    // began to run, the floor of the exec → alert time.
    const std::int64_t at = realtimeNs();
    if (argc > 1) {
      const std::string line = std::string(argv[1]) + " " + std::to_string(at) + "\n";
      if (::write(2, line.data(), line.size()) < 0) return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return 0;
  }
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "launch" && argc >= 5) {
    return launch(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), argc > 5 ? argv[5] : "run");
  }
  if (mode == "stamp") return stamp();
  if (mode == "spawn" && argc == 4) return spawnLoop(std::atof(argv[2]), argv[3]);
  std::fprintf(stderr,
               "usage: runtime_latency_helper launch MARKER N GAP_MS [TAG] | stamp | "
               "spawn SECONDS PROGRAM\n");
  return 2;
}
