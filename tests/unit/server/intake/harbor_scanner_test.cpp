// Harbor's pluggable scanner API: the scan request Harbor sends, and the metadata and report
// documents compared with reviewed goldens (BULWARK_UPDATE_GOLDEN=1 rewrites them).
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "intake_test_support.h"
#include "server/harbor_scanner.h"

namespace bulwark::server {
namespace {

using testing::intakeFixture;

void compareWithGolden(const std::string& actual_text, const std::string& name) {
  const auto path = testing::fixtures() / "intake" / name;
  const auto actual = nlohmann::json::parse(actual_text);
  const char* update = std::getenv("BULWARK_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path) << actual.dump(2) << "\n";
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  const auto expected = nlohmann::json::parse(testing::readFile(path));
  EXPECT_EQ(actual, expected) << "actual:\n" << actual.dump(2);
}

std::vector<model::Finding> sampleFindings() {
  model::Finding openssl;
  openssl.vulnerability_id = "CVE-2024-5535";
  openssl.package_name = "openssl";
  openssl.installed_version = "3.0.11-1~deb12u2";
  openssl.fixed_version = "3.0.13-1~deb12u2";
  openssl.severity = model::Severity::Critical;
  openssl.score = 9.1;
  openssl.vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H";
  openssl.title = "openssl: SSL_select_next_proto buffer overread";
  openssl.references = {"https://security-tracker.debian.org/tracker/CVE-2024-5535",
                        "https://www.openssl.org/news/secadv/20240627.txt"};
  openssl.cwes = {"CWE-200"};
  model::Finding zlib;
  zlib.vulnerability_id = "CVE-2023-45853";
  zlib.package_name = "zlib1g";
  zlib.installed_version = "1:1.2.13.dfsg-1";
  zlib.severity = model::Severity::Negligible;
  zlib.title = "zlib: integer overflow in zipOpenNewFileInZip4_6";
  model::Finding old;
  old.vulnerability_id = "CVE-2011-3374";
  old.package_name = "apt";
  old.installed_version = "2.6.1";
  old.severity = model::Severity::Unknown;
  old.score = 4.3;
  old.vector = "AV:N/AC:M/Au:N/C:N/I:P/A:N";
  old.title = std::string("apt: weak key validation \xff") + std::string(5000, '.');
  return {openssl, zlib, old};
}

TEST(HarborScanner, ParsesTheSpecExampleRequest) {
  const auto request = parseHarborScanRequest(intakeFixture("harbor-scan-request.json"));
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->registry_url, "https://core.harbor.domain");
  EXPECT_EQ(request->registry_host, "core.harbor.domain");
  EXPECT_FALSE(request->plain_http);
  EXPECT_EQ(request->authorization, "Basic cm9ib3Qkc2Nhbm5lcjpzM2NyM3Q=");
  const HarborArtifact expected{
      "library/mongo", "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b",
      "3.14-xenial", "application/vnd.docker.distribution.manifest.v2+json"};
  EXPECT_EQ(request->artifact, expected);
}

TEST(HarborScanner, InternalHttpUrlAndOptionalFields) {
  const auto request = parseHarborScanRequest(
      R"({"registry":{"url":"http://harbor-core:8080/"},"artifact":{"repository":"p/app",)"
      R"("digest":"sha256:c1d64b2d4cb30f1be788cc4d246ddd9fc1fe85a3eb3a85a3de33829dfaf6ce7d"}})");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_TRUE(request->plain_http);
  EXPECT_EQ(request->registry_url, "http://harbor-core:8080");
  EXPECT_EQ(request->registry_host, "harbor-core:8080");
  EXPECT_EQ(request->authorization, "");
  EXPECT_EQ(request->artifact.tag, "");
}

TEST(HarborScanner, InvalidRequestsNeverEchoTheSecret) {
  const std::string secret = "Basic c2VjcmV0LXJvYm90LXRva2Vu";
  const auto make = [&](const std::string& url, const std::string& repository,
                        const std::string& digest, const std::string& extra) {
    return R"({"registry":{"url":")" + url + R"(","authorization":")" + secret +
           R"("},"artifact":{"repository":")" + repository + R"(","digest":")" + digest + "\"" +
           extra + "}}";
  };
  const std::string digest =
      "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";
  ASSERT_TRUE(parseHarborScanRequest(make("https://h.example", "a/b", digest, "")));
  for (const auto& body : {
           make("ftp://h.example", "a/b", digest, ""),
           make("https://user:" + secret + "@h.example", "a/b", digest, ""),
           make("https://h.example/v2/path", "a/b", digest, ""),
           make("https://h.example?x=1", "a/b", digest, ""),
           make("https://", "a/b", digest, ""),
           make("https://h.example", "../b", digest, ""),
           make("https://h.example", "a/b", "sha256:abc", ""),
           make("https://h.example", "a/b", digest, R"(,"tag":"-bad")"),
           make("https://h.example", "a/b", digest, R"(,"tag":7)"),
           make("https://h.example", "a/b", digest, R"(,"mime_type":"application/x-helm")"),
           std::string(
               R"({"registry":{"url":"https://h.example","authorization":"Basic a\r\nX: y"},)"
               R"("artifact":{"repository":"a/b","digest":")") +
               digest + "\"}}",
           std::string("{}"),
           std::string("[1]"),
           std::string("not json " + secret),
       }) {
    const auto request = parseHarborScanRequest(body);
    ASSERT_FALSE(request) << body;
    EXPECT_EQ(request.error().code, core::ErrorCode::Input) << body;
    EXPECT_EQ(request.error().message.find("c2VjcmV0"), std::string::npos)
        << request.error().message;
    EXPECT_EQ(request.error().message.rfind("Harbor scan request: ", 0), 0U);
  }
  const auto too_big = parseHarborScanRequest(std::string(kMaxHarborScanRequestBytes + 1, ' '));
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, core::ErrorCode::Limit);
}

TEST(HarborScanner, MetadataGolden) {
  HarborScanner scanner;
  scanner.version = "0.5.0";
  const std::string text = renderHarborMetadata(scanner, "2026-11-22T06:00:00Z",
                                                {{"org.bulwark/db-build-id", "20261122.1"}});
  compareWithGolden(text, "harbor-metadata.golden.json");
  const auto metadata = nlohmann::json::parse(text);
  EXPECT_EQ(metadata["scanner"]["name"], "bulwark");
  EXPECT_EQ(metadata["capabilities"][0]["produces_mime_types"][0],
            "application/vnd.security.vulnerability.report; version=1.1");
}

TEST(HarborScanner, ReportGolden) {
  HarborScanner scanner;
  scanner.version = "0.5.0";
  const HarborArtifact artifact{
      "library/mongo", "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b",
      "3.14-xenial", "application/vnd.docker.distribution.manifest.v2+json"};
  const std::string text = renderHarborReport(artifact, scanner, 1795376402123, sampleFindings());
  compareWithGolden(text, "harbor-report.golden.json");
  const auto report = nlohmann::json::parse(text);
  EXPECT_EQ(report["generated_at"], "2026-11-22T19:40:02.123Z");
  EXPECT_EQ(report["severity"], "Critical");
  ASSERT_EQ(report["vulnerabilities"].size(), 3U);
  EXPECT_EQ(report["vulnerabilities"][1]["severity"], "Low");  // Negligible
  EXPECT_FALSE(report["vulnerabilities"][1].contains("fix_version"));
  EXPECT_EQ(report["vulnerabilities"][2]["preferred_cvss"]["vector_v2"],
            "AV:N/AC:M/Au:N/C:N/I:P/A:N");
  EXPECT_LE(report["vulnerabilities"][2]["description"].get<std::string>().size(),
            4110U);  // 4096 + "..." + U+FFFD

  const auto empty = nlohmann::json::parse(renderHarborReport(artifact, scanner, 0, {}));
  EXPECT_EQ(empty["severity"], "Unknown");
  EXPECT_EQ(empty["generated_at"], "1970-01-01T00:00:00.000Z");
  EXPECT_TRUE(empty["vulnerabilities"].is_array());
  EXPECT_TRUE(empty["vulnerabilities"].empty());
}

TEST(HarborScanner, SmallDocumentsAndHelpers) {
  EXPECT_EQ(renderHarborScanResponse("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
            R"({"id":"3fa85f64-5717-4562-b3fc-2c963f66afa6"})");
  EXPECT_EQ(renderHarborError("no such scan"), R"({"error":{"message":"no such scan"}})");
  EXPECT_TRUE(validHarborScanId("3fa85f64-5717-4562-b3fc-2c963f66afa6"));
  EXPECT_FALSE(validHarborScanId(""));
  EXPECT_FALSE(validHarborScanId("../x"));
  EXPECT_FALSE(validHarborScanId(std::string(129, 'a')));
  EXPECT_EQ(harborReportMimeTypeFor(""), kHarborReportMimeType);
  EXPECT_EQ(harborReportMimeTypeFor("application/vnd.security.vulnerability.report; version=1.1"),
            kHarborReportMimeType);
  EXPECT_EQ(harborReportMimeTypeFor(
                "application/vnd.scanner.adapter.vuln.report.harbor+json;version=1.0"),
            kHarborReportMimeTypeV10);
  EXPECT_EQ(harborReportMimeTypeFor("application/vnd.scanner.adapter.vuln.report.raw"),
            std::nullopt);
  EXPECT_EQ(harborSeverity(model::Severity::High), "High");
  EXPECT_EQ(harborSeverity(model::Severity::Negligible), "Low");
  EXPECT_EQ(harborSeverity(model::Severity::Unknown), "Unknown");
}

}  // namespace
}  // namespace bulwark::server
