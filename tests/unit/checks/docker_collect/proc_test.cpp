// The pure /proc and /etc parsers: mountinfo, /proc/net/tcp{,6}, cmdline, status, cgroup,
// /etc/group and /etc/passwd, and the dockerd flag readers.
#include <gtest/gtest.h>

#include "checks/docker/collect/host_facts.h"

namespace bulwark::checks::docker::collect {
namespace {

using Strings = std::vector<std::string>;

TEST(Mountinfo, FieldsAndOctalEscapes) {
  const std::string text =
      "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
      "25 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw,hidepid=2\n"
      "40 22 0:40 / /mnt/my\\040disk\\011x rw master:3 unbindable - fuse.sshfs me@h:/a\\134b rw\n"
      "41 22 0:41 / /no-separator rw ext4 /dev/x rw\n"
      "garbage\n"
      "\n";
  core::Diagnostics diagnostics;
  const auto mounts = parseMountinfo(text, "mountinfo", diagnostics);
  ASSERT_EQ(mounts.size(), 3U);
  EXPECT_EQ(mounts[0].point, "/");
  EXPECT_EQ(mounts[0].fstype, "ext4");
  EXPECT_EQ(mounts[0].source, "/dev/vda1");
  EXPECT_EQ(mounts[2].point, "/mnt/my disk\tx");
  EXPECT_EQ(mounts[2].fstype, "fuse.sshfs");
  EXPECT_EQ(mounts[2].source, "me@h:/a\\b");
  EXPECT_EQ(diagnostics.size(), 2U);
  EXPECT_EQ(mountSuperOptions(text, "/proc"), "rw,hidepid=2");
  EXPECT_EQ(mountSuperOptions(text, "/sys"), std::nullopt);
  EXPECT_EQ(decodeOctalEscapes("a\\040b\\0\\9\\"), "a b\\0\\9\\");
}

TEST(ProcNetTcp, ListeningSocketsOnly) {
  const std::string tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
      "   0: 00000000:0977 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0\n"
      "   1: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   112\n"
      "   2: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   112\n"
      "   3: 0F02000A:0016 0202000A:D4C2 01 00000000:00000000 02:0009CD25 00000000     0\n"
      "   4: ZZZZZZZZ:0016 00000000:0000 0A\n"
      "   5: 00000000:1FFFF 00000000:0000 0A\n";
  core::Diagnostics diagnostics;
  const auto sockets = parseProcNetTcp(tcp, "tcp", "/proc/net/tcp", diagnostics);
  ASSERT_EQ(sockets.size(), 2U);
  EXPECT_EQ(sockets[0].address, "0.0.0.0");
  EXPECT_EQ(sockets[0].port, 2423);
  EXPECT_EQ(sockets[1].address, "127.0.0.1");
  EXPECT_EQ(sockets[1].port, 3306);
  EXPECT_EQ(sockets[1].proto, "tcp");
  EXPECT_EQ(diagnostics.size(), 2U);

  const std::string tcp6 =
      "  sl  local_address                         remote_address                        st\n"
      "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A\n"
      "   1: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A\n"
      "   2: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A\n";
  const auto six = parseProcNetTcp(tcp6, "tcp6", "/proc/net/tcp6", diagnostics);
  ASSERT_EQ(six.size(), 3U);
  EXPECT_EQ(six[0].address, "::");
  EXPECT_EQ(six[0].port, 8080);
  EXPECT_EQ(six[1].address, "::1");
  EXPECT_EQ(six[1].port, 631);
  EXPECT_EQ(six[2].address, "::ffff:127.0.0.1");
  EXPECT_EQ(six[2].proto, "tcp6");
}

TEST(GroupAndPasswd, Entries) {
  core::Diagnostics diagnostics;
  const auto groups = parseGroupFile(
      "root:x:0:\n# comment\ndocker:x:998:alice, bob,,carol\n+nis\nbroken:x\nneg:x:-1:\n"
      "wheel:x:10:root\r\n",
      "/etc/group", diagnostics);
  ASSERT_EQ(groups.size(), 3U);
  EXPECT_EQ(groups[1].name, "docker");
  EXPECT_EQ(groups[1].gid, 998U);
  EXPECT_EQ(groups[1].members, (Strings{"alice", "bob", "carol"}));
  EXPECT_EQ(groups[2].members, Strings{"root"});
  EXPECT_EQ(diagnostics.size(), 2U);
  const auto users = parsePasswdFile(
      "root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\nbad\n"
      "app:x:10001:10001::/app:/sbin/nologin\n");
  ASSERT_EQ(users.size(), 2U);
  EXPECT_EQ(users.at(0), "root");
  EXPECT_EQ(users.at(10001), "app");
}

TEST(Cmdline, SplitAndFlags) {
  const auto argv = splitCmdline(
      std::string("/usr/bin/dockerd\0-H\0fd://\0--containerd=/run/containerd/containerd.sock\0"
                  "--config-file\0/opt/daemon.json\0-Hunix:///x.sock\0--host=unix://\0",
                  134));
  ASSERT_EQ(argv.size(), 8U);
  EXPECT_EQ(argv[0], "/usr/bin/dockerd");
  EXPECT_EQ(argv[7], "--host=unix://");
  EXPECT_EQ(configFileFlag(argv), "/opt/daemon.json");
  EXPECT_EQ(hostFlagSockets(argv),
            (Strings{"/run/docker.sock", "/x.sock", "/var/run/docker.sock"}));
  EXPECT_EQ(hostFlagSockets({"dockerd"}), Strings{"/var/run/docker.sock"});
  EXPECT_EQ(hostFlagSockets({"dockerd", "-H", "tcp://0.0.0.0:2376"}), Strings{});
  EXPECT_EQ(configFileFlag({"dockerd", "--config-file=/a.json"}), "/a.json");
  EXPECT_EQ(configFileFlag({"dockerd", "--config-file"}), std::nullopt);
  EXPECT_EQ(splitCmdline(""), Strings{});
  EXPECT_EQ(splitCmdline(std::string("a\0\0b", 4)), (Strings{"a", "", "b"}));
  EXPECT_EQ(splitCmdline("no-nul"), Strings{"no-nul"});
}

TEST(Status, RealUid) {
  EXPECT_EQ(parseStatusUid("Name:\tdockerd\nUmask:\t0022\nUid:\t0\t0\t0\t0\nGid:\t0\n"), 0U);
  EXPECT_EQ(parseStatusUid("Uid:\t1000\t0\t0\t0\n"), 1000U);
  EXPECT_EQ(parseStatusUid("Uid:\tx\n"), std::nullopt);
  EXPECT_EQ(parseStatusUid("Name: x\n"), std::nullopt);
}

TEST(Cgroup, PathsAndSelfId) {
  const std::string id(64, 'c');
  const auto v2 = parseCgroupPath("0::/system.slice/docker-" + id + ".scope\n");
  ASSERT_TRUE(v2.has_value());
  EXPECT_FALSE(v2->v1);
  EXPECT_EQ(v2->path, "/system.slice/docker-" + id + ".scope");
  const auto v1 =
      parseCgroupPath("12:cpu,cpuacct:/docker/" + id + "\n5:pids:/docker/" + id + "\n0::/\n");
  ASSERT_TRUE(v1.has_value());
  EXPECT_TRUE(v1->v1);
  EXPECT_EQ(v1->path, "/docker/" + id);
  EXPECT_EQ(parseCgroupPath("garbage\n1:x\n"), std::nullopt);
  EXPECT_EQ(parsePidList("1\n22\nx\n0\n333\n", 2), (std::vector<int>{1, 22}));

  EXPECT_EQ(selfContainerId("0::/system.slice/docker-" + id + ".scope\n", ""), id);
  EXPECT_EQ(selfContainerId("0::/\n", "1 2 0:1 /var/lib/docker/containers/" + id +
                                          "/resolv.conf /etc/resolv.conf rw - ext4 /dev/x rw\n"),
            id);
  EXPECT_EQ(selfContainerId("0::/user.slice\n", "22 1 8:1 / / rw - ext4 /dev/x rw\n"),
            std::nullopt);
  EXPECT_EQ(selfContainerId("0::/docker/" + id + "f\n", ""), std::nullopt);  // 65 hex
}

}  // namespace
}  // namespace bulwark::checks::docker::collect
