// The check loader: every shipped check loads; bad files report every problem with its place.
#include <gtest/gtest.h>

#include "checks/check.h"

namespace {

TEST(CheckLoader, BuiltinChecksLoad) {
  auto set = bulwark::checks::loadBuiltinChecks();
  ASSERT_TRUE(set.has_value()) << set.error().message;
  EXPECT_GE(set->checks.size(), 23U);
  for (const auto& check : set->checks) {
    // Only manual checks may be guidance alone (their `audit` says how to verify by hand).
    if (check.automated) {
      EXPECT_FALSE(check.tests.empty()) << check.id;
    } else {
      EXPECT_FALSE(check.tests.empty() && check.audit.empty()) << check.id;
    }
    EXPECT_FALSE(check.remediation.empty()) << check.id;
  }
}

TEST(CheckLoader, ReportsEveryProblemWithItsPlace) {
  bulwark::core::Diagnostics diagnostics;
  const auto check = bulwark::checks::loadCheck(
      "id: bad id\n"
      "title: t\n"
      "section: s\n"
      "severity: extreme\n"
      "rationale: r\n"
      "remediation: r\n"
      "colour: blue\n"
      "applies_to: {dockerfile: evaluate, image: maybe}\n"
      "tests:\n"
      "  - probe: user\n"
      "    compare: around\n"
      "  - probe: no-such-probe\n"
      "    compare: eq\n"
      "  - probe: variable\n"
      "    name: '(unclosed'\n"
      "    compare: eq\n"
      "    value: x\n",
      "bad.yaml", diagnostics);
  EXPECT_FALSE(check.has_value());
  const auto all = diagnostics.sorted();
  EXPECT_GE(all.size(), 6U);
  bool located = false;
  for (const auto& d : all) located = located || d.where.rfind("bad.yaml:", 0) == 0;
  EXPECT_TRUE(located);
}

TEST(CheckLoader, SelectsAndRejectsUnknownIds) {
  auto set = bulwark::checks::loadBuiltinChecks();
  ASSERT_TRUE(set.has_value());
  auto only = bulwark::checks::selectChecks(*set, {"BW-IMG-001", "BW-IMG-002"}, {"BW-IMG-002"});
  ASSERT_TRUE(only.has_value());
  ASSERT_EQ(only->checks.size(), 1U);
  EXPECT_EQ(only->checks[0].id, "BW-IMG-001");
  EXPECT_FALSE(bulwark::checks::selectChecks(*set, {"BW-NOPE"}, {}).has_value());
}

}  // namespace
