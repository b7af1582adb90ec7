// /proc readers (src/events/host/procfs.h, docs/dev/runtime-design.md §2.4, §2.6): the parsers on
// text vectors (real shapes from a Debian 12 kernel, hostile comm names, cut and huge input), the
// cgroup → container patterns of Docker, containerd, CRI-O, podman, Kubernetes (cgroupfs and
// systemd drivers), and readProcess over a fake /proc tree, the test itself and live children.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "events/host/procfs.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace host = bulwark::events::host;
using bulwark::core::ErrorCode;
using namespace std::string_literals;

// A stat line as the kernel writes it, with the given comm and the fields we read.
std::string statLine(int pid, std::string_view comm, char state = 'S', int ppid = 1, int tty_nr = 0,
                     std::string_view start = "5247650") {
  return fmt::format(
      "{} ({}) {} {} {} {} {} -1 4194304 101 0 1 0 0 0 0 0 20 0 1 0 {} 2998272 378 "
      "18446744073709551615 94892523528192 94892523552297 140735835510672 0 0 0 0 0 0 0 0 0 17 "
      "1 0 0 0 0 0 94892523568144 94892523569760 94893060161536 140735835515512 "
      "140735835515540 140735835515540 140735835516906 0\n",
      pid, comm, state, ppid, pid, pid - 1, tty_nr, start);
}

const std::string kId = "4c3d9cdc2e43d4e58a87b7c9f2cd8d2e1d3e6c0a0b1c5a7f8e9d0c1b2a3f4e5d";
const std::string kId2 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kPodUid = "8f2c4d1e-3b5a-4c6d-9e7f-0a1b2c3d4e5f";
const std::string kPodUidUnderscored = "8f2c4d1e_3b5a_4c6d_9e7f_0a1b2c3d4e5f";

// ---- stat ------------------------------------------------------------------------------------

TEST(ParseStat, RealLine) {
  const auto stat = host::parseStat(statLine(31776, "head", 'R', 31733, 34817, "5247650"));
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, 31776);
  EXPECT_EQ(stat->comm, "head");
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->ppid, 31733);
  EXPECT_EQ(stat->pgrp, 31776);
  EXPECT_EQ(stat->session, 31775);
  EXPECT_EQ(stat->tty_nr, 34817);
  EXPECT_EQ(stat->start_ticks, 5247650U);
}

TEST(ParseStat, HostileComm) {
  // comm is whatever prctl(PR_SET_NAME) was given: only the last ')' ends it.
  for (const std::string& comm : {"a) (b"s, ")"s, "("s, "x) R 1 1 1 0"s, "a\nb"s, ""s, "  "s,
                                  "((()))"s, "tab\there"s, "\\n"s}) {
    const auto stat = host::parseStat(statLine(7, comm, 'Z', 3));
    ASSERT_TRUE(stat) << comm;
    EXPECT_EQ(stat->comm, comm);
    EXPECT_EQ(stat->state, 'Z');
    EXPECT_EQ(stat->ppid, 3);
    EXPECT_EQ(stat->start_ticks, 5247650U);
  }
}

TEST(ParseStat, HugeFields) {
  const std::string comm(1 << 20, 'x');
  const auto stat = host::parseStat(statLine(1, comm, 'S', 0, 0, "18446744073709551615"));
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->comm.size(), comm.size());
  EXPECT_EQ(stat->start_ticks, UINT64_MAX);
  // One past the largest value does not fit: not a number.
  EXPECT_FALSE(host::parseStat(statLine(1, "a", 'S', 0, 0, "18446744073709551616")));
  EXPECT_FALSE(host::parseStat(statLine(1, "a", 'S', 0, 0, std::string(400, '9'))));
}

TEST(ParseStat, Rejects) {
  EXPECT_FALSE(host::parseStat(""));
  EXPECT_FALSE(host::parseStat("1 bash S 1 1 1"));                 // no parentheses
  EXPECT_FALSE(host::parseStat("1 (bash"));                        // no ')'
  EXPECT_FALSE(host::parseStat(") 1 (bash"));                      // ')' before '('
  EXPECT_FALSE(host::parseStat("x (bash) S 1 1 1 0"));             // pid not a number
  EXPECT_FALSE(host::parseStat("1 (bash) S 1 1 1 0 -1 4194304"));  // cut before starttime
  EXPECT_FALSE(host::parseStat("1 (bash) SS 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5"));
  EXPECT_FALSE(host::parseStat("1 (bash) S one 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5"));
  // Exactly up to starttime is enough.
  const auto cut = host::parseStat("1 (bash) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5");
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->start_ticks, 5U);
}

// ---- status ----------------------------------------------------------------------------------

constexpr std::string_view kStatus =
    "Name:\tcat\nUmask:\t0022\nState:\tR (running)\nTgid:\t31777\nNgid:\t0\nPid:\t31778\n"
    "PPid:\t31733\nTracerPid:\t0\nUid:\t1000\t1001\t1002\t1003\nGid:\t2000\t2001\t2002\t2003\n"
    "FDSize:\t256\nGroups:\t \nNStgid:\t31777\t12\nNSpid:\t31778\t13\nNSpgid:\t31733\n"
    "NSsid:\t28718\nKthread:\t0\nVmPeak:\t    3060 kB\nThreads:\t1\n"
    "CapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\nCapEff:\t00000000a80425fb\n"
    "CapBnd:\t000001fffeffffff\nCpus_allowed_list:\t0-1\n"
    "Mems_allowed:\t00000000,00000001\nvoluntary_ctxt_switches:\t2\n";

TEST(ParseStatus, RealFile) {
  const auto status = host::parseStatus(kStatus);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->name, "cat");
  EXPECT_EQ(status->tgid, 31777);
  EXPECT_EQ(status->pid, 31778);
  EXPECT_EQ(status->ppid, 31733);
  EXPECT_EQ(status->uid[0], 1000U);
  EXPECT_EQ(status->uid[1], 1001U);
  EXPECT_EQ(status->uid[2], 1002U);
  EXPECT_EQ(status->uid[3], 1003U);
  EXPECT_EQ(status->gid[0], 2000U);
  EXPECT_EQ(status->gid[3], 2003U);
  EXPECT_EQ(status->cap_prm, 0x1fffeffffffULL);
  EXPECT_EQ(status->cap_eff, 0xa80425fbULL);
  EXPECT_EQ(status->nspid, (std::vector<int>{31778, 13}));
  EXPECT_EQ(status->nspgid, (std::vector<int>{31733}));
}

TEST(ParseStatus, EscapedNames) {
  EXPECT_EQ(host::parseStatus("Name:\ta\\nb\n")->name, "a\nb");
  EXPECT_EQ(host::parseStatus("Name:\tx\\\\y\n")->name, "x\\y");
  EXPECT_EQ(host::parseStatus("Name:\t\\\\n\n")->name, "\\n");      // an escaped backslash, then n
  EXPECT_EQ(host::parseStatus("Name:\tend\\\n")->name, "end\\");    // a lone backslash at the end
  EXPECT_EQ(host::parseStatus("Name:\t\\q\n")->name, "\\q");        // unknown escape kept
  EXPECT_EQ(host::parseStatus("Name:\t a b\t\n")->name, " a b\t");  // blanks are part of it
  EXPECT_EQ(host::parseStatus("Name:\t\n")->name, "");
}

TEST(ParseStatus, Tolerant) {
  // Only some lines: the rest keep their defaults.
  const auto some = host::parseStatus("Pid:\t5\nUid:\t1\t2\t3\nGid:\t7\t7\t7\t7\nbogus\n");
  ASSERT_TRUE(some);
  EXPECT_EQ(some->pid, 5);
  EXPECT_EQ(some->uid[0], 0U);  // three numbers: the line is skipped
  EXPECT_EQ(some->gid[1], 7U);
  EXPECT_TRUE(some->name.empty());
  EXPECT_TRUE(some->nspid.empty());
  // No trailing newline; CRLF.
  EXPECT_EQ(host::parseStatus("Tgid:\t9")->tgid, 9);
  EXPECT_EQ(host::parseStatus("Tgid:\t9\r\n")->tgid, 9);
  // Bad numbers are skipped, not fatal, while another line parses.
  const auto bad = host::parseStatus("Pid:\tx\nPPid:\t-\nCapEff:\tzz\nNSpid:\t1\tx\nTgid:\t3\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->pid, 0);
  EXPECT_EQ(bad->cap_eff, 0U);
  EXPECT_TRUE(bad->nspid.empty());
  EXPECT_EQ(bad->tgid, 3);
  // Nothing known at all: not a status file.
  EXPECT_FALSE(host::parseStatus(""));
  EXPECT_FALSE(host::parseStatus("hello\nworld: 1\n"));
  EXPECT_FALSE(host::parseStatus(std::string(1 << 20, ':')));
}

// ---- cmdline ---------------------------------------------------------------------------------

TEST(ParseCmdline, Shapes) {
  using V = std::vector<std::string>;
  EXPECT_EQ(host::parseCmdline("/bin/sh\0-c\0exec /bin/true\0"s),
            (V{"/bin/sh", "-c", "exec /bin/true"}));
  EXPECT_EQ(host::parseCmdline("a\0b"s), (V{"a", "b"}));  // no trailing NUL
  EXPECT_EQ(host::parseCmdline("nginx: worker process"), (V{"nginx: worker process"}));
  EXPECT_EQ(host::parseCmdline("prog\0\0"s), (V{"prog", ""}));  // an empty last argument
  EXPECT_EQ(host::parseCmdline("\0"s), (V{""}));
  EXPECT_EQ(host::parseCmdline("\0\0\0"s), (V{"", "", ""}));
  EXPECT_TRUE(host::parseCmdline("").empty());  // kernel threads, zombies
  const std::string many = [] {
    std::string text;
    for (int i = 0; i < 10000; ++i) text += std::to_string(i) + '\0';
    return text;
  }();
  const auto args = host::parseCmdline(many);
  ASSERT_EQ(args.size(), 10000U);
  EXPECT_EQ(args.back(), "9999");
}

TEST(TtyName, Devices) {
  EXPECT_EQ(host::ttyName(0), "");
  EXPECT_EQ(host::ttyName(-1), "");
  EXPECT_EQ(host::ttyName(136 << 8), "pts/0");
  EXPECT_EQ(host::ttyName((136 << 8) | 5), "pts/5");
  EXPECT_EQ(host::ttyName((137 << 8) | 1), "pts/257");
  // Minor 300 on major 136: the high minor bits sit at bit 20 (new_encode_dev).
  EXPECT_EQ(host::ttyName((136 << 8) | (300 & 0xff) | ((300 & ~0xff) << 12)), "pts/300");
  EXPECT_EQ(host::ttyName((4 << 8) | 1), "tty1");
  EXPECT_EQ(host::ttyName((4 << 8) | 64), "ttyS0");
  EXPECT_EQ(host::ttyName((5 << 8) | 1), "console");
  EXPECT_EQ(host::ttyName((5 << 8) | 0), "tty");
  EXPECT_EQ(host::ttyName(8 << 8), "");
}

// ---- mountinfo, environ -----------------------------------------------------------------------

TEST(OverlayUpperDir, Shapes) {
  // Docker's overlay2 root, with optional fields.
  EXPECT_EQ(host::overlayUpperDir(
                "1011 870 0:106 / /proc rw - proc proc rw\n"
                "1012 870 0:107 / / rw,relatime master:357 - overlay overlay "
                "rw,lowerdir=/var/lib/docker/overlay2/l/ABC:/var/lib/docker/overlay2/l/DEF,"
                "upperdir=/var/lib/docker/overlay2/123abc/diff,"
                "workdir=/var/lib/docker/overlay2/123abc/work,nouserxattr\n"),
            "/var/lib/docker/overlay2/123abc/diff");
  // containerd's snapshotter, no optional fields, no trailing newline.
  EXPECT_EQ(
      host::overlayUpperDir(
          "25 1 0:22 / / rw - overlay overlay rw,lowerdir=/s/12/fs,upperdir=/var/lib/"
          "containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/34/fs,workdir=/s/34/w"),
      "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/34/fs");
  // Octal escapes in the path.
  EXPECT_EQ(host::overlayUpperDir("1 0 0:1 / / rw - overlay overlay rw,upperdir=/a\\040b\\134c\n"),
            "/a b\\c");
  // A host root, an overlay without upperdir, an overlay elsewhere, stacked mounts.
  EXPECT_FALSE(host::overlayUpperDir("26 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"));
  EXPECT_FALSE(host::overlayUpperDir("1 0 0:1 / / ro - overlay overlay ro,lowerdir=/a:/b\n"));
  EXPECT_FALSE(host::overlayUpperDir("1 0 0:1 / /merged rw - overlay overlay rw,upperdir=/u\n"));
  EXPECT_FALSE(
      host::overlayUpperDir("1 0 0:1 / / rw - overlay overlay rw,upperdir=/u\n"
                            "2 1 8:1 / / rw - ext4 /dev/sda1 rw\n"));
  EXPECT_EQ(host::overlayUpperDir("2 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                                  "1 0 0:1 / / rw - overlay overlay rw,upperdir=/u\n"),
            "/u");
  // Cut and garbage lines.
  EXPECT_FALSE(host::overlayUpperDir(""));
  EXPECT_FALSE(host::overlayUpperDir("1 0 0:1 / / rw - overlay\n"));
  EXPECT_FALSE(host::overlayUpperDir("1 0 0:1 / / rw master:1 shared:2\n"));
  EXPECT_FALSE(host::overlayUpperDir(std::string(1 << 20, ' ')));
  EXPECT_EQ(host::overlayUpperDir("1 0 0:1 / / rw - overlay overlay upperdir=\\04\n"), "\\04");
}

TEST(ReadEnviron, ChildAndErrors) {
  std::string program = "/bin/sleep";
  std::string arg = "30";
  std::string token = "BULWARK_PROCFS_TOKEN=t0k3n with spaces";
  char* argv[] = {program.data(), arg.data(), nullptr};
  char* envp[] = {token.data(), nullptr};
  pid_t pid = -1;
  ASSERT_EQ(::posix_spawn(&pid, argv[0], nullptr, nullptr, argv, envp), 0);
  // As for cmdline, the new environment is there a moment after posix_spawn returns.
  auto env = host::readEnviron("/proc", pid);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (env && env->empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    env = host::readEnviron("/proc", pid);
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(*env, (std::vector<std::string>{token}));
  EXPECT_EQ(host::readEnviron("/proc", pid).error().code, ErrorCode::NotFound);
  EXPECT_EQ(host::parseEnviron("A=1\0B=\0"s), (std::vector<std::string>{"A=1", "B="}));
}

// ---- cgroup → container ----------------------------------------------------------------------

struct CgroupCase {
  std::string name;
  std::string text;
  std::optional<host::ContainerRef> container;
  std::optional<std::string> pod_uid;
};

std::vector<CgroupCase> cgroupCases() {
  const auto ref = [](std::string id, std::string runtime) {
    return std::optional<host::ContainerRef>(host::ContainerRef{std::move(id), std::move(runtime)});
  };
  const std::nullopt_t none = std::nullopt;
  // cgroup v1: one line per hierarchy, as Docker's cgroupfs driver leaves them.
  const std::string v1_docker = fmt::format(
      "12:hugetlb:/docker/{0}\n11:pids:/docker/{0}\n10:memory:/docker/{0}\n"
      "9:cpu,cpuacct:/docker/{0}\n8:blkio:/docker/{0}\n7:devices:/docker/{0}\n"
      "6:freezer:/docker/{0}\n5:net_cls,net_prio:/docker/{0}\n4:perf_event:/docker/{0}\n"
      "3:cpuset:/docker/{0}\n2:rdma:/\n1:name=systemd:/docker/{0}\n0::/system.slice/"
      "containerd.service\n",
      kId);
  return {
      // Docker.
      {"docker v1 cgroupfs", v1_docker, ref(kId, "docker"), none},
      {"docker v2 systemd", "0::/system.slice/docker-" + kId + ".scope\n", ref(kId, "docker"),
       none},
      {"docker v1 systemd", "1:name=systemd:/system.slice/docker-" + kId + ".scope\n",
       ref(kId, "docker"), none},
      {"docker v2 cgroupfs", "0::/docker/" + kId + "\n", ref(kId, "docker"), none},
      {"docker, systemd inside", "0::/system.slice/docker-" + kId + ".scope/init.scope\n",
       ref(kId, "docker"), none},
      {"docker in docker", "0::/docker/" + kId + "/docker/" + kId2 + "\n", ref(kId2, "docker"),
       none},
      {"v1: only memory names it", "3:cpuset:/\n4:memory:/docker/" + kId + "\n0::/\n",
       ref(kId, "docker"), none},
      {"ecs", "0::/ecs/3f1b2c4d5e6f7a8b9c0d1e2f3a4b5c6d/" + kId + "\n", ref(kId, "docker"), none},
      {"github actions", "0::/actions_job/" + kId + "\n", ref(kId, "docker"), none},
      // Kubernetes, systemd driver (v2 and v1).
      {"k8s containerd systemd burstable",
       "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kPodUidUnderscored +
           ".slice/cri-containerd-" + kId + ".scope\n",
       ref(kId, "containerd"), kPodUid},
      {"k8s containerd systemd guaranteed",
       "0::/kubepods.slice/kubepods-pod" + kPodUidUnderscored + ".slice/cri-containerd-" + kId +
           ".scope\n",
       ref(kId, "containerd"), kPodUid},
      {"k8s cri-o systemd besteffort",
       "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kPodUidUnderscored +
           ".slice/crio-" + kId + ".scope\n",
       ref(kId, "cri-o"), kPodUid},
      {"k8s cri-o conmon is the host",
       "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kPodUidUnderscored +
           ".slice/crio-conmon-" + kId + ".scope\n",
       none, kPodUid},
      {"k8s dockershim systemd v1",
       "11:memory:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
           kPodUidUnderscored + ".slice/docker-" + kId + ".scope\n",
       ref(kId, "docker"), kPodUid},
      {"kind (kubelet slices)",
       "0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
       "kubelet-kubepods-besteffort-pod" +
           kPodUidUnderscored + ".slice/cri-containerd-" + kId + ".scope\n",
       ref(kId, "containerd"), kPodUid},
      {"containerd colon form",
       "0::/system.slice/containerd.service/kubepods-burstable-pod" + kPodUidUnderscored +
           ".slice:cri-containerd:" + kId + "\n",
       ref(kId, "containerd"), kPodUid},
      {"crio colon form",
       "0::/kubepods-besteffort-pod" + kPodUidUnderscored + ".slice:crio:" + kId + "\n",
       ref(kId, "cri-o"), kPodUid},
      // Kubernetes, cgroupfs driver: the runtime is not in the path.
      {"k8s cgroupfs burstable v1",
       "10:memory:/kubepods/burstable/pod" + kPodUid + "/" + kId + "\n", ref(kId, "cri"), kPodUid},
      {"k8s cgroupfs guaranteed v2", "0::/kubepods/pod" + kPodUid + "/" + kId + "\n",
       ref(kId, "cri"), kPodUid},
      {"k3s cgroupfs besteffort", "0::/kubepods/besteffort/pod" + kPodUid + "/" + kId + "\n",
       ref(kId, "cri"), kPodUid},
      {"k8s cgroupfs cri-o", "0::/kubepods/burstable/pod" + kPodUid + "/crio-" + kId + "\n",
       ref(kId, "cri-o"), kPodUid},
      {"pod cgroup itself (no container)", "0::/kubepods/burstable/pod" + kPodUid + "\n", none,
       kPodUid},
      // podman.
      {"podman rootful", "0::/machine.slice/libpod-" + kId + ".scope\n", ref(kId, "podman"), none},
      {"podman rootful, systemd inside", "0::/machine.slice/libpod-" + kId + ".scope/container\n",
       ref(kId, "podman"), none},
      {"podman rootless",
       "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope\n",
       ref(kId, "podman"), none},
      {"podman conmon is the host", "0::/machine.slice/libpod-conmon-" + kId + ".scope\n", none,
       none},
      {"podman cgroupfs", "0::/libpod_parent/libpod-" + kId + "\n", ref(kId, "podman"), none},
      // containerd without Kubernetes.
      {"nerdctl systemd", "0::/system.slice/nerdctl-" + kId + ".scope\n", ref(kId, "containerd"),
       none},
      {"nerdctl cgroupfs", "0::/default/" + kId + "\n", ref(kId, "containerd"), none},
      {"containerd systemd default", "0::/system.slice/cri-containerd-" + kId + ".scope\n",
       ref(kId, "containerd"), none},
      // lxc.
      {"lxc v2", "0::/lxc.payload.web1\n", ref("web1", "lxc"), none},
      {"lxc v1", "4:memory:/lxc/web1\n", ref("web1", "lxc"), none},
      {"lxc monitor is the host", "0::/lxc.monitor.web1\n", none, none},
      // Unknown parent: still a 64-hex container id.
      {"unknown parent", "0::/custom/" + kId + "\n", ref(kId, "unknown"), none},
      // The host.
      {"host init", "0::/init.scope\n", none, none},
      {"host session", "0::/user.slice/user-1000.slice/session-3.scope\n", none, none},
      {"containerd daemon", "0::/system.slice/containerd.service\n", none, none},
      {"docker daemon", "0::/system.slice/docker.service\n", none, none},
      {"root", "0::/\n", none, none},
      {"v1 host", "12:pids:/\n1:name=systemd:/init.scope\n0::/init.scope\n", none, none},
      {"empty", "", none, none},
      // Near misses.
      {"63 hex", "0::/docker/" + kId.substr(1) + "\n", none, none},
      {"65 hex", "0::/docker/" + kId + "0\n", none, none},
      {"not hex", "0::/docker-" + std::string(64, 'g') + ".scope\n", none, none},
      {"id with suffix", "0::/docker/" + kId + "x\n", none, none},
      {"no colons", "/docker/" + kId + "\n", none, none},
      {"one colon", "0:/docker/" + kId + "\n", none, none},
      {"bad pod uid", "0::/kubepods/pod1234/x\n", none, none},
      {"pod uid with underscores on cgroupfs", "0::/kubepods/pod" + kPodUidUnderscored + "/x\n",
       none, none},
      {"colon form with short id",
       "0::/kubepods-pod" + kPodUidUnderscored + ".slice:cri-containerd:abc\n", none, kPodUid},
  };
}

TEST(ContainerFromCgroup, Patterns) {
  for (const auto& test : cgroupCases()) {
    SCOPED_TRACE(test.name);
    EXPECT_EQ(host::containerFromCgroup(test.text), test.container) << test.text;
    EXPECT_EQ(host::podUidFromCgroup(test.text), test.pod_uid) << test.text;
    // CRLF line ends and a missing last newline do not change the answer.
    std::string crlf;
    for (const char c : test.text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    EXPECT_EQ(host::containerFromCgroup(crlf), test.container);
    std::string cut = test.text;
    if (!cut.empty() && cut.back() == '\n') cut.pop_back();
    EXPECT_EQ(host::containerFromCgroup(cut), test.container);
  }
}

TEST(ContainerFromCgroup, HostileInput) {
  EXPECT_FALSE(host::containerFromCgroup(std::string(1 << 20, '/')));
  EXPECT_FALSE(host::containerFromCgroup(std::string(1 << 20, ':')));
  EXPECT_FALSE(host::containerFromCgroup(std::string(1 << 20, '\n')));
  std::string deep = "0::";
  for (int i = 0; i < 100000; ++i) deep += "/a";
  EXPECT_FALSE(host::containerFromCgroup(deep));
  EXPECT_EQ(host::containerFromCgroup(deep + "/docker-" + kId + ".scope")->id, kId);
  EXPECT_FALSE(host::containerFromCgroup("0::/docker-.scope\n0::/docker/\n0::/:::\n"));
  EXPECT_FALSE(host::podUidFromCgroup("0::/kubepods-pod.slice\n0::/pod\n"));
}

// ---- readProcess over a fake tree ------------------------------------------------------------

class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / fmt::format("bulwark-procfs-{}", ::getpid());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const fs::path& rel, std::string_view text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel, std::ios::binary) << text;
  }

  fs::path root_;
};

TEST_F(FakeProc, ReadsEveryFile) {
  write("4242/stat", statLine(4242, "evil) (x", 'S', 17, 34816, "123456"));
  write("4242/status",
        "Name:\tevil) (x\nTgid:\t4242\nPid:\t4242\nPPid:\t17\nUid:\t1000\t0\t0\t0\n"
        "Gid:\t100\t101\t101\t101\nNSpid:\t4242\t7\nNSpgid:\t4242\t7\nCapPrm:\t00000000000000ff\n"
        "CapEff:\t0000000000000003\n");
  write("4242/cmdline", "/usr/bin/python3\0-c\0print(1)\0"s);
  write("4242/loginuid", "1000");
  write("4242/cgroup", "0::/system.slice/docker-" + kId + ".scope\n");
  fs::create_symlink("/usr/bin/python3.11 (deleted)", root_ / "4242/exe");
  fs::create_symlink("/srv/app", root_ / "4242/cwd");
  fs::create_directories(root_ / "4242/fd");
  fs::create_symlink("socket:[12345]", root_ / "4242/fd/0");
  fs::create_symlink("pipe:[77]", root_ / "4242/fd/1");
  fs::create_symlink("/dev/null", root_ / "4242/fd/2");

  const auto info = host::readProcess(root_, 4242);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->pid, 4242);
  EXPECT_EQ(info->ppid, 17);
  EXPECT_EQ(info->tgid, 4242);
  EXPECT_EQ(info->comm, "evil) (x");
  EXPECT_EQ(info->exe, "/usr/bin/python3.11 (deleted)");
  EXPECT_EQ(info->cwd, "/srv/app");
  EXPECT_EQ(info->args, (std::vector<std::string>{"/usr/bin/python3", "-c", "print(1)"}));
  EXPECT_EQ(info->uid, 1000U);
  EXPECT_EQ(info->euid, 0U);
  EXPECT_EQ(info->gid, 100U);
  EXPECT_EQ(info->egid, 101U);
  EXPECT_EQ(info->loginuid, 1000U);
  EXPECT_EQ(info->tty_nr, 34816);
  EXPECT_EQ(host::ttyName(info->tty_nr), "pts/0");
  EXPECT_EQ(info->sid, 4241);
  EXPECT_EQ(info->vpid, 7);
  EXPECT_EQ(info->pgid, 4242);
  EXPECT_EQ(info->vpgid, 7);
  EXPECT_EQ(info->start_ticks, 123456U);
  EXPECT_EQ(info->cap_prm, 0xffU);
  EXPECT_EQ(info->cap_eff, 3U);
  ASSERT_TRUE(info->container);
  EXPECT_EQ(info->container->id, kId);
  EXPECT_EQ(info->container->runtime, "docker");
  EXPECT_EQ(info->stdin_target, "socket:[12345]");
  EXPECT_EQ(info->stdout_target, "pipe:[77]");
  EXPECT_EQ(info->stderr_target, "/dev/null");
}

TEST_F(FakeProc, MissingOptionalFilesLeaveMembersEmpty) {
  // A kernel thread: no exe, cwd, fd/0 or cmdline; no audit: no loginuid; no cgroup file.
  write("2/stat", statLine(2, "kthreadd", 'S', 0));
  write("2/status", "Name:\tkthreadd\nPid:\t2\nPPid:\t0\nTgid:\t2\n");
  const auto info = host::readProcess(root_, 2);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->comm, "kthreadd");
  EXPECT_EQ(info->ppid, 0);
  EXPECT_TRUE(info->exe.empty());
  EXPECT_TRUE(info->cwd.empty());
  EXPECT_TRUE(info->args.empty());
  EXPECT_TRUE(info->stdin_target.empty());
  EXPECT_FALSE(info->loginuid);
  EXPECT_FALSE(info->container);
  EXPECT_EQ(info->vpid, 2);
}

TEST_F(FakeProc, Errors) {
  // No directory: gone.
  auto missing = host::readProcess(root_, 99);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_NE(missing.error().message.find("99"), std::string::npos);
  // stat gone: NotFound; stat empty (reaped while read): NotFound; stat garbage: Input.
  fs::create_directories(root_ / "5");
  EXPECT_EQ(host::readProcess(root_, 5).error().code, ErrorCode::NotFound);
  write("6/stat", "");
  EXPECT_EQ(host::readProcess(root_, 6).error().code, ErrorCode::NotFound);
  write("7/stat", "garbage");
  EXPECT_EQ(host::readProcess(root_, 7).error().code, ErrorCode::Input);
  // status missing: NotFound.
  write("8/stat", statLine(8, "x"));
  EXPECT_EQ(host::readProcess(root_, 8).error().code, ErrorCode::NotFound);
  // A loginuid that is not a number is left out; unset is 4294967295.
  write("9/stat", statLine(9, "x"));
  write("9/status", "Pid:\t9\n");
  write("9/loginuid", "nope");
  EXPECT_FALSE(host::readProcess(root_, 9)->loginuid);
  write("9/loginuid", "4294967295");
  EXPECT_EQ(host::readProcess(root_, 9)->loginuid, 4294967295U);
}

TEST_F(FakeProc, BoundedReads) {
  // A cmdline over 128 KiB is cut there, not read whole.
  std::string big;
  while (big.size() < host::kMaxCmdlineBytes * 2) big += "argument" + std::string(1, '\0');
  write("10/stat", statLine(10, "x"));
  write("10/status", "Pid:\t10\n");
  write("10/cmdline", big);
  const auto info = host::readProcess(root_, 10);
  ASSERT_TRUE(info);
  std::size_t bytes = 0;
  for (const auto& arg : info->args) bytes += arg.size() + 1;
  EXPECT_LE(bytes, host::kMaxCmdlineBytes + 1);
  EXPECT_GT(bytes, host::kMaxCmdlineBytes - 16);
}

TEST_F(FakeProc, ListPidsAndBootTime) {
  for (const char* dir : {"1", "42", "7", "abc", "12x", "0"}) fs::create_directories(root_ / dir);
  write("stat",
        "cpu  1 2 3\nintr " + std::string(200000, '1') + "\nbtime 1700000000\nprocesses 5\n");
  fs::create_symlink("42", root_ / "self");
  EXPECT_EQ(host::listPids(root_), (std::vector<int>{1, 7, 42}));
  EXPECT_EQ(host::bootTimeNs(root_), 1'700'000'000'000'000'000LL);
  EXPECT_TRUE(host::listPids(root_ / "nothing").empty());
  EXPECT_EQ(host::bootTimeNs(root_ / "nothing"), 0);
}

// ---- readProcess on live processes -----------------------------------------------------------

// Spawns argv[0] with posix_spawn; kills and reaps it at the end of the scope.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  [[nodiscard]] pid_t pid() const { return pid_; }
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

TEST(ReadProcessLive, Self) {
  const auto info = host::readProcess("/proc", ::getpid());
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->pid, ::getpid());
  EXPECT_EQ(info->tgid, ::getpid());
  EXPECT_EQ(info->ppid, ::getppid());
  EXPECT_EQ(info->comm, "procfs_test");
  EXPECT_EQ(info->exe, fs::canonical("/proc/self/exe").string());
  EXPECT_EQ(info->cwd, fs::current_path().string());
  ASSERT_FALSE(info->args.empty());
  EXPECT_NE(info->args[0].find("procfs_test"), std::string::npos);
  EXPECT_EQ(info->uid, ::getuid());
  EXPECT_EQ(info->euid, ::geteuid());
  EXPECT_EQ(info->gid, ::getgid());
  EXPECT_EQ(info->sid, ::getsid(0));
  EXPECT_EQ(info->pgid, ::getpgrp());
  EXPECT_EQ(info->vpgid, ::getpgrp());
  EXPECT_GT(info->start_ticks, 0U);
  EXPECT_GT(info->vpid, 0);
  // The start is after boot and before now.
  const std::int64_t start_ns =
      host::bootTimeNs("/proc") +
      static_cast<std::int64_t>(info->start_ticks * 1'000'000'000 / host::clockTicksPerSecond());
  EXPECT_GT(start_ns, host::bootTimeNs("/proc"));
  EXPECT_LT(start_ns, std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                              .count() +
                          2'000'000'000LL);
  if (::fcntl(0, F_GETFD) != -1) {
    EXPECT_FALSE(info->stdin_target.empty());
    EXPECT_EQ(info->stdin_target, fs::read_symlink("/proc/self/fd/0").string());
  }
  const auto pids = host::listPids("/proc");
  EXPECT_TRUE(std::binary_search(pids.begin(), pids.end(), ::getpid()));
}

TEST(ReadProcessLive, Child) {
  Child child({"/bin/sleep", "30"});
  ASSERT_GT(child.pid(), 0);
  // posix_spawn (vfork) returns once the exec has replaced the memory, a moment before the
  // kernel sets up the new argv: read again until cmdline is there (the proc connector's exec
  // event comes after that point, so the proc source does not meet this window).
  auto info = host::readProcess("/proc", child.pid());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (info && info->args.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    info = host::readProcess("/proc", child.pid());
  }
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->pid, child.pid());
  EXPECT_EQ(info->ppid, ::getpid());
  EXPECT_EQ(info->comm, "sleep");
  EXPECT_EQ(info->args, (std::vector<std::string>{"/bin/sleep", "30"}));
  EXPECT_EQ(info->exe, fs::canonical("/bin/sleep").string());
  const auto self = host::readProcess("/proc", ::getpid());
  ASSERT_TRUE(self);
  EXPECT_GE(info->start_ticks, self->start_ticks);
  EXPECT_EQ(info->container, self->container);  // the same cgroup as its parent
}

TEST(ReadProcessLive, DeletedExe) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("bulwark-procfs-exe-{}", ::getpid());
  fs::create_directories(dir);
  const fs::path copy = dir / "sleeper";
  fs::copy_file("/bin/sleep", copy, fs::copy_options::overwrite_existing);
  {
    Child child({copy.string(), "30"});
    ASSERT_GT(child.pid(), 0);
    fs::remove(copy);
    const auto info = host::readProcess("/proc", child.pid());
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_EQ(info->exe, copy.string() + " (deleted)");
  }
  fs::remove_all(dir);
}

TEST(ReadProcessLive, Gone) {
  Child child({"/bin/true"});
  ASSERT_GT(child.pid(), 0);
  const pid_t pid = child.pid();
  EXPECT_EQ(child.wait(), 0);
  // Reaped: its directory is gone (unless the pid was reused at once, which a test cannot
  // prevent; then it is another process and the read succeeds).
  const auto info = host::readProcess("/proc", pid);
  if (!info) {
    EXPECT_EQ(info.error().code, ErrorCode::NotFound) << info.error().message;
  }
}

// ---- fd.type of stdio ------------------------------------------------------------------------

TEST(FdType, LinkTargetsAsFalcoNamesThem) {
  const auto family = [](std::uint64_t inode) -> std::string {
    return inode == 7 ? "ipv4" : inode == 8 ? "unix" : "";
  };
  EXPECT_EQ(host::fdType("socket:[7]", false, family), "ipv4");
  EXPECT_EQ(host::fdType("socket:[8]", false, family), "unix");
  EXPECT_EQ(host::fdType("socket:[9]", false, family), "");  // not in any table: unknown
  EXPECT_EQ(host::fdType("socket:[x]", false, family), "");
  EXPECT_EQ(host::fdType("socket:[7", false, family), "");
  EXPECT_EQ(host::fdType("pipe:[4242]", false, family), "pipe");
  EXPECT_EQ(host::fdType("/dev/pts/3", false, family), "file");
  EXPECT_EQ(host::fdType("/srv", true, family), "directory");
  EXPECT_EQ(host::fdType("/memfd:payload (deleted)", false, family), "memfd");
  EXPECT_EQ(host::fdType("anon_inode:[eventfd]", false, family), "event");
  EXPECT_EQ(host::fdType("anon_inode:[eventpoll]", false, family), "eventpoll");
  EXPECT_EQ(host::fdType("anon_inode:inotify", false, family), "inotify");
  EXPECT_EQ(host::fdType("anon_inode:bpf-map", false, family), "bpf");
  EXPECT_EQ(host::fdType("anon_inode:[io_uring]", false, family), "io_uring");
  EXPECT_EQ(host::fdType("anon_inode:[pidfd]", false, family), "");
  EXPECT_EQ(host::fdType("", false, family), "");
}

TEST(FdType, SocketInodesInTheKernelsTables) {
  // As /proc/net/tcp and /proc/net/unix print them (one established connection, one socket).
  const std::string tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
      "timeout inode\n"
      "   0: 0100007F:1F90 0100007F:C35A 01 00000000:00000000 00:00000000 00000000  1000        "
      "0 40271 1 0000000000000000 20 4 30 10 -1\n";
  const std::string unix_table =
      "Num       RefCount Protocol Flags    Type St Inode Path\n"
      "0000000000000000: 00000002 00000000 00010000 0001 01 18623 /run/systemd/notify\n";
  EXPECT_TRUE(host::netTableHasInode(tcp, 40271, 9));
  EXPECT_FALSE(host::netTableHasInode(tcp, 4027, 9));
  EXPECT_FALSE(host::netTableHasInode(tcp, 1000, 9));  // the uid column is not the inode
  EXPECT_TRUE(host::netTableHasInode(unix_table, 18623, 6));
  EXPECT_FALSE(host::netTableHasInode(unix_table, 18623, 9));
  EXPECT_FALSE(host::netTableHasInode("", 1, 9));
  EXPECT_FALSE(host::netTableHasInode("header only", 1, 0));
}

}  // namespace
