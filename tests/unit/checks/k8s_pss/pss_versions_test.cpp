// Our own Pod Security Standards fixtures (tests/fixtures/k8s/pss/, README there) pin the rule
// changes between Kubernetes versions that the shared PSA fixtures (one version only) cannot:
// each row runs a level's profile at one version and asserts one check's status.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "pss_run.h"
#include "testdata.h"

namespace bulwark::checks {
namespace {

using model::CheckStatus;
using pss_testing::describe;

struct Pin {
  std::string_view file;
  std::string_view profile;
  std::string_view version;
  std::string_view check;
  std::optional<CheckStatus> status;  // nullopt: the version's profile has no such control
};

const std::vector<Pin> kPins = {
    {"sysctl-tcp-rmem.yaml", "pss-baseline", "1.31", "BW-K8S-111", CheckStatus::Fail},
    {"sysctl-tcp-rmem.yaml", "pss-baseline", "1.32", "BW-K8S-111", CheckStatus::Pass},
    {"selinux-container-engine-t.yaml", "pss-baseline", "1.30", "BW-K8S-108", CheckStatus::Fail},
    {"selinux-container-engine-t.yaml", "pss-baseline", "1.31", "BW-K8S-108", CheckStatus::Pass},
    {"host-probe-bad-host.yaml", "pss-baseline", "1.33", "BW-K8S-112", std::nullopt},
    {"host-probe-bad-host.yaml", "pss-baseline", "1.34", "BW-K8S-112", CheckStatus::Fail},
    {"seccomp-annotation-unconfined.yaml", "pss-baseline", "1.18", "BW-K8S-110", CheckStatus::Fail},
    {"seccomp-annotation-unconfined.yaml", "pss-baseline", "1.19", "BW-K8S-110", CheckStatus::Pass},
    {"seccomp-field-unconfined.yaml", "pss-baseline", "1.18", "BW-K8S-110", CheckStatus::Pass},
    {"seccomp-field-unconfined.yaml", "pss-baseline", "1.19", "BW-K8S-110", CheckStatus::Fail},
    {"windows-no-privilege-escalation.yaml", "pss-restricted", "1.24", "BW-K8S-122",
     CheckStatus::Fail},
    {"windows-no-privilege-escalation.yaml", "pss-restricted", "1.25", "BW-K8S-122",
     CheckStatus::NotApplicable},
    {"windows-no-privilege-escalation.yaml", "pss-restricted", "1.25", "BW-K8S-125",
     CheckStatus::NotApplicable},
    {"windows-no-privilege-escalation.yaml", "pss-restricted", "1.25", "BW-K8S-126",
     CheckStatus::NotApplicable},
    {"procmount-unmasked-userns.yaml", "pss-baseline", "1.34", "BW-K8S-109", CheckStatus::Fail},
    {"procmount-unmasked-userns.yaml", "pss-baseline", "1.35", "BW-K8S-109", CheckStatus::Pass},
    {"procmount-unmasked-userns.yaml", "pss-restricted", "1.35", "BW-K8S-127", CheckStatus::Fail},
    {"ephemeral-privileged.yaml", "pss-baseline", "latest", "BW-K8S-103", CheckStatus::Fail},
};

std::string label(const Pin& pin) {
  return fmt::format("{} ({} at {}) {}", pin.file, pin.profile, pin.version, pin.check);
}

TEST(PssVersions, EachPinHolds) {
  const auto dir = bulwark::testing::fixtures() / "k8s" / "pss";
  for (const auto& pin : kPins) {
    const std::string text = bulwark::testing::readFile(dir / pin.file);
    ASSERT_FALSE(text.empty()) << dir / pin.file << " is missing";
    auto profile = builtinProfile(pin.profile);
    ASSERT_TRUE(profile.has_value()) << profile.error().message;
    const auto run =
        pss_testing::runPss(text, pin.file, *profile, pss_testing::version(pin.version));
    ASSERT_EQ(run.workloads, 1U) << label(pin);
    for (const auto& r : run.results) {
      EXPECT_NE(r.status, CheckStatus::NotEvaluated) << label(pin) << "\n" << describe(run.results);
    }
    const auto* result = pss_testing::resultFor(run.results, pin.check);
    if (!pin.status) {
      EXPECT_EQ(result, nullptr) << label(pin) << ": the control should not exist\n"
                                 << describe(run.results);
      continue;
    }
    ASSERT_NE(result, nullptr) << label(pin) << ": no result\n" << describe(run.results);
    EXPECT_EQ(result->status, *pin.status) << label(pin) << "\n" << describe(run.results);
  }
}

// Below 1.34 the bad probe host is no rule at all: the pod meets baseline.
TEST(PssVersions, PodMeetsBaselineBeforeTheHostProbeRule) {
  const auto text = bulwark::testing::readFile(bulwark::testing::fixtures() / "k8s" / "pss" /
                                               "host-probe-bad-host.yaml");
  auto profile = builtinProfile("pss-baseline");
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  const auto run =
      pss_testing::runPss(text, "host-probe-bad-host.yaml", *profile, pss_testing::version("1.33"));
  ASSERT_FALSE(run.results.empty());
  for (const auto& r : run.results) {
    EXPECT_TRUE(r.status == CheckStatus::Pass || r.status == CheckStatus::NotApplicable)
        << describe(run.results);
  }
}

// The evidence names the ephemeral container, so a reader finds which one is privileged.
TEST(PssVersions, EphemeralContainerNamedInEvidence) {
  const auto text = bulwark::testing::readFile(bulwark::testing::fixtures() / "k8s" / "pss" /
                                               "ephemeral-privileged.yaml");
  auto profile = builtinProfile("pss-baseline");
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  const auto run = pss_testing::runPss(text, "ephemeral-privileged.yaml", *profile, K8sVersion{});
  const auto* result = pss_testing::resultFor(run.results, "BW-K8S-103");
  ASSERT_NE(result, nullptr);
  ASSERT_EQ(result->status, CheckStatus::Fail) << describe(run.results);
  ASSERT_EQ(result->evidence.size(), 1U) << describe(run.results);
  EXPECT_NE(result->evidence[0].where.find("ephemeralContainers[name=debugger]"), std::string::npos)
      << result->evidence[0].where;
}

}  // namespace
}  // namespace bulwark::checks
