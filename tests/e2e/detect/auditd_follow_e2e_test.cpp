// `bulwark detect --follow -s auditd:FILE` as a long-running process: real auditd records
// (go-libaudit's test data) appended to a log that auditd then rotates (max_log_file_action=
// ROTATE: audit.log → audit.log.1, a new audit.log); alerts appear as the records arrive, the
// last event of the quiet log included (no EOE: delivered by the idle flush), and SIGTERM ends
// the run with its summary. The binary runs as a child process killed by the fixture even when
// a test fails.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "child_process.h"
#include "testdata.h"

namespace bulwark::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEoeEvents =
    "runtime/elastic-go-libaudit/aucoalesce/testdata/ubuntu-16.10-linux-4.8.0.yaml";
constexpr const char* kNormalLog = "runtime/elastic-go-libaudit/testdata/normal.log";

// Our own rule: an alert per exec, with its command line.
constexpr const char* kRule = R"yaml(- rule: Exec seen
  desc: any program run (test rule)
  condition: evt.type = execve and proc.name in (uname, grep, cat)
  output: "exec seen (cmdline=%proc.cmdline serial=%evt.num)"
  priority: NOTICE
)yaml";

class DetectAuditdFollow : public ::testing::Test {
 protected:
  void SetUp() override {
    BULWARK_REQUIRE_SHARED(kEoeEvents);
    BULWARK_REQUIRE_SHARED(kNormalLog);
    dir_ = fs::temp_directory_path() / ("bulwark-detect-auditd-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "rules.yaml") << kRule;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(DetectAuditdFollow, AlertsAsRecordsArriveAcrossARotationUntilTerminated) {
  const fs::path log = dir_ / "audit.log";
  const YAML::Node doc = YAML::LoadFile((sharedTestdata() / kEoeEvents).string());
  const std::string uname = doc["tests"]["EXECVE"].as<std::string>();  // uname -a, with EOE
  ASSERT_NE(uname.find("type=EOE "), std::string::npos);
  std::ofstream(log).flush();
  Child detect(
      {"detect", "--follow", "-r", (dir_ / "rules.yaml").string(), "-s", "auditd:" + log.string()});
  ASSERT_TRUE(detect.waitFor("auditd: following " + log.string(), true)) << detect.err();
  // The exec's records in two writes, the second starting mid-line.
  const std::size_t cut = uname.find("type=CWD ") + 10;
  std::ofstream(log, std::ios::app) << uname.substr(0, cut) << std::flush;
  std::ofstream(log, std::ios::app) << uname.substr(cut) << std::flush;
  ASSERT_TRUE(detect.waitFor("cmdline=uname -a")) << detect.out() << detect.err();
  // auditd rotates; the new log holds normal.log (serials 58..62, no EOE): its execs of grep
  // and cat alert, cat's only through the idle flush (too few records follow it for the
  // coalescer's timeout, and nothing more is written).
  fs::rename(log, dir_ / "audit.log.1");
  std::ofstream(log) << readFile(sharedTestdata() / kNormalLog) << std::flush;
  ASSERT_TRUE(detect.waitFor("cmdline=cat securitybeat")) << detect.out() << detect.err();
  EXPECT_NE(detect.out().find("cmdline=grep --color=auto mapping"), std::string::npos)
      << detect.out();
  EXPECT_EQ(detect.terminate(), 0) << detect.err();
  EXPECT_NE(detect.err().find("6 event(s), 3 alert(s)"), std::string::npos) << detect.err();
}

}  // namespace
}  // namespace bulwark::testing
