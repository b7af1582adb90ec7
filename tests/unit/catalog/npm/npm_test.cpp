// JavaScript catalogers (src/catalog/npm): node_modules manifests, package-lock.json, yarn.lock
// and pnpm-lock.yaml over Trivy's and Syft's fixtures, Trivy's integration goldens, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "catalog/npm/npm_cataloger.h"
#include "testdata.h"

namespace bulwark::catalog {
namespace {

using NameVersions = std::set<std::pair<std::string, std::string>>;
using Parser = std::vector<model::Package> (*)(std::string_view, std::string_view,
                                               core::Diagnostics&);

std::filesystem::path lang(const std::string& relative) {
  return bulwark::testing::sharedTestdata() / "scan/lang" / relative;
}

std::vector<model::Package> parseShared(Parser parse, const std::string& relative,
                                        core::Diagnostics& diagnostics) {
  return parse(bulwark::testing::readFile(lang(relative)), relative, diagnostics);
}

const model::Package* find(const std::vector<model::Package>& packages, std::string_view name,
                           std::string_view version) {
  const auto it = std::find_if(packages.begin(), packages.end(), [&](const auto& package) {
    return package.name == name && package.version == version;
  });
  return it == packages.end() ? nullptr : &*it;
}

NameVersions reported(const std::vector<model::Package>& packages) {
  NameVersions out;
  for (const auto& package : packages) {
    if (!package.development) out.emplace(package.name, package.version);
  }
  return out;
}

// (Name, Version) of every package Trivy reported in an integration golden.
NameVersions golden(const std::string& name) {
  const auto path = bulwark::testing::sharedTestdata() / "scan/expected/trivy-integration" /
                    (name + ".json.golden");
  const auto root = nlohmann::json::parse(bulwark::testing::readFile(path));
  NameVersions out;
  for (const auto& result : root.at("Results")) {
    for (const auto& package : result.value("Packages", nlohmann::json::array())) {
      out.emplace(package.at("Name").get<std::string>(), package.at("Version").get<std::string>());
    }
  }
  return out;
}

// --- Trivy's integration goldens ---------------------------------------------------------

TEST(NpmGolden, PackageLockMatchesTrivy) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/npm/package-lock.json");
  core::Diagnostics diagnostics;
  const auto packages =
      parseShared(parsePackageLock, "trivy-integration-repo/npm/package-lock.json", diagnostics);
  EXPECT_EQ(reported(packages), golden("npm"));
  // z-lock is "dev": true; Trivy leaves it out, bulwark keeps it marked as development.
  const auto* z_lock = find(packages, "z-lock", "1.0.0");
  ASSERT_NE(z_lock, nullptr);
  EXPECT_TRUE(z_lock->development);
  EXPECT_EQ(packages.size(), 13U);
  EXPECT_EQ(diagnostics.size(), 0U);
  const auto* react = find(packages, "react", "16.8.6");
  ASSERT_NE(react, nullptr);
  EXPECT_EQ(react->depends,
            (std::vector<std::string>{"loose-envify", "object-assign", "prop-types", "scheduler"}));
  EXPECT_EQ(react->type, model::PackageType::Npm);
  EXPECT_EQ(react->location.path, "trivy-integration-repo/npm/package-lock.json");
}

TEST(NpmGolden, PnpmLockMatchesTrivy) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/pnpm/pnpm-lock.yaml");
  core::Diagnostics diagnostics;
  const auto packages =
      parseShared(parsePnpmLock, "trivy-integration-repo/pnpm/pnpm-lock.yaml", diagnostics);
  EXPECT_EQ(reported(packages), golden("pnpm"));
  EXPECT_EQ(packages.size(), 2U);
  EXPECT_EQ(diagnostics.size(), 0U);
}

// Documented difference: Trivy reads package.json beside yarn.lock, adds the project itself
// ("integration 1.0.0", Relationship root) and marks promise (a devDependency) and asap (only
// promise needs it) as development. yarn.lock alone says neither, so bulwark reports all three
// locked packages and not the project.
TEST(NpmGolden, YarnLockDiffersFromTrivyOnlyByPackageJsonKnowledge) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/yarn/yarn.lock");
  core::Diagnostics diagnostics;
  const auto packages =
      parseShared(parseYarnLock, "trivy-integration-repo/yarn/yarn.lock", diagnostics);
  NameVersions expected = golden("yarn");
  ASSERT_EQ(expected.erase({"integration", "1.0.0"}), 1U);
  expected.emplace("promise", "8.0.3");
  expected.emplace("asap", "2.0.6");
  EXPECT_EQ(reported(packages), expected);
  EXPECT_EQ(diagnostics.size(), 0U);
  const auto* promise = find(packages, "promise", "8.0.3");
  ASSERT_NE(promise, nullptr);
  EXPECT_EQ(promise->depends, std::vector<std::string>{"asap"});
}

// --- installed packages -------------------------------------------------------------------

TEST(NpmPackageJson, LicenseShapes) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/packagejson");
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"package.json", {"MIT"}},
      {"legacy_package.json", {"ISC"}},  // {"type": "ISC", "url": ...}
      {"legacy_array_package.json", {"Public Domain", "MIT"}},
      {"mixed_array_license_package.json", {"MIT"}},  // {"type": ""} is dropped
      {"empty_array_license_package.json", {}},
      {"null_license_package.json", {}},
      {"invalid_license_package.json", {}},         // 42
      {"unknown_license_object_package.json", {}},  // {"foo": "bar"}
  };
  for (const auto& [file, licenses] : cases) {
    core::Diagnostics diagnostics;
    const auto packages =
        parseShared(parseNpmPackageJson, "trivy/nodejs/packagejson/" + file, diagnostics);
    ASSERT_EQ(packages.size(), 1U) << file;
    EXPECT_EQ(packages[0].licenses, licenses) << file;
    EXPECT_EQ(diagnostics.size(), 0U) << file;
  }
  core::Diagnostics diagnostics;
  const auto bootstrap =
      parseShared(parseNpmPackageJson, "trivy/nodejs/packagejson/package.json", diagnostics);
  ASSERT_EQ(bootstrap.size(), 1U);
  EXPECT_EQ(bootstrap[0].name, "bootstrap");
  EXPECT_EQ(bootstrap[0].version, "5.0.2");
  // dependencies and optionalDependencies; not devDependencies or peerDependencies.
  EXPECT_EQ(bootstrap[0].depends, (std::vector<std::string>{"colors", "js-tokens"}));
}

TEST(NpmPackageJson, SyftLegacyLicensesArray) {
  BULWARK_REQUIRE_SHARED("scan/lang/syft/javascript/pkg-json");
  core::Diagnostics diagnostics;
  auto packages = parseShared(parseNpmPackageJson,
                              "syft/javascript/pkg-json/package-license-objects.json", diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].licenses, (std::vector<std::string>{"MIT", "Apache-2.0"}));
  packages = parseShared(parseNpmPackageJson,
                         "syft/javascript/pkg-json/package-malformed-license.json", diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].licenses, std::vector<std::string>{"MIT"});  // "licenses": ["MIT"]
}

TEST(NpmPackageJson, SkipsWhatIsNotAPublishedPackage) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/packagejson");
  for (const char* file :
       {"without_name_and_version_package.json", "without_version_package.json"}) {
    core::Diagnostics diagnostics;
    EXPECT_TRUE(parseShared(parseNpmPackageJson, std::string("trivy/nodejs/packagejson/") + file,
                            diagnostics)
                    .empty())
        << file;
    EXPECT_EQ(diagnostics.size(), 0U) << file;
  }
  core::Diagnostics diagnostics;
  EXPECT_TRUE(
      parseShared(parseNpmPackageJson, "trivy/nodejs/packagejson/invalid_name.json", diagnostics)
          .empty());
  EXPECT_TRUE(
      parseShared(parseNpmPackageJson, "trivy/nodejs/packagejson/invalid_package.json", diagnostics)
          .empty());
  const auto found = diagnostics.sorted();
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0].kind, "npm.malformed");  // {"name" "bootstrap"}
  EXPECT_EQ(found[1].kind, "npm.malformed-record");
}

image::FileEntry file(std::string content) {
  image::FileEntry entry;
  entry.content = std::move(content);
  entry.layer_digest = "sha256:layer";
  return entry;
}

TEST(NpmInstalledCataloger, ReadsOwnManifestsOnly) {
  image::FsView fs;
  fs.put("app/node_modules/lodash/package.json",
         file(R"({"name":"lodash","version":"4.17.21","license":"MIT"})"));
  fs.put("app/node_modules/@babel/core/package.json",
         file(R"({"name":"@babel/core","version":"7.24.0"})"));
  fs.put("app/node_modules/a/node_modules/b/package.json",
         file(R"({"name":"b","version":"1.0.0"})"));
  fs.put("app/node_modules/.cache/package.json", file(R"({"name":"cache","version":"1.0.0"})"));
  fs.put("app/node_modules/@babel/package.json", file(R"({"name":"scope","version":"1.0.0"})"));
  fs.put("app/package.json", file(R"({"name":"app","version":"1.0.0"})"));
  const auto cataloger = makeNpmInstalledCataloger();
  core::Diagnostics diagnostics;
  std::vector<model::Package> packages;
  EXPECT_TRUE(cataloger->patterns().empty());  // installed systems only:
  EXPECT_EQ(cataloger->installedPatterns().size(), 2U);
  for (const auto& pattern : cataloger->installedPatterns()) {
    EXPECT_TRUE(pattern.find("node_modules") != std::string_view::npos) << pattern;
  }
  cataloger->catalog(fs, {}, packages, diagnostics);
  std::set<std::string> names;
  for (const auto& package : packages) names.insert(package.name + "@" + package.version);
  EXPECT_EQ(names, (std::set<std::string>{"lodash@4.17.21", "@babel/core@7.24.0", "b@1.0.0"}));
  const auto* lodash = find(packages, "lodash", "4.17.21");
  ASSERT_NE(lodash, nullptr);
  EXPECT_EQ(lodash->location.path, "app/node_modules/lodash/package.json");
  EXPECT_EQ(lodash->location.layer_digest, "sha256:layer");
  EXPECT_EQ(lodash->licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(NpmInstalledCataloger, TrivyIntegrationNodeModules) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/npm/node_modules");
  image::FsView fs;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(lang("trivy-integration-repo/npm"))) {
    if (!entry.is_regular_file()) continue;
    const auto relative =
        std::filesystem::relative(entry.path(), lang("trivy-integration-repo")).generic_string();
    fs.put(relative, file(bulwark::testing::readFile(entry.path())));
  }
  core::Diagnostics diagnostics;
  std::vector<model::Package> packages;
  makeNpmInstalledCataloger()->catalog(fs, {}, packages, diagnostics);
  EXPECT_EQ(packages.size(), 6U);  // jquery promise react react-is redux z-lock
  const auto* jquery = find(packages, "jquery", "3.3.9");
  ASSERT_NE(jquery, nullptr);
  EXPECT_EQ(jquery->licenses, std::vector<std::string>{"MIT"});  // as Trivy's golden says
  std::vector<model::Package> locked;
  makeNpmLockfileCataloger()->catalog(fs, {}, locked, diagnostics);
  EXPECT_EQ(reported(locked), golden("npm"));
  EXPECT_EQ(diagnostics.size(), 0U);
}

// --- package-lock.json --------------------------------------------------------------------

TEST(NpmPackageLock, V1V2V3DescribeTheSameTree) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/npm");
  std::vector<NameVersions> all;
  std::vector<NameVersions> dev;
  for (const char* file :
       {"package-lock_v1.json", "package-lock_v2.json", "package-lock_v3.json"}) {
    core::Diagnostics diagnostics;
    const auto packages =
        parseShared(parsePackageLock, std::string("trivy/nodejs/npm/") + file, diagnostics);
    EXPECT_EQ(packages.size(), 31U) << file;
    EXPECT_EQ(diagnostics.size(), 0U) << file;
    NameVersions names;
    NameVersions dev_names;
    for (const auto& package : packages) {
      names.emplace(package.name, package.version);
      if (package.development) dev_names.emplace(package.name, package.version);
    }
    all.push_back(names);
    dev.push_back(dev_names);
    const auto* body_parser = find(packages, "body-parser", "1.18.3");
    ASSERT_NE(body_parser, nullptr) << file;
    EXPECT_EQ(body_parser->depends.size(), 10U) << file;
  }
  EXPECT_EQ(all[0], all[1]);
  EXPECT_EQ(all[1], all[2]);
  for (const auto& dev_names : dev) {
    EXPECT_EQ(dev_names, (NameVersions{{"debug", "2.5.2"}, {"ms", "0.7.2"}}));
  }
  EXPECT_TRUE(all[2].contains({"@babel/helper-string-parser", "7.19.4"}));
}

TEST(NpmPackageLock, DevOnlyWhenEveryCopyIsDev) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/npm");
  core::Diagnostics diagnostics;
  const auto packages =
      parseShared(parsePackageLock,
                  "trivy/nodejs/npm/package-lock_v3_with-same-dev-and-non-dev.json", diagnostics);
  ASSERT_EQ(packages.size(), 4U);
  const auto* minimist = find(packages, "minimist", "0.0.8");
  ASSERT_NE(minimist, nullptr);
  EXPECT_FALSE(minimist->development);  // also a production dependency of the root
  EXPECT_TRUE(find(packages, "fsevents", "1.2.9")->development);
}

TEST(NpmPackageLock, WorkspacesAndLinks) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/npm");
  core::Diagnostics diagnostics;
  const auto packages = parseShared(
      parsePackageLock, "trivy/nodejs/npm/package-lock_v3_with_workspace.json", diagnostics);
  // node_modules/nested_func → functions/nested_func (1.0.0); function1 → functions/func1 has no
  // version (the project's own code) and is left out; functions/nested_func/node_modules/debug
  // is installed under the workspace.
  NameVersions names;
  for (const auto& package : packages) names.emplace(package.name, package.version);
  EXPECT_EQ(names, (NameVersions{{"debug", "2.5.2"},
                                 {"debug", "2.6.9"},
                                 {"ms", "0.7.2"},
                                 {"ms", "2.0.0"},
                                 {"nested_func", "1.0.0"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_TRUE(parseShared(parsePackageLock, "trivy/nodejs/npm/package-lock_v3_broken_link.json",
                          diagnostics)
                  .empty());
  const auto licenses = parseShared(
      parsePackageLock, "trivy/nodejs/npm/package-lock_v3_with_legacy_licenses.json", diagnostics);
  ASSERT_EQ(licenses.size(), 3U);
  EXPECT_EQ(find(licenses, "tv4", "1.3.0")->licenses,
            (std::vector<std::string>{"Public Domain", "MIT"}));
  EXPECT_EQ(find(licenses, "pause-stream", "0.0.11")->licenses,
            (std::vector<std::string>{"MIT", "Apache2"}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(NpmPackageLock, AliasesNameTheRealPackage) {
  BULWARK_REQUIRE_SHARED("scan/lang/syft/javascript/pkg-lock");
  for (const char* file : {"alias-package-lock-1.json", "alias-package-lock-2.json"}) {
    core::Diagnostics diagnostics;
    const auto packages =
        parseShared(parsePackageLock, std::string("syft/javascript/pkg-lock/") + file, diagnostics);
    EXPECT_NE(find(packages, "case", "1.6.2"), nullptr) << file;
    EXPECT_NE(find(packages, "case", "1.6.3"), nullptr) << file;
    EXPECT_NE(find(packages, "@bundled-es-modules/chai", "4.2.2"), nullptr) << file;
    EXPECT_EQ(packages.size(), 3U) << file;
  }
}

// --- yarn.lock ----------------------------------------------------------------------------

TEST(NpmYarnLock, Classic) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/yarn");
  core::Diagnostics diagnostics;
  const auto happy = parseShared(parseYarnLock, "trivy/nodejs/yarn/yarn_happy.lock", diagnostics);
  EXPECT_EQ(happy.size(), 18U);
  // Local files, git checkouts and unknown protocols are not registry releases.
  EXPECT_TRUE(
      parseShared(parseYarnLock, "trivy/nodejs/yarn/yarn_with_git.lock", diagnostics).empty());
  const auto local =
      parseShared(parseYarnLock, "trivy/nodejs/yarn/yarn_with_local.lock", diagnostics);
  EXPECT_EQ(reported(local),
            (NameVersions{{"asap", "2.0.6"}, {"jquery", "3.4.1"}, {"promise", "8.0.3"}}));
  const auto bad =
      parseShared(parseYarnLock, "trivy/nodejs/yarn/yarn_with_bad_protocol.lock", diagnostics);
  EXPECT_EQ(reported(bad), (NameVersions{{"jquery", "3.4.1"}}));
  // npm-written yarn.lock: quoted field names.
  const auto npm = parseShared(parseYarnLock, "trivy/nodejs/yarn/yarn_with_npm.lock", diagnostics);
  EXPECT_EQ(reported(npm), (NameVersions{{"jquery", "3.6.0"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(NpmYarnLock, Berry) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/yarn");
  core::Diagnostics diagnostics;
  const auto happy =
      parseShared(parseYarnLock, "trivy/nodejs/yarn/yarn_v2_happy.lock", diagnostics);
  EXPECT_EQ(happy.size(), 16U);
  EXPECT_EQ(find(happy, "code", "0.0.0-use.local"), nullptr);  // the workspace itself
  const auto* fsevents_patch = find(happy, "fsevents", "2.1.3");
  EXPECT_EQ(fsevents_patch, nullptr);  // only a patch: entry in this lockfile
  ASSERT_NE(find(happy, "@types/color-name", "1.1.1"), nullptr);
  EXPECT_EQ(find(happy, "ansi-styles", "4.2.1")->depends,
            (std::vector<std::string>{"@types/color-name", "color-convert"}));
  const auto protocol =
      parseShared(parseYarnLock, "trivy/nodejs/yarn/yarn_v2_deps_with_protocol.lock", diagnostics);
  EXPECT_EQ(reported(protocol), (NameVersions{{"debug", "4.3.4"}, {"ms", "2.1.2"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(NpmYarnLock, AliasesAndScopes) {
  const std::string_view classic = R"(# yarn lockfile v1


"@scope/a@^1.0.0", "@scope/a@^1.1.0":
  version "1.2.0"
  dependencies:
    "@scope/b" "^2.0.0"
    c "1"

"string-width-cjs@npm:string-width@^4.2.0":
  version "4.2.3"

broken@^1.0.0:
  resolved "https://example.invalid/broken.tgz"
)";
  core::Diagnostics diagnostics;
  const auto packages = parseYarnLock(classic, "yarn.lock", diagnostics);
  ASSERT_EQ(packages.size(), 2U);
  const auto* a = find(packages, "@scope/a", "1.2.0");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->depends, (std::vector<std::string>{"@scope/b", "c"}));
  EXPECT_NE(find(packages, "string-width", "4.2.3"), nullptr);
  const auto found = diagnostics.sorted();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].kind, "npm.malformed-record");
  EXPECT_EQ(found[0].where, "yarn.lock:13");
}

// --- pnpm-lock.yaml -----------------------------------------------------------------------

TEST(NpmPnpmLock, V5V6DevFlags) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/pnpm");
  for (const auto& [file, runtime_version] : {std::pair{"pnpm-lock_with_dev.yaml", "7.18.3"},
                                              std::pair{"pnpm-lock_v6_with_dev.yaml", "7.22.3"}}) {
    core::Diagnostics diagnostics;
    const auto packages =
        parseShared(parsePnpmLock, std::string("trivy/nodejs/pnpm/") + file, diagnostics);
    EXPECT_EQ(packages.size(), 85U) << file;
    const auto* runtime = find(packages, "@babel/runtime", runtime_version);
    ASSERT_NE(runtime, nullptr) << file;
    EXPECT_FALSE(runtime->development) << file;
    const auto* chalk = find(packages, "chalk", "4.1.2");
    ASSERT_NE(chalk, nullptr) << file;
    EXPECT_TRUE(chalk->development) << file;
    EXPECT_EQ(diagnostics.size(), 0U) << file;
  }
  core::Diagnostics diagnostics;
  const auto v6 = parseShared(parsePnpmLock, "trivy/nodejs/pnpm/pnpm-lock_v6.yaml", diagnostics);
  EXPECT_EQ(reported(v6),
            (NameVersions{{"asap", "2.0.6"}, {"jquery", "3.6.0"}, {"promise", "8.1.0"}}));
  // Tarballs carry their own name and version; local files are the project's own.
  const auto archives =
      parseShared(parsePnpmLock, "trivy/nodejs/pnpm/pnpm-lock_archives.yaml", diagnostics);
  EXPECT_EQ(
      reported(archives),
      (NameVersions{
          {"asynckit", "0.4.0"}, {"debug", "4.3.4"}, {"is-negative", "2.0.1"}, {"ms", "2.1.2"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(NpmPnpmLock, V9DevFromImportersThroughSnapshots) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/pnpm");
  core::Diagnostics diagnostics;
  const auto packages =
      parseShared(parsePnpmLock, "trivy/nodejs/pnpm/pnpm-lock_v9.yaml", diagnostics);
  EXPECT_EQ(packages.size(), 20U);
  NameVersions dev;
  for (const auto& package : packages) {
    if (package.development) dev.emplace(package.name, package.version);
  }
  // ms 2.0.0 is a devDependency but debug 4.3.4 (via finalhandler) needs it in production.
  EXPECT_EQ(dev, (NameVersions{{"await-sleep", "0.0.1"}, {"jquery", "3.6.0"}}));
  EXPECT_NE(find(packages, "debug", "4.3.5"), nullptr);  // a tarball key with "version"
  EXPECT_EQ(find(packages, "finalhandler", "1.1.1")->depends.size(), 7U);
  const auto peers = parseShared(
      parsePnpmLock, "trivy/nodejs/pnpm/pnpm-lock_v9_same-vers-diff-peers.yaml", diagnostics);
  EXPECT_EQ(peers.size(), 6U);
  EXPECT_TRUE(find(peers, "jest-runner", "27.5.1")->development);
  EXPECT_FALSE(find(peers, "jest-runner", "30.0.3")->development);
  const auto cyclic =
      parseShared(parsePnpmLock, "trivy/nodejs/pnpm/pnpm-lock_v9_cyclic_import.yaml", diagnostics);
  EXPECT_EQ(cyclic.size(), 7U);
  // The package manager's own lockfile comes first; the project's is the last document.
  const auto documents = parseShared(
      parsePnpmLock, "trivy/nodejs/pnpm/pnpm-lock_v9_multiple_documents.yaml", diagnostics);
  EXPECT_EQ(reported(documents), (NameVersions{{"is-number", "7.0.0"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(NpmPnpmLock, V5PeerSuffix) {
  const std::string_view lock = R"(lockfileVersion: 5.4
packages:
  /@babel/core/7.1.0_react@17.0.2:
    dev: false
  /lodash_fork/1.0.0:
    dev: true
  /bad:
    dev: false
)";
  core::Diagnostics diagnostics;
  const auto packages = parsePnpmLock(lock, "pnpm-lock.yaml", diagnostics);
  ASSERT_EQ(packages.size(), 2U);
  EXPECT_NE(find(packages, "@babel/core", "7.1.0"), nullptr);
  ASSERT_NE(find(packages, "lodash_fork", "1.0.0"), nullptr);
  EXPECT_TRUE(find(packages, "lodash_fork", "1.0.0")->development);
  EXPECT_EQ(diagnostics.size(), 1U);
}

// --- the lockfile cataloger and bad input -------------------------------------------------

TEST(NpmLockfileCataloger, SkipsLockfilesInsideNodeModules) {
  image::FsView fs;
  fs.put("app/package-lock.json",
         file(R"({"lockfileVersion":3,"packages":{"":{},"node_modules/a":{"version":"1.0.0"}}})"));
  fs.put("app/node_modules/x/package-lock.json",
         file(R"({"lockfileVersion":3,"packages":{"node_modules/b":{"version":"1.0.0"}}})"));
  fs.put("app/node_modules/x/yarn.lock", file("b@^1:\n  version \"1.0.0\"\n"));
  core::Diagnostics diagnostics;
  std::vector<model::Package> packages;
  makeNpmLockfileCataloger()->catalog(fs, {}, packages, diagnostics);
  ASSERT_EQ(packages.size(), 1U);
  EXPECT_EQ(packages[0].name, "a");
  EXPECT_EQ(packages[0].location.path, "app/package-lock.json");
  EXPECT_EQ(packages[0].location.layer_digest, "sha256:layer");
}

TEST(NpmMalformed, BecomesDiagnostics) {
  const std::string deep_json = std::string(100000, '[') + std::string(100000, ']');
  const std::string deep_yaml = "lockfileVersion: '9.0'\npackages: " + deep_json + "\n";
  const std::vector<std::pair<Parser, std::string>> cases = {
      {parsePackageLock, R"({"lockfileVersion": 3, "packages": {"node_modules/a": )"},
      {parsePackageLock, deep_json},
      {parsePackageLock, R"({"dependencies": []})"},
      {parsePackageLock, "[]"},
      {parseNpmPackageJson, deep_json},
      {parsePnpmLock, deep_yaml},
      {parsePnpmLock, "lockfileVersion: '9.0'\npackages: [\n"},
      {parsePnpmLock, "just text"},
      {parseYarnLock, "__metadata:\n  version: 4\n\"a@npm:1\": [\n"},
      {parseYarnLock, "a@^1.0.0\n  version \"1.0.0\"\n"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    core::Diagnostics diagnostics;
    const auto packages = cases[i].first(cases[i].second, "bad", diagnostics);
    EXPECT_TRUE(packages.empty()) << i;
    EXPECT_GE(diagnostics.size(), 1U) << i;
  }
}

}  // namespace
}  // namespace bulwark::catalog
