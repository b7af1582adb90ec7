// The posture sync's change feeds and alert resolution (store.h: imagesPushedAfter,
// resultsEvaluatedAfter, alertsReceivedAfter, imagesOfDigest, setAlertResource, the alert
// query's status and resource filters) and gone_types of a complete batch, checked on any
// backend. Part of the shared suite (store_suite.h).
#include <string>
#include <vector>

#include "posture/resource_key.h"
#include "unit/store/store_suite.h"

namespace {

using bulwark::core::ErrorCode;
using bulwark::model::Resource;
using bulwark::model::ResourceType;
using namespace bulwark::store;  // NOLINT(google-build-using-namespace): the suite's subject
namespace posture = bulwark::posture;

constexpr Millis kT0 = 1'700'000'000'000;

ScanResult scan(const std::string& digest, Millis evaluated_at) {
  ScanResult result;
  result.digest = digest;
  result.inventory_json = "{}";
  result.metadata.scanned_at = evaluated_at;
  result.metadata.evaluated_at = evaluated_at;
  return result;
}

AlertRecord alert(const std::string& id, Millis received) {
  AlertRecord a;
  a.alert_id = id;
  a.time_ms = received - 10;
  a.received_ms = received;
  a.rule = "Some Rule";
  a.priority = 4;
  a.source = "syscall";
  a.host = "h1";
  return a;
}

}  // namespace

TEST_P(StoreSuite, ImagesFeedPagesThroughRowsOfEqualTime) {
  // Five rows, three of them pushed at the same millisecond.
  MUST(store().recordPush("r", "a", "sha256:1", "", kT0));
  MUST(store().recordPush("r", "b", "sha256:2", "", kT0));
  MUST(store().recordPush("r", "a", "sha256:3", "", kT0));
  MUST(store().recordPush("q", "z", "sha256:4", "", kT0 - 1));
  MUST(store().recordPush("r", "a", "sha256:5", "", kT0 + 1));
  std::vector<ImageKey> seen;
  ImageKey mark;
  for (int pages = 0; pages < 10; ++pages) {
    const auto page = MUST(store().imagesPushedAfter(mark, 2));
    if (page.empty()) break;
    EXPECT_LE(page.size(), 2U);
    seen.insert(seen.end(), page.begin(), page.end());
    mark = page.back();
  }
  const std::vector<ImageKey> expected = {{"q", "z", "sha256:4", kT0 - 1},
                                          {"r", "a", "sha256:1", kT0},
                                          {"r", "a", "sha256:3", kT0},
                                          {"r", "b", "sha256:2", kT0},
                                          {"r", "a", "sha256:5", kT0 + 1}};
  EXPECT_EQ(seen, expected);
  // A push again moves the row to the end of the feed.
  MUST(store().recordPush("q", "z", "sha256:4", "v2", kT0 + 5));
  const auto after = MUST(store().imagesPushedAfter(mark, 10));
  ASSERT_EQ(after.size(), 1U);
  EXPECT_EQ(after[0].digest, "sha256:4");
  EXPECT_EQ(after[0].at, kT0 + 5);

  const auto rows = MUST(store().imagesOfDigest("sha256:1"));
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].repository, "a");
  EXPECT_TRUE(MUST(store().imagesOfDigest("sha256:none")).empty());

  for (std::int64_t bad : {std::int64_t{0}, kMaxFeedPage + 1}) {
    const auto refused = store().imagesPushedAfter({}, bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::Input);
  }
}

TEST_P(StoreSuite, ResultsFeedFollowsScansAndReevaluations) {
  MUST(store().recordPush("r", "a", "sha256:1", "", kT0));
  MUST(store().recordPush("r", "a", "sha256:2", "", kT0));
  MUST(store().saveResult(scan("sha256:1", kT0 + 10)));
  MUST(store().saveResult(scan("sha256:2", kT0 + 10)));
  auto page = MUST(store().resultsEvaluatedAfter({}, 1));
  ASSERT_EQ(page.size(), 1U);
  EXPECT_EQ(page[0], (FeedMark{kT0 + 10, "sha256:1"}));
  page = MUST(store().resultsEvaluatedAfter(page[0], 10));
  ASSERT_EQ(page.size(), 1U);
  EXPECT_EQ(page[0], (FeedMark{kT0 + 10, "sha256:2"}));
  const FeedMark mark = page[0];
  EXPECT_TRUE(MUST(store().resultsEvaluatedAfter(mark, 10)).empty());
  // A re-evaluation of the first digest shows up after the mark.
  MUST(store().replaceFindings("sha256:1", {}, "db-2", kT0 + 20));
  page = MUST(store().resultsEvaluatedAfter(mark, 10));
  ASSERT_EQ(page.size(), 1U);
  EXPECT_EQ(page[0], (FeedMark{kT0 + 20, "sha256:1"}));
}

TEST_P(StoreSuite, AlertsFeedAndResolution) {
  const std::vector<AlertRecord> alerts = {alert("b", kT0), alert("a", kT0), alert("c", kT0 + 1)};
  MUST(store().addAlerts(alerts));
  auto page = MUST(store().alertsReceivedAfter({}, 2));
  ASSERT_EQ(page.size(), 2U);
  EXPECT_EQ(page[0].alert_id, "a");
  EXPECT_EQ(page[1].alert_id, "b");
  EXPECT_TRUE(page[0].resource_id.empty());
  page = MUST(store().alertsReceivedAfter({page[1].received_ms, page[1].alert_id}, 2));
  ASSERT_EQ(page.size(), 1U);
  EXPECT_EQ(page[0].alert_id, "c");

  const std::string host = posture::hostResource("h1").id;
  MUST(store().setAlertResource("a", host));
  MUST(store().setAlertResource("c", host));
  EXPECT_EQ(MUST(store().getAlert("a"))->resource_id, host);
  // Many alerts of one resource at once; unknown ids are not counted.
  const std::vector<std::string> many = {"a", "b", "nope"};
  EXPECT_EQ(MUST(store().setAlertsResource(many, "0123456789abcdef")), 2);
  EXPECT_EQ(MUST(store().getAlert("b"))->resource_id, "0123456789abcdef");
  EXPECT_EQ(MUST(store().setAlertsResource({}, host)), 0);
  MUST(store().setAlertResource("a", host));
  const auto missing = store().setAlertResource("nope", host);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);

  MUST(store().setAlertStatus("c", bulwark::model::AlertStatus::Dismissed, "admin", kT0 + 5));
  AlertQuery query;
  query.resource_id = host;
  auto found = MUST(store().queryAlerts(query));
  ASSERT_EQ(found.alerts.size(), 2U);
  EXPECT_EQ(found.alerts[0].alert_id, "c");  // newest first
  query.status = bulwark::model::AlertStatus::New;
  found = MUST(store().queryAlerts(query));
  ASSERT_EQ(found.alerts.size(), 1U);
  EXPECT_EQ(found.alerts[0].alert_id, "a");
  query = {};
  query.status = bulwark::model::AlertStatus::Dismissed;
  found = MUST(store().queryAlerts(query));
  ASSERT_EQ(found.alerts.size(), 1U);
  EXPECT_EQ(found.alerts[0].alert_id, "c");
}

TEST_P(StoreSuite, ACompleteBatchMarksGoneOnlyTheTypesItNames) {
  const Resource cluster = posture::clusterResource("prod");
  const Resource node = posture::nodeResource("prod", "n1");
  const Resource ns = posture::namespaceResource("prod", "shop");
  AssessmentBatch first;
  first.at = kT0;
  first.resources = {cluster, node, ns};
  MUST(store().applyAssessments(first));

  AssessmentBatch manifests;  // sees the cluster only
  manifests.at = kT0 + 1;
  manifests.resources = {cluster};
  manifests.scope_id = cluster.id;
  manifests.complete = true;
  manifests.gone_types = {ResourceType::Namespace, ResourceType::Workload};
  const ApplyResult applied = MUST(store().applyAssessments(manifests));
  EXPECT_EQ(applied.gone, 1);
  EXPECT_TRUE(MUST(store().getResource(ns.id))->resource.gone_at.has_value());
  EXPECT_FALSE(MUST(store().getResource(node.id))->resource.gone_at.has_value());
}

TEST_P(StoreSuite, AlertsAreCountedPerDayAndPriority) {
  constexpr Millis kDay = 86'400'000;
  const Millis day0 = (kT0 / kDay) * kDay;
  std::vector<AlertRecord> alerts;
  const auto add = [&](const std::string& id, Millis time, int priority, bool simulated) {
    AlertRecord a = alert(id, time + 10);
    a.time_ms = time;
    a.priority = priority;
    a.simulated = simulated;
    alerts.push_back(std::move(a));
  };
  add("old", day0 - 1, 4, false);        // the day before `since`
  add("a", day0, 4, false);              // the first millisecond of day 0
  add("b", day0 + kDay - 1, 4, false);   // its last
  add("c", day0 + 5, 1, false);          // another priority
  add("d", day0 + kDay, 4, false);       // day 1
  add("sim", day0 + kDay + 5, 4, true);  // simulated: left out
  MUST(store().addAlerts(alerts));
  EXPECT_EQ(MUST(store().alertsPerDay(day0)),
            (std::vector<AlertDayCount>{{day0, 1, 1}, {day0, 4, 2}, {day0 + kDay, 4, 1}}));
  EXPECT_EQ(MUST(store().alertsPerDay(day0 - kDay)).front(), (AlertDayCount{day0 - kDay, 4, 1}));
  EXPECT_TRUE(MUST(store().alertsPerDay(day0 + 2 * kDay)).empty());
}
