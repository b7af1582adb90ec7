// The detect outputs' wire formats (RFC 5424, RFC 6587 octet counting, CEF escaping) against
// golden strings, `-o` spec parsing, the per-rule rate limiter and the sink queue's drop
// counting. The sinks over real sockets and servers: tests/e2e/detect/sinks_e2e_test.cpp.
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pipeline/sinks/format.h"
#include "pipeline/sinks/rate_limit.h"
#include "pipeline/sinks/sink.h"

namespace bulwark::pipeline::sinks {
namespace {

// 2026-11-24T10:00:00.001234567Z
constexpr std::int64_t kTs = 1795514400001234567;

TEST(SyslogFormat, Rfc5424Message) {
  EXPECT_EQ(
      formatSyslog(rules::Priority::Warning, 16, kTs, "host-1", "42", syslogMsgId("Shell spawned"),
                   R"({"rule":"Shell spawned"})"),
      R"(<132>1 2026-11-24T10:00:00.001234Z host-1 bulwark 42 Shell_spawned - {"rule":"Shell spawned"})");
  // PRI = facility × 8 + severity: kern.emerg is 0, local7.debug 191.
  EXPECT_EQ(formatSyslog(rules::Priority::Emergency, 0, 0, "", "", "-", "m"),
            "<0>1 1970-01-01T00:00:00.000000Z - bulwark - - - m");
  EXPECT_EQ(formatSyslog(rules::Priority::Debug, 23, 0, "h o\tst", "", "x", "m"),
            "<191>1 1970-01-01T00:00:00.000000Z h_o_st bulwark - x - m");
}

TEST(SyslogFormat, SeverityFollowsFalcoPriority) {
  EXPECT_EQ(syslogSeverity(rules::Priority::Emergency), 0);
  EXPECT_EQ(syslogSeverity(rules::Priority::Alert), 1);
  EXPECT_EQ(syslogSeverity(rules::Priority::Critical), 2);
  EXPECT_EQ(syslogSeverity(rules::Priority::Error), 3);
  EXPECT_EQ(syslogSeverity(rules::Priority::Warning), 4);
  EXPECT_EQ(syslogSeverity(rules::Priority::Notice), 5);
  EXPECT_EQ(syslogSeverity(rules::Priority::Informational), 6);
  EXPECT_EQ(syslogSeverity(rules::Priority::Debug), 7);
}

TEST(SyslogFormat, MsgIdIsPrintableAndAtMost32Bytes) {
  EXPECT_EQ(syslogMsgId("abcdefghijklmnopqrstuvwxyz 0123456789"),
            "abcdefghijklmnopqrstuvwxyz_01234");
  EXPECT_EQ(syslogMsgId("Write below /etc"), "Write_below_/etc");
  EXPECT_EQ(syslogMsgId("caf\xc3\xa9"), "caf__");
  EXPECT_EQ(syslogMsgId(""), "-");
}

TEST(SyslogFormat, OctetCountingCountsBytes) {
  EXPECT_EQ(octetFrame("abc"), "3 abc");
  EXPECT_EQ(octetFrame("\xc3\xa9"), "2 \xc3\xa9");
  EXPECT_EQ(octetFrame(""), "0 ");
  const std::string message = formatSyslog(rules::Priority::Notice, 16, kTs, "h", "1", "m", "x");
  EXPECT_EQ(octetFrame(message), std::to_string(message.size()) + " " + message);
}

SinkAlert shellAlert() {
  SinkAlert alert;
  alert.rule = "Shell spawned";
  alert.priority = rules::Priority::Warning;
  alert.tags = {"shell", "mitre_execution"};
  alert.ts_ns = kTs;
  alert.hostname = "h|1";
  alert.output = "a=b|c\\d\nx";
  alert.fields = {{"user.name", "alice"}, {"proc.name", "bash"}, {"fd.name", std::nullopt}};
  return alert;
}

TEST(CefFormat, HeaderAndExtensionEscaping) {
  EXPECT_EQ(formatCef(shellAlert(), "1.2.3"),
            R"(CEF:0|bulwark|bulwark|1.2.3|Shell spawned|Shell spawned|6|rt=1795514400001 )"
            R"(dhost=h|1 msg=a\=b|c\\d\nx cs1Label=tags cs1=shell,mitre_execution suser=alice )"
            R"(sproc=bash)");
  SinkAlert alert = shellAlert();
  alert.rule = "a|b\\c\nd";
  alert.rule_id = "BW-RT-215";
  alert.priority = rules::Priority::Emergency;
  alert.tags.clear();
  alert.fields = {{"ka.user.name", "system:admin"}, {"evt.count", "3"}};
  EXPECT_EQ(formatCef(alert, "0.9"),
            R"(CEF:0|bulwark|bulwark|0.9|BW-RT-215|a\|b\\c d|10|rt=1795514400001 dhost=h|1 )"
            R"(msg=a\=b|c\\d\nx cs1Label=tags cs1= suser=system:admin cnt=3)");
}

TEST(CefFormat, Escapers) {
  EXPECT_EQ(cefEscapeHeader(R"(a|b\c=d)"), R"(a\|b\\c=d)");
  EXPECT_EQ(cefEscapeHeader("a\r\nb"), "a  b");
  EXPECT_EQ(cefEscapeValue(R"(a|b\c=d)"), R"(a|b\\c\=d)");
  EXPECT_EQ(cefEscapeValue("a\r\nb"), R"(a\r\nb)");
}

TEST(CefFormat, SeverityScale) {
  EXPECT_EQ(cefSeverity(rules::Priority::Emergency), 10);
  EXPECT_EQ(cefSeverity(rules::Priority::Critical), 8);
  EXPECT_EQ(cefSeverity(rules::Priority::Warning), 6);
  EXPECT_EQ(cefSeverity(rules::Priority::Informational), 3);
  EXPECT_EQ(cefSeverity(rules::Priority::Debug), 0);
}

TEST(SinkSpecParse, GoodSpecs) {
  auto spec = parseSinkSpec("stdout");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->kind, SinkSpec::Kind::Stdout);

  spec = parseSinkSpec("file:/var/log/bulwark/alerts.json");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->kind, SinkSpec::Kind::File);
  EXPECT_EQ(spec->path, "/var/log/bulwark/alerts.json");

  spec = parseSinkSpec("syslog+tcp://127.0.0.1:514");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->kind, SinkSpec::Kind::SyslogTcp);
  EXPECT_EQ(spec->host, "127.0.0.1");
  EXPECT_EQ(spec->port, 514);
  EXPECT_EQ(spec->facility, 16);

  spec = parseSinkSpec("syslog+tls://logs.example.com:6514?facility=3&ca=/etc/ca.pem");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->kind, SinkSpec::Kind::SyslogTls);
  EXPECT_EQ(spec->host, "logs.example.com");
  EXPECT_EQ(spec->port, 6514);
  EXPECT_EQ(spec->facility, 3);
  EXPECT_EQ(spec->ca, "/etc/ca.pem");

  spec = parseSinkSpec("syslog+udp://[::1]:514");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->kind, SinkSpec::Kind::SyslogUdp);
  EXPECT_EQ(spec->host, "::1");

  spec = parseSinkSpec("cef+udp://siem:514?facility=4");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->kind, SinkSpec::Kind::CefUdp);
  EXPECT_EQ(spec->facility, 4);
  ASSERT_TRUE(parseSinkSpec("cef+tcp://siem:514"));

  spec = parseSinkSpec("nats://127.0.0.1:4222/ALERTS/bulwark.alerts");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->kind, SinkSpec::Kind::Nats);
  EXPECT_EQ(spec->host, "127.0.0.1");
  EXPECT_EQ(spec->port, 4222);
  EXPECT_EQ(spec->stream, "ALERTS");
  EXPECT_EQ(spec->subject, "bulwark.alerts");

  spec = parseSinkSpec("https://alice:s3cret@siem.example:8443/ingest?x=1");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->kind, SinkSpec::Kind::Http);
  EXPECT_EQ(spec->url, "https://alice:s3cret@siem.example:8443/ingest?x=1");
  EXPECT_EQ(displayName(*spec), "https://***@siem.example:8443/ingest?x=1");
  spec = parseSinkSpec("http://127.0.0.1:8080/alerts");
  ASSERT_TRUE(spec);
  EXPECT_EQ(displayName(*spec), "http://127.0.0.1:8080/alerts");
}

TEST(SinkSpecParse, BadSpecsAreUsageErrors) {
  for (const char* text : {"",
                           "stderr",
                           "file:",
                           "ftp://h/x",
                           "syslog+udp://h",
                           "syslog+udp://h:0",
                           "syslog+udp://h:65536",
                           "syslog+udp://h:port",
                           "syslog+udp://:514",
                           "syslog+udp://h o:1",
                           "syslog+tcp://h:514?facility=24",
                           "syslog+tcp://h:514?facility=",
                           "syslog+tcp://h:514?ca=x",
                           "syslog+tls://h:514?ca=",
                           "syslog+tls://h:514?insecure=1",
                           "cef+tls://h:1",
                           "syslog+udp://[::1:514",
                           "nats://h:4222",
                           "nats://h:4222/STREAM",
                           "nats://h:4222/ST.R/s",
                           "nats://h:4222/S/a.*",
                           "nats://h:4222/S/a..b",
                           "nats://h:4222/S/a>",
                           "http://",
                           "https:///path",
                           "http://h/a b"}) {
    auto spec = parseSinkSpec(text);
    ASSERT_FALSE(spec) << text;
    EXPECT_EQ(spec.error().code, core::ErrorCode::Usage) << text;
    EXPECT_FALSE(spec.error().message.empty());
  }
  EXPECT_FALSE(parseSinkSpec("file:" + std::string(5000, 'x')));
}

TEST(RateLimit, ParsesRates) {
  EXPECT_DOUBLE_EQ(*parseRate("50"), 50);
  EXPECT_DOUBLE_EQ(*parseRate("50/s"), 50);
  EXPECT_DOUBLE_EQ(*parseRate("0.5/s"), 0.5);
  for (const char* bad : {"", "/s", "0", "-1", "abc", "5/m", "inf", "nan", "5 /s"}) {
    auto rate = parseRate(bad);
    ASSERT_FALSE(rate) << bad;
    EXPECT_EQ(rate.error().code, core::ErrorCode::Usage);
  }
}

TEST(RateLimit, TokenBucketPerRuleOnEventTime) {
  constexpr std::int64_t kSecond = 1'000'000'000;
  RateLimiter limiter(1, 2);
  EXPECT_TRUE(limiter.allow("A", 0));              // the bucket starts full: 2
  EXPECT_TRUE(limiter.allow("A", 0));              // 1
  EXPECT_FALSE(limiter.allow("A", 0));             // 0
  EXPECT_FALSE(limiter.allow("A", kSecond / 2));   // 0.5
  EXPECT_TRUE(limiter.allow("B", 0));              // another rule, another bucket
  EXPECT_TRUE(limiter.allow("A", kSecond));        // 1.0
  EXPECT_FALSE(limiter.allow("A", kSecond / 5));   // backwards: no refill
  EXPECT_TRUE(limiter.allow("A", 100 * kSecond));  // refills up to the burst only
  EXPECT_TRUE(limiter.allow("A", 100 * kSecond));
  EXPECT_FALSE(limiter.allow("A", 100 * kSecond));
  const std::map<std::string, std::uint64_t> expected = {{"A", 4}};
  EXPECT_EQ(limiter.suppressed(), expected);
}

// A sink that holds its first alert until released (or the exit bound aborts it).
class GateSink : public Sink {
 public:
  struct Shared {
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;
    std::promise<void> entered;
    std::atomic<int> writes{0};
  };
  explicit GateSink(Shared& shared) : shared_(shared) {}
  Delivery write(const SinkAlert& /*alert*/, std::string& error) override {
    if (shared_.writes++ == 0) shared_.entered.set_value();
    while (!aborted()) {
      std::unique_lock lock(shared_.mutex);
      if (shared_.cv.wait_for(lock, std::chrono::milliseconds(10), [&] { return shared_.open; })) {
        return Delivery::Sent;
      }
    }
    error = "aborted";
    return Delivery::Failed;
  }

 private:
  Shared& shared_;
};

std::shared_ptr<const SinkAlert> anAlert() { return std::make_shared<const SinkAlert>(); }

TEST(SinkRunner, FullQueueDropsAndCounts) {
  GateSink::Shared shared;
  auto entered = shared.entered.get_future();
  SinkRunner runner("gate", std::make_unique<GateSink>(shared), 4);
  ASSERT_TRUE(runner.push(anAlert()));
  entered.wait();  // the sink's thread holds the first alert: the queue is empty
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(runner.push(anAlert()));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(runner.push(anAlert()));
  {
    const std::lock_guard lock(shared.mutex);
    shared.open = true;
  }
  shared.cv.notify_all();
  runner.finish();
  const SinkStats stats = runner.stats();
  EXPECT_EQ(stats.sent, 5U);
  EXPECT_EQ(stats.dropped, 3U);
  EXPECT_EQ(stats.failed, 0U);
  EXPECT_EQ(stats.unsent, 0U);
  EXPECT_FALSE(runner.push(anAlert()));  // finished
}

TEST(SinkRunner, DefaultCapacityIs4096) {
  GateSink::Shared shared;
  auto entered = shared.entered.get_future();
  SinkRunner runner("gate", std::make_unique<GateSink>(shared));
  ASSERT_TRUE(runner.push(anAlert()));
  entered.wait();
  std::size_t accepted = 0;
  for (int i = 0; i < 5000; ++i) accepted += runner.push(anAlert()) ? 1 : 0;
  EXPECT_EQ(accepted, kSinkQueueCapacity);
  EXPECT_EQ(runner.stats().dropped, 5000 - kSinkQueueCapacity);
  {
    const std::lock_guard lock(shared.mutex);
    shared.open = true;
  }
  shared.cv.notify_all();
  runner.finish();
  EXPECT_EQ(runner.stats().sent, kSinkQueueCapacity + 1);
}

TEST(SinkRunner, ExitBoundCountsWhatIsLeft) {
  GateSink::Shared shared;  // never opened
  auto entered = shared.entered.get_future();
  SinkRunner runner("gate", std::make_unique<GateSink>(shared), 8);
  ASSERT_TRUE(runner.push(anAlert()));
  entered.wait();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(runner.push(anAlert()));
  runner.finish(std::chrono::milliseconds(50));
  const SinkStats stats = runner.stats();
  EXPECT_EQ(stats.sent, 0U);
  EXPECT_EQ(stats.failed, 1U);  // the held alert, aborted
  EXPECT_EQ(stats.unsent, 5U);
  EXPECT_EQ(stats.last_error, "aborted");
}

// Counts what it is given.
class CountSink : public Sink {
 public:
  explicit CountSink(std::atomic<int>& count) : count_(count) {}
  Delivery write(const SinkAlert& /*alert*/, std::string& /*error*/) override {
    ++count_;
    return Delivery::Sent;
  }

 private:
  std::atomic<int>& count_;
};

TEST(SinkRunner, WaitWhenFullLosesNothing) {
  std::atomic<int> count{0};
  SinkRunner runner("count", std::make_unique<CountSink>(count), 2, SinkMode::QueueWaitFull);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(runner.push(anAlert()));
  runner.finish();
  EXPECT_EQ(count.load(), 1000);
  EXPECT_EQ(runner.stats().sent, 1000U);
  EXPECT_EQ(runner.stats().dropped, 0U);
}

// Records the thread of every write and counts flushes.
class ThreadSink : public Sink {
 public:
  Delivery write(const SinkAlert& /*alert*/, std::string& /*error*/) override {
    threads.push_back(std::this_thread::get_id());
    return Delivery::Sent;
  }
  core::Status flush() override {
    ++flushes;
    return {};
  }
  std::vector<std::thread::id> threads;
  int flushes = 0;
};

TEST(SinkRunner, InlineWritesOnTheCallersThreadAndFlushesAtFinish) {
  auto owned = std::make_unique<ThreadSink>();
  ThreadSink& sink = *owned;
  SinkRunner runner("inline", std::move(owned), 2, SinkMode::Inline);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(runner.push(anAlert()));  // no queue to fill
  EXPECT_EQ(sink.threads.size(), 100U);                               // written already, in push
  EXPECT_EQ(sink.flushes, 0);
  runner.finish();
  runner.finish();  // once only
  EXPECT_EQ(sink.flushes, 1);
  for (const auto& id : sink.threads) EXPECT_EQ(id, std::this_thread::get_id());
  EXPECT_EQ(runner.stats().sent, 100U);
  EXPECT_FALSE(runner.push(anAlert()));  // finished
}

TEST(SinkRunner, AQueueDeliversEverythingInOrderAcrossBatches) {
  auto owned = std::make_unique<ThreadSink>();
  ThreadSink& sink = *owned;
  SinkRunner runner("queue", std::move(owned), 64, SinkMode::QueueWaitFull);
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(runner.push(anAlert()));
  runner.finish();
  EXPECT_EQ(sink.threads.size(), 5000U);
  EXPECT_NE(sink.threads.front(), std::this_thread::get_id());
  EXPECT_GE(sink.flushes, 1);
  EXPECT_EQ(runner.stats().sent, 5000U);
  EXPECT_EQ(runner.stats().unsent, 0U);
}

}  // namespace
}  // namespace bulwark::pipeline::sinks
