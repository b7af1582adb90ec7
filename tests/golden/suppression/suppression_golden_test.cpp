// `bulwark scan` with an ignore file and VEX documents, end to end on the debian-mini fixture
// (tests/fixtures/rootfs/debian-mini against tests/fixtures/advisories/debian-mini): exit codes,
// warnings, errors, and the --show-suppressed output compared with reviewed goldens in this
// folder. BULWARK_UPDATE_GOLDEN=1 rewrites the goldens; review a rewrite like code.
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
  std::string err;
};

std::string bulwarkBin() {
  const char* bin = std::getenv("BULWARK_BIN");
  return bin != nullptr ? bin : (sourceDir() / "build/bin/bulwark").string();
}

// Runs bulwark in `dir` (the repository root unless told), capturing stdout and stderr apart.
CommandRun runIn(const fs::path& dir, const std::string& args) {
  char pattern[] = "/tmp/bulwark-suppression-run-XXXXXX";
  const fs::path scratch = ::mkdtemp(pattern);
  const std::string command = "cd '" + dir.string() + "' && SOURCE_DATE_EPOCH=1700000000 '" +
                              bulwarkBin() + "' " + args + " >'" + (scratch / "out").string() +
                              "' 2>'" + (scratch / "err").string() + "'";
  CommandRun run;
  const int status = std::system(command.c_str());
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = readFile(scratch / "out");
  run.err = readFile(scratch / "err");
  fs::remove_all(scratch);
  return run;
}

CommandRun run(const std::string& args) { return runIn(sourceDir(), args); }

// The database build id and time differ per import; goldens hold placeholders.
std::string normalized(std::string text) {
  for (const std::string key : {"database ", "\"build_id\": \"", "\"built_at\": \""}) {
    for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + 1)) {
      const auto start = pos + key.size();
      const auto end = text.find_first_of(key.back() == '"' ? "\"" : " \n", start);
      text.replace(start, end - start, "X");
    }
  }
  for (auto pos = text.find(" built "); pos != std::string::npos;
       pos = text.find(" built ", pos + 1)) {
    const auto start = pos + 7;
    text.replace(start, text.find('\n', start) - start, "X");
  }
  return text;
}

void expectGolden(const std::string& actual, const std::string& name) {
  const fs::path golden = sourceDir() / "tests/golden/suppression" / name;
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing; run with BULWARK_UPDATE_GOLDEN=1";
  EXPECT_EQ(actual, readFile(golden)) << name;
}

class Suppression : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/bulwark-suppression-golden-XXXXXX";
    dir_ = new fs::path(::mkdtemp(pattern));
    const CommandRun import =
        run("db import --db '" + db() + "' tests/fixtures/advisories/debian-mini");
    ASSERT_EQ(import.status, 0) << import.err;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  static std::string db() { return (*dir_ / "bulwark.db").string(); }
  // A scan of debian-mini that fails on HIGH and CRITICAL findings with exit code 3.
  static CommandRun gate(const std::string& extra) {
    return run("scan tests/fixtures/rootfs/debian-mini --db '" + db() +
               "' --severity HIGH,CRITICAL --exit-code 3 " + extra);
  }
  static fs::path* dir_;
};

fs::path* Suppression::dir_ = nullptr;

TEST_F(Suppression, WithoutRulesTheHighFindingFailsTheGate) {
  const CommandRun plain = gate("");
  EXPECT_EQ(plain.status, 3) << plain.err;
  EXPECT_EQ(plain.err, "");
  // --show-suppressed with nothing suppressed changes nothing.
  const CommandRun shown = gate("--show-suppressed");
  EXPECT_EQ(shown.status, 3);
  EXPECT_EQ(shown.out, plain.out);
}

TEST_F(Suppression, IgnoreFileSuppressesAndTheGatePasses) {
  const CommandRun scan = gate("--ignorefile tests/fixtures/ignore/debian-mini.yaml");
  EXPECT_EQ(scan.status, 0) << scan.err;
  EXPECT_EQ(scan.err, "");
  EXPECT_EQ(scan.out.find("CVE-2024-2961"), std::string::npos) << "hidden without the flag";
  EXPECT_NE(scan.out.find(", 1 suppressed;"), std::string::npos) << scan.out;
}

TEST_F(Suppression, ExpiredEntryWarnsAndTheGateFails) {
  const CommandRun scan = gate("--ignorefile tests/fixtures/ignore/expired.yaml");
  EXPECT_EQ(scan.status, 3);
  EXPECT_EQ(scan.err,
            "bulwark: warning: tests/fixtures/ignore/expired.yaml:2: the entry for CVE-2024-2961 "
            "expired on 2020-01-01; it no longer suppresses\n");
}

TEST_F(Suppression, DefaultIgnoreFileIsReadFromTheCurrentDirectory) {
  char pattern[] = "/tmp/bulwark-suppression-cwd-XXXXXX";
  const fs::path cwd = ::mkdtemp(pattern);
  const std::string args = "scan '" + (sourceDir() / "tests/fixtures/rootfs/debian-mini").string() +
                           "' --db '" + db() + "' --severity HIGH --exit-code 3";
  const CommandRun without = runIn(cwd, args);
  fs::copy_file(sourceDir() / "tests/fixtures/ignore/debian-mini.yaml",
                cwd / ".bulwarkignore.yaml");
  const CommandRun with = runIn(cwd, args);
  fs::remove_all(cwd);
  EXPECT_EQ(without.status, 3);
  EXPECT_EQ(with.status, 0) << with.err;
}

TEST_F(Suppression, VexNotAffectedPassesTheGateAVersionMismatchDoesNot) {
  const CommandRun matching = gate("--vex tests/fixtures/vex/debian-mini.openvex.json");
  EXPECT_EQ(matching.status, 0) << matching.err;
  const CommandRun mismatch = gate("--vex tests/fixtures/vex/version-mismatch.openvex.json");
  EXPECT_EQ(mismatch.status, 3) << mismatch.err;
  const CommandRun both = gate(
      "--vex tests/fixtures/vex/version-mismatch.openvex.json "
      "--vex tests/fixtures/vex/debian-mini.openvex.json");
  EXPECT_EQ(both.status, 0) << "--vex is repeatable";
  const CommandRun before_target =
      run("scan --vex tests/fixtures/vex/debian-mini.openvex.json tests/fixtures/rootfs/debian-mini"
          " --db '" +
          db() + "' --severity HIGH --exit-code 3");
  EXPECT_EQ(before_target.status, 0) << "--vex takes one value: " << before_target.err;
}

TEST_F(Suppression, BadInputIsExitTwoWithFileAndLine) {
  const CommandRun yaml = gate("--ignorefile tests/fixtures/ignore/malformed.yaml");
  EXPECT_EQ(yaml.status, 2);
  EXPECT_EQ(yaml.err.rfind("bulwark: tests/fixtures/ignore/malformed.yaml:4: ", 0), 0U) << yaml.err;
  const CommandRun entries = gate("--ignorefile tests/fixtures/ignore/bad-entries.yaml");
  EXPECT_EQ(entries.status, 2);
  EXPECT_NE(entries.err.find("bad-entries.yaml:8:"), std::string::npos) << entries.err;
  const CommandRun json = gate("--vex tests/fixtures/vex/truncated.openvex.json");
  EXPECT_EQ(json.status, 2);
  EXPECT_EQ(json.err.rfind("bulwark: tests/fixtures/vex/truncated.openvex.json:2:1: ", 0), 0U)
      << json.err;
  EXPECT_EQ(gate("--ignorefile tests/fixtures/ignore/absent.yaml").status, 2);
  EXPECT_EQ(gate("--vex tests/fixtures/vex/absent.json").status, 2);
  EXPECT_EQ(json.out, "") << "nothing is scanned when a rule file is unusable";
}

TEST_F(Suppression, ShowSuppressedMatchesReviewedOutput) {
  for (const std::string format : {"table", "json"}) {
    const CommandRun first =
        run("scan tests/fixtures/rootfs/debian-mini --db '" + db() + "' --format " + format +
            " --ignorefile tests/fixtures/ignore/debian-mini.yaml"
            " --vex tests/fixtures/vex/debian-mini.openvex.json"
            " --vex tests/fixtures/vex/debian-mini.cdx.json --show-suppressed");
    ASSERT_EQ(first.status, 0) << first.err;
    EXPECT_EQ(first.err,
              "bulwark: warning: tests/fixtures/vex/debian-mini.cdx.json: statement 4: "
              "'missing-ref' is neither a purl nor the bom-ref of a component with a purl in this "
              "document\n");
    expectGolden(normalized(first.out), "debian-mini.suppressed." + format + ".golden");
  }
  if (std::getenv("BULWARK_UPDATE_GOLDEN") != nullptr) GTEST_SKIP() << "rewrote the goldens";
}

}  // namespace
