// Weaknesses (CWE ids) and suppressed findings in the scan renderers: the JSON's "cwes", the
// SARIF rule tags and result suppressions (SARIF 2.1.0 §3.35), the CycloneDX "cwes" and
// analysis of a suppressed finding. Without --show-suppressed the documents are as before.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "report/scan_formats.h"
#include "report/scan_report.h"

namespace bulwark::report {

namespace {

using Json = nlohmann::json;

RenderOptions options() {
  RenderOptions o;
  o.tool_version = "0.1.0";
  o.timestamp = "2024-05-01T00:00:00Z";
  return o;
}

model::Finding finding(std::size_t package, const std::string& id, model::Severity severity,
                       std::vector<std::string> cwes) {
  model::Finding f;
  f.vulnerability_id = id;
  f.package_index = package;
  f.package_name = package == 0 ? "openssl" : "curl";
  f.installed_version = "1.0-1";
  f.fixed_version = "1.0-2";
  f.status = model::AffectedStatus::Fixed;
  f.severity = severity;
  f.data_sources = {"redhat-vex"};
  f.remediation = "upgrade";
  f.cwes = std::move(cwes);
  return f;
}

// openssl and curl of a RHEL 9 image; five findings, three of them suppressed.
model::ScanReport report() {
  model::ScanReport r;
  r.inventory.target.name = "registry.invalid/app:1";
  r.inventory.target.kind = "registry";
  r.inventory.distro.id = "rhel";
  r.inventory.distro.version_id = "9.2";
  model::Package openssl;
  openssl.type = model::PackageType::Rpm;
  openssl.name = "openssl";
  openssl.version = "1.0";
  openssl.release = "1";
  openssl.arch = "x86_64";
  openssl.location.path = "var/lib/rpm/rpmdb.sqlite";
  model::Package curl = openssl;
  curl.name = "curl";
  r.inventory.packages = {openssl, curl};
  r.findings = {
      finding(0, "CVE-2024-0001", model::Severity::High, {"CWE-20", "CWE-787"}),
      finding(0, "CVE-2024-0002", model::Severity::Medium, {"CWE-400"}),
      finding(0, "CVE-2024-0003", model::Severity::Low, {}),
      finding(1, "CVE-2024-0001", model::Severity::High, {"CWE-79"}),
      finding(1, "CVE-2024-0004", model::Severity::Low, {}),
  };
  r.scanners = {"vuln"};
  return r;
}

model::Suppression vex(std::string status, std::string justification, std::string reason) {
  model::Suppression s;
  s.suppressed = true;
  s.by = "vex:vendor.csaf.json";
  s.status = std::move(status);
  s.justification = std::move(justification);
  s.reason = std::move(reason);
  s.where = "vendor.csaf.json, statement 2";
  return s;
}

struct Verdicts {
  std::vector<bool> counted = {true, false, false, true, false};
  std::vector<model::Suppression> suppressions;
  Verdicts() {
    suppressions.resize(5);
    suppressions[1] = vex("not_affected", "vulnerable_code_not_present", "Moderate");
    suppressions[2].suppressed = true;
    suppressions[2].by = "ignorefile";
    suppressions[2].status = "ignored";
    suppressions[2].reason = "accepted until the next release";
    suppressions[2].where = ".bulwarkignore.yaml:3";
    suppressions[4] = vex("fixed", "", "");
  }
  [[nodiscard]] ScanVerdicts shown(bool show) const { return {counted, suppressions, show}; }
};

const Json* resultFor(const Json& sarif, const std::string& rule, std::size_t nth = 0) {
  for (const auto& result : sarif["runs"][0]["results"]) {
    if (result["ruleId"] == rule && nth-- == 0) return &result;
  }
  return nullptr;
}

TEST(ScanJsonCwes, PerFindingOnlyWhenThereAreAny) {
  const auto r = report();
  const Verdicts v;
  const auto json = Json::parse(renderScanJson(r, v.shown(true), options()));
  ASSERT_EQ(json["findings"].size(), 2U);
  EXPECT_EQ(json["findings"][0]["cwes"], Json({"CWE-20", "CWE-787"}));
  EXPECT_EQ(json["findings"][1]["cwes"], Json({"CWE-79"}));
  ASSERT_EQ(json["suppressed"].size(), 3U);
  EXPECT_EQ(json["suppressed"][0]["cwes"], Json({"CWE-400"}));
  EXPECT_FALSE(json["suppressed"][1].contains("cwes"));
}

TEST(ScanSarifVerdicts, WithoutShowSuppressedTheDocumentIsAsBefore) {
  const auto r = report();
  const Verdicts v;
  const std::string text = renderScanSarif(r, v.shown(false), options());
  EXPECT_EQ(text, renderScanSarif(r, v.counted, options()));
  EXPECT_EQ(text.find("suppressions"), std::string::npos);
  EXPECT_EQ(text.find("CVE-2024-0002"), std::string::npos);
  EXPECT_EQ(Json::parse(text)["runs"][0]["results"].size(), 2U);
}

TEST(ScanSarifVerdicts, SuppressedFindingsAreAcceptedExternalSuppressions) {
  const auto r = report();
  const Verdicts v;
  const auto sarif = Json::parse(renderScanSarif(r, v.shown(true), options()));
  ASSERT_EQ(sarif["runs"][0]["results"].size(), 5U);
  EXPECT_FALSE(resultFor(sarif, "CVE-2024-0001")->contains("suppressions"));
  const Json& by_vex = (*resultFor(sarif, "CVE-2024-0002"))["suppressions"];
  ASSERT_EQ(by_vex.size(), 1U);
  EXPECT_EQ(by_vex[0]["kind"], "external");
  EXPECT_EQ(by_vex[0]["status"], "accepted");
  EXPECT_EQ(by_vex[0]["justification"],
            "not_affected (vulnerable_code_not_present) according to vendor.csaf.json, "
            "statement 2: Moderate");
  EXPECT_EQ(by_vex[0]["properties"]["by"], "vex:vendor.csaf.json");
  const Json& ignored = (*resultFor(sarif, "CVE-2024-0003"))["suppressions"][0];
  EXPECT_EQ(ignored["justification"],
            "ignored by .bulwarkignore.yaml:3: accepted until the next release");
  EXPECT_EQ(ignored["properties"]["status"], "ignored");
  // The rules of suppressed findings exist, with their index.
  const auto& rules = sarif["runs"][0]["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 4U);
  const Json* fixed = resultFor(sarif, "CVE-2024-0004");
  ASSERT_NE(fixed, nullptr);
  EXPECT_EQ(rules[(*fixed)["ruleIndex"].get<std::size_t>()]["id"], "CVE-2024-0004");
}

TEST(ScanSarifVerdicts, RuleTagsCarryTheCwesOfEveryFindingInNumberOrder) {
  const auto r = report();
  const Verdicts v;
  const auto sarif = Json::parse(renderScanSarif(r, v.shown(false), options()));
  const auto& rules = sarif["runs"][0]["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 1U) << "CVE-2024-0001 in two packages";
  EXPECT_EQ(rules[0]["properties"]["tags"],
            Json({"vulnerability", "security", "HIGH", "CWE-20", "CWE-79", "CWE-787"}));
  const auto shown = Json::parse(renderScanSarif(r, v.shown(true), options()));
  for (const auto& rule : shown["runs"][0]["tool"]["driver"]["rules"]) {
    if (rule["id"] == "CVE-2024-0003") {
      EXPECT_EQ(rule["properties"]["tags"], Json({"vulnerability", "security", "LOW"}));
    }
  }
}

TEST(ScanCycloneDxVerdicts, CwesAreNumbers) {
  const auto r = report();
  const Verdicts v;
  const auto bom = Json::parse(renderScanCycloneDx(r, v.shown(false), options()));
  ASSERT_EQ(bom["vulnerabilities"].size(), 2U);
  EXPECT_EQ(bom["vulnerabilities"][0]["cwes"], Json({20, 787}));
  EXPECT_EQ(bom["vulnerabilities"][1]["cwes"], Json({79}));
  EXPECT_EQ(renderScanCycloneDx(r, v.shown(false), options()),
            renderScanCycloneDx(r, v.counted, options()));
}

TEST(ScanCycloneDxVerdicts, SuppressedFindingsCarryTheirAnalysis) {
  const auto r = report();
  const Verdicts v;
  const auto bom = Json::parse(renderScanCycloneDx(r, v.shown(true), options()));
  ASSERT_EQ(bom["vulnerabilities"].size(), 5U);
  std::map<std::string, Json> by_id;
  for (const auto& vulnerability : bom["vulnerabilities"]) {
    by_id.emplace(vulnerability["id"].get<std::string>(), vulnerability);
  }
  const Json& not_affected = by_id.at("CVE-2024-0002");
  EXPECT_EQ(not_affected["analysis"]["state"], "not_affected");
  EXPECT_EQ(not_affected["analysis"]["justification"], "code_not_present");
  EXPECT_EQ(not_affected["analysis"]["response"], Json({"update"})) << "the distribution's";
  EXPECT_EQ(not_affected["analysis"]["detail"],
            "not_affected (vulnerable_code_not_present) according to vendor.csaf.json, "
            "statement 2: Moderate; distribution status fixed, fixed in 1.0-2 (redhat-vex)");
  EXPECT_EQ(not_affected["affects"][0]["versions"][0]["status"], "unaffected");
  const Json& ignored = by_id.at("CVE-2024-0003");
  EXPECT_EQ(ignored["analysis"]["state"], "not_affected");
  EXPECT_FALSE(ignored["analysis"].contains("justification"));
  EXPECT_EQ(ignored["analysis"]["detail"].get<std::string>().rfind(
                "ignored by .bulwarkignore.yaml:3: accepted until the next release", 0),
            0U);
  EXPECT_EQ(by_id.at("CVE-2024-0004")["analysis"]["state"], "resolved");
  const Json& counted = by_id.at("CVE-2024-0001");
  EXPECT_FALSE(counted["analysis"].contains("state"));
  EXPECT_EQ(counted["affects"][0]["versions"][0]["status"], "affected");
  bool has_rule = false;
  for (const auto& p : not_affected["properties"]) {
    has_rule = has_rule || (p["name"] == "bulwark:suppression_rule" &&
                            p["value"] == "vendor.csaf.json, statement 2");
  }
  EXPECT_TRUE(has_rule);
}

TEST(ScanCycloneDxVerdicts, JustificationsMapWhereCycloneDxHasAWord) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"component_not_present", "code_not_present"},
      {"vulnerable_code_not_present", "code_not_present"},
      {"vulnerable_code_not_in_execute_path", "code_not_reachable"},
      {"inline_mitigations_already_exist", "protected_by_mitigating_control"},
      {"requires_environment", "requires_environment"},  // CycloneDX's own
      {"vulnerable_code_cannot_be_controlled_by_adversary", ""},
      {"something else", ""},
  };
  for (const auto& [given, expected] : cases) {
    auto r = report();
    Verdicts v;
    v.suppressions[1].justification = given;
    const auto bom = Json::parse(renderScanCycloneDx(r, v.shown(true), options()));
    for (const auto& vulnerability : bom["vulnerabilities"]) {
      if (vulnerability["id"] != "CVE-2024-0002") continue;
      const auto& analysis = vulnerability["analysis"];
      if (expected.empty()) {
        EXPECT_FALSE(analysis.contains("justification")) << given;
        EXPECT_NE(analysis["detail"].get<std::string>().find(given), std::string::npos);
      } else {
        EXPECT_EQ(analysis["justification"], expected) << given;
      }
    }
  }
}

// Verdicts with suppressions of another length than the findings (a caller's bug) show no
// suppressed finding rather than reading past the end.
TEST(ScanVerdictsSafety, MismatchedSuppressionsAreIgnored) {
  const auto r = report();
  const std::vector<bool> counted = {true, false, false, true, false};
  const std::vector<model::Suppression> short_list(2);
  const ScanVerdicts verdicts{counted, short_list, true};
  EXPECT_EQ(Json::parse(renderScanSarif(r, verdicts, options()))["runs"][0]["results"].size(), 2U);
  EXPECT_EQ(Json::parse(renderScanCycloneDx(r, verdicts, options()))["vulnerabilities"].size(), 2U);
}

}  // namespace
}  // namespace bulwark::report
