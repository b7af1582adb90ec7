// The runtime alerts part of the Store contract (store.h), checked on any backend: insert with
// duplicates, filters, cursor pages, summaries and pruning. Part of the shared suite
// (store_suite.h); both backends' tests link it.
#include <cstdio>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "unit/store/store_suite.h"

namespace {

using bulwark::core::ErrorCode;
using namespace bulwark::store;  // NOLINT(google-build-using-namespace): the suite's subject

constexpr Millis kT0 = 1'700'000'000'000;

// "00000000-0000-4000-8000-00000000000n" for small n.
std::string uuid(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012d", n);
  return text;
}

AlertRecord alert(int n, Millis at, const std::string& rule = "Terminal shell in container",
                  int priority = 2, const std::string& host = "node-1") {
  AlertRecord record;
  record.alert_id = uuid(n);
  record.time_ms = at;
  record.received_ms = at + 5;
  record.rule = rule;
  record.rule_id = "BW-RT-" + std::to_string(n % 3);
  record.priority = priority;
  record.source = "syscall";
  record.host = host;
  record.agent = "agent-" + host;
  record.container_id = n % 2 == 0 ? "abc123def456" : "host";
  record.container_image = "nginx";
  record.k8s_ns = n % 2 == 0 ? "shop" : "";
  record.k8s_pod = n % 2 == 0 ? "web-1" : "";
  record.tags_json = n % 2 == 0 ? R"(["container","shell","mitre_execution"])" : R"(["host"])";
  record.output = "A shell was spawned " + std::to_string(n);
  record.fields_json = R"({"proc.name":"bash","n":)" + std::to_string(n) + "}";
  record.simulated = n == 7;
  return record;
}

std::set<std::string> ids(const AlertPage& page) {
  std::set<std::string> out;
  for (const auto& a : page.alerts) out.insert(a.alert_id);
  return out;
}

}  // namespace

TEST_P(StoreSuite, AlertsInsertCountsDuplicatesAndRoundTrip) {
  const std::vector<AlertRecord> first = {alert(1, kT0), alert(2, kT0 + 1000)};
  auto added = MUST(store().addAlerts(first));
  EXPECT_EQ(added.inserted, 2);
  EXPECT_EQ(added.duplicates, 0);
  // The same two again plus a new one, and the new one repeated in the batch.
  AlertRecord changed = alert(1, kT0 + 99);
  changed.output = "a retry must not overwrite";
  const std::vector<AlertRecord> second = {changed, alert(2, kT0 + 1000), alert(3, kT0 + 2000),
                                           alert(3, kT0 + 2000)};
  added = MUST(store().addAlerts(second));
  EXPECT_EQ(added.inserted, 1);
  EXPECT_EQ(added.duplicates, 3);

  auto stored = MUST(store().getAlert(uuid(1)));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(*stored, alert(1, kT0));  // every column back as written; the retry changed nothing
  auto even = MUST(store().getAlert(uuid(2)));
  ASSERT_TRUE(even.has_value());
  EXPECT_EQ(*even, alert(2, kT0 + 1000));
  EXPECT_FALSE(MUST(store().getAlert(uuid(99))).has_value());

  EXPECT_EQ(MUST(store().addAlerts(std::vector<AlertRecord>{})).inserted, 0);
  AlertRecord nameless = alert(4, kT0);
  nameless.alert_id.clear();
  auto refused = store().addAlerts(std::vector<AlertRecord>{alert(5, kT0), nameless});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Input);
  EXPECT_FALSE(MUST(store().getAlert(uuid(5))).has_value());  // all or nothing
}

TEST_P(StoreSuite, AlertsFilterNewestFirst) {
  std::vector<AlertRecord> batch;
  for (int n = 1; n <= 10; ++n) {
    batch.push_back(alert(n, kT0 + n * 1000, n <= 4 ? "Reverse shell" : "Miner process", n % 4 + 2,
                          n <= 6 ? "node-1" : "node-2"));
  }
  ASSERT_EQ(MUST(store().addAlerts(batch)).inserted, 10);

  AlertQuery all;
  auto page = MUST(store().queryAlerts(all));
  ASSERT_EQ(page.alerts.size(), 10U);
  EXPECT_FALSE(page.more);
  EXPECT_EQ(page.alerts.front().alert_id, uuid(10));
  EXPECT_EQ(page.alerts.back().alert_id, uuid(1));

  AlertQuery window;
  window.since = kT0 + 3000;
  window.until = kT0 + 6000;  // exclusive
  EXPECT_EQ(ids(MUST(store().queryAlerts(window))),
            (std::set<std::string>{uuid(3), uuid(4), uuid(5)}));

  AlertQuery rule;
  rule.rule = "Reverse shell";
  EXPECT_EQ(MUST(store().queryAlerts(rule)).alerts.size(), 4U);

  AlertQuery severe;
  severe.priority_min = 5;  // n % 4 == 3: 3, 7
  EXPECT_EQ(ids(MUST(store().queryAlerts(severe))), (std::set<std::string>{uuid(3), uuid(7)}));

  AlertQuery host;
  host.host = "node-2";
  host.rule = "Miner process";
  EXPECT_EQ(MUST(store().queryAlerts(host)).alerts.size(), 4U);

  AlertQuery container;
  container.container = "abc123def456";
  EXPECT_EQ(MUST(store().queryAlerts(container)).alerts.size(), 5U);

  AlertQuery ns;
  ns.k8s_ns = "shop";
  ns.host = "node-1";
  EXPECT_EQ(ids(MUST(store().queryAlerts(ns))), (std::set<std::string>{uuid(2), uuid(4), uuid(6)}));

  AlertQuery tag;
  tag.tag = "shell";
  EXPECT_EQ(MUST(store().queryAlerts(tag)).alerts.size(), 5U);
  tag.tag = "she";  // a whole tag, never a substring
  EXPECT_TRUE(MUST(store().queryAlerts(tag)).alerts.empty());
  tag.tag = "host";
  EXPECT_EQ(MUST(store().queryAlerts(tag)).alerts.size(), 5U);
}

TEST_P(StoreSuite, AlertsPageByCursorWithTiesOnTime) {
  std::vector<AlertRecord> batch;
  // 25 alerts, five per millisecond: the cursor must order ties by alert_id.
  for (int n = 1; n <= 25; ++n) batch.push_back(alert(n, kT0 + (n - 1) / 5));
  ASSERT_EQ(MUST(store().addAlerts(batch)).inserted, 25);

  AlertQuery query;
  query.limit = 7;
  std::vector<std::string> seen;
  int pages = 0;
  for (;;) {
    auto page = MUST(store().queryAlerts(query));
    ++pages;
    ASSERT_LE(page.alerts.size(), 7U);
    for (const auto& a : page.alerts) seen.push_back(a.alert_id);
    if (!page.more) break;
    ASSERT_FALSE(page.alerts.empty());
    query.after = std::make_pair(page.alerts.back().time_ms, page.alerts.back().alert_id);
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 4);
  ASSERT_EQ(seen.size(), 25U);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], uuid(25 - i));

  query = AlertQuery{};
  query.limit = 0;
  auto bad = store().queryAlerts(query);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::Input);
  query.limit = kMaxAlertPage + 1;
  EXPECT_FALSE(store().queryAlerts(query));
  query.limit = kMaxAlertPage;
  EXPECT_EQ(MUST(store().queryAlerts(query)).alerts.size(), 25U);
}

TEST_P(StoreSuite, AlertsSummaryAndPrune) {
  std::vector<AlertRecord> batch = {alert(1, kT0, "Reverse shell", 3, "node-1"),
                                    alert(2, kT0 + 10, "Reverse shell", 3, "node-2"),
                                    alert(3, kT0 + 20, "Miner process", 5, "node-1"),
                                    alert(4, kT0 + 30, "Reverse shell", 3, "node-1"),
                                    alert(5, kT0 - 5000, "Old rule", 1, "node-3")};
  ASSERT_EQ(MUST(store().addAlerts(batch)).inserted, 5);

  auto by_rule = MUST(store().alertSummary(AlertGroup::Rule, kT0));
  ASSERT_EQ(by_rule.size(), 2U);
  EXPECT_EQ(by_rule[0].key, "Reverse shell");
  EXPECT_EQ(by_rule[0].count, 3);
  EXPECT_EQ(by_rule[0].last_ms, kT0 + 30);
  EXPECT_EQ(by_rule[1].key, "Miner process");
  EXPECT_EQ(by_rule[1].count, 1);

  auto by_host = MUST(store().alertSummary(AlertGroup::Host, 0));
  ASSERT_EQ(by_host.size(), 3U);
  EXPECT_EQ(by_host[0].key, "node-1");
  EXPECT_EQ(by_host[0].count, 3);
  EXPECT_EQ(by_host[1].key, "node-2");  // ties by key
  EXPECT_EQ(by_host[2].key, "node-3");

  auto by_priority = MUST(store().alertSummary(AlertGroup::Priority, kT0));
  ASSERT_EQ(by_priority.size(), 2U);
  EXPECT_EQ(by_priority[0].key, "3");
  EXPECT_EQ(by_priority[0].count, 3);
  EXPECT_EQ(by_priority[1].key, "5");

  EXPECT_EQ(MUST(store().pruneAlerts(kT0 + 10)), 2);  // 5 and 1
  EXPECT_FALSE(MUST(store().getAlert(uuid(1))).has_value());
  EXPECT_TRUE(MUST(store().getAlert(uuid(2))).has_value());
  EXPECT_EQ(MUST(store().pruneAlerts(kT0 + 10)), 0);
  EXPECT_EQ(MUST(store().queryAlerts(AlertQuery{})).alerts.size(), 3U);
  // A pruned alert sent again is stored again (retention, not a tombstone).
  EXPECT_EQ(MUST(store().addAlerts(std::vector<AlertRecord>{batch[0]})).inserted, 1);
}
