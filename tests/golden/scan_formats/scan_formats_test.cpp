// SARIF and CycloneDX of a scan (src/report/scan_formats.h): the debian-mini scan compared with
// reviewed goldens, both documents validated against their official JSON schemas
// (tests/tools/validate.js; skipped visibly until `npm ci` has run in tests/tools), and the
// mapping rules checked one by one. BULWARK_UPDATE_GOLDEN=1 rewrites the goldens.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "match/policy.h"
#include "pipeline/scan.h"
#include "report/inventory_report.h"
#include "report/scan_formats.h"
#include "report/scan_report.h"
#include "testdata.h"
#include "vulndb/importer.h"

namespace {

namespace fs = std::filesystem;
using bulwark::testing::readFile;
using bulwark::testing::sourceDir;
using Json = nlohmann::json;
namespace model = bulwark::model;
namespace report = bulwark::report;

constexpr const char* kRootfs = "tests/fixtures/rootfs/debian-mini";
constexpr const char* kAdvisories = "tests/fixtures/advisories/debian-mini";

report::RenderOptions renderOptions() {
  report::RenderOptions options;
  options.tool_version = "0.1.0";
  return options;
}

// The debian-mini scan, made once: a fresh database from the fixture advisories, the fixture
// root filesystem named by its path relative to the repository (as the CLI goldens do).
class ScanFormats : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    const fs::path previous = fs::current_path();
    fs::current_path(sourceDir());
    char pattern[] = "/tmp/bulwark-scan-formats-XXXXXX";
    const fs::path dir = ::mkdtemp(pattern);
    const std::string db = (dir / "bulwark.db").string();
    auto imported = bulwark::vulndb::importFeeds(db, {kAdvisories});
    if (imported) {
      bulwark::pipeline::ScanOptions options;
      options.database = db;
      auto scanned = bulwark::pipeline::scanTarget(kRootfs, options);
      if (scanned) {
        report_ = new model::ScanReport(std::move(*scanned));
      } else {
        error_ = scanned.error().message;
      }
    } else {
      error_ = imported.error().message;
    }
    fs::remove_all(dir);
    fs::current_path(previous);
    if (report_ != nullptr) {
      // The database's build id and time change with every import; the goldens hold these.
      report_->db_build_id = "golden-build";
      report_->db_built_at = "2023-11-14T22:13:20Z";
      counted_ = bulwark::match::applyPolicy({}, report_->findings).counted;
    }
  }
  static void TearDownTestSuite() {
    delete report_;
    report_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(report_, nullptr) << "scan failed: " << error_; }

  static const model::ScanReport& scan() { return *report_; }
  static const std::vector<bool>& counted() { return counted_; }

 private:
  static inline model::ScanReport* report_ = nullptr;
  static inline std::vector<bool> counted_;
  static inline std::string error_;
};

void compareWithGolden(const std::string& actual, const std::string& name) {
  const fs::path golden = sourceDir() / "tests/golden/scan_formats" / name;
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with BULWARK_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, readFile(golden));
}

TEST_F(ScanFormats, SarifMatchesReviewedGolden) {
  const std::string first = report::renderScanSarif(scan(), counted(), renderOptions());
  EXPECT_EQ(first, report::renderScanSarif(scan(), counted(), renderOptions()))
      << "output is not deterministic";
  compareWithGolden(first, "debian-mini.sarif.golden");
}

TEST_F(ScanFormats, CycloneDxMatchesReviewedGolden) {
  const std::string first = report::renderScanCycloneDx(scan(), counted(), renderOptions());
  EXPECT_EQ(first, report::renderScanCycloneDx(scan(), counted(), renderOptions()))
      << "output is not deterministic";
  compareWithGolden(first, "debian-mini.cyclonedx.golden");
}

// --- schema validation through tests/tools/validate.js ------------------------------------

struct Document {
  std::string format;  // "sarif" or "cyclonedx-1.5"
  std::string text;
  bool expect_valid = true;
  std::string name;
};

// Validates every document in one node process (the schemas compile once); returns, per
// document, the validator's verdict line and errors ("valid ..." / "invalid ...").
std::vector<std::string> validateAll(const std::vector<Document>& documents) {
  const fs::path dir = [] {
    char pattern[] = "/tmp/bulwark-scan-docs-XXXXXX";
    return fs::path(::mkdtemp(pattern));
  }();
  const fs::path script = sourceDir() / "tests/tools/validate.js";
  std::string command = "node '" + script.string() + "'";
  std::vector<std::string> files;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    files.push_back((dir / (std::to_string(i) + ".json")).string());
    std::ofstream(files.back(), std::ios::binary) << documents[i].text;
    command += " " + documents[i].format + " '" + files.back() + "'";
  }
  command += " 2>&1";
  std::string output;
  if (FILE* pipe = ::popen(command.c_str(), "r"); pipe != nullptr) {
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    ::pclose(pipe);
  }
  fs::remove_all(dir);
  // Split the output at each verdict line.
  std::vector<std::string> verdicts(documents.size());
  std::size_t current = documents.size();
  std::size_t pos = 0;
  while (pos < output.size()) {
    std::size_t end = output.find('\n', pos);
    if (end == std::string::npos) end = output.size();
    const std::string line = output.substr(pos, end - pos);
    pos = end + 1;
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (line.ends_with(" " + files[i]) &&
          (line.starts_with("valid ") || line.starts_with("invalid "))) {
        current = i;
      }
    }
    if (current < verdicts.size()) verdicts[current] += line + "\n";
  }
  if (current == documents.size()) verdicts.assign(documents.size(), "no verdict: " + output);
  return verdicts;
}

model::ScanReport syntheticReport();

// Suppressions for the synthetic report's findings: a VEX not_affected with a justification, an
// ignore-file entry, a VEX fixed; the last finding counts.
std::vector<model::Suppression> syntheticSuppressions() {
  std::vector<model::Suppression> out(4);
  out[0] = {true,           "vex:vendor.csaf.json",
            "not_affected", "vulnerable_code_not_present",
            "Moderate",     "vendor.csaf.json, statement 1"};
  out[1] = {true, "ignorefile", "ignored", "", "accepted risk", ".bulwarkignore.yaml:3"};
  out[2] = {true, "vex:vendor.openvex.json", "fixed", "", "", "vendor.openvex.json, statement 2"};
  return out;
}

TEST_F(ScanFormats, DocumentsValidateAgainstTheOfficialSchemas) {
  if (!fs::exists(sourceDir() / "tests/tools/node_modules/@cyclonedx/cyclonedx-library") ||
      !fs::exists(sourceDir() / "tests/tools/node_modules/@microsoft/jest-sarif") ||
      std::system("node --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "schema validators absent: run `npm ci` in tests/tools (needs node)";
  }
  const auto options = renderOptions();
  const std::string sarif = report::renderScanSarif(scan(), counted(), options);
  const std::string bom = report::renderScanCycloneDx(scan(), counted(), options);
  const auto synthetic = syntheticReport();
  const std::vector<bool> all(synthetic.findings.size(), true);
  const std::vector<bool> last_only = {false, false, false, true};
  const auto suppressions = syntheticSuppressions();
  const report::ScanVerdicts shown{last_only, suppressions, true};
  // The validator is no rubber stamp: one wrong field and it says so.
  auto broken_sarif = Json::parse(sarif);
  broken_sarif["runs"][0]["results"][0]["level"] = "fatal";
  auto broken_bom = Json::parse(bom);
  broken_bom["vulnerabilities"][0]["ratings"][0]["method"] = "CVSSv5";
  auto broken_suppression = Json::parse(report::renderScanSarif(synthetic, shown, options));
  broken_suppression["runs"][0]["results"][0]["suppressions"][0]["kind"] = "forgotten";
  auto broken_analysis = Json::parse(report::renderScanCycloneDx(synthetic, shown, options));
  broken_analysis["vulnerabilities"][0]["analysis"]["justification"] = "not_our_problem";
  const std::vector<Document> documents = {
      {"sarif", sarif, true, "debian-mini SARIF"},
      {"cyclonedx-1.5", bom, true, "debian-mini CycloneDX"},
      {"sarif", report::renderScanSarif(synthetic, all, options), true, "synthetic SARIF"},
      {"cyclonedx-1.5", report::renderScanCycloneDx(synthetic, all, options), true,
       "synthetic CycloneDX"},
      {"sarif", report::renderScanSarif(synthetic, shown, options), true,
       "synthetic SARIF with suppressions"},
      {"cyclonedx-1.5", report::renderScanCycloneDx(synthetic, shown, options), true,
       "synthetic CycloneDX with suppressed analyses"},
      {"sarif", broken_sarif.dump(), false, "SARIF with level 'fatal'"},
      {"cyclonedx-1.5", broken_bom.dump(), false, "CycloneDX with method 'CVSSv5'"},
      {"sarif", broken_suppression.dump(), false, "SARIF with suppression kind 'forgotten'"},
      {"cyclonedx-1.5", broken_analysis.dump(), false,
       "CycloneDX with justification 'not_our_problem'"},
  };
  const auto verdicts = validateAll(documents);
  for (std::size_t i = 0; i < documents.size(); ++i) {
    const std::string expected = documents[i].expect_valid ? "valid " : "invalid ";
    EXPECT_TRUE(verdicts[i].starts_with(expected))
        << documents[i].name << ": expected " << expected << "\n"
        << verdicts[i];
  }
}

// --- the mapping, rule by rule ------------------------------------------------------------

const Json* resultFor(const Json& sarif, const std::string& rule_id) {
  for (const auto& result : sarif["runs"][0]["results"]) {
    if (result["ruleId"] == rule_id) return &result;
  }
  return nullptr;
}

const Json* ruleFor(const Json& sarif, const std::string& rule_id) {
  for (const auto& rule : sarif["runs"][0]["tool"]["driver"]["rules"]) {
    if (rule["id"] == rule_id) return &rule;
  }
  return nullptr;
}

TEST_F(ScanFormats, SarifRulesResultsLevelsAndSeverities) {
  const auto sarif = Json::parse(report::renderScanSarif(scan(), counted(), renderOptions()));
  ASSERT_EQ(sarif["version"], "2.1.0");
  const auto& run = sarif["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "bulwark");
  EXPECT_EQ(run["tool"]["driver"]["version"], "0.1.0");
  ASSERT_EQ(run["results"].size(), scan().findings.size());
  std::set<std::string> ids;
  for (const auto& f : scan().findings) ids.insert(f.vulnerability_id);
  ASSERT_EQ(run["tool"]["driver"]["rules"].size(), ids.size());

  // CVE-2024-2961 in libc6: HIGH from NVD's CVSS 3.1 score 8.1.
  const Json* high = resultFor(sarif, "CVE-2024-2961");
  ASSERT_NE(high, nullptr);
  EXPECT_EQ((*high)["level"], "error");
  const Json* high_rule = ruleFor(sarif, "CVE-2024-2961");
  ASSERT_NE(high_rule, nullptr);
  EXPECT_EQ((*high_rule)["properties"]["security-severity"], "8.1");
  EXPECT_EQ((*high_rule)["defaultConfiguration"]["level"], "error");
  EXPECT_EQ((*high_rule)["helpUri"], "https://sourceware.org/bugzilla/show_bug.cgi?id=31659");
  EXPECT_NE((*high_rule)["help"]["text"].get<std::string>().find("2.36-9+deb12u7"),
            std::string::npos);
  // The rule's index is the rule's position.
  EXPECT_EQ(run["tool"]["driver"]["rules"][(*high)["ruleIndex"].get<std::size_t>()]["id"],
            "CVE-2024-2961");
  const auto& location = (*high)["locations"][0];
  EXPECT_EQ(location["physicalLocation"]["artifactLocation"]["uri"], "var/lib/dpkg/status");
  EXPECT_EQ(location["physicalLocation"]["region"]["startLine"], 1);
  EXPECT_EQ(location["logicalLocations"][0]["name"], kRootfs);
  const std::string message = (*high)["message"]["text"];
  EXPECT_NE(message.find("Package: libc6"), std::string::npos);
  EXPECT_NE(message.find("Installed version: 2.36-9+deb12u4"), std::string::npos);
  EXPECT_NE(message.find("Fixed version: 2.36-9+deb12u7"), std::string::npos);

  // Debian says LOW with no score: a note, and a security-severity in GitHub's low band.
  const Json* low = resultFor(sarif, "CVE-2023-5678");
  ASSERT_NE(low, nullptr);
  EXPECT_EQ((*low)["level"], "note");
  EXPECT_EQ((*ruleFor(sarif, "CVE-2023-5678"))["properties"]["security-severity"], "2.0");
  const Json* negligible = resultFor(sarif, "CVE-2024-0727");
  ASSERT_NE(negligible, nullptr);
  EXPECT_EQ((*negligible)["level"], "note");

  // Fingerprints: one per finding, all different.
  std::set<std::string> fingerprints;
  for (const auto& result : run["results"]) {
    fingerprints.insert(result["partialFingerprints"]["bulwarkFindingHash/v1"].get<std::string>());
  }
  EXPECT_EQ(fingerprints.size(), run["results"].size());
}

TEST_F(ScanFormats, FindingsThePolicyDroppedAreAbsent) {
  std::vector<bool> some = counted();
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < some.size(); ++i) {
    if (scan().findings[i].vulnerability_id == "CVE-2024-2961") {
      some[i] = false;
      ++dropped;
    }
  }
  ASSERT_EQ(dropped, 1U);
  const std::string sarif_text = report::renderScanSarif(scan(), some, renderOptions());
  const std::string bom_text = report::renderScanCycloneDx(scan(), some, renderOptions());
  EXPECT_EQ(sarif_text.find("CVE-2024-2961"), std::string::npos);
  EXPECT_EQ(bom_text.find("CVE-2024-2961"), std::string::npos);
  const auto sarif = Json::parse(sarif_text);
  EXPECT_EQ(sarif["runs"][0]["results"].size(), scan().findings.size() - 1);
  EXPECT_EQ(Json::parse(bom_text)["vulnerabilities"].size(), scan().findings.size() - 1);
  // Nothing counted: valid, empty documents.
  const std::vector<bool> none(scan().findings.size(), false);
  EXPECT_TRUE(
      Json::parse(report::renderScanSarif(scan(), none, renderOptions()))["runs"][0]["results"]
          .empty());
  EXPECT_TRUE(
      Json::parse(report::renderScanCycloneDx(scan(), none, renderOptions()))["vulnerabilities"]
          .empty());
}

TEST_F(ScanFormats, CycloneDxExtendsTheInventoryBomAndRefsResolve) {
  const auto bom = Json::parse(report::renderScanCycloneDx(scan(), counted(), renderOptions()));
  const auto inventory_bom =
      Json::parse(report::renderCycloneDx(scan().inventory, renderOptions()));
  // The same components and dependencies as `bulwark sbom -f cyclonedx`; its own serial.
  EXPECT_EQ(bom["components"], inventory_bom["components"]);
  EXPECT_EQ(bom["dependencies"], inventory_bom["dependencies"]);
  EXPECT_NE(bom["serialNumber"], inventory_bom["serialNumber"]);
  std::set<std::string> refs;
  for (const auto& component : bom["components"]) refs.insert(component["bom-ref"]);
  ASSERT_EQ(bom["vulnerabilities"].size(), scan().findings.size());
  std::set<std::string> vulnerability_refs;
  for (const auto& v : bom["vulnerabilities"]) {
    vulnerability_refs.insert(v["bom-ref"].get<std::string>());
    ASSERT_EQ(v["affects"].size(), 1U);
    EXPECT_TRUE(refs.contains(v["affects"][0]["ref"].get<std::string>())) << v["affects"];
    EXPECT_EQ(v["affects"][0]["versions"][0]["status"], "affected");
  }
  EXPECT_EQ(vulnerability_refs.size(), bom["vulnerabilities"].size());

  std::map<std::string, Json> by_id;
  for (const auto& v : bom["vulnerabilities"]) by_id[v["id"]] = v;
  const auto& high = by_id.at("CVE-2024-2961");
  EXPECT_EQ(high["ratings"][0]["severity"], "high");
  EXPECT_EQ(high["ratings"][1]["method"], "CVSSv31");
  EXPECT_EQ(high["ratings"][1]["score"], 8.1);
  EXPECT_EQ(high["ratings"][1]["vector"], "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H");
  EXPECT_EQ(high["source"]["url"], "https://security-tracker.debian.org/tracker/CVE-2024-2961");
  EXPECT_EQ(high["analysis"]["response"], Json::array({"update"}));
  EXPECT_EQ(high["recommendation"],
            "upgrade libc6 (source package glibc) to 2.36-9+deb12u7 or later");
  EXPECT_EQ(high["advisories"][0]["url"], "https://sourceware.org/bugzilla/show_bug.cgi?id=31659");
  const auto& wont_fix = by_id.at("CVE-2024-0727");
  EXPECT_EQ(wont_fix["ratings"][0]["severity"], "info");
  EXPECT_EQ(wont_fix["analysis"]["response"], Json::array({"will_not_fix"}));
  EXPECT_FALSE(wont_fix["analysis"].contains("state")) << "bulwark claims no exploitability";
  const auto& affected = by_id.at("CVE-2010-4756");
  EXPECT_FALSE(affected.contains("analysis"));
  bool has_status = false;
  for (const auto& p : affected["properties"]) {
    has_status = has_status || (p["name"] == "bulwark:status" && p["value"] == "affected");
  }
  EXPECT_TRUE(has_status);
}

// --- a hand-made report: what the debian-mini scan does not exercise -------------------------

model::ScanReport syntheticReport() {
  model::ScanReport r;
  r.inventory.target.name = "registry.example/app:1";
  r.inventory.target.kind = "registry";
  r.inventory.target.manifest_digest = "sha256:" + std::string(64, 'a');
  r.inventory.distro.id = "alpine";
  r.inventory.distro.version_id = "3.19.1";
  model::Package musl;
  musl.type = model::PackageType::Apk;
  musl.name = "musl";
  musl.version = "1.2.4-r2";
  musl.arch = "x86_64";
  musl.origin = "musl";
  musl.location = {"sha256:" + std::string(64, 'b'), "lib/apk/db/installed"};
  model::Package odd = musl;
  odd.name = "odd";
  odd.location.path = "weird dir/ünï:code|db";
  r.inventory.packages = {musl, odd};
  auto finding = [](std::size_t index, std::string id, model::Severity severity) {
    model::Finding f;
    f.vulnerability_id = std::move(id);
    f.package_index = index;
    f.package_name = index == 0 ? "musl" : "odd";
    f.installed_version = "1.2.4-r2";
    f.severity = severity;
    f.data_sources = {"alpine-secdb:v3.19/main"};
    f.remediation = "upgrade";
    return f;
  };
  auto critical = finding(0, "CVE-2024-0001", model::Severity::Critical);
  critical.vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
  critical.score = 9.3;
  critical.aliases = {"GHSA-xxxx-yyyy-zzzz"};
  critical.references = {"not a url", "https://example.org/a b"};
  critical.cwes = {"CWE-79", "CWE-787"};
  critical.status = model::AffectedStatus::UnderInvestigation;
  auto medium = finding(0, "CVE-2024-0002", model::Severity::Medium);
  medium.vector = "AV:N/AC:L/Au:N/C:P/I:N/A:N";
  medium.score = 5.0;
  medium.status = model::AffectedStatus::EndOfLife;
  auto odd_id = finding(1, "OSV 2024 <x>", model::Severity::Low);
  odd_id.data_sources = {"osv"};
  odd_id.aliases = {"DSA-1 2"};
  auto unknown = finding(1, "CVE-2024-0003", model::Severity::Unknown);
  unknown.status = model::AffectedStatus::NotAffected;
  unknown.title = "title with | pipes and *stars*\nand a newline";
  r.findings = {critical, medium, odd_id, unknown};
  return r;
}

TEST(ScanFormatsSynthetic, LevelsMethodsStatesAndEscaping) {
  const auto r = syntheticReport();
  const std::vector<bool> all(r.findings.size(), true);
  const auto sarif = Json::parse(report::renderScanSarif(r, all, renderOptions()));
  EXPECT_EQ((*resultFor(sarif, "CVE-2024-0001"))["level"], "error");
  EXPECT_EQ((*resultFor(sarif, "CVE-2024-0002"))["level"], "warning");
  EXPECT_EQ((*resultFor(sarif, "CVE-2024-0003"))["level"], "note");
  EXPECT_EQ((*ruleFor(sarif, "CVE-2024-0001"))["properties"]["security-severity"], "9.3");
  EXPECT_FALSE((*ruleFor(sarif, "CVE-2024-0003"))["properties"].contains("security-severity"));
  // helpUri: the first web reference, escaped; never "not a url".
  EXPECT_EQ((*ruleFor(sarif, "CVE-2024-0001"))["helpUri"], "https://example.org/a%20b");
  // No web reference: the feed's own page.
  EXPECT_EQ((*ruleFor(sarif, "CVE-2024-0002"))["helpUri"],
            "https://security.alpinelinux.org/vuln/CVE-2024-0002");
  EXPECT_EQ(
      (*resultFor(sarif,
                  "CVE-2024-0003"))["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
      "weird%20dir/%C3%BCn%C3%AF%3Acode%7Cdb");
  // Ids from feeds are text: escaped where they become part of a URI.
  EXPECT_EQ((*ruleFor(sarif, "OSV 2024 <x>"))["helpUri"],
            "https://osv.dev/vulnerability/OSV%202024%20%3Cx%3E");
  const std::string markdown = (*ruleFor(sarif, "CVE-2024-0003"))["help"]["markdown"];
  EXPECT_NE(markdown.find("title with \\| pipes and \\*stars\\* and a newline"), std::string::npos)
      << markdown;

  const auto bom = Json::parse(report::renderScanCycloneDx(r, all, renderOptions()));
  std::map<std::string, Json> by_id;
  for (const auto& v : bom["vulnerabilities"]) by_id[v["id"]] = v;
  EXPECT_EQ(by_id.at("CVE-2024-0001")["ratings"][1]["method"], "CVSSv4");
  EXPECT_EQ(by_id.at("CVE-2024-0001")["ratings"][0]["severity"], "critical");
  EXPECT_EQ(by_id.at("CVE-2024-0001")["analysis"]["state"], "in_triage");
  EXPECT_EQ(by_id.at("CVE-2024-0001")["references"][0]["source"]["url"],
            "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz");
  EXPECT_EQ(by_id.at("CVE-2024-0002")["ratings"][1]["method"], "CVSSv2");
  EXPECT_EQ(by_id.at("CVE-2024-0002")["ratings"][1]["severity"], "medium");
  EXPECT_EQ(by_id.at("CVE-2024-0002")["analysis"]["response"], Json::array({"can_not_fix"}));
  EXPECT_EQ(by_id.at("CVE-2024-0003")["ratings"][0]["severity"], "unknown");
  EXPECT_EQ(by_id.at("CVE-2024-0003")["analysis"]["state"], "not_affected");
  EXPECT_EQ(by_id.at("CVE-2024-0003")["affects"][0]["versions"][0]["status"], "unaffected");
}

// A `counted` vector shorter than the findings (a caller's bug) renders what it covers.
TEST(ScanFormatsSynthetic, ShortCountedVectorIsSafe) {
  const auto r = syntheticReport();
  const std::vector<bool> one = {true};
  ASSERT_GT(r.findings.size(), 1U);
  EXPECT_EQ(
      Json::parse(report::renderScanSarif(r, one, renderOptions()))["runs"][0]["results"].size(),
      1U);
  EXPECT_EQ(
      Json::parse(report::renderScanCycloneDx(r, one, renderOptions()))["vulnerabilities"].size(),
      1U);
}

}  // namespace
