// NVD CVE JSON (API 2.0, 1.1 feeds) and CVE JSON 5 parsers over the real fixtures.
#include <gtest/gtest.h>

#include "../feed_test_util.h"
#include "vulndb/feeds/nvd/nvd.h"

namespace bulwark::vulndb::feeds {
namespace {

using model::Severity;
using model::SeverityScore;
using testing::parseBytes;
using testing::parsePath;
using testing::vulns;

constexpr std::string_view kVulnfeeds = "scan/vulns/osv.dev-testdata/vulnfeeds";

std::filesystem::path vulnfeeds() { return vulns() / "osv.dev-testdata/vulnfeeds"; }

const SeverityScore* findScore(const model::Advisory& advisory, std::string_view type,
                               std::string_view source = {}) {
  for (const auto& score : advisory.severities) {
    if (score.type == type && (source.empty() || score.source == source)) return &score;
  }
  return nullptr;
}

TEST(Nvd, Api2SingleRecordFields) {
  BULWARK_REQUIRE_SHARED(std::string(kVulnfeeds) + "/test_data/nvdcve-2.0");
  auto out = parsePath(vulnfeeds() / "test_data/nvdcve-2.0/CVE-2021-28429.json");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_TRUE(out.lines().empty());
  ASSERT_EQ(out.advisories.size(), 1U);
  const auto& a = out.advisories[0];
  EXPECT_EQ(a.id, "CVE-2021-28429");
  EXPECT_EQ(a.source, "nvd");
  EXPECT_EQ(a.published, "2023-08-11T14:15:12.667");
  EXPECT_EQ(a.modified, "2023-08-18T14:55:33.060");
  EXPECT_TRUE(a.withdrawn.empty());
  EXPECT_TRUE(a.summary.starts_with("Integer overflow vulnerability in av_timecode_make_string"))
      << a.summary;
  EXPECT_TRUE(a.affected.empty());
  ASSERT_EQ(a.severities.size(), 1U);
  EXPECT_EQ(a.severities[0],
            (SeverityScore{.type = "CVSS_V3",
                           .vector = "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H",
                           .score = 5.5,
                           .severity = Severity::Medium,
                           .source = "nvd@nist.gov"}));
  ASSERT_EQ(a.references.size(), 1U);
  EXPECT_EQ(a.references[0],
            "https://git.ffmpeg.org/gitweb/ffmpeg.git/commitdiff/"
            "c94875471e3ba3dc396c6919ff3ec9b14539cd71");
}

TEST(Nvd, Api2DirectoryAndMultiRecordPage) {
  BULWARK_REQUIRE_SHARED(std::string(kVulnfeeds) + "/conversion/nvd/testdata/test.json");
  auto dir = parsePath(vulnfeeds() / "test_data/nvdcve-2.0");
  ASSERT_TRUE(dir.ok) << dir.error;
  EXPECT_TRUE(dir.lines().empty()) << dir.lines().front();
  EXPECT_EQ(dir.advisories.size(), 23U);
  for (const auto& a : dir.advisories) {
    EXPECT_EQ(a.source, "nvd");
    EXPECT_TRUE(a.id.starts_with("CVE-"));
    EXPECT_FALSE(a.summary.empty()) << a.id;
  }

  auto out = parsePath(vulnfeeds() / "conversion/nvd/testdata/test.json");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_TRUE(out.lines().empty());
  ASSERT_EQ(out.advisories.size(), 13U);
  const auto* a = out.find("CVE-2025-4565");
  ASSERT_NE(a, nullptr);
  const auto* v4 = findScore(*a, "CVSS_V4");
  ASSERT_NE(v4, nullptr);
  EXPECT_EQ(v4->source, "cve-coordination@google.com");
  EXPECT_EQ(v4->score, 8.2);
  EXPECT_EQ(v4->severity, Severity::High);
  EXPECT_TRUE(v4->vector.starts_with("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:H/"));
  EXPECT_NE(findScore(*a, "CVSS_V3"), nullptr);
  const auto* b = out.find("CVE-2018-14618");
  ASSERT_NE(b, nullptr);
  const auto* v2 = findScore(*b, "CVSS_V2", "nvd@nist.gov");
  ASSERT_NE(v2, nullptr);
  EXPECT_EQ(v2->vector, "AV:N/AC:L/Au:N/C:C/I:C/A:C");
  EXPECT_EQ(v2->score, 10.0);
  EXPECT_EQ(v2->severity, Severity::High);  // v2 severity sits beside cvssData
}

TEST(Nvd, Feed11) {
  BULWARK_REQUIRE_SHARED(std::string(kVulnfeeds) + "/test_data/nvdcve-1.1-test-data.json");
  auto out = parsePath(vulnfeeds() / "test_data/nvdcve-1.1-test-data.json");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_TRUE(out.lines().empty());
  ASSERT_EQ(out.advisories.size(), 669U);
  std::size_t withdrawn = 0;
  std::size_t with_v3 = 0;
  for (const auto& a : out.advisories) {
    withdrawn += a.withdrawn.empty() ? 0 : 1;
    with_v3 += findScore(a, "CVSS_V3") != nullptr ? 1 : 0;
    EXPECT_TRUE(a.affected.empty());
  }
  EXPECT_EQ(withdrawn, 29U);
  EXPECT_EQ(with_v3, 356U);
  const auto* a = out.find("CVE-2022-0090");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->published, "2022-01-18T17:15Z");
  EXPECT_EQ(a->modified, "2022-01-25T14:49Z");
  EXPECT_TRUE(a->summary.starts_with("An issue has been discovered affecting GitLab versions"));
  EXPECT_EQ(a->references.size(), 3U);
  ASSERT_EQ(a->severities.size(), 2U);
  EXPECT_EQ(a->severities[0],
            (SeverityScore{.type = "CVSS_V3",
                           .vector = "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:H/A:N",
                           .score = 6.5,
                           .severity = Severity::Medium,
                           .source = "nvd@nist.gov"}));
  EXPECT_EQ(a->severities[1], (SeverityScore{.type = "CVSS_V2",
                                             .vector = "AV:N/AC:L/Au:N/C:N/I:P/A:N",
                                             .score = 5.0,
                                             .severity = Severity::Medium,
                                             .source = "nvd@nist.gov"}));
  const auto* rejected = out.find("CVE-2022-3063");
  ASSERT_NE(rejected, nullptr);
  EXPECT_EQ(rejected->withdrawn, rejected->modified);
  EXPECT_FALSE(rejected->withdrawn.empty());
}

TEST(Nvd, RejectedAndMalformedApi2Records) {
  const std::string page = R"({"format": "NVD_CVE", "vulnerabilities": [
    {"cve": {"id": "CVE-2020-0001", "lastModified": "2024-01-01T00:00:00.000",
             "vulnStatus": "Rejected",
             "descriptions": [{"lang": "es", "value": "x"},
                              {"lang": "en", "value": "Rejected reason: dup."}]}},
    {"cve": {"descriptions": []}},
    {"nope": 1},
    {"cve": {"id": "CVE-2020-0002", "metrics": {"cvssMetricV31": [{"source": "s"}]}}},
    {"cve": {"id": "CVE-2020-0003", "metrics": {"cvssMetricV2": [
      {"source": "a", "cvssData": {"vectorString": "AV:N/AC:L/Au:N/C:N/I:N/A:P"}}]}}}]})";
  auto out = parseBytes(parseNvd, page);
  ASSERT_TRUE(out.ok) << out.error;
  ASSERT_EQ(out.advisories.size(), 2U);
  EXPECT_EQ(out.advisories[0].withdrawn, "2024-01-01T00:00:00.000");
  EXPECT_EQ(out.advisories[0].summary, "Rejected reason: dup.");
  EXPECT_EQ(out.advisories[1].id, "CVE-2020-0003");
  ASSERT_EQ(out.advisories[1].severities.size(), 1U);
  EXPECT_EQ(out.advisories[1].severities[0].score, std::nullopt);
  EXPECT_EQ(out.advisories[1].severities[0].severity, Severity::Unknown);
  const auto lines = out.lines("nvd.malformed-record");
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0], "nvd.malformed-record t#1: record has no \"id\"");
  EXPECT_EQ(lines[1], "nvd.malformed-record t#2: entry without \"cve\"");
  EXPECT_EQ(lines[2],
            "nvd.malformed-record t#3#CVE-2020-0002: cvssMetricV31 entry without "
            "cvssData.vectorString");
  EXPECT_FALSE(parseBytes(parseNvd, "[1, 2]").ok);
  EXPECT_FALSE(parseBytes(parseNvd, "{\"vulnerabilities\": 3}").ok);
  EXPECT_FALSE(parseBytes(parseNvd, "{\"vulnerab").ok);
}

TEST(Nvd, Detection) {
  EXPECT_TRUE(detectNvd("x.json", R"({"format": "NVD_CVE", "vulnerabilities": [)"));
  EXPECT_TRUE(detectNvd("x.json", R"( {"CVE_data_type": "CVE", "CVE_Items": [)"));
  EXPECT_FALSE(detectNvd("x.json", R"({"document": {"category": "csaf_vex"},
                                       "vulnerabilities": [{"cve": "CVE-1"}]})"));
  EXPECT_TRUE(detectCve5("x.json", R"({"dataType": "CVE_RECORD", "cveMetadata": {)"));
  EXPECT_FALSE(detectCve5("x.json", R"({"id": "GHSA-1", "modified": "x"})"));
  const auto* nvd = detectFeed("a.json", R"({"format": "NVD_CVE", "vulnerabilities": [)");
  ASSERT_NE(nvd, nullptr);
  EXPECT_EQ(nvd->name, "nvd");
  const auto* cve5 = detectFeed("a.json", R"({"cveMetadata": {"cveId": "CVE-1"}, "id": 1})");
  ASSERT_NE(cve5, nullptr);
  EXPECT_EQ(cve5->name, "cve5");
}

TEST(Cve5, RecordsOfCveListV5) {
  BULWARK_REQUIRE_SHARED(std::string(kVulnfeeds) + "/test_data/cvelistV5");
  auto out = parsePath(vulnfeeds() / "test_data/cvelistV5");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_TRUE(out.lines().empty());
  ASSERT_EQ(out.advisories.size(), 11U);
  const auto* a = out.find("CVE-2022-25929");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->source, "cve5");
  EXPECT_EQ(a->published, "2022-12-21T23:14:33.786Z");
  EXPECT_EQ(a->modified, "2025-04-16T18:32:19.005Z");
  EXPECT_TRUE(a->withdrawn.empty());
  EXPECT_TRUE(a->summary.starts_with("The package smoothie from 1.31.0 and before 1.36.1"));
  EXPECT_TRUE(a->affected.empty());
  ASSERT_GE(a->references.size(), 2U);
  EXPECT_EQ(a->references[0], "https://security.snyk.io/vuln/SNYK-JS-SMOOTHIE-3177364");
  ASSERT_EQ(a->severities.size(), 1U);
  EXPECT_EQ(a->severities[0],
            (SeverityScore{.type = "CVSS_V3",
                           .vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N/E:P",
                           .score = 5.4,
                           .severity = Severity::Medium,
                           .source = "snyk"}));
  const auto* log4shell = out.find("CVE-2021-44228");
  ASSERT_NE(log4shell, nullptr);
  EXPECT_FALSE(log4shell->summary.empty());
}

TEST(Cve5, MetricsOfCnaAndAdpContainers) {
  BULWARK_REQUIRE_SHARED(std::string(kVulnfeeds) + "/test_data/cve5");
  auto out = parsePath(vulnfeeds() / "test_data/cve5");
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_TRUE(out.lines().empty());
  ASSERT_EQ(out.advisories.size(), 13U);
  const auto* vuldb = out.find("CVE-2016-15012");
  ASSERT_NE(vuldb, nullptr);
  ASSERT_EQ(vuldb->severities.size(), 3U);
  EXPECT_EQ(vuldb->severities[0].type, "CVSS_V3");
  EXPECT_TRUE(vuldb->severities[0].vector.starts_with("CVSS:3.1/"));
  EXPECT_TRUE(vuldb->severities[1].vector.starts_with("CVSS:3.0/"));
  EXPECT_EQ(vuldb->severities[2].type, "CVSS_V2");
  for (const auto& score : vuldb->severities) EXPECT_EQ(score.source, "VulDB");
  const auto* adp = out.find("CVE-2024-7264");
  ASSERT_NE(adp, nullptr);
  ASSERT_EQ(adp->severities.size(), 1U);
  EXPECT_EQ(adp->severities[0].source, "CISA-ADP");
  EXPECT_TRUE(adp->severities[0].score.has_value());
  const auto* v4 = out.find("CVE-2025-4565");
  ASSERT_NE(v4, nullptr);
  ASSERT_EQ(v4->severities.size(), 1U);
  EXPECT_EQ(v4->severities[0].type, "CVSS_V4");
  EXPECT_EQ(v4->severities[0].source, "Google");
  EXPECT_TRUE(v4->severities[0].vector.starts_with("CVSS:4.0/"));
}

TEST(Cve5, RejectedAndBadRecords) {
  auto out = parseBytes(parseCve5, R"({"cveMetadata": {"cveId": "CVE-2023-9999",
      "state": "REJECTED", "dateUpdated": "2023-05-01T00:00:00Z"},
      "containers": {"cna": {"rejectedReasons": [{"lang": "en", "value": "Duplicate."}],
      "metrics": [{"cvssV4_0": {"vectorString": "CVSS:4.0/AV:N", "baseScore": 9.3,
                                "baseSeverity": "CRITICAL"}}, {"cvssV3_1": {}}],
      "providerMetadata": {"shortName": "acme"}},
      "adp": [1, {"metrics": [{"cvssV2_0": {"vectorString": "AV:N/AC:L/Au:N/C:P/I:P/A:P"}}]}]}})");
  ASSERT_TRUE(out.ok) << out.error;
  ASSERT_EQ(out.advisories.size(), 1U);
  const auto& a = out.advisories[0];
  EXPECT_EQ(a.withdrawn, "2023-05-01T00:00:00Z");
  EXPECT_EQ(a.summary, "Duplicate.");
  ASSERT_EQ(a.severities.size(), 2U);
  EXPECT_EQ(a.severities[0], (SeverityScore{.type = "CVSS_V4",
                                            .vector = "CVSS:4.0/AV:N",
                                            .score = 9.3,
                                            .severity = Severity::Critical,
                                            .source = "acme"}));
  EXPECT_EQ(a.severities[1].type, "CVSS_V2");
  EXPECT_EQ(a.severities[1].source, "cve5");

  auto no_id = parseBytes(parseCve5, R"({"cveMetadata": {"state": "PUBLISHED"}})");
  ASSERT_TRUE(no_id.ok);
  EXPECT_TRUE(no_id.advisories.empty());
  EXPECT_EQ(no_id.lines("cve5.malformed-record").size(), 1U);
  EXPECT_FALSE(parseBytes(parseCve5, R"({"cve": 1})").ok);
  EXPECT_FALSE(parseBytes(parseCve5, "not json").ok);
}

TEST(Nvd, CorruptedVariantsNeverCrash) {
  BULWARK_REQUIRE_SHARED(std::string(kVulnfeeds) + "/test_data/nvdcve-2.0");
  testing::expectRobust(parseNvd, bulwark::testing::readFile(
                                      vulnfeeds() / "test_data/nvdcve-2.0/CVE-2024-3094.json"));
  testing::expectRobust(parseCve5,
                        bulwark::testing::readFile(
                            vulnfeeds() / "test_data/cvelistV5/cves/2024/3xxx/CVE-2024-3094.json"));
  const auto feed11 =
      bulwark::testing::readFile(vulnfeeds() / "test_data/nvdcve-1.1-test-data.json");
  testing::expectRobust(parseNvd, feed11.substr(0, 40000));
}

}  // namespace
}  // namespace bulwark::vulndb::feeds
