// The process table of the live host sensors (src/events/host/process_table): built from a fake
// /proc tree — parents before children, user names from the host's and a container's own passwd
// files, containers described once — then kept current by fork, exec and exit, with the exec
// race (a program gone before /proc is read) leaving its identity missing, not wrong.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "events/host/process_table.h"
#include "events/host/procfs.h"

namespace bulwark::events::host {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

const std::string kId = "4f1c1b0e8f7d2b6a9c3e5d7f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";

class Table : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / fmt::format("bulwark-ptable-{}", ::getpid());
    fs::remove_all(root_);
    write("stat", "cpu  1 2 3\nbtime 1700000000\n");
    write("1/root/etc/passwd",
          "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/zsh\n"
          "broken line\nshadow:x:1000:1000::/x:/bin/sh\n");
    write("1/root/etc/group", "root:x:0:\nalice:x:1000:\n");
    process(1, "systemd", 0, {"/sbin/init"}, "/usr/lib/systemd/systemd");
    process(100, "sshd", 1, {"/usr/sbin/sshd", "-D"}, "/usr/sbin/sshd");
    process(200, "bash", 100, {"-bash"}, "/usr/bin/bash", 1000, "1000");
    process(300, "nginx", 1, {"nginx: worker process"}, "/usr/sbin/nginx", 101, "4294967295",
            "0::/system.slice/docker-" + kId + ".scope\n");
    write("300/root/etc/passwd", "nginx:x:101:101:nginx:/nonexistent:/bin/false\n");
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const fs::path& rel, std::string_view text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel, std::ios::binary) << text;
  }

  void process(int pid, const std::string& comm, int ppid, const std::vector<std::string>& argv,
               const std::string& exe, int uid = 0, const std::string& loginuid = "4294967295",
               const std::string& cgroup = "0::/init.scope\n") {
    const std::string dir = std::to_string(pid);
    write(dir + "/stat", fmt::format("{} ({}) S {} {} {} 34816 -1 4194304 101 0 1 0 0 0 0 0 20 0 1 "
                                     "0 {} 2998272 378\n",
                                     pid, comm, ppid, pid, ppid == 100 ? 200 : pid, 250 * pid));
    write(dir + "/status",
          fmt::format("Name:\t{}\nTgid:\t{}\nPid:\t{}\nPPid:\t{}\nUid:\t{}\t{}\t{}\t{}\n"
                      "Gid:\t{}\t{}\t{}\t{}\nCapEff:\t0000000000200000\n",
                      comm, pid, pid, ppid, uid, uid, uid, uid, uid, uid, uid, uid));
    std::string cmdline;
    for (const auto& arg : argv) cmdline += arg + '\0';
    write(dir + "/cmdline", cmdline);
    write(dir + "/loginuid", loginuid);
    write(dir + "/cgroup", cgroup);
    fs::create_symlink(exe, root_ / dir / "exe");
    fs::create_symlink("/", root_ / dir / "cwd");
  }

  ProcessTable table(int* resolved = nullptr) {
    ProcessTable::Options options;
    options.proc_root = root_;
    options.resolve_container = [resolved](const ContainerRef& ref) {
      if (resolved != nullptr) ++*resolved;
      auto out = std::make_shared<Container>();
      out->id = ref.id;
      out->type = ref.runtime;
      out->name = "web";
      out->image = "nginx:1.25";
      return out;
    };
    return ProcessTable(std::move(options));
  }

  fs::path root_;
};

TEST_F(Table, ScanLinksParentsNamesUsersAndContainers) {
  int resolved = 0;
  ProcessTable processes = table(&resolved);
  processes.scan();
  EXPECT_EQ(processes.stats().processes, 4U);
  const auto bash = processes.find(200);
  ASSERT_NE(bash.process, nullptr);
  EXPECT_EQ(bash.process->name, "bash");
  EXPECT_EQ(bash.process->exe, "-bash");
  EXPECT_EQ(bash.process->exepath, "/usr/bin/bash");
  EXPECT_EQ(bash.process->user_name, "alice");  // the first entry of uid 1000 wins
  EXPECT_EQ(bash.process->user_homedir, "/home/alice");
  EXPECT_EQ(bash.process->user_shell, "/bin/zsh");
  EXPECT_EQ(bash.process->group_name, "alice");
  EXPECT_EQ(bash.process->loginuid, 1000);
  EXPECT_EQ(bash.process->login_name, "alice");
  EXPECT_EQ(bash.process->tty, 34816U);
  EXPECT_EQ(bash.process->cap_effective, std::uint64_t{1} << 21);
  // start: boot time + 50,000 ticks at the machine's clock rate
  EXPECT_EQ(bash.process->start_ns,
            1'700'000'000'000'000'000LL +
                static_cast<std::int64_t>(50'000ULL * 1'000'000'000ULL / clockTicksPerSecond()));
  ASSERT_NE(bash.process->parent, nullptr);
  EXPECT_EQ(bash.process->parent->name, "sshd");
  ASSERT_NE(bash.process->parent->parent, nullptr);
  EXPECT_EQ(bash.process->parent->parent->name, "systemd");
  EXPECT_EQ(bash.container, nullptr);  // the host
  const auto nginx = processes.find(300);
  ASSERT_NE(nginx.container, nullptr);
  EXPECT_EQ(nginx.container->id, kId);
  EXPECT_EQ(nginx.container->name, "web");
  EXPECT_EQ(nginx.process->user_name, "nginx");  // from the container's own passwd
  EXPECT_EQ(nginx.process->loginuid, -1);
  EXPECT_EQ(nginx.process->login_name, "");
  EXPECT_EQ(nginx.process->exe, "nginx: worker process");
  EXPECT_TRUE(nginx.process->args.empty());
  EXPECT_EQ(resolved, 1);
}

// A container's root is an overlay; an executable that exists under its upper directory (read
// through pid 1's root, the host's) was written in the container, not shipped in the image.
TEST_F(Table, ExecutablesOfTheWritableLayer) {
  const std::string upper = "/var/lib/docker/overlay2/ab12/diff";
  const std::string mountinfo =
      "1012 970 0:123 / / rw,relatime master:420 - overlay overlay rw,lowerdir=/var/lib/docker/"
      "overlay2/l/X:/var/lib/docker/overlay2/l/Y,upperdir=" +
      upper +
      ",workdir=/var/lib/docker/overlay2/ab12/work\n"
      "1013 1012 0:125 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n";
  write("300/mountinfo", mountinfo);
  write("1/root" + upper + "/tmp/.x", "payload");  // created in the container
  process(301, ".x", 300, {"/tmp/.x"}, "/tmp/.x", 101, "4294967295",
          "0::/system.slice/docker-" + kId + ".scope\n");
  write("301/mountinfo", mountinfo);
  process(302, "curl", 300, {"curl", "example.com"}, "/usr/bin/curl", 101, "4294967295",
          "0::/system.slice/docker-" + kId + ".scope\n");
  write("302/mountinfo", mountinfo);
  ProcessTable processes = table();
  processes.scan();
  EXPECT_EQ(processes.find(301).process->exe_upper_layer, std::optional<bool>(true));
  EXPECT_EQ(processes.find(302).process->exe_upper_layer, std::optional<bool>(false));
  EXPECT_EQ(processes.find(300).process->exe_upper_layer, std::optional<bool>(false));
  EXPECT_EQ(processes.find(200).process->exe_upper_layer, std::nullopt);  // the host's
}

TEST_F(Table, ForkExecExitAndTheExecRace) {
  ProcessTable processes = table();
  processes.scan();
  processes.onFork(200, 201, 5);
  processes.onFork(200, 202, 6);
  const auto forked = processes.find(201);
  ASSERT_NE(forked.process, nullptr);
  EXPECT_EQ(forked.process->name, "bash");  // the parent's program until it execs
  EXPECT_EQ(forked.process->parent->pid, 200);
  EXPECT_EQ(forked.process->start_ns, 5);

  process(201, "cat", 200, {"cat", "/etc/shadow"}, "/usr/bin/cat", 1000);
  const auto exec = processes.onExec(201, 7);
  ASSERT_NE(exec.process, nullptr);
  EXPECT_EQ(exec.process->name, "cat");
  EXPECT_EQ(exec.process->args, std::vector<std::string>{"/etc/shadow"});
  EXPECT_EQ(exec.process->parent->name, "bash");
  EXPECT_EQ(exec.process->start_ns, 5);     // a process starts at its fork, not its exec
  EXPECT_EQ(forked.process->name, "bash");  // the earlier snapshot did not change

  // 202 exec'd and exited before /proc was read: who it was is unknown.
  const auto raced = processes.onExec(202, 8);
  ASSERT_NE(raced.process, nullptr);
  EXPECT_EQ(raced.process->name, "");
  EXPECT_TRUE(raced.process->args_unknown);
  EXPECT_EQ(raced.process->parent->name, "bash");
  EXPECT_EQ(processes.stats().exec_races, 1U);

  const auto exited = processes.onExit(201);
  ASSERT_NE(exited.process, nullptr);
  EXPECT_EQ(exited.process->name, "cat");
  EXPECT_EQ(processes.find(201).process, nullptr);
  EXPECT_EQ(processes.onExit(999).process, nullptr);
  EXPECT_EQ(processes.stats().unknown_exits, 1U);
}

TEST_F(Table, RescanDropsTheGoneAndKeepsSnapshots) {
  ProcessTable processes = table();
  processes.scan();
  const auto bash = processes.find(200);
  fs::remove_all(root_ / "100");
  processes.scan();
  EXPECT_EQ(processes.find(100).process, nullptr);
  EXPECT_EQ(processes.find(200).process, bash.process);  // kept as it was
  EXPECT_EQ(bash.process->parent->name, "sshd");         // an event's view never changes
  EXPECT_EQ(processes.stats().resyncs, 1U);
  EXPECT_EQ(processes.stats().processes, 3U);
}

TEST(Accounts, PasswdAndGroupLines) {
  const auto users = parsePasswd(
      "# comment\nroot:x:0:0:root:/root:/bin/bash\nshort:x:5\nbad:x:notanumber:0::/:/bin/sh\n"
      "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n:x:7:7::/:/bin/sh\n");
  ASSERT_EQ(users.size(), 2U);
  EXPECT_EQ(users.at(33).name, "www-data");
  EXPECT_EQ(users.at(33).home, "/var/www");
  const auto groups = parseGroup("docker:x:998:alice,bob\nbroken\n");
  ASSERT_EQ(groups.size(), 1U);
  EXPECT_EQ(groups.at(998).name, "docker");
}

}  // namespace
}  // namespace bulwark::events::host
