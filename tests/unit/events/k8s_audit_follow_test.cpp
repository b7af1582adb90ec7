// `k8s-audit:FILE` with follow (file_source.h, docs/dev/runtime-design.md §2.1): real files in a
// temporary directory, a FileSource following on its own thread and the test (or a writer
// thread) appending, rotating and truncating. Every wait is for an observable condition (the
// events delivered) with a generous deadline; no assertion depends on timing except the
// (generous) bound on how long a stop takes.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "events/k8s_audit/audit_event.h"
#include "events/k8s_audit/file_source.h"
#include "support/follow.h"
#include "support/process.h"

namespace {

namespace fs = std::filesystem;
namespace ka = bulwark::events::k8s_audit;
using bulwark::core::Diagnostic;
using bulwark::core::Diagnostics;
using bulwark::core::ErrorCode;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using bulwark::testing::appendToLog;
using bulwark::testing::waitUntil;

// Long enough for a loaded CI machine; a passing run waits far less.

std::string line(std::string_view id) {
  return fmt::format(R"({{"kind":"Event","auditID":"{}","stage":"ResponseComplete",)"
                     R"("stageTimestamp":"2024-01-01T00:00:00Z"}})",
                     id) +
         "\n";
}

std::string lines(int from, int to) {
  std::string text;
  for (int i = from; i <= to; ++i) text += line(std::to_string(i));
  return text;
}

std::vector<std::string> range(int from, int to) {
  std::vector<std::string> ids;
  for (int i = from; i <= to; ++i) ids.push_back(std::to_string(i));
  return ids;
}

// A FileSource following `path` on its own thread until stop() (or destruction, so that a
// failed assertion never leaves the thread running).
class Follow {
 public:
  Follow(const fs::path& path, const ka::FollowOptions& options) : source_(path.string(), options) {
    thread_ = std::thread([this] {
      status_ = source_.run(
          [this](const bulwark::events::Event& event) {
            const auto* audit = static_cast<const ka::AuditEvent*>(event.payload);
            std::string_view id;
            const bool has_id = audit->root["auditID"].get_string().get(id) == simdjson::SUCCESS;
            const std::lock_guard lock(mutex_);
            ids_.emplace_back(has_id ? id : "<none>");
            nums_.push_back(event.num);
          },
          diagnostics_, &stop_);
    });
  }
  Follow(const Follow&) = delete;
  Follow& operator=(const Follow&) = delete;
  ~Follow() { stop(); }

  [[nodiscard]] std::vector<std::string> ids() const {
    const std::lock_guard lock(mutex_);
    return ids_;
  }
  [[nodiscard]] std::size_t count() const {
    const std::lock_guard lock(mutex_);
    return ids_.size();
  }
  // Until at least `n` events were delivered.
  [[nodiscard]] bool waitFor(std::size_t n) const {
    return waitUntil([&] { return count() >= n; });
  }

  // Sets the stop flag and joins; how long the join took.
  milliseconds stop() {
    if (!thread_.joinable()) return milliseconds(0);
    const auto start = Clock::now();
    stop_ = true;
    thread_.join();
    return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  }

  // After stop():
  [[nodiscard]] const bulwark::core::Status& status() const { return status_; }
  [[nodiscard]] std::vector<Diagnostic> diagnostics() const { return diagnostics_.sorted(); }
  [[nodiscard]] ka::FileSourceStats stats() const { return source_.stats(); }
  [[nodiscard]] std::vector<std::uint64_t> nums() const {
    const std::lock_guard lock(mutex_);
    return nums_;
  }

 private:
  ka::FileSource source_;
  std::atomic<bool> stop_{false};
  Diagnostics diagnostics_;
  bulwark::core::Status status_;
  mutable std::mutex mutex_;
  std::vector<std::string> ids_;
  std::vector<std::uint64_t> nums_;
  std::thread thread_;
};

std::vector<std::uint64_t> numsTo(std::uint64_t n) {
  std::vector<std::uint64_t> nums;
  for (std::uint64_t i = 1; i <= n; ++i) nums.push_back(i);
  return nums;
}

std::string kinds(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& d : diagnostics) text += d.kind + " " + d.where + ": " + d.detail + "\n";
  return text;
}

class K8sAuditFollow : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(temp_.path().empty());
    dir_ = temp_.path();
    path_ = dir_ / "audit.log";
  }

  // The poll fallback short, so that a machine without inotify still passes quickly.
  static ka::FollowOptions options(bool from_end = false) {
    ka::FollowOptions options;
    options.follow = true;
    options.from_end = from_end;
    options.poll = milliseconds(100);
    return options;
  }

  bulwark::testing::TempDir temp_{"bulwark-k8s-follow"};
  fs::path dir_;
  fs::path path_;
};

TEST_F(K8sAuditFollow, EventsAppendedAfterTheStartAreDeliveredInOrder) {
  appendToLog(path_, lines(1, 2));
  Follow follow(path_, options());
  ASSERT_TRUE(follow.waitFor(2));
  std::thread writer([&] {
    for (int i = 3; i <= 60; ++i) {
      appendToLog(path_, line(std::to_string(i)));
      std::this_thread::sleep_for(milliseconds(i % 7 == 0 ? 20 : 1));
    }
  });
  writer.join();
  ASSERT_TRUE(follow.waitFor(60)) << follow.count();
  follow.stop();
  EXPECT_TRUE(follow.status().has_value());
  EXPECT_EQ(follow.ids(), range(1, 60));
  EXPECT_EQ(follow.nums(), numsTo(60));
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
  EXPECT_EQ(follow.stats().events, 60U);
  EXPECT_EQ(follow.stats().rotations, 0U);
  EXPECT_EQ(follow.stats().truncations, 0U);
}

TEST_F(K8sAuditFollow, APartialLineIsDecodedOnlyOnceItsNewlineArrives) {
  appendToLog(path_, "");
  Follow follow(path_, options());
  const std::string second = line("2");
  const std::size_t half = second.size() / 2;
  // Event 1 and half of event 2 in one write: once 1 is delivered, the half was read with it.
  appendToLog(path_, line("1") + second.substr(0, half));
  ASSERT_TRUE(follow.waitFor(1));
  EXPECT_EQ(follow.ids(), range(1, 1));
  // Decoded early, the half would be a malformed line and event 2 lost.
  appendToLog(path_, second.substr(half) + line("3"));
  ASSERT_TRUE(follow.waitFor(3));
  // A partial line at the stop is not delivered either.
  appendToLog(path_, line("4").substr(0, 20));
  follow.stop();
  EXPECT_TRUE(follow.status().has_value());
  EXPECT_EQ(follow.ids(), range(1, 3));
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
}

TEST_F(K8sAuditFollow, RenameRotationDrainsTheOldFileThenReadsTheNewOne) {
  appendToLog(path_, lines(1, 2));
  Follow follow(path_, options());
  ASSERT_TRUE(follow.waitFor(2));
  appendToLog(path_, line("3"));
  fs::rename(path_, dir_ / "audit.log.1");
  // The writer is still on the old file after the rename; its last line has no '\n' (it is
  // decoded when the old file is left, as at the end of a file without follow).
  const std::string fourth = line("4");
  appendToLog(dir_ / "audit.log.1", std::string_view(fourth).substr(0, fourth.size() - 1));
  appendToLog(path_, lines(5, 6));
  ASSERT_TRUE(follow.waitFor(6)) << follow.count();
  // A second rotation, the new file created empty first (logrotate's `create`).
  fs::rename(path_, dir_ / "audit.log.2");
  appendToLog(path_, "");
  appendToLog(path_, lines(7, 8));
  ASSERT_TRUE(follow.waitFor(8)) << follow.count();
  follow.stop();
  EXPECT_TRUE(follow.status().has_value());
  EXPECT_EQ(follow.ids(), range(1, 8));
  EXPECT_EQ(follow.nums(), numsTo(8));
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
  EXPECT_EQ(follow.stats().rotations, 2U);
}

TEST_F(K8sAuditFollow, AWriterRotatingAsItGoesLosesAndRepeatsNothing) {
  appendToLog(path_, "");
  Follow follow(path_, options());
  // The writer keeps its descriptor across the rename and writes a few more lines to the old
  // file before it opens the new one, as a lagging logger does. It waits for the source to
  // catch up before each rotation: a file rotated away before the source ever opened it is
  // lost by every follower (tail -F too).
  constexpr int kLines = 400;
  std::thread writer([&] {
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    int rotation = 0;
    for (int i = 1; i <= kLines; ++i) {
      const std::string text = line(std::to_string(i));
      if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) break;
      if (i % 50 == 0 && i < kLines) {
        // Caught up to a few lines back: the current file is open, and a few of its lines are
        // perhaps still unread when it is renamed.
        if (!follow.waitFor(static_cast<std::size_t>(i) - 3)) break;
        fs::rename(path_, dir_ / fmt::format("audit.log.{}", ++rotation));
      }
      if (i % 50 == 3) {
        ::close(fd);
        fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
      }
      if (i % 9 == 0) std::this_thread::sleep_for(milliseconds(2));
    }
    ::close(fd);
  });
  writer.join();
  ASSERT_TRUE(follow.waitFor(kLines)) << follow.count();
  follow.stop();
  EXPECT_TRUE(follow.status().has_value());
  EXPECT_EQ(follow.ids(), range(1, kLines));
  EXPECT_EQ(follow.nums(), numsTo(kLines));
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
  EXPECT_EQ(follow.stats().rotations, static_cast<std::uint64_t>(kLines / 50 - 1));
}

TEST_F(K8sAuditFollow, CopytruncateIsReportedAndTheFileIsReadAgainFromItsStart) {
  appendToLog(path_, lines(1, 3));
  Follow follow(path_, options());
  ASSERT_TRUE(follow.waitFor(3));
  fs::resize_file(path_, 0);
  appendToLog(path_, line("4"));  // shorter than what was read: the source sees it shrank
  ASSERT_TRUE(follow.waitFor(4)) << follow.count();
  appendToLog(path_, line("5"));
  ASSERT_TRUE(follow.waitFor(5)) << follow.count();
  follow.stop();
  EXPECT_TRUE(follow.status().has_value());
  EXPECT_EQ(follow.ids(), range(1, 5));
  const auto diagnostics = follow.diagnostics();
  ASSERT_EQ(diagnostics.size(), 1U) << kinds(diagnostics);
  EXPECT_EQ(diagnostics[0].kind, "k8s-audit.truncated");
  EXPECT_EQ(diagnostics[0].where, path_.string());
  EXPECT_EQ(follow.stats().truncations, 1U);
  EXPECT_EQ(follow.stats().rotations, 0U);
}

TEST_F(K8sAuditFollow, ADeletedFileReCreatedLaterIsFollowed) {
  appendToLog(path_, lines(1, 2));
  Follow follow(path_, options());
  ASSERT_TRUE(follow.waitFor(2));
  fs::remove(path_);
  // Not a race: whether or not the source looked while the path was missing, the outcome
  // asserted is the same. The pause lets it usually look (several poll rounds).
  std::this_thread::sleep_for(milliseconds(350));
  appendToLog(path_, lines(3, 4));
  ASSERT_TRUE(follow.waitFor(4)) << follow.count();
  follow.stop();
  EXPECT_TRUE(follow.status().has_value());
  EXPECT_EQ(follow.ids(), range(1, 4));
  EXPECT_EQ(follow.nums(), numsTo(4));
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
  EXPECT_EQ(follow.stats().rotations, 1U);
}

TEST_F(K8sAuditFollow, FromEndSkipsWhatIsAlreadyThere) {
  // Two lines and the start of a third still being written.
  const std::string partial = line("partial");
  appendToLog(path_, lines(1, 2) + partial.substr(0, 30));
  Follow follow(path_, options(/*from_end=*/true));
  appendToLog(path_, partial.substr(30));
  // When the source opened the file is not observable: append until one event arrives, then
  // one more. What arrives must be a run of consecutive new events, never an old one.
  int next = 3;
  const auto deadline = Clock::now() + bulwark::testing::kFollowDeadline;
  while (follow.count() == 0 && Clock::now() < deadline) {
    appendToLog(path_, line(std::to_string(next++)));
    (void)waitUntil([&] { return follow.count() > 0; }, milliseconds(200));
  }
  ASSERT_GT(follow.count(), 0U);
  const int last = next;
  appendToLog(path_, line(std::to_string(last)));
  ASSERT_TRUE(waitUntil([&] {
    const auto ids = follow.ids();
    return !ids.empty() && ids.back() == std::to_string(last);
  }));
  follow.stop();
  EXPECT_TRUE(follow.status().has_value());
  const auto ids = follow.ids();
  ASSERT_FALSE(ids.empty());
  const int first = std::stoi(ids.front());
  EXPECT_GE(first, 3);
  EXPECT_EQ(ids, range(first, last));
  EXPECT_EQ(follow.nums(), numsTo(ids.size()));  // numbered from 1 where reading began
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
}

TEST_F(K8sAuditFollow, StopEndsTheRunPromptlyEvenWithALongPoll) {
  appendToLog(path_, lines(1, 1));
  auto slow = options();
  slow.poll = milliseconds(60'000);
  Follow follow(path_, slow);
  ASSERT_TRUE(follow.waitFor(1));
  const auto took = follow.stop();
  EXPECT_TRUE(follow.status().has_value());
  EXPECT_LT(took, milliseconds(5'000)) << "stop must not wait for the poll timeout";
  EXPECT_EQ(follow.ids(), range(1, 1));
}

TEST_F(K8sAuditFollow, AFifoIsFollowedAndStopsWithoutAWriter) {
  // open(2) of a FIFO waits for a writer and read(2) for data: a follower must do neither, or
  // it would never be ready and never see the stop flag.
  ASSERT_EQ(::mkfifo(path_.c_str(), 0600), 0);
  bool ready = false;
  std::mutex ready_mutex;
  auto opts = options();
  opts.on_ready = [&] {
    const std::lock_guard lock(ready_mutex);
    ready = true;
  };
  Follow follow(path_, opts);
  ASSERT_TRUE(waitUntil([&] {
    const std::lock_guard lock(ready_mutex);
    return ready;
  }));
  {
    const int writer = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(writer, 0);
    const std::string text = lines(1, 3);
    ASSERT_EQ(::write(writer, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ASSERT_TRUE(follow.waitFor(3)) << follow.count();
    // A writer that stays connected and silent does not hold the stop up either.
    follow.stop();
    ::close(writer);
  }
  EXPECT_TRUE(follow.status().has_value());
  EXPECT_EQ(follow.ids(), range(1, 3));
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
}

TEST_F(K8sAuditFollow, AMissingFileAtTheStartIsNotFound) {
  Follow follow(path_, options());
  follow.stop();
  ASSERT_FALSE(follow.status().has_value());
  EXPECT_EQ(follow.status().error().code, ErrorCode::NotFound);
}

TEST_F(K8sAuditFollow, AnEndlessLineIsSkippedWithBoundedMemoryAndTheNextOneRead) {
  appendToLog(path_, lines(1, 1));
  Follow follow(path_, options());
  ASSERT_TRUE(follow.waitFor(1));
  // A line over every cap that has no '\n' yet: reported and skipped while still growing.
  const std::string chunk(std::size_t{1} << 20, 'x');
  for (std::size_t written = 0; written <= ka::kMaxBodyBytes; written += chunk.size()) {
    appendToLog(path_, chunk);
  }
  appendToLog(path_, "\n" + line("2"));
  ASSERT_TRUE(follow.waitFor(2)) << follow.count();
  follow.stop();
  EXPECT_TRUE(follow.status().has_value());
  EXPECT_EQ(follow.ids(), range(1, 2));
  const auto diagnostics = follow.diagnostics();
  ASSERT_EQ(diagnostics.size(), 1U) << kinds(diagnostics);
  EXPECT_EQ(diagnostics[0].kind, "k8s-audit.oversize");
  EXPECT_EQ(follow.stats().bad_lines, 1U);
}

}  // namespace
