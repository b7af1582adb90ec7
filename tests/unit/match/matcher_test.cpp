#include "match/matcher.h"

#include <gtest/gtest.h>

#include "match/policy.h"
#include "version/scheme.h"

namespace bulwark::match {
namespace {

using model::AffectedPackage;
using model::RangeEvent;
using model::VersionRange;

AffectedPackage withEvents(std::vector<RangeEvent> events) {
  AffectedPackage affected;
  affected.ranges.push_back({VersionRange::Type::Ecosystem, std::move(events)});
  return affected;
}

constexpr auto kIntroduced = RangeEvent::Kind::Introduced;
constexpr auto kFixed = RangeEvent::Kind::Fixed;
constexpr auto kLast = RangeEvent::Kind::LastAffected;

TEST(IsAffected, IntroducedFixedPairsUseTheSchemeComparator) {
  const auto a = withEvents({{kIntroduced, "0"}, {kFixed, "1:2.0-1"}});
  std::string why;
  EXPECT_TRUE(isAffected(a, "1:1.9-9", &version::compareDpkg, &why));
  EXPECT_EQ(why, "1:1.9-9 in [0, 1:2.0-1)");
  EXPECT_FALSE(isAffected(a, "1:2.0-1", &version::compareDpkg, nullptr));
  EXPECT_FALSE(isAffected(a, "2:0.1-1", &version::compareDpkg, nullptr)) << "epoch wins";
  EXPECT_TRUE(isAffected(a, "1:2.0~rc1-1", &version::compareDpkg, nullptr)) << "~ sorts first";
  // Without an epoch, 2.5 < 1:2.0 for dpkg.
  EXPECT_TRUE(isAffected(a, "2.5-1", &version::compareDpkg, nullptr));
}

TEST(IsAffected, SeveralIntervalsAndLastAffected) {
  const auto a =
      withEvents({{kIntroduced, "1.0"}, {kFixed, "1.5"}, {kIntroduced, "2.0"}, {kLast, "2.3"}});
  EXPECT_FALSE(isAffected(a, "0.9", &version::compareRpm, nullptr));
  EXPECT_TRUE(isAffected(a, "1.2", &version::compareRpm, nullptr));
  EXPECT_FALSE(isAffected(a, "1.7", &version::compareRpm, nullptr));
  EXPECT_TRUE(isAffected(a, "2.3", &version::compareRpm, nullptr));
  EXPECT_FALSE(isAffected(a, "2.3.1", &version::compareRpm, nullptr));
}

TEST(IsAffected, RpmEpochsAndApkRevisions) {
  const auto rpm = withEvents({{kIntroduced, "0"}, {kFixed, "1:3.0.7-24.el9"}});
  EXPECT_TRUE(isAffected(rpm, "1:3.0.7-6.el9", &version::compareRpm, nullptr));
  EXPECT_FALSE(isAffected(rpm, "1:3.0.7-25.el9", &version::compareRpm, nullptr));
  EXPECT_TRUE(isAffected(rpm, "3.0.8-1.el9", &version::compareRpm, nullptr))
      << "a missing epoch is 0";
  const auto apk = withEvents({{kIntroduced, "0"}, {kFixed, "1.2.4-r2"}});
  EXPECT_TRUE(isAffected(apk, "1.2.4-r1", &version::compareApk, nullptr));
  EXPECT_FALSE(isAffected(apk, "1.2.4-r2", &version::compareApk, nullptr));
  EXPECT_FALSE(isAffected(apk, "1.2.5-r0", &version::compareApk, nullptr));
}

TEST(IsAffected, OpenIssuesListedVersionsAndBareFixedVersions) {
  AffectedPackage open;  // no ranges, no fix: every version
  EXPECT_TRUE(isAffected(open, "9.9", &version::compareDpkg, nullptr));
  AffectedPackage listed;
  listed.versions = {"1.0-1", "1.1-1"};
  EXPECT_TRUE(isAffected(listed, "1.1-1", &version::compareDpkg, nullptr));
  EXPECT_FALSE(isAffected(listed, "1.2-1", &version::compareDpkg, nullptr));
  AffectedPackage fixed_only;
  fixed_only.fixed_version = "2.0";
  EXPECT_TRUE(isAffected(fixed_only, "1.0", &version::compareDpkg, nullptr));
  EXPECT_FALSE(isAffected(fixed_only, "2.0", &version::compareDpkg, nullptr));
}

TEST(Policy, SeverityFilterUnfixedAndExitCode) {
  std::vector<model::Finding> findings(3);
  findings[0].severity = model::Severity::Critical;
  findings[0].fixed_version = "1";
  findings[1].severity = model::Severity::High;
  findings[2].severity = model::Severity::Low;
  findings[2].fixed_version = "2";
  Policy policy;
  policy.severities = *parseSeverities("CRITICAL,high");
  policy.exit_code = 5;
  auto result = applyPolicy(policy, findings);
  EXPECT_EQ(result.counted, (std::vector<bool>{true, true, false}));
  EXPECT_EQ(result.exit_code, 5);
  policy.ignore_unfixed = true;
  result = applyPolicy(policy, findings);
  EXPECT_EQ(result.failing, 1U);
  policy.severities = *parseSeverities("MEDIUM");
  EXPECT_EQ(applyPolicy(policy, findings).exit_code, 0);
  EXPECT_FALSE(parseSeverities("SEVERE"));
}

}  // namespace
}  // namespace bulwark::match
