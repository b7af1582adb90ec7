#include "catalog/rust/cargo_cataloger.h"

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

constexpr const char* kRepo = "scan/lang/trivy-integration-repo/cargo/";

// Trivy's cargo.lock.json.golden: the root crate app 0.1.0 and the six crates it reaches through
// [dependencies]; winapi (a dev-dependency) and its two crates are left out, here `development`.
TEST(CargoLock, TrivyIntegrationGolden) {
  BULWARK_REQUIRE_SHARED(std::string(kRepo) + "Cargo.lock");
  core::Diagnostics diagnostics;
  const auto packages = parseCargoLock(shared(std::string(kRepo) + "Cargo.lock"), "Cargo.lock",
                                       diagnostics, shared(std::string(kRepo) + "Cargo.toml"));
  EXPECT_EQ(nameVersions(packages, false), (NameVersion{{"app", "0.1.0"},
                                                        {"memchr", "1.0.2"},
                                                        {"regex", "1.7.3"},
                                                        {"aho-corasick", "0.7.20"},
                                                        {"libc", "0.2.171"},
                                                        {"memchr", "2.7.4"},
                                                        {"regex-syntax", "0.6.29"}}));
  EXPECT_EQ(nameVersions(packages, true), (NameVersion{{"winapi", "0.3.9"},
                                                       {"winapi-i686-pc-windows-gnu", "0.4.0"},
                                                       {"winapi-x86_64-pc-windows-gnu", "0.4.0"}}));
  const auto regex = std::find_if(packages.begin(), packages.end(),
                                  [](const auto& package) { return package.name == "regex"; });
  ASSERT_NE(regex, packages.end());
  EXPECT_EQ(regex->type, model::PackageType::Cargo);
  EXPECT_EQ(regex->depends, (std::vector<std::string>{"aho-corasick", "memchr", "regex-syntax"}));
  EXPECT_TRUE(regex->source_name.empty());
  EXPECT_EQ(regex->location.path, "Cargo.lock");
  EXPECT_EQ(diagnostics.size(), 0U);
  // Without the manifest every locked crate is reported.
  EXPECT_EQ(
      parseCargoLock(shared(std::string(kRepo) + "Cargo.lock"), "Cargo.lock", diagnostics).size(),
      10U);
}

TEST(CargoLock, TrivyParserFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/rust/cargo/cargo_normal.lock");
  core::Diagnostics diagnostics;
  const auto normal =
      parseCargoLock(shared("scan/lang/trivy/rust/cargo/cargo_normal.lock"), "n", diagnostics);
  EXPECT_EQ(normal.size(), 8U);
  EXPECT_EQ(nameVersions(normal, false).count({"libc", "0.2.54"}), 1U);
  const auto v3 =
      parseCargoLock(shared("scan/lang/trivy/rust/cargo/cargo_v3.lock"), "v3", diagnostics);
  EXPECT_EQ(v3.size(), 9U);
  // Multi-line basic strings ("""1.7.2""") are strings too.
  const auto mixed =
      parseCargoLock(shared("scan/lang/trivy/rust/cargo/cargo_mixed.lock"), "m", diagnostics);
  EXPECT_EQ(mixed.size(), 8U);
  EXPECT_EQ(nameVersions(mixed, false).count({"url", "1.7.2"}), 1U);
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_TRUE(
      parseCargoLock(shared("scan/lang/trivy/rust/cargo/cargo_invalid.lock"), "bad", diagnostics)
          .empty());
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "rust.malformed");
}

TEST(CargoLock, SyftFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/syft/rust/Cargo.lock");
  core::Diagnostics diagnostics;
  EXPECT_EQ(parseCargoLock(shared("scan/lang/syft/rust/Cargo.lock"), "a", diagnostics).size(), 14U);
  // 12 [[package]] entries; regex, regex-automata and regex-syntax are locked twice at the same
  // version (git and registry): one package each, as Trivy's name@version identity gives.
  EXPECT_EQ(parseCargoLock(shared("scan/lang/syft/rust/Cargo.lock-with-git-deps"), "b", diagnostics)
                .size(),
            9U);
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(CargoLock, MalformedRecords) {
  core::Diagnostics diagnostics;
  const auto packages = parseCargoLock(
      "[[package]]\nname = \"a\"\n[[package]]\nversion = \"1\"\n[[package]]\nname = \"b\"\n"
      "version = \"2\"\ndependencies = [1, \"\", \"a\"]\n[[package]]\nname = \"b\"\nversion = "
      "\"2\"\n",
      "l", diagnostics);
  ASSERT_EQ(packages.size(), 1U);  // the duplicate b 2 once
  EXPECT_EQ(packages[0].depends, std::vector<std::string>{"a"});
  EXPECT_EQ(diagnostics.size(), 2U);
  EXPECT_TRUE(parseCargoLock("package = 3", "x", diagnostics).empty());
  EXPECT_TRUE(parseCargoLock(std::string(1000, '['), "y", diagnostics).empty());
  EXPECT_EQ(diagnostics.size(), 4U);
}

// toml++ nests (and frees) dotted keys recursively: such lines are refused before parsing.
TEST(CargoLock, DeeplyDottedKeysAreRefused) {
  std::string dotted = "a";
  for (int i = 0; i < 200000; ++i) dotted += ".a";
  core::Diagnostics diagnostics;
  EXPECT_TRUE(parseCargoLock("[" + dotted + "]\n", "h", diagnostics).empty());
  EXPECT_TRUE(parseCargoLock("x = {" + dotted + " = 1}\n", "i", diagnostics).empty());
  EXPECT_TRUE(parseCargoLock(dotted + " = 1\n", "k", diagnostics).empty());
  ASSERT_EQ(diagnostics.size(), 3U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "rust.malformed");
  // Dots inside strings, multi-line strings and comments do not count.
  const std::string many_dots(500, '.');
  const auto packages =
      parseCargoLock("# " + many_dots + "\n[[package]]\nname = \"a\"\nversion = \"" + many_dots +
                         "\"\ndescription = \"\"\"\n" + many_dots + "\n\"\"\"\n",
                     "ok", diagnostics);
  EXPECT_EQ(packages.size(), 1U);
  EXPECT_EQ(diagnostics.size(), 3U);
}

TEST(CargoCataloger, ReadsManifestBesideLock) {
  image::FsView fs;
  auto put = [&](std::string path, std::string content) {
    image::FileEntry entry;
    entry.content = std::move(content);
    fs.put(std::move(path), std::move(entry));
  };
  put("src/app/Cargo.lock",
      "version = 3\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"a\", "
      "\"t\"]\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\n"
      "[[package]]\nname = \"t\"\nversion = \"2.0.0\"\nsource = \"registry+x\"\n");
  put("src/app/Cargo.toml",
      "[package]\nname = \"app\"\n[dependencies]\na = \"1\"\n[dev-dependencies]\nt = \"2\"\n");
  put("Cargo.lock", "[[package]]\nname = \"top\"\nversion = \"0.0.1\"\n");
  std::vector<model::Package> packages;
  core::Diagnostics diagnostics;
  makeCargoCataloger()->catalog(fs, model::Distro{}, packages, diagnostics);
  EXPECT_EQ(nameVersions(packages, false),
            (NameVersion{{"app", "0.1.0"}, {"a", "1.0.0"}, {"top", "0.0.1"}}));
  EXPECT_EQ(nameVersions(packages, true), (NameVersion{{"t", "2.0.0"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

}  // namespace
}  // namespace bulwark::catalog
