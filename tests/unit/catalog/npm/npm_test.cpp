// JavaScript catalogers (src/catalog/npm): node_modules manifests, package-lock.json, yarn.lock
// and pnpm-lock.yaml over Trivy's and Syft's fixtures, Trivy's integration goldens, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "catalog/npm/npm_cataloger.h"
#include "catalog/npm/npm_common.h"
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

// Trivy reads package.json beside yarn.lock: the project itself ("integration 1.0.0") is the
// Root package, jquery a direct production dependency; promise (a devDependency) and asap (only
// promise needs it) are development. bulwark does the same.
TEST(NpmGolden, YarnLockWithPackageJsonMatchesTrivy) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/yarn/yarn.lock");
  const std::string dir = "trivy-integration-repo/yarn/";
  core::Diagnostics diagnostics;
  const auto packages = parseYarnLock(
      bulwark::testing::readFile(lang(dir + "yarn.lock")), dir + "yarn.lock", diagnostics,
      bulwark::testing::readFile(lang(dir + "package.json")), dir + "package.json");
  EXPECT_EQ(reported(packages), golden("yarn"));
  EXPECT_EQ(diagnostics.size(), 0U);
  ASSERT_EQ(packages.size(), 4U);
  const auto* root = find(packages, "integration", "1.0.0");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->relationship, model::Relationship::Root);
  EXPECT_EQ(root->depends, (std::vector<std::string>{"jquery", "promise"}));
  EXPECT_EQ(root->location.path, dir + "yarn.lock");
  EXPECT_EQ(find(packages, "jquery", "3.2.1")->relationship, model::Relationship::Direct);
  const auto* promise = find(packages, "promise", "8.0.3");
  ASSERT_NE(promise, nullptr);
  EXPECT_TRUE(promise->development);
  EXPECT_EQ(promise->relationship, model::Relationship::Direct);
  EXPECT_EQ(promise->depends, std::vector<std::string>{"asap"});
  const auto* asap = find(packages, "asap", "2.0.6");
  EXPECT_TRUE(asap->development);
  EXPECT_EQ(asap->relationship, model::Relationship::Indirect);
  // Without the manifest nothing is known: every locked package, relationships unknown.
  const auto alone = parseShared(parseYarnLock, dir + "yarn.lock", diagnostics);
  ASSERT_EQ(alone.size(), 3U);
  for (const auto& package : alone) {
    EXPECT_FALSE(package.development) << package.name;
    EXPECT_EQ(package.relationship, model::Relationship::Unknown) << package.name;
  }
}

TEST(NpmGolden, BunLockMatchesTrivy) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy-integration-repo/bun/bun.lock");
  core::Diagnostics diagnostics;
  const auto packages =
      parseShared(parseBunLock, "trivy-integration-repo/bun/bun.lock", diagnostics);
  EXPECT_EQ(reported(packages), golden("bun"));
  EXPECT_EQ(packages.size(), 6U);
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_EQ(find(packages, "jquery", "3.3.1")->relationship, model::Relationship::Direct);
  EXPECT_EQ(find(packages, "typescript", "5.8.3")->relationship, model::Relationship::Direct);
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

// --- development dependencies and relationships -------------------------------------------

using Relationship = model::Relationship;

// (name, development, relationship) of every package, for one-line expectations.
std::set<std::tuple<std::string, bool, Relationship>> flags(
    const std::vector<model::Package>& packages) {
  std::set<std::tuple<std::string, bool, Relationship>> out;
  for (const auto& package : packages) {
    out.emplace(package.name, package.development, package.relationship);
  }
  return out;
}

// Syft's dev-deps fixtures, classic and berry: prod-pkg → shared-pkg in production, dev-pkg →
// dev-only-transitive only for development.
TEST(NpmYarnDev, ClassicAndBerryFromPackageJson) {
  BULWARK_REQUIRE_SHARED("scan/lang/syft/javascript/yarn-dev-deps");
  for (const std::string dir :
       {"syft/javascript/yarn-dev-deps/", "syft/javascript/yarn-berry-dev-deps/"}) {
    core::Diagnostics diagnostics;
    const auto packages = parseYarnLock(
        bulwark::testing::readFile(lang(dir + "yarn.lock")), dir + "yarn.lock", diagnostics,
        bulwark::testing::readFile(lang(dir + "package.json")), dir + "package.json");
    EXPECT_EQ(flags(packages), (std::set<std::tuple<std::string, bool, Relationship>>{
                                   {"dev-only-transitive", true, Relationship::Indirect},
                                   {"dev-pkg", true, Relationship::Direct},
                                   {"prod-pkg", false, Relationship::Direct},
                                   {"shared-pkg", false, Relationship::Indirect},
                                   {"test-project", false, Relationship::Root},
                               }))
        << dir;
    EXPECT_EQ(diagnostics.size(), 0U) << dir;
  }
}

// Shared packages stay production; ranges resolve through the entries' keys, so two versions of
// one package are told apart; what no declaration reaches keeps its flags.
TEST(NpmYarnDev, KeysResolveVersionsAndUnreachedStaysUnknown) {
  const std::string_view lock = R"(# yarn lockfile v1

"a@^1.0.0":
  version "1.2.0"
  dependencies:
    c "^1.0.0"

"a@^2.0.0":
  version "2.0.0"

"a@^3.0.0":
  version "3.0.0"

b@^1.0.0:
  version "1.0.0"
  dependencies:
    a "^2.0.0"
    c "^1.0.0"

c@^1.0.0:
  version "1.1.0"

orphan@^1.0.0:
  version "1.0.0"
)";
  const std::string_view manifest = R"({"name": "app",
    "dependencies": {"a": "^1.0.0"}, "devDependencies": {"b": "^1.0.0"}})";
  core::Diagnostics diagnostics;
  const auto packages = parseYarnLock(lock, "yarn.lock", diagnostics, manifest, "package.json");
  ASSERT_EQ(packages.size(), 6U);  // no Root: the manifest has no version
  EXPECT_FALSE(find(packages, "a", "1.2.0")->development);
  EXPECT_EQ(find(packages, "a", "1.2.0")->relationship, Relationship::Direct);
  EXPECT_TRUE(find(packages, "a", "2.0.0")->development);
  EXPECT_EQ(find(packages, "a", "2.0.0")->relationship, Relationship::Indirect);
  EXPECT_FALSE(find(packages, "c", "1.1.0")->development);
  EXPECT_TRUE(find(packages, "b", "1.0.0")->development);
  EXPECT_FALSE(find(packages, "orphan", "1.0.0")->development);
  EXPECT_EQ(find(packages, "orphan", "1.0.0")->relationship, Relationship::Unknown);
  EXPECT_EQ(find(packages, "a", "3.0.0")->relationship, Relationship::Unknown);
  EXPECT_EQ(diagnostics.size(), 0U);
  // A package.json that is not JSON: a diagnostic, and the lockfile as it stands.
  const auto broken = parseYarnLock(lock, "yarn.lock", diagnostics, "{", "package.json");
  EXPECT_EQ(broken.size(), 6U);
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].where, "package.json");
}

// Trivy's own bun fixtures and its expected flags (pkg/dependency/parser/nodejs/bun).
TEST(NpmBunLock, TrivyFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/bun");
  core::Diagnostics diagnostics;
  const auto happy = parseShared(parseBunLock, "trivy/nodejs/bun/bun_happy.lock", diagnostics);
  EXPECT_EQ(flags(happy), (std::set<std::tuple<std::string, bool, Relationship>>{
                              {"@types/bun", true, Relationship::Direct},
                              {"@types/node", true, Relationship::Indirect},
                              {"bun-types", true, Relationship::Indirect},
                              {"typescript", false, Relationship::Direct},
                              {"undici-types", false, Relationship::Indirect},
                              {"zod", false, Relationship::Direct},
                          }));
  EXPECT_EQ(find(happy, "bun-types", "1.2.13")->depends, std::vector<std::string>{"@types/node"});
  // Workspace members are the project's own code; their dependencies are direct.
  const auto workspaces =
      parseShared(parseBunLock, "trivy/nodejs/bun/bun_multiple_ws.lock", diagnostics);
  EXPECT_EQ(flags(workspaces), (std::set<std::tuple<std::string, bool, Relationship>>{
                                   {"chalk", false, Relationship::Direct},
                                   {"lodash", false, Relationship::Direct},
                               }));
  EXPECT_EQ(diagnostics.size(), 0U);
  EXPECT_TRUE(parseShared(parseBunLock, "trivy/nodejs/bun/bun_invalid.lock", diagnostics).empty());
}

TEST(NpmBunLock, SyftFixtures) {
  BULWARK_REQUIRE_SHARED("scan/lang/syft/javascript/bun");
  core::Diagnostics diagnostics;
  const auto pretty = parseShared(parseBunLock, "syft/javascript/bun/bun.lock", diagnostics);
  EXPECT_FALSE(find(pretty, "axios", "1.6.0")->development);
  EXPECT_TRUE(find(pretty, "eslint", "9.0.0")->development);
  EXPECT_TRUE(find(pretty, "eslint-visitor-keys", "4.0.0")->development);
  EXPECT_NE(find(pretty, "@img/sharp-linux-x64", "0.33.5"), nullptr);
  const auto commas =
      parseShared(parseBunLock, "syft/javascript/bun-trailing-comma/bun.lock", diagnostics);
  EXPECT_EQ(
      reported(commas),
      (NameVersions{{"axios", "1.6.0"}, {"follow-redirects", "1.15.3"}, {"lodash", "4.17.21"}}));
  // The root, a workspace member and GitHub checkouts are not registry releases.
  const auto tuples =
      parseShared(parseBunLock, "syft/javascript/bun-variable-tuples/bun.lock", diagnostics);
  EXPECT_EQ(reported(tuples), (NameVersions{{"axios", "1.6.0"}, {"follow-redirects", "1.15.3"}}));
  EXPECT_EQ(diagnostics.size(), 0U);
}

// A dependency installed under its parent ("a/b") is found before the top-level one.
TEST(NpmBunLock, NestedInstallsResolveClosestFirst) {
  const std::string_view lock = R"({
  "lockfileVersion": 1,
  "workspaces": {"": {"name": "app", "dependencies": {"@s/a": "^1",},
                      "devDependencies": {"b": "^1"},},},
  "packages": {
    "@s/a": ["@s/a@1.0.0", "", {"dependencies": {"b": "^2"}}, "sha512-x"],
    "@s/a/b": ["b@2.0.0", "", {}, "sha512-y"],
    "b": ["b@1.0.0", "", {}, "sha512-z"],
    "bad": "b@1.0.0",
  },
})";
  core::Diagnostics diagnostics;
  const auto packages = parseBunLock(lock, "bun.lock", diagnostics);
  EXPECT_EQ(flags(packages), (std::set<std::tuple<std::string, bool, Relationship>>{
                                 {"@s/a", false, Relationship::Direct},
                                 {"b", false, Relationship::Indirect},
                                 {"b", true, Relationship::Direct},
                             }));
  EXPECT_FALSE(find(packages, "b", "2.0.0")->development);
  EXPECT_TRUE(find(packages, "b", "1.0.0")->development);
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics.sorted()[0].kind, "npm.malformed-record");
}

TEST(NpmBunLock, TrailingCommasOutsideStringsOnly) {
  EXPECT_EQ(npm::withoutTrailingCommas(R"({"a": [1, 2, ], "b": ",}", "c": "\",]",  })"),
            R"({"a": [1, 2 ], "b": ",}", "c": "\",]"  })");
}

TEST(NpmPackageLock, RelationshipsFromTheRootEntry) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/npm");
  core::Diagnostics diagnostics;
  const auto v3 =
      parseShared(parsePackageLock, "trivy/nodejs/npm/package-lock_v3.json", diagnostics);
  std::set<std::string> direct;
  for (const auto& package : v3) {
    EXPECT_NE(package.relationship, Relationship::Unknown) << package.name;
    if (package.relationship == Relationship::Direct) direct.insert(package.name);
  }
  EXPECT_EQ(direct, (std::set<std::string>{"@babel/helper-string-parser", "body-parser", "debug",
                                           "finalhandler", "ms", "promise"}));
  // ms 2.0.0 is installed below debug: the same name, another copy, indirect.
  EXPECT_EQ(find(v3, "ms", "2.0.0")->relationship, Relationship::Indirect);
  // v1 does not say.
  const auto v1 =
      parseShared(parsePackageLock, "trivy/nodejs/npm/package-lock_v1.json", diagnostics);
  for (const auto& package : v1) EXPECT_EQ(package.relationship, Relationship::Unknown);
  EXPECT_EQ(diagnostics.size(), 0U);
}

TEST(NpmPnpmLock, RelationshipsFromDeclarations) {
  BULWARK_REQUIRE_SHARED("scan/lang/trivy/nodejs/pnpm");
  for (const char* file : {"pnpm-lock_with_dev.yaml", "pnpm-lock_v6_with_dev.yaml"}) {
    core::Diagnostics diagnostics;
    const auto packages =
        parseShared(parsePnpmLock, std::string("trivy/nodejs/pnpm/") + file, diagnostics);
    std::set<std::string> direct;
    for (const auto& package : packages) {
      EXPECT_NE(package.relationship, Relationship::Unknown) << file << " " << package.name;
      if (package.relationship == Relationship::Direct) direct.insert(package.name);
    }
    EXPECT_EQ(direct, (std::set<std::string>{"mocha", "react", "redux"})) << file;
  }
  core::Diagnostics diagnostics;
  const auto v9 = parseShared(parsePnpmLock, "trivy/nodejs/pnpm/pnpm-lock_v9.yaml", diagnostics);
  EXPECT_EQ(find(v9, "@babel/helper-string-parser", "7.24.1")->relationship, Relationship::Direct);
  const auto integration =
      parseShared(parsePnpmLock, "trivy-integration-repo/pnpm/pnpm-lock.yaml", diagnostics);
  for (const auto& package : integration) {
    EXPECT_EQ(package.relationship, Relationship::Direct) << package.name;  // Trivy's golden
  }
}

TEST(NpmLockfileCataloger, YarnReadsThePackageJsonBesideIt) {
  image::FsView fs;
  fs.put("app/yarn.lock", file("a@^1:\n  version \"1.0.0\"\n\nb@^1:\n  version \"1.0.0\"\n"));
  fs.put("app/package.json", file(R"({"name": "app", "version": "0.1.0",
      "dependencies": {"a": "^1"}, "devDependencies": {"b": "^1"}})"));
  fs.put("app/bun.lock", file(R"({"lockfileVersion": 1, "workspaces": {"": {}},
      "packages": {"c": ["c@3.0.0", "", {}, "sha512-x"],},})"));
  core::Diagnostics diagnostics;
  std::vector<model::Package> packages;
  makeNpmLockfileCataloger()->catalog(fs, {}, packages, diagnostics);
  EXPECT_EQ(flags(packages), (std::set<std::tuple<std::string, bool, Relationship>>{
                                 {"a", false, Relationship::Direct},
                                 {"app", false, Relationship::Root},
                                 {"b", true, Relationship::Direct},
                                 {"c", false, Relationship::Unknown},
                             }));
  EXPECT_EQ(diagnostics.size(), 0U);
}

}  // namespace
}  // namespace bulwark::catalog
