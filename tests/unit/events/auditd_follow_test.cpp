// `auditd:FILE` with follow (file_reader.h over events/tail.h, docs/dev/runtime-design.md §2.5):
// real auditd records from go-libaudit's test data appended to a file in a temporary directory
// while readLogFile follows it on its own thread; auditd's rotation (audit.log → audit.log.1,
// a new audit.log), truncation, records and events split across writes. Every wait is for an
// observable condition (events delivered) with a generous deadline; where an event must not be
// delivered early, the idle flush is set to an hour so that no outcome depends on timing.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "events/auditd/file_reader.h"
#include "support/follow.h"
#include "support/process.h"
#include "testdata.h"

namespace {

namespace fs = std::filesystem;
namespace ad = bulwark::events::auditd;
using bulwark::core::Diagnostic;
using bulwark::core::Diagnostics;
using bulwark::core::ErrorCode;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using bulwark::testing::appendToLog;
using bulwark::testing::waitUntil;

constexpr const char* kEoeEvents =
    "runtime/elastic-go-libaudit/aucoalesce/testdata/ubuntu-16.10-linux-4.8.0.yaml";
constexpr const char* kNormalLog = "runtime/elastic-go-libaudit/testdata/normal.log";

// Long enough for a loaded CI machine; a passing run waits far less.

// One audit event as the lines auditd writes, and what the source must make of it.
struct Sample {
  std::uint32_t serial = 0;
  std::string text;                // its records, each line ending in '\n'
  std::vector<std::string> types;  // its record types, in order
};

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    lines.push_back(text.substr(at, end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return lines;
}

// The events of go-libaudit's ubuntu-16.10 aucoalesce inputs that end with EOE (so that their
// delivery is observable at once), in file order. They are samples of unrelated events, whose
// serials far apart would count as lost records: each is renumbered base, base+1, … (the
// serial in msg=audit(SEC.MSEC:SERIAL) only, nothing else changes).
std::vector<Sample> eoeSamples(std::uint32_t base = 1000) {
  const YAML::Node doc = YAML::LoadFile((bulwark::testing::sharedTestdata() / kEoeEvents).string());
  const std::regex serial(R"(msg=audit\((\d+\.\d+):\d+\))");
  std::vector<Sample> samples;
  for (const auto& test : doc["tests"]) {
    const auto lines = splitLines(test.second.as<std::string>());
    if (lines.empty() || lines.back().rfind("type=EOE ", 0) != 0) continue;
    Sample sample;
    sample.serial = base + static_cast<std::uint32_t>(samples.size());
    for (const auto& line : lines) {
      sample.text +=
          std::regex_replace(line, serial, fmt::format("msg=audit($1:{})", sample.serial)) + "\n";
      sample.types.push_back(line.substr(5, line.find(' ') - 5));
    }
    samples.push_back(std::move(sample));
  }
  return samples;
}

struct Seen {
  std::uint32_t serial = 0;
  std::vector<std::string> types;
  ad::Completion completion = ad::Completion::Timeout;
  std::vector<std::string> args;
};

// readLogFile following `path` on its own thread until stop() (or destruction, so that a
// failed assertion never leaves the thread running).
class Follow {
 public:
  Follow(const fs::path& path, const ad::LogFileOptions& options) {
    thread_ = std::thread([this, path = path.string(), options] {
      result_ = ad::readLogFile(
          path,
          [this](const ad::AuditEvent& event) {
            Seen seen{event.serial, {}, event.completion, event.args()};
            for (const auto& record : event.records) seen.types.emplace_back(record.typeName());
            const std::lock_guard lock(mutex_);
            seen_.push_back(std::move(seen));
          },
          diagnostics_, options, &stop_);
    });
  }
  Follow(const Follow&) = delete;
  Follow& operator=(const Follow&) = delete;
  ~Follow() { stop(); }

  [[nodiscard]] std::vector<Seen> seen() const {
    const std::lock_guard lock(mutex_);
    return seen_;
  }
  [[nodiscard]] std::size_t count() const {
    const std::lock_guard lock(mutex_);
    return seen_.size();
  }
  [[nodiscard]] bool waitFor(std::size_t n) const {
    return waitUntil([&] { return count() >= n; });
  }

  void stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
  }

  // After stop():
  [[nodiscard]] const bulwark::core::Result<ad::LogReaderStats>& result() const { return result_; }
  [[nodiscard]] std::vector<Diagnostic> diagnostics() const { return diagnostics_.sorted(); }

 private:
  std::atomic<bool> stop_{false};
  Diagnostics diagnostics_;
  bulwark::core::Result<ad::LogReaderStats> result_;
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
  std::thread thread_;
};

std::string kinds(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& d : diagnostics) text += d.kind + " " + d.where + ": " + d.detail + "\n";
  return text;
}

std::vector<std::uint32_t> serials(const std::vector<Seen>& seen) {
  std::vector<std::uint32_t> out;
  for (const auto& event : seen) out.push_back(event.serial);
  return out;
}

std::vector<std::uint32_t> serials(const std::vector<Sample>& samples, std::size_t from,
                                   std::size_t to) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = from; i < to; ++i) out.push_back(samples[i].serial);
  return out;
}

class AuditdFollow : public ::testing::Test {
 protected:
  void SetUp() override {
    BULWARK_REQUIRE_SHARED(kEoeEvents);
    samples_ = eoeSamples();
    ASSERT_GE(samples_.size(), 6U);
    ASSERT_FALSE(temp_.path().empty());
    dir_ = temp_.path();
    path_ = dir_ / "audit.log";
  }

  // The poll fallback short, so that a machine without inotify still passes quickly; the idle
  // flush off unless a test is about it.
  static ad::LogFileOptions options(bool from_end = false) {
    ad::LogFileOptions options;
    options.follow.follow = true;
    options.follow.from_end = from_end;
    options.follow.poll = milliseconds(100);
    options.idle_flush = std::chrono::hours(1);
    return options;
  }

  // Every sample delivered once, whole, complete on its EOE, in order.
  void expectWhole(const std::vector<Seen>& seen, std::size_t from, std::size_t to) const {
    ASSERT_EQ(serials(seen), serials(samples_, from, to));
    for (std::size_t i = 0; i < seen.size(); ++i) {
      EXPECT_EQ(seen[i].types, samples_[from + i].types) << seen[i].serial;
      EXPECT_EQ(seen[i].completion, ad::Completion::Eoe) << seen[i].serial;
    }
  }

  std::vector<Sample> samples_;
  bulwark::testing::TempDir temp_{"bulwark-auditd-follow"};
  fs::path dir_;
  fs::path path_;
};

TEST_F(AuditdFollow, EventsAppendedAfterTheStartAreDeliveredWhole) {
  appendToLog(path_, samples_[0].text + samples_[1].text, 0600);
  Follow follow(path_, options());
  ASSERT_TRUE(follow.waitFor(2));
  for (std::size_t i = 2; i < samples_.size(); ++i) {
    appendToLog(path_, samples_[i].text, 0600);
    std::this_thread::sleep_for(milliseconds(i % 2 == 0 ? 20 : 1));
  }
  ASSERT_TRUE(follow.waitFor(samples_.size())) << follow.count();
  follow.stop();
  ASSERT_TRUE(follow.result().has_value()) << follow.result().error().message;
  expectWhole(follow.seen(), 0, samples_.size());
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
  EXPECT_EQ(follow.result()->coalescer.events, samples_.size());
  EXPECT_EQ(follow.result()->rotations, 0U);
}

TEST_F(AuditdFollow, RecordsAndEventsSplitAcrossWritesCoalesce) {
  // The EXECVE sample (uname -a): SYSCALL EXECVE CWD PATH PATH PROCTITLE EOE.
  std::size_t exec = 0;
  while (exec < samples_.size() && samples_[exec].types[1] != "EXECVE") ++exec;
  ASSERT_LT(exec, samples_.size());
  const Sample& event = samples_[exec];
  const std::size_t other = exec == 0 ? 1 : 0;
  appendToLog(path_, "", 0600);
  Follow follow(path_, options());
  // Another event whole, then the first two records of the exec and half of its third line:
  // once the other event is delivered, those bytes were read with it.
  const std::size_t third = event.text.find('\n', event.text.find('\n') + 1) + 1;
  const std::size_t half = third + (event.text.find('\n', third) - third) / 2;
  appendToLog(path_, samples_[other].text + event.text.substr(0, half), 0600);
  ASSERT_TRUE(follow.waitFor(1));
  // The rest of the line a byte at a time, then the other records one write each.
  const std::size_t third_end = event.text.find('\n', third) + 1;
  for (std::size_t at = half; at < third_end; ++at)
    appendToLog(path_, event.text.substr(at, 1), 0600);
  for (std::size_t at = third_end; at < event.text.size();) {
    const std::size_t end = event.text.find('\n', at) + 1;
    appendToLog(path_, event.text.substr(at, end - at), 0600);
    at = end;
  }
  ASSERT_TRUE(follow.waitFor(2)) << follow.count();
  // A record still being written at the stop is not one.
  appendToLog(path_, samples_[other == 0 ? 2 : 0].text.substr(0, 30), 0600);
  follow.stop();
  ASSERT_TRUE(follow.result().has_value());
  const auto seen = follow.seen();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[1].serial, event.serial);
  EXPECT_EQ(seen[1].types, event.types);
  EXPECT_EQ(seen[1].completion, ad::Completion::Eoe);
  EXPECT_EQ(seen[1].args, (std::vector<std::string>{"uname", "-a"}));
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
  EXPECT_EQ(follow.result()->bad_records, 0U);
}

TEST_F(AuditdFollow, AuditdRotationDrainsTheOldFileAndKeepsAnEventSplitAcrossFiles) {
  appendToLog(path_, samples_[0].text, 0600);
  Follow follow(path_, options());
  ASSERT_TRUE(follow.waitFor(1));
  // max_log_file_action=ROTATE: audit.log → audit.log.1, then a new audit.log. auditd still
  // has records to write to the old file; the last of them lacks its '\n', and the EOE of that
  // event is the first record of the new file.
  appendToLog(path_, samples_[1].text, 0600);
  fs::rename(path_, dir_ / "audit.log.1");
  const std::string& split = samples_[2].text;
  const std::size_t eoe = split.rfind("type=EOE ");
  appendToLog(dir_ / "audit.log.1", std::string_view(split).substr(0, eoe - 1), 0600);
  appendToLog(path_, split.substr(eoe) + samples_[3].text, 0600);
  ASSERT_TRUE(follow.waitFor(4)) << follow.count();
  // A second rotation: audit.log.1 → audit.log.2, audit.log → audit.log.1, a new empty file.
  fs::rename(dir_ / "audit.log.1", dir_ / "audit.log.2");
  fs::rename(path_, dir_ / "audit.log.1");
  appendToLog(path_, "", 0600);
  appendToLog(path_, samples_[4].text + samples_[5].text, 0600);
  ASSERT_TRUE(follow.waitFor(6)) << follow.count();
  follow.stop();
  ASSERT_TRUE(follow.result().has_value());
  expectWhole(follow.seen(), 0, 6);
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
  EXPECT_EQ(follow.result()->rotations, 2U);
  EXPECT_EQ(follow.result()->truncations, 0U);
}

TEST_F(AuditdFollow, ATruncatedLogIsReportedAndReadAgainFromItsStart) {
  appendToLog(path_, samples_[0].text + samples_[1].text + samples_[2].text, 0600);
  Follow follow(path_, options());
  ASSERT_TRUE(follow.waitFor(3));
  fs::resize_file(path_, 0);
  appendToLog(path_, samples_[3].text,
              0600);  // shorter than what was read: the source sees it shrank
  ASSERT_TRUE(follow.waitFor(4)) << follow.count();
  appendToLog(path_, samples_[4].text, 0600);
  ASSERT_TRUE(follow.waitFor(5)) << follow.count();
  follow.stop();
  ASSERT_TRUE(follow.result().has_value());
  expectWhole(follow.seen(), 0, 5);
  const auto diagnostics = follow.diagnostics();
  ASSERT_EQ(diagnostics.size(), 1U) << kinds(diagnostics);
  EXPECT_EQ(diagnostics[0].kind, "auditd.truncated");
  EXPECT_EQ(diagnostics[0].where, path_.string());
  EXPECT_EQ(follow.result()->truncations, 1U);
}

TEST_F(AuditdFollow, TheLastEventOfAQuietLogIsDeliveredWithoutEoe) {
  // normal.log: serials 58..62, no EOE (an older kernel). Nothing follows 62: without the
  // idle flush it would wait for the next record, however long the log stays quiet.
  BULWARK_REQUIRE_SHARED(kNormalLog);
  appendToLog(path_, "", 0600);
  auto quick = options();
  quick.idle_flush = milliseconds(200);
  Follow follow(path_, quick);
  appendToLog(path_, bulwark::testing::readFile(bulwark::testing::sharedTestdata() / kNormalLog),
              0600);
  ASSERT_TRUE(follow.waitFor(5)) << follow.count();
  const auto seen = follow.seen();  // delivered while still following, not by the stop
  follow.stop();
  ASSERT_TRUE(follow.result().has_value());
  ASSERT_EQ(serials(seen), (std::vector<std::uint32_t>{58, 59, 60, 61, 62}));
  const std::vector<std::vector<std::string>> types = {{"SYSCALL", "SOCKADDR"},
                                                       {"SYSCALL", "EXECVE", "CWD", "PATH", "PATH"},
                                                       {"SYSCALL", "EXECVE", "CWD", "PATH", "PATH"},
                                                       {"SYSCALL", "SOCKADDR", "CWD", "PATH"},
                                                       {"SYSCALL"}};
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].types, types[i]) << seen[i].serial;
    EXPECT_EQ(seen[i].completion, ad::Completion::Timeout) << seen[i].serial;
  }
  EXPECT_EQ(seen[2].args, (std::vector<std::string>{"cat", "securitybeat"}));
  EXPECT_EQ(follow.result()->coalescer.flushed, 0U);
}

TEST_F(AuditdFollow, AnEventWhoseRecordIsStillBeingWrittenIsNotFlushedEarly) {
  // The idle flush is short, but the start of a record waiting for its '\n' may belong to
  // the pending event: the wait is then at least the coalescer's timeout (an hour here).
  appendToLog(path_, "", 0600);
  auto quick = options();
  quick.idle_flush = milliseconds(1);
  quick.coalescer.timeout_ns = std::int64_t{3600} * 1'000'000'000;
  Follow follow(path_, quick);
  const std::string& event = samples_[1].text;
  const std::size_t eoe = event.rfind("type=EOE ");
  appendToLog(path_, samples_[0].text + event.substr(0, eoe + 4), 0600);
  ASSERT_TRUE(follow.waitFor(1));
  std::this_thread::sleep_for(milliseconds(300));  // not a race: more idle rounds, same outcome
  appendToLog(path_, event.substr(eoe + 4), 0600);
  ASSERT_TRUE(follow.waitFor(2)) << follow.count();
  follow.stop();
  ASSERT_TRUE(follow.result().has_value());
  expectWhole(follow.seen(), 0, 2);
}

TEST_F(AuditdFollow, FromEndSkipsWhatIsAlreadyThere) {
  // Two events and the start of a record still being written (its line only: the rest of
  // that event never comes).
  const auto more = eoeSamples(5000);
  const std::string writing = splitLines(samples_[2].text).front() + "\n";
  appendToLog(path_, samples_[0].text + samples_[1].text + writing.substr(0, 40), 0600);
  Follow follow(path_, options(/*from_end=*/true));
  appendToLog(path_, writing.substr(40), 0600);
  // When the source opened the file is not observable: append events until one arrives, then
  // one more. What arrives must be a run of consecutive new events, never an old one.
  std::size_t next = 0;
  const auto deadline = Clock::now() + bulwark::testing::kFollowDeadline;
  while (follow.count() == 0 && Clock::now() < deadline && next + 1 < more.size()) {
    appendToLog(path_, more[next++].text, 0600);
    (void)waitUntil([&] { return follow.count() > 0; }, milliseconds(200));
  }
  ASSERT_GT(follow.count(), 0U);
  const std::size_t last = next;
  appendToLog(path_, more[last].text, 0600);
  ASSERT_TRUE(waitUntil([&] {
    const auto seen = follow.seen();
    return !seen.empty() && seen.back().serial == more[last].serial;
  }));
  follow.stop();
  ASSERT_TRUE(follow.result().has_value());
  const auto seen = follow.seen();
  ASSERT_FALSE(seen.empty());
  const std::uint32_t first = seen.front().serial;
  EXPECT_GE(first, more[0].serial);
  std::vector<std::uint32_t> expected;
  for (std::uint32_t s = first; s <= more[last].serial; ++s) expected.push_back(s);
  EXPECT_EQ(serials(seen), expected);
  for (const auto& event : seen) EXPECT_EQ(event.completion, ad::Completion::Eoe);
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
}

TEST_F(AuditdFollow, AWriterRotatingAsItGoesLosesAndRepeatsNothing) {
  // One real exec event renumbered 1..400, written record by record as auditd does, rotated
  // every 50 events (the writer waits for the source to catch up first: a file rotated away
  // before the source ever opened it is lost by every follower, tail -F too).
  std::size_t exec = 0;
  while (exec < samples_.size() && samples_[exec].types[1] != "EXECVE") ++exec;
  ASSERT_LT(exec, samples_.size());
  const std::regex serial(R"(msg=audit\((\d+\.\d+):\d+\))");
  constexpr int kEvents = 400;
  appendToLog(path_, "", 0600);
  Follow follow(path_, options());
  std::thread writer([&] {
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    int rotation = 0;
    for (int i = 1; i <= kEvents; ++i) {
      const std::string text =
          std::regex_replace(samples_[exec].text, serial, fmt::format("msg=audit($1:{})", i));
      for (const auto& line : splitLines(text)) {
        const std::string record = line + "\n";
        if (::write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size())) {
          break;
        }
      }
      if (i % 50 == 0 && i < kEvents) {
        if (!follow.waitFor(static_cast<std::size_t>(i) - 3)) break;
        fs::rename(path_, dir_ / fmt::format("audit.log.{}", ++rotation));
        ::close(fd);
        fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      }
      if (i % 9 == 0) std::this_thread::sleep_for(milliseconds(2));
    }
    ::close(fd);
  });
  writer.join();
  ASSERT_TRUE(follow.waitFor(kEvents)) << follow.count();
  follow.stop();
  ASSERT_TRUE(follow.result().has_value());
  const auto seen = follow.seen();
  std::vector<std::uint32_t> expected;
  for (std::uint32_t s = 1; s <= kEvents; ++s) expected.push_back(s);
  EXPECT_EQ(serials(seen), expected);
  for (const auto& event : seen) ASSERT_EQ(event.types, samples_[exec].types) << event.serial;
  EXPECT_TRUE(follow.diagnostics().empty()) << kinds(follow.diagnostics());
  EXPECT_EQ(follow.result()->rotations, static_cast<std::uint64_t>(kEvents / 50 - 1));
}

TEST_F(AuditdFollow, AMissingFileAtTheStartIsNotFound) {
  Follow follow(path_, options());
  follow.stop();
  ASSERT_FALSE(follow.result().has_value());
  EXPECT_EQ(follow.result().error().code, ErrorCode::NotFound);
}

// Without follow the same reader goes through the tail once: the whole file, a last record
// without '\n' included, every pending event flushed at the end.
TEST_F(AuditdFollow, WithoutFollowTheFileIsReadOnceToItsEnd) {
  std::string text = samples_[0].text + samples_[1].text;
  text.pop_back();
  appendToLog(path_, text, 0600);
  Diagnostics diagnostics;
  std::vector<std::uint32_t> seen;
  const auto stats = ad::readLogFile(
      path_.string(), [&](const ad::AuditEvent& event) { seen.push_back(event.serial); },
      diagnostics, ad::LogFileOptions{});
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(seen, serials(samples_, 0, 2));
  EXPECT_EQ(stats->records, samples_[0].types.size() + samples_[1].types.size());
  EXPECT_EQ(diagnostics.size(), 0U) << kinds(diagnostics.sorted());
}

}  // namespace
