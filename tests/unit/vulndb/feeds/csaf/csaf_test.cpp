// Red Hat CSAF VEX and advisory parser (src/vulndb/feeds/csaf): the real files of
// ../shared/testdata/scan/vulns/rhel (claircore-vex/, vunnel/csaf/), each checked against the
// JSON read by hand with jq (the product ids are quoted with each check), an import into a
// database and a lookup as the matcher does it, and damaged documents.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "match/matcher.h"
#include "testdata.h"
#include "version/scheme.h"
#include "vulndb/database.h"
#include "vulndb/feeds/csaf/csaf.h"
#include "vulndb/importer.h"

namespace bulwark::vulndb::feeds {
namespace {

namespace fs = std::filesystem;
using model::Advisory;
using model::AffectedPackage;
using model::AffectedStatus;
using model::RangeEvent;

struct Parsed {
  core::Result<CsafSummary> summary;
  std::vector<Advisory> advisories;
  std::vector<core::Diagnostic> diagnostics;

  std::size_t count(std::string_view kind) const {
    return static_cast<std::size_t>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                                  [&](const auto& d) { return d.kind == kind; }));
  }
};

Parsed parseBytes(std::string_view bytes, std::string_view where = "test.json") {
  Parsed out{.summary = CsafSummary{}};
  core::Diagnostics diagnostics;
  out.summary = parseCsafDocument(
      bytes, where, [&](Advisory&& advisory) { out.advisories.push_back(std::move(advisory)); },
      diagnostics);
  out.diagnostics = diagnostics.sorted();
  return out;
}

fs::path rhel(std::string_view relative) {
  return bulwark::testing::sharedTestdata() / "scan/vulns/rhel" / relative;
}

Parsed parseShared(std::string_view relative) {
  const auto path = rhel(relative);
  return parseBytes(bulwark::testing::readFile(path), path.string());
}

// Every statement about `name` in `ecosystem`.
std::vector<const AffectedPackage*> packages(const Advisory& advisory, std::string_view ecosystem,
                                             std::string_view name) {
  std::vector<const AffectedPackage*> out;
  for (const auto& p : advisory.affected) {
    if (p.ecosystem == ecosystem && p.name == name) out.push_back(&p);
  }
  return out;
}

const AffectedPackage* fixedIn(const Advisory& advisory, std::string_view ecosystem,
                               std::string_view name, std::string_view version) {
  for (const auto* p : packages(advisory, ecosystem, name)) {
    if (p->status == AffectedStatus::Fixed && p->fixed_version == version) return p;
  }
  return nullptr;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<RangeEvent> fixedRange(std::string_view version) {
  return {{RangeEvent::Kind::Introduced, "0"}, {RangeEvent::Kind::Fixed, std::string(version)}};
}

constexpr std::string_view kCurlVex = "claircore-vex/cve-2023-38545.json";

TEST(CsafVex, CurlSocks5Overflow) {
  BULWARK_REQUIRE_SHARED("scan/vulns/rhel/claircore-vex/cve-2023-38545.json");
  const auto parsed = parseShared(kCurlVex);
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  EXPECT_TRUE(parsed.diagnostics.empty());
  // product_status: 325 fixed + 247 known_not_affected. 209 are RHEL mainline rpms (CPE
  // cpe:/[ao]:redhat:enterprise_linux:N); 362 belong to EUS 9.0 (cpe …:rhel_eus:9.0),
  // Satellite and JBCS, and "Text-Only JBCS" is a product without a relationship.
  EXPECT_EQ(parsed.summary->vulnerabilities, 1U);
  EXPECT_EQ(parsed.summary->statements, 572U);
  EXPECT_EQ(parsed.summary->rhel_statements, 209U);
  EXPECT_EQ(parsed.summary->other_platforms, 363U);
  EXPECT_EQ(parsed.summary->non_rpm, 0U);
  EXPECT_EQ(parsed.summary->malformed, 0U);
  ASSERT_EQ(parsed.advisories.size(), 1U);

  const Advisory& cve = parsed.advisories.front();
  EXPECT_EQ(cve.id, "CVE-2023-38545");
  EXPECT_EQ(cve.source, "redhat-vex");
  EXPECT_EQ(cve.published, "2023-10-11T00:00:00+00:00");  // vulnerabilities[0].release_date
  EXPECT_EQ(cve.modified, "2025-11-21T14:31:32+00:00");   // tracking.current_release_date
  EXPECT_TRUE(cve.withdrawn.empty());
  EXPECT_EQ(cve.summary, "curl: heap based buffer overflow in the SOCKS5 proxy handshake");
  EXPECT_TRUE(cve.details.starts_with("A heap-based buffer overflow flaw was found in the SOCKS5"));
  EXPECT_TRUE(contains(cve.references, "https://access.redhat.com/security/cve/CVE-2023-38545"));
  EXPECT_TRUE(contains(cve.references, "https://curl.se/docs/CVE-2023-38545.html"));
  // RHSA-2023:6745 (9.3 main) and RHSA-2023:5763 (9.2 MAIN.EUS, mainline CPE) fix RHEL
  // products; RHSA-2023:5700 (9.0 EUS) and RHSA-2023:7625 (JBCS) do not.
  EXPECT_TRUE(contains(cve.aliases, "RHSA-2023:6745"));
  EXPECT_TRUE(contains(cve.aliases, "RHSA-2023:5763"));
  EXPECT_FALSE(contains(cve.aliases, "RHSA-2023:5700"));
  EXPECT_FALSE(contains(cve.aliases, "RHSA-2023:7625"));

  // Severities: aggregate "Important" and the CVSS 3.1 vector, scored by bulwark.
  bool saw_cvss = false;
  bool saw_impact = false;
  for (const auto& s : cve.severities) {
    if (s.type == "CVSS_V3") {
      saw_cvss = true;
      EXPECT_EQ(s.vector, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H");
      ASSERT_TRUE(s.score.has_value());
      EXPECT_DOUBLE_EQ(*s.score, 8.1);
      EXPECT_EQ(s.source, "redhat");
    }
    if (s.type == "redhat-vex-severity") {
      saw_impact = true;
      EXPECT_EQ(s.severity, model::Severity::High);
    }
  }
  EXPECT_TRUE(saw_cvss);
  EXPECT_TRUE(saw_impact);

  // "BaseOS-9.3.0.Z.MAIN:curl-0:7.76.1-26.el9_3.2.x86_64" and the .src sibling: curl is fixed
  // for every architecture (a source rpm statement covers all its builds).
  const auto* curl93 = fixedIn(cve, "rhel:9", "curl", "7.76.1-26.el9_3.2");
  ASSERT_NE(curl93, nullptr);
  EXPECT_TRUE(curl93->arches.empty());
  EXPECT_TRUE(curl93->module_stream.empty());
  ASSERT_EQ(curl93->ranges.size(), 1U);
  EXPECT_EQ(curl93->ranges.front().events, fixedRange("7.76.1-26.el9_3.2"));
  EXPECT_EQ(curl93->urgency, "Important");
  EXPECT_EQ(curl93->severity, model::Severity::High);
  // "AppStream-9.2.0.Z.MAIN.EUS:curl-0:7.76.1-23.el9_2.4.*": the 9.2 stream, mainline CPE.
  EXPECT_NE(fixedIn(cve, "rhel:9", "curl", "7.76.1-23.el9_2.4"), nullptr);
  // "AppStream-9.0.0.Z.EUS:curl-0:7.76.1-14.el9_0.9.*": cpe:/a:redhat:rhel_eus:9.0, not stored.
  EXPECT_EQ(fixedIn(cve, "rhel:9", "curl", "7.76.1-14.el9_0.9"), nullptr);
  EXPECT_EQ(packages(cve, "rhel:9", "curl").size(), 2U);
  // libcurl is a binary rpm only: its architectures are those listed.
  const auto* libcurl = fixedIn(cve, "rhel:9", "libcurl", "7.76.1-26.el9_3.2");
  ASSERT_NE(libcurl, nullptr);
  EXPECT_EQ(libcurl->arches,
            (std::vector<std::string>{"aarch64", "i686", "ppc64le", "s390x", "x86_64"}));
  EXPECT_NE(fixedIn(cve, "rhel:9", "libcurl-minimal", "7.76.1-26.el9_3.2"), nullptr);

  // "red_hat_enterprise_linux_{6,7,8}:curl" (and curl.src, libcurl, …) are known_not_affected.
  for (const std::string_view ecosystem : {"rhel:6", "rhel:7", "rhel:8"}) {
    const auto curl = packages(cve, ecosystem, "curl");
    ASSERT_EQ(curl.size(), 1U) << ecosystem;
    EXPECT_EQ(curl.front()->status, AffectedStatus::NotAffected);
    EXPECT_TRUE(curl.front()->ranges.empty());
    EXPECT_TRUE(curl.front()->fixed_version.empty());
    ASSERT_EQ(packages(cve, ecosystem, "libcurl").size(), 1U);
    EXPECT_EQ(packages(cve, ecosystem, "libcurl").front()->status, AffectedStatus::NotAffected);
  }
  EXPECT_EQ(packages(cve, "rhel:8", "libcurl-minimal").size(), 1U);
  EXPECT_TRUE(packages(cve, "rhel:6", "libcurl-minimal").empty());
  // Layered products are not stored under any ecosystem.
  for (const auto& p : cve.affected) {
    EXPECT_TRUE(p.ecosystem.starts_with("rhel:")) << p.ecosystem;
    EXPECT_FALSE(p.name.starts_with("jbcs-")) << p.name;
    EXPECT_NE(p.name, "puppet-agent");
  }
}

TEST(CsafVex, OutOfSupportScopeIsEndOfLife) {
  BULWARK_REQUIRE_SHARED("scan/vulns/rhel/claircore-vex/cve-2022-38752.json");
  const auto parsed = parseShared("claircore-vex/cve-2022-38752.json");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  EXPECT_TRUE(parsed.diagnostics.empty());
  // 28 fixed + 35 known_affected + 2353 known_not_affected; only
  // "red_hat_enterprise_linux_7:snakeyaml" is a RHEL statement (7 ids are bare products such
  // as "EAP 7.4.10 release").
  EXPECT_EQ(parsed.summary->statements, 2416U);
  EXPECT_EQ(parsed.summary->rhel_statements, 1U);
  EXPECT_EQ(parsed.summary->other_platforms, 2415U);
  ASSERT_EQ(parsed.advisories.size(), 1U);
  const Advisory& cve = parsed.advisories.front();
  EXPECT_EQ(cve.id, "CVE-2022-38752");
  ASSERT_EQ(cve.affected.size(), 1U);
  const AffectedPackage& snakeyaml = cve.affected.front();
  EXPECT_EQ(snakeyaml.ecosystem, "rhel:7");
  EXPECT_EQ(snakeyaml.name, "snakeyaml");  // no purl: the component id is the rpm name
  // remediations: no_fix_planned "Out of support scope" names red_hat_enterprise_linux_7:snakeyaml.
  EXPECT_EQ(snakeyaml.status, AffectedStatus::EndOfLife);
  ASSERT_EQ(snakeyaml.ranges.size(), 1U);
  EXPECT_EQ(snakeyaml.ranges.front().events,
            (std::vector<RangeEvent>{{RangeEvent::Kind::Introduced, "0"}}));
  EXPECT_TRUE(snakeyaml.fixed_version.empty());
  EXPECT_EQ(snakeyaml.severity, model::Severity::Medium);  // threats: "Moderate"
}

TEST(CsafVex, SambaNotAffectedAnywhere) {
  for (const std::string_view file :
       {"claircore-vex/cve-2023-4154.json", "claircore-vex/cve-2023-42670.json"}) {
    if (!fs::exists(rhel(file))) GTEST_SKIP() << "shared testdata absent: " << file;
    const auto parsed = parseShared(file);
    ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
    EXPECT_TRUE(parsed.diagnostics.empty()) << file;
    ASSERT_EQ(parsed.advisories.size(), 1U);
    const Advisory& cve = parsed.advisories.front();
    EXPECT_FALSE(cve.affected.empty());
    for (const auto& p : cve.affected) {
      EXPECT_EQ(p.status, AffectedStatus::NotAffected) << file << " " << p.name;
    }
  }
  // cve-2023-4154: 165 known_not_affected, 130 of them RHEL 6-9
  // ("red_hat_enterprise_linux_6:samba").
  const auto parsed = parseShared("claircore-vex/cve-2023-4154.json");
  ASSERT_TRUE(parsed.summary);
  EXPECT_EQ(parsed.summary->rhel_statements, 130U);
  EXPECT_EQ(packages(parsed.advisories.front(), "rhel:6", "samba").size(), 1U);
  EXPECT_EQ(packages(parsed.advisories.front(), "rhel:6", "samba").front()->urgency, "Moderate");
}

TEST(CsafAdvisory, RubyModuleStream) {
  BULWARK_REQUIRE_SHARED("scan/vulns/rhel/vunnel/csaf/advisories/rhsa-2023_7025.json");
  const auto parsed = parseShared("vunnel/csaf/advisories/rhsa-2023_7025.json");
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  EXPECT_TRUE(parsed.diagnostics.empty());
  ASSERT_EQ(parsed.advisories.size(), 1U);
  const Advisory& rhsa = parsed.advisories.front();
  EXPECT_EQ(rhsa.id, "RHSA-2023:7025");
  EXPECT_EQ(rhsa.source, "redhat-csaf");
  EXPECT_EQ(rhsa.aliases, (std::vector<std::string>{"CVE-2021-33621", "CVE-2022-28739",
                                                    "CVE-2023-28755", "CVE-2023-28756"}));
  EXPECT_EQ(rhsa.summary, "Red Hat Security Advisory: ruby:2.5 security update");
  EXPECT_EQ(rhsa.published, "2023-11-14T15:32:25+00:00");
  EXPECT_EQ(rhsa.modified, "2025-09-10T15:08:02+00:00");
  EXPECT_TRUE(contains(rhsa.references, "https://access.redhat.com/errata/RHSA-2023:7025"));
  // pkg:rpm/redhat/ruby@2.5.9-111.module%2Bel8.9.0%2B19193%2B435404ae?arch=src&
  //   rpmmod=ruby:2.5:8090020230627084142:b46abd14, in AppStream-8.9.0.GA
  //   (cpe:/a:redhat:enterprise_linux:8::appstream).
  const auto* ruby = fixedIn(rhsa, "rhel:8", "ruby", "2.5.9-111.module+el8.9.0+19193+435404ae");
  ASSERT_NE(ruby, nullptr);
  EXPECT_EQ(ruby->module_stream, "ruby:2.5");
  EXPECT_TRUE(ruby->arches.empty());  // the src rpm is listed
  EXPECT_EQ(ruby->severity, model::Severity::Medium);
  for (const auto& p : rhsa.affected) {
    EXPECT_EQ(p.status, AffectedStatus::Fixed);
    EXPECT_EQ(p.module_stream, "ruby:2.5") << p.name;
  }
}

TEST(CsafAdvisory, EveryVunnelSampleParses) {
  BULWARK_REQUIRE_SHARED("scan/vulns/rhel/vunnel/csaf/advisories");
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(rhel("vunnel/csaf"))) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    const std::string bytes = bulwark::testing::readFile(entry.path());
    if (entry.path().parent_path().filename() == "hydra") {
      // The Security Data API's CVE JSON is another format.
      EXPECT_FALSE(detectCsaf(entry.path().string(), bytes)) << entry.path();
      continue;
    }
    ++files;
    EXPECT_TRUE(detectCsaf(entry.path().string(), bytes.substr(0, kDetectBytes))) << entry.path();
    const auto parsed = parseBytes(bytes, entry.path().string());
    ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
    EXPECT_EQ(parsed.count("csaf.malformed-record"), 0U) << entry.path();
    ASSERT_EQ(parsed.advisories.size(), 1U);
    EXPECT_TRUE(parsed.advisories.front().id.starts_with("RHSA-")) << entry.path();
    EXPECT_FALSE(parsed.advisories.front().aliases.empty()) << entry.path();
  }
  EXPECT_EQ(files, 8U);
}

TEST(CsafDetect, FeedTableChoosesCsaf) {
  BULWARK_REQUIRE_SHARED("scan/vulns/rhel/claircore-vex/cve-2023-38545.json");
  for (const auto& file : fs::directory_iterator(rhel("claircore-vex"))) {
    const std::string head = bulwark::testing::readFile(file.path()).substr(0, kDetectBytes);
    const FeedFormat* format = detectFeed(file.path().string(), head);
    ASSERT_NE(format, nullptr) << file.path();
    EXPECT_EQ(format->name, "redhat-csaf") << file.path();
  }
  EXPECT_FALSE(detectCsaf("x.json", R"({"id": "GHSA-1", "modified": "2024-01-01"})"));
  EXPECT_FALSE(detectCsaf("x.json", "<oval_definitions/>"));
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/bulwark-csaf-test-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    if (made != nullptr) path_ = made;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

TEST(CsafImport, LookupMatchesLikeOval) {
  BULWARK_REQUIRE_SHARED("scan/vulns/rhel/claircore-vex/cve-2023-38545.json");
  TempDir dir;
  const std::string path = dir.file("vulns.db");
  auto report = importFeeds(path, {rhel(kCurlVex).string()});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->advisories, 1U);
  auto db = Database::open(path);
  ASSERT_TRUE(db) << db.error().message;

  auto rhel9 = db->affecting("rhel:9", "libcurl");
  ASSERT_TRUE(rhel9) << rhel9.error().message;
  ASSERT_EQ(rhel9->size(), 2U);  // fixed in the 9.3 and in the 9.2 stream
  bool saw_main = false;
  for (const auto& record : *rhel9) {
    EXPECT_EQ(record.advisory_id, "CVE-2023-38545");
    EXPECT_EQ(record.source, "redhat-vex");
    EXPECT_EQ(record.affected.status, AffectedStatus::Fixed);
    if (record.affected.fixed_version != "7.76.1-26.el9_3.2") continue;
    saw_main = true;
    // The matcher's rpm comparison: the build before the fix is affected, the fix is not.
    EXPECT_TRUE(
        match::isAffected(record.affected, "7.76.1-26.el9_3", &version::compareRpm, nullptr));
    EXPECT_FALSE(
        match::isAffected(record.affected, "7.76.1-26.el9_3.2", &version::compareRpm, nullptr));
    EXPECT_FALSE(
        match::isAffected(record.affected, "0:7.76.1-29.el9", &version::compareRpm, nullptr));
  }
  EXPECT_TRUE(saw_main);

  auto rhel8 = db->affecting("rhel:8", "curl");
  ASSERT_TRUE(rhel8) << rhel8.error().message;
  ASSERT_EQ(rhel8->size(), 1U);
  EXPECT_EQ(rhel8->front().affected.status, AffectedStatus::NotAffected);

  auto layered = db->affecting("rhel:8", "jbcs-httpd24-curl");
  ASSERT_TRUE(layered);
  EXPECT_TRUE(layered->empty());
}

// ---- damaged input -------------------------------------------------------------------------

constexpr std::string_view kSmallVex = R"({
  "document": {"category": "csaf_vex", "csaf_version": "2.0",
    "aggregate_severity": {"text": "Low"},
    "tracking": {"id": "CVE-2099-0001", "status": "final",
                 "current_release_date": "2099-01-02T00:00:00+00:00"}},
  "product_tree": {
    "branches": [{"category": "vendor", "name": "Red Hat", "branches": [
      {"category": "product_name", "product": {"product_id": "BaseOS-8",
        "product_identification_helper": {"cpe": "cpe:/o:redhat:enterprise_linux:8::baseos"}}},
      {"category": "product_version", "product": {"product_id": "openssl-1:1.1.1k-7.el8_6.src",
        "product_identification_helper":
          {"purl": "pkg:rpm/redhat/openssl@1.1.1k-7.el8_6?arch=src&epoch=1"}}},
      {"category": "product_version", "product": {"product_id": "broken",
        "product_identification_helper": {"purl": "not a purl"}}},
      {"category": "product_version", "product": {"product_id": "unversioned",
        "product_identification_helper": {"purl": "pkg:rpm/redhat/zlib"}}},
      {"category": "product_version", "product": {"product_id": "image",
        "product_identification_helper": {"purl": "pkg:oci/ubi8@sha256:abc"}}}]}],
    "relationships": [
      {"category": "default_component_of", "product_reference": "openssl-1:1.1.1k-7.el8_6.src",
       "relates_to_product_reference": "BaseOS-8",
       "full_product_name": {"product_id": "BaseOS-8:openssl-1:1.1.1k-7.el8_6.src"}},
      {"category": "default_component_of", "product_reference": "broken",
       "relates_to_product_reference": "BaseOS-8",
       "full_product_name": {"product_id": "BaseOS-8:broken"}},
      {"category": "default_component_of", "product_reference": "unversioned",
       "relates_to_product_reference": "BaseOS-8",
       "full_product_name": {"product_id": "BaseOS-8:unversioned"}},
      {"category": "default_component_of", "product_reference": "image",
       "relates_to_product_reference": "BaseOS-8",
       "full_product_name": {"product_id": "BaseOS-8:image"}},
      {"category": "default_component_of", "product_reference": "x"}]},
  "vulnerabilities": [{"cve": "CVE-2099-0001",
    "product_status": {
      "fixed": ["BaseOS-8:openssl-1:1.1.1k-7.el8_6.src", "BaseOS-8:broken",
                "BaseOS-8:unversioned", "nowhere:zlib", 7],
      "known_affected": ["BaseOS-8:image"]},
    "remediations": [{"category": "none_available", "details": "Deferred",
                      "product_ids": ["BaseOS-8:image"]}]}]
})";

TEST(CsafDamaged, BadStatementsBecomeDiagnostics) {
  const auto parsed = parseBytes(kSmallVex);
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  ASSERT_EQ(parsed.advisories.size(), 1U);
  const Advisory& cve = parsed.advisories.front();
  ASSERT_EQ(cve.affected.size(), 1U);
  const AffectedPackage& openssl = cve.affected.front();
  EXPECT_EQ(openssl.ecosystem, "rhel:8");
  EXPECT_EQ(openssl.name, "openssl");
  EXPECT_EQ(openssl.fixed_version, "1:1.1.1k-7.el8_6");  // the epoch qualifier is kept
  EXPECT_EQ(openssl.status, AffectedStatus::Fixed);
  EXPECT_EQ(openssl.urgency, "Low");  // no threat: the aggregate severity
  EXPECT_EQ(parsed.summary->statements, 5U);
  EXPECT_EQ(parsed.summary->rhel_statements, 1U);
  EXPECT_EQ(parsed.summary->non_rpm, 1U);  // the OCI image
  // the bad purl, the fixed product without a version, the undefined product; plus the
  // relationship without ids and the non-string status entry.
  EXPECT_EQ(parsed.summary->malformed, 3U);
  EXPECT_EQ(parsed.count("csaf.malformed-record"), 5U);
}

// Unfixed statements as Red Hat writes them since 2024: source package names without purls,
// module streams as "module:stream/name", the remediation deciding the status.
constexpr std::string_view kUnfixedVex = R"({
  "document": {"category": "csaf_vex", "tracking": {"id": "CVE-2099-0002"}},
  "product_tree": {"branches": [
    {"category": "product_name", "product": {"product_id": "rhel8",
      "product_identification_helper": {"cpe": "cpe:2.3:o:redhat:enterprise_linux:8:*:*:*:*:*:*:*"}}},
    {"category": "product_name", "product": {"product_id": "rhel7",
      "product_identification_helper": {"cpe": "cpe:/o:redhat:enterprise_linux:7"}}},
    {"category": "product_name", "product": {"product_id": "ocp",
      "product_identification_helper": {"cpe": "cpe:/a:redhat:openshift:4"}}}],
   "relationships": [
    {"product_reference": "nodejs:18/nodejs", "relates_to_product_reference": "rhel8",
     "full_product_name": {"product_id": "rhel8:nodejs:18/nodejs"}},
    {"product_reference": "libssh", "relates_to_product_reference": "rhel8",
     "full_product_name": {"product_id": "rhel8:libssh"}},
    {"product_reference": "curl.src", "relates_to_product_reference": "rhel8",
     "full_product_name": {"product_id": "rhel8:curl.src"}},
    {"product_reference": "libssh", "relates_to_product_reference": "rhel7",
     "full_product_name": {"product_id": "rhel7:libssh"}},
    {"product_reference": "rhel8/buildah", "relates_to_product_reference": "ocp",
     "full_product_name": {"product_id": "ocp:rhel8/buildah"}}]},
  "vulnerabilities": [{"cve": "CVE-2099-0002",
    "product_status": {
      "known_affected": ["rhel8:nodejs:18/nodejs", "rhel8:libssh", "rhel7:libssh",
                         "ocp:rhel8/buildah"],
      "under_investigation": ["rhel8:curl.src"]},
    "remediations": [
      {"category": "no_fix_planned", "details": "Will not fix", "product_ids": ["rhel8:libssh"]},
      {"category": "none_available", "details": "Deferred",
       "product_ids": ["rhel8:nodejs:18/nodejs"]},
      {"category": "no_fix_planned", "details": "Out of support scope",
       "product_ids": ["rhel7:libssh"]}]}]
})";

TEST(CsafVex, UnfixedStatusesFromRemediations) {
  const auto parsed = parseBytes(kUnfixedVex);
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  EXPECT_TRUE(parsed.diagnostics.empty());
  EXPECT_EQ(parsed.summary->rhel_statements, 4U);
  EXPECT_EQ(parsed.summary->other_platforms, 1U);  // OpenShift
  ASSERT_EQ(parsed.advisories.size(), 1U);
  const Advisory& cve = parsed.advisories.front();
  ASSERT_EQ(cve.affected.size(), 4U);
  const auto nodejs = packages(cve, "rhel:8", "nodejs");
  ASSERT_EQ(nodejs.size(), 1U);
  EXPECT_EQ(nodejs.front()->module_stream, "nodejs:18");
  EXPECT_EQ(nodejs.front()->status, AffectedStatus::FixDeferred);
  ASSERT_EQ(nodejs.front()->ranges.size(), 1U);
  EXPECT_EQ(nodejs.front()->ranges.front().events,
            (std::vector<RangeEvent>{{RangeEvent::Kind::Introduced, "0"}}));
  ASSERT_EQ(packages(cve, "rhel:8", "libssh").size(), 1U);
  EXPECT_EQ(packages(cve, "rhel:8", "libssh").front()->status, AffectedStatus::WillNotFix);
  ASSERT_EQ(packages(cve, "rhel:7", "libssh").size(), 1U);
  EXPECT_EQ(packages(cve, "rhel:7", "libssh").front()->status, AffectedStatus::EndOfLife);
  ASSERT_EQ(packages(cve, "rhel:8", "curl").size(), 1U);
  EXPECT_EQ(packages(cve, "rhel:8", "curl").front()->status, AffectedStatus::UnderInvestigation);
}

TEST(CsafDamaged, UnusableFilesAreErrors) {
  EXPECT_FALSE(parseBytes("").summary);
  EXPECT_FALSE(parseBytes("not json").summary);
  EXPECT_FALSE(parseBytes("[]").summary);
  EXPECT_FALSE(parseBytes(R"({"document": {"category": "csaf_base",
      "tracking": {"id": "X"}}})")
                   .summary);
  EXPECT_FALSE(parseBytes(R"({"document": {"category": "csaf_vex"}})").summary);
  EXPECT_FALSE(parseBytes(R"({"document": {"category": "csaf_vex", "tracking": {"id": "C"}},
      "vulnerabilities": {}})")
                   .summary);
  // Every prefix of a real document is rejected or parsed, never a crash.
  const std::string whole(kSmallVex);
  for (std::size_t cut = 0; cut < whole.size(); cut += 7) {
    const auto parsed = parseBytes(whole.substr(0, cut));
    EXPECT_FALSE(parsed.summary) << cut;
  }
}

TEST(CsafDamaged, DeletedAndEmptyDocuments) {
  const auto deleted = parseBytes(R"({"document": {"category": "csaf_vex",
      "tracking": {"id": "CVE-2099-2", "status": "deleted",
                   "current_release_date": "2099-02-03T00:00:00+00:00"}},
      "vulnerabilities": [{"cve": "CVE-2099-2"}]})");
  ASSERT_TRUE(deleted.summary);
  ASSERT_EQ(deleted.advisories.size(), 1U);
  EXPECT_EQ(deleted.advisories.front().withdrawn, "2099-02-03T00:00:00+00:00");
  EXPECT_EQ(deleted.count(std::string(kUnevaluable)), 0U);

  const auto empty = parseBytes(R"({"document": {"category": "csaf_vex",
      "tracking": {"id": "CVE-2099-3"}}, "vulnerabilities": [{"cve": "CVE-2099-3",
      "product_status": {"known_affected": []}}]})");
  ASSERT_TRUE(empty.summary);
  ASSERT_EQ(empty.advisories.size(), 1U);  // delivered, and reported as unevaluable
  EXPECT_EQ(empty.count(std::string(kUnevaluable)), 1U);
}

TEST(CsafDamaged, DeepBranchesAreBounded) {
  std::string tree;
  for (int i = 0; i < 200; ++i) tree += R"({"branches": [)";
  for (int i = 0; i < 200; ++i) tree += "]}";
  const std::string doc = R"({"document": {"category": "csaf_vex", "tracking": {"id": "C"}},
      "product_tree": {"branches": [)" +
                          tree + "]}}";
  const auto parsed = parseBytes(doc);
  ASSERT_TRUE(parsed.summary) << parsed.summary.error().message;
  EXPECT_EQ(parsed.count("csaf.malformed-record"), 1U);
}

}  // namespace
}  // namespace bulwark::vulndb::feeds
