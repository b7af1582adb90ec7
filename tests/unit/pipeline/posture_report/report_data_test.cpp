// The posture report's data from a real SQLite store (pipeline::postureReportData): the figures
// of report_seed.h's hand-worked state — score, controls, recommendation counts and potential
// increases, affected resources in order and cut at `top`, resources by type, the daily trend,
// alerts by priority and day, exemptions — for the whole store and for scopes, and the errors
// of a bad or unknown scope.
#include "pipeline/posture/report_data.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "unit/pipeline/posture_report/report_seed.h"

namespace bulwark::testing {
namespace {

namespace fs = std::filesystem;
using model::Health;
using model::ResourceType;

constexpr std::int64_t kNow = 1795176000000;  // 2026-11-20T12:00:00Z

class ReportData : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "bulwark-report-data-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto opened = store::openSqliteStore((dir_ / "store.db").string());
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    auto catalogue = posture::builtinCatalogue();
    ASSERT_TRUE(catalogue) << catalogue.error().message;
    catalogue_ = std::make_unique<posture::Catalogue>(std::move(*catalogue));
    seeded_ = seedPosture(*store_, *catalogue_, kNow);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  report::PostureReportData report(const std::string& scope = "", std::size_t top = 50) {
    pipeline::PostureReportOptions options;
    options.scope_id = scope;
    options.since = kNow - kWindow;
    options.now = kNow;
    options.top = top;
    options.tool_version = "9.9.9";
    auto data = pipeline::postureReportData(*store_, *catalogue_, options);
    if (!data) throw std::runtime_error(data.error().message);
    return std::move(*data);
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<posture::Catalogue> catalogue_;
  Seeded seeded_;
};

const posture::ControlScore& control(const report::PostureReportData& data, const char* id) {
  for (const auto& row : data.score.controls) {
    if (row.id == id) return row;
  }
  throw std::runtime_error(std::string("no control ") + id);
}

const report::PostureRecommendation& recommendation(const report::PostureReportData& data,
                                                    const char* id) {
  for (const auto& row : data.recommendations) {
    if (row.id == id) return row;
  }
  throw std::runtime_error(std::string("no recommendation ") + id);
}

std::vector<std::string> affectedIds(const report::PostureRecommendation& row) {
  std::vector<std::string> out;
  for (const auto& resource : row.affected) out.push_back(resource.id);
  return out;
}

std::map<ResourceType, std::vector<std::int64_t>> resourceCounts(
    const report::PostureReportData& data) {
  std::map<ResourceType, std::vector<std::int64_t>> out;
  for (const auto& row : data.resources) {
    out[row.type] = {row.healthy, row.unhealthy, row.not_evaluated, row.not_applicable};
  }
  return out;
}

TEST_F(ReportData, WholeStoreScoreAndControls) {
  const auto data = report();
  EXPECT_EQ(data.tool_version, "9.9.9");
  EXPECT_EQ(data.generated_at, kNow);
  EXPECT_EQ(data.since, kNow - kWindow);
  EXPECT_TRUE(data.scope_id.empty());
  ASSERT_TRUE(data.score.percent.has_value());
  EXPECT_NEAR(*data.score.percent, 100 * 14.2 / 21, 1e-9);
  EXPECT_NEAR(data.score.points, 14.2, 1e-9);
  EXPECT_DOUBLE_EQ(data.score.max, 21);
  ASSERT_EQ(data.score.controls.size(), catalogue_->controls().size());

  const auto& vuln = control(data, "CTL-VULN");
  EXPECT_EQ(vuln.healthy, 1);
  EXPECT_EQ(vuln.unhealthy, 4);
  EXPECT_EQ(vuln.not_evaluated, 1);  // c2
  EXPECT_NEAR(vuln.score, 1.2, 1e-9);
  const auto& priv = control(data, "CTL-PRIV");
  EXPECT_EQ(priv.healthy, 4);
  EXPECT_EQ(priv.unhealthy, 2);  // c3 is gone and counts nowhere
  EXPECT_NEAR(priv.score, 4, 1e-9);
  const auto& host = control(data, "CTL-HOST");
  EXPECT_EQ(host.healthy, 1);  // through BW-REC-021: BW-REC-020 is exempt
  EXPECT_EQ(host.unhealthy, 0);
  EXPECT_NEAR(host.score, 5, 1e-9);
  EXPECT_TRUE(control(data, "CTL-RUNTIME").applicable);
  EXPECT_FALSE(control(data, "CTL-NET").applicable);
  EXPECT_FALSE(control(data, "CTL-ACCESS").applicable);
  EXPECT_FALSE(control(data, "CTL-CONF").applicable);
}

TEST_F(ReportData, EveryRecommendationWithCountsAndPotential) {
  const auto data = report();
  ASSERT_EQ(data.recommendations.size(), catalogue_->recommendations().size());
  for (std::size_t i = 0; i < data.recommendations.size(); ++i) {
    const auto& entry = catalogue_->recommendations()[i];
    EXPECT_EQ(data.recommendations[i].id, entry.id);
    EXPECT_EQ(data.recommendations[i].title, entry.title);
    EXPECT_EQ(data.recommendations[i].control, entry.control);
    EXPECT_EQ(data.recommendations[i].severity, entry.severity);
    EXPECT_EQ(data.recommendations[i].remediation, entry.remediation);
  }
  const auto& severe = recommendation(data, "BW-REC-001");
  EXPECT_EQ(severe.healthy, 2);
  EXPECT_EQ(severe.unhealthy, 2);
  EXPECT_NEAR(severe.potential_increase, 100.0 * 6 / 5 / 21, 1e-9);  // i3 alone
  const auto& fixable = recommendation(data, "BW-REC-002");
  EXPECT_EQ(fixable.unhealthy, 2);
  EXPECT_NEAR(fixable.potential_increase, 100.0 * 6 / 5 / 21, 1e-9);  // i2 alone
  const auto& running = recommendation(data, "BW-REC-003");
  EXPECT_EQ(running.unhealthy, 1);
  EXPECT_EQ(running.not_evaluated, 1);
  const auto& privileged = recommendation(data, "BW-REC-010");
  EXPECT_EQ(privileged.healthy, 1);
  EXPECT_EQ(privileged.unhealthy, 1);
  EXPECT_NEAR(privileged.potential_increase, 100.0 / 21, 1e-9);
  const auto& cis = recommendation(data, "BW-REC-020");
  EXPECT_EQ(cis.unhealthy, 0);
  EXPECT_EQ(cis.exempt, 1);
  EXPECT_DOUBLE_EQ(cis.potential_increase, 0);
  const auto& network = recommendation(data, "BW-REC-041");
  EXPECT_EQ(network.healthy + network.unhealthy + network.not_evaluated + network.exempt, 0);
  EXPECT_TRUE(network.affected.empty());
}

TEST_F(ReportData, AffectedResourcesUnhealthyFirstThenByName) {
  const auto data = report();
  const auto& s = seeded_;
  // Unhealthy i1, i3, then healthy i2, i4 (names "app@sha256:aa…" < "app@sha256:cc…" <
  // "db@…").
  EXPECT_EQ(affectedIds(recommendation(data, "BW-REC-001")),
            (std::vector<std::string>{s.i1.id, s.i3.id, s.i2.id, s.i4.id}));
  const auto& first = recommendation(data, "BW-REC-001").affected.front();
  EXPECT_EQ(first.key, s.i1.key);
  EXPECT_EQ(first.name, s.i1.name);
  EXPECT_EQ(first.type, ResourceType::Image);
  EXPECT_EQ(first.status, Health::Unhealthy);
  EXPECT_EQ(first.reason, "3 critical, 7 high");
  EXPECT_FALSE(first.exempt);
  // Unhealthy, then not evaluated; the gone c3 is not listed.
  const auto& running = recommendation(data, "BW-REC-003");
  EXPECT_EQ(affectedIds(running), (std::vector<std::string>{s.c1.id, s.c2.id}));
  EXPECT_EQ(running.affected[1].status, Health::NotEvaluated);
  EXPECT_EQ(affectedIds(recommendation(data, "BW-REC-010")),
            (std::vector<std::string>{s.c1.id, s.c2.id}));
  // All its sources exempt: listed with its status, marked exempt.
  const auto& cis = recommendation(data, "BW-REC-020").affected;
  ASSERT_EQ(cis.size(), 1U);
  EXPECT_EQ(cis[0].id, s.host.id);
  EXPECT_EQ(cis[0].status, Health::Unhealthy);
  EXPECT_TRUE(cis[0].exempt);
  EXPECT_EQ(cis[0].reason, "41 CIS failures");
}

TEST_F(ReportData, TopKeepsTheFirstInOrder) {
  const auto data = report("", 2);
  const auto& s = seeded_;
  EXPECT_EQ(affectedIds(recommendation(data, "BW-REC-001")),
            (std::vector<std::string>{s.i1.id, s.i3.id}));
  EXPECT_EQ(affectedIds(recommendation(data, "BW-REC-013")),
            (std::vector<std::string>{s.i1.id, s.i2.id}));
  // The counts stay whole.
  EXPECT_EQ(recommendation(data, "BW-REC-013").healthy, 3);
  EXPECT_TRUE(recommendation(report("", 0), "BW-REC-001").affected.empty());
}

TEST_F(ReportData, ResourcesByTypeAndHealthLeaveGoneOnesOut) {
  const auto counts = resourceCounts(report());
  using Row = std::vector<std::int64_t>;  // healthy, unhealthy, not evaluated, not applicable
  EXPECT_EQ(counts.size(), 5U);
  EXPECT_EQ(counts.at(ResourceType::Registry), (Row{0, 0, 0, 1}));
  EXPECT_EQ(counts.at(ResourceType::Repository), (Row{0, 0, 0, 2}));
  EXPECT_EQ(counts.at(ResourceType::Image), (Row{1, 3, 0, 0}));
  EXPECT_EQ(counts.at(ResourceType::Host), (Row{1, 0, 0, 0}));
  EXPECT_EQ(counts.at(ResourceType::Container), (Row{1, 1, 0, 0}));  // c3 is gone
}

TEST_F(ReportData, TrendIsTheLastTotalPointOfEachDayInTheWindow) {
  const auto data = report();
  ASSERT_EQ(data.trend.size(), 3U);
  EXPECT_EQ(data.trend[0].at, kNow - 3 * kDay);
  EXPECT_FALSE(data.trend[0].percent.has_value());
  EXPECT_EQ(data.trend[1].at, kNow - kDay);
  ASSERT_TRUE(data.trend[1].percent.has_value());
  EXPECT_NEAR(*data.trend[1].percent, 100.0 * 12 / 21, 1e-9);
  EXPECT_DOUBLE_EQ(data.trend[1].points, 12);
  EXPECT_DOUBLE_EQ(data.trend[1].max, 21);
  EXPECT_EQ(data.trend[2].at, kNow);
  EXPECT_NEAR(*data.trend[2].percent, 100 * 14.2 / 21, 1e-9);
}

TEST_F(ReportData, AlertsOfTheWindowByPriorityAndUtcDay) {
  const auto data = report();
  std::map<std::string, std::int64_t> priorities;
  for (const auto& row : data.alerts_by_priority) priorities[row.priority] = row.count;
  EXPECT_EQ(priorities, (std::map<std::string, std::int64_t>{
                            {"critical", 1}, {"notice", kBulkAlerts}, {"warning", 2}}));
  std::map<std::string, std::int64_t> days;
  for (const auto& row : data.alerts_by_day) days[row.day] = row.count;
  EXPECT_EQ(days, (std::map<std::string, std::int64_t>{
                      {"2026-11-17", kBulkAlerts}, {"2026-11-18", 1}, {"2026-11-19", 2}}));
}

TEST_F(ReportData, ActiveExemptionsWithTheirScopesName) {
  const auto data = report();
  ASSERT_EQ(data.exemptions.size(), 2U);
  std::map<std::int64_t, std::string> names;
  for (const auto& row : data.exemptions) names[row.exemption.id] = row.scope_name;
  EXPECT_EQ(names.at(seeded_.host_exemption), "web-1");
  EXPECT_EQ(names.at(seeded_.registry_exemption), "local");

  // Revoked: gone from the report.
  ASSERT_TRUE(store_->revokeExemption(seeded_.registry_exemption, kNow - kHour));
  const auto after = report();
  ASSERT_EQ(after.exemptions.size(), 1U);
  EXPECT_EQ(after.exemptions[0].exemption.id, seeded_.host_exemption);
  EXPECT_EQ(after.exemptions[0].exemption.reason, "hardened by the platform team's Ansible role");
}

TEST_F(ReportData, RepositoryScopeCountsOnlyItsSubtree) {
  const auto& s = seeded_;
  const auto data = report(s.app.id);
  EXPECT_EQ(data.scope_id, s.app.id);
  EXPECT_EQ(data.scope_name, "app");
  // CTL-VULN: i1 i2 i3 unhealthy → 0 of 6; CTL-PRIV: i1 unhealthy, i2 i3 healthy → 4 of 6.
  EXPECT_EQ(control(data, "CTL-VULN").unhealthy, 3);
  EXPECT_EQ(control(data, "CTL-VULN").healthy, 0);
  EXPECT_EQ(control(data, "CTL-PRIV").healthy, 2);
  EXPECT_FALSE(control(data, "CTL-HOST").applicable);
  ASSERT_TRUE(data.score.percent.has_value());
  EXPECT_NEAR(*data.score.percent, 100.0 * 4 / 12, 1e-9);
  EXPECT_NEAR(recommendation(data, "BW-REC-002").potential_increase, 100.0 * 6 / 3 / 12, 1e-9);
  EXPECT_EQ(affectedIds(recommendation(data, "BW-REC-001")),
            (std::vector<std::string>{s.i1.id, s.i3.id, s.i2.id}));
  EXPECT_TRUE(recommendation(data, "BW-REC-010").affected.empty());

  using Row = std::vector<std::int64_t>;
  const auto counts = resourceCounts(data);
  EXPECT_EQ(counts.size(), 2U);
  EXPECT_EQ(counts.at(ResourceType::Repository), (Row{0, 0, 0, 1}));
  EXPECT_EQ(counts.at(ResourceType::Image), (Row{0, 3, 0, 0}));
  // The history is the whole store's: no trend for a scope. No alert was resolved into it.
  EXPECT_TRUE(data.trend.empty());
  EXPECT_TRUE(data.alerts_by_priority.empty());
  // The registry's exemption covers the repository; the host's does not.
  ASSERT_EQ(data.exemptions.size(), 1U);
  EXPECT_EQ(data.exemptions[0].exemption.id, s.registry_exemption);
  EXPECT_EQ(data.exemptions[0].scope_name, "local");
}

TEST_F(ReportData, RegistryScopeEqualsTheWholeRegistryTree) {
  const auto data = report(seeded_.registry.id);
  // CTL-VULN: 1 healthy of 4 → 1.5; CTL-PRIV: 3 of 4 → 4.5; 6 of 12.
  EXPECT_NEAR(control(data, "CTL-VULN").score, 1.5, 1e-9);
  EXPECT_NEAR(control(data, "CTL-PRIV").score, 4.5, 1e-9);
  ASSERT_TRUE(data.score.percent.has_value());
  EXPECT_NEAR(*data.score.percent, 50, 1e-9);
}

TEST_F(ReportData, HostScopeHasTheAlertsResolvedToItsResources) {
  const auto& s = seeded_;
  const auto data = report(s.host.id);
  ASSERT_EQ(data.alerts_by_priority.size(), 1U);
  EXPECT_EQ(data.alerts_by_priority[0].priority, "critical");
  EXPECT_EQ(data.alerts_by_priority[0].count, 1);
  ASSERT_EQ(data.alerts_by_day.size(), 1U);
  EXPECT_EQ(data.alerts_by_day[0].day, "2026-11-19");
  // CTL-VULN: c1 unhealthy (c2 not evaluated) → 0 of 6; CTL-PRIV: c1 U, c2 H → 3 of 6;
  // CTL-HOST 5 of 5; CTL-RUNTIME 4 of 4: 12 of 21.
  ASSERT_TRUE(data.score.percent.has_value());
  EXPECT_NEAR(*data.score.percent, 100.0 * 12 / 21, 1e-9);
  ASSERT_EQ(data.exemptions.size(), 1U);
  EXPECT_EQ(data.exemptions[0].exemption.id, s.host_exemption);
}

TEST_F(ReportData, BadOrUnknownScope) {
  pipeline::PostureReportOptions options;
  options.now = kNow;
  options.scope_id = "not-an-id";
  auto bad = pipeline::postureReportData(*store_, *catalogue_, options);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::ErrorCode::Input);
  options.scope_id = "0123456789abcdef";
  auto unknown = pipeline::postureReportData(*store_, *catalogue_, options);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::NotFound);
  EXPECT_NE(unknown.error().message.find("0123456789abcdef"), std::string::npos);
}

TEST_F(ReportData, TheSameStoreGivesTheSameDocument) {
  EXPECT_EQ(report::renderPostureJson(report()), report::renderPostureJson(report()));
  EXPECT_EQ(report::renderPostureHtml(report(seeded_.app.id)),
            report::renderPostureHtml(report(seeded_.app.id)));
}

}  // namespace
}  // namespace bulwark::testing
