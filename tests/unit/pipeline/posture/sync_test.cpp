// The posture sync (src/pipeline/posture/sync.h) over a real SQLite store: a push becomes the
// registry → repository → image resources, waiting for their scan; a saved scan and a
// re-evaluation judge the image and every container running its digest; an alert is resolved
// to its container and makes it unhealthy until it is dismissed; the score's history gets a
// point when a figure changes and at least hourly; one holder of the lease syncs; a new
// catalogue starts the feeds again.
#include "pipeline/posture/sync.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipeline/posture/ingest_run.h"
#include "pipeline/posture/result_checks.h"
#include "pipeline/posture/stored_counts.h"
#include "posture/resource_key.h"
#include "store/store.h"
#include "testdata.h"
#include "unit/pipeline/posture/store_fixture.h"
#include "unit/posture/loaded_catalogue.h"

namespace {

namespace fs = std::filesystem;
namespace posture = bulwark::posture;
namespace pipeline = bulwark::pipeline;
namespace store = bulwark::store;
namespace model = bulwark::model;
using Json = nlohmann::json;

constexpr std::int64_t kNow = 1'790'000'000'000;
constexpr std::int64_t kMinute = 60'000;
constexpr const char* kDigest = "sha256:0123";  // what the web container's image has
const std::string kWebId = "bbbb000000000000000000000000000000000000000000000000000000000002";

class PostureSyncTest : public bulwark::testing::SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    if (HasFatalFailure()) return;
    sync_ = std::make_unique<pipeline::PostureSync>(*store_, posture::loadedCatalogue(),
                                                    options("serve-a"));
  }
  void TearDown() override {
    sync_.reset();
    SqliteStoreTest::TearDown();
  }

  static pipeline::PostureSyncOptions options(const std::string& holder) {
    pipeline::PostureSyncOptions options;
    options.holder = holder;
    options.page = 2;  // several pages in every test
    return options;
  }

  pipeline::PostureSyncStats pass(std::int64_t now) {
    auto stats = sync_->runOnce(now);
    EXPECT_TRUE(stats) << stats.error().message;
    return stats ? *stats : pipeline::PostureSyncStats{};
  }

  // The status of one assessment, or "none".
  std::string status(const std::string& resource_id, const std::string& source) {
    store::AssessmentQuery query;
    query.resource_id = resource_id;
    query.limit = 1000;
    auto page = store_->queryAssessments(query);
    EXPECT_TRUE(page) << page.error().message;
    if (!page) return "error";
    for (const model::Assessment& a : page->assessments) {
      if (a.source == source) return std::string(model::toString(a.status));
    }
    return "none";
  }

  void push(const std::string& digest, const std::string& tag, std::int64_t at) {
    ASSERT_TRUE(store_->recordPush("local", "shop/web", digest, tag, at));
  }

  void saveScan(const std::string& digest, std::int64_t at,
                const std::vector<store::FindingRecord>& findings) {
    store::ScanResult result;
    result.digest = digest;
    result.inventory_json = "{}";
    result.findings = findings;
    result.metadata.scanned_at = at;
    result.metadata.evaluated_at = at;
    result.metadata.db_build_id = "db-1";
    result.metadata.os = "debian 12";
    ASSERT_TRUE(store_->saveResult(result));
  }

  static store::FindingRecord finding(const std::string& id, model::Severity severity,
                                      const std::string& fixed) {
    store::FindingRecord f;
    f.vulnerability_id = id;
    f.package_name = "openssl";
    f.installed_version = "3.0.1";
    f.fixed_version = fixed;
    f.severity = severity;
    f.detail_json = "{}";
    return f;
  }

  // The Docker fixture host, its web container running kDigest.
  void ingestHost(std::int64_t now) {
    Json doc = Json::parse(bulwark::testing::readFile(bulwark::testing::fixtures() /
                                                      "hardening/docker/host.snapshot.json"));
    Json& web = doc["engine"]["containers"]["items"][0];
    web["inspect"]["doc"]["Image"] = "sha256:2222";
    doc["engine"]["images"]["items"][0]["inspect"]["doc"]["RepoDigests"] = {
        std::string("local/shop/web@") + kDigest};
    const std::string body = doc.dump();
    auto target = pipeline::identifySnapshot(body, "");
    ASSERT_TRUE(target) << target.error().message;
    posture::AssessContext context;
    context.now_ms = now;
    auto outcome =
        pipeline::ingestSnapshot(*store_, posture::loadedCatalogue(),
                                 pipeline::IngestRequest{*target, body, "test", ""}, context);
    ASSERT_TRUE(outcome) << outcome.error().message;
  }

  std::unique_ptr<pipeline::PostureSync> sync_;
};

TEST_F(PostureSyncTest, APushWaitsForItsScanAndTheScanJudgesTheImage) {
  push(kDigest, "1.0", kNow);
  push("sha256:4567", "1.1", kNow);
  push("sha256:89ab", "", kNow + 1);  // three rows: two pages of two
  pipeline::PostureSyncStats stats = pass(kNow + kMinute);
  EXPECT_TRUE(stats.leader);
  EXPECT_EQ(stats.images, 3);
  const std::string image = posture::imageResource("local", "shop/web", kDigest).id;
  auto stored = store_->getResource(image);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->resource.parent_id, posture::repositoryResource("local", "shop/web").id);
  EXPECT_EQ((*stored)->resource.labels.count("tag=1.0"), 1u);
  EXPECT_EQ(status(image, "scan"), "not-evaluated");  // pushed a minute ago
  EXPECT_EQ(status(image, "vuln:severe"), "not-evaluated");

  // Nothing new in the feeds: only the images waiting for their scan are looked at again.
  EXPECT_EQ(pass(kNow + 2 * kMinute).images, 3);

  saveScan(kDigest, kNow + 3 * kMinute,
           {finding("CVE-2026-1", model::Severity::Critical, "3.0.2"),
            finding("CVE-2026-2", model::Severity::Low, "")});
  stats = pass(kNow + 4 * kMinute);
  EXPECT_EQ(stats.images, 3);  // the scanned one from the results feed, two still waiting
  EXPECT_EQ(status(image, "scan"), "healthy");
  EXPECT_EQ(status(image, "vuln:severe"), "unhealthy");
  EXPECT_EQ(status(image, "vuln:fixable"), "unhealthy");
  stored = store_->getResource(image);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->resource.attrs.at("critical"), "1");
  EXPECT_EQ((*stored)->resource.attrs.at("low"), "1");
  EXPECT_EQ((*stored)->resource.attrs.at("fixable"), "1");
  EXPECT_EQ((*stored)->resource.attrs.at("os"), "debian 12");

  // Two hours after its push the unscanned image is overdue; the scanned one is not.
  pass(kNow + 2 * 60 * kMinute);
  EXPECT_EQ(status(posture::imageResource("local", "shop/web", "sha256:4567").id, "scan"),
            "unhealthy");
  EXPECT_EQ(status(image, "scan"), "healthy");
  // Thirty-one days after the scan it is stale: the hourly look sees it.
  pass(kNow + 31LL * 24 * 60 * kMinute);
  EXPECT_EQ(status(image, "scan"), "unhealthy");
}

TEST_F(PostureSyncTest, TheImageChecksOfAScanAssessTheImage) {
  push(kDigest, "1.0", kNow);
  saveScan(kDigest, kNow, {});
  model::CheckResult root;  // what the worker's image checks said
  root.check_id = "BW-IMG-002";
  root.title = "The image runs as root";
  root.status = model::CheckStatus::Fail;
  root.severity = model::Severity::High;
  root.reason = "USER is not set";
  root.evidence = {{"USER is not set", "image config: Config.User", "a non-root USER"}};
  model::CheckResult manual;
  manual.check_id = "BW-IMG-004";
  manual.status = model::CheckStatus::Manual;
  manual.assist = model::CheckStatus::Fail;
  const std::vector<model::CheckResult> results = {root, manual};
  const auto rows = pipeline::toResultChecks(results);
  ASSERT_TRUE(store_->replaceResultChecks(kDigest, rows));
  // The codec keeps what an assessment shows.
  const model::CheckResult back = pipeline::fromResultCheck(rows[0]);
  EXPECT_EQ(back.reason, root.reason);
  ASSERT_EQ(back.evidence.size(), 1U);
  EXPECT_EQ(back.evidence[0].observed, "USER is not set");
  EXPECT_EQ(back.evidence[0].where, "image config: Config.User");
  EXPECT_EQ(back.evidence[0].expected, "a non-root USER");
  EXPECT_EQ(pipeline::fromResultCheck(rows[1]).assist, model::CheckStatus::Fail);

  pass(kNow + kMinute);
  const std::string image = posture::imageResource("local", "shop/web", kDigest).id;
  EXPECT_EQ(status(image, "BW-IMG-002"), "unhealthy");
  EXPECT_EQ(status(image, "BW-IMG-004"), "not-evaluated");  // manual: never a verdict
  EXPECT_EQ(status(image, "vuln:severe"), "healthy");
}

TEST_F(PostureSyncTest, ContainersFollowTheScanOfTheDigestTheyRun) {
  push(kDigest, "1.0", kNow);
  saveScan(kDigest, kNow, {finding("CVE-2026-1", model::Severity::High, "")});
  ingestHost(kNow + kMinute);
  const std::string web = posture::dockerContainerResource("build-7", kWebId, "web").id;
  // Judged at ingestion from the stored scan.
  EXPECT_EQ(status(web, "vuln:running"), "unhealthy");
  pass(kNow + 2 * kMinute);

  // A re-evaluation finds nothing any more: the container is healthy for it after a pass.
  ASSERT_TRUE(store_->replaceFindings(kDigest, {}, "db-2", kNow + 3 * kMinute));
  const pipeline::PostureSyncStats stats = pass(kNow + 4 * kMinute);
  EXPECT_EQ(stats.containers, 1);
  EXPECT_EQ(status(web, "vuln:running"), "healthy");
  EXPECT_EQ(status(posture::imageResource("local", "shop/web", kDigest).id, "vuln:severe"),
            "healthy");
  // The db container runs an image of no monitored registry.
  EXPECT_EQ(status(posture::dockerContainerResource(
                       "build-7",
                       "aaaa000000000000000000000000000000000000000000000000000000000001", "db")
                       .id,
                   "vuln:running"),
            "not-evaluated");
}

TEST_F(PostureSyncTest, AnAlertMakesItsContainerUnhealthyUntilDismissed) {
  ingestHost(kNow);
  store::AlertRecord alert;
  alert.alert_id = "a-1";
  alert.time_ms = kNow + kMinute;
  alert.received_ms = kNow + kMinute;
  alert.rule = "Privileged Container Started";
  alert.rule_id = "BW-RT-207";
  alert.priority = 5;
  alert.source = "syscall";
  alert.host = "build-7";
  alert.agent = "agent-1";
  alert.container_id = kWebId.substr(0, 12);
  store::AlertRecord elsewhere = alert;  // a host no run has seen, no container
  elsewhere.alert_id = "a-2";
  elsewhere.host = "edge-3";
  elsewhere.container_id = "host";
  const std::vector<store::AlertRecord> alerts = {alert, elsewhere};
  ASSERT_TRUE(store_->addAlerts(alerts));

  const pipeline::PostureSyncStats stats = pass(kNow + 2 * kMinute);
  EXPECT_EQ(stats.alerts, 2);
  const std::string web = posture::dockerContainerResource("build-7", kWebId, "web").id;
  auto stored = store_->getAlert("a-1");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->resource_id, web);
  EXPECT_EQ(status(web, "BW-RT-207"), "unhealthy");
  const std::string edge = posture::hostResource("edge-3").id;
  stored = store_->getAlert("a-2");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->resource_id, edge);
  EXPECT_EQ(status(edge, "BW-RT-207"), "unhealthy");

  // Dismissed: healthy at the next look at open alerts (every minute).
  ASSERT_TRUE(
      store_->setAlertStatus("a-1", model::AlertStatus::Dismissed, "admin", kNow + 3 * kMinute));
  pass(kNow + 4 * kMinute);
  EXPECT_EQ(status(web, "BW-RT-207"), "healthy");
  // Eight days later the other one has left the alert window.
  pass(kNow + 8 * 24 * 60 * kMinute);
  EXPECT_EQ(status(edge, "BW-RT-207"), "healthy");
}

// Most rules print %container.name, not %container.id: the name finds the container too.
TEST_F(PostureSyncTest, AnAlertNamingOnlyItsContainerFindsIt) {
  ingestHost(kNow);
  store::AlertRecord alert;
  alert.alert_id = "n-1";
  alert.time_ms = kNow + kMinute;
  alert.received_ms = kNow + kMinute;
  alert.rule = "Download Tool Run in Container";
  alert.rule_id = "BW-RT-209";
  alert.priority = 4;
  alert.source = "syscall";
  alert.host = "build-7";
  alert.fields_json = R"({"container.name":"web","proc.cmdline":"curl -O http://x"})";
  store::AlertRecord unknown = alert;  // a container no run has seen: its host
  unknown.alert_id = "n-2";
  unknown.fields_json = R"({"container.name":"gone-away"})";
  store::AlertRecord on_host = alert;  // the host itself
  on_host.alert_id = "n-3";
  on_host.fields_json = R"({"container.name":"host"})";
  const std::vector<store::AlertRecord> alerts = {alert, unknown, on_host};
  ASSERT_TRUE(store_->addAlerts(alerts));

  pass(kNow + 2 * kMinute);
  const std::string web = posture::dockerContainerResource("build-7", kWebId, "web").id;
  const std::string host = posture::hostResource("build-7").id;
  const auto resource_of = [&](const std::string& id) {
    auto stored = store_->getAlert(id);
    return stored && *stored ? (*stored)->resource_id : std::string("?");
  };
  EXPECT_EQ(resource_of("n-1"), web);
  EXPECT_EQ(resource_of("n-2"), host);
  EXPECT_EQ(resource_of("n-3"), host);
  // BW-RT-209 counts under the runtime recommendation (BW-REC-060), source "runtime".
  EXPECT_EQ(status(web, "runtime"), "unhealthy");
}

TEST_F(PostureSyncTest, SensorsWatchTheirHostsAndClusters) {
  ingestHost(kNow);  // build-7, seen by a bench run; its agent reports
  ASSERT_TRUE(store_->touchSensor({"agent-1", "build-7", "", kNow}));
  // The audit webhook of cluster prod, named by its token.
  ASSERT_TRUE(store_->touchSensor({"prod-audit", "", "prod-audit", kNow}));
  pipeline::PostureSyncOptions with_agents = options("serve-a");
  with_agents.agent_clusters = {{"prod-audit", "prod"}};
  sync_ = std::make_unique<pipeline::PostureSync>(*store_, posture::loadedCatalogue(), with_agents);
  pass(kNow + kMinute);
  const std::string host = posture::hostResource("build-7").id;
  const std::string cluster = posture::clusterResource("prod").id;
  EXPECT_EQ(status(host, "sensor"), "healthy");
  EXPECT_EQ(status(host, "runtime"), "healthy");  // watched, no open alert
  EXPECT_EQ(status(cluster, "sensor"), "healthy");
  auto stored = store_->getResource(cluster);
  ASSERT_TRUE(stored && *stored);  // created for its sensor

  // Eleven minutes without a report: the host is no longer watched.
  pass(kNow + 12 * kMinute);
  EXPECT_EQ(status(host, "sensor"), "unhealthy");
  EXPECT_EQ(status(host, "runtime"), "not-evaluated");
}

TEST_F(PostureSyncTest, TheScoreHistoryGetsAPointOnChangeAndHourly) {
  ingestHost(kNow);
  pipeline::PostureSyncStats stats = pass(kNow);
  EXPECT_TRUE(stats.score_appended);
  ASSERT_TRUE(stats.percent.has_value());
  auto score = pipeline::storedScore(*store_, posture::loadedCatalogue());
  ASSERT_TRUE(score);
  EXPECT_EQ(stats.percent, score->percent);
  EXPECT_FALSE(pass(kNow + kMinute).score_appended);      // nothing changed
  EXPECT_TRUE(pass(kNow + 61 * kMinute).score_appended);  // an hour passed

  auto history = store_->scoreHistory(0, kNow + 100 * kMinute, std::string());
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_DOUBLE_EQ(history->front().score, score->points);
  EXPECT_DOUBLE_EQ(history->front().max, score->max);
  // Each applicable control has its points too.
  for (const posture::ControlScore& control : score->controls) {
    if (!control.applicable) continue;
    auto points = store_->scoreHistory(0, kNow + 100 * kMinute, control.id);
    ASSERT_TRUE(points);
    EXPECT_EQ(points->size(), 2u) << control.id;
  }
}

TEST_F(PostureSyncTest, OneHolderOfTheLeaseSyncs) {
  push(kDigest, "1.0", kNow);
  pipeline::PostureSync other(*store_, posture::loadedCatalogue(), options("serve-b"));
  EXPECT_TRUE(pass(kNow).leader);
  auto second = other.runOnce(kNow + 1000);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->leader);
  EXPECT_EQ(second->images, 0);
  // The lease runs out (90 s) when its holder stops passing.
  second = other.runOnce(kNow + 2 * kMinute);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->leader);
}

TEST_F(PostureSyncTest, ANewCatalogueStartsTheFeedsAgain) {
  push(kDigest, "1.0", kNow);
  EXPECT_EQ(pass(kNow).images, 1);
  EXPECT_EQ(pass(kNow + 1000).images, 0);
  ASSERT_TRUE(store_->putSetting("posture.catalogue_sha", "an older catalogue"));
  EXPECT_EQ(pass(kNow + 2000).images, 1);
}

}  // namespace
