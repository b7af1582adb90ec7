// The k8s audit decoder (audit_event.h) and file source (file_source.h): Falco's 47 trace files
// decode as the k8saudit plugin decodes them, the derived JSON-lines stream and webhook body
// give the same 51 events, and bad input (oversize, no timestamp, not JSON, not an audit
// shape) is reported and survived.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "events/k8s_audit/audit_event.h"
#include "events/k8s_audit/file_source.h"
#include "testdata.h"

namespace {

namespace fs = std::filesystem;
namespace ka = bulwark::events::k8s_audit;
using bulwark::core::Diagnostic;
using bulwark::core::Diagnostics;
using bulwark::core::ErrorCode;

constexpr std::string_view kTraceDir =
    "runtime/falcosecurity-falco-0.34.1/test/trace_files/k8s_audit";

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("bulwark-k8s-audit-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] fs::path write(const std::string& name, std::string_view text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path_ / name;
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  static inline int counter = 0;
  fs::path path_;
};

// What a run gave: the events (auditID, ts, num) in order, the diagnostics, the stats.
struct SourceRun {
  bulwark::core::Status status;
  std::vector<std::string> ids;
  std::vector<std::int64_t> times;
  std::vector<std::uint64_t> nums;
  std::vector<Diagnostic> diagnostics;
  ka::FileSourceStats stats;
};

std::string auditId(const ka::AuditEvent& event) {
  std::string_view id;
  if (event.root["auditID"].get_string().get(id) != simdjson::SUCCESS) return "<none>";
  return std::string(id);
}

SourceRun runFile(const fs::path& path) {
  SourceRun run;
  Diagnostics diagnostics;
  ka::FileSource source(path.string());
  run.status = source.run(
      [&](const bulwark::events::Event& event) {
        EXPECT_EQ(event.source, bulwark::events::Source::K8sAudit);
        const auto* audit = static_cast<const ka::AuditEvent*>(event.payload);
        EXPECT_EQ(event.ts_ns, audit->ts_ns);
        run.ids.push_back(auditId(*audit));
        run.times.push_back(event.ts_ns);
        run.nums.push_back(event.num);
      },
      diagnostics);
  run.diagnostics = diagnostics.sorted();
  run.stats = source.stats();
  return run;
}

// A minimal event: auditID and stageTimestamp, plus `extra` members.
std::string event(std::string_view id, std::string_view stamp = "2024-01-02T03:04:05.123456Z",
                  std::string_view extra = "") {
  return fmt::format(R"({{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"{}",)"
                     R"("stage":"ResponseComplete","verb":"get"{}{}}})",
                     id, stamp.empty() ? "" : fmt::format(R"(,"stageTimestamp":"{}")", stamp),
                     extra);
}

std::vector<std::string> indexIds() {
  const auto path =
      bulwark::testing::sharedTestdata() / "runtime/derived/k8s_audit_events_index.json";
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.load(path.string()).get(root), simdjson::SUCCESS);
  std::vector<std::string> ids;
  for (const auto line : root["lines"].get_array()) {
    ids.emplace_back(std::string_view(line["auditID"].get_string()));
  }
  return ids;
}

bool hasDiagnostic(const SourceRun& run, std::string_view kind, std::string_view where_suffix,
                   std::string_view detail_part = "") {
  return std::any_of(run.diagnostics.begin(), run.diagnostics.end(), [&](const Diagnostic& d) {
    return d.kind == kind && d.where.ends_with(where_suffix) &&
           d.detail.find(detail_part) != std::string::npos;
  });
}

// --- Falco's data ---------------------------------------------------------------------------

TEST(K8sAuditFileSource, FalcoTraceFilesDecodeAsThePluginDoes) {
  BULWARK_REQUIRE_SHARED(std::string(kTraceDir));
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(bulwark::testing::sharedTestdata() / kTraceDir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 47U);
  std::size_t total = 0;
  std::size_t good_files = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    const SourceRun run = runFile(file);
    ASSERT_TRUE(run.status.has_value()) << run.status.error().message;
    const std::string name = file.filename().string();
    if (name == "fal_01_003.json") {
      EXPECT_TRUE(run.ids.empty());
      ASSERT_EQ(run.diagnostics.size(), 1U);
      EXPECT_EQ(run.diagnostics[0].kind, "k8s-audit.malformed");
      EXPECT_EQ(run.diagnostics[0].where, file.string() + ":1");
      EXPECT_NE(run.diagnostics[0].detail.find("data not recognized as a k8s audit event"),
                std::string::npos);
      EXPECT_EQ(run.stats.bad_lines, 1U);
      continue;
    }
    ++good_files;
    EXPECT_TRUE(run.diagnostics.empty());
    EXPECT_EQ(run.ids.size(), name == "create_configmap_sensitive_values.json" ? 6U : 1U);
    EXPECT_EQ(run.stats.events, run.ids.size());
    EXPECT_EQ(run.stats.skipped_events, 0U);
    EXPECT_EQ(run.stats.bad_lines, 0U);
    for (std::size_t i = 0; i < run.nums.size(); ++i) EXPECT_EQ(run.nums[i], i + 1);
    total += run.ids.size();
  }
  EXPECT_EQ(good_files, 46U);
  EXPECT_EQ(total, 51U);
}

TEST(K8sAuditFileSource, DerivedJsonLinesGiveTheIndexedEventsInOrder) {
  BULWARK_REQUIRE_SHARED("runtime/derived/k8s_audit_events.jsonl");
  const SourceRun run =
      runFile(bulwark::testing::sharedTestdata() / "runtime/derived/k8s_audit_events.jsonl");
  ASSERT_TRUE(run.status.has_value()) << run.status.error().message;
  EXPECT_TRUE(run.diagnostics.empty());
  const auto expected = indexIds();
  ASSERT_EQ(expected.size(), 51U);
  EXPECT_EQ(run.ids, expected);
  EXPECT_EQ(run.stats.lines, 51U);
  EXPECT_EQ(run.stats.events, 51U);
  ASSERT_EQ(run.times.size(), 51U);
  // Line 1: stageTimestamp 2018-10-25T13:58:49.736141Z.
  EXPECT_EQ(run.times[0], 1540475929736141000);
  EXPECT_EQ(run.nums.front(), 1U);
  EXPECT_EQ(run.nums.back(), 51U);
}

TEST(K8sAuditFileSource, ReadsAFileLargerThanOneBlockAcrossBlockBoundaries) {
  BULWARK_REQUIRE_SHARED("runtime/derived/k8s_audit_events.jsonl");
  const std::string lines = bulwark::testing::readFile(bulwark::testing::sharedTestdata() /
                                                       "runtime/derived/k8s_audit_events.jsonl");
  std::string big;
  for (int i = 0; i < 30; ++i) big += lines;  // ≈ 2.7 MB: three blocks, lines cut at each end
  TempDir dir;
  const SourceRun run = runFile(dir.write("big.jsonl", big));
  ASSERT_TRUE(run.status.has_value());
  EXPECT_TRUE(run.diagnostics.empty());
  ASSERT_EQ(run.ids.size(), 51U * 30);
  const auto expected = indexIds();
  for (std::size_t i = 0; i < run.ids.size(); ++i) {
    ASSERT_EQ(run.ids[i], expected[i % 51]) << i;
    ASSERT_EQ(run.nums[i], i + 1);
  }
  EXPECT_EQ(run.stats.lines, 51U * 30);
}

TEST(K8sAuditBody, WebhookEventListGivesTheSame51Events) {
  BULWARK_REQUIRE_SHARED("runtime/derived/k8s_audit_eventlist_webhook_body.json");
  const std::string body = bulwark::testing::readFile(
      bulwark::testing::sharedTestdata() / "runtime/derived/k8s_audit_eventlist_webhook_body.json");
  simdjson::dom::parser parser;
  std::vector<ka::AuditEvent> events;
  std::size_t skipped = 0;
  const auto status = ka::parseAuditBody(body, parser, events, skipped);
  ASSERT_TRUE(status.has_value()) << status.error().message;
  EXPECT_EQ(skipped, 0U);
  std::vector<std::string> ids;
  ids.reserve(events.size());
  for (const auto& e : events) ids.push_back(auditId(e));
  EXPECT_EQ(ids, indexIds());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].ts_ns, 1540475929736141000);
}

TEST(K8sAuditBody, LimitsAndShapes) {
  simdjson::dom::parser parser;
  std::vector<ka::AuditEvent> events;
  std::size_t skipped = 0;
  const std::string huge(ka::kMaxBodyBytes + 1, ' ');
  auto status = ka::parseAuditBody(huge, parser, events, skipped);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::Limit);

  status = ka::parseAuditBody(R"({"kind":"Event")", parser, events, skipped);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::Input);

  for (const std::string_view body :
       {R"({"kind":0})", R"({"kind":"Pod"})", R"({"apiVersion":"audit.k8s.io/v1"})", R"("Event")",
        R"({"kind":"EventList"})", R"({"kind":"EventList","items":{}})", "null", "[1]"}) {
    SCOPED_TRACE(body);
    status = ka::parseAuditBody(body, parser, events, skipped);
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().code, ErrorCode::Input);
    EXPECT_EQ(status.error().message, ka::kNotAuditEvent);
  }
  EXPECT_TRUE(events.empty());

  // Arrays nest recursively; one bad member rejects the whole value, as the plugin does.
  const std::string nested = "[[" + event("a") + "],[[" + event("b") + "]]]";
  status = ka::parseAuditBody(nested, parser, events, skipped);
  ASSERT_TRUE(status.has_value());
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(auditId(events[1]), "b");
  events.clear();
  status = ka::parseAuditBody("[" + event("a") + R"(,{"kind":0}])", parser, events, skipped);
  ASSERT_FALSE(status.has_value());
  EXPECT_TRUE(events.empty());

  // Nesting past kMaxNesting is refused before recursing further.
  const std::string deep =
      std::string(ka::kMaxNesting + 1, '[') + event("d") + std::string(ka::kMaxNesting + 1, ']');
  status = ka::parseAuditBody(deep, parser, events, skipped);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::Limit);
  const std::string ok_depth =
      std::string(ka::kMaxNesting, '[') + event("d") + std::string(ka::kMaxNesting, ']');
  status = ka::parseAuditBody(ok_depth, parser, events, skipped);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(events.size(), 1U);
  events.clear();

  // EventList items are events whatever their kind (the plugin does not look); items without a
  // timestamp, or over kMaxEventBytes in a large body, are skipped and counted.
  const std::string big_annotation(ka::kMaxEventBytes, 'x');
  const std::string list =
      R"({"kind":"EventList","items":[)" + event("1") + "," + event("2", "") + "," +
      event("3", "2024-13-01T00:00:00Z") + "," +
      R"({"auditID":"4","stageTimestamp":"2024-01-01T00:00:00Z"})" + "," +
      event("5", "2024-01-01T00:00:00Z", R"(,"big":")" + big_annotation + "\"") + "]}";
  skipped = 0;
  status = ka::parseAuditBody(list, parser, events, skipped);
  ASSERT_TRUE(status.has_value());
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(auditId(events[0]), "1");
  EXPECT_EQ(auditId(events[1]), "4");
  EXPECT_EQ(skipped, 3U);
}

// --- our own files ------------------------------------------------------------------------

TEST(K8sAuditFileSource, Fal01003IsReportedWithFalcosMessage) {
  TempDir dir;
  const SourceRun run = runFile(dir.write("bad.json", R"({"kind": 0})"));
  ASSERT_TRUE(run.status.has_value());
  EXPECT_TRUE(run.ids.empty());
  EXPECT_TRUE(hasDiagnostic(run, "k8s-audit.malformed", "bad.json:1",
                            "data not recognized as a k8s audit event"));
}

TEST(K8sAuditFileSource, OversizeLinesAreSkippedAndTheNextLineIsRead) {
  TempDir dir;
  const std::string big(ka::kMaxEventBytes, 'x');
  const std::string huge(ka::kMaxBodyBytes + 10, 'y');
  std::string text = event("big", "2024-01-01T00:00:00Z", R"(,"a":")" + big + "\"") + "\n" +
                     event("after-big") + "\n" +
                     // over every cap: never parsed, skipped to its newline
                     R"({"kind":"EventList","items":[")" + huge + "\"]}\n" + event("after-huge") +
                     "\n";
  // An EventList line may be up to kMaxBodyBytes; each of its events is measured on its own.
  std::string list = R"({"kind":"EventList","items":[)";
  for (int i = 0; i < 3000; ++i) list += event(fmt::format("item-{}", i)) + ",";
  list += event("item-big", "2024-01-01T00:00:00Z", R"(,"a":")" + big + "\"") + "]}";
  text += list + "\n" + event("last");
  const SourceRun run = runFile(dir.write("oversize.jsonl", text));
  ASSERT_TRUE(run.status.has_value());
  ASSERT_EQ(run.ids.size(), 3U + 3000U);
  EXPECT_EQ(run.ids[0], "after-big");
  EXPECT_EQ(run.ids[1], "after-huge");
  EXPECT_EQ(run.ids[2], "item-0");
  EXPECT_EQ(run.ids[3001], "item-2999");
  EXPECT_EQ(run.ids.back(), "last");
  EXPECT_TRUE(hasDiagnostic(run, "k8s-audit.oversize", "oversize.jsonl:1"));
  EXPECT_TRUE(hasDiagnostic(run, "k8s-audit.oversize", "oversize.jsonl:3"));
  EXPECT_TRUE(hasDiagnostic(run, "k8s-audit.oversize", "oversize.jsonl:5", "item-big"));
  EXPECT_EQ(run.diagnostics.size(), 3U);
  EXPECT_EQ(run.stats.lines, 6U);
  EXPECT_EQ(run.stats.bad_lines, 2U);
  EXPECT_EQ(run.stats.skipped_events, 1U);
}

TEST(K8sAuditFileSource, EventsWithoutAValidStageTimestampAreSkippedAndCounted) {
  TempDir dir;
  const std::string text = event("1") + "\n" + event("no-stamp", "") + "\n" +
                           event("bad-month", "2024-13-01T00:00:00Z") + "\n" +
                           R"({"kind":"Event","auditID":"number","stageTimestamp":17})" + "\n" +
                           event("2", "2024-02-29T23:59:59.999999999+01:00") + "\n";
  const SourceRun run = runFile(dir.write("stamps.jsonl", text));
  ASSERT_TRUE(run.status.has_value());
  EXPECT_EQ(run.ids, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(run.nums, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(run.times[1], 1709247599999999999);
  EXPECT_EQ(run.stats.skipped_events, 3U);
  EXPECT_EQ(run.stats.bad_lines, 0U);
  EXPECT_TRUE(hasDiagnostic(run, "k8s-audit.no-timestamp", "stamps.jsonl:2", "no-stamp"));
  EXPECT_TRUE(hasDiagnostic(run, "k8s-audit.no-timestamp", "stamps.jsonl:3", "bad-month"));
  EXPECT_TRUE(hasDiagnostic(run, "k8s-audit.no-timestamp", "stamps.jsonl:4", "number"));
}

TEST(K8sAuditFileSource, PrettyPrintedFilesAreReadAsDocuments) {
  TempDir dir;
  const std::string pretty = R"({
  "kind": "EventList",
  "apiVersion": "audit.k8s.io/v1",
  "items": [
    {"kind": "Event", "auditID": "p1", "stageTimestamp": "2024-01-02T03:04:05Z"},
    {
      "kind": "Event",
      "auditID": "p2",
      "stageTimestamp": "2024-01-02T03:04:06Z"
    }
  ]
}
{
  "kind": "Event",
  "auditID": "p3"
}
[
  {"kind": "Event", "auditID": "p4", "stageTimestamp": "2024-01-02T03:04:07Z"}
]
)";
  const SourceRun run = runFile(dir.write("pretty.json", pretty));
  ASSERT_TRUE(run.status.has_value());
  EXPECT_EQ(run.ids, (std::vector<std::string>{"p1", "p2", "p4"}));
  EXPECT_EQ(run.stats.skipped_events, 1U);
  EXPECT_TRUE(hasDiagnostic(run, "k8s-audit.no-timestamp", "pretty.json:13", "p3"));
  EXPECT_EQ(run.stats.lines, 19U);
}

TEST(K8sAuditFileSource, ABrokenFirstLineOfJsonLinesIsOneBadLine) {
  TempDir dir;
  // A file that starts mid-line (rotation), one whose first line is cut short and one whose
  // first line has bytes after its event: none is a pretty-printed document, so all are read
  // as lines.
  for (const std::string& first :
       {std::string(R"(ResponseComplete","stageTimestamp":"2024-01-02T03:04:05Z"})"),
        std::string(R"({"kind":"Event","auditID":"cut",)"), event("trailing") + " x"}) {
    SCOPED_TRACE(first);
    const SourceRun run = runFile(dir.write(
        "broken.jsonl", first + "\n" + event("1") + "\n" + "not json\n" + event("2") + "\n"));
    ASSERT_TRUE(run.status.has_value());
    EXPECT_EQ(run.ids, (std::vector<std::string>{"1", "2"}));
    EXPECT_TRUE(hasDiagnostic(run, "k8s-audit.malformed", "broken.jsonl:1", "not valid JSON"));
    EXPECT_TRUE(hasDiagnostic(run, "k8s-audit.malformed", "broken.jsonl:3", "not valid JSON"));
    EXPECT_EQ(run.stats.bad_lines, 2U);
  }
}

TEST(K8sAuditFileSource, CrlfBlankLinesAndNoFinalNewline) {
  TempDir dir;
  const SourceRun run =
      runFile(dir.write("crlf.jsonl", "\xEF\xBB\xBF" + event("1") + "\r\n\r\n  \t\r\n[" +
                                          event("2") + "," + event("3") + "]\r\n" + event("4")));
  ASSERT_TRUE(run.status.has_value());
  EXPECT_TRUE(run.diagnostics.empty());
  EXPECT_EQ(run.ids, (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(run.stats.lines, 5U);
  EXPECT_EQ(run.stats.events, 4U);
}

TEST(K8sAuditFileSource, EmptyAndBlankFilesGiveNothing) {
  TempDir dir;
  for (const std::string_view text : {"", "\n\n", "  \r\n"}) {
    const SourceRun run = runFile(dir.write("empty.jsonl", text));
    ASSERT_TRUE(run.status.has_value());
    EXPECT_TRUE(run.ids.empty());
    EXPECT_TRUE(run.diagnostics.empty());
  }
}

TEST(K8sAuditFileSource, UnreadableFilesAreErrors) {
  TempDir dir;
  SourceRun run = runFile(dir.path() / "missing.jsonl");
  ASSERT_FALSE(run.status.has_value());
  EXPECT_EQ(run.status.error().code, ErrorCode::NotFound);
  EXPECT_NE(run.status.error().message.find("missing.jsonl"), std::string::npos);
  run = runFile(dir.path());
  ASSERT_FALSE(run.status.has_value());
  EXPECT_EQ(run.status.error().code, ErrorCode::Io);
}

// --- the line decoder on buffers -----------------------------------------------------------

TEST(K8sAuditLineDecoder, ChunkedFeedingGivesTheSameEventsAsOneBuffer) {
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += event(std::to_string(i)) + (i % 3 == 0 ? "\r\n" : "\n");
    if (i % 7 == 0) text += "{broken\n";
  }
  for (const std::size_t chunk :
       {std::size_t{1}, std::size_t{7}, std::size_t{100}, std::size_t{4096}, text.size()}) {
    SCOPED_TRACE(chunk);
    ka::LineDecoder decoder("buf");
    decoder.setFallbackCheck(false);
    Diagnostics diagnostics;
    std::vector<std::string> ids;
    const auto on_event = [&](const bulwark::events::Event& e) {
      ids.push_back(auditId(*static_cast<const ka::AuditEvent*>(e.payload)));
    };
    // The caller's buffer: pending bytes plus the next chunk, then simdjson's padding.
    std::string pending;
    for (std::size_t at = 0; at < text.size(); at += chunk) {
      pending += text.substr(at, chunk);
      const bool at_end = at + chunk >= text.size();
      std::string buffer = pending + std::string(simdjson::SIMDJSON_PADDING, '\0');
      const auto fed = decoder.feed(std::string_view(buffer.data(), pending.size()), at_end,
                                    on_event, diagnostics);
      pending.erase(0, fed.consumed);
    }
    EXPECT_TRUE(pending.empty());
    ASSERT_EQ(ids.size(), 40U);
    EXPECT_EQ(ids.back(), "39");
    EXPECT_EQ(diagnostics.size(), 6U);
    EXPECT_EQ(decoder.stats().lines, 46U);
  }
}

// --- timestamps ---------------------------------------------------------------------------

TEST(K8sAuditTimestamp, ParsesRfc3339AsGoDoes) {
  const std::pair<std::string_view, std::int64_t> good[] = {
      {"2018-10-25T13:58:49.736141Z", 1540475929736141000},
      {"1970-01-01T00:00:00Z", 0},
      {"2024-02-29T23:59:59.999999999Z", 1709251199999999999},
      {"2000-02-29T12:00:00Z", 951825600000000000},
      {"2018-10-25T15:58:49+02:00", 1540475929000000000},
      {"2018-10-25T08:28:49.000000005-05:30", 1540475929000000005},
      {"1969-12-31T23:59:59.5Z", -500000000},
      {"2018-10-25T13:58:49.7361419999Z", 1540475929736141999},  // past the 9th digit: ignored
      {"2262-04-11T23:47:16.854775807Z", 9223372036854775807},
      {"1677-09-21T00:12:43.145224192Z", -9223372036854775807 - 1},
  };
  for (const auto& [text, ns] : good) {
    SCOPED_TRACE(text);
    std::int64_t got = 42;
    ASSERT_TRUE(ka::parseTimestamp(text, got));
    EXPECT_EQ(got, ns);
  }
  for (const std::string_view bad : {"",
                                     "garbage",
                                     "2018-10-25",
                                     "2018-10-25T13:58:49",
                                     "2018-10-25 13:58:49Z",
                                     "2018-10-25t13:58:49Z",
                                     "2018-10-25T13:58:49z",
                                     "2018-10-25T13:58:49.Z",
                                     "2018-10-25T13:58:49.123",
                                     "2019-02-29T00:00:00Z",
                                     "1900-02-29T00:00:00Z",
                                     "2018-04-31T00:00:00Z",
                                     "2018-00-10T00:00:00Z",
                                     "2018-10-00T00:00:00Z",
                                     "2018-10-25T24:00:00Z",
                                     "2018-10-25T23:60:00Z",
                                     "2018-10-25T23:59:60Z",
                                     "2018-10-25T13:58:49+0200",
                                     "2018-10-25T13:58:49+24:00",
                                     "2018-10-25T13:58:49+02:60",
                                     "2018-10-25T13:58:49Z ",
                                     " 2018-10-25T13:58:49Z",
                                     "+018-10-25T13:58:49Z",
                                     "2018-1a-25T13:58:49Z",
                                     "2262-04-11T23:47:16.854775808Z",
                                     "9999-12-31T23:59:59Z",
                                     "0000-01-01T00:00:00Z"}) {
    SCOPED_TRACE(bad);
    std::int64_t got = 42;
    EXPECT_FALSE(ka::parseTimestamp(bad, got));
    EXPECT_EQ(got, 42);
  }
}

}  // namespace
