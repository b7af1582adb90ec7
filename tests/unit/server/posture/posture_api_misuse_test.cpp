// Misuse of the posture routes (docs/dev/posture-design.md §5.3) through the real server over a
// seeded SQLite store: a table of (route × bad query or body) with the exact 4xx each must get,
// its one-line error body, and never a 500. Every answer is checked against docs/openapi.yaml.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "posture_seed.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;
using testing::PostureServer;

struct Misuse {
  std::string method;
  std::string target;
  std::string body;
  int status;
  std::string code;
};

// An exemption body with one field replaced (null: removed).
std::string exemptionBody(const testing::PostureSeed& seed, const std::string& key = "",
                          const Json& value = nullptr) {
  Json body = {{"recommendation", "BW-REC-010"},
               {"scope", seed.c1.id},
               {"reason", "accepted for the demo"},
               {"expires_at", seed.now + 30 * testing::kSeedDayMs}};
  if (!key.empty()) {
    if (value.is_null()) {
      body.erase(key);
    } else {
      body[key] = value;
    }
  }
  return body.dump();
}

std::vector<Misuse> misuses(const testing::PostureSeed& seed) {
  const std::string r = "/api/v1/posture/resources";
  const std::string host = r + "/" + seed.host.id;
  const std::string e = "/api/v1/posture/exemptions";
  const std::string long_q(257, 'a');
  const std::string unknown_id = "0123456789abcdef";
  std::string many_labels = "?label=k0=v";  // one more than the 16 allowed
  for (int i = 1; i < 17; ++i) many_labels += "&label=k" + std::to_string(i) + "=v";
  std::vector<Misuse> out = {
      // Paging, on every list.
      {"GET", r + "?limit=1001", "", 400, "bad_request"},
      {"GET", r + "?limit=0", "", 400, "bad_request"},
      {"GET", r + "?limit=ten", "", 400, "bad_request"},
      {"GET", r + "?offset=1099511627777", "", 400, "bad_request"},
      {"GET", r + "?offset=-1", "", 400, "bad_request"},
      {"GET", r + "?limit=5&limit=6", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations?limit=1001", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-010/resources?offset=1099511627777", "", 400,
       "bad_request"},
      {"GET", host + "/assessments?limit=100000", "", 400, "bad_request"},
      {"GET", host + "/children?limit=1001", "", 400, "bad_request"},
      {"GET", host + "/history?limit=1001", "", 400, "bad_request"},
      {"GET", e + "?limit=1001", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/runs?offset=1099511627777", "", 400, "bad_request"},
      // Enums and sorts.
      {"GET", r + "?sort=id", "", 400, "bad_request"},
      {"GET", r + "?sort=name;DROP%20TABLE%20x", "", 400, "bad_request"},
      {"GET", r + "?health=sick", "", 400, "bad_request"},
      {"GET", r + "?type=host,vm", "", 400, "bad_request"},
      {"GET", r + "?type=host,", "", 400, "bad_request"},
      {"GET", r + "?include_gone=yes", "", 400, "bad_request"},
      {"GET", r + "?label=app", "", 400, "bad_request"},
      {"GET", r + "?label==web", "", 400, "bad_request"},
      {"GET", r + "?label=", "", 400, "bad_request"},
      {"GET", r + "?label", "", 400, "bad_request"},
      {"GET", r + "?label=a%00=b", "", 400, "bad_request"},
      {"GET", r + "?label=a=%ff", "", 400, "bad_request"},
      {"GET", r + "?label=a=" + long_q, "", 400, "bad_request"},
      {"GET", r + "?label=app=web&label=app=db", "", 400, "bad_request"},
      {"GET", r + many_labels, "", 400, "bad_request"},
      {"GET", host + "/children?label=app", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations?sort=id", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations?order=up", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations?state=broken", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations?severity=urgent", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations?resource_type=vm", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations?control=CTL-NOPE", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations?control=ctl-priv", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-010/resources?status=ok", "", 400,
       "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-010/resources?exempt=1", "", 400,
       "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-010/resources?sort=title", "", 400,
       "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-010/resources?sort=resource", "", 400,
       "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-010/resources?order=up", "", 400,
       "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-010/resources?type=vm", "", 400,
       "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-010/resources?type=container,", "", 400,
       "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-010/resources?q=" + long_q, "", 400,
       "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-010/resources?q=a%00", "", 400,
       "bad_request"},
      {"GET", host + "/assessments?kind=probe", "", 400, "bad_request"},
      {"GET", host + "/assessments?recommendation=bw-rec-010", "", 400, "bad_request"},
      {"GET", e + "?active=maybe", "", 400, "bad_request"},
      {"GET", e + "?active=false&active=true", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/runs?kind=cron", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/runs?limit=0", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/score/history?bucket=week", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/score/history?control=CTL-NOPE", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/score/history?control=x%20y", "", 400, "bad_request"},
      {"GET", "/api/v1/alerts?status=open", "", 400, "bad_request"},
      {"GET", "/api/v1/alerts?resource=web-1", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/findings?sort=cvss", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/findings?severity=severe", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/findings?fixable=maybe", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/findings?q=" + long_q, "", 400, "bad_request"},
      {"GET", "/api/v1/posture/findings?limit=1001", "", 400, "bad_request"},
      // Times.
      {"GET", "/api/v1/posture/score/history?since=yesterday", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/score/history?since=2026-13-01T00:00:00Z", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/score/history?since=99999999999999999999", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/score/history?since=9999999999999999d", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/score/history?since=1h&until=2h", "", 400, "bad_request"},
      {"GET", host + "/history?since=soon", "", 400, "bad_request"},
      // Text: over 256 bytes, or with a NUL.
      {"GET", r + "?q=" + long_q, "", 400, "bad_request"},
      {"GET", r + "?q=a%00b", "", 400, "bad_request"},
      {"GET", r + "?q=%ff%fe", "", 400, "bad_request"},  // not UTF-8 (PostgreSQL would refuse it)
      {"GET", "/api/v1/posture/findings?repository=%c3", "", 400, "bad_request"},
      {"GET", "/api/v1/alerts?rule=%80", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations?q=" + long_q, "", 400, "bad_request"},
      {"GET", "/api/v1/posture/runs?target=" + long_q, "", 400, "bad_request"},
      // Ids: malformed 400, unknown 404.
      {"GET", r + "/web-1", "", 400, "bad_request"},
      {"GET", r + "/0123456789ABCDEF", "", 400, "bad_request"},
      {"GET", r + "?parent=123", "", 400, "bad_request"},
      {"GET", r + "?scope=" + std::string(17, 'a'), "", 400, "bad_request"},
      {"GET", r + "/" + unknown_id, "", 404, "not_found"},
      {"GET", r + "/" + unknown_id + "/children", "", 404, "not_found"},
      {"GET", r + "/" + unknown_id + "/assessments", "", 404, "not_found"},
      {"GET", r + "/" + unknown_id + "/history", "", 404, "not_found"},
      {"GET", host + "/children?parent=" + seed.c1.id, "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-999", "", 404, "not_found"},
      {"GET", "/api/v1/posture/recommendations/bw-rec-010", "", 400, "bad_request"},
      {"GET", "/api/v1/posture/recommendations/BW-REC-999/resources", "", 404, "not_found"},
      {"GET", e + "/999", "", 404, "not_found"},
      {"GET", e + "/0", "", 400, "bad_request"},
      {"GET", e + "/abc", "", 400, "bad_request"},
      {"GET", e + "/99999999999999999999", "", 400, "bad_request"},
      {"DELETE", e + "/999", "", 404, "not_found"},
      {"DELETE", e + "/-1", "", 400, "bad_request"},
      // Exemption bodies.
      {"POST", e, "{", 400, "bad_request"},
      {"POST", e, "[]", 400, "bad_request"},
      {"POST", e, std::string(40, '[') + std::string(40, ']'), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "recommendation", "BW-REC-999"), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "recommendation", 10), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "scope", unknown_id), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "scope", "web-1"), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "scope"), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "source", "BW-DKR-101"), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "category", "because"), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "reason", ""), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "reason", std::string(1001, 'x')), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "reason", "bell\a"), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "expires_at"), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "expires_at", seed.now - 1000), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "expires_at", seed.now + 800 * testing::kSeedDayMs), 400,
       "bad_request"},
      {"POST", e, exemptionBody(seed, "expires_at", "next year"), 400, "bad_request"},
      {"POST", e, exemptionBody(seed, "expires_at", 1.5), 400, "bad_request"},
      // Alert triage.
      {"PUT", "/api/v1/alerts/" + seed.alert_ids[0] + "/status", R"({"status":"closed"})", 400,
       "bad_request"},
      {"PUT", "/api/v1/alerts/" + seed.alert_ids[0] + "/status", R"({"comment":"x"})", 400,
       "bad_request"},
      {"PUT", "/api/v1/alerts/" + seed.alert_ids[0] + "/status",
       Json({{"status", "dismissed"}, {"comment", std::string(1001, 'c')}}).dump(), 400,
       "bad_request"},
      {"PUT", "/api/v1/alerts/" + seed.alert_ids[0] + "/status",
       R"({"status":"dismissed","comment":"a\u0000b"})", 400, "bad_request"},
      {"PUT", "/api/v1/alerts/" + seed.alert_ids[0] + "/status",
       R"({"status":"dismissed","comment":"bell\u0007"})", 400, "bad_request"},
      {"PUT", "/api/v1/alerts/" + seed.alert_ids[0] + "/status",
       R"({"status":"dismissed","comment":42})", 400, "bad_request"},
      {"PUT", "/api/v1/alerts/" + seed.alert_ids[0] + "/status", "not json", 400, "bad_request"},
      {"PUT", "/api/v1/alerts/not-a-uuid/status", R"({"status":"dismissed"})", 400, "bad_request"},
      {"PUT", "/api/v1/alerts/6f1c2a3b-0000-4abc-9def-000000000999/status",
       R"({"status":"dismissed"})", 404, "not_found"},
  };
  return out;
}

TEST(PostureApiMisuse, EveryBadRequestIsTheRight4xxAndNever500) {
  PostureServer server("posture-misuse");
  for (const auto& misuse : misuses(server.seed())) {
    SCOPED_TRACE(misuse.method + " " + misuse.target.substr(0, 160) + " " +
                 misuse.body.substr(0, 160));
    auto answer = server.call(misuse.method, misuse.target, server.admin_, misuse.body);
    EXPECT_EQ(answer.status, misuse.status) << answer.text;
    EXPECT_LT(answer.status, 500);
    ASSERT_TRUE(answer.body.is_object()) << answer.text;
    EXPECT_EQ(answer.body["error"]["code"], misuse.code);
    const std::string message = answer.body["error"]["message"].get<std::string>();
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  // Nothing of the above was written.
  auto exemptions = server.call("GET", "/api/v1/posture/exemptions", server.reader_);
  EXPECT_EQ(exemptions.body["total"], 0);
}

TEST(PostureApiMisuse, ConflictsAreFourOhNine) {
  PostureServer server("posture-conflict");
  const std::string body = exemptionBody(server.seed());
  auto created = server.call("POST", "/api/v1/posture/exemptions", server.admin_, body);
  ASSERT_EQ(created.status, 201) << created.text;
  auto duplicate = server.call("POST", "/api/v1/posture/exemptions", server.admin_, body);
  EXPECT_EQ(duplicate.status, 409);
  EXPECT_EQ(duplicate.body["error"]["code"], "conflict");
  // The same recommendation for one source only is another exemption.
  auto one_source = server.call("POST", "/api/v1/posture/exemptions", server.admin_,
                                exemptionBody(server.seed(), "source", "BW-DKR-505"));
  EXPECT_EQ(one_source.status, 201) << one_source.text;
  const std::string target =
      "/api/v1/posture/exemptions/" + std::to_string(created.body["id"].get<std::int64_t>());
  EXPECT_EQ(server.call("DELETE", target, server.admin_).status, 204);
  EXPECT_EQ(server.call("DELETE", target, server.admin_).status, 409);
  // Revoked, it no longer blocks a new one.
  EXPECT_EQ(server.call("POST", "/api/v1/posture/exemptions", server.admin_, body).status, 201);
}

TEST(PostureApiMisuse, RolesAndTokens) {
  PostureServer server("posture-roles");
  EXPECT_EQ(server.call("GET", "/api/v1/posture/score", "").status, 401);
  EXPECT_EQ(server.call("GET", "/api/v1/posture/score", server.ingest_).status, 403);
  EXPECT_EQ(
      server
          .call("POST", "/api/v1/posture/exemptions", server.reader_, exemptionBody(server.seed()))
          .status,
      403);
  EXPECT_EQ(server.call("DELETE", "/api/v1/posture/exemptions/1", server.reader_).status, 403);
  EXPECT_EQ(server
                .call("PUT", "/api/v1/alerts/" + server.seed().alert_ids[0] + "/status",
                      server.ingest_, R"({"status":"dismissed"})")
                .status,
            403);
}

}  // namespace
}  // namespace bulwark::server
