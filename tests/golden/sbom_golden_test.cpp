// Whole `bulwark sbom` runs compared with reviewed expected output (tests/golden/*.golden).
// BULWARK_UPDATE_GOLDEN=1 rewrites the files; review a rewrite like code.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "testdata.h"

namespace {

namespace fs = std::filesystem;
using bulwark::testing::readFile;
using bulwark::testing::sourceDir;

struct CommandRun {
  int status = 0;
  std::string out;
};

CommandRun runBulwark(const std::string& args) {
  const char* bin = std::getenv("BULWARK_BIN");
  // Run from the repository root with relative paths, so that target names (and the ids
  // derived from them) do not depend on where the checkout is.
  const std::string command = "cd '" + sourceDir().string() + "' && SOURCE_DATE_EPOCH=1700000000 " +
                              std::string(bin != nullptr ? bin : "build/bin/bulwark") + " " + args +
                              " 2>/dev/null";
  CommandRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  run.status = WEXITSTATUS(::pclose(pipe));
  return run;
}

class SbomGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(SbomGolden, MatchesReviewedOutput) {
  const std::string format = GetParam();
  const std::string rootfs = "tests/fixtures/rootfs/debian-mini";
  const CommandRun first = runBulwark("sbom " + rootfs + " --format " + format);
  ASSERT_EQ(first.status, 0);
  const CommandRun second = runBulwark("sbom " + rootfs + " --format " + format);
  EXPECT_EQ(first.out, second.out) << "output is not deterministic";
  const std::string& actual = first.out;
  const fs::path golden = sourceDir() / "tests/golden" / ("debian-mini." + format + ".golden");
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with BULWARK_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, readFile(golden));
}

INSTANTIATE_TEST_SUITE_P(Formats, SbomGolden,
                         ::testing::Values("table", "json", "cyclonedx", "spdx"));

// bulwark scan of the same fixture against hand-written advisories (tests/fixtures/advisories),
// imported into a fresh database: every matching rule shows up once in the golden output.
class ScanGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ScanGolden, MatchesReviewedOutput) {
  const std::string format = GetParam();
  char pattern[] = "/tmp/bulwark-scan-golden-XXXXXX";
  const fs::path dir = ::mkdtemp(pattern);
  const std::string db = (dir / "bulwark.db").string();
  const CommandRun import =
      runBulwark("db import --db " + db + " tests/fixtures/advisories/debian-mini");
  ASSERT_EQ(import.status, 0) << import.out;
  const CommandRun scan =
      runBulwark("scan tests/fixtures/rootfs/debian-mini --db " + db + " --format " + format);
  const CommandRun gate = runBulwark("scan tests/fixtures/rootfs/debian-mini --db " + db +
                                     " --severity HIGH,CRITICAL --exit-code 3");
  const CommandRun clean = runBulwark("scan tests/fixtures/rootfs/debian-mini --db " + db +
                                      " --severity CRITICAL --exit-code 3");
  fs::remove_all(dir);
  ASSERT_EQ(scan.status, 0) << scan.out;
  EXPECT_EQ(gate.status, 3) << "a HIGH finding remains, so --exit-code applies";
  EXPECT_EQ(clean.status, 0) << "no CRITICAL finding: the policy passes";
  // The database build id and time differ per import; goldens hold placeholders.
  std::string actual = scan.out;
  for (const std::string key : {"database ", "\"build_id\": \"", "\"built_at\": \""}) {
    for (auto pos = actual.find(key); pos != std::string::npos; pos = actual.find(key, pos + 1)) {
      const auto start = pos + key.size();
      const auto end = actual.find_first_of(key.back() == '"' ? "\"" : " \n", start);
      actual.replace(start, end - start, "X");
    }
  }
  for (const std::string key : {" built "}) {
    for (auto pos = actual.find(key); pos != std::string::npos; pos = actual.find(key, pos + 1)) {
      const auto start = pos + key.size();
      const auto end = actual.find('\n', start);
      actual.replace(start, end - start, "X");
    }
  }
  const fs::path golden = sourceDir() / "tests/golden" / ("debian-mini.scan." + format + ".golden");
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with BULWARK_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, readFile(golden));
}

INSTANTIATE_TEST_SUITE_P(Formats, ScanGolden, ::testing::Values("table", "json"));

TEST(SbomCli, UnusableInputIsOneLineAndExitTwo) {
  const CommandRun missing = runBulwark("sbom docker-archive:/nonexistent/x.tar");
  EXPECT_EQ(missing.status, 2);
  const CommandRun bad_format = runBulwark("sbom / --format xml");
  EXPECT_EQ(bad_format.status, 2);
  const CommandRun no_args = runBulwark("sbom");
  EXPECT_EQ(no_args.status, 2);
  const CommandRun version = runBulwark("--version");
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out.rfind("bulwark ", 0), 0U);
}

}  // namespace
