// SUSE CVRF advisories: the real files of ../shared/testdata/scan/vulns/sles/vuln-list-update/
// cvrf (and their defects), the release keys of SUSE products and rolling releases, and rpm
// inventories of SLES and openSUSE Tumbleweed matched end to end through a database.
#include "vulndb/feeds/suse/cvrf.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "match/matcher.h"
#include "testdata.h"
#include "vulndb/database.h"
#include "vulndb/ecosystem.h"
#include "vulndb/importer.h"

namespace bulwark::vulndb::feeds {
namespace {

namespace fs = std::filesystem;
using model::AffectedStatus;
using model::Severity;
using testing::readFile;
using testing::sharedTestdata;

constexpr std::string_view kCvrfDir = "scan/vulns/sles/vuln-list-update/cvrf";

struct Parsed {
  core::Result<SuseCvrfSummary> summary;
  std::vector<model::Advisory> advisories;
  std::vector<core::Diagnostic> diagnostics;

  [[nodiscard]] std::size_t count(std::string_view kind) const {
    std::size_t n = 0;
    for (const auto& d : diagnostics) n += d.kind == kind;
    return n;
  }
  [[nodiscard]] std::string detailOf(std::string_view kind) const {
    for (const auto& d : diagnostics) {
      if (d.kind == kind) return d.detail;
    }
    return {};
  }
};

Parsed parse(std::string_view bytes, std::string_view where = "test.xml") {
  Parsed out{.summary = SuseCvrfSummary{}};
  core::Diagnostics diagnostics;
  out.summary = parseSuseCvrfDocument(
      bytes, where, [&](model::Advisory&& a) { out.advisories.push_back(std::move(a)); },
      diagnostics);
  out.diagnostics = diagnostics.sorted();
  return out;
}

Parsed parseShared(std::string_view file) {
  return parse(readFile(sharedTestdata() / kCvrfDir / file), file);
}

const model::AffectedPackage* find(const model::Advisory& advisory, std::string_view ecosystem,
                                   std::string_view name) {
  for (const auto& p : advisory.affected) {
    if (p.ecosystem == ecosystem && p.name == name) return &p;
  }
  return nullptr;
}

TEST(SuseCvrf, SlesAdvisoryIsOneRecordWithItsCveAsAlias) {
  BULWARK_REQUIRE_SHARED(kCvrfDir);
  const auto parsed = parseShared("cvrf-suse-su-2019-1608-1.xml");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  ASSERT_EQ(parsed.advisories.size(), 1U);
  const auto& advisory = parsed.advisories.front();
  EXPECT_EQ(advisory.id, "SUSE-SU-2019:1608-1");
  EXPECT_EQ(advisory.source, "suse-cvrf");
  EXPECT_EQ(advisory.aliases, std::vector<std::string>{"CVE-2019-1559"});
  EXPECT_EQ(advisory.published, "2019-06-21T08:27:12Z") << "InitialReleaseDate";
  EXPECT_FALSE(advisory.summary.empty());
  EXPECT_NE(advisory.details.find("CVE-2019-1559"), std::string::npos);
  EXPECT_NE(std::find(advisory.references.begin(), advisory.references.end(),
                      "https://www.suse.com/support/update/announcement/2019/suse-su-20191608-1/"),
            advisory.references.end());
  // 15 relationships: Desktop 12 SP3/SP4, SAP 12 SP1..SP4, Legacy Software 12 → sles:12.N
  EXPECT_EQ(parsed.summary->relationships, 15U);
  EXPECT_EQ(parsed.summary->statements, 15U);
  EXPECT_EQ(parsed.summary->unevaluable_platforms, 0U);
  for (const auto* release : {"sles:12.1", "sles:12.2", "sles:12.3", "sles:12.4", "sles:12"}) {
    const auto* package = find(advisory, release, "libopenssl0_9_8");
    ASSERT_NE(package, nullptr) << release;
    EXPECT_EQ(package->status, AffectedStatus::Fixed);
    EXPECT_EQ(package->fixed_version, "0.9.8j-106.12.1");
    EXPECT_EQ(package->severity, Severity::Medium);
    EXPECT_EQ(package->urgency, "moderate");
    ASSERT_EQ(package->ranges.size(), 1U);
    EXPECT_EQ(package->ranges[0].events.back().version, "0.9.8j-106.12.1");
  }
  // The same (release, package) named by two products is one statement.
  std::size_t sles124 = 0;
  for (const auto& p : advisory.affected) sles124 += p.ecosystem == "sles:12.4";
  EXPECT_EQ(sles124, 2U) << "compat-openssl098 and libopenssl0_9_8 for 12 SP4";
  ASSERT_EQ(advisory.severities.size(), 1U);
  EXPECT_EQ(advisory.severities[0].type, "suse-severity");
  EXPECT_EQ(advisory.severities[0].severity, Severity::Medium);
  EXPECT_TRUE(parsed.diagnostics.empty());
}

TEST(SuseCvrf, PackageSeverityIsTheHighestOfTheCvesNamingIt) {
  BULWARK_REQUIRE_SHARED(kCvrfDir);
  const auto parsed = parseShared("cvrf-suse-su-2019-3294-1.xml");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  ASSERT_EQ(parsed.advisories.size(), 1U);
  const auto& advisory = parsed.advisories.front();
  EXPECT_EQ(advisory.id, "SUSE-SU-2019:3294-1");
  EXPECT_EQ(advisory.aliases.size(), 16U);
  EXPECT_EQ(parsed.summary->vulnerabilities, 16U);
  const auto* kernel = find(advisory, "sles:12.4", "kernel-devel-rt");
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->fixed_version, "4.12.14-8.9.3");
  EXPECT_EQ(kernel->severity, Severity::High) << "4 of the 16 CVEs are important";
  EXPECT_EQ(kernel->urgency, "important");
  EXPECT_EQ(advisory.severities.at(0).severity, Severity::High);
}

TEST(SuseCvrf, OpenSuseReleasesBeforeAndSinceLeap) {
  BULWARK_REQUIRE_SHARED(kCvrfDir);
  const auto leap = parseShared("cvrf-opensuse-su-2018-1633-1.xml");
  ASSERT_TRUE(leap.summary);
  const auto* glibc = find(leap.advisories.at(0), "opensuse-leap:15.0", "glibc");
  ASSERT_NE(glibc, nullptr);
  EXPECT_EQ(glibc->fixed_version, "2.26-lp150.11.3.2");
  EXPECT_NE(find(leap.advisories.at(0), "opensuse-leap:15.0", "glibc-32bit"), nullptr);

  const auto old = parseShared("cvrf-opensuse-su-2015-0798-1.xml");
  ASSERT_TRUE(old.summary);
  const auto& pillow = old.advisories.at(0);
  EXPECT_EQ(pillow.id, "openSUSE-SU-2015:0798-1");
  EXPECT_EQ(pillow.aliases,
            (std::vector<std::string>{"CVE-2014-3589", "CVE-2014-3598", "CVE-2014-9601"}));
  const auto* package = find(pillow, "opensuse:13.2", "python-Pillow-tk");
  ASSERT_NE(package, nullptr);
  EXPECT_EQ(package->fixed_version, "2.8.1-3.3.1");
}

// cvrf-opensuse-su-2016-0874-1.xml declares UTF-8 but is Latin-1 ("Ga\xEBl"), lists no
// relationship and has a "Fixed" status without products: nothing is lost, all is reported.
TEST(SuseCvrf, RealFileDefectsAreReportedNotFatal) {
  BULWARK_REQUIRE_SHARED(kCvrfDir);
  const auto parsed = parseShared("cvrf-opensuse-su-2016-0874-1.xml");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  ASSERT_EQ(parsed.advisories.size(), 1U);
  const auto& advisory = parsed.advisories.front();
  EXPECT_EQ(advisory.id, "openSUSE-SU-2016:0874-1");
  EXPECT_EQ(advisory.aliases, std::vector<std::string>{"CVE-2016-3116"});
  EXPECT_NE(advisory.details.find("Ga\xC3\xABl Portay"), std::string::npos);
  EXPECT_GE(parsed.summary->latin1_bytes, 1U);
  EXPECT_EQ(parsed.count("suse-cvrf.encoding"), 1U);
  EXPECT_EQ(parsed.count("suse-cvrf.malformed-record"), 1U) << "the empty Fixed status";
  EXPECT_EQ(parsed.count(kUnevaluable), 1U) << "no package statement";
  EXPECT_TRUE(advisory.affected.empty());
  EXPECT_EQ(advisory.severities.at(0).severity, Severity::Medium);
}

TEST(SuseCvrf, EverySharedFileImports) {
  BULWARK_REQUIRE_SHARED(kCvrfDir);
  std::size_t files = 0;
  std::size_t packages = 0;
  std::map<std::string, std::size_t> per_release;
  for (const auto& entry : fs::directory_iterator(sharedTestdata() / kCvrfDir)) {
    const std::string bytes = readFile(entry.path());
    EXPECT_TRUE(detectSuseCvrf(entry.path().string(), bytes.substr(0, kDetectBytes)))
        << entry.path();
    const FeedFormat* format = detectFeed(entry.path().string(), bytes.substr(0, kDetectBytes));
    ASSERT_NE(format, nullptr) << entry.path();
    EXPECT_EQ(format->name, "suse-cvrf");
    const auto parsed = parse(bytes, entry.path().string());
    ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
    ASSERT_EQ(parsed.advisories.size(), 1U) << entry.path();
    EXPECT_FALSE(parsed.advisories[0].aliases.empty()) << entry.path();
    for (const auto& p : parsed.advisories[0].affected) {
      ++per_release[p.ecosystem];
      EXPECT_FALSE(p.name.empty());
      EXPECT_FALSE(p.fixed_version.empty()) << p.name;
    }
    packages += parsed.summary->packages;
    ++files;
  }
  EXPECT_EQ(files, 11U);
  EXPECT_GT(packages, 150U);
  EXPECT_GT(per_release["sles:11.4"], 0U);
  EXPECT_GT(per_release["sles:15.1"], 0U);
  EXPECT_GT(per_release["sles:11.3"], 0U) << "Point of Sale 11 SP3";
  EXPECT_GT(per_release["opensuse:13.1"], 0U);
  for (const auto& [release, n] : per_release) {
    EXPECT_TRUE(release.starts_with("sles:") || release.starts_with("opensuse")) << release;
  }
}

// --- hand-made documents: what the real files above do not show ---

std::string document(std::string_view tree, std::string_view vulnerabilities,
                     std::string_view id = "SUSE-SU-2024:1234-1") {
  return std::string(R"(<?xml version="1.0" encoding="UTF-8"?>
<cvrfdoc xmlns="http://www.icasi.org/CVRF/schema/cvrf/1.1">
<DocumentTitle>t</DocumentTitle>
<DocumentTracking><Identification><ID>)") +
         std::string(id) +
         R"(</ID></Identification>
<InitialReleaseDate>2024-04-01T00:00:00Z</InitialReleaseDate>
<CurrentReleaseDate>2024-04-02T00:00:00Z</CurrentReleaseDate></DocumentTracking>
<ProductTree>)" +
         std::string(tree) + "</ProductTree>" + std::string(vulnerabilities) + "</cvrfdoc>";
}

std::string relationship(std::string_view package, std::string_view platform) {
  return "<Relationship ProductReference=\"" + std::string(package) +
         "\" RelationType=\"Default Component Of\" RelatesToProductReference=\"" +
         std::string(platform) + "\"><FullProductName ProductID=\"" + std::string(platform) + ":" +
         std::string(package) + "\"/></Relationship>";
}

std::string vulnerability(std::string_view cve, std::string_view status,
                          const std::vector<std::string>& products, std::string_view impact) {
  std::string out = "<Vulnerability><CVE>" + std::string(cve) + "</CVE><ProductStatuses>";
  out += "<Status Type=\"" + std::string(status) + "\">";
  for (const auto& p : products) out += "<ProductID>" + p + "</ProductID>";
  out += "</Status></ProductStatuses><Threats><Threat Type=\"Impact\"><Description>" +
         std::string(impact) + "</Description></Threat></Threats></Vulnerability>";
  return out;
}

TEST(SuseCvrf, StatusesReleasesAndArchitectures) {
  const std::string sles = "SUSE Linux Enterprise Server 15 SP3";
  const std::string ltss = "SUSE Linux Enterprise Server 15 SP3-LTSS";
  const std::string manager = "SUSE Manager Server 4.2";
  const std::string tree = relationship("curl-8.0.1-150300.11.1.x86_64", sles) +
                           relationship("curl-8.0.1-150300.11.4.x86_64", ltss) +
                           relationship("curl-8.0.1-150300.11.1.x86_64", manager) +
                           relationship("libcurl4-8.0.1-150300.11.1.s390x", sles) +
                           relationship("wget", sles);
  const std::string vulns =
      vulnerability(
          "CVE-2024-0001", "Fixed",
          {sles + ":curl-8.0.1-150300.11.1.x86_64", ltss + ":curl-8.0.1-150300.11.4.x86_64",
           manager + ":curl-8.0.1-150300.11.1.x86_64"},
          "low") +
      vulnerability("CVE-2024-0002", "Known Not Affected", {sles + ":wget"}, "low") +
      vulnerability(
          "CVE-2024-0003", "Fixed",
          {sles + ":curl-8.0.1-150300.11.1.x86_64", "openSUSE Leap 15.5:zlib-1.2.13-150500.4.3.1"},
          "important");
  const auto parsed = parse(document(tree, vulns));
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  const auto& advisory = parsed.advisories.at(0);
  EXPECT_EQ(advisory.aliases,
            (std::vector<std::string>{"CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003"}));
  const auto* curl = find(advisory, "sles:15.3", "curl");
  ASSERT_NE(curl, nullptr);
  EXPECT_EQ(curl->fixed_version, "8.0.1-150300.11.1") << "the lowest fix of the release";
  EXPECT_EQ(curl->severity, Severity::High) << "CVE-2024-0003 (important) names it too";
  const auto* libcurl = find(advisory, "sles:15.3", "libcurl4");
  ASSERT_NE(libcurl, nullptr) << "architecture suffix dropped";
  EXPECT_EQ(libcurl->fixed_version, "8.0.1-150300.11.1");
  EXPECT_EQ(libcurl->severity, Severity::High) << "no status names it: the document's maximum";
  EXPECT_EQ(parsed.summary->unlisted_relationships, 1U);
  const auto* wget = find(advisory, "sles:15.3", "wget");
  ASSERT_NE(wget, nullptr);
  EXPECT_EQ(wget->status, AffectedStatus::NotAffected);
  EXPECT_TRUE(wget->ranges.empty());
  // The status names a product no relationship defines: read from its id, and reported.
  const auto* zlib = find(advisory, "opensuse-leap:15.5", "zlib");
  ASSERT_NE(zlib, nullptr);
  EXPECT_EQ(zlib->fixed_version, "1.2.13-150500.4.3.1");
  EXPECT_EQ(parsed.count("suse-cvrf.malformed-record"), 1U);
  // SUSE Manager has no release key: counted and listed once.
  EXPECT_EQ(parsed.summary->unevaluable_platforms, 1U);
  ASSERT_EQ(parsed.count(kUnevaluable), 1U);
  EXPECT_NE(parsed.detailOf(kUnevaluable).find(manager), std::string::npos);
}

TEST(SuseCvrf, BadInputIsAnErrorOrADiagnostic) {
  EXPECT_FALSE(parse("").summary);
  EXPECT_FALSE(parse("<oval_definitions/>").summary);
  EXPECT_FALSE(parse(document("", "", "")).summary) << "no tracking id";
  // Cut short: what was read is kept.
  const std::string whole = document(
      relationship("vim-9.1-1.1", "openSUSE Tumbleweed"),
      vulnerability("CVE-2024-0009", "Fixed", {"openSUSE Tumbleweed:vim-9.1-1.1"}, "moderate"));
  const auto cut = parse(std::string_view(whole).substr(0, whole.find("<Threats>")));
  ASSERT_TRUE(cut.summary) << cut.summary.error().message;
  EXPECT_EQ(cut.count("suse-cvrf.malformed-xml"), 1U);
  ASSERT_EQ(cut.advisories.size(), 1U);
  const auto* vim = find(cut.advisories[0], "opensuse-tumbleweed", "vim");
  ASSERT_NE(vim, nullptr);
  EXPECT_EQ(vim->fixed_version, "9.1-1.1");
  // A fixed product without a version, an unknown status type.
  const auto odd =
      parse(document(relationship("vim", "openSUSE Tumbleweed"),
                     vulnerability("CVE-2024-0010", "Fixed", {"openSUSE Tumbleweed:vim"}, "low") +
                         vulnerability("CVE-2024-0011", "Recommended", {"x:y-1-1"}, "low")));
  ASSERT_TRUE(odd.summary);
  EXPECT_EQ(odd.count("suse-cvrf.malformed-record"), 2U);
  EXPECT_TRUE(odd.advisories.at(0).affected.empty());
}

TEST(SuseCvrf, RpmReferences) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(splitSuseRpmReference("python-Pillow-2.8.1-3.3.1"), P("python-Pillow", "2.8.1-3.3.1"));
  EXPECT_EQ(splitSuseRpmReference("libopenssl3-3.1.5-9.1.x86_64"), P("libopenssl3", "3.1.5-9.1"));
  EXPECT_EQ(splitSuseRpmReference("openssl-3-3.1.5-9.1.noarch"), P("openssl-3", "3.1.5-9.1"));
  EXPECT_EQ(splitSuseRpmReference("iscsitarget-kmp-rt-1.4.20_3.0.101_rt130_69.24-0.43.2.1"),
            P("iscsitarget-kmp-rt", "1.4.20_3.0.101_rt130_69.24-0.43.2.1"));
  EXPECT_EQ(splitSuseRpmReference("glibc-2.26-lp150.11.3.2"), P("glibc", "2.26-lp150.11.3.2"));
  EXPECT_EQ(splitSuseRpmReference("kernel-default"), P());
  EXPECT_EQ(splitSuseRpmReference("vim"), P());
  EXPECT_EQ(splitSuseRpmReference("-1-2"), P());
  EXPECT_EQ(splitSuseRpmReference("a--2"), P());
}

TEST(SuseEcosystem, ProductNamesAsSuseAndOsvSpellThem) {
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Server 15 SP3"), "sles:15.3");
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Module for Basesystem 15 SP3"), "sles:15.3");
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Server 12 SP4-LTSS"), "sles:12.4");
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Server 11 SP4 LTSS"), "sles:11.4");
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Module for Legacy Software 12"), "sles:12");
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Module for Python 3 15 SP4"), "sles:15.4");
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Module for Python 3 15"), "sles:15");
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Server 16.0"), "sles:16.0");
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Micro 5.3"), "sle-micro:5.3");
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Micro for Rancher 5.4"), "sle-micro:5.4");
  EXPECT_EQ(suseEcosystem("SUSE Linux Micro 6.0"), "sle-micro:6.0");
  EXPECT_EQ(suseEcosystem("openSUSE Leap 15.5"), "opensuse-leap:15.5");
  EXPECT_EQ(suseEcosystem("openSUSE Leap 15.5 NonFree"), "opensuse-leap:15.5");
  EXPECT_EQ(suseEcosystem("openSUSE Leap Micro 5.5"), "opensuse-leap-micro:5.5");
  EXPECT_EQ(suseEcosystem("openSUSE Tumbleweed"), "opensuse-tumbleweed");
  EXPECT_EQ(suseEcosystem("openSUSE 13.2"), "opensuse:13.2");
  // OSV's SUSE ecosystems
  EXPECT_EQ(suseEcosystem("SUSE:Linux Enterprise Server 15 SP5"), "sles:15.5");
  EXPECT_EQ(suseEcosystem("SUSE:Linux Enterprise Micro 5.5"), "sle-micro:5.5");
  EXPECT_EQ(suseEcosystem("openSUSE:Leap 15.5"), "opensuse-leap:15.5");
  EXPECT_EQ(suseEcosystem("openSUSE:Tumbleweed"), "opensuse-tumbleweed");
  // Not an operating system release
  EXPECT_EQ(suseEcosystem("SUSE Manager Server 4.2"), "");
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Module for SUSE Manager Server 4.0"), "");
  EXPECT_EQ(suseEcosystem("SUSE Linux Enterprise Storage 7"), "");
  EXPECT_EQ(suseEcosystem("SUSE Enterprise Storage 6"), "");
  EXPECT_EQ(suseEcosystem("SUSE CaaS Platform 4.0"), "");
  EXPECT_EQ(suseEcosystem("openSUSE Leap"), "");
  EXPECT_EQ(suseEcosystem(""), "");
}

TEST(SuseEcosystem, InstalledSystemsKeyLikeTheirAdvisories) {
  auto key = [](std::string id, std::string version) {
    model::Distro distro;
    distro.id = std::move(id);
    distro.version_id = std::move(version);
    return osEcosystem(distro);
  };
  // ../shared/testdata/scan/pkgdb/os-release/trivy/release/*
  EXPECT_EQ(key("opensuse-tumbleweed", "20220412"), "opensuse-tumbleweed");
  EXPECT_EQ(key("opensuse-tumbleweed", ""), "opensuse-tumbleweed");
  EXPECT_EQ(key("sles", "15.3"), "sles:15.3");
  EXPECT_EQ(key("sles", "15"), "sles:15");
  EXPECT_EQ(key("sled", "12.4"), "sles:12.4");
  EXPECT_EQ(key("sles_sap", "15.4"), "sles:15.4");
  EXPECT_EQ(key("opensuse-leap", "15.2.1"), "opensuse-leap:15.2");
  EXPECT_EQ(key("opensuse", "42.3"), "opensuse-leap:42.3");
  EXPECT_EQ(key("opensuse", "13.2"), "opensuse:13.2");
  EXPECT_EQ(key("sle-micro", "5.3"), "sle-micro:5.3");
  EXPECT_EQ(key("sl-micro", "6.0"), "sle-micro:6.0");
  EXPECT_EQ(key("sle-micro-rancher", "5.4"), "sle-micro:5.4");
  EXPECT_EQ(osEcosystem("sles", "15-SP3"), "sles:15.3");
  // Rolling releases: the id alone, whatever the version says.
  EXPECT_TRUE(isRollingRelease("opensuse-tumbleweed"));
  EXPECT_TRUE(isRollingRelease("wolfi"));
  EXPECT_FALSE(isRollingRelease("alpine"));
  EXPECT_FALSE(isRollingRelease("arch")) << "no feed: reported unmatched, not silently clean";
  EXPECT_EQ(key("wolfi", "20230201"), "wolfi");
  EXPECT_EQ(key("chainguard", ""), "chainguard");
  EXPECT_EQ(key("arch", ""), "");
  model::Distro edge;  // a branch of a versioned distribution, not a rolling release
  edge.id = "alpine";
  edge.version_id = "3.20.0_alpha20240329";
  edge.codename = "edge";
  EXPECT_EQ(osEcosystem(edge), "alpine:edge");
}

// --- end to end: import into a database, match rpm inventories ---

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-suse-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path_); }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

model::Package rpm(std::string name, std::string version, std::string release) {
  model::Package p;
  p.type = model::PackageType::Rpm;
  p.name = std::move(name);
  p.version = std::move(version);
  p.release = std::move(release);
  p.arch = "x86_64";
  return p;
}

std::map<std::string, const model::Finding*> byId(const std::vector<model::Finding>& findings) {
  std::map<std::string, const model::Finding*> out;
  for (const auto& f : findings) out[f.vulnerability_id + " " + f.package_name] = &f;
  return out;
}

TEST(SuseMatch, SlesAndTumbleweedInventoriesAgainstImportedAdvisories) {
  BULWARK_REQUIRE_SHARED(kCvrfDir);
  TempDir dir;
  const std::string db_path = dir.file("bulwark.db");
  auto report =
      importFeeds(db_path, {(sharedTestdata() / kCvrfDir).string(),
                            (testing::fixtures() / "suse" / "tumbleweed-cvrf.xml").string()});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->advisories, 12U);
  auto db = Database::open(db_path);
  ASSERT_TRUE(db) << db.error().message;

  model::Inventory tumbleweed;
  tumbleweed.distro.id = "opensuse-tumbleweed";
  tumbleweed.distro.version_id = "20240101";
  tumbleweed.packages = {rpm("libopenssl3", "3.1.4", "9.1"), rpm("openssl-3", "3.1.5", "9.1")};
  core::Diagnostics diagnostics;
  auto found = match::matchInventory(*db, tumbleweed, diagnostics);
  ASSERT_TRUE(found) << found.error().message;
  auto findings = byId(*found);
  ASSERT_EQ(findings.size(), 2U);
  const auto* moderate = findings.at("CVE-2023-6129 libopenssl3");
  EXPECT_EQ(moderate->fixed_version, "3.1.5-9.1");
  EXPECT_EQ(moderate->status, AffectedStatus::Fixed);
  EXPECT_EQ(moderate->severity, Severity::Medium) << "the package's highest CVE severity";
  EXPECT_NE(
      std::find(moderate->aliases.begin(), moderate->aliases.end(), "openSUSE-SU-2099:0001-1"),
      moderate->aliases.end());
  EXPECT_EQ(findings.count("CVE-2023-6237 libopenssl3"), 1U);
  EXPECT_EQ(findings.count("CVE-2023-6129 openssl-3"), 0U) << "3.1.5-9.1 is the fix";

  model::Inventory sles;
  sles.distro.id = "sles";
  sles.distro.version_id = "12.4";
  sles.packages = {rpm("libopenssl0_9_8", "0.9.8j", "106.9.1"),
                   rpm("compat-openssl098", "0.9.8j", "106.12.1"),
                   rpm("kernel-devel-rt", "4.12.14", "8.6.1")};
  found = match::matchInventory(*db, sles, diagnostics);
  ASSERT_TRUE(found) << found.error().message;
  findings = byId(*found);
  ASSERT_EQ(findings.count("CVE-2019-1559 libopenssl0_9_8"), 1U);
  EXPECT_EQ(findings.at("CVE-2019-1559 libopenssl0_9_8")->fixed_version, "0.9.8j-106.12.1");
  EXPECT_EQ(findings.count("CVE-2019-1559 compat-openssl098"), 0U) << "installed the fix";
  std::size_t kernel = 0;
  for (const auto& [key, finding] : findings) kernel += finding->package_name == "kernel-devel-rt";
  EXPECT_EQ(kernel, 16U) << "one finding per CVE of SUSE-SU-2019:3294-1";

  // Another release's statements do not apply.
  sles.distro.version_id = "15.1";
  found = match::matchInventory(*db, sles, diagnostics);
  ASSERT_TRUE(found);
  EXPECT_EQ(byId(*found).count("CVE-2019-1559 libopenssl0_9_8"), 0U);
}

}  // namespace
}  // namespace bulwark::vulndb::feeds
