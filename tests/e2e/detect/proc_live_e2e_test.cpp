// The host sensors for real. `proc`: the kernel's proc connector and /proc on this machine. A
// process the test starts must come back as an execve event with its program, arguments, parent
// chain and user, then as a procexit; and `bulwark detect -s proc` must raise Falco's own "Search
// Private Keys or Passwords" alert for a grep the test runs. `ebpf` raises Falco's alert for a
// read of /etc/shadow; `auditd-live` sees an audit message the test sends through the kernel.
// Needs root (the connector refuses others before Linux 6.6 and outside the initial
// namespaces): skipped, saying so, without it.
#include <linux/netlink.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "child_process.h"
#include "events/auditd/netlink_source.h"
#include "events/ebpf/ebpf_source.h"
#include "events/host/host_event.h"
#include "events/proc/connector.h"
#include "events/proc/proc_source.h"
#include "testdata.h"

extern char** environ;

namespace bulwark::testing {
namespace {

using namespace std::chrono_literals;

const char* const kFalcoRules = "runtime/falcosecurity-rules/HEAD/falco_rules.yaml";

// Starts `argv` and returns its pid (the caller waits for it).
pid_t spawn(const std::vector<std::string>& argv) {
  std::vector<char*> raw;
  std::vector<std::string> copy = argv;
  for (auto& arg : copy) raw.push_back(arg.data());
  raw.push_back(nullptr);
  pid_t pid = -1;
  if (::posix_spawn(&pid, raw[0], nullptr, nullptr, raw.data(), environ) != 0) return -1;
  return pid;
}

int waitExit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

class ProcLive : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the proc connector needs root";
    auto probe = events::proc::Connector::open();
    if (!probe) GTEST_SKIP() << "no proc connector here: " << probe.error().message;
  }
};

struct Seen {
  std::string type;
  std::int64_t pid = 0;
  std::int64_t ppid = 0;
  std::string name;
  std::string exepath;
  std::vector<std::string> args;
  std::string parent_name;
  std::string user;
  std::string container;
};

TEST_F(ProcLive, AnExecComesWithItsProgramArgumentsParentAndExit) {
  std::mutex lock;
  std::condition_variable changed;
  std::vector<Seen> seen;
  bool ready = false;
  std::atomic<bool> stop{false};
  events::proc::ProcSourceOptions options;
  options.on_ready = [&] {
    const std::lock_guard guard(lock);
    ready = true;
    changed.notify_all();
  };
  events::proc::ProcSource source(std::move(options));
  core::Diagnostics diagnostics;
  core::Status status;
  std::thread runner([&] {
    status = source.run(
        [&](const events::Event& event) {
          const auto& host = *static_cast<const events::host::HostEvent*>(event.payload);
          Seen one;
          one.type = host.type;
          one.pid = host.process->pid;
          one.ppid = host.process->ppid;
          one.name = host.process->name;
          one.exepath = host.process->exepath;
          one.args = host.process->args;
          one.parent_name = host.process->parent ? host.process->parent->name : "";
          one.user = host.process->user_name;
          one.container = host.container ? host.container->id : "host";
          const std::lock_guard guard(lock);
          seen.push_back(std::move(one));
          changed.notify_all();
        },
        diagnostics, &stop);
  });
  {
    std::unique_lock guard(lock);
    ASSERT_TRUE(changed.wait_for(guard, 20s, [&] { return ready; }));
  }
  // A shell that lives long enough to be read from /proc, named by its $0.
  const pid_t pid = spawn({"/bin/sh", "-c", "sleep 0.3; exit 3", "bulwark-proc-probe"});
  ASSERT_GT(pid, 0);
  const int exit_status = waitExit(pid);
  const auto found = [&](const std::string& type) {
    for (const auto& one : seen) {
      if (one.type == type && one.pid == pid) return &one;
    }
    return static_cast<const Seen*>(nullptr);
  };
  {
    std::unique_lock guard(lock);
    changed.wait_for(guard, 20s, [&] { return found("procexit") != nullptr; });
  }
  stop = true;
  runner.join();
  ASSERT_TRUE(status) << status.error().message;
  const Seen* exec = found("execve");
  ASSERT_NE(exec, nullptr) << "no execve for pid " << pid;
  EXPECT_EQ(exec->name, "sh");
  EXPECT_TRUE(exec->exepath.ends_with("sh")) << exec->exepath;  // /usr/bin/dash on Debian
  EXPECT_EQ(exec->args,
            (std::vector<std::string>{"-c", "sleep 0.3; exit 3", "bulwark-proc-probe"}));
  EXPECT_EQ(exec->ppid, ::getpid());
  EXPECT_FALSE(exec->parent_name.empty());
  EXPECT_EQ(exec->user, "root");
  const Seen* exit = found("procexit");
  ASSERT_NE(exit, nullptr);
  EXPECT_EQ(exit->name, "sh");
  EXPECT_EQ(WEXITSTATUS(exit_status), 3);
  // The shell's child: sleep, whose parent in the table is the probe shell.
  bool child = false;
  for (const auto& one : seen) {
    child = child || (one.type == "execve" && one.ppid == pid && one.name == "sleep" &&
                      one.parent_name == "sh");
  }
  EXPECT_TRUE(child);
  EXPECT_GT(source.stats().processes, 10U);
}

TEST_F(ProcLive, DetectRaisesFalcosAlertForAGrepForPrivateKeys) {
  BULWARK_REQUIRE_SHARED(kFalcoRules);
  Child detect({"detect", "-r", (sharedTestdata() / kFalcoRules).string(), "-s", "proc",
                "--docker-host", "none", "--format", "json"});
  ASSERT_TRUE(detect.waitFor("watching this host's processes", /*on_stderr=*/true)) << detect.err();
  // Rules on opens, connects and the like cannot fire from this sensor: it says so.
  EXPECT_NE(detect.err().find("proc.idle-rules: proc: 13 syscall rule(s) wait for calls the "
                              "sensors of this run do not report (they see: proc (execve and "
                              "procexit))"),
            std::string::npos)
      << detect.err();
  // grep reads the pipe until sleep ends: alive long enough for its argv to be read.
  const pid_t pid = spawn({"/bin/sh", "-c", "sleep 0.5 | grep 'BEGIN RSA PRIVATE'"});
  ASSERT_GT(pid, 0);
  waitExit(pid);
  EXPECT_TRUE(detect.waitFor("\"rule\":\"Search Private Keys or Passwords\"")) << detect.out();
  EXPECT_NE(detect.out().find("\"proc.cmdline\":\"grep BEGIN RSA PRIVATE\""), std::string::npos)
      << detect.out();
  EXPECT_EQ(detect.terminate(), 0) << detect.err();
  EXPECT_NE(detect.err().find("alert(s)"), std::string::npos) << detect.err();
}

// The eBPF sensor sees what the proc connector cannot: a short-lived program's open of
// /etc/shadow fires Falco's "Read sensitive file untrusted", with the program's command line.
TEST(EbpfLive, DetectRaisesFalcosAlertForAReadOfTheShadowFile) {
  if (::geteuid() != 0) GTEST_SKIP() << "eBPF needs root";
  if (auto probe = events::ebpf::EbpfSource::probe(); !probe) {
    GTEST_SKIP() << "eBPF cannot load here: " << probe.error().message;
  }
  BULWARK_REQUIRE_SHARED(kFalcoRules);
  Child detect({"detect", "-r", (sharedTestdata() / kFalcoRules).string(), "-s", "ebpf",
                "--docker-host", "none", "--format", "json"});
  ASSERT_TRUE(detect.waitFor("ebpf: tracing this host's", /*on_stderr=*/true)) << detect.err();
  EXPECT_NE(detect.err().find("ebpf.idle-rules: ebpf: 7 syscall rule(s)"), std::string::npos)
      << detect.err();
  const pid_t pid = spawn({"/bin/sh", "-c", "head -c 1 /etc/shadow > /dev/null"});
  ASSERT_GT(pid, 0);
  waitExit(pid);
  EXPECT_TRUE(detect.waitFor("\"rule\":\"Read sensitive file untrusted\"")) << detect.out();
  EXPECT_NE(detect.out().find("\"proc.cmdline\":\"head -c 1 /etc/shadow\""), std::string::npos)
      << detect.out();
  EXPECT_NE(detect.out().find("\"fd.name\":\"/etc/shadow\""), std::string::npos) << detect.out();
  EXPECT_EQ(detect.terminate(), 0) << detect.err();
}

// `bulwark detect --simulate BW-RT-215 --live` runs the test hook for real; the built-in rules
// of a detect watching the host through `sensor` raise the test alert for it (the kernel's comm
// of the hook is cut at 15 bytes: the rule must also know it by its path).
void expectLiveTestAlert(const std::string& sensor, const std::string& ready) {
  Child detect({"detect", "-s", sensor, "--docker-host", "none", "--format", "json"});
  ASSERT_TRUE(detect.waitFor(ready, /*on_stderr=*/true)) << detect.err();
  const char* bin = std::getenv("BULWARK_BIN");
  const std::string simulate = std::string(bin != nullptr ? bin : "build/bin/bulwark") +
                               " detect --simulate BW-RT-215 --live";
  EXPECT_EQ(std::system(simulate.c_str()), 0);
  EXPECT_TRUE(detect.waitFor("\"rule\":\"Bulwark Test Alert\"")) << detect.out();
  EXPECT_NE(detect.out().find("cmdline=bulwark-alert-t 0.2"), std::string::npos) << detect.out();
  EXPECT_EQ(detect.terminate(), 0) << detect.err();
}

TEST_F(ProcLive, TheLiveSimulationRaisesTheTestAlert) {
  expectLiveTestAlert("proc", "proc: watching");
}

TEST(EbpfLive, TheLiveSimulationRaisesTheTestAlert) {
  if (::geteuid() != 0) GTEST_SKIP() << "eBPF needs root";
  if (auto probe = events::ebpf::EbpfSource::probe(); !probe) {
    GTEST_SKIP() << "eBPF cannot load here: " << probe.error().message;
  }
  expectLiveTestAlert("ebpf", "ebpf: tracing");
}

// A shell whose stdin and stdout are a TCP connection (to a listener of the test on loopback),
// as a reverse shell's are: the built-in rule BW-RT-224 fires with stdin=ipv4.
void expectReverseShellAlert(const std::string& sensor, const std::string& ready) {
  Child detect({"detect", "-s", sensor, "--docker-host", "none", "--format", "json"});
  ASSERT_TRUE(detect.waitFor(ready, /*on_stderr=*/true)) << detect.err();
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const int client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const int server = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(server, 0);
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, client, 0);
  ::posix_spawn_file_actions_adddup2(&actions, client, 1);
  std::string shell = "/bin/sh";
  std::string flag = "-c";
  std::string script = "sleep 0.3";
  char* argv[] = {shell.data(), flag.data(), script.data(), nullptr};
  pid_t pid = -1;
  ASSERT_EQ(::posix_spawn(&pid, argv[0], &actions, nullptr, argv, environ), 0);
  ::posix_spawn_file_actions_destroy(&actions);
  waitExit(pid);
  ::close(client);
  ::close(server);
  ::close(listener);
  EXPECT_TRUE(detect.waitFor("\"rule\":\"Reverse Shell\"")) << detect.out();
  EXPECT_NE(detect.out().find("stdin=ipv4 stdout=ipv4"), std::string::npos) << detect.out();
  EXPECT_EQ(detect.terminate(), 0) << detect.err();
}

TEST_F(ProcLive, AShellOnATcpConnectionIsAReverseShell) {
  expectReverseShellAlert("proc", "proc: watching");
}

TEST(EbpfLive, AShellOnATcpConnectionIsAReverseShell) {
  if (::geteuid() != 0) GTEST_SKIP() << "eBPF needs root";
  if (auto probe = events::ebpf::EbpfSource::probe(); !probe) {
    GTEST_SKIP() << "eBPF cannot load here: " << probe.error().message;
  }
  expectReverseShellAlert("ebpf", "ebpf: tracing");
}

// Sends a user-space audit message through the kernel, which logs it with this process's pid:
// what `auditd-live` must see. AUDIT_USER_AVC (what SELinux's user-space object managers send):
// the one user message type the kernel relays even while auditing is disabled (no auditd).
// False when the kernel refuses.
bool sendAuditUserMessage(const std::string& text) {
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return false;
  std::vector<char> message(NLMSG_SPACE(text.size() + 1), '\0');
  auto* header = reinterpret_cast<nlmsghdr*>(message.data());
  header->nlmsg_len = static_cast<std::uint32_t>(NLMSG_LENGTH(text.size() + 1));
  header->nlmsg_type = 1107;  // AUDIT_USER_AVC
  header->nlmsg_flags = NLM_F_REQUEST;
  header->nlmsg_seq = 1;
  std::memcpy(NLMSG_DATA(header), text.c_str(), text.size() + 1);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  const bool sent = ::sendto(fd, message.data(), header->nlmsg_len, 0,
                             reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel) >= 0;
  ::close(fd);
  return sent;
}

// `auditd-live`: the kernel's audit multicast, for a message this test sends; the pid the
// kernel records is this process's.
TEST(AuditdLive, DetectSeesAUserMessageTheKernelLogs) {
  if (::geteuid() != 0) GTEST_SKIP() << "the audit multicast group needs root";
  const auto dir = std::filesystem::temp_directory_path() /
                   ("bulwark-auditd-live-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto rules = dir / "rules.yaml";
  std::ofstream(rules) << "- rule: User audit message\n"
                          "  desc: an AUDIT_USER message from the test\n"
                          "  condition: evt.type=user_avc and proc.pid="
                       << ::getpid()
                       << "\n"
                          "  output: user message (pid=%proc.pid uid=%user.uid "
                          "types=%audit.record_types)\n"
                          "  priority: NOTICE\n";
  Child detect({"detect", "-r", rules.string(), "-s", "auditd-live", "--format", "json"});
  const bool listening = detect.waitFor("auditd-live: reading", /*on_stderr=*/true, 10s);
  if (!listening &&
      detect.err().find("cannot join the audit multicast group") != std::string::npos) {
    std::filesystem::remove_all(dir);
    GTEST_SKIP() << "no audit multicast here: " << detect.err();
  }
  ASSERT_TRUE(listening) << detect.err();
  ASSERT_TRUE(sendAuditUserMessage("avc:  denied  { read } for bulwark-e2e"));
  EXPECT_TRUE(detect.waitFor("\"rule\":\"User audit message\"")) << detect.out() << detect.err();
  EXPECT_NE(detect.out().find("\"audit.record_types\":\"(USER_AVC)\""), std::string::npos)
      << detect.out();
  EXPECT_EQ(detect.terminate(), 0) << detect.err();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bulwark::testing
