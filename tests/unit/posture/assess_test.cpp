// Assessments from check results, findings, scans, alerts and sensors (posture/assess.h;
// docs/dev/posture-design.md §2.1), against the built-in catalogue.
#include "posture/assess.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "loaded_catalogue.h"
#include "posture/resource_key.h"

namespace bulwark::posture {
namespace {

constexpr std::int64_t kNow = 1'750'000'000'000;  // a fixed Unix ms

AssessContext context() {
  AssessContext ctx;
  ctx.now_ms = kNow;
  ctx.run_id = 42;
  return ctx;
}

model::CheckResult result(std::string id, model::CheckStatus status) {
  model::CheckResult r;
  r.check_id = std::move(id);
  r.status = status;
  r.severity = model::Severity::Critical;
  return r;
}

const std::string kContainer = dockerContainerResource("web-1", std::string(64, 'a'), "api").id;

TEST(AssessCheck, MapsEveryStatus) {
  const struct {
    model::CheckStatus status;
    model::Health health;
  } cases[] = {
      {model::CheckStatus::Pass, model::Health::Healthy},
      {model::CheckStatus::Fail, model::Health::Unhealthy},
      {model::CheckStatus::NotApplicable, model::Health::NotApplicable},
      {model::CheckStatus::NotEvaluated, model::Health::NotEvaluated},
      {model::CheckStatus::Manual, model::Health::NotEvaluated},
  };
  for (const auto& c : cases) {
    const auto a =
        assessCheck(loadedCatalogue(), kContainer, result("BW-DKR-505", c.status), context());
    ASSERT_TRUE(a) << model::toString(c.status);
    EXPECT_EQ(a->status, c.health) << model::toString(c.status);
    EXPECT_EQ(a->resource_id, kContainer);
    EXPECT_EQ(a->source, "BW-DKR-505");
    EXPECT_EQ(a->kind, model::SourceKind::Check);
    EXPECT_EQ(a->recommendation, "BW-REC-010");
    EXPECT_EQ(a->control, "CTL-PRIV");
    EXPECT_EQ(a->severity, model::Severity::Critical);
    EXPECT_EQ(a->run_id, 42);
    EXPECT_EQ(a->assessed_at, kNow);
    EXPECT_EQ(a->exempt_id, 0);
  }
}

TEST(AssessCheck, KeepsReasonCauseAndEvidence) {
  auto r = result("BW-DKR-401", model::CheckStatus::NotEvaluated);
  r.reason = "the container's inspect data was not collected";
  r.cause = model::NotEvaluatedCause::MissingInput;
  r.evidence.push_back({"User is empty", "Config.User", "a non-root user"});
  const auto a = assessCheck(loadedCatalogue(), kContainer, r, context());
  ASSERT_TRUE(a);
  EXPECT_EQ(a->recommendation, "BW-REC-013");
  EXPECT_EQ(a->reason, r.reason);
  EXPECT_EQ(a->cause, "missing-input");
  ASSERT_EQ(a->evidence.size(), 1U);
  EXPECT_EQ(a->evidence[0].observed, "User is empty");
}

TEST(AssessCheck, ManualIsNeverAVerdict) {
  auto r = result("BW-DKR-119", model::CheckStatus::Manual);
  r.assist = model::CheckStatus::Fail;
  const auto a = assessCheck(loadedCatalogue(), hostResource("web-1").id, r, context());
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, model::Health::NotEvaluated);
  EXPECT_EQ(a->cause, "manual");
  ASSERT_EQ(a->evidence.size(), 1U);
  EXPECT_EQ(a->evidence[0].observed, "the automated part suggests fail");
  EXPECT_EQ(a->evidence[0].where, "assist");
}

TEST(AssessCheck, UnmappedAndUnknownChecksGiveNothing) {
  EXPECT_FALSE(assessCheck(loadedCatalogue(), kContainer,
                           result("BW-K8S-601", model::CheckStatus::Fail), context()));
  EXPECT_FALSE(assessCheck(loadedCatalogue(), kContainer,
                           result("BW-DKR-999", model::CheckStatus::Fail), context()));
  EXPECT_FALSE(assessCheck(loadedCatalogue(), kContainer,
                           result("BW-RT-207", model::CheckStatus::Fail), context()))
      << "a rule id is not a check";
  EXPECT_FALSE(assessCheck(loadedCatalogue(), kContainer, result("scan", model::CheckStatus::Fail),
                           context()));
}

model::Finding finding(model::Severity severity, std::string fixed) {
  model::Finding f;
  f.severity = severity;
  f.fixed_version = std::move(fixed);
  return f;
}

TEST(CountFindings, CountsBySeverityAndFixableFromLowUp) {
  const std::vector<model::Finding> findings = {
      finding(model::Severity::Critical, "1.1"), finding(model::Severity::High, ""),
      finding(model::Severity::High, "2.0"),     finding(model::Severity::Low, "3"),
      finding(model::Severity::Negligible, "4"), finding(model::Severity::Unknown, "5"),
  };
  const VulnCounts counts = countFindings(findings);
  EXPECT_EQ(counts.critical, 1);
  EXPECT_EQ(counts.high, 2);
  EXPECT_EQ(counts.medium, 0);
  EXPECT_EQ(counts.low, 1);
  EXPECT_EQ(counts.negligible, 1);
  EXPECT_EQ(counts.unknown, 1);
  EXPECT_EQ(counts.fixable, 3) << "critical, high 2.0 and low: negligible and unknown don't count";
}

TEST(AssessVulnerabilities, UnscannedImageIsNotEvaluated) {
  const auto image = imageResource("local", "app", "sha256:1").id;
  const auto out = assessImageVulnerabilities(loadedCatalogue(), image, std::nullopt, context());
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[0].source, "vuln:severe");
  EXPECT_EQ(out[0].recommendation, "BW-REC-001");
  EXPECT_EQ(out[1].source, "vuln:fixable");
  EXPECT_EQ(out[1].recommendation, "BW-REC-002");
  for (const auto& a : out) {
    EXPECT_EQ(a.status, model::Health::NotEvaluated);
    EXPECT_EQ(a.kind, model::SourceKind::Derived);
    EXPECT_EQ(a.control, "CTL-VULN");
    EXPECT_EQ(a.run_id, 0) << "derived sources belong to no run";
  }
}

TEST(AssessVulnerabilities, SevereAndFixableAreJudgedApart) {
  const auto image = imageResource("local", "app", "sha256:1").id;
  VulnCounts counts;
  counts.high = 7;
  counts.critical = 3;
  counts.medium = 1;
  auto out = assessImageVulnerabilities(loadedCatalogue(), image, counts, context());
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[0].status, model::Health::Unhealthy);
  EXPECT_EQ(out[0].severity, model::Severity::Critical);
  EXPECT_EQ(out[0].reason, "3 critical, 7 high");
  EXPECT_EQ(out[1].status, model::Health::Healthy) << "nothing has a fix";

  VulnCounts mild;
  mild.medium = 4;
  mild.fixable = 2;
  out = assessImageVulnerabilities(loadedCatalogue(), image, mild, context());
  EXPECT_EQ(out[0].status, model::Health::Healthy);
  EXPECT_EQ(out[0].severity, model::Severity::Medium);
  EXPECT_EQ(out[1].status, model::Health::Unhealthy);
  EXPECT_EQ(out[1].reason, "2 with a fixed version");
}

TEST(AssessRunningImage, FollowsTheRunDigest) {
  VulnCounts counts;
  counts.critical = 1;
  const auto bad = assessRunningImage(loadedCatalogue(), kContainer, counts, context());
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->source, "vuln:running");
  EXPECT_EQ(bad->recommendation, "BW-REC-003");
  EXPECT_EQ(bad->status, model::Health::Unhealthy);
  const auto clean = assessRunningImage(loadedCatalogue(), kContainer, VulnCounts{}, context());
  EXPECT_EQ(clean->status, model::Health::Healthy);
  const auto unknown = assessRunningImage(loadedCatalogue(), kContainer, std::nullopt, context());
  EXPECT_EQ(unknown->status, model::Health::NotEvaluated);
  EXPECT_EQ(unknown->cause, "missing-input");
}

TEST(AssessScan, JudgesJobsPushesAndAge) {
  const auto image = imageResource("local", "app", "sha256:1").id;
  const auto status = [&](const ScanState& state) {
    const auto a = assessScan(loadedCatalogue(), image, state, context());
    EXPECT_TRUE(a);
    EXPECT_EQ(a->recommendation, "BW-REC-004");
    return a ? a->status : model::Health::NotApplicable;
  };
  EXPECT_EQ(status({.newest_job_dead = true, .pushed_at = kNow, .scanned_at = kNow}),
            model::Health::Unhealthy);
  EXPECT_EQ(status({.pushed_at = kNow - 10 * kMinuteMs}), model::Health::NotEvaluated)
      << "a fresh push waits for its scan";
  EXPECT_EQ(status({.pushed_at = kNow - 2 * kHourMs}), model::Health::Unhealthy)
      << "no result an hour after the push";
  EXPECT_EQ(status({}), model::Health::Unhealthy) << "never pushed, never scanned";
  EXPECT_EQ(status({.pushed_at = kNow - 40 * kDayMs, .scanned_at = kNow - 31 * kDayMs}),
            model::Health::Unhealthy)
      << "older than scan_max_age";
  EXPECT_EQ(status({.pushed_at = kNow - 40 * kDayMs, .scanned_at = kNow - 29 * kDayMs}),
            model::Health::Healthy);
}

AlertInput alert(std::string id, std::string rule, int priority, std::int64_t time_ms,
                 model::AlertStatus status = model::AlertStatus::New) {
  AlertInput a;
  a.alert_id = std::move(id);
  a.rule_id = std::move(rule);
  a.priority = priority;
  a.time_ms = time_ms;
  a.status = status;
  return a;
}

TEST(AssessAlerts, PriorityToSeverity) {
  EXPECT_EQ(severityOfPriority(7), model::Severity::Critical);
  EXPECT_EQ(severityOfPriority(5), model::Severity::Critical);
  EXPECT_EQ(severityOfPriority(4), model::Severity::High);
  EXPECT_EQ(severityOfPriority(3), model::Severity::Medium);
  EXPECT_EQ(severityOfPriority(1), model::Severity::Low);
}

TEST(AssessAlerts, OneRowPerRuleOfItsOwnRecommendation) {
  const std::vector<AlertInput> alerts = {
      alert("a1", "BW-RT-207", 1, kNow - kHourMs),
      alert("a2", "BW-RT-207", 4, kNow - 2 * kHourMs),
      alert("a3", "BW-RT-240", 3, kNow - kHourMs, model::AlertStatus::Dismissed),
      alert("a4", "BW-RT-209", 5, kNow - kHourMs),  // BW-REC-060: the runtime row's
      alert("a5", "BW-RT-215", 5, kNow - kHourMs),  // the test rule: never assessed
      alert("a6", "", 5, kNow - kHourMs),           // a rule without an id
  };
  const auto out = assessAlertRules(loadedCatalogue(), kContainer, alerts, context());
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[0].source, "BW-RT-207");
  EXPECT_EQ(out[0].kind, model::SourceKind::Rule);
  EXPECT_EQ(out[0].recommendation, "BW-REC-010");
  EXPECT_EQ(out[0].status, model::Health::Unhealthy);
  EXPECT_EQ(out[0].severity, model::Severity::High) << "the worst open alert's priority";
  EXPECT_EQ(out[0].reason, "2 open alerts");
  ASSERT_EQ(out[0].evidence.size(), 2U);
  EXPECT_EQ(out[0].evidence[0].observed, "a1") << "newest first";
  EXPECT_EQ(out[1].source, "BW-RT-240");
  EXPECT_EQ(out[1].recommendation, "BW-REC-021");
  EXPECT_EQ(out[1].status, model::Health::Healthy) << "dismissed";
}

TEST(AssessAlerts, WindowAndSimulation) {
  AlertInput old = alert("old", "BW-RT-207", 5, kNow - 8 * kDayMs);
  AlertInput simulated = alert("sim", "BW-RT-110", 5, kNow);
  simulated.simulated = true;
  AlertInput resolved = alert("res", "BW-RT-118", 5, kNow, model::AlertStatus::Resolved);
  AlertInput active = alert("act", "BW-RT-105", 2, kNow - 6 * kDayMs, model::AlertStatus::Active);
  const std::vector<AlertInput> alerts = {old, simulated, resolved, active};
  const auto out = assessAlertRules(loadedCatalogue(), kContainer, alerts, context());
  ASSERT_EQ(out.size(), 3U) << "the simulated alert makes no row";
  EXPECT_EQ(out[0].source, "BW-RT-105");
  EXPECT_EQ(out[0].status, model::Health::Unhealthy) << "active, within 7 days";
  EXPECT_EQ(out[1].source, "BW-RT-118");
  EXPECT_EQ(out[1].status, model::Health::Healthy) << "resolved";
  EXPECT_EQ(out[2].source, "BW-RT-207");
  EXPECT_EQ(out[2].status, model::Health::Healthy) << "older than the alert window";
}

TEST(AssessAlerts, EvidenceIsBounded) {
  std::vector<AlertInput> alerts;
  for (int i = 0; i < 30; ++i) {
    alerts.push_back(alert("id" + std::to_string(100 + i), "BW-RT-207", 3, kNow - i * kMinuteMs));
  }
  const auto out = assessAlertRules(loadedCatalogue(), kContainer, alerts, context());
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].reason, "30 open alerts");
  ASSERT_EQ(out[0].evidence.size(), 20U);
  EXPECT_EQ(out[0].evidence.front().observed, "id100");
  EXPECT_EQ(out[0].evidence.back().observed, "id119");
}

TEST(AssessRuntime, OpenAlertsSensorOrNothing) {
  const std::vector<AlertInput> open = {alert("x", "BW-RT-209", 3, kNow - kHourMs)};
  const std::vector<AlertInput> other = {alert("y", "BW-RT-207", 5, kNow),
                                         alert("z", "BW-RT-215", 5, kNow)};
  const auto unhealthy = assessRuntime(loadedCatalogue(), kContainer, open, false, context());
  ASSERT_TRUE(unhealthy);
  EXPECT_EQ(unhealthy->source, "runtime");
  EXPECT_EQ(unhealthy->recommendation, "BW-REC-060");
  EXPECT_EQ(unhealthy->control, "CTL-RUNTIME");
  EXPECT_EQ(unhealthy->status, model::Health::Unhealthy) << "an open alert needs no sensor";
  const auto healthy = assessRuntime(loadedCatalogue(), kContainer, other, true, context());
  EXPECT_EQ(healthy->status, model::Health::Healthy)
      << "alerts of other recommendations and the test rule don't count here";
  const auto blind = assessRuntime(loadedCatalogue(), kContainer, {}, false, context());
  EXPECT_EQ(blind->status, model::Health::NotEvaluated);
}

TEST(AssessSensor, HeartbeatWithinTimeout) {
  const auto host = hostResource("web-1").id;
  const auto live = assessSensor(loadedCatalogue(), host, kNow - 5 * kMinuteMs, context());
  ASSERT_TRUE(live);
  EXPECT_EQ(live->source, "sensor");
  EXPECT_EQ(live->recommendation, "BW-REC-061");
  EXPECT_EQ(live->status, model::Health::Healthy);
  EXPECT_EQ(assessSensor(loadedCatalogue(), host, kNow - 11 * kMinuteMs, context())->status,
            model::Health::Unhealthy);
  EXPECT_EQ(assessSensor(loadedCatalogue(), host, std::nullopt, context())->status,
            model::Health::Unhealthy);
  EXPECT_TRUE(sensorLive(kNow - 10 * kMinuteMs, context()));
  EXPECT_FALSE(sensorLive(std::nullopt, context()));
}

}  // namespace
}  // namespace bulwark::posture
