#include "catalog/php/composer_cataloger.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "testdata.h"

namespace bulwark::catalog {
namespace {

using NameVersion = std::set<std::pair<std::string, std::string>>;

NameVersion nameVersions(const std::vector<model::Package>& packages, bool development) {
  NameVersion out;
  for (const auto& package : packages) {
    if (package.development == development) out.emplace(package.name, package.version);
  }
  return out;
}

std::string shared(const std::string& relative) {
  return testing::readFile(testing::sharedTestdata() / relative);
}

const model::Package& find(const std::vector<model::Package>& packages, std::string_view name) {
  const auto it = std::find_if(packages.begin(), packages.end(),
                               [&](const auto& package) { return package.name == name; });
  if (it == packages.end()) throw std::runtime_error("missing " + std::string(name));
  return *it;
}

// Trivy's composer.lock.json.golden: guzzlehttp/guzzle 7.4.4 and guzzlehttp/psr7 1.8.3, MIT,
// guzzle DependsOn psr7 (php and ext-json are not packages).
TEST(ComposerLock, TrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/composer/composer.lock");
  core::Diagnostics diagnostics;
  const auto packages =
      parseComposerLock(shared("scan/lang/trivy-integration-repo/composer/composer.lock"),
                        "composer.lock", diagnostics);
  EXPECT_EQ(nameVersions(packages, false),
            (NameVersion{{"guzzlehttp/guzzle", "7.4.4"}, {"guzzlehttp/psr7", "1.8.3"}}));
  EXPECT_TRUE(nameVersions(packages, true).empty());
  const auto& guzzle = find(packages, "guzzlehttp/guzzle");
  EXPECT_EQ(guzzle.type, model::PackageType::Composer);
  EXPECT_EQ(guzzle.licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ(guzzle.depends, std::vector<std::string>{"guzzlehttp/psr7"});
  EXPECT_EQ(guzzle.location.path, "composer.lock");
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(ComposerLock, TrivyHappyWithDevAndStringLicenses) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/php/composer/composer_happy.lock");
  core::Diagnostics diagnostics;
  const auto packages = parseComposerLock(
      shared("scan/lang/trivy/php/composer/composer_happy.lock"), "l", diagnostics);
  EXPECT_EQ(nameVersions(packages, false).size(), 8U);
  EXPECT_EQ(nameVersions(packages, false).count({"symfony/polyfill-intl-idn", "v1.27.0"}), 1U);
  EXPECT_EQ(nameVersions(packages, true),
            (NameVersion{{"pear/log", "1.13.3"}, {"pear/pear_exception", "v1.0.2"}}));
  EXPECT_EQ(find(packages, "symfony/polyfill-php72").licenses,
            std::vector<std::string>{"MIT or BSD-2-Clause"});
  EXPECT_EQ(diagnostics.size(), 0U);
}

// Trivy's composer.vendor.json.golden: the three packages of installed.json (v2).
TEST(ComposerInstalled, TrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/composer-vendor/installed.json");
  core::Diagnostics diagnostics;
  const auto packages = parseComposerInstalled(
      shared("scan/lang/trivy-integration-repo/composer-vendor/installed.json"),
      "vendor/composer/installed.json", diagnostics);
  EXPECT_EQ(nameVersions(packages, false), (NameVersion{{"guzzlehttp/psr7", "1.8.3"},
                                                        {"psr/http-message", "1.1"},
                                                        {"ralouphie/getallheaders", "3.0.3"}}));
  EXPECT_EQ(find(packages, "guzzlehttp/psr7").depends,
            (std::vector<std::string>{"psr/http-message", "ralouphie/getallheaders"}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(ComposerInstalled, SyftV1ArrayAndV2DevNames) {
  BULWARK_REQUIRE_SHARED("scan/lang/syft/php/vendor/composer_1/installed.json");
  core::Diagnostics diagnostics;
  const auto v1 = parseComposerInstalled(
      shared("scan/lang/syft/php/vendor/composer_1/installed.json"), "v1", diagnostics);
  EXPECT_EQ(nameVersions(v1, false),
            (NameVersion{{"asm89/stack-cors", "1.3.0"}, {"behat/mink", "v1.8.1"}}));
  const auto v2 = parseComposerInstalled(
      shared("scan/lang/syft/php/vendor/composer_2/installed.json"), "v2", diagnostics);
  EXPECT_EQ(nameVersions(v2, false), (NameVersion{{"asm89/stack-cors", "1.3.0"}}));
  EXPECT_EQ(nameVersions(v2, true), (NameVersion{{"behat/mink", "v1.8.1"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(Composer, MalformedInputBecomesDiagnostics) {
  core::Diagnostics diagnostics;
  EXPECT_TRUE(parseComposerLock("{\"packages\": [", "a", diagnostics).empty());
  EXPECT_TRUE(parseComposerLock("[]", "b", diagnostics).empty());
  EXPECT_TRUE(parseComposerInstalled("{\"x\": 1}", "c", diagnostics).empty());
  const auto partial = parseComposerLock(
      R"({"packages": [{"name": "a/b"}, {"version": "1"}, {"name": "c/d", "version": "2",
          "license": 7, "require": {"a/b": "*"}}], "packages-dev": 5})",
      "d", diagnostics);
  ASSERT_EQ(partial.size(), 1U);
  EXPECT_EQ(partial[0].name, "c/d");
  EXPECT_TRUE(partial[0].licenses.empty());
  EXPECT_TRUE(partial[0].depends.empty());  // a/b is not in the file
  std::string deep(100000, '[');
  EXPECT_TRUE(parseComposerInstalled(deep, "e", diagnostics).empty());
  const auto items = diagnostics.sorted();
  ASSERT_EQ(items.size(), 7U);
  EXPECT_EQ(items[0].kind, "php.malformed");
}

TEST(ComposerCataloger, Patterns) {
  image::FsView fs;
  auto put = [&](std::string path, std::string content) {
    image::FileEntry entry;
    entry.content = std::move(content);
    fs.put(std::move(path), std::move(entry));
  };
  put("app/composer.lock", R"({"packages": [{"name": "a/b", "version": "1.0"}]})");
  put("app/vendor/composer/installed.json", R"({"packages": [{"name": "c/d", "version": "2"}]})");
  put("app/installed.json", R"({"packages": [{"name": "e/f", "version": "3"}]})");
  const auto cataloger = makeComposerCataloger();
  std::vector<model::Package> packages;
  core::Diagnostics diagnostics;
  cataloger->catalog(fs, model::Distro{}, packages, diagnostics);
  EXPECT_EQ(nameVersions(packages, false), (NameVersion{{"a/b", "1.0"}, {"c/d", "2"}}));
  EXPECT_EQ(find(packages, "c/d").location.path, "app/vendor/composer/installed.json");
}

}  // namespace
}  // namespace bulwark::catalog
