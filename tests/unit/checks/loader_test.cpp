// The check loader: every shipped check loads; bad files report every problem with its place.
#include <algorithm>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "checks/check.h"

namespace {

TEST(CheckLoader, BuiltinChecksLoad) {
  auto set = bulwark::checks::loadBuiltinChecks();
  ASSERT_TRUE(set.has_value()) << set.error().message;
  EXPECT_GE(set->checks.size(), 23U);
  EXPECT_NE(set->find("BW-K8S-602"), nullptr);
  EXPECT_TRUE(set->find("BW-K8S-602")->input);
  for (const auto& check : set->checks) {
    // Only manual checks may be guidance alone (their `audit` says how to verify by hand);
    // input checks are reported by the evaluator and list no resource kind at all.
    if (check.input) {
      EXPECT_TRUE(check.tests.empty()) << check.id;
      EXPECT_TRUE(std::none_of(check.applies.begin(), check.applies.end(), [](const auto& a) {
        return a.has_value();
      })) << check.id;
    } else if (check.automated) {
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

TEST(CheckLoader, KubernetesKeysAreValidated) {
  const std::string head =
      "id: BW-K8S-999\ntitle: t\nsection: s\nseverity: low\nrationale: r\nremediation: m\n";
  const auto problems = [](const std::string& text) {
    bulwark::core::Diagnostics diagnostics;
    const auto check = bulwark::checks::loadCheck(text, "k8s/x.yaml", diagnostics);
    std::string all;
    for (const auto& d : diagnostics.sorted()) all += d.detail + "\n";
    return std::make_pair(check.has_value() && diagnostics.size() == 0, all);
  };
  const std::string test =
      "tests:\n  - probe: pod-field\n    path: hostPID\n    compare: ne\n"
      "    value: \"true\"\n";
  // A good one: kinds with a k8s kind, a version range.
  const auto good = problems(head + "applies_to: {k8s-workload: evaluate}\nkinds: [Deployment]\n" +
                             test + "    k8s_versions: {since: \"1.19\", until: \"1.30\"}\n");
  EXPECT_TRUE(good.first) << good.second;
  const auto reversed = problems(head + "applies_to: {k8s-workload: evaluate}\n" + test +
                                 "    k8s_versions: {since: \"1.30\", until: \"1.19\"}\n");
  EXPECT_NE(reversed.second.find("since 1.30 is after until 1.19"), std::string::npos)
      << reversed.second;
  const auto latest = problems(head + "applies_to: {k8s-workload: evaluate}\n" + test +
                               "    k8s_versions: {since: latest}\n");
  EXPECT_NE(latest.second.find("not latest"), std::string::npos) << latest.second;
  const auto kinds = problems(head + "applies_to: {image: evaluate}\nkinds: [Service]\n" + test);
  EXPECT_NE(kinds.second.find("`kinds` needs k8s-object or k8s-workload"), std::string::npos)
      << kinds.second;
  // An input check is reported by the evaluator: no applies_to, no tests.
  const auto input = problems(head + "input: true\napplies_to: {k8s-object: evaluate}\n" + test);
  EXPECT_NE(input.second.find("an `input` check has no `applies_to`"), std::string::npos)
      << input.second;
  EXPECT_NE(input.second.find("an `input` check has no `tests`"), std::string::npos)
      << input.second;
  EXPECT_TRUE(problems(head + "input: true\n").first);
}

}  // namespace
