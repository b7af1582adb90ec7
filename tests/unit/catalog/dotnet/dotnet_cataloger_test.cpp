#include "catalog/dotnet/dotnet_cataloger.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "testdata.h"

namespace bulwark::catalog {
namespace {

using NameVersion = std::set<std::pair<std::string, std::string>>;

NameVersion nameVersions(const std::vector<model::Package>& packages) {
  NameVersion out;
  for (const auto& package : packages) out.emplace(package.name, package.version);
  return out;
}

std::string shared(const std::string& relative) {
  return testing::readFile(testing::sharedTestdata() / relative);
}

// Trivy's dotnet.json.golden: the project itself and Newtonsoft.Json 9.0.1 (no "targets").
TEST(DotnetDeps, TrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/dotnet/datacollector.deps.json");
  core::Diagnostics diagnostics;
  const auto packages =
      parseDotnetDeps(shared("scan/lang/trivy-integration-repo/dotnet/datacollector.deps.json"),
                      "datacollector.deps.json", diagnostics);
  EXPECT_EQ(
      nameVersions(packages),
      (NameVersion{{"Microsoft.VisualStudio.TestPlatform.Common", "17.2.0-release-20220408-11"},
                   {"Newtonsoft.Json", "9.0.1"}}));
  for (const auto& package : packages) {
    EXPECT_EQ(package.type, model::PackageType::NuGet);
    EXPECT_EQ(package.location.path, "datacollector.deps.json");
    EXPECT_FALSE(package.development);
  }
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(DotnetDeps, TrivyParserFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/dotnet/core_deps/happy.deps.json");
  const std::string dir = "scan/lang/trivy/dotnet/core_deps/";
  core::Diagnostics diagnostics;
  EXPECT_EQ(nameVersions(parseDotnetDeps(shared(dir + "happy.deps.json"), "h", diagnostics)),
            (NameVersion{{"ExampleApp1", "1.0.0"}, {"Newtonsoft.Json", "13.0.1"}}));
  // Runtime target present: libraries without runtime/runtimeTargets/native assets are left out.
  EXPECT_EQ(
      nameVersions(parseDotnetDeps(shared(dir + "without-runtime.deps.json"), "w", diagnostics)),
      (NameVersion{{"hello2", "1.0.0"}, {"JsonDiffPatch", "2.0.61"}, {"Libuv", "1.9.1"}}));
  // The runtime target is not among "targets": every library counts.
  EXPECT_EQ(
      nameVersions(parseDotnetDeps(shared(dir + "missing-target.deps.json"), "m", diagnostics)),
      (NameVersion{{"ExampleApp1", "1.0.0"}, {"Newtonsoft.Json", "13.0.1"}}));
  EXPECT_EQ(parseDotnetDeps(shared(dir + "multi-project.deps.json"), "mp", diagnostics).size(), 4U);
  // "runtimepack" libraries are the runtime itself, not NuGet packages.
  EXPECT_EQ(
      nameVersions(parseDotnetDeps(shared(dir + "self-contained.deps.json"), "s", diagnostics)),
      (NameVersion{{"ExampleApp1", "1.0.0"}, {"Newtonsoft.Json", "13.0.1"}}));
  EXPECT_TRUE(parseDotnetDeps(shared(dir + "no-libraries.deps.json"), "n", diagnostics).empty());
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_TRUE(parseDotnetDeps(shared(dir + "invalid.deps.json"), "bad", diagnostics).empty());
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "dotnet.malformed");
}

TEST(DotnetDeps, SyftFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/syft/dotnet/dir-example-1/TestLibrary.deps.json");
  core::Diagnostics diagnostics;
  const auto packages = parseDotnetDeps(
      shared("scan/lang/syft/dotnet/dir-example-1/TestLibrary.deps.json"), "t", diagnostics);
  EXPECT_EQ(packages.size(), 12U);
  EXPECT_EQ(nameVersions(packages).count({"AWSSDK.Core", "3.7.10.6"}), 1U);
  EXPECT_EQ(
      parseDotnetDeps(shared("scan/lang/syft/dotnet/deps-with-referenceassembly/MyApp.deps.json"),
                      "r", diagnostics)
          .size(),
      2U);
  EXPECT_EQ(diagnostics.size(), 0U);
}

// Trivy's nuget.json.golden: Newtonsoft.Json 12.0.3 and NuGet.Frameworks 5.7.0.
TEST(NugetLock, TrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/nuget/packages.lock.json");
  core::Diagnostics diagnostics;
  const auto packages =
      parseNugetLock(shared("scan/lang/trivy-integration-repo/nuget/packages.lock.json"),
                     "packages.lock.json", diagnostics);
  EXPECT_EQ(nameVersions(packages),
            (NameVersion{{"Newtonsoft.Json", "12.0.3"}, {"NuGet.Frameworks", "5.7.0"}}));
  const auto frameworks = std::find_if(packages.begin(), packages.end(),
                                       [](const auto& p) { return p.name == "NuGet.Frameworks"; });
  ASSERT_NE(frameworks, packages.end());
  EXPECT_EQ(frameworks->depends, std::vector<std::string>{"Newtonsoft.Json"});
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(NugetLock, TrivyParserFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nuget/lock/packages_lock_multi.json");
  const std::string dir = "scan/lang/trivy/nuget/lock/";
  core::Diagnostics diagnostics;
  // Five target frameworks, 40 distinct (name, version) pairs.
  const auto multi = parseNugetLock(shared(dir + "packages_lock_multi.json"), "m", diagnostics);
  EXPECT_EQ(multi.size(), 40U);
  EXPECT_EQ(nameVersions(multi).count({"AWSSDK.Core", "3.5.1.30"}), 1U);
  EXPECT_EQ(
      parseNugetLock(shared(dir + "packages_lock_subdependencies.json"), "s", diagnostics).size(),
      8U);
  // The "Project" entry is the solution's own project.
  EXPECT_EQ(
      nameVersions(parseNugetLock(shared(dir + "packages_lock_legacy.json"), "l", diagnostics)),
      (NameVersion{{"AWSSDK.Core", "3.5.1.30"}, {"Newtonsoft.Json", "12.0.3"}}));
  EXPECT_EQ(
      parseNugetLock(shared("scan/lang/syft/dotnet/packages.lock.json"), "y", diagnostics).size(),
      9U);
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(Dotnet, MalformedInputBecomesDiagnostics) {
  core::Diagnostics diagnostics;
  EXPECT_TRUE(parseNugetLock("[1]", "a", diagnostics).empty());
  EXPECT_TRUE(
      parseNugetLock("{\"dependencies\": {\"net5\": 3, \"net6\": {\"X\": {}}}}", "b", diagnostics)
          .empty());
  EXPECT_TRUE(parseDotnetDeps("{\"libraries\": {\"NoVersion\": {\"type\": \"package\"}, \"a/b/c\": "
                              "{\"type\": \"package\"}, \"x/1\": {\"type\": \"reference\"}}}",
                              "c", diagnostics)
                  .empty());
  EXPECT_TRUE(parseDotnetDeps(std::string(5000, '{'), "d", diagnostics).empty());
  EXPECT_EQ(diagnostics.size(), 6U);
}

TEST(DotnetCataloger, Patterns) {
  image::FsView fs;
  auto put = [&](std::string path, std::string content) {
    image::FileEntry entry;
    entry.content = std::move(content);
    fs.put(std::move(path), std::move(entry));
  };
  put("app/App.deps.json", R"({"libraries": {"A/1.0": {"type": "package"}}})");
  put("app/App.runtimeconfig.json", R"({"libraries": {"B/1.0": {"type": "package"}}})");
  put("src/packages.lock.json",
      R"({"version": 1, "dependencies": {"net8.0": {"C": {"type": "Direct", "resolved": "2"}}}})");
  std::vector<model::Package> packages;
  core::Diagnostics diagnostics;
  makeDotnetCataloger()->catalog(fs, model::Distro{}, packages, diagnostics);
  EXPECT_EQ(nameVersions(packages), (NameVersion{{"A", "1.0"}, {"C", "2"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

}  // namespace
}  // namespace bulwark::catalog
