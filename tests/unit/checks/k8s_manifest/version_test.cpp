// Kubernetes versions as --k8s-version and the server's /version give them
// (docs/dev/k8s-design.md §1.1).
#include "checks/k8s/version.h"

#include <gtest/gtest.h>

namespace bulwark::checks {
namespace {

K8sVersion parsed(std::string_view text) {
  auto version = parseK8sVersion(text);
  EXPECT_TRUE(version.has_value()) << text << ": " << (version ? "" : version.error().message);
  return version ? *version : K8sVersion{};
}

TEST(K8sVersionTest, ParsesMinorVersionsInEveryFormServersUse) {
  EXPECT_EQ(parsed("1.37"), (K8sVersion{1, 37}));
  EXPECT_EQ(parsed("v1.37"), (K8sVersion{1, 37}));
  EXPECT_EQ(parsed("v1.37.2"), (K8sVersion{1, 37}));
  EXPECT_EQ(parsed("v1.30.4-gke.1"), (K8sVersion{1, 30}));
  EXPECT_EQ(parsed("1.30+"), (K8sVersion{1, 30}));
  EXPECT_EQ(parsed("1.0"), (K8sVersion{1, 0}));
}

TEST(K8sVersionTest, LatestIsNewerThanEveryMinor) {
  const K8sVersion latest = parsed("latest");
  EXPECT_TRUE(latest.latest());
  EXPECT_EQ(latest.text(), "latest");
  EXPECT_LT((K8sVersion{1, 999}), latest);
  EXPECT_EQ(parsed("v1.30.4").text(), "1.30");
}

TEST(K8sVersionTest, RejectsJunkAndOtherMajors) {
  for (const std::string_view text :
       {"", "latest2", "1", "v1", "1.", "1.x", "x.30", "1.30x", "v 1.30", "-1.30", "2.0", "0.9"}) {
    const auto version = parseK8sVersion(text);
    ASSERT_FALSE(version.has_value()) << text;
    EXPECT_FALSE(version.error().message.empty());
  }
}

TEST(K8sVersionTest, RangesAreInclusive) {
  const K8sVersionRange range{K8sVersion{1, 27}, K8sVersion{1, 28}};
  EXPECT_FALSE(range.contains({1, 26}));
  EXPECT_TRUE(range.contains({1, 27}));
  EXPECT_TRUE(range.contains({1, 28}));
  EXPECT_FALSE(range.contains({1, 29}));
  EXPECT_FALSE(range.contains(K8sVersion{}));  // latest is above every bound
  const K8sVersionRange since{K8sVersion{1, 19}, std::nullopt};
  EXPECT_TRUE(since.contains(K8sVersion{}));
  EXPECT_EQ(since.text(), "1.19+");
  EXPECT_EQ((K8sVersionRange{std::nullopt, K8sVersion{1, 30}}).text(), "up to 1.30");
  EXPECT_TRUE(K8sVersionRange{}.contains({1, 5}));
}

}  // namespace
}  // namespace bulwark::checks
