// `bulwark bench dockerfile` and `bulwark bench docker --snapshot`: goldens over the fixtures,
// formats, filters, exceptions and exit codes.
#include <algorithm>
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

// A hand-written host snapshot with every fact state (tests/fixtures/hardening/docker).
const std::string kSnapshot = "tests/fixtures/hardening/docker/host.snapshot.json";

std::string benchDocker(const std::string& args) {
  return "-q bench docker --snapshot " + kSnapshot + " " + args;
}

void expectGolden(const std::string& output, const std::string& name) {
  const fs::path golden = sourceDir() / "tests/fixtures/checks" / name;
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << output;
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with BULWARK_UPDATE_GOLDEN=1";
  EXPECT_EQ(output, bulwark::testing::readFile(golden)) << name;
}

TEST_F(BenchCli, DockerSnapshotMatchesGoldens) {
  const fs::path out = fs::temp_directory_path() / "bulwark-bench-cli-docker.out";
  for (const std::string format : {"table", "json", "junit", "sarif"}) {
    const auto run = runBulwark(
        benchDocker("--benchmark cis-docker-1.6 --format " + format + " -o " + out.string()));
    ASSERT_EQ(run.status, 0) << run.out;
    // The snapshot names bulwark's own container: left out, with a warning.
    EXPECT_NE(run.out.find("bulwark's own container is skipped"), std::string::npos) << run.out;
    expectGolden(bulwark::testing::readFile(out), "bench-docker." + format + ".golden");
  }
  fs::remove(out);
}

TEST_F(BenchCli, DockerSnapshotNeverPassesWhatWasNotRead) {
  const auto run = runBulwark(benchDocker("--format json"));
  ASSERT_EQ(run.status, 0) << run.out;
  // The `db` container's inspect timed out: its container checks are not evaluated, with the
  // cause, and none of them passes.
  const auto db = run.out.find("\"resource\": \"container:db\"");
  ASSERT_NE(db, std::string::npos) << run.out;
  const auto next = run.out.find("\"resource\": ", db + 1);
  const std::string section = run.out.substr(db, next - db);
  EXPECT_EQ(section.find("\"status\": \"pass\""), std::string::npos) << section;
  EXPECT_NE(section.find("\"cause\": \"timeout\""), std::string::npos) << section;
}

TEST_F(BenchCli, DockerExceptionsSuppressAndExpire) {
  const fs::path dir = fs::temp_directory_path() / "bulwark-bench-cli-ignore";
  fs::create_directories(dir);
  const fs::path file = dir / "ignore.yaml";
  std::ofstream(file) << "misconfigurations:\n"
                         "  - id: BW-DKR-401\n"
                         "    resources: [\"container:web\"]\n"
                         "    reason: the image's entrypoint drops root itself\n"
                         "    expires: 2999-01-01\n"
                         "  - id: BW-DKR-5*\n"
                         "    reason: long gone\n"
                         "    expires: 2001-01-01\n";
  const std::string ignore = " --ignorefile " + file.string();
  const auto json = runBulwark(benchDocker("--check BW-DKR-401 --format json" + ignore));
  EXPECT_NE(json.out.find("\"reason\": \"the image's entrypoint drops root itself\""),
            std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find("expired on 2001-01-01"), std::string::npos) << json.out;
  // The only failure is suppressed: --exit-code does not fire; the table counts it.
  EXPECT_EQ(
      runBulwark(benchDocker("--check BW-DKR-401 --include-container web --exit-code 5" + ignore))
          .status,
      0);
  EXPECT_EQ(
      runBulwark(benchDocker("--check BW-DKR-401 --include-container web --exit-code 5")).status,
      5);
  const auto table = runBulwark(benchDocker("--check BW-DKR-401 --include-container web" + ignore));
  EXPECT_NE(table.out.find("1 suppressed"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("FAIL  BW-DKR-401"), std::string::npos) << table.out;
  const auto shown = runBulwark(
      benchDocker("--check BW-DKR-401 --include-container web --show-suppressed" + ignore));
  EXPECT_NE(shown.out.find("[suppressed]"), std::string::npos) << shown.out;
  // An id no check has would suppress nothing: refused.
  std::ofstream(file) << "misconfigurations:\n  - id: BW-DKR-999\n    reason: x\n"
                         "    expires: 2999-01-01\n";
  EXPECT_EQ(runBulwark(benchDocker(ignore)).status, 2);
  fs::remove_all(dir);
}

TEST_F(BenchCli, DockerUnusableInputIsExitTwo) {
  const auto absent = runBulwark("-q bench docker --snapshot tests/fixtures/checks/absent.json");
  EXPECT_EQ(absent.status, 2);
  EXPECT_NE(absent.out.find("cannot read"), std::string::npos) << absent.out;
  const auto not_json = runBulwark("-q bench docker --snapshot " + kBad);
  EXPECT_EQ(not_json.status, 2) << not_json.out;
  EXPECT_EQ(std::count(not_json.out.begin(), not_json.out.end(), '\n'), 1) << not_json.out;
  EXPECT_EQ(runBulwark(benchDocker("--benchmark cis-docker-0.1")).status, 2);
  EXPECT_EQ(runBulwark(benchDocker("--input trusted_users")).status, 2);
  EXPECT_EQ(runBulwark(benchDocker("--containers some")).status, 2);
  EXPECT_EQ(runBulwark(benchDocker("--check BW-NOPE")).status, 2);
  EXPECT_EQ(runBulwark("-q bench docker -H tcp://127.0.0.1:2375").status, 2);
  EXPECT_EQ(runBulwark("-q collect docker -H tcp://127.0.0.1:2375").status, 2);
}

}  // namespace
