// The Pod Security Standards profiles (data/benchmarks/pss-*.yaml) and the BW-K8S checks they
// select: both load, every control names an existing check, the levels nest, each PSS check is
// in its level's profile, and a Kubernetes version picks the controls of that version.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "pss_run.h"

namespace bulwark::checks {
namespace {

using pss_testing::builtinSet;

constexpr std::string_view kBaselineSection = "Pod Security Standards (baseline)";
constexpr std::string_view kRestrictedSection = "Pod Security Standards (restricted)";

Profile loaded(std::string_view name) {
  auto profile = builtinProfile(name);
  EXPECT_TRUE(profile.has_value()) << name << ": " << profile.error().message;
  return profile ? std::move(*profile) : Profile{};
}

std::set<std::string> idsOf(const CheckSet& set) {
  std::set<std::string> out;
  for (const auto& check : set.checks) out.insert(check.id);
  return out;
}

std::set<std::string> checksInSection(std::string_view section) {
  std::set<std::string> out;
  for (const auto& check : builtinSet().checks) {
    if (check.section == section) out.insert(check.id);
  }
  return out;
}

TEST(PssProfiles, LoadAsVersionedKubernetesProfiles) {
  for (const auto* name : {"pss-baseline", "pss-restricted"}) {
    const Profile profile = loaded(name);
    EXPECT_TRUE(profile.versioned) << name;
    EXPECT_EQ(profile.targets, std::vector<std::string>{"kubernetes"}) << name;
    std::set<std::string> ids;
    for (const auto& control : profile.controls) {
      EXPECT_TRUE(ids.insert(control.id).second) << name << " lists " << control.id << " twice";
      // One PSA check, one of ours: the fixture test maps file names through this.
      EXPECT_EQ(control.checks.size(), 1U) << name << " " << control.id;
      EXPECT_TRUE(control.automated) << name << " " << control.id;
    }
    const auto selected = profileChecks(builtinSet(), profile);
    ASSERT_TRUE(selected.has_value()) << name << ": " << selected.error().message;
  }
}

TEST(PssProfiles, EachLevelSelectsItsSectionAtLatest) {
  const auto baseline = profileChecks(builtinSet(), loaded("pss-baseline"));
  const auto restricted = profileChecks(builtinSet(), loaded("pss-restricted"));
  ASSERT_TRUE(baseline.has_value() && restricted.has_value());
  const auto baseline_checks = checksInSection(kBaselineSection);
  auto restricted_checks = checksInSection(kRestrictedSection);
  EXPECT_EQ(baseline_checks.size(), 12U);
  EXPECT_EQ(restricted_checks.size(), 7U);
  EXPECT_EQ(idsOf(*baseline), baseline_checks);
  restricted_checks.insert(baseline_checks.begin(), baseline_checks.end());
  EXPECT_EQ(idsOf(*restricted), restricted_checks);
  // Every PSS check (BW-K8S-1xx) is in a section of its level.
  for (const auto& check : builtinSet().checks) {
    if (check.id.starts_with("BW-K8S-1")) {
      EXPECT_EQ(restricted_checks.count(check.id), 1U) << check.id << " is in no PSS profile";
      EXPECT_NE(check.appliesTo(ResourceKind::K8sWorkload), nullptr) << check.id;
    }
  }
}

// restricted = baseline + 7: the baseline controls appear unchanged (same check, same range).
TEST(PssProfiles, RestrictedIncludesBaseline) {
  const Profile baseline = loaded("pss-baseline");
  const Profile restricted = loaded("pss-restricted");
  EXPECT_EQ(baseline.controls.size(), 12U);
  EXPECT_EQ(restricted.controls.size(), 19U);
  for (const auto& control : baseline.controls) {
    const Control* same = restricted.find(control.id);
    ASSERT_NE(same, nullptr) << control.id;
    EXPECT_EQ(same->checks, control.checks) << control.id;
    EXPECT_EQ(same->versions.text(), control.versions.text()) << control.id;
  }
}

// The controls a version leaves out of pss-restricted (the PSA checks' first versions).
TEST(PssProfiles, VersionSelectsControls) {
  const Profile restricted = loaded("pss-restricted");
  const auto all = idsOf(*profileChecks(builtinSet(), restricted));
  const std::map<std::string, std::set<std::string>> absent = {
      {"1.7", {"BW-K8S-112", "BW-K8S-122", "BW-K8S-124", "BW-K8S-125", "BW-K8S-126", "BW-K8S-127"}},
      {"1.8", {"BW-K8S-112", "BW-K8S-124", "BW-K8S-125", "BW-K8S-126", "BW-K8S-127"}},
      {"1.19", {"BW-K8S-112", "BW-K8S-124", "BW-K8S-126", "BW-K8S-127"}},
      {"1.22", {"BW-K8S-112", "BW-K8S-124", "BW-K8S-127"}},
      {"1.23", {"BW-K8S-112", "BW-K8S-127"}},
      {"1.33", {"BW-K8S-112", "BW-K8S-127"}},
      {"1.34", {"BW-K8S-127"}},
      {"1.35", {}},
      {"1.37", {}},
      {"latest", {}},
  };
  for (const auto& [text, missing] : absent) {
    const auto selected = profileChecks(builtinSet(), restricted, pss_testing::version(text));
    ASSERT_TRUE(selected.has_value()) << text;
    std::set<std::string> expected;
    for (const auto& id : all) {
      if (missing.count(id) == 0) expected.insert(id);
    }
    EXPECT_EQ(idsOf(*selected), expected) << "pss-restricted at " << text;
  }
}

// Results name the control with the rule version: "pss-restricted@1.30:runAsNonRoot".
TEST(PssProfiles, AnnotatesWithVersionedControl) {
  std::vector<model::CheckResult> results(1);
  results[0].check_id = "BW-K8S-123";
  results[0].status = model::CheckStatus::Fail;
  annotate(results, loaded("pss-restricted"), pss_testing::version("1.30"));
  EXPECT_EQ(results[0].controls, std::vector<std::string>{"pss-restricted@1.30:runAsNonRoot"});
  EXPECT_EQ(results[0].status, model::CheckStatus::Fail);
}

}  // namespace
}  // namespace bulwark::checks
