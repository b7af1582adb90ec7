// applyPolicy: filters, suppression order, counts, exit codes and warnings (policy.h).
#include <gtest/gtest.h>

#include "fixture.h"

namespace bulwark::match {
namespace {

using testing::date;
using testing::debianMini;
using testing::fixture;

Policy gate() {
  Policy policy;
  policy.severities = {model::Severity::High, model::Severity::Critical};
  policy.exit_code = 3;
  policy.today = date(2024, 9, 1);
  return policy;
}

IgnoreFile ignoreFixture(const std::string& name) {
  auto file = loadIgnoreFile(fixture("ignore/" + name));
  EXPECT_TRUE(file) << (file ? "" : file.error().message);
  return file ? std::move(*file) : IgnoreFile{};
}

VexDocument vexFixture(const std::string& name) {
  auto document = loadVex(fixture("vex/" + name));
  EXPECT_TRUE(document) << (document ? "" : document.error().message);
  return document ? std::move(*document) : VexDocument{};
}

TEST(ApplyPolicy, WithoutRulesNothingIsSuppressed) {
  const auto report = debianMini();
  const auto result = applyPolicy(gate(), report);
  EXPECT_EQ(result.counted, (std::vector<bool>{true, false, false, false}));
  ASSERT_EQ(result.suppressions.size(), 4U);
  for (const auto& s : result.suppressions) EXPECT_FALSE(s.suppressed);
  EXPECT_EQ(result.failing, 1U);
  EXPECT_EQ(result.suppressed, 0U);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_TRUE(result.warnings.empty());
}

TEST(ApplyPolicy, IgnoreFileSuppressesAndTheGatePasses) {
  Policy policy = gate();
  policy.ignore = ignoreFixture("debian-mini.yaml");
  const auto result = applyPolicy(policy, debianMini());
  EXPECT_EQ(result.counted, (std::vector<bool>{false, false, false, false}));
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.suppressed, 1U) << "only findings the filters keep are looked at";
  const auto& s = result.suppressions[0];
  EXPECT_TRUE(s.suppressed);
  EXPECT_EQ(s.by, "ignorefile");
  EXPECT_EQ(s.status, "ignored");
  EXPECT_EQ(s.reason, "no ISO-2022-CN-EXT conversion happens in this image");
  EXPECT_EQ(s.where, fixture("ignore/debian-mini.yaml") + ":3");
  EXPECT_FALSE(result.suppressions[3].suppressed) << "NEGLIGIBLE is filtered, not suppressed";
}

TEST(ApplyPolicy, EveryFindingKeptIsCheckedWithoutASeverityFilter) {
  Policy policy;
  policy.ignore = ignoreFixture("debian-mini.yaml");
  policy.today = date(2024, 9, 1);
  const auto result = applyPolicy(policy, debianMini());
  EXPECT_EQ(result.counted, (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(result.suppressed, 2U);
  EXPECT_EQ(result.suppressions[3].reason, "PKCS12 files are never parsed");
}

TEST(ApplyPolicy, ExpiredEntriesWarnAndNoLongerSuppress) {
  Policy policy = gate();
  policy.ignore = ignoreFixture("expired.yaml");
  const auto result = applyPolicy(policy, debianMini());
  EXPECT_TRUE(result.counted[0]);
  EXPECT_EQ(result.exit_code, 3);
  ASSERT_EQ(result.warnings.size(), 1U);
  EXPECT_EQ(result.warnings[0], fixture("ignore/expired.yaml") +
                                    ":2: the entry for CVE-2024-2961 expired on 2020-01-01; it no "
                                    "longer suppresses");
  // The same entry the day before it expires.
  policy.today = date(2019, 12, 31);
  EXPECT_EQ(applyPolicy(policy, debianMini()).exit_code, 0);
}

TEST(ApplyPolicy, VexNotAffectedSuppressesVersionMismatchDoesNot) {
  Policy policy = gate();
  policy.vex.push_back(vexFixture("version-mismatch.openvex.json"));
  EXPECT_EQ(applyPolicy(policy, debianMini()).exit_code, 3);
  policy.vex.push_back(vexFixture("debian-mini.openvex.json"));
  const auto result = applyPolicy(policy, debianMini());
  EXPECT_EQ(result.exit_code, 0);
  const auto& s = result.suppressions[0];
  EXPECT_EQ(s.by, "vex:" + fixture("vex/debian-mini.openvex.json"));
  EXPECT_EQ(s.status, "not_affected");
  EXPECT_EQ(s.justification, "vulnerable_code_not_in_execute_path");
  EXPECT_EQ(s.where, fixture("vex/debian-mini.openvex.json") + ", statement 1");
}

TEST(ApplyPolicy, IgnoreFileComesBeforeVexAndFirstVexWins) {
  Policy policy;
  policy.today = date(2024, 9, 1);
  policy.ignore = ignoreFixture("debian-mini.yaml");
  policy.vex.push_back(vexFixture("debian-mini.openvex.json"));
  policy.vex.push_back(vexFixture("debian-mini.cdx.json"));
  policy.vex.push_back(vexFixture("history.openvex.json"));
  const auto result = applyPolicy(policy, debianMini());
  EXPECT_EQ(result.suppressions[0].by, "ignorefile") << "both would suppress: the file wins";
  EXPECT_FALSE(result.suppressions[1].suppressed);
  EXPECT_EQ(result.suppressions[2].by, "vex:" + fixture("vex/debian-mini.cdx.json"))
      << "openvex says affected, CycloneDX not_affected: one not_affected is enough";
  EXPECT_EQ(result.suppressions[3].by, "ignorefile");
  EXPECT_EQ(result.counted, (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(result.failing, 1U);
}

TEST(ApplyPolicy, FixedStatementsSuppressAsTrivyDoes) {
  Policy policy;
  policy.vex.push_back(vexFixture("history.openvex.json"));
  const auto result = applyPolicy(policy, debianMini());
  EXPECT_EQ(result.suppressions[2].status, "fixed");
  EXPECT_FALSE(result.suppressions[0].suppressed) << "the later affected statement decides";
}

TEST(ApplyPolicy, IgnoreUnfixedAndSuppressionsCombine) {
  Policy policy;
  policy.ignore_unfixed = true;
  policy.exit_code = 1;
  policy.vex.push_back(vexFixture("debian-mini.cdx.json"));
  const auto result = applyPolicy(policy, debianMini());
  EXPECT_EQ(result.counted, (std::vector<bool>{true, false, false, false}));
  EXPECT_TRUE(result.suppressions[2].suppressed);
  EXPECT_FALSE(result.suppressions[3].suppressed) << "unfixed: filtered before suppression";
  EXPECT_EQ(result.exit_code, 1);
}

TEST(ApplyPolicy, FindingsAloneMatchIdsAndNamesOnly) {
  Policy policy;
  policy.ignore = ignoreFixture("debian-mini.yaml");
  policy.vex.push_back(vexFixture("debian-mini.openvex.json"));
  policy.today = date(2024, 9, 1);
  const auto report = debianMini();
  const auto result = applyPolicy(policy, report.findings);
  EXPECT_FALSE(result.suppressions[0].suppressed) << "the entry's paths scope needs a location";
  EXPECT_FALSE(result.suppressions[3].suppressed) << "purl scopes need the inventory";
}

}  // namespace
}  // namespace bulwark::match
