// Running other programs (core/subprocess.h) for real, through /bin/sh scripts: output and exit
// code, a program that cannot start, the time limit (a whole process group when asked), and
// output over the limit either cut off (killed) or kept as its tail.
#include "core/subprocess.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <string>

#include <gtest/gtest.h>

namespace bulwark::core {
namespace {

using std::chrono::milliseconds;

CaptureOptions options(milliseconds timeout = milliseconds(20'000)) {
  CaptureOptions capture;
  capture.timeout = timeout;
  return capture;
}

TEST(RunCaptured, CapturesStdoutAndStderrAndTheExitCode) {
  const CapturedRun ran =
      runCaptured({"/bin/sh", "-c", "echo out; echo err >&2; read line; exit 3"}, options());
  ASSERT_TRUE(ran.started);
  EXPECT_FALSE(ran.timed_out);
  EXPECT_EQ(ran.exit_code, 3);
  EXPECT_EQ(ran.signal, 0);
  // stdin is /dev/null: `read` sees its end at once.
  EXPECT_EQ(ran.output, "out\nerr\n");
  // A name is looked up in PATH.
  const CapturedRun by_name = runCaptured({"sh", "-c", "printf ok"}, options());
  ASSERT_TRUE(by_name.started);
  EXPECT_EQ(by_name.exit_code, 0);
  EXPECT_EQ(by_name.output, "ok");
}

TEST(RunCaptured, AProgramThatCannotStartSaysWhy) {
  const CapturedRun ran = runCaptured({"/nonexistent/bulwark-test-program"}, options());
  EXPECT_FALSE(ran.started);
  EXPECT_EQ(ran.spawn_error, ENOENT);
  EXPECT_FALSE(runCaptured({}, options()).started);
}

TEST(RunCaptured, TheTimeLimitKillsTheProgramAndItsGroup) {
  // The shell starts a child that would outlive it; with own_group the kill reaches it too, so
  // the pipe closes and nothing is left running (the marker file is never written).
  CaptureOptions group = options(milliseconds(300));
  group.own_group = true;
  const auto started = std::chrono::steady_clock::now();
  const CapturedRun ran = runCaptured({"/bin/sh", "-c", "sleep 30 & wait"}, group);
  ASSERT_TRUE(ran.started);
  EXPECT_TRUE(ran.timed_out);
  EXPECT_EQ(ran.signal, SIGKILL);
  EXPECT_EQ(ran.exit_code, -1);
  // Not 30 s: the sleep, holding the pipe open, was killed with its shell.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
}

TEST(RunCaptured, OutputOverTheLimitIsCutOffOrKeptAsItsTail) {
  CaptureOptions cut = options();
  cut.max_output = 1000;
  const std::string script = "i=0; while [ $i -lt 500 ]; do echo line$i; i=$((i+1)); done";
  const CapturedRun stopped = runCaptured({"/bin/sh", "-c", script}, cut);
  ASSERT_TRUE(stopped.started);
  EXPECT_TRUE(stopped.too_large);
  EXPECT_LE(stopped.output.size(), 1000U);

  CaptureOptions tail = cut;
  tail.keep_tail = true;
  const CapturedRun kept = runCaptured({"/bin/sh", "-c", script}, tail);
  ASSERT_TRUE(kept.started);
  EXPECT_FALSE(kept.too_large);
  EXPECT_EQ(kept.exit_code, 0);
  EXPECT_EQ(kept.output.size(), 1000U);
  EXPECT_TRUE(kept.output.ends_with("line498\nline499\n"));
}

}  // namespace
}  // namespace bulwark::core
