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

std::set<std::string> packagesOf(const std::string& target) {
  auto inventory = buildInventory(target, SbomOptions{});
  EXPECT_TRUE(inventory) << inventory.error().message;
  std::set<std::string> out;
  if (!inventory) return out;
  for (const auto& package : inventory->packages) {
    out.insert(std::string(model::toString(package.type)) + " " + package.name + " " +
               package.fullVersion() + " " + package.location.path);
  }
  return out;
}

const std::string kYaml = "deb python3-yaml 6.0-3+b2 var/lib/dpkg/status";

// An installed system (the fixture has etc/os-release): installed metadata is read, lockfiles
// are not; PyYAML's METADATA is in python3-yaml's .list, so it is not a second package.
TEST(SbomPipeline, InstalledSystemOneOwnerPerInstalledFile) {
  const auto root = bulwark::testing::fixtures() / "rootfs/lang-mixed";
  const std::set<std::string> expected = {
      kYaml,
      "python requests 2.31.0 "
      "usr/local/lib/python3.11/dist-packages/requests-2.31.0.dist-info/METADATA",
  };
  EXPECT_EQ(packagesOf(root.string()), expected);
  EXPECT_EQ(packagesOf("rootfs:" + root.string()), expected);

  auto inventory = buildInventory(root.string(), SbomOptions{});
  ASSERT_TRUE(inventory);
  const auto& yaml = inventory->packages.front();
  ASSERT_EQ(yaml.name, "python3-yaml");
  EXPECT_NE(std::find(yaml.files.begin(), yaml.files.end(),
                      "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"),
            yaml.files.end());
}

// A project directory (`dir:`, or a directory without an OS): lockfiles are read, installed
// metadata is not (Trivy's `fs` versus `rootfs`), and Pipfile.lock's "develop" section is
// development-only.
TEST(SbomPipeline, ProjectDirectoryReadsLockfilesWithoutDevelopmentDependencies) {
  const auto root = bulwark::testing::fixtures() / "rootfs/lang-mixed";
  const std::set<std::string> expected = {kYaml, "python flask 2.0.0 app/Pipfile.lock"};
  EXPECT_EQ(packagesOf("dir:" + root.string()), expected);
  EXPECT_EQ(packagesOf((root / "app").string()),
            (std::set<std::string>{"python flask 2.0.0 Pipfile.lock"}));
}

}  // namespace
}  // namespace bulwark::pipeline
