// The eBPF sensor on the running kernel (src/events/ebpf/ebpf_source.h, label e2e): an
// EbpfSource on its own thread sees a short-lived `/bin/sh -c 'cat /etc/hostname > /dev/null'`
// (its execve with argv and path, the open of /etc/hostname, its procexit: short-lived on
// purpose, the exec record carries what /proc may no longer have), and a forked child's connect
// to a loopback port the test listens on and its open of a file for writing. Skips, saying why,
// when not root or when the programs do not load here (no BTF, verifier, lockdown). Waits are for
// the events, bounded; nothing is asserted about timing.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/diagnostic.h"
#include "events/ebpf/ebpf_source.h"
#include "events/host/host_event.h"

extern char** environ;

namespace {

namespace ebpf = bulwark::events::ebpf;
namespace host = bulwark::events::host;
constexpr auto kDeadline = std::chrono::seconds(10);

class Recorder {
 public:
  void onEvent(const bulwark::events::Event& event) {
    const auto& host_event = *static_cast<const host::HostEvent*>(event.payload);
    const std::lock_guard lock(mutex_);
    events_.push_back(host_event);
    changed_.notify_all();
  }
  void ready() {
    const std::lock_guard lock(mutex_);
    ready_ = true;
    changed_.notify_all();
  }
  bool waitReady() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return ready_; });
  }
  // Waits until an event satisfies `match` or the deadline passes; returns a copy of it.
  std::string dump() {
    const std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& e : events_) {
      out += e.type + " pid=" + (e.process ? std::to_string(e.process->pid) : "?") +
             " ppid=" + (e.process ? std::to_string(e.process->ppid) : "?") +
             " name=" + (e.process ? e.process->name : "?") + " fd=" + e.fd.name + "\n";
    }
    return out;
  }
  std::optional<host::HostEvent> waitFor(const std::function<bool(const host::HostEvent&)>& match) {
    std::unique_lock lock(mutex_);
    std::optional<host::HostEvent> found;
    changed_.wait_for(lock, kDeadline, [&] {
      for (const auto& event : events_) {
        if (match(event)) {
          found = event;
          return true;
        }
      }
      return false;
    });
    return found;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool ready_ = false;
  std::vector<host::HostEvent> events_;
};

// The source on a thread, stopped and joined at the end of the scope (also on failure).
class Running {
 public:
  Running(ebpf::EbpfSource& source, Recorder& recorder)
      : thread_([this, &source, &recorder] {
          status_ = source.run([&](const bulwark::events::Event& e) { recorder.onEvent(e); },
                               diagnostics_, &stop_);
          recorder.ready();  // a failed start must not leave the test waiting
        }) {}
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
  ~Running() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] const bulwark::core::Status& status() const { return status_; }

 private:
  std::atomic<bool> stop_{false};
  bulwark::core::Diagnostics diagnostics_;
  bulwark::core::Status status_;
  std::thread thread_;
};

bool isPid(const host::HostEvent& event, pid_t pid) {
  return event.process && event.process->pid == pid;
}

TEST(EbpfLive, ExecConnectOpenAndExit) {
  if (::geteuid() != 0) GTEST_SKIP() << "the eBPF sensor needs root";
  if (auto probe = ebpf::EbpfSource::probe(); !probe) {
    GTEST_SKIP() << "eBPF programs do not load here: " << probe.error().message;
  }

  // A loopback listener the child connects to, and a file it creates.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::uint16_t port = ntohs(addr.sin_port);
  const auto dir =
      std::filesystem::temp_directory_path() / ("bulwark-ebpf-live-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  struct Cleanup {
    int fd;
    std::filesystem::path dir;
    ~Cleanup() {
      ::close(fd);
      std::error_code error;
      std::filesystem::remove_all(dir, error);
    }
  } cleanup{listener, dir};
  const std::string written = (dir / "written.txt").string();

  Recorder recorder;
  ebpf::EbpfSourceOptions options;
  options.on_ready = [&recorder] { recorder.ready(); };
  ebpf::EbpfSource source(std::move(options));
  Running running(source, recorder);
  // On failure, what was seen (the source is stopped first so its status is final).
  struct Report {
    Running& running;
    Recorder& recorder;
    ~Report() {
      if (!::testing::Test::HasFailure()) return;
      running.stop();
      ADD_FAILURE() << "source status: "
                    << (running.status() ? "ok" : running.status().error().message)
                    << "; events seen:\n"
                    << recorder.dump();
    }
  } report{running, recorder};
  ASSERT_TRUE(recorder.waitReady());
  ASSERT_TRUE(running.status()) << running.status().error().message;

  // 1. A short-lived shell: exec, an open under /etc, exit.
  const char* argv[] = {"/bin/sh", "-c", "cat /etc/hostname > /dev/null", nullptr};
  pid_t shell = 0;
  ASSERT_EQ(::posix_spawn(&shell, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ),
            0);
  int status = 0;
  ASSERT_EQ(::waitpid(shell, &status, 0), shell);

  // 2. A child (the reader's own opens and connects are not reported) connects and writes.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    const int file = ::open(written.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::_exit(fd >= 0 && connected == 0 && file >= 0 ? 0 : 1);
  }
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  const auto exec = recorder.waitFor([&](const host::HostEvent& e) {
    return e.type == "execve" && isPid(e, shell) && !e.process->args.empty() &&
           e.process->args.front() == "-c";
  });
  ASSERT_TRUE(exec) << "no execve of the shell " << shell;
  EXPECT_EQ(exec->process->exe, "/bin/sh");
  EXPECT_EQ(exec->process->args, (std::vector<std::string>{"-c", "cat /etc/hostname > /dev/null"}));
  // The record's path (/bin/sh) or, when /proc was still there, the resolved one.
  const std::string exepath = exec->process->exepath;
  EXPECT_TRUE(exepath == "/bin/sh" || exepath == std::filesystem::canonical("/bin/sh").string())
      << exepath;

  const auto cat_open = recorder.waitFor([&](const host::HostEvent& e) {
    return e.type == "openat" && e.fd.name == "/etc/hostname" && e.process &&
           (e.process->pid == shell || e.process->ppid == shell);
  });
  ASSERT_TRUE(cat_open) << "no open of /etc/hostname by the shell's cat (shell " << shell << ")";
  ASSERT_NE(cat_open->arg("flags"), nullptr);
  EXPECT_TRUE(host::openFlags(*cat_open->arg("flags")).read) << *cat_open->arg("flags");

  const auto exit = recorder.waitFor(
      [&](const host::HostEvent& e) { return e.type == "procexit" && isPid(e, shell); });
  EXPECT_TRUE(exit) << "no procexit of the shell";

  const auto connect = recorder.waitFor(
      [&](const host::HostEvent& e) { return e.type == "connect" && isPid(e, child); });
  ASSERT_TRUE(connect) << "no connect of the child " << child;
  EXPECT_EQ(connect->fd.type, host::Fd::Type::Ipv4);
  EXPECT_EQ(connect->fd.sip, "127.0.0.1");
  EXPECT_EQ(connect->fd.sport, port);
  EXPECT_EQ(connect->fd.l4proto, "tcp");
  EXPECT_EQ(connect->fd.cip, "127.0.0.1");
  EXPECT_TRUE(connect->fd.cport.has_value() && *connect->fd.cport != 0);
  EXPECT_EQ(connect->res, 0);

  const auto open = recorder.waitFor([&](const host::HostEvent& e) {
    return e.type == "openat" && isPid(e, child) && e.fd.name == written;
  });
  ASSERT_TRUE(open) << "no open of " << written << " by the child";
  ASSERT_NE(open->arg("flags"), nullptr);
  EXPECT_TRUE(host::openFlags(*open->arg("flags")).write) << *open->arg("flags");
  EXPECT_TRUE(host::openFlags(*open->arg("flags")).create);
  ASSERT_NE(open->arg("mode"), nullptr);
  EXPECT_EQ(*open->arg("mode"), "0600");
  EXPECT_EQ(open->fd.type, host::Fd::Type::File);
  EXPECT_TRUE(open->res.has_value() && *open->res >= 0);

  running.stop();
  EXPECT_TRUE(running.status()) << running.status().error().message;
  const auto stats = source.stats();
  EXPECT_GE(stats.execs, 1U);
  EXPECT_EQ(stats.malformed, 0U);
}

}  // namespace
