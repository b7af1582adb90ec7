// The quarantine decision on stored results: the mapping of repositories, the policy applied to
// decoded findings (severity, fixable only, ignore file with purl scope, VEX), the age of the
// scan, and the reasons given.
#include "pipeline/service/quarantine_policy.h"

#include <gtest/gtest.h>

#include <string>

#include "pipeline/service/finding_records.h"
#include "pipeline/service/inventory_codec.h"

namespace bulwark::pipeline::service {
namespace {

constexpr store::Millis kNow = 1'700'000'000'000;
constexpr store::Millis kHour = 3'600'000;

model::Finding finding(std::string id, std::size_t package, model::Severity severity,
                       std::string fixed) {
  model::Finding f;
  f.vulnerability_id = std::move(id);
  f.package_index = package;
  f.severity = severity;
  f.fixed_version = std::move(fixed);
  return f;
}

store::ScanResult storedResult() {
  model::Inventory inventory;
  inventory.distro = {"debian", "12", "bookworm", "", "", ""};
  model::Package openssl;
  openssl.name = "openssl";
  openssl.version = "3.0.11-1~deb12u2";
  openssl.arch = "amd64";
  openssl.source_name = "openssl";
  openssl.location.path = "var/lib/dpkg/status";
  model::Package zlib = openssl;
  zlib.name = "zlib1g";
  zlib.source_name = "zlib";
  zlib.version = "1:1.2.13.dfsg-1";
  inventory.packages = {openssl, zlib};
  std::vector<model::Finding> findings = {
      finding("CVE-2024-0001", 0, model::Severity::Critical, "3.0.13-1~deb12u1"),
      finding("CVE-2024-0002", 0, model::Severity::High, ""),
      finding("CVE-2024-0003", 1, model::Severity::Low, "1:1.2.13.dfsg-2"),
  };
  for (auto& f : findings) {
    f.package_name = inventory.packages[f.package_index].name;
    f.installed_version = inventory.packages[f.package_index].fullVersion();
  }
  store::ScanResult result;
  result.digest = "sha256:" + std::string(64, 'c');
  result.inventory_json = encodeInventory(inventory);
  result.findings = toFindingRecords(findings, inventory);
  result.metadata.scanned_at = kNow - kHour;
  return result;
}

TEST(QuarantinePolicy, RepositoriesMapThroughTheirPattern) {
  const std::vector<QuarantineMapping> mappings = {
      {"local", "quarantine/*", "release/*"},
      {"", "staging/app", "prod/app"},
      {"", "in/*-candidate", "out/*"},
  };
  EXPECT_EQ(releaseRepository(mappings, "local", "quarantine/app"), "release/app");
  EXPECT_EQ(releaseRepository(mappings, "local", "quarantine/team/app"), "release/team/app");
  EXPECT_EQ(releaseRepository(mappings, "other", "quarantine/app"), std::nullopt);
  EXPECT_EQ(releaseRepository(mappings, "local", "quarantine/"), std::nullopt);
  EXPECT_EQ(releaseRepository(mappings, "local", "release/app"), std::nullopt);
  EXPECT_EQ(releaseRepository(mappings, "any", "staging/app"), "prod/app");
  EXPECT_EQ(releaseRepository(mappings, "any", "staging/app2"), std::nullopt);
  EXPECT_EQ(releaseRepository(mappings, "any", "in/web-candidate"), "out/web");

  EXPECT_TRUE(quarantineConfig(mappings, {}));
  auto bad = quarantineConfig({{"", "quarantine/app", "release/*"}}, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::ErrorCode::Usage);
  EXPECT_FALSE(quarantineConfig({{"", "a/*/*", "b/*/*"}}, {}));
  EXPECT_FALSE(quarantineConfig({}, {.severities = {"SEVERE"}}));
}

TEST(QuarantinePolicy, CountedFindingsKeepTheImageAndAreNamed) {
  QuarantineConfig config;
  const auto result = storedResult();
  auto verdict = decide(config, result, kNow);
  EXPECT_FALSE(verdict.promote);
  EXPECT_EQ(verdict.failing, 3U);
  EXPECT_EQ(verdict.reason,
            "3 findings fail the policy: CVE-2024-0001 (CRITICAL, openssl 3.0.11-1~deb12u2), "
            "CVE-2024-0002 (HIGH, openssl 3.0.11-1~deb12u2), "
            "CVE-2024-0003 (LOW, zlib1g 1:1.2.13.dfsg-1)");

  config.policy.severities = {model::Severity::Critical, model::Severity::High};
  config.policy.ignore_unfixed = true;
  verdict = decide(config, result, kNow);
  EXPECT_FALSE(verdict.promote);
  EXPECT_EQ(verdict.failing, 1U);
  EXPECT_EQ(verdict.reason,
            "1 finding fails the policy: CVE-2024-0001 (CRITICAL, openssl 3.0.11-1~deb12u2)");
}

TEST(QuarantinePolicy, IgnoreRulesScopedByPurlAndVexLetItPass) {
  PolicyConfig policy;
  policy.severities = {"CRITICAL", "HIGH"};
  auto config = quarantineConfig({}, policy);
  ASSERT_TRUE(config) << config.error().message;
  // The ignore file's purl scope needs the decoded inventory (the package's purl).
  auto ignore = match::parseIgnoreFile(
      "vulnerabilities:\n"
      "  - id: CVE-2024-0001\n"
      "    purls: [\"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12\"]\n"
      "    statement: backported fix\n",
      "ignore.yaml");
  ASSERT_TRUE(ignore) << ignore.error().message;
  config->policy.ignore = std::move(*ignore);
  auto verdict = decide(*config, storedResult(), kNow);
  EXPECT_FALSE(verdict.promote) << verdict.reason;
  EXPECT_EQ(verdict.failing, 1U);
  EXPECT_EQ(verdict.suppressed, 1U);
  EXPECT_NE(verdict.reason.find("CVE-2024-0002"), std::string::npos);

  auto vex = match::parseVex(R"({
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://example.com/vex-1",
    "author": "ops",
    "timestamp": "2024-01-01T00:00:00Z",
    "version": 1,
    "statements": [{
      "vulnerability": {"name": "CVE-2024-0002"},
      "products": [{"@id": "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"}],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path"
    }]
  })",
                             "vex.json");
  ASSERT_TRUE(vex) << vex.error().message;
  config->policy.vex.push_back(std::move(*vex));
  verdict = decide(*config, storedResult(), kNow);
  EXPECT_TRUE(verdict.promote) << verdict.reason;
  EXPECT_EQ(verdict.reason, "policy passed (2 suppressed)");
}

TEST(QuarantinePolicy, AnOldScanOrUnreadableResultNeverPromotes) {
  QuarantineConfig config;
  config.policy.severities = {model::Severity::Critical};
  config.policy.ignore_unfixed = true;
  auto result = storedResult();
  result.findings.erase(result.findings.begin());  // no CRITICAL left
  EXPECT_TRUE(decide(config, result, kNow).promote);

  config.max_scan_age = std::chrono::minutes(30);
  auto verdict = decide(config, result, kNow);
  EXPECT_FALSE(verdict.promote);
  EXPECT_EQ(verdict.reason, "scan older than 30m (scanned 1h ago)");

  config.max_scan_age = std::chrono::hours(24);
  EXPECT_TRUE(decide(config, result, kNow).promote);

  auto corrupt = result;
  corrupt.inventory_json = "{";
  verdict = decide(config, corrupt, kNow);
  EXPECT_FALSE(verdict.promote);
  EXPECT_NE(verdict.reason.find("cannot be read"), std::string::npos) << verdict.reason;
  corrupt = result;
  corrupt.findings.front().detail_json = R"({"package_index": 99})";
  verdict = decide(config, corrupt, kNow);
  EXPECT_FALSE(verdict.promote);
  EXPECT_NE(verdict.reason.find("names no package"), std::string::npos) << verdict.reason;
}

}  // namespace
}  // namespace bulwark::pipeline::service
