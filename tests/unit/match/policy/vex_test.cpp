// VEX documents: OpenVEX and CycloneDX parsing (own fixtures and Canonical's real OpenVEX) and
// which statement decides for a finding (vex.h).
#include <fstream>
#include <set>
#include <tuple>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fixture.h"

namespace bulwark::match {
namespace {

using bulwark::testing::readFile;
using bulwark::testing::sharedTestdata;
using testing::debianMini;
using testing::fixture;
using testing::subjectOf;

VexDocument load(const std::string& relative) {
  auto document = loadVex(fixture(relative));
  EXPECT_TRUE(document) << (document ? "" : document.error().message);
  return document ? std::move(*document) : VexDocument{};
}

// The status of the deciding statement, or "-" when none applies.
std::string decision(const VexDocument& document, const Subject& subject) {
  const VexStatement* statement = decidingStatement(document, subject);
  return statement == nullptr ? "-" : std::string(toString(statement->status));
}

TEST(OpenVex, ParsesStatementsAndAppliesThemByPurl) {
  const auto document = load("vex/debian-mini.openvex.json");
  EXPECT_EQ(document.format, VexFormat::OpenVex);
  ASSERT_EQ(document.statements.size(), 2U);
  const auto& first = document.statements[0];
  EXPECT_EQ(first.ids, (std::vector<std::string>{"CVE-2024-2961", "DSA-5692-1"}));
  EXPECT_EQ(first.justification, "vulnerable_code_not_in_execute_path");
  EXPECT_EQ(first.reason, "iconv() is never called with ISO-2022-CN-EXT");
  EXPECT_EQ(first.timestamp, "2024-05-01T00:00:00Z") << "the document's timestamp";
  EXPECT_TRUE(first.suppresses());
  const auto report = debianMini();
  EXPECT_EQ(decision(document, subjectOf(report, 0)), "not_affected");
  EXPECT_EQ(decision(document, subjectOf(report, 1)), "-") << "another CVE";
  EXPECT_EQ(decision(document, subjectOf(report, 2)), "affected");
  EXPECT_FALSE(decidingStatement(document, subjectOf(report, 2))->suppresses());
}

TEST(OpenVex, AliasOfTheFindingMatchesTheStatement) {
  const auto document = load("vex/debian-mini.openvex.json");
  const auto report = debianMini();
  Subject s = subjectOf(report, 0);
  s.vulnerability_id = "DSA-5692-1";  // the statement's alias
  s.aliases = {};
  EXPECT_EQ(decision(document, s), "not_affected");
  s.vulnerability_id = "GHSA-none";
  s.aliases = {"cve-2024-2961"};  // the finding's alias, other case
  EXPECT_EQ(decision(document, s), "not_affected");
}

TEST(OpenVex, VersionMismatchDoesNotApply) {
  const auto document = load("vex/version-mismatch.openvex.json");
  EXPECT_EQ(decision(document, subjectOf(debianMini(), 0)), "-");
}

TEST(OpenVex, TheLatestStatementDecides) {
  const auto document = load("vex/history.openvex.json");
  ASSERT_EQ(document.statements.size(), 5U) << "the statement without a vulnerability is skipped";
  const auto report = debianMini();
  EXPECT_EQ(decision(document, subjectOf(report, 0)), "affected") << "March beats February";
  EXPECT_EQ(decision(document, subjectOf(report, 2)), "fixed") << "April beats February";
  EXPECT_EQ(decision(document, subjectOf(report, 3)), "unknown");
  std::set<std::string> kinds;
  for (const auto& d : document.diagnostics) kinds.insert(d.kind);
  EXPECT_EQ(kinds, (std::set<std::string>{"vex.no-vulnerability", "vex.unknown-status"}));
}

TEST(OpenVex, ImageProductsApplyThroughSubcomponents) {
  const auto document = load("vex/image-subcomponents.openvex.json");
  auto report = debianMini();
  report.inventory.target.kind = "oci";
  report.inventory.target.manifest_digest =
      "sha256:1111111111111111111111111111111111111111111111111111111111111111";
  report.inventory.target.repo_tags = {"registry.invalid/debian-mini:latest"};
  EXPECT_EQ(decision(document, subjectOf(report, 0)), "not_affected") << "subcomponent libc6";
  EXPECT_EQ(decision(document, subjectOf(report, 2)), "-") << "another image's digest";
  EXPECT_EQ(decision(document, subjectOf(report, 3)), "-")
      << "CVE-2024-0727's subcomponent is libc6, not openssl";
  report.inventory.target = {};
  EXPECT_EQ(decision(document, subjectOf(report, 0)), "-") << "a rootfs is not that image";
}

TEST(CycloneDxVex, ResolvesBomLinksBomRefsAndPurls) {
  const auto document = load("vex/debian-mini.cdx.json");
  EXPECT_EQ(document.format, VexFormat::CycloneDx);
  ASSERT_EQ(document.statements.size(), 4U);
  EXPECT_EQ(document.statements[0].justification, "code_not_reachable");
  EXPECT_EQ(document.statements[0].reason, "no X9.42 DH keys are generated");
  const auto report = debianMini();
  EXPECT_EQ(decision(document, subjectOf(report, 2)), "not_affected") << "BOM-Link to bom-ref";
  EXPECT_EQ(decision(document, subjectOf(report, 3)), "not_affected") << "false_positive by purl";
  EXPECT_EQ(document.statements[1].status_text, "false_positive");
  EXPECT_EQ(decision(document, subjectOf(report, 0)), "affected") << "exploitable";
  EXPECT_EQ(decision(document, subjectOf(report, 1)), "-") << "unresolved ref";
  ASSERT_EQ(document.diagnostics.size(), 1U);
  EXPECT_EQ(document.diagnostics[0].kind, "vex.unresolved-ref");
}

TEST(VexErrors, NotJsonOrNotVexNamesTheProblem) {
  const std::string path = fixture("vex/truncated.openvex.json");
  const auto truncated = loadVex(path);
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().message.rfind(path + ":2:", 0), 0U) << truncated.error().message;
  EXPECT_FALSE(parseVex("[]", "x"));
  EXPECT_FALSE(parseVex("{\"hello\": 1}", "x"));
  EXPECT_FALSE(parseVex("{\"statements\": {}}", "x"));
  EXPECT_FALSE(parseVex("{\"bomFormat\": \"CycloneDX\", \"vulnerabilities\": 3}", "x"));
  const auto csaf = parseVex(R"({"document": {"csaf_version": "2.0"}})", "x");
  ASSERT_FALSE(csaf);
  EXPECT_NE(csaf.error().message.find("CSAF"), std::string::npos);
  EXPECT_FALSE(loadVex(fixture("vex/does-not-exist.json")));
}

TEST(VexErrors, BadStatementsAreDiagnosticsNotFailures) {
  const auto document = parseVex(R"({"statements": [1, {"vulnerability": {"name": "CVE-1"},
      "products": [{"@id": "pkg:deb/x@1%zz"}, "pkg:deb/debian/x"], "status": "not_affected"},
      {"vulnerability": "CVE-2", "products": [], "status": "fixed"}]})",
                                 "x.json");
  ASSERT_TRUE(document);
  ASSERT_EQ(document->statements.size(), 1U);
  EXPECT_EQ(document->statements[0].products.size(), 2U);
  EXPECT_EQ(document->diagnostics.size(), 3U);  // not an object, bad purl, no product
}

// Canonical's OpenVEX for Ubuntu (real documents, read in place).
class CanonicalVex : public ::testing::Test {
 protected:
  static model::ScanReport ubuntu(const std::string& version_id, const std::string& codename,
                                  model::Package p) {
    model::ScanReport report;
    report.inventory.distro.id = "ubuntu";
    report.inventory.distro.version_id = version_id;
    report.inventory.distro.codename = codename;
    report.inventory.packages.push_back(std::move(p));
    return report;
  }
  static Subject subject(const model::ScanReport& report, const std::string& id) {
    model::ScanReport copy = report;
    model::Finding f;
    f.vulnerability_id = id;
    f.installed_version = report.inventory.packages[0].fullVersion();
    copy.findings.push_back(f);
    Subject s = subjectOf(copy, 0);
    s.target = nullptr;
    return s;
  }
};

TEST_F(CanonicalVex, Curl38545FixedInJammyAtTheListedVersion) {
  const std::string relative = "scan/vulns/ubuntu/vunnel/vex/cve/2023/CVE-2023-38545.json";
  BULWARK_REQUIRE_SHARED(relative);
  const auto document = parseVex(readFile(sharedTestdata() / relative), relative);
  ASSERT_TRUE(document) << document.error().message;
  ASSERT_EQ(document->statements.size(), 3U);
  EXPECT_TRUE(document->diagnostics.empty());
  EXPECT_EQ(document->statements[0].status, VexStatus::Fixed);
  EXPECT_EQ(document->statements[1].status, VexStatus::Affected);
  EXPECT_EQ(document->statements[2].status, VexStatus::NotAffected);
  EXPECT_EQ(document->statements[2].justification, "vulnerable_code_not_present");
  const auto jammy =
      ubuntu("22.04", "jammy", testing::package("curl", "curl", "7.81.0-1ubuntu1.24"));
  EXPECT_EQ(decision(*document, subject(jammy, "CVE-2023-38545")), "fixed")
      << "distro=jammy is our ubuntu-22.04";
  EXPECT_EQ(decision(*document, subject(jammy, "CVE-2023-44487")), "-") << "another CVE";
  const auto older =
      ubuntu("22.04", "jammy", testing::package("curl", "curl", "7.81.0-1ubuntu1.13"));
  EXPECT_EQ(decision(*document, subject(older, "CVE-2023-38545")), "-") << "version mismatch";
  const auto focal =
      ubuntu("20.04", "focal", testing::package("curl", "curl", "7.81.0-1ubuntu1.24"));
  EXPECT_EQ(decision(*document, subject(focal, "CVE-2023-38545")), "-") << "another release";
}

TEST_F(CanonicalVex, EpochVersionsAndThousandsOfProducts) {
  const std::string relative = "scan/vulns/ubuntu/vunnel/vex/cve/2016/CVE-2016-20013.json";
  BULWARK_REQUIRE_SHARED(relative);
  const auto document = parseVex(readFile(sharedTestdata() / relative), relative);
  ASSERT_TRUE(document) << document.error().message;
  ASSERT_EQ(document->statements.size(), 2U);
  EXPECT_GT(document->statements[0].products.size(), 3000U);
  auto zabbix = testing::package("zabbix-agent", "zabbix", "6.0.25+dfsg-1");
  zabbix.epoch = 1;
  const auto noble = ubuntu("24.04", "noble", zabbix);
  EXPECT_EQ(decision(*document, subject(noble, "CVE-2016-20013")), "not_affected")
      << "pkg:deb/ubuntu/zabbix-agent@1:6.0.25+dfsg-1?arch=amd64&distro=noble";
  // The id is also found through the statement's aliases (URLs here): ours is the CVE.
  const auto trusty_sssd =
      ubuntu("14.04", "trusty", testing::package("libnss-sss", "sssd", "1.11.8-0ubuntu0.7"));
  EXPECT_EQ(decision(*document, subject(trusty_sssd, "CVE-2016-20013")), "affected");
}

// Trivy's integration case gomod-vex: the findings of gomod.json.golden minus those our VEX
// (written to the same effect as Trivy's fixture) suppresses are exactly gomod-vex.json.golden.
TEST(TrivyCompat, GomodVexLeavesWhatTrivyLeaves) {
  const std::string base = "scan/expected/trivy-integration/";
  BULWARK_REQUIRE_SHARED(base + "gomod-vex.json.golden");
  using Key = std::tuple<std::string, std::string, std::string>;
  const auto keys = [&](const std::string& file, const VexDocument* vex) {
    std::set<Key> out;
    const auto json = nlohmann::json::parse(readFile(sharedTestdata() / base / file));
    for (const auto& result : json.at("Results")) {
      if (!result.contains("Vulnerabilities")) continue;
      for (const auto& v : result.at("Vulnerabilities")) {
        Subject s;
        s.vulnerability_id = v.at("VulnerabilityID").get<std::string>();
        s.purl_text = v.at("PkgIdentifier").at("PURL").get<std::string>();
        s.purl = *model::parsePurl(s.purl_text);
        if (vex != nullptr) {
          const VexStatement* statement = decidingStatement(*vex, s);
          if (statement != nullptr && statement->suppresses()) continue;
        }
        out.emplace(result.at("Target").get<std::string>(), s.vulnerability_id, s.purl_text);
      }
    }
    return out;
  };
  const auto vex = load("vex/gomod.openvex.json");
  const auto all = keys("gomod.json.golden", nullptr);
  const auto kept = keys("gomod.json.golden", &vex);
  EXPECT_EQ(all.size(), kept.size() + 1) << "exactly one finding suppressed";
  EXPECT_EQ(kept, keys("gomod-vex.json.golden", nullptr));
}

}  // namespace
}  // namespace bulwark::match
