// The host collectors over a temporary directory used as the host root, modes set here.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "checks/docker/collect/collectors.h"
#include "checks/docker/daemon_config.h"

namespace bulwark::checks::docker {
namespace {

namespace fs = std::filesystem;

class HostRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "bw-host-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    options_.host_root = root_.string();
  }
  void TearDown() override {
    std::error_code error;
    fs::permissions(root_ / "etc/locked", fs::perms::owner_all, error);
    fs::remove_all(root_, error);
  }

  void write(const std::string& path, const std::string& text, mode_t mode = 0644) {
    const fs::path real = root_ / path;
    fs::create_directories(real.parent_path());
    std::ofstream(real) << text;
    ASSERT_EQ(::chmod(real.c_str(), mode), 0) << path;
  }
  void mkdir(const std::string& path, mode_t mode) {
    fs::create_directories(root_ / path);
    ASSERT_EQ(::chmod((root_ / path).c_str(), mode), 0) << path;
  }

  // The collection as collect.cpp runs it, without the Engine API.
  Snapshot collect() {
    Snapshot snapshot;
    snapshot.host.dockerd.state.status = FactStatus::Missing;  // no dockerd process
    collect::collectDaemonJson(options_, snapshot);
    core::Diagnostics config_diagnostics;
    const DaemonConfig config =
        effectiveConfig(snapshot.host.dockerd, snapshot.host.daemon_json, config_diagnostics);
    collect::collectSystemdUnits(options_, snapshot);
    collect::collectHostFiles(options_, config, snapshot, diagnostics_);
    const OptionValue* group = config.find("group");
    collect::collectDockerGroup(
        options_, group != nullptr && !group->values.empty() ? group->values[0] : "docker",
        snapshot, diagnostics_);
    return snapshot;
  }

  fs::path root_;
  CollectOptions options_;
  core::Diagnostics diagnostics_;
};

std::string myName() {
  const passwd* entry = ::getpwuid(::getuid());
  return entry != nullptr ? entry->pw_name : "me";
}

TEST_F(HostRoot, ResolvesAliasesAndStatsEveryPath) {
  const std::string uid = std::to_string(::getuid());
  const std::string gid = std::to_string(::getgid());
  write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n" + myName() + ":x:" + uid + ":" + gid +
                          "::/home:/bin/sh\n");
  write("etc/group", "mine:x:" + gid + ":\nroot:x:0:\ndockerx:x:999:bob,alice\n");
  mkdir("etc/docker", 0750);
  write(
      "etc/docker/daemon.json",
      R"({"tlscacert": "/etc/docker/ca.pem", "hosts": ["unix:///run/custom.sock", "tcp://0.0.0.0:2376"],
            "group": "dockerx", "data-root": "/srv/docker"})",
      0600);
  write("etc/docker/ca.pem", "-----BEGIN CERTIFICATE-----\n", 0444);
  write("etc/docker/certs.d/registry:5000/ca.crt", "x", 0444);
  write("etc/docker/certs.d/registry:5000/client.key", "x", 0400);
  write("usr/bin/runc", "#!/bin/sh\n", 04755);
  write("usr/local/bin/containerd", "#!/bin/sh\n", 0755);
  write("lib/systemd/system/docker.service", "[Unit]\n");
  write("etc/systemd/system/docker.socket", "[Socket]\n");
  fs::create_directories(root_ / "etc/default");
  fs::create_symlink("/nonexistent/docker.conf", root_ / "etc/default/docker");

  const Snapshot snapshot = collect();
  const auto& paths = snapshot.host.paths;
  const auto& files = snapshot.host.files;
  using Paths = std::vector<std::string>;
  ASSERT_EQ(snapshot.host.daemon_json.state.status, FactStatus::Ok);
  EXPECT_EQ(snapshot.host.daemon_json.path, "/etc/docker/daemon.json");
  EXPECT_EQ(paths.at("daemon:config-file"), Paths{"/etc/docker/daemon.json"});
  EXPECT_EQ(paths.at("daemon:tlscacert"), Paths{"/etc/docker/ca.pem"});
  EXPECT_EQ(paths.at("daemon:tlskey"), Paths{});
  EXPECT_EQ(paths.at("docker-socket"), Paths{"/run/custom.sock"});
  EXPECT_EQ(paths.at("containerd-socket"), Paths{"/run/containerd/containerd.sock"});
  EXPECT_EQ(paths.at("data-root"), Paths{"/srv/docker"});
  EXPECT_EQ(paths.at("unit:docker.service"), Paths{"/lib/systemd/system/docker.service"});
  EXPECT_EQ(paths.at("unit:docker.socket"), Paths{"/etc/systemd/system/docker.socket"});
  EXPECT_EQ(paths.at("unit:containerd.service"), Paths{});
  EXPECT_EQ(paths.at("bin:runc"), Paths{"/usr/bin/runc"});
  EXPECT_EQ(paths.at("bin:containerd"), Paths{"/usr/local/bin/containerd"});
  EXPECT_EQ(paths.at("bin:containerd-shim-runc-v2"), Paths{});
  EXPECT_EQ(paths.at("bin:dockerd"), Paths{});
  EXPECT_EQ(paths.at("certs-d"), (Paths{"/etc/docker/certs.d/registry:5000/ca.crt",
                                        "/etc/docker/certs.d/registry:5000/client.key"}));

  const FileFact& dir = files.at("/etc/docker");
  EXPECT_EQ(dir.state.status, FactStatus::Ok);
  EXPECT_EQ(dir.type, "dir");
  EXPECT_EQ(dir.mode, 0750U);
  EXPECT_EQ(dir.uid, ::getuid());
  EXPECT_EQ(dir.user, myName());
  EXPECT_EQ(dir.group, "mine");
  EXPECT_EQ(files.at("/etc/docker/daemon.json").mode, 0600U);
  EXPECT_EQ(files.at("/etc/docker/ca.pem").mode, 0444U);
  EXPECT_EQ(files.at("/etc/docker/ca.pem").type, "file");
  EXPECT_EQ(files.at("/usr/bin/runc").mode, 04755U);
  EXPECT_EQ(files.at("/etc/docker/certs.d/registry:5000/client.key").mode, 0400U);
  EXPECT_EQ(files.at("/etc/sysconfig/docker").state.status, FactStatus::Missing);
  EXPECT_EQ(files.at("/run/custom.sock").state.status, FactStatus::Missing);
  EXPECT_EQ(files.at("/srv/docker").state.status, FactStatus::Missing);
  const FileFact& dangling = files.at("/etc/default/docker");
  EXPECT_EQ(dangling.state.status, FactStatus::Missing);
  EXPECT_EQ(dangling.type, "link");
  EXPECT_EQ(dangling.link_target, "/nonexistent/docker.conf");
  for (const auto& [path, fact] : files) EXPECT_EQ(path, fact.path);

  const auto& group = snapshot.host.docker_group;
  EXPECT_EQ(group.state.status, FactStatus::Ok);
  EXPECT_EQ(group.name, "dockerx");
  EXPECT_TRUE(group.exists);
  EXPECT_EQ(group.members, (Paths{"alice", "bob"}));
}

TEST_F(HostRoot, UnknownOwnersAndAnEmptyHost) {
  write("etc/docker/daemon.json", "{}", 0644);
  write("etc/passwd", "root:x:0:0::/:/bin/sh\n");  // not the test's uid
  const Snapshot snapshot = collect();
  const FileFact& file = snapshot.host.files.at("/etc/docker");
  ASSERT_EQ(file.state.status, FactStatus::Ok);
  if (::getuid() != 0) {
    EXPECT_EQ(file.user, "#" + std::to_string(::getuid()));
  }
  EXPECT_EQ(file.group.front(), '#');  // no etc/group
  EXPECT_EQ(snapshot.host.docker_group.state.status, FactStatus::Missing);
  EXPECT_FALSE(snapshot.host.docker_group.exists);
  EXPECT_EQ(snapshot.host.paths.at("docker-socket"),
            std::vector<std::string>{"/var/run/docker.sock"});
  EXPECT_EQ(snapshot.host.paths.at("daemon:tlscacert"), std::vector<std::string>{});
  EXPECT_EQ(snapshot.host.paths.at("data-root"), std::vector<std::string>{"/var/lib/docker"});
}

TEST_F(HostRoot, DaemonJsonStates) {
  Snapshot snapshot;
  snapshot.host.dockerd.state.status = FactStatus::Ok;
  snapshot.host.dockerd.argv = {"/usr/bin/dockerd", "--config-file", "/opt/d.json"};
  collect::collectDaemonJson(options_, snapshot);
  EXPECT_EQ(snapshot.host.daemon_json.path, "/opt/d.json");
  EXPECT_EQ(snapshot.host.daemon_json.state.status, FactStatus::Missing);
  write("opt/d.json", "[1, 2]");
  collect::collectDaemonJson(options_, snapshot);
  EXPECT_EQ(snapshot.host.daemon_json.state.status, FactStatus::Malformed);
  write("opt/d.json", "{\"icc\": false");
  collect::collectDaemonJson(options_, snapshot);
  EXPECT_EQ(snapshot.host.daemon_json.state.status, FactStatus::Malformed);
  write("opt/d.json", std::string(2u << 20, ' ') + "{}");
  collect::collectDaemonJson(options_, snapshot);
  EXPECT_EQ(snapshot.host.daemon_json.state.status, FactStatus::Malformed);
  write("opt/d.json", "{\"icc\": false}");
  collect::collectDaemonJson(options_, snapshot);
  ASSERT_EQ(snapshot.host.daemon_json.state.status, FactStatus::Ok);
  EXPECT_EQ(snapshot.host.daemon_json.doc["icc"], false);
}

TEST_F(HostRoot, AnUnreadableDirectoryIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads a mode 000 directory";
  write("etc/locked/daemon.json", "{}");
  mkdir("etc/locked", 0);
  Snapshot snapshot;
  snapshot.host.dockerd.state.status = FactStatus::Ok;
  snapshot.host.dockerd.argv = {"dockerd", "--config-file=/etc/locked/daemon.json"};
  collect::collectDaemonJson(options_, snapshot);
  EXPECT_EQ(snapshot.host.daemon_json.state.status, FactStatus::PermissionDenied);
}

TEST_F(HostRoot, AuditRulesFiles) {
  Snapshot snapshot;
  ASSERT_NE(::geteuid() == 0 && options_.host_root == "/", true);
  collect::collectAuditRules(options_, snapshot, diagnostics_);
  EXPECT_EQ(snapshot.host.audit.state.status, FactStatus::Missing);

  write("etc/audit/rules.d/20-docker.rules",
        "## docker\n-w /usr/bin/dockerd -p rwxa -k docker\n-w /var/lib/docker -k docker\n");
  write("etc/audit/rules.d/10-base.rules", "-D\n-b 8192\n-w /etc/docker -p wa\n");
  write("etc/audit/rules.d/README", "-w /not/read\n");
  collect::collectAuditRules(options_, snapshot, diagnostics_);
  const auto& audit = snapshot.host.audit;
  ASSERT_EQ(audit.state.status, FactStatus::Ok);
  ASSERT_EQ(audit.rules.size(), 3U);
  EXPECT_EQ(audit.rules[0].path, "/etc/docker");  // 10-base before 20-docker
  EXPECT_EQ(audit.rules[1].path, "/usr/bin/dockerd");
  EXPECT_EQ(audit.rules[2].key, "docker");
  EXPECT_NE(audit.state.source.find("10-base.rules"), std::string::npos);
  EXPECT_EQ(audit.state.source.find("README"), std::string::npos);
}

TEST_F(HostRoot, ProcFilesUnderTheRoot) {
  write("proc/1/mountinfo",
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "40 22 0:5 / /var/lib/docker\\040x rw - overlay overlay rw\n");
  write("proc/1/net/tcp",
        "  sl  local_address rem_address   st\n"
        "   0: 00000000:0977 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n");
  Snapshot snapshot;
  collect::collectMountinfo(options_, snapshot, diagnostics_);
  ASSERT_EQ(snapshot.host.mountinfo.state.status, FactStatus::Ok);
  ASSERT_EQ(snapshot.host.mountinfo.mounts.size(), 2U);
  EXPECT_EQ(snapshot.host.mountinfo.mounts[1].point, "/var/lib/docker x");
  collect::collectListening(options_, snapshot, diagnostics_);
  ASSERT_EQ(snapshot.host.listening.state.status, FactStatus::Ok);  // tcp6 absent: no IPv6
  ASSERT_EQ(snapshot.host.listening.sockets.size(), 1U);
  EXPECT_EQ(snapshot.host.listening.sockets[0].port, 2423);
  collect::collectDockerd(options_, "/var/run/docker.sock", snapshot);
  EXPECT_EQ(snapshot.host.dockerd.state.status, FactStatus::Missing);

  write("proc/812/comm", "dockerd\n");
  write("proc/812/cmdline", std::string("/usr/bin/dockerd\0-H\0fd://\0", 26));
  write("proc/812/status", "Name:\tdockerd\nUid:\t0\t0\t0\t0\n");
  write("proc/900/comm", "dockerd\n");
  write("proc/900/cmdline", std::string("dockerd\0-H\0unix:///tmp/t/docker.sock\0", 37));
  write("proc/900/status", "Uid:\t1000\t1000\t1000\t1000\n");
  write("proc/77/comm", "containerd\n");
  collect::collectDockerd(options_, "/tmp/t/docker.sock", snapshot);
  ASSERT_EQ(snapshot.host.dockerd.state.status, FactStatus::Ok);
  EXPECT_EQ(snapshot.host.dockerd.pid, 900);
  EXPECT_EQ(snapshot.host.dockerd.uid, 1000U);
  EXPECT_EQ(snapshot.host.dockerd.argv,
            (std::vector<std::string>{"dockerd", "-H", "unix:///tmp/t/docker.sock"}));
  collect::collectDockerd(options_, "/var/run/docker.sock", snapshot);  // fd:// is /run/docker.sock
  EXPECT_EQ(snapshot.host.dockerd.pid, 812);
  EXPECT_EQ(snapshot.host.dockerd.state.source, (root_ / "proc/812/cmdline").string());
}

}  // namespace
}  // namespace bulwark::checks::docker
