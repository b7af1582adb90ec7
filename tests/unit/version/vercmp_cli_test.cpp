// `bulwark vercmp`: runs the built binary (BULWARK_BIN) on pairs and on stdin batches.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "testdata.h"
#include "version/scheme.h"

namespace bulwark::version {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class VercmpCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("BULWARK_BIN");
    if (bin == nullptr || !fs::exists(bin)) {
      GTEST_SKIP() << "BULWARK_BIN not set or not built: " << (bin != nullptr ? bin : "(unset)");
    }
    bin_ = bin;
    dir_ = fs::temp_directory_path() /
           ("bulwark-vercmp-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Runs `bulwark vercmp ARGS` (ARGS already shell-quoted), stdin from `input` when given.
  CliRun vercmp(const std::string& args, const std::string* input = nullptr) {
    std::string command = "'" + bin_ + "' vercmp " + args;
    if (input != nullptr) {
      std::ofstream(dir_ / "in", std::ios::binary) << *input;
      command += " < '" + (dir_ / "in").string() + "'";
    } else {
      command += " < /dev/null";
    }
    command += " 2> '" + (dir_ / "err").string() + "'";
    CliRun run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
      ADD_FAILURE() << "popen failed: " << command;
      return run;
    }
    char buffer[1 << 16];
    std::size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, got);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.err = testing::readFile(dir_ / "err");
    return run;
  }

  std::string bin_;
  fs::path dir_;
};

TEST_F(VercmpCli, ComparesOnePairPerScheme) {
  struct Case {
    const char* args;
    const char* answer;
  };
  const Case cases[] = {
      {"dpkg 1.0~rc1 1.0", "<\n"},     {"dpkg 1:0.1 2.0", ">\n"},    {"dpkg 1.0 1.0-0", "=\n"},
      {"rpm 1.0^git1 1.0", ">\n"},     {"rpm 1.0-1.el9 1.0", ">\n"}, {"rpm 0:2.0 2.0", "=\n"},
      {"apk 1.0_rc1 1.0", "<\n"},      {"apk 1.0-r1 1.0.1", "<\n"},  {"apk 2.10 2.10", "=\n"},
      {"dpkg -- -0.6.5 0.9.1", "<\n"},
  };
  for (const Case& c : cases) {
    const CliRun run = vercmp(c.args);
    EXPECT_EQ(run.exit_code, 0) << c.args << "\n" << run.err;
    EXPECT_EQ(run.out, c.answer) << c.args;
  }
}

TEST_F(VercmpCli, WarnsAboutInvalidVersionsButStillAnswers) {
  const CliRun run = vercmp("dpkg a1.0 1.0");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, ">\n");  // a letter outweighs the start of a digit run
  EXPECT_NE(run.err.find("does not start with digit"), std::string::npos) << run.err;
}

TEST_F(VercmpCli, UnknownSchemeIsOneLineAndExitTwo) {
  const CliRun run = vercmp("semverish 1 2");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("unknown scheme 'semverish'"), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

TEST_F(VercmpCli, MissingVersionIsExitTwo) {
  EXPECT_EQ(vercmp("dpkg 1.0").exit_code, 2);
  EXPECT_EQ(vercmp("dpkg").exit_code, 2);
}

TEST_F(VercmpCli, StdinAnswersEveryLine) {
  const std::string input =
      "1.0\t1.1\n"
      "2:1\t1:9\r\n"  // CRLF
      "1.0\t1.0-0\n"
      "\t\n"        // two empty versions are equal
      "1.0~\t1.0";  // no final newline
  const CliRun run = vercmp("dpkg -", &input);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "<\n>\n=\n=\n<\n");
}

TEST_F(VercmpCli, StdinEmptyInputGivesNoOutput) {
  const std::string input;
  const CliRun run = vercmp("rpm -", &input);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, "");
}

TEST_F(VercmpCli, StdinBadLineStopsWithExitTwoAfterEarlierAnswers) {
  const std::string input = "1.0\t1.1\n1.0 1.1\n2.0\t1.0\n";
  const CliRun run = vercmp("apk -", &input);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "<\n");
  EXPECT_NE(run.err.find("line 2"), std::string::npos) << run.err;

  const std::string tabs = "1\t2\t3\n";
  EXPECT_EQ(vercmp("apk -", &tabs).exit_code, 2);
}

TEST_F(VercmpCli, StdinOverlongLineIsRejected) {
  const std::string input = std::string(3u << 20, '1') + "\t1\n";
  const CliRun run = vercmp("dpkg -", &input);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("longer than"), std::string::npos) << run.err;
}

// A batch large enough to cross many read-buffer boundaries, checked line by line against the
// library.
TEST_F(VercmpCli, StdinLargeBatchMatchesLibrary) {
  for (const SchemeInfo& scheme : allSchemes()) {
    std::string input;
    std::string expected;
    for (int i = 0; i < 150000; ++i) {
      const std::string a = std::to_string(i % 97) + "." + std::to_string(i % 13) +
                            (i % 5 == 0 ? "-r1" : "") + (i % 7 == 0 ? "~rc1" : "");
      const std::string b = std::to_string(i % 89) + "." + std::to_string(i % 11) +
                            (i % 3 == 0 ? "_p2" : "") + (i % 4 == 0 ? "-2" : "");
      input += a + "\t" + b + "\n";
      const int cmp = scheme.compare(a, b);
      expected += cmp < 0 ? "<\n" : cmp > 0 ? ">\n" : "=\n";
    }
    const CliRun run = vercmp(std::string(scheme.name) + " -", &input);
    EXPECT_EQ(run.exit_code, 0) << scheme.name << ": " << run.err;
    EXPECT_TRUE(run.out == expected) << scheme.name << ": answers differ from the library";
  }
}

}  // namespace
}  // namespace bulwark::version
