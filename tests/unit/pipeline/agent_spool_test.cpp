// The agent's spool (src/pipeline/agent/spool.h) and its uploader against a real HTTP server
// on a loopback port (cpp-httplib, answering as `bulwark serve`'s POST /api/v1/alerts does).
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pipeline/agent/spool.h"
#include "pipeline/agent/uploader.h"
#include "support/http_stub.h"
#include "support/process.h"

namespace bulwark::pipeline::agent {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::unique_ptr<Spool> openSpool(const fs::path& dir, std::uint64_t max = std::uint64_t{1} << 20) {
  auto spool = Spool::open({dir, max, 64 << 10});
  EXPECT_TRUE(spool) << spool.error().message;
  return spool ? std::move(*spool) : nullptr;
}

std::vector<fs::path> segmentFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".ndjson") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AgentSpool, LinesComeOutInOrderUntilAcknowledged) {
  TempDir dir;
  auto spool = openSpool(dir.path() / "spool");
  ASSERT_TRUE(spool);
  for (const char* line : {"{\"a\":1}", "{\"a\":2}", "{\"a\":3}"}) ASSERT_TRUE(spool->append(line));
  EXPECT_EQ(spool->pendingBytes(), 24U);
  auto batch = spool->peek(2, 1 << 20);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->lines, 2U);
  EXPECT_EQ(batch->body, "{\"a\":1}\n{\"a\":2}\n");
  // Peeking again without acknowledging gives the same lines (a failed send is retried).
  EXPECT_EQ(spool->peek(2, 1 << 20)->body, batch->body);
  ASSERT_TRUE(spool->acknowledge(batch->end));
  batch = spool->peek(10, 1 << 20);
  EXPECT_EQ(batch->body, "{\"a\":3}\n");
  ASSERT_TRUE(spool->acknowledge(batch->end));
  EXPECT_EQ(spool->pendingBytes(), 0U);
  EXPECT_EQ(spool->peek(10, 1 << 20)->lines, 0U);
  const SpoolStats stats = spool->stats();
  EXPECT_EQ(stats.appended, 3U);
  EXPECT_EQ(stats.acknowledged, 3U);
  EXPECT_EQ(stats.dropped, 0U);
  // The directory is the agent's alone: alerts carry command lines.
  EXPECT_EQ(fs::status(dir.path() / "spool").permissions(), fs::perms::owner_all);
}

// Segments are at least 64 KiB: lines of 40 KiB put each in a segment of its own.
const std::string kBigLine(40 << 10, 'a');

TEST(AgentSpool, ANewSegmentAfterTheUploaderCaughtUpIsRead) {
  // The second line starts a new segment while the cursor sits at the end of the first, all
  // of it acknowledged.
  TempDir dir;
  const fs::path spool_dir = dir.path() / "spool";
  auto opened = Spool::open({spool_dir, std::uint64_t{1} << 20, 64 << 10});
  ASSERT_TRUE(opened) << opened.error().message;
  Spool& spool = **opened;
  ASSERT_TRUE(spool.append(kBigLine + "1"));
  auto batch = spool.peek(10, 1 << 20);
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->lines, 1U);
  ASSERT_TRUE(spool.acknowledge(batch->end));
  ASSERT_EQ(spool.pendingBytes(), 0U);
  ASSERT_TRUE(spool.append(kBigLine + "2"));
  EXPECT_EQ(spool.pendingBytes(), kBigLine.size() + 2);
  batch = spool.peek(10, 1 << 20);
  ASSERT_TRUE(batch);
  EXPECT_TRUE(batch->body == kBigLine + "2\n") << batch->body.size();
  ASSERT_TRUE(spool.acknowledge(batch->end));
  EXPECT_EQ(spool.pendingBytes(), 0U);
  // The finished segment is gone; only the one being written is left.
  EXPECT_EQ(segmentFiles(spool_dir).size(), 1U);
}

TEST(AgentSpool, ASegmentThatCannotBeCreatedLeavesTheOldOneWritable) {
  // The name of the second segment is taken, so the rollover fails the way a full disk would
  // make it fail. The append reports it; the spool keeps its open segment and rolls over once
  // the name is free again.
  TempDir dir;
  const fs::path spool_dir = dir.path() / "spool";
  auto opened = Spool::open({spool_dir, std::uint64_t{1} << 20, 64 << 10});
  ASSERT_TRUE(opened) << opened.error().message;
  Spool& spool = **opened;
  ASSERT_TRUE(spool.append(kBigLine + "1"));
  const std::vector<fs::path> files = segmentFiles(spool_dir);
  ASSERT_EQ(files.size(), 1U);
  const std::string first = files.front().filename().string();
  const std::uint64_t number = std::stoull(first.substr(0, first.find('.')));
  const fs::path blocker = spool_dir / fmt::format("{:020}.ndjson", number + 1);
  fs::create_directory(blocker);
  EXPECT_FALSE(spool.append(kBigLine + "2"));
  EXPECT_FALSE(spool.append(kBigLine + "2"));
  fs::remove(blocker);
  ASSERT_TRUE(spool.append(kBigLine + "2"));
  EXPECT_EQ(segmentFiles(spool_dir).size(), 2U);
  // A batch ends with its segment.
  auto batch = spool.peek(10, 1 << 20);
  ASSERT_TRUE(batch);
  EXPECT_TRUE(batch->body == kBigLine + "1\n") << batch->body.size();
  ASSERT_TRUE(spool.acknowledge(batch->end));
  batch = spool.peek(10, 1 << 20);
  ASSERT_TRUE(batch);
  EXPECT_TRUE(batch->body == kBigLine + "2\n") << batch->body.size();
  EXPECT_EQ(spool.stats().appended, 2U);
}

TEST(AgentSpool, EmptySegmentsOfEarlierStartsDoNotPileUp) {
  TempDir dir;
  for (int start = 0; start < 5; ++start) ASSERT_TRUE(openSpool(dir.path() / "spool"));
  EXPECT_EQ(segmentFiles(dir.path() / "spool").size(), 1U);
  auto spool = openSpool(dir.path() / "spool");
  ASSERT_TRUE(spool);
  ASSERT_TRUE(spool->append("{\"a\":1}"));
  spool.reset();
  spool = openSpool(dir.path() / "spool");
  ASSERT_TRUE(spool);
  auto batch = spool->peek(10, 1 << 20);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "{\"a\":1}\n");
}

TEST(AgentSpool, ARestartResumesAtTheCursor) {
  TempDir dir;
  {
    auto spool = openSpool(dir.path());
    ASSERT_TRUE(spool);
    for (const char* line : {"one", "two", "three"}) ASSERT_TRUE(spool->append(line));
    auto batch = spool->peek(1, 1 << 20);
    ASSERT_TRUE(spool->acknowledge(batch->end));
  }
  auto spool = openSpool(dir.path());
  ASSERT_TRUE(spool);
  EXPECT_EQ(spool->pendingBytes(), 10U);
  ASSERT_TRUE(spool->append("four"));  // into a new segment
  auto batch = spool->peek(10, 1 << 20);
  EXPECT_EQ(batch->body, "two\nthree\n");  // one segment at a time
  ASSERT_TRUE(spool->acknowledge(batch->end));
  batch = spool->peek(10, 1 << 20);
  EXPECT_EQ(batch->body, "four\n");
  ASSERT_TRUE(spool->acknowledge(batch->end));
  // Finished segments are deleted; the one appended to stays.
  EXPECT_EQ(segmentFiles(dir.path()).size(), 1U);
}

TEST(AgentSpool, ALineACrashTornIsCutOff) {
  TempDir dir;
  {
    std::ofstream out(dir.path() / "00000000000000000007.ndjson");
    out << "{\"whole\":1}\n{\"whole\":2}\n{\"torn\":";
  }
  auto spool = openSpool(dir.path());
  ASSERT_TRUE(spool);
  EXPECT_EQ(spool->stats().torn, 1U);
  auto batch = spool->peek(10, 1 << 20);
  EXPECT_EQ(batch->body, "{\"whole\":1}\n{\"whole\":2}\n");
  EXPECT_EQ(fs::file_size(dir.path() / "00000000000000000007.ndjson"), 24U);
  // New lines go to a new segment, numbered after the old ones.
  ASSERT_TRUE(spool->append("x"));
  EXPECT_TRUE(fs::exists(dir.path() / "00000000000000000008.ndjson"));
}

TEST(AgentSpool, ACursorInsideALineMovesToTheNextLine) {
  TempDir dir;
  {
    std::ofstream(dir.path() / "00000000000000000001.ndjson") << "abcdef\nxyz\n";
    std::ofstream(dir.path() / "cursor") << "v1 1 3\n";
  }
  auto spool = openSpool(dir.path());
  ASSERT_TRUE(spool);
  EXPECT_EQ(spool->peek(10, 1 << 20)->body, "xyz\n");
}

TEST(AgentSpool, AFirstLineLongerThanTheBatchComesWhole) {
  TempDir dir;
  auto spool = openSpool(dir.path());
  const std::string long_line(5000, 'x');
  ASSERT_TRUE(spool->append(long_line));
  ASSERT_TRUE(spool->append("short"));
  auto batch = spool->peek(10, 100);
  EXPECT_EQ(batch->lines, 1U);
  EXPECT_TRUE(batch->body == long_line + "\n") << batch->body.size();
}

TEST(AgentSpool, RefusesNewlinesAndLinesTheServerCouldNeverTake) {
  TempDir dir;
  auto spool = openSpool(dir.path());
  auto refused = spool->append("two\nlines");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Input);
  refused = spool->append(std::string(std::size_t{4} << 20, 'x'));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Limit);
  EXPECT_EQ(spool->pendingBytes(), 0U);
}

TEST(AgentSpool, AFullSpoolDropsTheOldestSegmentsAndCountsThem) {
  TempDir dir;
  auto spool = openSpool(dir.path(), std::uint64_t{1} << 20);  // segments of 256 KiB
  ASSERT_TRUE(spool);
  const std::string padding(1000, 'p');
  constexpr int kLines = 3000;  // ~3 MiB
  for (int i = 0; i < kLines; ++i) {
    ASSERT_TRUE(spool->append(fmt::format("{:06} {}", i, padding)));
  }
  const SpoolStats stats = spool->stats();
  EXPECT_GT(stats.dropped, 1500U);
  EXPECT_LE(stats.pending_bytes, std::uint64_t{1} << 20);
  // What is left is the newest alerts, complete and in order.
  std::uint64_t left = 0;
  int previous = -1;
  for (;;) {
    auto batch = spool->peek(500, 1 << 20);
    ASSERT_TRUE(batch);
    if (batch->lines == 0) break;
    std::istringstream lines(batch->body);
    for (std::string line; std::getline(lines, line);) {
      const int number = std::stoi(line.substr(0, 6));
      EXPECT_GT(number, previous);
      previous = number;
      ++left;
    }
    ASSERT_TRUE(spool->acknowledge(batch->end));
  }
  EXPECT_EQ(previous, kLines - 1);
  EXPECT_EQ(left + stats.dropped, static_cast<std::uint64_t>(kLines));
}

// A stand-in for serve's POST /api/v1/alerts that answers from a script of statuses, then 200.
class FakeServer {
 public:
  explicit FakeServer(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    stub_.server().Post("/api/v1/alerts",
                        [this](const httplib::Request& req, httplib::Response& res) {
                          stub_.record(req);
                          answer(req, res);
                        });
    stub_.start();
  }
  std::string url() const { return stub_.url("/api/v1/alerts"); }
  void refuseMoreLinesThan(int lines) { max_lines_ = lines; }
  // The body of every 200 answer from now on (a proxy's, a wrong server's).
  void answerWith(std::string body) {
    std::lock_guard lock(mutex_);
    body_ = std::move(body);
  }
  std::string received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  int requests() { return stub_.requests(); }
  std::string authorization() { return stub_.lastHeader("Authorization"); }
  std::string contentType() { return stub_.lastHeader("Content-Type"); }

 private:
  void answer(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    const auto lines = static_cast<int>(std::count(req.body.begin(), req.body.end(), '\n'));
    int status = 200;
    if (max_lines_ > 0 && lines > max_lines_) {
      status = 413;
    } else if (!statuses_.empty()) {
      status = statuses_.front();
      statuses_.erase(statuses_.begin());
    }
    if (status == 200) {
      received_ += req.body;
      res.set_content(body_.empty()
                          ? fmt::format(R"({{"accepted":{},"duplicates":0,"rejected":[]}})", lines)
                          : body_,
                      "application/json");
    } else {
      res.set_content(R"({"error":{"code":"x","message":"scripted"}})", "application/json");
    }
    res.status = status;
  }

  testing::HttpStub stub_;
  std::mutex mutex_;
  std::vector<int> statuses_;
  std::atomic<int> max_lines_{0};
  std::string received_;
  std::string body_;
};

UploaderOptions fastOptions(const FakeServer& server) {
  UploaderOptions options;
  options.url = server.url();
  options.token = "bwk_test-token";
  options.version = "test";
  options.batch_wait = std::chrono::milliseconds(10);
  options.backoff_min = std::chrono::milliseconds(10);
  options.backoff_max = std::chrono::milliseconds(40);
  return options;
}

// Polls until `done` (generous bound; no timed assertion).
template <class Done>
bool eventually(Done done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST(AgentUploader, SendsNdjsonBatchesWithTheTokenAndAcknowledgesThem) {
  TempDir dir;
  auto spool = openSpool(dir.path());
  FakeServer server({});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(spool->append(fmt::format(R"({{"n":{}}})", i)));
  auto uploader = Uploader::start(*spool, fastOptions(server));
  ASSERT_TRUE(uploader);
  ASSERT_TRUE(eventually([&] { return spool->pendingBytes() == 0; }));
  (*uploader)->stop(std::chrono::milliseconds(1000));
  EXPECT_EQ(server.received(), "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n");
  EXPECT_EQ(server.authorization(), "Bearer bwk_test-token");
  EXPECT_EQ(server.contentType(), "application/x-ndjson");
  const UploaderStats stats = (*uploader)->stats();
  EXPECT_EQ(stats.accepted, 5U);
  EXPECT_EQ(stats.failures, 0U);
  EXPECT_TRUE(stats.reachable);
  EXPECT_GT(stats.last_success_ms, 0);
}

TEST(AgentUploader, AnIdleAgentSendsHeartbeats) {
  TempDir dir;
  auto spool = openSpool(dir.path());
  FakeServer server({});
  UploaderOptions options = fastOptions(server);
  options.heartbeat = std::chrono::milliseconds(50);
  auto uploader = Uploader::start(*spool, options);
  ASSERT_TRUE(uploader) << uploader.error().message;
  EXPECT_TRUE(eventually([&] { return (*uploader)->stats().heartbeats >= 2; }));
  EXPECT_GE(server.requests(), 2);
  EXPECT_EQ(server.received(), "");  // empty batches
  EXPECT_EQ(server.authorization(), "Bearer bwk_test-token");
  (*uploader)->stop(std::chrono::milliseconds(100));
}

TEST(AgentUploader, AFullBatchGoesWithoutWaitingOutTheBatchWait) {
  TempDir dir;
  auto spool = openSpool(dir.path());
  FakeServer server({});
  UploaderOptions options = fastOptions(server);
  options.batch_wait = std::chrono::minutes(10);
  options.batch_bytes = 4096;
  auto uploader = Uploader::start(*spool, options);
  ASSERT_TRUE(uploader);
  // The first alert starts the wait; the batch fills while it runs.
  ASSERT_TRUE(spool->append(R"({"n":0})"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(server.requests(), 0);
  const std::string pad(100, 'x');
  for (int i = 1; i <= 50; ++i)
    ASSERT_TRUE(spool->append(fmt::format(R"({{"n":{},"p":"{}"}})", i, pad)));
  EXPECT_TRUE(eventually([&] { return server.requests() > 0; }));
  (*uploader)->stop(std::chrono::milliseconds(1000));
  EXPECT_EQ(spool->pendingBytes(), 0U);
}

TEST(AgentUploader, AStopEndsTheBatchWait) {
  TempDir dir;
  auto spool = openSpool(dir.path());
  FakeServer server({});
  UploaderOptions options = fastOptions(server);
  options.batch_wait = std::chrono::minutes(10);
  auto uploader = Uploader::start(*spool, options);
  ASSERT_TRUE(uploader);
  ASSERT_TRUE(spool->append(R"({"n":0})"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // The drain sends what waits (the test would time out if the stop waited for the batch).
  (*uploader)->stop(std::chrono::milliseconds(5000));
  EXPECT_EQ(server.received(), "{\"n\":0}\n");
}

TEST(AgentUploader, AnAnswerOfTheWrongShapeIsTakenAsDeliveredNotACrash) {
  TempDir dir;
  auto spool = openSpool(dir.path());
  FakeServer server({});
  server.answerWith(R"({"accepted":"2","duplicates":null,"rejected":[{"error":5}]})");
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(spool->append(fmt::format(R"({{"n":{}}})", i)));
  auto uploader = Uploader::start(*spool, fastOptions(server));
  ASSERT_TRUE(uploader);
  ASSERT_TRUE(eventually([&] { return spool->pendingBytes() == 0; }));
  (*uploader)->stop(std::chrono::milliseconds(1000));
  EXPECT_EQ(server.received(), "{\"n\":0}\n{\"n\":1}\n");
  const UploaderStats stats = (*uploader)->stats();
  EXPECT_EQ(stats.batches, 1U);
  EXPECT_EQ(stats.accepted, 0U);  // not a count: not counted
  EXPECT_EQ(stats.rejected, 1U);
}

TEST(AgentUploader, RetriesFailuresUntilTheServerTakesTheBatch) {
  TempDir dir;
  auto spool = openSpool(dir.path());
  FakeServer server({503, 429, 401});
  ASSERT_TRUE(spool->append(R"({"n":1})"));
  auto uploader = Uploader::start(*spool, fastOptions(server));
  ASSERT_TRUE(eventually([&] { return spool->pendingBytes() == 0; }));
  (*uploader)->stop(std::chrono::milliseconds(1000));
  const UploaderStats stats = (*uploader)->stats();
  EXPECT_EQ(stats.failures, 3U);
  EXPECT_EQ(stats.accepted, 1U);
  EXPECT_EQ(server.received(), "{\"n\":1}\n");  // once: failed attempts stored nothing
}

TEST(AgentUploader, A413HalvesTheBatch) {
  TempDir dir;
  auto spool = openSpool(dir.path());
  FakeServer server({});
  server.refuseMoreLinesThan(2);
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(spool->append(fmt::format(R"({{"n":{}}})", i)));
  auto uploader = Uploader::start(*spool, fastOptions(server));
  ASSERT_TRUE(eventually([&] { return spool->pendingBytes() == 0; }));
  (*uploader)->stop(std::chrono::milliseconds(1000));
  EXPECT_EQ((*uploader)->stats().accepted, 7U);
  const std::string received = server.received();
  EXPECT_EQ(std::count(received.begin(), received.end(), '\n'), 7);
  EXPECT_EQ((*uploader)->stats().failures, 0U);
}

TEST(AgentUploader, ABatchTheServerRefusesForItsContentIsNotSentAgain) {
  TempDir dir;
  auto spool = openSpool(dir.path());
  FakeServer server({400});
  ASSERT_TRUE(spool->append(R"({"bad":1})"));
  ASSERT_TRUE(spool->append(R"({"bad":2})"));
  auto uploader = Uploader::start(*spool, fastOptions(server));
  ASSERT_TRUE(eventually([&] { return spool->pendingBytes() == 0; }));
  (*uploader)->stop(std::chrono::milliseconds(1000));
  const UploaderStats stats = (*uploader)->stats();
  EXPECT_EQ(stats.rejected, 2U);
  EXPECT_EQ(stats.accepted, 0U);
  EXPECT_NE(stats.last_error.find("scripted"), std::string::npos) << stats.last_error;
  EXPECT_EQ(server.requests(), 1);
}

TEST(AgentUploader, AlertsStayInTheSpoolWhileTheTokenIsRefused) {
  TempDir dir;
  auto spool = openSpool(dir.path());
  FakeServer server(std::vector<int>(1000, 401));
  ASSERT_TRUE(spool->append(R"({"n":1})"));
  auto uploader = Uploader::start(*spool, fastOptions(server));
  ASSERT_TRUE(eventually([&] { return server.requests() >= 3; }));
  (*uploader)->stop(std::chrono::milliseconds(200));
  const UploaderStats stats = (*uploader)->stats();
  EXPECT_GE(stats.failures, 3U);
  EXPECT_TRUE(stats.reachable);  // answered, but not with a yes
  EXPECT_NE(stats.last_error.find("HTTP 401"), std::string::npos) << stats.last_error;
  EXPECT_EQ(spool->pendingBytes(), 8U);
}

}  // namespace
}  // namespace bulwark::pipeline::agent
