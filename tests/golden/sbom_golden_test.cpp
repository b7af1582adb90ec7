// Whole `bulwark sbom` runs compared with reviewed expected output (tests/golden/*.golden).
// BULWARK_UPDATE_GOLDEN=1 rewrites the files; review a rewrite like code.
#include <sys/wait.h>

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
