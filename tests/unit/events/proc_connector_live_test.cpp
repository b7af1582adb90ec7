// The proc connector on the running kernel (src/events/proc/connector.h, label e2e): a Connector
// on its own thread sees the fork, the execs and the exit of `/bin/sh -c 'exec /bin/true'`
// spawned by the test, and readProcess on a live exec gives its argv. Skips, saying why, when the
// kernel refuses the socket or the subscription (no CONFIG_PROC_EVENTS, not root before Linux
// 6.6, a user or pid namespace other than the initial one). Waits are for the events, bounded by a
// generous deadline; nothing is asserted about timing.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "events/host/procfs.h"
#include "events/proc/connector.h"

extern char** environ;

namespace {

namespace proc = bulwark::events::proc;
namespace host = bulwark::events::host;
using proc::ConnectorKind;

constexpr auto kDeadline = std::chrono::seconds(10);

// Collects the events of the pids it is told about, on the connector's thread.
class Recorder {
 public:
  // Called on the connector's thread for every event, before it is recorded.
  std::function<void(const proc::ConnectorEvent&)> also;

  void onEvent(const proc::ConnectorEvent& event) {
    if (also) also(event);
    const std::lock_guard lock(mutex_);
    events_.push_back(event);
    changed_.notify_all();
  }

  // Waits until `done(events)` holds or the deadline passes; returns whether it held.
  template <class F>
  bool waitFor(F&& done) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kDeadline, [&] { return done(events_); });
  }

  std::vector<proc::ConnectorEvent> snapshot() {
    const std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<proc::ConnectorEvent> events_;
};

// The connector running on a thread, stopped and joined at the end of the scope.
class Running {
 public:
  Running(proc::Connector& connector, Recorder& recorder)
      : thread_([this, &connector, &recorder] {
          status_ =
              connector.run([&](const proc::ConnectorEvent& e) { recorder.onEvent(e); }, &stop_);
        }) {}
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
  ~Running() { stop(); }
  bulwark::core::Status stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  std::atomic<bool> stop_{false};
  bulwark::core::Status status_;
  std::thread thread_;
};

class ProcConnectorLive : public ::testing::Test {
 protected:
  void SetUp() override {
    // Linux 6.6 and later let any user of the initial namespaces listen; older ones want
    // CAP_NET_ADMIN. So try, and skip with the kernel's answer.
    auto opened = proc::Connector::open();
    if (!opened) {
      GTEST_SKIP() << "proc connector unavailable" << (::geteuid() != 0 ? " (not root)" : "")
                   << ": " << opened.error().message;
    }
    connector_.emplace(std::move(*opened));
  }

  std::optional<proc::Connector> connector_;
};

pid_t spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (::posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

TEST_F(ProcConnectorLive, ForkExecExit) {
  Recorder recorder;
  Running running(*connector_, recorder);

  const pid_t child = spawn({"/bin/sh", "-c", "exec /bin/true"});
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  const auto has = [child](const std::vector<proc::ConnectorEvent>& events, ConnectorKind kind) {
    return std::any_of(events.begin(), events.end(), [&](const proc::ConnectorEvent& e) {
      return e.kind == kind && e.tgid == child;
    });
  };
  const bool all = recorder.waitFor([&](const std::vector<proc::ConnectorEvent>& events) {
    return has(events, ConnectorKind::Fork) && has(events, ConnectorKind::Exec) &&
           has(events, ConnectorKind::Exit);
  });
  const auto status_after = running.stop();
  EXPECT_TRUE(status_after) << status_after.error().message;
  EXPECT_TRUE(all) << "fork, exec and exit of pid " << child << " not all seen within "
                   << kDeadline.count() << " s";

  const auto events = recorder.snapshot();
  int forks = 0, execs = 0, exits = 0;
  std::uint64_t fork_ns = 0, exit_ns = 0;
  for (const auto& e : events) {
    if (e.tgid != child) continue;
    switch (e.kind) {
      case ConnectorKind::Fork:
        ++forks;
        EXPECT_EQ(e.pid, child);
        EXPECT_EQ(e.parent_tgid, ::getpid());
        fork_ns = e.ktime_ns;
        break;
      case ConnectorKind::Exec: ++execs; break;
      case ConnectorKind::Exit:
        ++exits;
        EXPECT_EQ(e.exit_code, 0);
        EXPECT_EQ(e.exit_signal, SIGCHLD);
        EXPECT_EQ(e.parent_tgid, ::getpid());
        exit_ns = e.ktime_ns;
        break;
      default: break;
    }
  }
  EXPECT_EQ(forks, 1);
  // sh, then true: two execs of the same pid (a shell that forks for the last command gives
  // one exec for the pid and one for its child; both shapes are fine here).
  EXPECT_GE(execs, 1);
  EXPECT_LE(execs, 2);
  EXPECT_EQ(exits, 1);
  EXPECT_LE(fork_ns, exit_ns);
  const auto stats = connector_->stats();
  EXPECT_GE(stats.events, 3U);
  EXPECT_EQ(stats.malformed, 0U);
}

TEST_F(ProcConnectorLive, ExitStatusAndExecArgs) {
  Recorder recorder;
  // On the exec of a child of ours (its fork seen first: the kernel reports a process's events
  // in order), read its /proc at once, as the proc source does.
  std::vector<int> children;  // touched on the connector's thread only
  std::mutex args_mutex;
  std::map<int, std::vector<std::string>> exec_args;
  const int self = ::getpid();
  recorder.also = [&](const proc::ConnectorEvent& e) {
    if (e.kind == ConnectorKind::Fork && e.parent_tgid == self) children.push_back(e.tgid);
    if (e.kind != ConnectorKind::Exec ||
        std::find(children.begin(), children.end(), e.tgid) == children.end()) {
      return;
    }
    const auto info = host::readProcess("/proc", e.tgid);
    const std::lock_guard lock(args_mutex);
    if (info && !exec_args.contains(e.tgid)) exec_args[e.tgid] = info->args;
  };
  Running running(*connector_, recorder);

  // A child that lives a while after its exec, so that /proc can be read on the exec event.
  const pid_t child = spawn({"/bin/sh", "-c", "sleep 0.5; exit 3"});
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(WEXITSTATUS(status), 3);
  const bool seen = recorder.waitFor([&](const std::vector<proc::ConnectorEvent>& events) {
    return std::any_of(events.begin(), events.end(), [&](const proc::ConnectorEvent& e) {
      return e.kind == ConnectorKind::Exit && e.tgid == child;
    });
  });
  running.stop();
  ASSERT_TRUE(seen);
  for (const auto& e : recorder.snapshot()) {
    if (e.kind == ConnectorKind::Exit && e.tgid == child) {
      EXPECT_EQ(e.exit_code, 3 << 8);  // the wait status, as the kernel keeps it
    }
  }
  const std::lock_guard lock(args_mutex);
  ASSERT_TRUE(exec_args.contains(child)) << "no readable exec of pid " << child;
  EXPECT_EQ(exec_args[child], (std::vector<std::string>{"/bin/sh", "-c", "sleep 0.5; exit 3"}));
}

TEST_F(ProcConnectorLive, StopsPromptly) {
  Recorder recorder;
  std::atomic<bool> stop{true};
  // Already stopped: run returns without waiting for an event.
  const auto status =
      connector_->run([&](const proc::ConnectorEvent& e) { recorder.onEvent(e); }, &stop);
  EXPECT_TRUE(status);
  // Moving keeps the subscription working.
  proc::Connector moved = std::move(*connector_);
  connector_.reset();
  Running running(moved, recorder);
  const pid_t child = spawn({"/bin/true"});
  ASSERT_GT(child, 0);
  int wait_status = 0;
  ::waitpid(child, &wait_status, 0);
  EXPECT_TRUE(recorder.waitFor([&](const std::vector<proc::ConnectorEvent>& events) {
    return std::any_of(events.begin(), events.end(), [&](const proc::ConnectorEvent& e) {
      return e.kind == ConnectorKind::Exit && e.tgid == child;
    });
  }));
}

TEST_F(ProcConnectorLive, PollSteps) {
  // The caller's own loop: poll with a timeout until the child's exit is delivered.
  const pid_t child = spawn({"/bin/true"});
  ASSERT_GT(child, 0);
  int wait_status = 0;
  ::waitpid(child, &wait_status, 0);
  bool exec = false, exit = false;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!exit && std::chrono::steady_clock::now() < deadline) {
    const auto polled = connector_->poll(
        [&](const proc::ConnectorEvent& e) {
          if (e.tgid != child) return;
          exec = exec || e.kind == ConnectorKind::Exec;
          exit = exit || e.kind == ConnectorKind::Exit;
        },
        std::chrono::milliseconds(100));
    ASSERT_TRUE(polled) << polled.error().message;
  }
  EXPECT_TRUE(exec);
  EXPECT_TRUE(exit);
  // Nothing pending and a zero timeout: returns at once.
  EXPECT_TRUE(connector_->poll([](const proc::ConnectorEvent&) {}, std::chrono::milliseconds(0)));
}

}  // namespace
