// `bulwark bench dockerfile`: golden JSON over the fixtures, formats, filters and exit codes.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "cli_run.h"
#include "testdata.h"

namespace {

namespace fs = std::filesystem;
using bulwark::testing::runBulwark;
using bulwark::testing::sourceDir;

const std::string kBad = "tests/fixtures/checks/bad.Dockerfile";
const std::string kGood = "tests/fixtures/checks/good.Dockerfile";

std::string inRoot(const std::string& args) { return "-q bench dockerfile " + args; }

class BenchCli : public ::testing::Test {
 protected:
  void SetUp() override { fs::current_path(sourceDir()); }
};

TEST_F(BenchCli, JsonMatchesGolden) {
  const auto run = runBulwark(inRoot(kBad + " " + kGood + " --format json 2>/dev/null"));
  ASSERT_EQ(run.status, 0) << run.out;
  const fs::path golden = sourceDir() / "tests/fixtures/checks/bench-dockerfile.json.golden";
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << run.out;
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with BULWARK_UPDATE_GOLDEN=1";
  EXPECT_EQ(run.out, bulwark::testing::readFile(golden));
}

TEST_F(BenchCli, TableShowsLinesAndTotals) {
  const auto run = runBulwark(inRoot(kBad));
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("FAIL  BW-IMG-001"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(kBad + ":6"), std::string::npos) << run.out;  // apt-get update alone
  EXPECT_NE(run.out.find("Totals:"), std::string::npos);
  EXPECT_NE(run.out.find("score"), std::string::npos);
  EXPECT_EQ(run.out.find("s3cr3t-t0k3n-value"), std::string::npos) << "secret printed";
}

TEST_F(BenchCli, ExitCodeFiltersAndFormats) {
  EXPECT_EQ(runBulwark(inRoot(kBad + " --exit-code 3")).status, 3);
  EXPECT_EQ(runBulwark(inRoot(kGood + " --exit-code 3")).status, 0);
  EXPECT_EQ(runBulwark(inRoot(kBad + " --check BW-IMG-021 --exit-code 4")).status, 4);
  EXPECT_EQ(runBulwark(inRoot(kBad + " --skip BW-IMG-001 --check BW-IMG-001 --exit-code 4")).status,
            0);
  const auto sarif = runBulwark(inRoot(kBad + " --format sarif"));
  EXPECT_NE(sarif.out.find("\"version\": \"2.1.0\""), std::string::npos);
  EXPECT_NE(sarif.out.find("\"startLine\": 6"), std::string::npos);
  const auto junit = runBulwark(inRoot(kBad + " --format junit"));
  EXPECT_NE(junit.out.find("<testsuites"), std::string::npos);
  EXPECT_NE(junit.out.find("<failure"), std::string::npos);
}

TEST_F(BenchCli, UnusableInputIsExitTwoWithOneLine) {
  const auto missing = runBulwark(inRoot("tests/fixtures/checks/absent.Dockerfile"));
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.out.find("cannot read"), std::string::npos) << missing.out;
  EXPECT_EQ(runBulwark(inRoot(kBad + " --check BW-NOPE")).status, 2);
  EXPECT_EQ(runBulwark(inRoot(kBad + " --format yaml")).status, 2);
}

}  // namespace
