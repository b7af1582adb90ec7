// The runtime alert routes (src/server/alerts_api.cpp) through the real HTTP server on a loopback
// port with a real SQLite store, every answer checked against docs/openapi.yaml; and the NDJSON
// line parser on its own.
#include "server/alerts_api.h"

#include <memory>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "api_harness.h"
#include "server/alert_retention.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/tokens.h"
#include "store/store.h"
#include "support/process.h"
#include "testdata.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;

// A running server over a fresh SQLite store with one token per role.
class Harness : public testing::TestServer {
 public:
  Harness() : TestServer("alerts-test", {}, {}, "node-agent") { start(); }
};

using Call = testing::ApiCall;

Call call(Harness& h, const std::string& method, const std::string& target,
          const std::string& secret, const std::string& body = "") {
  auto client = h.client();
  return testing::callApi(client, method, target, secret, body, "application/x-ndjson");
}

std::string uuid(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "6f1c2a3b-0000-4abc-9def-%012d", n);
  return text;
}

// A line as `bulwark detect --format json` prints it, plus alert_id.
Json alertLine(int n, const std::string& time, const std::string& rule = "Terminal shell",
               const std::string& priority = "Warning", const std::string& host = "node-1") {
  return {
      {"alert_id", uuid(n)},
      {"hostname", host},
      {"output", time + ": " + priority + " A shell was spawned (user=root)"},
      {"priority", priority},
      {"rule", rule},
      {"source", "syscall"},
      {"tags", {"container", "shell", "mitre_execution"}},
      {"time", time},
      {"output_fields",
       {{"container.id", "abc123def456"},
        {"container.image.repository", "nginx"},
        {"k8s.ns.name", "shop"},
        {"k8s.pod.name", "web-1"},
        {"proc.name", "bash"},
        {"user.name", nullptr}}},
      {"bulwark", {{"id", "BW-RT-201"}, {"remediation", "look"}, {"references", Json::array()}}}};
}

std::string ndjson(const std::vector<Json>& lines) {
  std::string out;
  for (const auto& line : lines) out += line.dump() + "\n";
  return out;
}

// ---- the parser --------------------------------------------------------------------------------

TEST(AlertParser, ReadsWhatDetectPrints) {
  auto alert = parseAlertLine(alertLine(1, "2026-11-24T06:48:12.123456789Z").dump(), 42, "agent-a");
  ASSERT_TRUE(alert) << alert.error().message;
  EXPECT_EQ(alert->alert_id, uuid(1));
  EXPECT_EQ(alert->time_ms, *parseRfc3339Millis("2026-11-24T06:48:12.123Z"));
  EXPECT_EQ(alert->received_ms, 42);
  EXPECT_EQ(alert->priority, 3);
  EXPECT_EQ(alert->rule, "Terminal shell");
  EXPECT_EQ(alert->rule_id, "BW-RT-201");
  EXPECT_EQ(alert->host, "node-1");
  EXPECT_EQ(alert->agent, "agent-a");
  EXPECT_EQ(alert->container_id, "abc123def456");
  EXPECT_EQ(alert->container_image, "nginx");
  EXPECT_EQ(alert->k8s_ns, "shop");
  EXPECT_EQ(alert->k8s_pod, "web-1");
  EXPECT_EQ(Json::parse(alert->tags_json), Json({"container", "shell", "mitre_execution"}));
  EXPECT_EQ(Json::parse(alert->fields_json)["proc.name"], "bash");
  EXPECT_FALSE(alert->simulated);
}

TEST(AlertParser, TimesAndPriorities) {
  EXPECT_EQ(parseRfc3339Millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parseRfc3339Millis("2023-11-14T22:13:20Z"), 1'700'000'000'000);
  EXPECT_EQ(parseRfc3339Millis("2023-11-14T23:13:20.5+01:00"), 1'700'000'000'500);
  EXPECT_EQ(parseRfc3339Millis("2023-11-14T20:13:20.999-02:00"), 1'700'000'000'999);
  for (const char* bad :
       {"", "2023-11-14", "2023-11-14T22:13:20", "2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z",
        "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20.1234567891Z", "2023-11-14T22:13:20Zjunk",
        "1969-12-31T23:59:59Z", "2023-11-14T22:13:20+1:00"}) {
    EXPECT_FALSE(parseRfc3339Millis(bad)) << bad;
  }
  EXPECT_EQ(rfc3339Millis(1'700'000'000'500), "2023-11-14T22:13:20.500Z");
  EXPECT_EQ(parseAlertPriority("Emergency"), 7);
  EXPECT_EQ(parseAlertPriority("WARNING"), 3);
  EXPECT_EQ(parseAlertPriority("info"), 1);
  EXPECT_EQ(parseAlertPriority("Debug"), 0);
  EXPECT_FALSE(parseAlertPriority("severe"));
  EXPECT_EQ(alertPriorityName(5), "Critical");
  EXPECT_TRUE(validUuid("6F1C2A3B-0000-4abc-9def-000000000001"));
  EXPECT_FALSE(validUuid("6f1c2a3b00004abc9def000000000001"));
  EXPECT_FALSE(validUuid("6f1c2a3b-0000-4abc-9def-00000000000g"));
}

TEST(AlertParser, RejectsEachBadFieldByName) {
  const Json good = alertLine(1, "2026-11-24T06:48:12Z");
  const auto rejected = [&](const std::string& key, const Json& value) {
    Json line = good;
    if (value.is_discarded()) {
      line.erase(key);
    } else {
      line[key] = value;
    }
    auto parsed = parseAlertLine(line.dump(), 0, "a");
    if (parsed) return std::string("accepted");
    return parsed.error().message;
  };
  EXPECT_NE(rejected("alert_id", Json::value_t::discarded).find("alert_id"), std::string::npos);
  EXPECT_NE(rejected("alert_id", "not-a-uuid").find("UUID"), std::string::npos);
  EXPECT_NE(rejected("rule", "").find("rule"), std::string::npos);
  EXPECT_NE(rejected("priority", "Severe").find("priority"), std::string::npos);
  EXPECT_NE(rejected("time", "yesterday").find("time"), std::string::npos);
  EXPECT_NE(rejected("time", 1700000000).find("time"), std::string::npos);
  EXPECT_NE(rejected("output", std::string(kMaxAlertOutputBytes + 1, 'x')).find("output"),
            std::string::npos);
  Json many = Json::object();
  for (std::size_t i = 0; i <= kMaxAlertFields; ++i) many["f" + std::to_string(i)] = "v";
  EXPECT_NE(rejected("output_fields", many).find("output_fields"), std::string::npos);
  EXPECT_NE(rejected("tags", "shell").find("tags"), std::string::npos);
  EXPECT_NE(rejected("output", std::string("a\0b", 3)).find("NUL"), std::string::npos);
  EXPECT_EQ(rejected("source", Json::value_t::discarded), "accepted");  // default "syscall"
  EXPECT_FALSE(parseAlertLine("[1,2]", 0, "a"));
  EXPECT_FALSE(parseAlertLine("{\"alert_id\":", 0, "a"));
  EXPECT_FALSE(parseAlertLine(std::string(100, '[') + std::string(100, ']'), 0, "a"));
}

TEST(AlertParser, BatchLimitsAndLineNumbers) {
  const std::string body = alertLine(1, "2026-11-24T06:48:12Z").dump() + "\r\n\n" + "garbage\n" +
                           alertLine(2, "2026-11-24T06:48:13Z").dump();
  auto batch = parseAlertBatch(body, 0, "a");
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(batch->alerts.size(), 2U);
  ASSERT_EQ(batch->rejected.size(), 1U);
  EXPECT_EQ(batch->rejected[0].line, 3);
  EXPECT_FALSE(parseAlertBatch("", 0, "a"));
  EXPECT_FALSE(parseAlertBatch("\n\n", 0, "a"));
  EXPECT_FALSE(parseAlertBatch(std::string(kMaxAlertLines + 1, '\n') + "x", 0, "a"));
  EXPECT_FALSE(parseAlertBatch(std::string(kMaxAlertBodyBytes + 1, ' '), 0, "a"));
}

// ---- the routes --------------------------------------------------------------------------------

TEST(AlertRoutes, PostCountsDuplicatesAndNamesRejectedLines) {
  Harness h;
  std::vector<Json> lines = {alertLine(1, "2026-11-24T06:00:00Z"),
                             alertLine(2, "2026-11-24T06:00:01Z")};
  Json bad_priority = alertLine(3, "2026-11-24T06:00:02Z");
  bad_priority["priority"] = "Loud";
  lines.push_back(bad_priority);
  lines.push_back(alertLine(1, "2026-11-24T06:00:00Z"));  // repeated in the batch
  Call posted = call(h, "POST", "/api/v1/alerts", h.ingest_, ndjson(lines) + "not json\n");
  ASSERT_EQ(posted.status, 200) << posted.text;
  EXPECT_EQ(posted.body["accepted"], 2);
  EXPECT_EQ(posted.body["duplicates"], 1);
  ASSERT_EQ(posted.body["rejected"].size(), 2U);
  EXPECT_EQ(posted.body["rejected"][0]["line"], 3);
  EXPECT_NE(posted.body["rejected"][0]["error"].get<std::string>().find("priority"),
            std::string::npos);
  EXPECT_EQ(posted.body["rejected"][1]["line"], 5);

  // The same batch again (a retry): nothing new.
  Call again = call(h, "POST", "/api/v1/alerts", h.admin_, ndjson({lines[0], lines[1]}));
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body["accepted"], 0);
  EXPECT_EQ(again.body["duplicates"], 2);

  Call one = call(h, "GET", "/api/v1/alerts/" + uuid(1), h.reader_);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body["rule"], "Terminal shell");
  EXPECT_EQ(one.body["priority"], "Warning");
  EXPECT_EQ(one.body["time"], "2026-11-24T06:00:00.000Z");
  EXPECT_EQ(one.body["agent"], "node-agent");
  EXPECT_EQ(one.body["rule_id"], "BW-RT-201");
  EXPECT_EQ(one.body["output_fields"]["proc.name"], "bash");
  EXPECT_TRUE(one.body["output_fields"]["user.name"].is_null());
  EXPECT_EQ(one.body["k8s_ns"], "shop");
}

TEST(AlertRoutes, AgentsAndTheirHostsAreRecordedAsSensors) {
  Harness h;
  // An idle agent's heartbeat: an empty batch naming its host.
  Call beat = call(h, "POST", "/api/v1/alerts?host=node-9", h.ingest_, "");
  ASSERT_EQ(beat.status, 200) << beat.text;
  EXPECT_EQ(beat.body["accepted"], 0);
  // A batch: the host of each alert too.
  Call posted =
      call(h, "POST", "/api/v1/alerts", h.ingest_,
           ndjson({alertLine(1, "2026-11-24T06:00:00Z", "Terminal shell", "Warning", "node-1")}));
  ASSERT_EQ(posted.status, 200) << posted.text;
  auto sensors = h.store().listSensors();
  ASSERT_TRUE(sensors) << sensors.error().message;
  ASSERT_EQ(sensors->size(), 2U);
  EXPECT_EQ((*sensors)[0].agent, "node-agent");
  EXPECT_EQ((*sensors)[0].host, "node-1");
  EXPECT_EQ((*sensors)[1].host, "node-9");
  EXPECT_GT((*sensors)[1].last_seen, 0);

  Call refused = call(h, "POST", "/api/v1/alerts?host=" + std::string(254, 'h'), h.ingest_, "");
  EXPECT_EQ(refused.status, 400) << refused.text;
}

TEST(AlertRoutes, TokenLevels) {
  Harness h;
  const std::string body = ndjson({alertLine(1, "2026-11-24T06:00:00Z")});
  EXPECT_EQ(call(h, "POST", "/api/v1/alerts", "", body).status, 401);
  EXPECT_EQ(call(h, "POST", "/api/v1/alerts", h.reader_, body).status, 403);
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts", "").status, 401);
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts/summary", "").status, 401);
  EXPECT_EQ(call(h, "POST", "/api/v1/alerts", h.ingest_, body).status, 200);
  // An ingest token writes alerts; reading them takes a reader (or admin) token.
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts", h.ingest_).status, 403);
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts", h.reader_).status, 200);
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts/" + uuid(1), h.admin_).status, 200);
}

TEST(AlertRoutes, FiltersAndCursorPages) {
  Harness h;
  std::vector<Json> lines;
  for (int n = 1; n <= 30; ++n) {
    const std::string time = fmt::format("2026-11-24T06:{:02}:00Z", n);
    lines.push_back(alertLine(n, time, n % 3 == 0 ? "Miner process" : "Terminal shell",
                              n % 3 == 0 ? "Critical" : "Notice", n <= 10 ? "node-1" : "node-2"));
  }
  Json other_ns = alertLine(31, "2026-11-24T07:00:00Z", "Terminal shell", "Warning", "node-2");
  other_ns["output_fields"]["k8s.ns.name"] = "kube-system";
  other_ns["output_fields"]["container.id"] = "fff000fff000";
  other_ns["tags"] = {"k8s"};
  lines.push_back(other_ns);
  ASSERT_EQ(call(h, "POST", "/api/v1/alerts", h.ingest_, ndjson(lines)).body["accepted"], 31);

  const auto count = [&](const std::string& query) {
    Call got = call(h, "GET", "/api/v1/alerts?" + query, h.reader_);
    EXPECT_EQ(got.status, 200) << query << ": " << got.text;
    return got.body["alerts"].size();
  };
  EXPECT_EQ(count("rule=Miner%20process"), 10U);
  EXPECT_EQ(count("priority_min=critical"), 10U);
  EXPECT_EQ(count("priority_min=notice"), 31U);  // other_ns is a Warning
  EXPECT_EQ(count("priority_min=warning"), 11U);
  EXPECT_EQ(count("host=node-1"), 10U);
  EXPECT_EQ(count("namespace=kube-system"), 1U);
  EXPECT_EQ(count("container=fff000fff000"), 1U);
  EXPECT_EQ(count("tag=k8s"), 1U);
  EXPECT_EQ(count("tag=shell"), 30U);
  EXPECT_EQ(count("since=2026-11-24T06:10:00Z&until=2026-11-24T06:20:00Z"), 10U);
  EXPECT_EQ(count("since=2026-11-24T08:10:00%2B02:00&until=2026-11-24T06:20:00Z"), 10U);
  EXPECT_EQ(count("since=" + std::to_string(*parseRfc3339Millis("2026-11-24T06:25:00Z"))), 7U);

  // Pages of 7, newest first, linked by next_cursor, no alert twice.
  std::vector<std::string> seen;
  std::string target = "/api/v1/alerts?limit=7&host=node-2";
  for (int pages = 0; pages < 10; ++pages) {
    Call page = call(h, "GET", target, h.reader_);
    ASSERT_EQ(page.status, 200) << page.text;
    for (const auto& alert : page.body["alerts"]) seen.push_back(alert["alert_id"]);
    if (page.body["next_cursor"].is_null()) break;
    target =
        "/api/v1/alerts?limit=7&host=node-2&cursor=" + page.body["next_cursor"].get<std::string>();
  }
  ASSERT_EQ(seen.size(), 21U);
  EXPECT_EQ(seen.front(), uuid(31));
  EXPECT_EQ(seen.back(), uuid(11));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 21U);
}

TEST(AlertRoutes, BadQueriesAreClientErrorsNeverServerErrors) {
  Harness h;
  ASSERT_EQ(
      call(h, "POST", "/api/v1/alerts", h.ingest_, ndjson({alertLine(1, "2026-11-24T06:00:00Z")}))
          .status,
      200);
  for (const char* query :
       {"limit=0", "limit=1001", "limit=99999999999999999999", "limit=ten", "since=yesterday",
        "until=2026-13-01T00:00:00Z", "since=99999999999999999999", "priority_min=loud",
        "cursor=abc", "cursor=123_not-a-uuid", "cursor=-5_6f1c2a3b-0000-4abc-9def-000000000001"}) {
    Call got = call(h, "GET", std::string("/api/v1/alerts?") + query, h.reader_);
    EXPECT_EQ(got.status, 400) << query << ": " << got.text;
    EXPECT_FALSE(got.body["error"]["message"].get<std::string>().empty()) << query;
  }
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts?rule=" + std::string(300, 'r'), h.reader_).status, 400);
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts/not-a-uuid", h.reader_).status, 400);
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts/" + uuid(404), h.reader_).status, 404);
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts/summary?by=color", h.reader_).status, 400);
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts/summary?since=soon", h.reader_).status, 400);
  // An empty body is an agent's heartbeat (AgentsAndTheirHostsAreRecordedAsSensors); blank
  // lines alone hold no alert.
  EXPECT_EQ(call(h, "POST", "/api/v1/alerts", h.ingest_, "\n\n").status, 400);
  EXPECT_EQ(
      call(h, "POST", "/api/v1/alerts", h.ingest_, std::string(kMaxAlertLines + 1, '\n')).status,
      400);
  // Over 4 MiB: the server's body limit answers before the handler.
  EXPECT_EQ(
      call(h, "POST", "/api/v1/alerts", h.ingest_, std::string(kMaxAlertBodyBytes + 1, ' ')).status,
      413);
  // Every line bad: 200 with each line named, nothing stored.
  Call all_bad = call(h, "POST", "/api/v1/alerts", h.ingest_, "{}\n[]\n");
  ASSERT_EQ(all_bad.status, 200);
  EXPECT_EQ(all_bad.body["accepted"], 0);
  EXPECT_EQ(all_bad.body["rejected"].size(), 2U);
}

TEST(AlertRoutes, Summary) {
  Harness h;
  const std::string now = rfc3339Millis(store::nowMillis() - 60'000);
  std::vector<Json> lines = {alertLine(1, now, "Reverse shell", "Critical", "node-1"),
                             alertLine(2, now, "Reverse shell", "Critical", "node-2"),
                             alertLine(3, now, "Miner process", "Warning", "node-1"),
                             alertLine(4, "2020-01-01T00:00:00Z", "Old", "Notice", "node-9")};
  ASSERT_EQ(call(h, "POST", "/api/v1/alerts", h.ingest_, ndjson(lines)).body["accepted"], 4);

  Call by_rule = call(h, "GET", "/api/v1/alerts/summary", h.reader_);  // default: rule, 24h
  ASSERT_EQ(by_rule.status, 200) << by_rule.text;
  EXPECT_EQ(by_rule.body["by"], "rule");
  EXPECT_EQ(by_rule.body["total"], 3);
  ASSERT_EQ(by_rule.body["groups"].size(), 2U);
  EXPECT_EQ(by_rule.body["groups"][0]["key"], "Reverse shell");
  EXPECT_EQ(by_rule.body["groups"][0]["count"], 2);

  Call by_priority =
      call(h, "GET", "/api/v1/alerts/summary?by=priority&since=2019-01-01T00:00:00Z", h.reader_);
  ASSERT_EQ(by_priority.status, 200);
  EXPECT_EQ(by_priority.body["total"], 4);
  ASSERT_EQ(by_priority.body["groups"].size(), 3U);
  EXPECT_EQ(by_priority.body["groups"][0]["key"], "Critical");

  Call by_host = call(h, "GET", "/api/v1/alerts/summary?by=host&since=1h", h.reader_);
  ASSERT_EQ(by_host.status, 200);
  ASSERT_EQ(by_host.body["groups"].size(), 2U);
  EXPECT_EQ(by_host.body["groups"][0]["key"], "node-1");
  EXPECT_EQ(by_host.body["groups"][0]["count"], 2);
}

TEST(AlertRetention, PrunesWhatIsOlderThanTheRetention) {
  Harness h;
  const store::Millis now = store::nowMillis();
  std::vector<Json> lines = {alertLine(1, rfc3339Millis(now - 31LL * 86'400'000)),
                             alertLine(2, rfc3339Millis(now - 29LL * 86'400'000))};
  ASSERT_EQ(call(h, "POST", "/api/v1/alerts", h.ingest_, ndjson(lines)).body["accepted"], 2);
  EXPECT_FALSE(pruneExpiredAlerts(h.store(), 0, now));
  auto pruned = pruneExpiredAlerts(h.store(), 30LL * 86'400'000, now);
  ASSERT_TRUE(pruned) << pruned.error().message;
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts/" + uuid(1), h.reader_).status, 404);
  EXPECT_EQ(call(h, "GET", "/api/v1/alerts/" + uuid(2), h.reader_).status, 200);
  // The background pruner: its first pass runs at start; stop() joins it (the period is long).
  {
    AlertRetention retention(h.store(), 86'400'000, std::chrono::hours(1));
    retention.stop();
    EXPECT_LE(retention.passes(), 1);
  }
}

}  // namespace
}  // namespace bulwark::server
