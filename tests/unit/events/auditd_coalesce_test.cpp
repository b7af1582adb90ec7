// The coalescer (src/events/auditd/coalesce.h) and the log reader (file_reader.h):
//  - go-libaudit's sequence logs (testdata/*.log): events, records per event, lost serials,
//    counted by hand from the logs (see each test);
//  - every aucoalesce test input (aucoalesce/testdata/*.yaml) becomes exactly one event with
//    the records of the input, and what maps directly onto go-libaudit's coalesced event
//    (sequence, @timestamp, record_type, result, session, tags, process pid/ppid/name/exe/cwd/
//    args/title, user.ids, data.syscall/arch/exit/tty) equals its .json.golden; the summary
//    and ECS normalisation are out of scope;
//  - crafted streams: EOE, standalone types, eviction, gaps filled late, serial wrap and reset.
#include <algorithm>
#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "events/auditd/coalesce.h"
#include "events/auditd/file_reader.h"
#include "testdata.h"

namespace {

namespace ad = bulwark::events::auditd;
using bulwark::core::Diagnostics;
using nlohmann::json;

constexpr std::string_view kLibaudit = "runtime/elastic-go-libaudit";

struct Seen {
  std::uint32_t serial;
  std::vector<std::string> types;
  ad::Completion completion;
};

struct LogRun {
  std::vector<Seen> events;
  std::vector<json> summaries;
  ad::LogReaderStats stats;
  std::vector<bulwark::core::Diagnostic> diagnostics;
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string goTimestamp(std::int64_t ns) {
  const std::time_t sec = ns / 1'000'000'000;
  std::int64_t frac = ns % 1'000'000'000;
  std::tm tm{};
  gmtime_r(&sec, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (frac != 0) {
    std::string digits = fmt::format("{:09d}", frac);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + "Z";
}

// The fields of go-libaudit's coalesced event that map directly onto ours.
json summarize(const ad::AuditEvent& event) {
  json out;
  out["sequence"] = event.serial;
  out["@timestamp"] = goTimestamp(event.ts_ns);
  const ad::Record* kind = event.kind();
  out["record_type"] = lower(kind->typeName());
  const auto value = [&](std::string_view key) -> std::string {
    const auto found = event.get(key);
    return found ? std::string(*found) : std::string();
  };
  out["result"] = event.get("result") ? value("result") : "unknown";
  out["session"] = event.get("ses") ? value("ses") : "unset";
  const auto tags = event.tags();
  if (!tags.empty()) out["tags"] = std::vector<std::string>(tags.begin(), tags.end());
  json process = json::object();
  const auto put = [&](json& to, const char* name, std::string_view key) {
    if (const auto found = event.get(key)) to[name] = std::string(*found);
  };
  put(process, "pid", "pid");
  put(process, "ppid", "ppid");
  put(process, "name", "comm");
  put(process, "exe", "exe");
  if (const ad::Record* cwd = event.find(ad::record_type::kCwd)) {
    process["cwd"] = std::string(cwd->get("cwd").value_or(""));
  } else {
    put(process, "cwd", "cwd");
  }
  if (const ad::Record* title = event.find(ad::record_type::kProctitle)) {
    if (const auto text = title->get("proctitle")) process["title"] = std::string(*text);
  }
  const auto args = event.args();
  if (!args.empty()) process["args"] = args;
  out["process"] = process;
  json ids = json::object();
  const ad::Record* primary = event.primary();
  for (const char* key :
       {"auid", "uid", "gid", "euid", "egid", "suid", "sgid", "fsuid", "fsgid", "old-auid"}) {
    if (const auto found = primary->get(key)) ids[key] = std::string(*found);
  }
  out["ids"] = ids;
  json data = json::object();
  if (const ad::Record* syscall = event.find(ad::record_type::kSyscall)) {
    for (const char* key : {"syscall", "arch", "exit", "tty"}) {
      if (const auto found = syscall->get(key)) data[key] = std::string(*found);
    }
  }
  out["data"] = data;
  return out;
}

// The same fields from a golden event.
json project(const json& golden) {
  json out;
  for (const char* key : {"sequence", "@timestamp", "record_type", "result", "session", "tags"}) {
    if (golden.contains(key)) out[key] = golden[key];
  }
  json process = json::object();
  for (const char* key : {"pid", "ppid", "name", "exe", "cwd", "title", "args"}) {
    if (golden["process"].contains(key)) process[key] = golden["process"][key];
  }
  out["process"] = process;
  out["ids"] = golden["user"].value("ids", json::object());
  json data = json::object();
  if (golden["record_type"] == "syscall" || golden["data"].contains("syscall")) {
    for (const char* key : {"syscall", "arch", "exit", "tty"}) {
      if (golden["data"].contains(key)) data[key] = golden["data"][key];
    }
  }
  out["data"] = data;
  return out;
}

LogRun readText(std::string_view text, ad::CoalescerOptions options = {}) {
  LogRun run;
  Diagnostics diagnostics;
  ad::LogReader reader(
      "test",
      [&](const ad::AuditEvent& event) {
        Seen seen{event.serial, {}, event.completion};
        for (const auto& record : event.records) seen.types.emplace_back(record.typeName());
        run.events.push_back(seen);
        run.summaries.push_back(summarize(event));
      },
      options);
  reader.feed(text, diagnostics);
  reader.finish(diagnostics);
  run.stats = reader.stats();
  run.diagnostics = diagnostics.sorted();
  return run;
}

LogRun readShared(std::string_view relative) {
  return readText(bulwark::testing::readFile(bulwark::testing::sharedTestdata() / relative));
}

std::vector<std::uint32_t> serials(const LogRun& run) {
  std::vector<std::uint32_t> out;
  for (const auto& event : run.events) out.push_back(event.serial);
  return out;
}

std::vector<std::size_t> sizes(const LogRun& run) {
  std::vector<std::size_t> out;
  for (const auto& event : run.events) out.push_back(event.types.size());
  return out;
}

// normal.log: 17 records, serials 58..62 without a gap and no EOE: 58 (SYSCALL SOCKADDR),
// 59 and 60 (SYSCALL EXECVE CWD PATH PATH), 61 (SYSCALL SOCKADDR CWD PATH), 62 (SYSCALL).
// 58 and 59 complete by the 2 s timeout once 61 arrives at +9.5 s (and 8 records later);
// 60, 61, 62 at the end of the file.
TEST(AuditdSequenceLogs, Normal) {
  BULWARK_REQUIRE_SHARED(kLibaudit);
  const LogRun run = readShared("runtime/elastic-go-libaudit/testdata/normal.log");
  EXPECT_EQ(run.stats.records, 17U);
  EXPECT_EQ(serials(run), (std::vector<std::uint32_t>{58, 59, 60, 61, 62}));
  EXPECT_EQ(sizes(run), (std::vector<std::size_t>{2, 5, 5, 4, 1}));
  EXPECT_EQ(run.events[0].completion, ad::Completion::Timeout);
  EXPECT_EQ(run.events[4].completion, ad::Completion::Flushed);
  EXPECT_EQ(run.stats.coalescer.lost, 0U);
  EXPECT_EQ(run.stats.coalescer.incomplete, 0U);
  EXPECT_EQ(run.stats.coalescer.timed_out, 2U);
  EXPECT_EQ(run.stats.coalescer.flushed, 3U);
  EXPECT_TRUE(run.diagnostics.empty());
}

// lost_messages.log: normal.log with the first event's serial 49 instead of 58: serials 50..58
// never arrive, 9 lost.
TEST(AuditdSequenceLogs, LostMessages) {
  BULWARK_REQUIRE_SHARED(kLibaudit);
  const LogRun run = readShared("runtime/elastic-go-libaudit/testdata/lost_messages.log");
  EXPECT_EQ(serials(run), (std::vector<std::uint32_t>{49, 59, 60, 61, 62}));
  EXPECT_EQ(run.stats.coalescer.lost, 9U);
  ASSERT_EQ(run.diagnostics.size(), 1U);
  EXPECT_EQ(run.diagnostics[0].kind, "auditd.lost");
}

// out_of_order.log: normal.log with 60's last PATH after 61's SYSCALL (9.5 s later in event
// time) and 61's PATH after 62: each still joins its event; nothing lost.
TEST(AuditdSequenceLogs, OutOfOrder) {
  BULWARK_REQUIRE_SHARED(kLibaudit);
  const LogRun run = readShared("runtime/elastic-go-libaudit/testdata/out_of_order.log");
  EXPECT_EQ(serials(run), (std::vector<std::uint32_t>{58, 59, 60, 61, 62}));
  EXPECT_EQ(sizes(run), (std::vector<std::size_t>{2, 5, 5, 4, 1}));
  EXPECT_EQ(run.events[2].types.back(), "PATH");
  EXPECT_EQ(run.stats.coalescer.lost, 0U);
  EXPECT_EQ(run.stats.coalescer.late_records, 0U);
}

// rollover.log: serials 4294967294, 4294967295, 0, 1, 2: the wrap at 2^32 is no gap.
TEST(AuditdSequenceLogs, Rollover) {
  BULWARK_REQUIRE_SHARED(kLibaudit);
  const LogRun run = readShared("runtime/elastic-go-libaudit/testdata/rollover.log");
  EXPECT_EQ(serials(run), (std::vector<std::uint32_t>{4294967294U, 4294967295U, 0, 1, 2}));
  EXPECT_EQ(run.stats.coalescer.lost, 0U);
  EXPECT_EQ(run.stats.coalescer.serial_resets, 0U);
}

struct YamlTest {
  std::string name;
  std::string text;
};

// The aucoalesce files: `tests:` then `  NAME: |` (or `>`, single lines there) and the records
// indented by four spaces; comments and blank lines between tests.
std::vector<YamlTest> yamlTests(const std::string& text) {
  std::vector<YamlTest> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    if (line.starts_with("    ") && !out.empty()) {
      out.back().text += line.substr(4) + "\n";
    } else if (line.starts_with("  ") && !line.starts_with("  #") &&
               line.find(": ") != std::string::npos) {
      out.push_back({line.substr(2, line.rfind(": ") - 2), ""});
    }
  }
  return out;
}

TEST(AuditdAucoalesce, EachTestIsOneEventLikeTheGolden) {
  BULWARK_REQUIRE_SHARED(kLibaudit);
  const auto dir = bulwark::testing::sharedTestdata() / kLibaudit / "aucoalesce" / "testdata";
  std::size_t tests = 0;
  std::size_t agree = 0;
  for (const char* base : {"random-internet", "rhel-7-linux-3.10.0", "ubuntu-16.04-linux-4.13.0",
                           "ubuntu-16.10-linux-4.8.0", "ubuntu-17.04-linux-4.10.0",
                           "ubuntu-20.04.6-linux-5.15.0-1034-gcp", "ubuntu-21.10-linux-5.13",
                           "ubuntu-24.04-linux-6.8.0"}) {
    const auto inputs = yamlTests(bulwark::testing::readFile(dir / (std::string(base) + ".yaml")));
    const auto golden =
        json::parse(bulwark::testing::readFile(dir / (std::string(base) + ".json.golden")));
    std::map<std::string, json> by_name;
    for (const auto& entry : golden) by_name[entry["test_name"]] = entry["event"];
    ASSERT_EQ(inputs.size(), by_name.size()) << base;
    for (const auto& input : inputs) {
      SCOPED_TRACE(fmt::format("{}: {}", base, input.name));
      ++tests;
      const LogRun run = readText(input.text);
      std::vector<std::string> types;
      for (std::size_t at = 0; at < input.text.size();) {
        const std::size_t end = input.text.find('\n', at);
        const std::string line = input.text.substr(at, end - at);
        at = end == std::string::npos ? input.text.size() : end + 1;
        if (line.empty()) continue;
        types.push_back(line.substr(5, line.find(' ') - 5));
      }
      EXPECT_EQ(run.stats.bad_records, 0U);
      ASSERT_EQ(run.events.size(), 1U);
      EXPECT_EQ(run.events[0].types, types);
      ASSERT_TRUE(by_name.contains(input.name));
      const json want = project(by_name[input.name]);
      EXPECT_EQ(run.summaries[0], want) << "ours:   " << run.summaries[0].dump() << "\n"
                                        << "golden: " << want.dump();
      agree += run.summaries[0] == want ? 1 : 0;
    }
  }
  EXPECT_EQ(tests, 48U);
  EXPECT_EQ(agree, tests);
  std::printf("aucoalesce: %zu of %zu events agree with the golden on the mapped fields\n", agree,
              tests);
}

ad::Record record(std::string_view line) {
  auto parsed = ad::parseLine(line);
  EXPECT_TRUE(parsed.has_value()) << line;
  return parsed ? std::move(*parsed) : ad::Record{};
}

std::string line(std::string_view type, std::int64_t sec, std::uint32_t serial,
                 std::string_view data = "a=b") {
  return fmt::format("type={} msg=audit({}.000:{}): {}", type, sec, serial, data);
}

struct Collector {
  std::vector<Seen> events;
  std::vector<std::vector<std::string>> args;
  ad::AuditEventCallback callback() {
    return [this](const ad::AuditEvent& event) {
      Seen seen{event.serial, {}, event.completion};
      for (const auto& r : event.records) seen.types.emplace_back(r.typeName());
      events.push_back(seen);
      args.push_back(event.args());
    };
  }
};

TEST(AuditdCoalescer, EoeAndStandalone) {
  Collector seen;
  ad::Coalescer coalescer(seen.callback());
  coalescer.push(record(line("SYSCALL", 100, 7)));
  coalescer.push(record(line("USER_LOGIN", 100, 8)));  // delivered at once
  coalescer.push(record(
      line("EXECVE", 100, 7, "argc=3 a0=\"sh\" a1_len=4 a1[0]=\"ab\" a1[1]=6364 a2=\"x y\"")));
  coalescer.push(record(line("EOE", 100, 7, "")));
  ASSERT_EQ(seen.events.size(), 2U);
  EXPECT_EQ(seen.events[0].serial, 8U);
  EXPECT_EQ(seen.events[0].completion, ad::Completion::Standalone);
  EXPECT_EQ(seen.events[1].types, (std::vector<std::string>{"SYSCALL", "EXECVE", "EOE"}));
  EXPECT_EQ(seen.events[1].completion, ad::Completion::Eoe);
  EXPECT_EQ(seen.args[1], (std::vector<std::string>{"sh", "abcd", "x y"}));
  EXPECT_EQ(coalescer.inFlight(), 0U);
  EXPECT_EQ(coalescer.stats().lost, 0U);
}

TEST(AuditdCoalescer, SameSerialDifferentTimeIsAnotherEvent) {
  Collector seen;
  ad::Coalescer coalescer(seen.callback());
  coalescer.push(record(line("SYSCALL", 100, 7)));
  coalescer.push(record(line("SYSCALL", 101, 7)));
  coalescer.flush();
  EXPECT_EQ(seen.events.size(), 2U);
}

TEST(AuditdCoalescer, EvictionCountsIncomplete) {
  Collector seen;
  ad::CoalescerOptions options;
  options.max_in_flight = 3;
  ad::Coalescer coalescer(seen.callback(), options);
  for (std::uint32_t serial = 1; serial <= 5; ++serial) {
    coalescer.push(record(line("SYSCALL", 100, serial)));
  }
  EXPECT_EQ(coalescer.stats().incomplete, 2U);
  ASSERT_EQ(seen.events.size(), 2U);
  EXPECT_EQ(seen.events[0].serial, 1U);
  EXPECT_EQ(seen.events[0].completion, ad::Completion::Evicted);
  coalescer.flush();
  EXPECT_EQ(seen.events.size(), 5U);
  EXPECT_EQ(coalescer.stats().flushed, 3U);
}

TEST(AuditdCoalescer, GapsFilledLateAreNotLost) {
  Collector seen;
  ad::Coalescer coalescer(seen.callback());
  coalescer.push(record(line("SYSCALL", 100, 10)));
  coalescer.push(record(line("SYSCALL", 100, 15)));  // 11..14 missing
  coalescer.push(record(line("SYSCALL", 100, 12)));  // out of order
  coalescer.push(record(line("SYSCALL", 100, 14)));
  EXPECT_EQ(coalescer.stats().out_of_order, 2U);
  coalescer.push(record(line("SYSCALL", 103, 16)));  // 3 s later: 11 and 13 are lost
  EXPECT_EQ(coalescer.stats().lost, 2U);
  coalescer.push(record(line("SYSCALL", 103, 18)));  // 17 open until the end
  coalescer.flush();
  EXPECT_EQ(coalescer.stats().lost, 3U);
  EXPECT_EQ(seen.events.size(), 6U);
}

TEST(AuditdCoalescer, SerialResetIsNotALoss) {
  Collector seen;
  ad::Coalescer coalescer(seen.callback());
  coalescer.push(record(line("SYSCALL", 100, 50'000'000)));
  coalescer.push(record(line("SYSCALL", 101, 3)));  // the kernel started again (a reboot)
  coalescer.push(record(line("SYSCALL", 101, 4)));
  coalescer.push(record(line("SYSCALL", 101, 3'000'000)));  // no 3 million records lost
  coalescer.push(record(line("SYSCALL", 101, 3'000'002)));  // but 1 here
  coalescer.flush();
  EXPECT_EQ(coalescer.stats().lost, 1U);
  EXPECT_EQ(coalescer.stats().serial_resets, 2U);
}

TEST(AuditdCoalescer, ExpireByWallClock) {
  Collector seen;
  ad::Coalescer coalescer(seen.callback());
  coalescer.push(record(line("SYSCALL", 100, 1)));
  coalescer.expire(std::int64_t{101} * 1'000'000'000);
  EXPECT_TRUE(seen.events.empty());
  coalescer.expire(std::int64_t{102} * 1'000'000'000);
  ASSERT_EQ(seen.events.size(), 1U);
  EXPECT_EQ(seen.events[0].completion, ad::Completion::Timeout);
}

TEST(AuditdLogReader, BadAndOversizeLines) {
  std::string text = line("SYSCALL", 100, 1) + "\n";
  text += "garbage\n";
  text += "\n";
  text += "type=SYSCALL msg=audit(" + std::string(ad::kMaxLineBytes, '1') + "\n";
  text += line("EOE", 100, 1, "") + "\r\n";
  text += line("USER_CMD", 100, 2);  // no final '\n'
  for (const std::size_t chunk :
       {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
    SCOPED_TRACE(chunk);
    Collector seen;
    Diagnostics diagnostics;
    ad::LogReader reader("f.log", seen.callback());
    if (chunk == 0) {
      reader.feed(text, diagnostics);
    } else {
      for (std::size_t at = 0; at < text.size(); at += chunk) {
        reader.feed(std::string_view(text).substr(at, chunk), diagnostics);
      }
    }
    reader.finish(diagnostics);
    const auto stats = reader.stats();
    EXPECT_EQ(stats.lines, 6U);
    EXPECT_EQ(stats.records, 3U);
    EXPECT_EQ(stats.bad_records, 1U);
    EXPECT_EQ(stats.oversize_lines, 1U);
    ASSERT_EQ(seen.events.size(), 2U);
    EXPECT_EQ(seen.events[0].types, (std::vector<std::string>{"SYSCALL", "EOE"}));
    const auto sorted = diagnostics.sorted();
    ASSERT_EQ(sorted.size(), 2U);
    EXPECT_EQ(sorted[0].kind, "auditd.malformed");
    EXPECT_EQ(sorted[0].where, "f.log:2");
    EXPECT_EQ(sorted[1].kind, "auditd.oversize");
    EXPECT_EQ(sorted[1].where, "f.log:4");
  }
}

TEST(AuditdLogReader, MissingFile) {
  Diagnostics diagnostics;
  const auto stats = ad::readLogFile(
      "/nonexistent/audit.log", [](const ad::AuditEvent&) {}, diagnostics);
  ASSERT_FALSE(stats.has_value());
  EXPECT_EQ(stats.error().code, bulwark::core::ErrorCode::NotFound);
}

TEST(AuditdLogReader, ReadsAFile) {
  BULWARK_REQUIRE_SHARED(kLibaudit);
  Diagnostics diagnostics;
  std::size_t events = 0;
  const auto stats = ad::readLogFile(
      (bulwark::testing::sharedTestdata() / kLibaudit / "auparse/testdata/audit-rhel7.log")
          .string(),
      [&](const ad::AuditEvent&) { ++events; }, diagnostics);
  ASSERT_TRUE(stats.has_value());
  // 50 lines (the last without '\n'): UNKNOWN[1329] msg=? is malformed; of the other 49
  // records CWD, EXECVE and PATH of serial 479 form one event, every other record is one:
  // 47 events. (The file is a sample of unrelated records, so its serial gaps mean nothing.)
  EXPECT_EQ(stats->lines, 50U);
  EXPECT_EQ(stats->bad_records, 1U);
  EXPECT_EQ(stats->records, 49U);
  EXPECT_EQ(events, 47U);
  EXPECT_EQ(events, stats->coalescer.events);
}

}  // namespace
