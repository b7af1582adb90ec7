// The secure score (posture/score.h). Replays the worked example of docs/posture.md (and
// docs/dev/posture-design.md §4.3) exactly, built through the assess functions from check
// results, vulnerability counts, alerts and a sensor heartbeat; then the edge cases: nothing
// counted (0/0), everything exempt, not-evaluated and gone resources left out.
#include "posture/score.h"

#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "loaded_catalogue.h"
#include "posture/assess.h"
#include "posture/exemption.h"
#include "posture/resource_key.h"

namespace bulwark::posture {
namespace {

constexpr std::int64_t kNow = 1'750'000'000'000;

// One Docker host with 4 containers and 10 registry images; no Kubernetes.
struct Example {
  model::Resource host = hostResource("web-1");
  std::vector<model::Resource> containers;
  std::vector<model::Resource> images;
  std::vector<model::Assessment> assessments;
  AssessContext context;

  Example() {
    context.now_ms = kNow;
    context.run_id = 1;
    for (int i = 0; i < 4; ++i) {
      containers.push_back(
          dockerContainerResource("web-1", fmt::format("{:064x}", i + 1), fmt::format("c{}", i)));
    }
    for (int i = 0; i < 10; ++i) {
      images.push_back(imageResource("local", fmt::format("shop/app-{}", i),
                                     fmt::format("sha256:{:064x}", i + 1)));
    }
    buildImages();
    buildContainers();
    buildHost();
  }

  void check(const model::Resource& resource, const std::string& id, bool pass) {
    model::CheckResult result;
    result.check_id = id;
    result.status = pass ? model::CheckStatus::Pass : model::CheckStatus::Fail;
    auto a = assessCheck(loadedCatalogue(), resource.id, result, context);
    ASSERT_TRUE(a) << id;
    assessments.push_back(std::move(*a));
  }

  void add(std::optional<model::Assessment> a) {
    ASSERT_TRUE(a);
    assessments.push_back(std::move(*a));
  }

  // CTL-VULN: 4 of 10 with critical/high. CTL-PRIV: 3 run as root. CTL-NET: none exposes an
  // admin port. CTL-CONF: none has a health check.
  void buildImages() {
    for (int i = 0; i < 10; ++i) {
      const auto& image = images[i];
      VulnCounts counts;
      counts.medium = 3;
      if (i < 4) {
        counts.high = 2;
        counts.fixable = 2;
      }
      for (auto& a : assessImageVulnerabilities(loadedCatalogue(), image.id, counts, context)) {
        assessments.push_back(std::move(a));
      }
      add(assessScan(loadedCatalogue(), image.id,
                     {.pushed_at = kNow - 2 * kDayMs, .scanned_at = kNow - kDayMs}, context));
      check(image, "BW-IMG-004", true);
      check(image, "BW-IMG-001", i >= 3);
      check(image, "BW-IMG-003", true);
      check(image, "BW-IMG-002", false);
      check(image, "BW-IMG-005", true);
    }
  }

  // CTL-VULN: 2 of 4 run such images. CTL-PRIV: 1 privileged. CTL-NET: 1 publishes on 0.0.0.0.
  // CTL-CONF: all healthy. CTL-RUNTIME: 1 with an open alert, the host's sensor live.
  void buildContainers() {
    for (int i = 0; i < 4; ++i) {
      const auto& container = containers[i];
      VulnCounts counts;
      if (i < 2) counts.critical = 1;
      add(assessRunningImage(loadedCatalogue(), container.id, counts, context));
      add(assessScan(loadedCatalogue(), container.id, {.scanned_at = kNow - kDayMs}, context));
      check(container, "BW-DKR-505", i != 0);
      check(container, "BW-DKR-401", true);
      check(container, "BW-DKR-510", true);
      check(container, "BW-DKR-514", i != 1);
      check(container, "BW-DKR-511", true);
      check(container, "BW-DKR-513", true);
      std::vector<AlertInput> alerts;
      if (i == 2) {
        alerts.push_back({.alert_id = "alert-1",
                          .rule_id = "BW-RT-209",
                          .priority = 3,
                          .time_ms = kNow - kHourMs});
      }
      add(assessRuntime(loadedCatalogue(), container.id, alerts, true, context));
    }
  }

  // CTL-HOST: BW-REC-020 fails (41 CIS failures), BW-REC-021 healthy. CTL-ACCESS: BW-REC-032
  // healthy. CTL-RUNTIME: healthy, with a live sensor. CTL-VULN: BW-DKR-404 is a manual check,
  // not evaluated, so the host does not count there.
  void buildHost() {
    const Recommendation* hardening = loadedCatalogue().recommendation("BW-REC-020");
    ASSERT_NE(hardening, nullptr);
    ASSERT_EQ(hardening->checks.size(), 71U);
    for (std::size_t i = 0; i < hardening->checks.size(); ++i) {
      check(host, hardening->checks[i], i >= 41);
    }
    check(host, "BW-DKR-207", true);
    for (const auto& id : loadedCatalogue().recommendation("BW-REC-032")->checks)
      check(host, id, true);
    add(assessRuntime(loadedCatalogue(), host.id, {}, true, context));
    add(assessSensor(loadedCatalogue(), host.id, kNow - kMinuteMs, context));
    model::CheckResult manual;
    manual.check_id = "BW-DKR-404";
    manual.status = model::CheckStatus::Manual;
    add(assessCheck(loadedCatalogue(), host.id, manual, context));
  }

  [[nodiscard]] std::vector<model::Resource> resources() const {
    std::vector<model::Resource> all = {host};
    all.insert(all.end(), containers.begin(), containers.end());
    all.insert(all.end(), images.begin(), images.end());
    return all;
  }
};

const ControlScore& control(const SecureScore& score, std::string_view id) {
  for (const auto& c : score.controls) {
    if (c.id == id) return c;
  }
  ADD_FAILURE() << "no control " << id;
  static const ControlScore kNone;
  return kNone;
}

double round1(double value) { return std::round(value * 10) / 10; }

TEST(SecureScore, WorkedExample) {
  const Example example;
  const auto counts = countControls(loadedCatalogue(), example.assessments);
  const SecureScore score = computeScore(loadedCatalogue(), counts);
  const struct {
    std::string_view id;
    std::int64_t healthy, unhealthy;
    double score;
  } expected[] = {
      {"CTL-VULN", 8, 6, 6.0 * 8 / 14},
      {"CTL-PRIV", 10, 4, 6.0 * 10 / 14},
      {"CTL-HOST", 0, 1, 0},
      {"CTL-ACCESS", 1, 0, 4},
      {"CTL-NET", 13, 1, 4.0 * 13 / 14},
      {"CTL-CONF", 4, 10, 3.0 * 4 / 14},
      {"CTL-RUNTIME", 4, 1, 4.0 * 4 / 5},
  };
  ASSERT_EQ(score.controls.size(), 7U);
  for (const auto& want : expected) {
    const ControlScore& c = control(score, want.id);
    EXPECT_EQ(c.healthy, want.healthy) << want.id;
    EXPECT_EQ(c.unhealthy, want.unhealthy) << want.id;
    EXPECT_NEAR(c.score, want.score, 1e-9) << want.id;
    EXPECT_TRUE(c.applicable) << want.id;
  }
  EXPECT_NEAR(control(score, "CTL-VULN").score, 3.429, 5e-4);
  EXPECT_NEAR(control(score, "CTL-PRIV").score, 4.286, 5e-4);
  EXPECT_NEAR(control(score, "CTL-NET").score, 3.714, 5e-4);
  EXPECT_NEAR(control(score, "CTL-CONF").score, 0.857, 5e-4);
  EXPECT_EQ(control(score, "CTL-VULN").not_evaluated, 1) << "the host's manual BW-DKR-404";
  EXPECT_NEAR(score.points, 19.486, 5e-4);
  EXPECT_DOUBLE_EQ(score.max, 32);
  ASSERT_TRUE(score.percent);
  EXPECT_DOUBLE_EQ(round1(*score.percent), 60.9);

  // BW-REC-020's potential increase before the exemption: 5 ÷ 1 × 1 ÷ 32 = 15.6 points.
  const auto recommendations = countRecommendations(loadedCatalogue(), example.assessments);
  const auto find = [&](std::string_view id) {
    for (const auto& r : recommendations) {
      if (r.recommendation == id) return r;
    }
    ADD_FAILURE() << "no recommendation " << id;
    return RecommendationCount{};
  };
  const RecommendationCount hardening = find("BW-REC-020");
  EXPECT_EQ(hardening.unhealthy, 1);
  EXPECT_EQ(hardening.unhealthy_only, 1);
  EXPECT_NEAR(potentialIncrease(loadedCatalogue(), score, hardening), 15.625, 1e-9);
  EXPECT_DOUBLE_EQ(round1(potentialIncrease(loadedCatalogue(), score, hardening)), 15.6);
  const RecommendationCount severe = find("BW-REC-001");
  EXPECT_EQ(severe.healthy, 6);
  EXPECT_EQ(severe.unhealthy, 4);
  EXPECT_EQ(find("BW-REC-002").unhealthy, 4);
  EXPECT_EQ(find("BW-REC-053").unhealthy, 10);
  EXPECT_EQ(find("BW-REC-021").healthy, 1);
  // The 4 vulnerable images are unhealthy in CTL-VULN through both 001 and 002: fixing one
  // alone does not make them healthy.
  EXPECT_EQ(severe.unhealthy_only, 0);
  EXPECT_DOUBLE_EQ(potentialIncrease(loadedCatalogue(), score, severe), 0);
  // CTL-CONF: 3 ÷ 14 × 10 ÷ 32.
  EXPECT_NEAR(potentialIncrease(loadedCatalogue(), score, find("BW-REC-053")), 300.0 / 14 * 10 / 32,
              1e-9);
}

model::Exemption hostHardeningExemption(const Example& example) {
  model::Exemption e;
  e.id = 1;
  e.recommendation = "BW-REC-020";
  e.scope_id = example.host.id;
  e.category = model::ExemptionCategory::Mitigated;
  e.reason = "hardened by the platform team's Ansible role";
  e.created_at = kNow;
  e.expires_at = kNow + 90 * kDayMs;
  EXPECT_TRUE(validateExemption(e, loadedCatalogue(), kNow));
  return e;
}

TEST(SecureScore, WorkedExampleWithTheHostHardeningExempt) {
  Example example;
  const std::vector<model::Exemption> exemptions = {hostHardeningExemption(example)};
  const auto resources = example.resources();
  applyExemptions(example.assessments, exemptions, parentMap(resources), kNow);
  const SecureScore score =
      computeScore(loadedCatalogue(), countControls(loadedCatalogue(), example.assessments));
  const ControlScore& host = control(score, "CTL-HOST");
  EXPECT_EQ(host.healthy, 1) << "counted through BW-REC-021 only";
  EXPECT_EQ(host.unhealthy, 0);
  EXPECT_DOUBLE_EQ(host.score, 5);
  EXPECT_NEAR(score.points, 24.486, 5e-4);
  ASSERT_TRUE(score.percent);
  EXPECT_DOUBLE_EQ(round1(*score.percent), 76.5);
  const auto recommendations = countRecommendations(loadedCatalogue(), example.assessments);
  for (const auto& r : recommendations) {
    if (r.recommendation != "BW-REC-020") continue;
    EXPECT_EQ(r.exempt, 1);
    EXPECT_EQ(r.unhealthy, 0);
  }
}

TEST(SecureScore, ExemptingAControlsOnlyRecommendationMakesItNotApplicable) {
  Example example;
  std::erase_if(example.assessments,
                [](const model::Assessment& a) { return a.source == "BW-DKR-207"; });
  const std::vector<model::Exemption> exemptions = {hostHardeningExemption(example)};
  const auto resources = example.resources();
  applyExemptions(example.assessments, exemptions, parentMap(resources), kNow);
  const SecureScore score =
      computeScore(loadedCatalogue(), countControls(loadedCatalogue(), example.assessments));
  const ControlScore& host = control(score, "CTL-HOST");
  EXPECT_FALSE(host.applicable);
  EXPECT_EQ(host.exempt, 1);
  EXPECT_DOUBLE_EQ(score.max, 27);
  ASSERT_TRUE(score.percent);
  EXPECT_DOUBLE_EQ(round1(*score.percent), 72.2);
}

TEST(SecureScore, NothingCountedIsNoScoreNotZero) {
  const SecureScore score = computeScore(loadedCatalogue(), countControls(loadedCatalogue(), {}));
  EXPECT_FALSE(score.percent);
  EXPECT_DOUBLE_EQ(score.points, 0);
  EXPECT_DOUBLE_EQ(score.max, 0);
  ASSERT_EQ(score.controls.size(), 7U);
  for (const auto& c : score.controls) {
    EXPECT_FALSE(c.applicable) << c.id;
    EXPECT_DOUBLE_EQ(c.score, 0) << c.id;
  }
  EXPECT_DOUBLE_EQ(potentialIncrease(loadedCatalogue(), score, RecommendationCount{"BW-REC-010"}),
                   0);
}

TEST(SecureScore, AllExempt) {
  Example example;
  for (auto& a : example.assessments) a.exempt_id = 1;
  const auto counts = countControls(loadedCatalogue(), example.assessments);
  const SecureScore score = computeScore(loadedCatalogue(), counts);
  EXPECT_FALSE(score.percent);
  for (const auto& c : score.controls) {
    EXPECT_FALSE(c.applicable) << c.id;
    EXPECT_EQ(c.healthy + c.unhealthy + c.not_evaluated, 0) << c.id;
  }
  EXPECT_EQ(control(score, "CTL-VULN").exempt, 15) << "10 images, 4 containers and the host";
  EXPECT_EQ(control(score, "CTL-HOST").exempt, 1);
  EXPECT_EQ(control(score, "CTL-RUNTIME").exempt, 5);
}

TEST(SecureScore, NotEvaluatedAndNotApplicableAreExcluded) {
  Example example;
  const SecureScore before =
      computeScore(loadedCatalogue(), countControls(loadedCatalogue(), example.assessments));
  // Five images pushed but not scanned yet, and a not-applicable check on a counted container.
  for (int i = 0; i < 5; ++i) {
    const auto image = imageResource("local", "shop/new", fmt::format("sha256:{:064x}", 100 + i));
    for (auto& a :
         assessImageVulnerabilities(loadedCatalogue(), image.id, std::nullopt, example.context)) {
      ASSERT_EQ(a.status, model::Health::NotEvaluated);
      example.assessments.push_back(std::move(a));
    }
  }
  model::CheckResult na;
  na.check_id = "BW-DKR-523";
  na.status = model::CheckStatus::NotApplicable;
  example.assessments.push_back(
      *assessCheck(loadedCatalogue(), example.containers[3].id, na, example.context));
  const SecureScore after =
      computeScore(loadedCatalogue(), countControls(loadedCatalogue(), example.assessments));
  const ControlScore& vuln = control(after, "CTL-VULN");
  EXPECT_EQ(vuln.healthy, 8);
  EXPECT_EQ(vuln.unhealthy, 6);
  EXPECT_EQ(vuln.not_evaluated, 6) << "the host and the five new images";
  EXPECT_EQ(control(after, "CTL-PRIV").healthy, 10);
  EXPECT_DOUBLE_EQ(*after.percent, *before.percent);
  // A control whose only assessments are not evaluated is not applicable.
  model::Assessment lone = example.assessments.front();
  lone.status = model::Health::NotEvaluated;
  const std::vector<model::Assessment> only = {lone};
  const SecureScore blind = computeScore(loadedCatalogue(), countControls(loadedCatalogue(), only));
  EXPECT_FALSE(control(blind, lone.control).applicable);
  EXPECT_FALSE(blind.percent);
}

TEST(SecureScore, GoneResourcesCountNowhere) {
  const Example example;
  const ResourceIdSet gone = {example.containers[0].id};  // the privileged one
  const SecureScore score =
      computeScore(loadedCatalogue(), countControls(loadedCatalogue(), example.assessments, gone));
  EXPECT_EQ(control(score, "CTL-PRIV").healthy, 10);
  EXPECT_EQ(control(score, "CTL-PRIV").unhealthy, 3);
  EXPECT_EQ(control(score, "CTL-VULN").unhealthy, 5);
  EXPECT_EQ(control(score, "CTL-CONF").healthy, 3);
}

TEST(SecureScore, CountsOfUnknownControlsAreIgnored) {
  const std::vector<ControlCount> counts = {{"CTL-NOPE", 5, 5, 0, 0}, {"CTL-NET", 1, 1, 0, 0}};
  const SecureScore score = computeScore(loadedCatalogue(), counts);
  EXPECT_DOUBLE_EQ(score.points, 2);
  EXPECT_DOUBLE_EQ(score.max, 4);
  EXPECT_DOUBLE_EQ(*score.percent, 50);
}

}  // namespace
}  // namespace bulwark::posture
