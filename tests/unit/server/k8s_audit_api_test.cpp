// POST /k8s-audit (src/server/k8s_audit_api.cpp) through the real HTTP server on a loopback port
// with a real SQLite store, every answer checked against docs/openapi.yaml: Falco's k8s audit
// test events (falco 0.34.1, ../shared/testdata/runtime) posted one Event at a time and as the
// EventList kube-apiserver sends, against Falco's own rules (the expected detections of
// derived/k8s_audit_expected_hits.json) and bulwark's built-in ones (what `bulwark detect`
// raises on the same events); retries deduplicated; tokens, bad and oversize bodies.
#include "server/k8s_audit_api.h"

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <simdjson.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include "api_harness.h"
#include "events/k8s_audit/audit_event.h"
#include "server/alert_ndjson.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/tokens.h"
#include "store/store.h"
#include "support/process.h"
#include "testdata.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kCases = "runtime/derived/k8s_audit_expected_hits.json";
constexpr const char* kEventList = "runtime/derived/k8s_audit_eventlist_webhook_body.json";
constexpr const char* kEventLines = "runtime/derived/k8s_audit_events.jsonl";
// The rule files of most of Falco's k8s audit test cases (Falco loaded both, in this order).
const std::vector<std::string> kFalcoRules = {
    "falcosecurity-rules/falco-rules-0.1.0/falco_rules.yaml",
    "falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml"};

fs::path runtimeDir() { return bulwark::testing::sharedTestdata() / "runtime"; }

std::vector<std::string> falcoRulePaths() {
  std::vector<std::string> paths;
  paths.reserve(kFalcoRules.size());
  for (const auto& file : kFalcoRules) paths.push_back((runtimeDir() / file).string());
  return paths;
}

// Loaded as `serve --rules` loads them (no path: the built-in rules); throws when they do not
// load, a setup failure.
std::shared_ptr<const pipeline::LoadedRules> loadRules(const std::vector<std::string>& paths) {
  std::shared_ptr<const pipeline::LoadedRules> loaded =
      pipeline::loadRules(paths, rules::Priority::Debug);
  if (!loaded->result.ok()) throw std::runtime_error("the test's rules do not load");
  return loaded;
}

// A running server with POST /k8s-audit over `rules`, a fresh SQLite store and one token per role.
class Harness : public testing::TestServer {
 public:
  explicit Harness(std::shared_ptr<const pipeline::LoadedRules> rules)
      : TestServer("k8s-audit-test", {}, {}, "kube-apiserver") {
    K8sAuditOptions k8s;
    k8s.rules = std::move(rules);
    k8s.hostname = "bulwark-server";
    k8s.metrics = &metrics();
    auto added = registerK8sAuditRoutes(server(), store(), std::move(k8s));
    if (!added) throw std::runtime_error("registerK8sAuditRoutes: " + added.error().message);
    start();
  }

  [[nodiscard]] std::string metricsText() { return metrics().serialize(); }
};

using Call = testing::ApiCall;

Call call(Harness& h, const std::string& method, const std::string& target,
          const std::string& secret, const std::string& body = "",
          const std::string& content_type = "application/json") {
  auto client = h.client(60);
  return testing::callApi(client, method, target, secret, body, content_type);
}

// Every stored alert, through GET /api/v1/alerts pages.
std::vector<Json> storedAlerts(Harness& h) {
  std::vector<Json> out;
  std::string target = "/api/v1/alerts?limit=1000";
  for (int pages = 0; pages < 100; ++pages) {
    Call page = call(h, "GET", target, h.reader_);
    EXPECT_EQ(page.status, 200) << page.text;
    if (page.status != 200) break;
    for (const auto& alert : page.body["alerts"]) out.push_back(alert);
    if (page.body["next_cursor"].is_null()) break;
    target = "/api/v1/alerts?limit=1000&cursor=" + page.body["next_cursor"].get<std::string>();
  }
  return out;
}

std::map<std::string, std::uint64_t> countByRule(const std::vector<Json>& alerts) {
  std::map<std::string, std::uint64_t> counts;
  for (const auto& alert : alerts) ++counts[alert["rule"].get<std::string>()];
  return counts;
}

// What `bulwark detect -s k8s-audit:FILE` raises with the same rules on the same events.
pipeline::DetectSummary detectOnFile(const pipeline::LoadedRules& rules, const fs::path& file) {
  pipeline::DetectOptions options;
  options.sources = {"k8s-audit:" + file.string()};
  auto summary = pipeline::runDetect(options, rules.ruleset, [](const pipeline::Alert&) {});
  EXPECT_TRUE(summary) << summary.error().message;
  return summary ? *summary : pipeline::DetectSummary{};
}

// The alert id the route gives rule `rule`'s alert on the (only) event of `json`.
std::string expectedAlertId(const std::string& rule, const std::string& json) {
  simdjson::dom::parser parser;
  const simdjson::dom::element root = parser.parse(json);
  std::string_view stamp;
  std::int64_t ns = 0;
  EXPECT_EQ(root["stageTimestamp"].get_string().get(stamp), simdjson::SUCCESS);
  EXPECT_TRUE(events::k8s_audit::parseTimestamp(stamp, ns));
  return pipeline::alertId(rule, ns, k8sAuditEventKey(root));
}

TEST(K8sAuditKey, TheSameEventEncodedAnotherWayHasTheSameKeyAnEditedCopyAnother) {
  simdjson::dom::parser a;
  simdjson::dom::parser b;
  simdjson::dom::parser c;
  const auto key = [](simdjson::dom::parser& parser, const std::string& json) {
    const simdjson::dom::element root = parser.parse(json);
    return k8sAuditEventKey(root);
  };
  const std::uint64_t original = key(
      a,
      R"({"auditID":"x","stage":"ResponseComplete","user":{"username":"u","groups":["a","b"]},"n":1})");
  EXPECT_EQ(key(b, R"({ "n": 1, "user": {"groups": ["a", "b"], "username": "u"},
                        "stage": "ResponseComplete", "auditID": "x" })"),
            original);
  EXPECT_NE(
      key(c,
          R"({"auditID":"x","stage":"ResponseComplete","user":{"username":"u","groups":["b","a"]},"n":1})"),
      original);
  EXPECT_NE(
      key(c,
          R"({"auditID":"x","stage":"ResponseComplete","user":{"username":"v","groups":["a","b"]},"n":1})"),
      original);
  // Keys are length-prefixed: moving bytes between a key and its value changes the key.
  EXPECT_NE(key(b, R"({"ab":"c"})"), key(c, R"({"a":"bc"})"));
}

// ---- Falco's test events, one Event a POST, against Falco's rules ------------------------------

TEST(K8sAuditRoutes, FalcosCasesOneEventAPostRaiseTheExpectedAlerts) {
  BULWARK_REQUIRE_SHARED(kCases);
  Harness h(loadRules(falcoRulePaths()));
  const Json doc =
      Json::parse(bulwark::testing::readFile(bulwark::testing::sharedTestdata() / kCases));
  std::size_t cases = 0;
  std::size_t detections = 0;
  for (const auto& test : doc.at("tests")) {
    if (test.at("rules_files").get<std::vector<std::string>>() != kFalcoRules) continue;
    ++cases;
    const std::string name = test.at("test").get<std::string>();
    const std::string body = bulwark::testing::readFile(runtimeDir() / test.at("input"));
    Call posted = call(h, "POST", "/k8s-audit", h.ingest_, body);
    if (test.contains("expect_error_contains")) {
      // fal_01_003: {"kind": 0}, refused with Falco's message.
      EXPECT_EQ(posted.status, 400) << name << ": " << posted.text;
      EXPECT_NE(posted.text.find(test.at("expect_error_contains").get<std::string>()),
                std::string::npos)
          << name << ": " << posted.text;
      continue;
    }
    ASSERT_EQ(posted.status, 200) << name << ": " << posted.text;
    EXPECT_EQ(posted.body["events"], 1) << name;
    const auto expected =
        test.at("expected_counts_current_rules").get<std::map<std::string, int>>();
    if (!test.at("expect_detection").get<bool>()) {
      // No rule matched under Falco's first-match; so none matches here, where all may.
      EXPECT_EQ(posted.body["alerts"], 0) << name << ": " << posted.text;
      continue;
    }
    // Falco stopped at the first rule that matched; every rule that matches raises an alert
    // here, so the expected ones are among them.
    EXPECT_GE(posted.body["alerts"].get<int>(), static_cast<int>(expected.size())) << name;
    for (const auto& [rule, count] : expected) {
      ++detections;
      const std::string id = expectedAlertId(rule, body);
      Call stored = call(h, "GET", "/api/v1/alerts/" + id, h.reader_);
      ASSERT_EQ(stored.status, 200) << name << ": no alert " << id << " of " << rule;
      EXPECT_EQ(stored.body["rule"], rule) << name;
      EXPECT_EQ(stored.body["source"], "k8s_audit") << name;
      EXPECT_EQ(stored.body["hostname"], "bulwark-server") << name;
      EXPECT_EQ(stored.body["agent"], "kube-apiserver") << name;
      EXPECT_FALSE(stored.body["output"].get<std::string>().empty()) << name;
      EXPECT_TRUE(stored.body["output_fields"].contains("ka.user.name")) << name;
    }
  }
  EXPECT_EQ(cases, 41U);
  EXPECT_EQ(detections, 35U);
}

// ---- the EventList kube-apiserver posts ---------------------------------------------------------

TEST(K8sAuditRoutes, AnEventListRaisesWhatDetectRaisesAndARetryIsADuplicate) {
  BULWARK_REQUIRE_SHARED(kEventList);
  const auto rules = loadRules(falcoRulePaths());
  Harness h(rules);
  const std::string body =
      bulwark::testing::readFile(bulwark::testing::sharedTestdata() / kEventList);
  const auto detected = detectOnFile(*rules, bulwark::testing::sharedTestdata() / kEventLines);
  ASSERT_EQ(detected.events, 51U);
  ASSERT_GT(detected.alerts, 40U);

  Call posted = call(h, "POST", "/k8s-audit", h.ingest_, body);
  ASSERT_EQ(posted.status, 200) << posted.text;
  EXPECT_EQ(posted.body["events"], 51);
  EXPECT_EQ(posted.body["skipped"], 0);
  EXPECT_EQ(posted.body["alerts"], detected.alerts);
  EXPECT_EQ(posted.body["rejected"], 0);
  // Identical events (same content, same time) raise the same alert once.
  const auto accepted = posted.body["accepted"].get<std::uint64_t>();
  EXPECT_EQ(accepted + posted.body["duplicates"].get<std::uint64_t>(), detected.alerts);

  const std::vector<Json> stored = storedAlerts(h);
  EXPECT_EQ(stored.size(), accepted);
  const auto by_rule = countByRule(stored);
  std::set<std::string> stored_rules;
  for (const auto& [rule, count] : by_rule) {
    stored_rules.insert(rule);
    EXPECT_LE(count, detected.alerts_by_rule.at(rule)) << rule;
  }
  std::set<std::string> detected_rules;
  for (const auto& [rule, count] : detected.alerts_by_rule) detected_rules.insert(rule);
  EXPECT_EQ(stored_rules, detected_rules);
  EXPECT_TRUE(stored_rules.count("Create Privileged Pod"));
  EXPECT_TRUE(stored_rules.count("Attach/Exec Pod"));

  // The batch backend retries a whole batch; as an array of Events at the other path, too.
  Call again = call(h, "POST", "/k8s-audit", h.admin_, body);
  ASSERT_EQ(again.status, 200) << again.text;
  EXPECT_EQ(again.body["accepted"], 0);
  EXPECT_EQ(again.body["duplicates"], detected.alerts);
  const Json list = Json::parse(body);
  Call as_array = call(h, "POST", "/api/v1/k8s-audit", h.ingest_, list.at("items").dump());
  ASSERT_EQ(as_array.status, 200) << as_array.text;
  EXPECT_EQ(as_array.body["events"], 51);
  EXPECT_EQ(as_array.body["accepted"], 0);
  EXPECT_EQ(storedAlerts(h).size(), accepted);

  const std::string metrics = h.metricsText();
  EXPECT_NE(metrics.find("k8s_audit_events_total{result=\"evaluated\"} 153"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(fmt::format("k8s_audit_alerts_total {}", 3 * detected.alerts)),
            std::string::npos)
      << metrics;
}

TEST(K8sAuditRoutes, TheBuiltInRulesRaiseWhatDetectRaises) {
  BULWARK_REQUIRE_SHARED(kEventList);
  const auto rules = loadRules({});
  Harness h(rules);
  const auto detected = detectOnFile(*rules, bulwark::testing::sharedTestdata() / kEventLines);
  Call posted = call(h, "POST", "/k8s-audit", h.ingest_,
                     bulwark::testing::readFile(bulwark::testing::sharedTestdata() / kEventList));
  ASSERT_EQ(posted.status, 200) << posted.text;
  EXPECT_EQ(posted.body["events"], 51);
  EXPECT_EQ(posted.body["alerts"], detected.alerts);
  std::set<std::string> stored_rules;
  for (const auto& [rule, count] : countByRule(storedAlerts(h))) stored_rules.insert(rule);
  std::set<std::string> detected_rules;
  for (const auto& [rule, count] : detected.alerts_by_rule) detected_rules.insert(rule);
  EXPECT_EQ(stored_rules, detected_rules);
}

// ---- tokens and bad bodies ----------------------------------------------------------------------

std::string auditEvent(const std::string& id, const std::string& verb = "create") {
  return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":")" + id +
         R"(","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":")" +
         verb +
         R"(","user":{"username":"system:anonymous"},"objectRef":{"resource":"pods","namespace":"default"},)"
         R"("responseStatus":{"code":201},"stageTimestamp":"2024-01-01T00:00:00.000001Z"})";
}

TEST(K8sAuditRoutes, AlertsOfARequestTheStoreFailedAreStoredWithTheNext) {
  // A count rule fires on the second event and then falls silent: when the store fails on
  // that request, the API server's retry of the same body raises nothing, so the alert must
  // have been kept.
  bulwark::testing::TempDir dir;
  const fs::path rules = dir.path() / "count.yaml";
  std::ofstream(rules) << R"(- rule: Two Gets By One User
  desc: a user read twice within an hour
  count:
    condition: ka.verb = get
    by: [ka.user.name]
    threshold: 2
    within: 1h
  output: two gets by %ka.user.name
  priority: WARNING
  source: k8s_audit
)";
  Harness h(loadRules({rules}));
  Call first = call(h, "POST", "/k8s-audit", h.ingest_,
                    auditEvent("4f0c6b0a-0000-4000-8000-000000000011", "get"));
  ASSERT_EQ(first.status, 200) << first.text;
  EXPECT_EQ(first.body["alerts"], 0);

  // Another connection holds the database's write lock until the store gives up (busy).
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(h.databaseFile().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  const std::string second = auditEvent("4f0c6b0a-0000-4000-8000-000000000012", "get");
  Call failed = call(h, "POST", "/k8s-audit", h.ingest_, second);
  EXPECT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  ASSERT_EQ(failed.status, 500) << failed.text;
  EXPECT_NE(failed.body["error"]["message"].get<std::string>().find("1 alerts are kept"),
            std::string::npos)
      << failed.text;
  EXPECT_TRUE(storedAlerts(h).empty());

  Call retried = call(h, "POST", "/k8s-audit", h.ingest_, second);
  ASSERT_EQ(retried.status, 200) << retried.text;
  EXPECT_EQ(retried.body["alerts"], 0);  // the rule is silent now
  EXPECT_EQ(retried.body["accepted"], 1);
  const std::vector<Json> stored = storedAlerts(h);
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored[0]["rule"], "Two Gets By One User");
  // Stored once: the next request has nothing left to store.
  Call after = call(h, "POST", "/k8s-audit", h.ingest_, second);
  ASSERT_EQ(after.status, 200) << after.text;
  EXPECT_EQ(after.body["accepted"], 0);
  EXPECT_EQ(after.body["duplicates"], 0);
}

TEST(K8sAuditRoutes, TokensBadBodiesAndLimits) {
  Harness h(loadRules({}));
  const std::string body = auditEvent("4f0c6b0a-0000-4000-8000-000000000001");
  EXPECT_EQ(call(h, "POST", "/k8s-audit", "", body).status, 401);
  EXPECT_EQ(call(h, "POST", "/k8s-audit", "not-a-token", body).status, 401);
  EXPECT_EQ(call(h, "POST", "/k8s-audit", h.reader_, body).status, 403);
  EXPECT_EQ(call(h, "POST", "/k8s-audit", h.ingest_, body).status, 200);
  EXPECT_EQ(call(h, "POST", "/api/v1/k8s-audit", h.admin_, body).status, 200);

  const auto refused = [&](const std::string& bad, const std::string& type = "application/json") {
    Call got = call(h, "POST", "/k8s-audit", h.ingest_, bad, type);
    EXPECT_EQ(got.status, 400) << bad.substr(0, 80) << ": " << got.text;
    std::string message = got.body["error"]["message"].get<std::string>();
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(message.find('\n'), std::string::npos);
    return message;
  };
  EXPECT_NE(refused("{\"kind\":").find("JSON"), std::string::npos);
  EXPECT_EQ(refused("{\"kind\":0}"), events::k8s_audit::kNotAuditEvent);
  EXPECT_EQ(refused("[1,2]"), events::k8s_audit::kNotAuditEvent);
  refused("");
  refused(std::string(200, '[') + std::string(200, ']'));
  EXPECT_NE(refused(body, "text/plain").find("Content-Type"), std::string::npos);

  // No stageTimestamp: left out and counted, as Falco's plugin does.
  Json no_time = Json::parse(body);
  no_time.erase("stageTimestamp");
  Call skipped = call(h, "POST", "/k8s-audit", h.ingest_, no_time.dump());
  ASSERT_EQ(skipped.status, 200) << skipped.text;
  EXPECT_EQ(skipped.body["events"], 0);
  EXPECT_EQ(skipped.body["skipped"], 1);

  // Over the server's 4 MiB body limit and under the webhook's: an EventList of many events.
  std::string big = R"({"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[)";
  std::size_t count = 0;
  while (big.size() < kMaxAlertBodyBytes + 1024) {
    if (count != 0) big += ',';
    big += auditEvent(fmt::format("4f0c6b0a-0000-4000-8000-{:012}", ++count), "get");
  }
  big += "]}";
  Call large = call(h, "POST", "/k8s-audit", h.ingest_, big);
  ASSERT_EQ(large.status, 200) << large.text;
  EXPECT_EQ(large.body["events"], count);
  // The other routes keep the server's limit.
  EXPECT_EQ(call(h, "POST", "/api/v1/alerts", h.ingest_, std::string(kMaxAlertBodyBytes + 1, ' '),
                 "application/x-ndjson")
                .status,
            413);
  // Over Falco's 12 MiB: refused before it is read.
  Call too_large = call(h, "POST", "/k8s-audit", h.ingest_,
                        std::string(events::k8s_audit::kMaxBodyBytes + 1, ' '));
  EXPECT_EQ(too_large.status, 413) << too_large.text;
}

}  // namespace
}  // namespace bulwark::server
