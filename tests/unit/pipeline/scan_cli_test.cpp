// `bulwark scan --scanners …` from the command line: flag errors, --severity on every
// scanner's results, --exit-code counting them, on the malware and secrets fixtures
// (project directories: no database is needed without vuln).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "testdata.h"

namespace bulwark::testing {
namespace {

std::string fixture(const char* name) { return (fixtures() / name).string(); }

TEST(ScanCli, UnknownScannerIsAUsageError) {
  const auto run = runBulwark("scan " + fixture("secrets") + " --scanners secret,virus");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.out.find("unknown scanner 'virus'"), std::string::npos) << run.out;
}

TEST(ScanCli, SeverityFiltersEveryScannerAndExitCodeCountsThem) {
  const std::string dir = fixture("secrets");
  const auto all = runBulwark("scan " + dir + " --scanners secret --format json");
  ASSERT_EQ(all.status, 0) << all.out;
  const auto doc = nlohmann::json::parse(all.out);
  std::size_t critical = 0;
  for (const auto& s : doc.at("secrets")) critical += s.at("severity") == "CRITICAL" ? 1 : 0;
  ASSERT_GT(critical, 0U);
  ASSERT_GT(doc.at("secrets").size(), critical);  // the fixtures have HIGH ones too

  const auto only = runBulwark("scan " + dir +
                               " --scanners secret --format json --severity CRITICAL "
                               "--exit-code 3");
  EXPECT_EQ(only.status, 3) << only.out;
  const auto filtered = nlohmann::json::parse(only.out);
  EXPECT_EQ(filtered.at("secrets").size(), critical);
  for (const auto& s : filtered.at("secrets")) EXPECT_EQ(s.at("severity"), "CRITICAL");

  // Nothing at that severity: nothing found, exit 0.
  const auto none =
      runBulwark("scan " + dir + " --scanners secret --severity NEGLIGIBLE --exit-code 3");
  EXPECT_EQ(none.status, 0) << none.out;
}

TEST(ScanCli, BrokenUserRulesAreOneLineAndExit2) {
  const auto run = runBulwark("scan " + fixture("malware") + " --scanners malware --yara-rules " +
                              fixture("malware/user_rules_broken"));
  EXPECT_EQ(run.status, 2) << run.out;
  EXPECT_NE(run.out.find("YARA rules"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace bulwark::testing
