// `bulwark sbom` and `bulwark scan` with --include-dev-deps on Trivy's yarn and bun projects
// (project directories, read in place): development packages are left out by default and listed
// with the flag.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "testdata.h"

namespace bulwark::testing {
namespace {

std::string project(const char* name) {
  return "dir:" + (sharedTestdata() / "scan/lang/trivy-integration-repo" / name).string();
}

std::set<std::string> names(const std::string& json) {
  std::set<std::string> out;
  const auto doc = nlohmann::json::parse(json);
  for (const auto& package : doc.at("packages")) {
    out.insert(package.at("name").get<std::string>() + "@" +
               package.at("version").get<std::string>());
  }
  return out;
}

TEST(NpmCli, SbomIncludeDevDeps) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/yarn/package.json");
  const auto plain = runBulwark("sbom " + project("yarn") + " --format json");
  ASSERT_EQ(plain.status, 0) << plain.out;
  // The project itself and its one production dependency; node_modules is not read here.
  EXPECT_EQ(names(plain.out), (std::set<std::string>{"integration@1.0.0", "jquery@3.2.1"}))
      << plain.out;
  const auto all = runBulwark("sbom " + project("yarn") + " --format json --include-dev-deps");
  ASSERT_EQ(all.status, 0) << all.out;
  EXPECT_EQ(names(all.out), (std::set<std::string>{"asap@2.0.6", "integration@1.0.0",
                                                   "jquery@3.2.1", "promise@8.0.3"}));
  const auto bun = runBulwark("sbom " + project("bun") + " --format json --include-dev-deps");
  ASSERT_EQ(bun.status, 0) << bun.out;
  EXPECT_EQ(names(bun.out).size(), 6U);
}

// CycloneDX carries the relationship and the development flag as bulwark properties.
TEST(NpmCli, CycloneDxRelationshipProperties) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/yarn/package.json");
  const auto run = runBulwark("sbom " + project("yarn") + " --format cyclonedx --include-dev-deps");
  ASSERT_EQ(run.status, 0) << run.out;
  const auto doc = nlohmann::json::parse(run.out);
  std::set<std::string> seen;
  for (const auto& component : doc.at("components")) {
    std::string relationship = "-";
    std::string development = "false";
    for (const auto& property : component.value("properties", nlohmann::json::array())) {
      if (property.at("name") == "bulwark:package:relationship")
        relationship = property.at("value");
      if (property.at("name") == "bulwark:package:development") development = property.at("value");
    }
    seen.insert(component.at("name").get<std::string>() + " " + relationship + " " + development);
  }
  EXPECT_EQ(seen, (std::set<std::string>{"asap indirect true", "integration root false",
                                         "jquery direct false", "promise direct true"}));
}

// Without the vuln scanner no database is needed; the flag reaches the inventory the other
// scanners see and the report's package count.
TEST(NpmCli, ScanAcceptsIncludeDevDeps) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/yarn/package.json");
  const auto run =
      runBulwark("scan " + project("yarn") + " --scanners secret --format json --include-dev-deps");
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_NO_THROW({
    const auto parsed = nlohmann::json::parse(run.out);
    EXPECT_TRUE(parsed.is_object());
  }) << run.out;
}

}  // namespace
}  // namespace bulwark::testing
