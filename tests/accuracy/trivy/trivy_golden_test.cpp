// Accuracy against Trivy's own integration goldens (issue 3, section 5): Trivy's fixture
// advisory DB is converted into a bulwark database (trivy_fixture_db.h), each OS-package golden's
// image is rebuilt as an Inventory (Trivy's fanal package golden of the same image, or the
// golden's own vulnerable packages), bulwark matches and enriches it, and the result is compared
// with the golden's (VulnerabilityID, PkgName, InstalledVersion, FixedVersion, Status,
// Severity). The comparison must equal the reviewed list in expected-differences.txt — every
// line a difference and its reason — so that a regression and a fix both show up.
// BULWARK_UPDATE_GOLDEN=1 rewrites that list, keeping the reasons of lines that stay and marking
// new lines UNREVIEWED (which fails until a person writes the reason).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "match/enrich.h"
#include "match/matcher.h"
#include "match/policy.h"
#include "model/package.h"
#include "pipeline/scan.h"
#include "testdata.h"
#include "trivy_fixture_db.h"
#include "trivy_goldens.h"
#include "version/scheme.h"
#include "vulndb/database.h"

namespace bulwark::accuracy::trivy {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kIntegration = "scan/expected/trivy-integration";
constexpr std::string_view kFanal = "scan/expected/trivy-fanal-packages";
constexpr std::string_view kLanguageRepo = "scan/lang/trivy-integration-repo";

// One OS-package golden and how its scan is reproduced.
struct GoldenCase {
  std::string_view golden;      // integration golden, without ".json.golden"
  std::string_view inventory;   // fanal package golden of the same image; "": derived
  std::string_view severities;  // the --severity that Trivy test used ("" = all)
  bool ignore_unfixed = false;  // --ignore-unfixed
  std::vector<std::string_view> ignored_ids = {};  // .trivyignore of that test
};

const std::vector<GoldenCase>& cases() {
  static const std::vector<GoldenCase> kCases = {
      {.golden = "almalinux-8"},
      {.golden = "alpine-310", .inventory = "alpine-310"},
      {.golden = "alpine-39"},
      {.golden = "alpine-39-high-critical", .severities = "HIGH,CRITICAL"},
      // The ignore file of that test, read off the golden: alpine-39 without these two ids.
      {.golden = "alpine-39-ignore-cveids", .ignored_ids = {"CVE-2019-1549", "CVE-2019-14697"}},
      {.golden = "alpine-distroless"},
      {.golden = "amazon-1"},
      {.golden = "amazon-2", .inventory = "amazon-2"},
      {.golden = "amazonlinux2-gp2-x86-vm"},
      {.golden = "centos-6", .inventory = "centos-6"},
      {.golden = "centos-7"},
      {.golden = "centos-7-ignore-unfixed", .ignore_unfixed = true},
      {.golden = "centos-7-medium", .severities = "MEDIUM"},
      {.golden = "debian-buster", .inventory = "debian-buster"},
      {.golden = "debian-buster-ignore-unfixed",
       .inventory = "debian-buster",
       .ignore_unfixed = true},
      {.golden = "debian-stretch"},
      {.golden = "distroless-base", .inventory = "gcr.io-distroless-base-latest"},
      {.golden = "distroless-python27"},
      {.golden = "fluentd-gems"},
      {.golden = "fluentd-multiple-lockfiles"},
      {.golden = "mariner-1.0"},
      {.golden = "opensuse-leap-151", .inventory = "opensuse-leap-151"},
      {.golden = "opensuse-tumbleweed", .inventory = "opensuse-tumbleweed"},
      {.golden = "oraclelinux-8", .inventory = "oraclelinux-8-slim"},
      {.golden = "photon-30", .inventory = "photon-30"},
      {.golden = "rockylinux-8"},
      {.golden = "sl-micro-rancher5.4"},
      {.golden = "spring4shell-jre11"},
      {.golden = "spring4shell-jre8"},
      {.golden = "ubi-7", .inventory = "ubi-7"},
      {.golden = "ubi-7-comprehensive", .inventory = "ubi-7"},
      {.golden = "ubuntu-1804", .inventory = "ubuntu-18.04"},
      {.golden = "ubuntu-1804-ignore-unfixed", .inventory = "ubuntu-18.04", .ignore_unfixed = true},
      {.golden = "ubuntu-gp2-x86-vm"},
  };
  return kCases;
}

// A language golden and the directory of Trivy's integration repo it scanned.
struct LanguageCase {
  std::string_view golden;
  std::string_view input;  // under scan/lang/trivy-integration-repo/
  // The input is in a place bulwark's catalogers do not read (expected-differences.txt says
  // why); otherwise an empty inventory fails the test.
  bool unread = false;
  bool include_dev_deps = false;  // the golden was made with --include-dev-deps
};

const std::vector<LanguageCase>& languageCases() {
  static const std::vector<LanguageCase> kCases = {
      {"pip", "pip"},
      {"pipenv", "pipenv"},
      {"poetry", "poetry"},
      {"uv", "uv"},
      {"composer.lock", "composer"},
      {"composer.vendor", "composer-vendor", true},
      {"cargo.lock", "cargo"},
      {"gomod", "gomod"},
      {"nuget", "nuget"},
      {"dotnet", "dotnet"},
      {"npm", "npm"},
      {"npm-with-dev", "npm", false, true},
      {"pnpm", "pnpm"},
      {"yarn", "yarn"},
      {"bun", "bun"},
      {"pylock", "pylock"},
      {"sbt", "sbt"},
      {"gradle", "gradle"},
  };
  return kCases;
}

// Goldens this test does not compare, and why (docs/compat.md lists them too).
const std::map<std::string_view, std::string_view>& outOfScope() {
  static const std::map<std::string_view, std::string_view> kOut = [] {
    std::map<std::string_view, std::string_view> out;
    out["npm-ubuntu-severity"] = "an image input (Ubuntu with npm packages), not in ../shared";
    out["npm-cyclonedx"] = "a CycloneDX rendering of the npm scan";
    for (const std::string_view name : {"gomod-skip", "gomod-vex"}) {
      out[name] = "gomod with --skip-dirs / --vex: scan options bulwark's pipeline has not";
    }
    for (const std::string_view name :
         {"busybox-with-lockfile", "cocoapods", "conan", "mix.lock", "packagesprops", "pom",
          "pubspec.lock", "swift", "test-repo", "conda-cyclonedx", "conda-environment-cyclonedx",
          "conda-spdx", "julia-spdx", "pom-cyclonedx"}) {
      out[name] = "language input without a bulwark cataloger, or an SBOM/image input: next issue";
    }
    out["alpine-39-skip"] = "no results: every file of the image was skipped";
    out["fluentd-multiple-lockfiles.cdx"] = "a CycloneDX SBOM (scan input), no vulnerabilities";
    out["fluentd-multiple-lockfiles-short.cdx"] =
        "CycloneDX rendering of the fluentd-multiple-lockfiles scan, compared in JSON form";
    return out;
  }();
  return kOut;
}

// Binary → source names for derived inventories that no fanal golden lists (Debian 9 names
// of e2fsprogs' libraries; Debian 10 renamed them libext2fs2 and libcom-err2).
const SourceNames& extraSources() {
  static const SourceNames kSources = {{"e2fslibs", "e2fsprogs"}, {"libcomerr2", "e2fsprogs"}};
  return kSources;
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-trivy-golden-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    path_ = made != nullptr ? fs::path(made) : fs::path();
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The converted database, built once per test run.
struct Fixture {
  Fixture() {
    db = dir.path() / "trivy-fixture.db";
    auto written = writeFixtureDb(testing::sharedTestdata() / kIntegration / "fixtures-db", db);
    if (!written) {
      error = written.error().message;
      return;
    }
    report = std::move(*written);
    auto opened = vulndb::Database::open(db.string());
    if (!opened) {
      error = opened.error().message;
      return;
    }
    database.emplace(std::move(*opened));
  }

  TempDir dir;
  fs::path db;
  std::string error;
  ConversionReport report;
  std::optional<vulndb::Database> database;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// Binary → source names as Trivy's own analyzers reported them in every fanal golden.
SourceNames sourcesFor(model::PackageType type) {
  SourceNames out = extraSources();
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(testing::sharedTestdata() / kFanal, error)) {
    auto packages = readFanalPackages(entry.path(), type);
    if (!packages) continue;
    for (const auto& p : *packages) out.emplace(p.name, p.source_name);
  }
  return out;
}

struct CaseResult {
  std::vector<std::string> differences;
  std::size_t trivy_rows = 0;
  std::size_t bulwark_rows = 0;
  std::size_t packages = 0;  // language cases: bulwark's inventory size
};

CaseResult runCase(const GoldenCase& c, const vulndb::Database& database) {
  CaseResult out;
  const fs::path base = testing::sharedTestdata();
  auto golden =
      readIntegrationGolden(base / kIntegration / (std::string(c.golden) + ".json.golden"));
  if (!golden) {
    out.differences.push_back("error " + golden.error().message);
    return out;
  }
  out.trivy_rows = golden->rows.size();
  const auto type = packageTypeFor(golden->family);
  if (!type) {
    out.differences.push_back("error no OS in the golden");
    return out;
  }
  model::Inventory inventory;
  inventory.target.name = std::string(c.golden);
  inventory.distro = distroFromTrivyOs(golden->family, golden->name);
  if (c.inventory.empty()) {
    inventory.packages = packagesFromGolden(*golden, *type, sourcesFor(*type));
  } else {
    auto packages =
        readFanalPackages(base / kFanal / (std::string(c.inventory) + ".json.golden"), *type);
    if (!packages) {
      out.differences.push_back("error " + packages.error().message);
      return out;
    }
    inventory.packages = std::move(*packages);
  }
  // An inventory that lacks a package the golden reports is a different build of the image.
  for (const auto& g : golden->packages) {
    const bool present = std::any_of(inventory.packages.begin(), inventory.packages.end(),
                                     [&](const model::Package& p) {
                                       return p.name == g.name && p.fullVersion() == g.installed;
                                     });
    if (!present) out.differences.push_back("inventory lacks " + g.name + " " + g.installed);
  }
  core::Diagnostics diagnostics;
  auto findings = match::matchInventory(database, inventory, diagnostics);
  if (!findings) {
    out.differences.push_back("error " + findings.error().message);
    return out;
  }
  if (auto ok = match::enrichFindings(database, inventory, *findings); !ok) {
    out.differences.push_back("error " + ok.error().message);
    return out;
  }
  match::Policy policy;
  if (!c.severities.empty()) {
    auto severities = match::parseSeverities(c.severities);
    if (severities) policy.severities = *severities;
  }
  policy.ignore_unfixed = c.ignore_unfixed;
  const auto decision = match::applyPolicy(policy, *findings);
  std::vector<VulnerabilityRow> rows;
  for (std::size_t i = 0; i < findings->size(); ++i) {
    const auto& f = (*findings)[i];
    if (i < decision.counted.size() && !decision.counted[i]) continue;
    if (std::find(c.ignored_ids.begin(), c.ignored_ids.end(), f.vulnerability_id) !=
        c.ignored_ids.end()) {
      continue;
    }
    rows.push_back(rowFromFinding(f));
  }
  out.bulwark_rows = rows.size();
  for (auto& line : compareRows(golden->rows, rows)) out.differences.push_back(std::move(line));
  return out;
}

// A language golden: bulwark scans the directory Trivy scanned, with the converted database.
CaseResult runLanguageCase(const LanguageCase& c, const fs::path& database) {
  CaseResult out;
  const fs::path base = testing::sharedTestdata();
  auto golden =
      readIntegrationGolden(base / kIntegration / (std::string(c.golden) + ".json.golden"));
  if (!golden) {
    out.differences.push_back("error " + golden.error().message);
    return out;
  }
  out.trivy_rows = golden->language_rows.size();
  pipeline::ScanOptions options;
  options.database = database.string();
  options.sbom.include_dev_deps = c.include_dev_deps;
  const fs::path input = base / kLanguageRepo / std::string(c.input);
  auto report = pipeline::scanTarget(input.string(), options);
  if (!report) {
    out.differences.push_back("error " + report.error().message);
    return out;
  }
  std::vector<VulnerabilityRow> rows;
  for (const auto& f : report->findings) rows.push_back(rowFromFinding(f));
  std::sort(rows.begin(), rows.end());
  out.bulwark_rows = rows.size();
  out.differences = compareRowCounts(golden->language_rows, rows);
  // The inventory too, where the golden lists every package (--list-all-pkgs).
  if (!golden->language_packages.empty()) {
    std::vector<std::pair<std::string, std::string>> packages;
    for (const auto& p : report->inventory.packages) {
      if (!model::isOsPackage(p.type)) packages.emplace_back(p.name, p.fullVersion());
    }
    for (auto& line : comparePackages(golden->language_packages, packages)) {
      out.differences.push_back(std::move(line));
    }
  }
  out.packages = report->inventory.packages.size();
  return out;
}

fs::path expectedPath() {
  return testing::sourceDir() / "tests" / "accuracy" / "trivy" / "expected-differences.txt";
}

struct Expected {
  std::vector<std::string> header;             // comment lines, kept on rewrite
  std::map<std::string, std::string> reasons;  // "golden | difference" → reason
};

Expected readExpected() {
  Expected out;
  std::ifstream in(expectedPath());
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.front() == '#') {
      out.header.push_back(line);
      continue;
    }
    const auto first = line.find(" | ");
    const auto second = first == std::string::npos ? first : line.find(" | ", first + 3);
    if (second == std::string::npos) {
      out.reasons[line] = "";
      continue;
    }
    out.reasons[line.substr(0, second)] = line.substr(second + 3);
  }
  return out;
}

TEST(TrivyFixtureDb, MapsTrivyBucketsToBulwarkEcosystems) {
  EXPECT_EQ(ecosystemForBucket("debian 10"), "debian:10");
  EXPECT_EQ(ecosystemForBucket("alpine 3.10"), "alpine:3.10");
  EXPECT_EQ(ecosystemForBucket("alpine edge"), "alpine:edge");
  EXPECT_EQ(ecosystemForBucket("ubuntu 18.04"), "ubuntu:18.04");
  EXPECT_EQ(ecosystemForBucket("amazon linux 2"), "amzn:2");
  EXPECT_EQ(ecosystemForBucket("alma 8"), "almalinux:8");
  EXPECT_EQ(ecosystemForBucket("rocky 8"), "rocky:8");
  EXPECT_EQ(ecosystemForBucket("Oracle Linux 8"), "ol:8");
  EXPECT_EQ(ecosystemForBucket("Photon OS 3.0"), "photon:3.0");
  EXPECT_EQ(ecosystemForBucket("CBL-Mariner 1.0"), "mariner:1.0");
  EXPECT_EQ(ecosystemForBucket("openSUSE Leap 15.1"), "opensuse-leap:15.1");
  EXPECT_EQ(ecosystemForBucket("SUSE Linux Enterprise 15-SP3"), "sles:15.3");
  EXPECT_EQ(ecosystemForBucket("SUSE Linux Enterprise Micro 5.3"), "sle-micro:5.3");
  EXPECT_EQ(ecosystemForBucket("openSUSE Tumbleweed"), "opensuse-tumbleweed");
  EXPECT_EQ(ecosystemForBucket("npm::GitHub Security Advisory Npm"), "");
  EXPECT_EQ(statusFromTrivy(0), model::AffectedStatus::Affected);
  EXPECT_EQ(statusFromTrivy(5), model::AffectedStatus::WillNotFix);
  EXPECT_EQ(statusFromTrivy(7), model::AffectedStatus::EndOfLife);
  EXPECT_EQ(severityFromTrivy(1), model::Severity::Low);
  EXPECT_EQ(severityFromTrivy(4), model::Severity::Critical);
}

TEST(TrivyFixtureDb, ConvertsStatusesSeveritiesAndRedHatReleases) {
  BULWARK_REQUIRE_SHARED(std::string(kIntegration) + "/fixtures-db");
  ConversionReport report;
  auto advisories =
      convertFixtureDb(testing::sharedTestdata() / kIntegration / "fixtures-db", report);
  ASSERT_TRUE(advisories) << advisories.error().message;
  auto find = [&](std::string_view source, std::string_view id) -> const model::Advisory* {
    for (const auto& a : *advisories) {
      if (a.source == source && a.id == id) return &a;
    }
    return nullptr;
  };
  // debian 9 bash: "Status: 7 # changed for test", Severity 1.0.
  const auto* bash = find("trivy-db:debian", "CVE-2019-18276");
  ASSERT_NE(bash, nullptr);
  const auto stretch = std::find_if(bash->affected.begin(), bash->affected.end(),
                                    [](const auto& a) { return a.ecosystem == "debian:9"; });
  ASSERT_NE(stretch, bash->affected.end());
  EXPECT_EQ(stretch->status, model::AffectedStatus::EndOfLife);
  EXPECT_EQ(stretch->severity, model::Severity::Low);
  // RHSA-2019:2304 lists two CVEs with their own severities; CPE 869 is RHEL 7.
  const auto* rhsa = find("trivy-db:none", "CVE-2018-0734");
  ASSERT_NE(rhsa, nullptr);
  EXPECT_EQ(rhsa->aliases, std::vector<std::string>{"RHSA-2019:2304"});
  ASSERT_FALSE(rhsa->affected.empty());
  EXPECT_EQ(rhsa->affected.front().ecosystem, "rhel:7");
  EXPECT_EQ(rhsa->affected.front().fixed_version, "1:1.0.2k-19.el7");
  EXPECT_EQ(rhsa->affected.front().severity, model::Severity::Low);
  // RHSA-2019:2471 (CPE 857: RHEL 6) keeps no "0:" epoch.
  const auto* el6 = find("trivy-db:none", "CVE-2019-1559");
  ASSERT_NE(el6, nullptr);
  EXPECT_TRUE(std::any_of(el6->affected.begin(), el6->affected.end(), [](const auto& a) {
    return a.ecosystem == "rhel:6" && a.fixed_version == "1.0.1e-58.el6_10";
  }));
  // Oracle entries keep their architectures; the vendor severity is oracle-oval's.
  const auto* oracle = find("trivy-db:oracle-oval", "CVE-2019-3823");
  ASSERT_NE(oracle, nullptr);
  ASSERT_EQ(oracle->affected.size(), 1U);
  EXPECT_EQ(oracle->affected[0].arches, (std::vector<std::string>{"x86_64", "aarch64"}));
  EXPECT_EQ(oracle->affected[0].severity, model::Severity::Medium);
  // A key without a value (CBL-Mariner CVE-2022-0261) is an open issue.
  const auto* vim = find("trivy-db:cbl-mariner", "CVE-2022-0261");
  ASSERT_NE(vim, nullptr);
  EXPECT_EQ(vim->affected.at(0).status, model::AffectedStatus::Affected);
  EXPECT_TRUE(vim->affected.at(0).fixed_version.empty());
  // What was not converted is said.
  EXPECT_TRUE(std::any_of(report.ignored.begin(), report.ignored.end(), [](const auto& s) {
    return s.find("debian 9/openssl/CVE-2019-1551: field State") != std::string::npos;
  }));
  const auto redhat = std::find_if(report.mapped.begin(), report.mapped.end(),
                                   [](const auto& m) { return m.first == "Red Hat"; });
  ASSERT_NE(redhat, report.mapped.end());
  EXPECT_EQ(redhat->second, "rhel:6 rhel:7");
  for (const auto& [bucket, reason] : report.skipped) {
    EXPECT_TRUE(osvEcosystemForBucket(bucket).empty()) << bucket << ": " << reason;
    EXPECT_TRUE(bucket.find("::") != std::string::npos) << bucket << ": " << reason;
  }
}

TEST(TrivyFixtureDb, ReadsTrivyConstraintsAsIntervals) {
  auto both = readInterval(">= 0.33.1, < 0.37.0");
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(both->lower, "0.33.1");
  EXPECT_TRUE(both->lower_inclusive);
  EXPECT_EQ(both->upper, "0.37.0");
  EXPECT_FALSE(both->upper_inclusive);
  auto last = readInterval("<= 6.0.3");
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->lower.empty());
  EXPECT_TRUE(last->upper_inclusive);
  auto maven = readInterval("[2.9.0,2.9.10.7)");
  ASSERT_TRUE(maven);
  EXPECT_EQ(maven->lower, "2.9.0");
  EXPECT_EQ(maven->upper, "2.9.10.7");
  EXPECT_FALSE(maven->upper_inclusive);
  auto exact = readInterval("13.0.1");
  ASSERT_TRUE(exact);
  EXPECT_TRUE(exact->exact);
  EXPECT_FALSE(readInterval("< 1.0 || >= 2.0"));
  EXPECT_FALSE(readInterval("!= 1.0"));
  EXPECT_FALSE(readInterval(">= 1.0, >= 2.0"));
  EXPECT_FALSE(readInterval("< 1.0,"));
  EXPECT_EQ(osvEcosystemForBucket("pip::GitHub Security Advisory Pip"), "PyPI");
  EXPECT_EQ(osvEcosystemForBucket("cargo::Open Source Vulnerability"), "crates.io");
  EXPECT_EQ(osvEcosystemForBucket("swift::GitHub Security Advisory Swift"), "");
}

// Trivy's reading of one entry (pkg/detector/library: VulnerableVersions, else neither patched
// nor unaffected) through bulwark's own constraint parser of the ecosystem; nullopt when there
// is none (or it refuses a constraint).
std::optional<bool> trivyVulnerable(const ConversionReport::LanguageEntry& entry,
                                    const std::string& version) {
  auto satisfies = [&](const std::string& constraint) -> std::optional<bool> {
    if (entry.ecosystem == "PyPI") {
      auto set = version::parsePep440Specifiers(constraint);
      if (!set) return std::nullopt;
      return set->contains(version, version::Pep440Prereleases::Include);
    }
    if (entry.ecosystem == "npm") {
      auto range = version::parseNpmRange(constraint);
      if (!range) return std::nullopt;
      return range->satisfies(version);
    }
    if (entry.ecosystem == "RubyGems") {
      auto requirement = version::parseGemRequirement(constraint);
      if (!requirement) return std::nullopt;
      return requirement->satisfiedBy(version);
    }
    return std::nullopt;
  };
  const bool by_vulnerable = !entry.vulnerable.empty();
  for (const auto& constraint : by_vulnerable ? entry.vulnerable : entry.safe) {
    const auto hit = satisfies(constraint);
    if (!hit) return std::nullopt;
    if (*hit) return by_vulnerable;
  }
  return !by_vulnerable;
}

TEST(TrivyFixtureDb, LanguageConversionAgreesWithEachEcosystemsConstraintParser) {
  BULWARK_REQUIRE_SHARED(std::string(kIntegration) + "/fixtures-db");
  ConversionReport report;
  auto advisories =
      convertFixtureDb(testing::sharedTestdata() / kIntegration / "fixtures-db", report);
  ASSERT_TRUE(advisories) << advisories.error().message;
  std::set<std::string> ecosystems;
  for (const auto& [bucket, key] : report.mapped) {
    if (bucket.find("::") != std::string::npos) ecosystems.insert(key);
  }
  EXPECT_EQ(ecosystems, (std::set<std::string>{"Go", "Maven", "NuGet", "Packagist", "PyPI",
                                               "RubyGems", "crates.io", "npm"}));
  // Every language entry of the fixture is a simple interval.
  EXPECT_TRUE(report.unconvertible.empty()) << ::testing::PrintToString(report.unconvertible);
  std::size_t checked = 0;
  for (const auto& entry : report.language) {
    const auto* names = model::ecosystemForOsv(entry.ecosystem);
    ASSERT_NE(names, nullptr) << entry.ecosystem;
    const auto* scheme = version::findScheme(
        names->type == model::PackageType::Go ? "semver" : std::string_view(names->scheme));
    ASSERT_NE(scheme, nullptr) << entry.ecosystem;
    // The probes: every version the entry names, the versions next to them, and the installed
    // versions of the language goldens.
    std::set<std::string> probes = {"0.0.1",  "0.11",  "0.11.1", "0.14",  "1.8.3",  "9.0.1",
                                    "12.0.3", "2.7.1", "0.35.0", "0.3.6", "100.0.0"};
    for (const auto& list : {entry.vulnerable, entry.safe}) {
      for (const auto& constraint : list) {
        auto interval = readInterval(constraint);
        ASSERT_TRUE(interval) << constraint;
        for (const auto& v : {interval->lower, interval->upper}) {
          if (v.empty() || v == "0") continue;
          probes.insert(v);
          probes.insert(v + ".1");
        }
      }
    }
    for (const auto& probe : probes) {
      if (!scheme->valid(probe, nullptr)) continue;  // Trivy's comparers refuse it too
      bool ours = false;
      for (const auto& affected : entry.affected) {
        ours = ours || match::isAffected(affected, probe, scheme->compare, nullptr);
      }
      const auto theirs = trivyVulnerable(entry, probe);
      if (!theirs) continue;  // no constraint parser in bulwark for this ecosystem
      ++checked;
      EXPECT_EQ(ours, *theirs) << entry.bucket << "/" << entry.package << "/" << entry.id << " at "
                               << probe;
    }
  }
  EXPECT_GT(checked, 50U);
  // Cargo's OSV entry has only PatchedVersions: the gaps between them are vulnerable.
  const auto ammonia = std::find_if(report.language.begin(), report.language.end(),
                                    [](const auto& e) { return e.id == "CVE-2021-38193"; });
  ASSERT_NE(ammonia, report.language.end());
  ASSERT_EQ(ammonia->affected.size(), 2U);
  EXPECT_EQ(ammonia->affected[0].ranges.at(0).events,
            (std::vector<model::RangeEvent>{{model::RangeEvent::Kind::Introduced, "0"},
                                            {model::RangeEvent::Kind::Fixed, "2.1.3"}}));
  EXPECT_EQ(ammonia->affected[1].ranges.at(0).events,
            (std::vector<model::RangeEvent>{{model::RangeEvent::Kind::Introduced, "3.0.0"},
                                            {model::RangeEvent::Kind::Fixed, "3.1.0"}}));
  EXPECT_EQ(ammonia->affected[1].fixed_version, "3.1.0");
  // Maven's bracket notation (GitLab's bucket, source "glad") and RubyGems' several branches,
  // each with the fix of its own branch; "<=" ends in last_affected, and the fix shown is the
  // record's patched versions joined, as Trivy shows them.
  auto entry = [&](std::string_view bucket, std::string_view id) {
    return std::find_if(report.language.begin(), report.language.end(),
                        [&](const auto& e) { return e.bucket == bucket && e.id == id; });
  };
  const auto glad = entry("maven::GitLab Advisory Database Community", "CVE-2021-20190");
  ASSERT_NE(glad, report.language.end());
  ASSERT_EQ(glad->affected.size(), 1U);
  EXPECT_EQ(glad->affected[0].ranges.at(0).events,
            (std::vector<model::RangeEvent>{{model::RangeEvent::Kind::Introduced, "2.9.0"},
                                            {model::RangeEvent::Kind::Fixed, "2.9.10.7"}}));
  const auto rails = entry("rubygems::GitHub Security Advisory RubyGems", "CVE-2020-8165");
  ASSERT_NE(rails, report.language.end());
  ASSERT_EQ(rails->affected.size(), 2U);
  EXPECT_EQ(rails->affected[0].ranges.at(0).events,
            (std::vector<model::RangeEvent>{{model::RangeEvent::Kind::Introduced, "6.0.0"},
                                            {model::RangeEvent::Kind::LastAffected, "6.0.3"}}));
  EXPECT_EQ(rails->affected[0].status, model::AffectedStatus::Fixed);
  EXPECT_EQ(rails->affected[0].fixed_version, "6.0.3.1, 5.2.4.3");
  EXPECT_EQ(std::count_if(advisories->begin(), advisories->end(),
                          [](const model::Advisory& a) {
                            return a.id == "CVE-2021-20190" && a.source == "trivy-db:glad";
                          }),
            1);
  // Buckets of ecosystems bulwark has no package type for are reported, not imported.
  std::set<std::string> skipped;
  for (const auto& [bucket, reason] : report.skipped)
    skipped.insert(bucket.substr(0, bucket.find("::")));
  EXPECT_EQ(skipped,
            (std::set<std::string>{"cocoapods", "conan", "erlang", "k8s", "pub", "swift"}));
}

// composer.vendor's input is a bare installed.json; where Composer writes it
// (vendor/composer/installed.json) bulwark reads it and reproduces the golden. installed.json
// is installed metadata: the directory is scanned as an installed system (rootfs:).
TEST(TrivyGoldens, ComposerVendorGoldenFromVendorComposerInstalledJson) {
  BULWARK_REQUIRE_SHARED(kIntegration);
  BULWARK_REQUIRE_SHARED(std::string(kLanguageRepo) + "/composer-vendor/installed.json");
  Fixture& f = fixture();
  ASSERT_TRUE(f.error.empty()) << f.error;
  TempDir root;
  ASSERT_FALSE(root.path().empty());
  const fs::path vendor = root.path() / "vendor" / "composer";
  fs::create_directories(vendor);
  fs::copy_file(testing::sharedTestdata() / kLanguageRepo / "composer-vendor" / "installed.json",
                vendor / "installed.json");
  auto golden = readIntegrationGolden(testing::sharedTestdata() / kIntegration /
                                      "composer.vendor.json.golden");
  ASSERT_TRUE(golden) << golden.error().message;
  pipeline::ScanOptions options;
  options.database = f.db.string();
  auto report = pipeline::scanTarget("rootfs:" + root.path().string(), options);
  ASSERT_TRUE(report) << report.error().message;
  std::vector<VulnerabilityRow> rows;
  for (const auto& finding : report->findings) rows.push_back(rowFromFinding(finding));
  std::sort(rows.begin(), rows.end());
  ASSERT_EQ(golden->language_rows.size(), 1U);
  EXPECT_EQ(compareRowCounts(golden->language_rows, rows), std::vector<std::string>{});
  std::vector<std::pair<std::string, std::string>> packages;
  for (const auto& p : report->inventory.packages) packages.emplace_back(p.name, p.fullVersion());
  EXPECT_EQ(comparePackages(golden->language_packages, packages), std::vector<std::string>{});
}

TEST(TrivyGoldens, EveryGoldenIsComparedOrOutOfScope) {
  BULWARK_REQUIRE_SHARED(kIntegration);
  std::set<std::string_view> compared;
  for (const auto& c : cases()) compared.insert(c.golden);
  for (const auto& c : languageCases()) compared.insert(c.golden);
  std::size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(testing::sharedTestdata() / kIntegration)) {
    const std::string file = entry.path().filename().string();
    constexpr std::string_view kSuffix = ".json.golden";
    if (!file.ends_with(kSuffix)) continue;
    ++seen;
    const std::string name = file.substr(0, file.size() - kSuffix.size());
    EXPECT_TRUE(compared.contains(name) != outOfScope().contains(name))
        << name << ": must be either compared or listed as out of scope (not both)";
  }
  EXPECT_EQ(seen, compared.size() + outOfScope().size());
}

TEST(TrivyGoldens, GoldensMatchOrDifferAsReviewed) {
  BULWARK_REQUIRE_SHARED(kIntegration);
  BULWARK_REQUIRE_SHARED(kFanal);
  Fixture& f = fixture();
  ASSERT_TRUE(f.error.empty()) << f.error;
  ASSERT_TRUE(f.database.has_value());

  std::map<std::string, std::string> actual;  // "golden | difference" → "" (reason from file)
  std::size_t trivy_rows = 0;
  std::size_t identical = 0;
  for (const auto& c : cases()) {
    const CaseResult result = runCase(c, *f.database);
    trivy_rows += result.trivy_rows;
    std::size_t differing = 0;
    for (const auto& difference : result.differences) {
      actual[std::string(c.golden) + " | " + difference] = "";
      if (!difference.starts_with("inventory lacks")) ++differing;
    }
    identical += result.trivy_rows - std::min(result.trivy_rows, differing);
    std::cout << c.golden << ": trivy " << result.trivy_rows << ", bulwark " << result.bulwark_rows
              << ", differences " << result.differences.size() << "\n";
  }
  for (const auto& c : languageCases()) {
    const CaseResult result = runLanguageCase(c, f.db);
    trivy_rows += result.trivy_rows;
    std::size_t differing = 0;
    for (const auto& difference : result.differences) {
      actual[std::string(c.golden) + " | " + difference] = "";
      if (!difference.starts_with("extra") && !difference.starts_with("package")) ++differing;
    }
    identical += result.trivy_rows - std::min(result.trivy_rows, differing);
    // Every input holds packages: an empty scan would make "no findings" vacuous.
    EXPECT_EQ(result.packages == 0, c.unread)
        << c.golden << ": " << result.packages << " packages found in " << c.input;
    std::cout << c.golden << " (lang): packages " << result.packages << ", trivy "
              << result.trivy_rows << ", bulwark " << result.bulwark_rows << ", differences "
              << result.differences.size() << "\n";
  }
  std::cout << "golden findings: " << trivy_rows << ", reproduced exactly: " << identical << "\n";
  EXPECT_GT(trivy_rows, 0U);

  Expected expected = readExpected();
  if (const char* update = std::getenv("BULWARK_UPDATE_GOLDEN");
      update != nullptr && std::string_view(update) == "1") {
    std::ofstream out(expectedPath());
    for (const auto& line : expected.header) out << line << "\n";
    for (const auto& [key, ignored] : actual) {
      const auto kept = expected.reasons.find(key);
      out << key << " | "
          << (kept != expected.reasons.end() && !kept->second.empty() ? kept->second : "UNREVIEWED")
          << "\n";
    }
    GTEST_SKIP() << "rewrote " << expectedPath() << ": review every UNREVIEWED line";
  }
  for (const auto& [key, ignored] : actual) {
    EXPECT_TRUE(expected.reasons.contains(key))
        << "new difference (a regression, or a change to review):\n  " << key;
  }
  for (const auto& [key, reason] : expected.reasons) {
    EXPECT_TRUE(actual.contains(key))
        << "listed difference no longer happens (a fix? remove the line):\n  " << key;
    EXPECT_FALSE(reason.empty() || reason == "UNREVIEWED")
        << "difference without a reason:\n  " << key;
  }
}

}  // namespace
}  // namespace bulwark::accuracy::trivy
