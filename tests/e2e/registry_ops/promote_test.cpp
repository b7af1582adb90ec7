// Quarantine mappings: `quarantine/*` → `release/*` and friends.
#include <gtest/gtest.h>

#include "pipeline/service/promote.h"

namespace bulwark::pipeline::service {
namespace {

TEST(MapQuarantine, OneWildcardIsSubstituted) {
  EXPECT_EQ(mapQuarantine("quarantine/*", "release/*", "quarantine/app"), "release/app");
  EXPECT_EQ(mapQuarantine("quarantine/*", "release/*", "quarantine/team/app"), "release/team/app");
  EXPECT_EQ(mapQuarantine("*-staging", "*", "app-staging"), "app");
  EXPECT_EQ(mapQuarantine("team/*/incoming", "team/*/stable", "team/web/incoming"),
            "team/web/stable");
  EXPECT_EQ(mapQuarantine("q/*", "prod/*-ok", "q/app"), "prod/app-ok");
  // Without '*' in `to`, everything goes to one repository.
  EXPECT_EQ(mapQuarantine("quarantine/*", "release/all", "quarantine/x"), "release/all");
  // Without '*' at all: an exact match.
  EXPECT_EQ(mapQuarantine("incoming", "stable", "incoming"), "stable");
}

TEST(MapQuarantine, NoMatch) {
  EXPECT_EQ(mapQuarantine("quarantine/*", "release/*", "release/app"), std::nullopt);
  EXPECT_EQ(mapQuarantine("quarantine/*", "release/*", "quarantine/"), std::nullopt);  // '*' ≥ 1
  EXPECT_EQ(mapQuarantine("quarantine/*", "release/*", "quarantine"), std::nullopt);
  EXPECT_EQ(mapQuarantine("quarantine/*", "release/*", "xquarantine/app"), std::nullopt);
  EXPECT_EQ(mapQuarantine("incoming", "stable", "incoming2"), std::nullopt);
  EXPECT_EQ(mapQuarantine("*-staging", "*", "app-stagingx"), std::nullopt);
  // Prefix and suffix may not overlap.
  EXPECT_EQ(mapQuarantine("ab*ba", "x/*", "aba"), std::nullopt);
  EXPECT_EQ(mapQuarantine("ab*ba", "x/*", "abxba"), "x/x");
}

TEST(MapQuarantine, MalformedPatternsAndResults) {
  EXPECT_EQ(mapQuarantine("q/*/*", "r/*", "q/a/b"), std::nullopt);        // two '*' in from
  EXPECT_EQ(mapQuarantine("q/*", "r/*/*", "q/a"), std::nullopt);          // two '*' in to
  EXPECT_EQ(mapQuarantine("incoming", "r/*", "incoming"), std::nullopt);  // '*' only in to
  EXPECT_EQ(mapQuarantine("", "r", ""), std::nullopt);
  EXPECT_EQ(mapQuarantine("q/*", "", "q/a"), std::nullopt);
  // The result must be a valid repository name, and not the repository itself.
  EXPECT_EQ(mapQuarantine("q/*", "Release/*", "q/a"), std::nullopt);
  EXPECT_EQ(mapQuarantine("*", "*", "app"), std::nullopt);
  EXPECT_EQ(mapQuarantine("q*", "r*", "q/../../x"), std::nullopt);
}

}  // namespace
}  // namespace bulwark::pipeline::service
