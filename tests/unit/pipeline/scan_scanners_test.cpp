// `bulwark scan --scanners secret,malware,config` through the whole pipeline on an image the
// test assembles: a secret in a file a later layer deletes, a secret in the config's Env, a
// miner configuration, a setuid file no package installed, and a config that runs as root and
// exposes SSH. No vulnerability database is needed when `vuln` is not asked for.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pipeline/scan.h"
#include "report/scan_report.h"
#include "testdata.h"
#include "unit/image/oci_layout_writer.h"

namespace bulwark::pipeline {
namespace {

namespace fs = std::filesystem;
using bulwark::testing::TarBuilder;

// Made-up credentials of the right shapes; the test checks none is ever printed whole.
constexpr std::string_view kAccessKey = "AKIAZ7Q3MXRT4VPL2KWD";
constexpr std::string_view kSecretKey = "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";
constexpr std::string_view kGithubToken = "ghp_Q2w3E4r5T6y7U8i9O0pAsDfGhJkLzXcVbNm1";

class ScanScanners : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/bulwark-scan-scanners-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    const std::string miner = bulwark::testing::readFile(bulwark::testing::fixtures() /
                                                         "malware/positive/xmrig_config.json");
    ASSERT_FALSE(miner.empty());
    lower_ = TarBuilder(TarBuilder::Filter::Gzip)
                 .file("etc/os-release", "ID=debian\nVERSION_ID=12\n")
                 .file("var/lib/dpkg/status", "")
                 .file("root/.aws/credentials",
                       "[default]\naws_access_key_id = " + std::string(kAccessKey) +
                           "\naws_secret_access_key = " + std::string(kSecretKey) + "\n")
                 .file("opt/.cache/config.json", miner)
                 .finish();
    upper_ = TarBuilder(TarBuilder::Filter::Gzip)
                 .file("root/.aws/.wh.credentials", "")
                 .file("usr/local/bin/helper", "#!/bin/sh\nexec /bin/sh\n", 04755)
                 .finish();
    const nlohmann::json config = {
        {"config",
         {{"Env", {"PATH=/usr/bin", "GITHUB_TOKEN=" + std::string(kGithubToken)}},
          {"ExposedPorts", {{"22/tcp", nlohmann::json::object()}}}}},
        {"history",
         {{{"created_by", "/bin/sh -c #(nop) ADD file:0 in / "}},
          {{"created_by", "/bin/sh -c chmod u+s /usr/local/bin/helper"}}}}};
    bulwark::testing::writeOciLayout(dir_ / "layout", {lower_, upper_}, config);
    target_ = "oci:" + (dir_ / "layout").string() + ":latest";
  }
  void TearDown() override { fs::remove_all(dir_); }

  static ScanOptions others() {
    ScanOptions options;
    options.scanners = {Scanner::Secret, Scanner::Malware, Scanner::Config};
    options.database = "/nonexistent/bulwark.db";  // must not be opened
    return options;
  }

  fs::path dir_;
  std::string lower_;
  std::string upper_;
  std::string target_;
};

TEST_F(ScanScanners, FindSecretsMalwareAndMisconfigurationsWithoutADatabase) {
  auto report = scanTarget(target_, others());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->scanners, (std::vector<std::string>{"secret", "malware", "config"}));
  EXPECT_TRUE(report->findings.empty());

  const auto secret = [&](std::string_view rule, std::string_view path) {
    return std::find_if(report->secrets.begin(), report->secrets.end(),
                        [&](const auto& s) { return s.rule_id == rule && s.path == path; });
  };
  const auto aws = secret("aws-access-key-id", "root/.aws/credentials");
  ASSERT_NE(aws, report->secrets.end());
  EXPECT_EQ(aws->layer_digest, bulwark::testing::digestOf(lower_));  // deleted later, still shipped
  EXPECT_EQ(aws->line, 2U);
  EXPECT_NE(secret("aws-secret-access-key", "root/.aws/credentials"), report->secrets.end());
  EXPECT_NE(secret("github-pat", "config:Env"), report->secrets.end());

  const auto malware = [&](std::string_view path, std::string_view kind) {
    return std::any_of(report->malware.begin(), report->malware.end(),
                       [&](const auto& m) { return m.path == path && m.kind == kind; });
  };
  EXPECT_TRUE(malware("opt/.cache/config.json", "yara"));
  EXPECT_TRUE(malware("usr/local/bin/helper", "heuristic"));

  const auto status = [&](std::string_view id) {
    for (const auto& r : report->misconfigurations) {
      if (r.check_id == id) return r.status;
    }
    return model::CheckStatus::Manual;  // absent
  };
  EXPECT_EQ(status("BW-IMG-001"), model::CheckStatus::Fail);  // no USER: root
  EXPECT_EQ(status("BW-IMG-003"), model::CheckStatus::Fail);  // EXPOSE 22
  EXPECT_EQ(status("BW-IMG-023"), model::CheckStatus::Fail);  // setuid helper

  // Every output carries the findings, and never a whole secret.
  const std::vector<bool> counted;
  for (const std::string& text : {report::renderScanJson(*report, counted, {}),
                                  report::renderScanTable(*report, counted, {})}) {
    EXPECT_EQ(text.find(kAccessKey), std::string::npos);
    EXPECT_EQ(text.find(kSecretKey), std::string::npos);
    EXPECT_EQ(text.find(kGithubToken), std::string::npos);
    EXPECT_NE(text.find("aws-access-key-id"), std::string::npos);
    EXPECT_NE(text.find("BW-IMG-001"), std::string::npos);
  }
  const auto json = nlohmann::json::parse(report::renderScanJson(*report, counted, {}));
  EXPECT_EQ(json["scanners"], nlohmann::json({"secret", "malware", "config"}));
  EXPECT_FALSE(json["secrets"].empty());
  EXPECT_FALSE(json["malware"].empty());
}

TEST_F(ScanScanners, SameImageSameReport) {
  auto first = scanTarget(target_, others());
  auto second = scanTarget(target_, others());
  ASSERT_TRUE(first && second);
  const std::vector<bool> counted;
  EXPECT_EQ(report::renderScanJson(*first, counted, {}),
            report::renderScanJson(*second, counted, {}));
}

TEST_F(ScanScanners, VulnerabilitiesStillNeedTheDatabase) {
  ScanOptions options = others();
  options.scanners.push_back(Scanner::Vuln);
  auto report = scanTarget(target_, options);
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message.find("/nonexistent/bulwark.db"), std::string::npos);
}

// A root filesystem has files but no config and no build history: checks of the build steps
// are not evaluated (never passed), file checks are.
TEST(ScanScannersRootfs, BuildStepChecksAreNotEvaluatedFileChecksAre) {
  ScanOptions options;
  options.scanners = {Scanner::Config};
  auto report = scanTarget((bulwark::testing::fixtures() / "rootfs/debian-mini").string(), options);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_FALSE(report->misconfigurations.empty());
  for (const auto& r : report->misconfigurations) {
    if (r.check_id == "BW-IMG-011" || r.check_id == "BW-IMG-023") {
      // Package caches and setuid files: none in that tree.
      EXPECT_EQ(r.status, model::CheckStatus::Pass) << r.check_id << ": " << r.reason;
    } else {
      EXPECT_NE(r.status, model::CheckStatus::Pass) << r.check_id;
      EXPECT_NE(r.status, model::CheckStatus::Fail) << r.check_id;
    }
  }
}

TEST(ParseScanners, NamesInAnyOrderOnceEach) {
  auto parsed = parseScanners(" secret,vuln ,secret");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, (std::vector<Scanner>{Scanner::Vuln, Scanner::Secret}));
  EXPECT_FALSE(parseScanners("vuln,virus"));
  EXPECT_FALSE(parseScanners(" , "));
}

}  // namespace
}  // namespace bulwark::pipeline
