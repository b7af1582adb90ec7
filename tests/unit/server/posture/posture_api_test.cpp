// The posture routes (src/server/posture_api.cpp) through the real HTTP server on a loopback port
// with a SQLite store seeded through the Store API (posture_seed.h works the score out by hand):
// every route's answer against the seeded values, paging totals, sort orders, the score moving at
// once with an exemption and back on its revocation; every answer checked against
// docs/openapi.yaml.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "posture/catalogue.h"
#include "posture_seed.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;
using testing::PostureServer;

std::vector<std::string> field(const Json& items, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(item.at(name).get<std::string>());
  return out;
}

const Json& control(const Json& score, const std::string& id) {
  for (const auto& entry : score.at("controls")) {
    if (entry.at("id") == id) return entry;
  }
  throw std::runtime_error("no control " + id);
}

class PostureApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new PostureServer("posture-api"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static testing::ApiCall get(const std::string& target) {
    return server_->call("GET", target, server_->reader_);
  }
  static const testing::PostureSeed& seed() { return server_->seed(); }
  static PostureServer* server_;
};

PostureServer* PostureApiTest::server_ = nullptr;

TEST_F(PostureApiTest, ScoreIsComputedFromTheAssessments) {
  auto score = get("/api/v1/posture/score");
  ASSERT_EQ(score.status, 200) << score.text;
  EXPECT_DOUBLE_EQ(score.body["points"].get<double>(), 14.5);
  EXPECT_DOUBLE_EQ(score.body["max"].get<double>(), 24);
  EXPECT_NEAR(score.body["percent"].get<double>(), 100 * 14.5 / 24, 1e-9);
  const Json& priv = control(score.body, "CTL-PRIV");
  EXPECT_EQ(priv["healthy"], 1);
  EXPECT_EQ(priv["unhealthy"], 1);
  EXPECT_EQ(priv["not_evaluated"], 1);
  EXPECT_DOUBLE_EQ(priv["score"].get<double>(), 3);
  EXPECT_TRUE(priv["applicable"]);
  EXPECT_DOUBLE_EQ(control(score.body, "CTL-HOST")["score"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(control(score.body, "CTL-CONF")["score"].get<double>(), 1.5);
  EXPECT_FALSE(control(score.body, "CTL-NET")["applicable"]);
  EXPECT_EQ(score.body["controls"].size(), 7U);  // the catalogue's order and number
  EXPECT_EQ(score.body["controls"][0]["id"], "CTL-VULN");
}

TEST_F(PostureApiTest, ScoreHistoryBucketsToTheLastPointPerDay) {
  auto all = get("/api/v1/posture/score/history?since=7d");
  ASSERT_EQ(all.status, 200) << all.text;
  EXPECT_EQ(all.body["points"].size(), 4U);
  EXPECT_TRUE(all.body["bucket"].is_null());
  auto days = get("/api/v1/posture/score/history?since=7d&control=total&bucket=day");
  ASSERT_EQ(days.status, 200) << days.text;
  ASSERT_EQ(days.body["points"].size(), 2U);
  EXPECT_DOUBLE_EQ(days.body["points"][0]["score"].get<double>(), 12);  // the later of day 0
  EXPECT_DOUBLE_EQ(days.body["points"][1]["score"].get<double>(), 14.5);
  EXPECT_EQ(days.body["points"][0]["control"], "total");
  EXPECT_NEAR(days.body["points"][1]["percent"].get<double>(), 100 * 14.5 / 24, 1e-9);
  auto priv = get("/api/v1/posture/score/history?since=7d&control=CTL-PRIV&bucket=hour");
  ASSERT_EQ(priv.status, 200);
  ASSERT_EQ(priv.body["points"].size(), 1U);
  EXPECT_EQ(priv.body["points"][0]["control"], "CTL-PRIV");
  // Only what lies in [since, until).
  auto none = get("/api/v1/posture/score/history?since=1h");
  EXPECT_EQ(none.body["points"].size(), 0U);
}

TEST_F(PostureApiTest, RecommendationsSortByPotentialWithCounts) {
  auto list = get("/api/v1/posture/recommendations?limit=3");
  ASSERT_EQ(list.status, 200) << list.text;
  auto catalogue = posture::builtinCatalogue();
  ASSERT_TRUE(catalogue);
  EXPECT_EQ(list.body["total"], catalogue->recommendations().size());
  EXPECT_EQ(field(list.body["recommendations"], "id"),
            (std::vector<std::string>{"BW-REC-020", "BW-REC-010", "BW-REC-050"}));
  // Mc ÷ (Hc + Uc) × unhealthy_only ÷ Σ Mc, in points of percent.
  EXPECT_NEAR(list.body["recommendations"][0]["potential"].get<double>(), 5.0 / 1 / 24 * 100, 1e-9);
  EXPECT_NEAR(list.body["recommendations"][1]["potential"].get<double>(), 6.0 / 2 / 24 * 100, 1e-9);
  const Json& rec010 = list.body["recommendations"][1];
  EXPECT_EQ(rec010["counts"]["unhealthy"], 1);
  EXPECT_EQ(rec010["counts"]["healthy"], 1);
  EXPECT_EQ(rec010["counts"]["not_evaluated"], 1);
  EXPECT_EQ(rec010["control"], "CTL-PRIV");

  auto page = get("/api/v1/posture/recommendations?limit=2&offset=1");
  EXPECT_EQ(field(page.body["recommendations"], "id"),
            (std::vector<std::string>{"BW-REC-010", "BW-REC-050"}));
  EXPECT_EQ(page.body["limit"], 2);
  EXPECT_EQ(page.body["offset"], 1);

  auto unhealthy = get("/api/v1/posture/recommendations?state=unhealthy&sort=unhealthy&order=asc");
  EXPECT_EQ(unhealthy.body["total"], 3);
  // Equal counts: the id breaks the tie, ascending.
  EXPECT_EQ(field(unhealthy.body["recommendations"], "id"),
            (std::vector<std::string>{"BW-REC-010", "BW-REC-020", "BW-REC-050"}));
  auto healthy = get("/api/v1/posture/recommendations?state=healthy");
  EXPECT_EQ(field(healthy.body["recommendations"], "id"),
            (std::vector<std::string>{"BW-REC-001", "BW-REC-021", "BW-REC-032"}));

  auto titles = get("/api/v1/posture/recommendations?sort=title&limit=1000");
  auto names = field(titles.body["recommendations"], "title");
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  auto desc = get("/api/v1/posture/recommendations?sort=title&order=desc&limit=1000");
  auto reversed = field(desc.body["recommendations"], "title");
  EXPECT_TRUE(std::is_sorted(reversed.rbegin(), reversed.rend()));

  auto host = get("/api/v1/posture/recommendations?control=CTL-HOST");
  for (const auto& entry : host.body["recommendations"]) EXPECT_EQ(entry["control"], "CTL-HOST");
  EXPECT_GE(host.body["total"], 2);
  auto search = get("/api/v1/posture/recommendations?q=bw-rec-01");
  for (const auto& id : field(search.body["recommendations"], "id")) {
    EXPECT_EQ(id.rfind("BW-REC-01", 0), 0U) << id;
  }
  auto critical = get("/api/v1/posture/recommendations?severity=critical&resource_type=container");
  for (const auto& entry : critical.body["recommendations"]) {
    EXPECT_EQ(entry["severity"], "critical");
    const auto& types = entry["resource_types"];
    EXPECT_NE(std::find(types.begin(), types.end(), "container"), types.end());
  }
}

TEST_F(PostureApiTest, OneRecommendationAndItsResources) {
  auto rec = get("/api/v1/posture/recommendations/BW-REC-010");
  ASSERT_EQ(rec.status, 200) << rec.text;
  EXPECT_EQ(rec.body["id"], "BW-REC-010");
  EXPECT_EQ(rec.body["control_score"]["id"], "CTL-PRIV");
  EXPECT_DOUBLE_EQ(rec.body["control_score"]["score"].get<double>(), 3);
  EXPECT_TRUE(rec.body["exemptions"].empty());

  auto all = get("/api/v1/posture/recommendations/BW-REC-010/resources");
  ASSERT_EQ(all.status, 200) << all.text;
  EXPECT_EQ(all.body["total"], 3);
  std::set<std::string> ids;
  for (const auto& item : all.body["items"]) {
    EXPECT_EQ(item["assessment"]["recommendation"], "BW-REC-010");
    EXPECT_EQ(item["assessment"]["resource_id"], item["resource"]["id"]);
    ids.insert(item["resource"]["name"].get<std::string>());
  }
  EXPECT_EQ(ids, (std::set<std::string>{"c1", "c2", "c3"}));
  auto bad = get("/api/v1/posture/recommendations/BW-REC-010/resources?status=unhealthy");
  ASSERT_EQ(bad.body["items"].size(), 1U);
  EXPECT_EQ(bad.body["items"][0]["resource"]["id"], seed().c1.id);
  EXPECT_EQ(bad.body["items"][0]["assessment"]["severity"], "critical");
  auto scoped =
      get("/api/v1/posture/recommendations/BW-REC-010/resources?scope=" + seed().registry.id);
  EXPECT_EQ(scoped.body["total"], 0);
  auto paged = get("/api/v1/posture/recommendations/BW-REC-010/resources?limit=1&offset=2");
  EXPECT_EQ(paged.body["total"], 3);
  EXPECT_EQ(paged.body["items"].size(), 1U);

  // Sorts: severity (unhealthy first, then the worst), name, since; order turns them around.
  const std::string base = "/api/v1/posture/recommendations/BW-REC-010/resources";
  const auto names = [&](const std::string& query) {
    auto answer = get(base + query);
    EXPECT_EQ(answer.status, 200) << answer.text;
    std::vector<std::string> out;
    for (const auto& item : answer.body["items"]) {
      out.push_back(item["resource"]["name"].get<std::string>());
    }
    return out;
  };
  using Names = std::vector<std::string>;
  // c1 unhealthy, c2 healthy, c3 not evaluated.
  EXPECT_EQ(names("?sort=severity"), (Names{"c1", "c2", "c3"}));
  EXPECT_EQ(names("?sort=severity&order=asc"), (Names{"c3", "c2", "c1"}));
  EXPECT_EQ(names("?sort=name"), (Names{"c1", "c2", "c3"}));
  EXPECT_EQ(names("?sort=name&order=desc"), (Names{"c3", "c2", "c1"}));
  EXPECT_EQ(names("?sort=since").size(), 3U);
  EXPECT_EQ(names("?sort=name&order=desc&limit=1&offset=1"), (Names{"c2"}));
  // Filters on the resource: its type, its name or key.
  EXPECT_EQ(names("?type=container,image").size(), 3U);
  EXPECT_TRUE(names("?type=host").empty());
  EXPECT_EQ(names("?q=C2"), (Names{"c2"}));
  EXPECT_EQ(names("?q=web-1&status=unhealthy"), (Names{"c1"}));  // the containers' keys
  EXPECT_EQ(get(base + "?q=c&sort=severity&limit=1").body["total"], 3);
}

TEST_F(PostureApiTest, ResourcesFilterSortAndPage) {
  auto all = get("/api/v1/posture/resources");
  ASSERT_EQ(all.status, 200) << all.text;
  EXPECT_EQ(all.body["total"], 7);
  auto names = field(all.body["resources"], "name");
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));

  // Pages of 3 cover every resource once.
  std::vector<std::string> paged;
  for (int offset = 0; offset < 9; offset += 3) {
    auto page = get("/api/v1/posture/resources?limit=3&offset=" + std::to_string(offset));
    EXPECT_EQ(page.body["total"], 7);
    for (const auto& id : field(page.body["resources"], "id")) paged.push_back(id);
  }
  EXPECT_EQ(paged, field(all.body["resources"], "id"));

  auto roots = get("/api/v1/posture/resources?type=registry,host");
  EXPECT_EQ(roots.body["total"], 2);
  EXPECT_EQ(field(roots.body["resources"], "id"),
            (std::vector<std::string>{seed().registry.id, seed().host.id}));
  auto unhealthy = get("/api/v1/posture/resources?health=unhealthy");
  const auto unhealthy_ids = field(unhealthy.body["resources"], "id");
  EXPECT_EQ(std::set<std::string>(unhealthy_ids.begin(), unhealthy_ids.end()),
            (std::set<std::string>{seed().host.id, seed().c1.id, seed().c2.id}));
  auto by_health = get("/api/v1/posture/resources?sort=health");
  auto healths = field(by_health.body["resources"], "health");
  EXPECT_EQ(healths.front(), "unhealthy");
  EXPECT_EQ(std::count(healths.begin(), healths.begin() + 3, "unhealthy"), 3);
  auto children = get("/api/v1/posture/resources?parent=" + seed().host.id);
  EXPECT_EQ(field(children.body["resources"], "name"),
            (std::vector<std::string>{"c1", "c2", "c3"}));
  auto scope = get("/api/v1/posture/resources?scope=" + seed().registry.id);
  EXPECT_EQ(scope.body["total"], 3);
  // The name or the key: the containers' keys name their host.
  auto search = get("/api/v1/posture/resources?q=WEB-1");
  EXPECT_EQ(field(search.body["resources"], "name"),
            (std::vector<std::string>{"c1", "c2", "c3", "web-1"}));
  auto by_name = get("/api/v1/posture/resources?q=App");
  EXPECT_EQ(field(by_name.body["resources"], "id"),
            (std::vector<std::string>{seed().repository.id, seed().image.id}));

  // Labels: key=value split at the first '=', every one must match, exactly.
  auto web = get("/api/v1/posture/resources?label=app=web");
  ASSERT_EQ(web.status, 200) << web.text;
  EXPECT_EQ(web.body["total"], 1);
  EXPECT_EQ(field(web.body["resources"], "id"), (std::vector<std::string>{seed().c1.id}));
  EXPECT_EQ(get("/api/v1/posture/resources?label=app=web&label=tier=front%3Dend").body["total"], 1);
  EXPECT_EQ(get("/api/v1/posture/resources?label=app=web&label=tier=front").body["total"], 0);
  EXPECT_EQ(get("/api/v1/posture/resources?label=app=WEB").body["total"], 0);
  EXPECT_EQ(get("/api/v1/posture/resources?lab%65l=app%3Dweb").body["total"], 1);  // encoded
  EXPECT_EQ(get("/api/v1/posture/resources?label=app%3Dweb&label=app=web").body["total"], 1);
  EXPECT_EQ(get("/api/v1/posture/resources?label=app=").body["total"], 0);
  EXPECT_EQ(get("/api/v1/posture/resources?label=env=prod&type=host").body["total"], 1);
  EXPECT_EQ(get("/api/v1/posture/resources?label=env=prod&type=container").body["total"], 0);
  auto apps = get("/api/v1/posture/resources/" + seed().host.id + "/children?label=app=db");
  ASSERT_EQ(apps.status, 200) << apps.text;
  EXPECT_EQ(field(apps.body["resources"], "name"), (std::vector<std::string>{"c2"}));

  const Json& host = roots.body["resources"][1];
  EXPECT_EQ(host["type"], "host");
  EXPECT_EQ(host["key"], seed().host.key);
  EXPECT_EQ(host["labels"]["env"], "prod");
  EXPECT_EQ(host["health"], "unhealthy");
  EXPECT_EQ(host["unhealthy"], 1);
  EXPECT_EQ(host["ancestors"], Json::array({seed().host.id}));
  EXPECT_TRUE(host["gone_at"].is_null());
}

TEST_F(PostureApiTest, OneResourceWithBreadcrumbChildrenAndRecommendations) {
  auto image = get("/api/v1/posture/resources/" + seed().image.id);
  ASSERT_EQ(image.status, 200) << image.text;
  EXPECT_EQ(field(image.body["breadcrumb"], "id"),
            (std::vector<std::string>{seed().registry.id, seed().repository.id}));
  EXPECT_EQ(image.body["breadcrumb"][0]["type"], "registry");
  EXPECT_TRUE(image.body["last_run"].is_null());

  auto host = get("/api/v1/posture/resources/" + seed().host.id);
  ASSERT_EQ(host.status, 200) << host.text;
  EXPECT_TRUE(host.body["breadcrumb"].empty());
  EXPECT_EQ(host.body["children"]["unhealthy"], 2);
  EXPECT_EQ(host.body["children"]["not-evaluated"], 1);
  EXPECT_EQ(host.body["children"]["healthy"], 0);
  EXPECT_EQ(field(host.body["recommendations"], "id"),
            (std::vector<std::string>{"BW-REC-020", "BW-REC-021", "BW-REC-032"}));
  EXPECT_EQ(field(host.body["recommendations"], "status"),
            (std::vector<std::string>{"unhealthy", "healthy", "healthy"}));
  EXPECT_EQ(host.body["last_run"]["id"], seed().docker_run);
  EXPECT_EQ(host.body["last_run"]["summary"]["containers"], 3);

  auto children = get("/api/v1/posture/resources/" + seed().host.id + "/children?health=unhealthy");
  ASSERT_EQ(children.status, 200) << children.text;
  EXPECT_EQ(field(children.body["resources"], "name"), (std::vector<std::string>{"c1", "c2"}));
}

TEST_F(PostureApiTest, AssessmentsAndHistoryOfAResource) {
  const std::string base = "/api/v1/posture/resources/" + seed().host.id;
  auto all = get(base + "/assessments");
  ASSERT_EQ(all.status, 200) << all.text;
  EXPECT_EQ(all.body["total"], 3);
  EXPECT_EQ(field(all.body["assessments"], "source"),
            (std::vector<std::string>{"BW-DKR-101", "BW-DKR-102", "BW-DKR-207"}));
  const Json& first = all.body["assessments"][0];
  EXPECT_EQ(first["status"], "unhealthy");
  EXPECT_EQ(first["evidence"][0]["observed"], "observed BW-DKR-101");
  EXPECT_EQ(first["status_since"], seed().t0);
  EXPECT_EQ(all.body["assessments"][1]["status_since"], seed().t1);  // changed at t1
  EXPECT_EQ(get(base + "/assessments?status=healthy").body["total"], 2);
  EXPECT_EQ(get(base + "/assessments?recommendation=BW-REC-021").body["total"], 1);
  EXPECT_EQ(get(base + "/assessments?kind=derived").body["total"], 0);
  EXPECT_EQ(get("/api/v1/posture/resources/" + seed().image.id + "/assessments?kind=derived")
                .body["total"],
            1);

  auto history = get(base + "/history");
  ASSERT_EQ(history.status, 200) << history.text;
  ASSERT_EQ(history.body["changes"].size(), 4U);  // three appearances, one change
  const Json& newest = history.body["changes"][0];
  EXPECT_EQ(newest["source"], "BW-DKR-102");
  EXPECT_EQ(newest["from"], "unhealthy");
  EXPECT_EQ(newest["to"], "healthy");
  EXPECT_EQ(newest["cause"], "run:2");
  EXPECT_EQ(newest["at"], seed().t1);
  EXPECT_TRUE(history.body["changes"][1]["from"].is_null());
  EXPECT_EQ(get(base + "/history?since=36h").body["changes"].size(), 1U);
  EXPECT_EQ(get(base + "/history?limit=2").body["changes"].size(), 2U);
}

TEST_F(PostureApiTest, AnExemptionMovesTheScoreAtOnceAndItsRevocationBack) {
  const Json body = {{"recommendation", "BW-REC-020"},
                     {"scope", seed().host.id},
                     {"category", "mitigated"},
                     {"reason", "hardened by the platform team's Ansible role"},
                     {"expires_at", store::nowMillis() + 90 * testing::kSeedDayMs}};
  auto forbidden =
      server_->call("POST", "/api/v1/posture/exemptions", server_->reader_, body.dump());
  EXPECT_EQ(forbidden.status, 403);
  auto created = server_->call("POST", "/api/v1/posture/exemptions", server_->admin_, body.dump());
  ASSERT_EQ(created.status, 201) << created.text;
  const std::int64_t id = created.body["id"];
  EXPECT_EQ(created.body["created_by"], "admin");
  EXPECT_EQ(created.body["category"], "mitigated");
  EXPECT_TRUE(created.body["active"]);

  auto score = get("/api/v1/posture/score");
  EXPECT_DOUBLE_EQ(score.body["points"].get<double>(), 19.5);
  EXPECT_NEAR(score.body["percent"].get<double>(), 81.25, 1e-9);
  EXPECT_EQ(control(score.body, "CTL-HOST")["exempt"], 0);  // counted healthy through BW-REC-021
  auto rec = get("/api/v1/posture/recommendations/BW-REC-020");
  EXPECT_EQ(rec.body["counts"]["exempt"], 1);
  EXPECT_EQ(rec.body["exemptions"].size(), 1U);
  auto exempt = get("/api/v1/posture/recommendations/BW-REC-020/resources?exempt=true");
  ASSERT_EQ(exempt.body["items"].size(), 1U);
  EXPECT_EQ(exempt.body["items"][0]["assessment"]["exempt_id"], id);
  auto host = get("/api/v1/posture/resources/" + seed().host.id);
  EXPECT_EQ(host.body["recommendations"][0]["id"], "BW-REC-021");
  EXPECT_EQ(host.body["resource"]["health"], "healthy");

  auto duplicate =
      server_->call("POST", "/api/v1/posture/exemptions", server_->admin_, body.dump());
  EXPECT_EQ(duplicate.status, 409) << duplicate.text;
  auto one = get("/api/v1/posture/exemptions/" + std::to_string(id));
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body["scope"], seed().host.id);
  auto active = get("/api/v1/posture/exemptions?active=true&recommendation=BW-REC-020");
  EXPECT_EQ(active.body["total"], 1);
  EXPECT_EQ(get("/api/v1/posture/exemptions?active=false").body["total"], 0);

  auto revoked =
      server_->call("DELETE", "/api/v1/posture/exemptions/" + std::to_string(id), server_->admin_);
  EXPECT_EQ(revoked.status, 204) << revoked.text;
  score = get("/api/v1/posture/score");
  EXPECT_DOUBLE_EQ(score.body["points"].get<double>(), 14.5);
  EXPECT_EQ(get("/api/v1/posture/exemptions?active=true").body["total"], 0);
  auto inactive = get("/api/v1/posture/exemptions?active=false");
  ASSERT_EQ(inactive.status, 200) << inactive.text;
  EXPECT_EQ(inactive.body["total"], 1);
  EXPECT_EQ(inactive.body["exemptions"][0]["id"], id);
  EXPECT_FALSE(inactive.body["exemptions"][0]["active"]);
  EXPECT_EQ(get("/api/v1/posture/exemptions?active=all").body["total"], 1);
  auto history = get("/api/v1/posture/exemptions?scope=" + seed().host.id);
  EXPECT_EQ(history.body["total"], 1);
  EXPECT_FALSE(history.body["exemptions"][0]["revoked_at"].is_null());
  EXPECT_FALSE(history.body["exemptions"][0]["active"]);
  auto again =
      server_->call("DELETE", "/api/v1/posture/exemptions/" + std::to_string(id), server_->admin_);
  EXPECT_EQ(again.status, 409);
}

TEST_F(PostureApiTest, FindingsAcrossImages) {
  auto all = get("/api/v1/posture/findings");
  ASSERT_EQ(all.status, 200) << all.text;
  EXPECT_EQ(all.body["total"], 2);
  EXPECT_EQ(field(all.body["findings"], "vulnerability_id"),
            (std::vector<std::string>{"CVE-2026-0001", "CVE-2026-0002"}));
  const Json& first = all.body["findings"][0];
  EXPECT_EQ(first["registry"], "r1");
  EXPECT_EQ(first["repository"], "app");
  EXPECT_EQ(first["digest"], seed().digest);
  EXPECT_EQ(first["severity"], "critical");
  EXPECT_EQ(first["fixable"], true);
  EXPECT_EQ(first["images"], 1);
  EXPECT_EQ(get("/api/v1/posture/findings?severity=high").body["total"], 1);
  EXPECT_EQ(get("/api/v1/posture/findings?fixable=true").body["total"], 1);
  EXPECT_EQ(get("/api/v1/posture/findings?q=CURL").body["total"], 1);
  EXPECT_EQ(get("/api/v1/posture/findings?registry=r2").body["total"], 0);
  EXPECT_EQ(get("/api/v1/posture/findings?repository=app&vulnerability=CVE-2026-0002")
                .body["findings"][0]["package_name"],
            "curl");
  // The drill-down's finding names the layer that added the package.
  auto openssl = get("/api/v1/images/" + seed().digest + "/findings/CVE-2026-0001");
  ASSERT_EQ(openssl.status, 200) << openssl.text;
  EXPECT_EQ(openssl.body["layer"], Json({{"index", 1},
                                         {"digest", seed().openssl_layer},
                                         {"created_by", "RUN apt-get install openssl"},
                                         {"size", 1234}}));
  auto curl = get("/api/v1/images/" + seed().digest + "/findings/CVE-2026-0002");
  ASSERT_EQ(curl.status, 200) << curl.text;
  EXPECT_TRUE(curl.body["layer"].is_null());
  auto by_package = get("/api/v1/posture/findings?sort=package&limit=1");
  EXPECT_EQ(by_package.body["total"], 2);
  EXPECT_EQ(field(by_package.body["findings"], "package_name"), (std::vector<std::string>{"curl"}));
}

TEST_F(PostureApiTest, RunsAndSchedules) {
  auto runs = get("/api/v1/posture/runs");
  ASSERT_EQ(runs.status, 200) << runs.text;
  ASSERT_EQ(runs.body["runs"].size(), 2U);
  EXPECT_EQ(runs.body["total"], 2);
  EXPECT_EQ(runs.body["runs"][0]["id"], seed().sync_run);  // newest first
  EXPECT_EQ(runs.body["runs"][0]["status"], "running");
  EXPECT_TRUE(runs.body["runs"][0]["finished_at"].is_null());
  EXPECT_EQ(runs.body["runs"][1]["results"], 6);
  auto docker = get("/api/v1/posture/runs?kind=docker");
  ASSERT_EQ(docker.body["runs"].size(), 1U);
  EXPECT_EQ(docker.body["runs"][0]["target"], seed().host.key);
  EXPECT_EQ(get("/api/v1/posture/runs?target=sync").body["runs"].size(), 1U);
  auto second = get("/api/v1/posture/runs?limit=1&offset=1");
  EXPECT_EQ(second.body["runs"][0]["id"], seed().docker_run);
  EXPECT_EQ(second.body["total"], 2);  // the matching runs, not the page
  EXPECT_EQ(docker.body["total"], 1);
  auto none = get("/api/v1/posture/runs?kind=k8s&offset=5");
  EXPECT_EQ(none.body["total"], 0);
  EXPECT_TRUE(none.body["runs"].empty());

  auto schedules = get("/api/v1/posture/schedules");
  ASSERT_EQ(schedules.status, 200) << schedules.text;
  ASSERT_EQ(schedules.body["schedules"].size(), 1U);
  EXPECT_EQ(schedules.body["schedules"][0]["target"], seed().host.key);
  EXPECT_EQ(schedules.body["schedules"][0]["last_run"]["id"], seed().docker_run);
}

TEST_F(PostureApiTest, AlertTriageAndItsFilters) {
  const std::string& first = seed().alert_ids[0];
  auto forbidden = server_->call("PUT", "/api/v1/alerts/" + first + "/status", server_->reader_,
                                 R"({"status":"dismissed"})");
  EXPECT_EQ(forbidden.status, 403);
  auto set = server_->call("PUT", "/api/v1/alerts/" + first + "/status", server_->admin_,
                           R"({"status":"dismissed","comment":"expected: a debugging session"})");
  ASSERT_EQ(set.status, 200) << set.text;
  EXPECT_EQ(set.body["status"], "dismissed");
  EXPECT_EQ(set.body["status_by"], "admin");
  EXPECT_FALSE(set.body["status_at"].is_null());
  EXPECT_EQ(set.body["resource_id"], seed().c1.id);
  EXPECT_EQ(set.body["status_comment"], "expected: a debugging session");
  // Stored: a later read has it; the logs never do.
  auto read = get("/api/v1/alerts/" + first);
  ASSERT_EQ(read.status, 200) << read.text;
  EXPECT_EQ(read.body["status_comment"], "expected: a debugging session");
  EXPECT_EQ(server_->logs().find("debugging session"), std::string::npos) << server_->logs();
  // UTF-8, tab and newline are kept as given.
  const Json multi_line = {{"status", "dismissed"}, {"comment", "line 1\n\tline 2 \u00e9"}};
  auto again = server_->call("PUT", "/api/v1/alerts/" + first + "/status", server_->admin_,
                             multi_line.dump());
  ASSERT_EQ(again.status, 200) << again.text;
  EXPECT_EQ(again.body["status_comment"], "line 1\n\tline 2 \u00e9");

  auto dismissed = get("/api/v1/alerts?status=dismissed");
  ASSERT_EQ(dismissed.status, 200) << dismissed.text;
  EXPECT_EQ(field(dismissed.body["alerts"], "alert_id"), (std::vector<std::string>{first}));
  auto fresh = get("/api/v1/alerts?status=new");
  EXPECT_EQ(field(fresh.body["alerts"], "alert_id"),
            (std::vector<std::string>{seed().alert_ids[1], seed().alert_ids[2]}));
  auto resource = get("/api/v1/alerts?resource=" + seed().c1.id);
  EXPECT_EQ(field(resource.body["alerts"], "alert_id"), (std::vector<std::string>{first}));
  EXPECT_EQ(get("/api/v1/alerts?resource=" + seed().c2.id).body["alerts"].size(), 0U);
}

TEST_F(PostureApiTest, OverviewInOneCall) {
  auto overview = get("/api/v1/posture/overview");
  ASSERT_EQ(overview.status, 200) << overview.text;
  EXPECT_NEAR(overview.body["score"]["percent"].get<double>(), 100 * 14.5 / 24, 1e-9);
  // The two total points of the last 30 days, one per day.
  EXPECT_EQ(overview.body["trend"].size(), 2U);
  EXPECT_EQ(overview.body["unhealthy_by_type"]["host"], 1);
  EXPECT_EQ(overview.body["unhealthy_by_type"]["container"], 2);
  EXPECT_EQ(overview.body["unhealthy_by_type"]["image"], 0);
  EXPECT_EQ(field(overview.body["top_recommendations"], "id"),
            (std::vector<std::string>{"BW-REC-020", "BW-REC-010", "BW-REC-050"}));
  std::int64_t alerts = 0;
  std::set<std::string> priorities;
  for (const auto& day : overview.body["alerts"]["days"]) {
    alerts += day["count"].get<std::int64_t>();
    priorities.insert(day["priority"].get<std::string>());
    EXPECT_EQ(day["day"].get<std::int64_t>() % testing::kSeedDayMs, 0);
  }
  EXPECT_EQ(alerts, 2);  // the simulated one is left out
  EXPECT_EQ(priorities, (std::set<std::string>{"Critical", "Warning"}));
  EXPECT_FALSE(overview.body["alerts"]["truncated"]);
}

// Its own server: it pushes the seeded digest to a second repository.
TEST(PostureImageLinks, AnImageNamesItsPostureResourcePerRepository) {
  PostureServer server("posture-images");
  const testing::PostureSeed& seed = server.seed();
  // The same digest in a repository the posture sync has not seen (no resource yet).
  ASSERT_TRUE(server.store().recordPush("r1", "mirror", seed.digest, "v1", seed.now));
  const Json expected =
      Json::array({{{"registry", "r1"}, {"repository", "app"}, {"resource_id", seed.image.id}},
                   {{"registry", "r1"}, {"repository", "mirror"}, {"resource_id", nullptr}}});

  auto scan = server.call("GET", "/api/v1/images/" + seed.digest, server.reader_);
  ASSERT_EQ(scan.status, 200) << scan.text;
  EXPECT_EQ(scan.body["repositories"], expected);
  EXPECT_FALSE(scan.body.contains("resource_id"));

  auto app = server.call("GET", "/api/v1/images/" + seed.digest + "?registry=r1&repository=app",
                         server.reader_);
  ASSERT_EQ(app.status, 200) << app.text;
  EXPECT_EQ(app.body["resource_id"], seed.image.id);
  EXPECT_EQ(app.body["repositories"], expected);
  auto mirror = server.call(
      "GET", "/api/v1/images/" + seed.digest + "?registry=r1&repository=mirror", server.reader_);
  ASSERT_EQ(mirror.status, 200) << mirror.text;
  EXPECT_TRUE(mirror.body["resource_id"].is_null());
  EXPECT_EQ(mirror.body["tags"], Json::array({"v1"}));

  // The id links to the posture resource of the image in that repository.
  auto resource =
      server.call("GET", "/api/v1/posture/resources/" + app.body["resource_id"].get<std::string>(),
                  server.reader_);
  ASSERT_EQ(resource.status, 200) << resource.text;
  EXPECT_EQ(resource.body["resource"]["type"], "image");
  EXPECT_EQ(resource.body["resource"]["key"], seed.image.key);
}

}  // namespace
}  // namespace bulwark::server
