// Benchmark profiles: loading (with every problem placed), selecting the checks a profile
// names, and annotating results with control ids and manual verdicts.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/profile.h"

namespace {

using bulwark::checks::Check;
using bulwark::checks::CheckSet;
using bulwark::model::CheckResult;
using bulwark::model::CheckStatus;

constexpr std::string_view kProfile =
    "name: demo-1.0\n"
    "title: Demo benchmark\n"
    "version: 1.0.0\n"
    "targets: [docker]\n"
    "controls:\n"
    "  - {id: \"1.1\", automated: true, level: 1, checks: [BW-A-1]}\n"
    "  - {id: \"1.2\", automated: false, level: 2, checks: [BW-A-2, BW-A-3]}\n"
    "  - {id: \"1.3\", automated: false, checks: [BW-A-3]}\n"
    "  - {id: \"1.4\", automated: true, scored: false, checks: [BW-A-4]}\n"
    "  - {id: \"1.5\", automated: false, title: Guidance only}\n";

bulwark::checks::Profile demo() {
  bulwark::core::Diagnostics diagnostics;
  auto profile = bulwark::checks::loadProfile(kProfile, "benchmarks/demo.yaml", diagnostics);
  EXPECT_TRUE(profile.has_value()) << (profile ? "" : profile.error().message);
  return profile ? *profile : bulwark::checks::Profile{};
}

CheckSet setOf(std::initializer_list<const char*> ids) {
  CheckSet set;
  for (const char* id : ids) {
    Check check;
    check.id = id;
    set.checks.push_back(check);
  }
  return set;
}

CheckResult result(const std::string& id, CheckStatus status) {
  CheckResult r;
  r.check_id = id;
  r.status = status;
  return r;
}

TEST(Profile, LoadsControls) {
  const auto profile = demo();
  EXPECT_EQ(profile.name, "demo-1.0");
  EXPECT_EQ(profile.title, "Demo benchmark");
  EXPECT_EQ(profile.version, "1.0.0");
  EXPECT_EQ(profile.targets, std::vector<std::string>{"docker"});
  ASSERT_EQ(profile.controls.size(), 5U);
  EXPECT_TRUE(profile.controls[0].automated);
  EXPECT_TRUE(profile.controls[0].scored);
  EXPECT_FALSE(profile.controls[1].automated);
  EXPECT_FALSE(profile.controls[1].scored) << "scored defaults to automated";
  EXPECT_EQ(profile.controls[1].level, 2);
  EXPECT_FALSE(profile.controls[3].scored);
  EXPECT_TRUE(profile.controls[4].checks.empty());
  EXPECT_EQ(profile.controls[4].title, "Guidance only");
  ASSERT_NE(profile.find("1.3"), nullptr);
  EXPECT_EQ(profile.find("9.9"), nullptr);
}

TEST(Profile, ReportsEveryProblemWithItsPlace) {
  bulwark::core::Diagnostics diagnostics;
  const auto profile = bulwark::checks::loadProfile(
      "name: Bad Name\n"
      "colour: blue\n"
      "controls:\n"
      "  - {id: \"1\", checks: [BW-A-1]}\n"
      "  - {id: \"1\", checks: [BW-A-2]}\n"
      "  - {id: \"2\", level: 3, checks: [BW-A-3]}\n"
      "  - {id: \"3\", automated: maybe, checks: [BW-A-3]}\n"
      "  - {id: \"4\"}\n"
      "  - {checks: [BW-A-3]}\n",
      "bad.yaml", diagnostics);
  ASSERT_FALSE(profile.has_value());
  EXPECT_EQ(profile.error().message.rfind("7 problem(s) in profile, e.g. bad.yaml:", 0), 0U)
      << profile.error().message;
  EXPECT_EQ(diagnostics.size(), 7U);
  for (const auto& d : diagnostics.sorted()) {
    EXPECT_EQ(d.where.rfind("bad.yaml:", 0), 0U) << d.where << " " << d.detail;
  }
  bulwark::core::Diagnostics more;
  EXPECT_FALSE(bulwark::checks::loadProfile("name: [unclosed", "x.yaml", more).has_value());
  EXPECT_FALSE(bulwark::checks::loadProfile("- a list", "x.yaml", more).has_value());
  EXPECT_FALSE(bulwark::checks::loadProfile("name: x\ncontrols: []\n", "x.yaml", more));
}

TEST(Profile, SelectsTheNamedChecksInSetOrder) {
  const auto profile = demo();
  const CheckSet set = setOf({"BW-A-1", "BW-A-2", "BW-A-3", "BW-A-4", "BW-B-1"});
  const auto selected = bulwark::checks::profileChecks(set, profile);
  ASSERT_TRUE(selected.has_value()) << selected.error().message;
  std::vector<std::string> ids;
  for (const auto& check : selected->checks) ids.push_back(check.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"BW-A-1", "BW-A-2", "BW-A-3", "BW-A-4"}));
  const auto missing = bulwark::checks::profileChecks(setOf({"BW-A-1", "BW-A-2"}), profile);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("BW-A-3"), std::string::npos);
}

TEST(Profile, AnnotatesControlsAndManualVerdicts) {
  const auto profile = demo();
  std::vector<CheckResult> results = {
      result("BW-A-1", CheckStatus::Fail),         result("BW-A-2", CheckStatus::Fail),
      result("BW-A-3", CheckStatus::Pass),         result("BW-A-2", CheckStatus::NotApplicable),
      result("BW-A-2", CheckStatus::NotEvaluated), result("BW-B-1", CheckStatus::Fail)};
  results[4].cause = bulwark::model::NotEvaluatedCause::MissingInput;
  bulwark::checks::annotate(results, profile);
  EXPECT_EQ(results[0].controls, std::vector<std::string>{"demo-1.0:1.1"});
  EXPECT_EQ(results[0].status, CheckStatus::Fail) << "automated control";
  EXPECT_FALSE(results[0].assist.has_value());
  EXPECT_EQ(results[1].status, CheckStatus::Manual);
  EXPECT_EQ(results[1].assist, CheckStatus::Fail);
  EXPECT_EQ(results[2].controls, (std::vector<std::string>{"demo-1.0:1.2", "demo-1.0:1.3"}));
  EXPECT_EQ(results[2].status, CheckStatus::Manual);
  EXPECT_EQ(results[2].assist, CheckStatus::Pass);
  EXPECT_EQ(results[3].status, CheckStatus::NotApplicable) << "nothing to look at";
  EXPECT_EQ(results[4].status, CheckStatus::Manual);
  EXPECT_EQ(results[4].assist, CheckStatus::NotEvaluated);
  EXPECT_EQ(results[4].cause, bulwark::model::NotEvaluatedCause::None);
  EXPECT_TRUE(results[5].controls.empty());
  EXPECT_EQ(results[5].status, CheckStatus::Fail);
  // Annotating twice adds nothing twice.
  bulwark::checks::annotate(results, profile);
  EXPECT_EQ(results[0].controls.size(), 1U);
}

// Needs data/benchmarks/*.yaml and the Docker checks they name (data/checks/docker/).
TEST(Profile, BuiltinProfilesNameOnlyExistingChecks) {
  if (bulwark::checks::builtinProfileFiles().empty()) {
    GTEST_SKIP() << "no data/benchmarks/*.yaml embedded";
  }
  const auto profiles = bulwark::checks::builtinProfiles();
  ASSERT_TRUE(profiles.has_value()) << profiles.error().message;
  auto checks = bulwark::checks::loadBuiltinChecks();
  ASSERT_TRUE(checks.has_value()) << checks.error().message;
  const bool docker_checks = std::any_of(checks->checks.begin(), checks->checks.end(),
                                         [](const Check& c) { return c.group == "docker"; });
  if (!docker_checks) GTEST_SKIP() << "data/checks/docker/ has not landed yet";
  std::set<std::string> named;
  for (const auto& profile : *profiles) {
    const auto selected = bulwark::checks::profileChecks(*checks, profile);
    EXPECT_TRUE(selected.has_value()) << profile.name << ": " << selected.error().message;
    for (const auto& control : profile.controls)
      named.insert(control.checks.begin(), control.checks.end());
    const auto again = bulwark::checks::builtinProfile(profile.name);
    EXPECT_TRUE(again.has_value());
  }
  // Every Docker check is in a profile.
  for (const auto& check : checks->checks) {
    if (check.group == "docker") {
      EXPECT_EQ(named.count(check.id), 1U) << check.id;
    }
  }
  const auto cis = bulwark::checks::builtinProfile("cis-docker-1.6");
  ASSERT_TRUE(cis.has_value()) << cis.error().message;
  EXPECT_EQ(cis->controls.size(), 117U);
  EXPECT_FALSE(bulwark::checks::builtinProfile("no-such-benchmark").has_value());
}

}  // namespace
