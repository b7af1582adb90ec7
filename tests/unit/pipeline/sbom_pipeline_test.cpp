// The sbom pipeline's own rules over tests/fixtures/rootfs/lang-mixed: a language package read
// from a file an OS package installed belongs to the OS package, and development-only
// dependencies are left out.
#include "pipeline/sbom.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "testdata.h"

namespace bulwark::pipeline {
namespace {

TEST(SbomPipeline, OneOwnerPerInstalledFileAndNoDevelopmentDependencies) {
  const auto root = bulwark::testing::fixtures() / "rootfs/lang-mixed";
  auto inventory = buildInventory(root.string(), SbomOptions{});
  ASSERT_TRUE(inventory) << inventory.error().message;
  std::set<std::string> got;
  for (const auto& package : inventory->packages) {
    got.insert(std::string(model::toString(package.type)) + " " + package.name + " " +
               package.fullVersion() + " " + package.location.path);
  }
  const std::set<std::string> expected = {
      // PyYAML's METADATA is in python3-yaml's .list: not a second package.
      "deb python3-yaml 6.0-3+b2 var/lib/dpkg/status",
      "python requests 2.31.0 "
      "usr/local/lib/python3.11/dist-packages/requests-2.31.0.dist-info/METADATA",
      // Pipfile.lock's "develop" section (pytest) is development-only.
      "python flask 2.0.0 app/Pipfile.lock",
  };
  EXPECT_EQ(got, expected);
  const auto& yaml = inventory->packages.front();
  ASSERT_EQ(yaml.name, "python3-yaml");
  EXPECT_NE(std::find(yaml.files.begin(), yaml.files.end(),
                      "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"),
            yaml.files.end());
}

// `rootfs:DIR` is an installed system, like an image: its lockfiles are not read (Trivy's
// `rootfs` versus `fs`); a bare directory is a project and they are.
TEST(SbomPipeline, LockfilesOnlyInProjectDirectories) {
  const auto root = bulwark::testing::fixtures() / "rootfs/lang-mixed";
  auto installed = buildInventory("rootfs:" + root.string(), SbomOptions{});
  ASSERT_TRUE(installed) << installed.error().message;
  for (const auto& package : installed->packages) {
    EXPECT_NE(package.location.path, "app/Pipfile.lock") << package.name;
  }
  EXPECT_EQ(installed->packages.size(), 2U);  // python3-yaml and requests
  auto project = buildInventory("dir:" + root.string(), SbomOptions{});
  ASSERT_TRUE(project) << project.error().message;
  EXPECT_EQ(project->packages.size(), 3U);
}

}  // namespace
}  // namespace bulwark::pipeline
