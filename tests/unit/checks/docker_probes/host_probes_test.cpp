// The host probes over snapshots built in code: files (literal, glob, `${alias}`), audit
// rules, the docker group, the mount table, dockerd, listening sockets, the collector's
// environment and the effective daemon config. Every fact state that is not Ok gives
// not-evaluated with its cause and never an observation.
#include <set>

#include "checks/check.h"
#include "probe_test_util.h"

namespace bulwark::checks::testing {
namespace {

constexpr std::string_view kHostKinds[] = {
    "engine-field",      "daemon-config", "process",         "file-mode",       "file-owner",
    "file-exists",       "audit-rule",    "group-members",   "mount-point",     "listening-socket",
    "environment",       "network-field", "container-field", "container-mount", "container-port",
    "container-process", "container-exec"};

TEST(DockerProbeKinds, RegisteredWithDocumentedParameters) {
  std::set<std::string_view> seen;
  for (const std::string_view kind : kHostKinds) {
    const ProbeKind* probe = findProbe(kind);
    ASSERT_NE(probe, nullptr) << kind;
    EXPECT_TRUE(seen.insert(kind).second);
    EXPECT_FALSE(probe->reads_build_steps) << kind;
    EXPECT_FALSE(probe->summary.empty()) << kind;
    EXPECT_NE(probe->evaluate, nullptr) << kind;
    std::set<std::string_view> names;
    for (const auto& spec : probe->params) {
      EXPECT_TRUE(names.insert(spec.name).second) << kind << " " << spec.name;
      EXPECT_FALSE(spec.help.empty()) << kind << " " << spec.name;
    }
  }
  // Parameters the check files rely on.
  const auto choices = [](std::string_view kind, std::string_view param) {
    for (const auto& spec : findProbe(kind)->params) {
      if (spec.name == param)
        return std::vector<std::string_view>(spec.choices.begin(), spec.choices.end());
    }
    ADD_FAILURE() << kind << " has no " << param;
    return std::vector<std::string_view>{};
  };
  EXPECT_EQ(choices("file-owner", "format"), (std::vector<std::string_view>{"names", "ids"}));
  const auto options = choices("daemon-config", "option");
  EXPECT_NE(std::find(options.begin(), options.end(), "icc"), options.end());
  EXPECT_NE(std::find(options.begin(), options.end(), "insecure-registries"), options.end());
  EXPECT_EQ(choices("container-field", "normalise"),
            (std::vector<std::string_view>{"none", "capability"}));
}

// ---------------------------------------------------------------------------------------
// file-mode, file-owner, file-exists

docker::Snapshot filesSnapshot() {
  docker::Snapshot s;
  s.host.files["/etc/docker"] = file(0755, 0, 0, "root", "root", "dir");
  s.host.files["/lib/systemd/system/docker.service"] = file(0664, 0, 0);
  s.host.files["/run/docker.sock"] = file(0660, 0, 998, "root", "docker", "socket");
  s.host.files["/etc/sysconfig/docker"] = fileIn(FactStatus::Missing);
  s.host.files["/etc/docker/certs.d/reg.example:5000/ca.crt"] = file(0444);
  s.host.files["/etc/docker/certs.d/reg.example:5000/client.key"] =
      file(0600, 1000, 1000, "ci", "ci");
  s.host.files["/etc/docker/certs.d/other/ca.crt"] = file(04755, 0, 0);
  s.host.paths["unit:docker.service"] = {"/lib/systemd/system/docker.service"};
  s.host.paths["docker-socket"] = {"/run/docker.sock"};
  s.host.paths["daemon:tlscacert"] = {};
  s.host.paths["certs-d"] = {"/etc/docker/certs.d/other/ca.crt",
                             "/etc/docker/certs.d/reg.example:5000/ca.crt"};
  return s;
}

Params pathParam(std::string path) {
  Params p;
  p.set("path", std::move(path));
  return p;
}

TEST(FileModeProbe, OctalModeComparedBitwise) {
  const auto s = filesSnapshot();
  const auto result = run("file-mode", pathParam("/etc/docker"), hostResource(s));
  ASSERT_EQ(result.state, ProbeState::Evaluated);
  EXPECT_EQ(values(result), Values{"0755"});
  EXPECT_EQ(result.observations[0].where, "stat /etc/docker");
  EXPECT_EQ(result.observations[0].display, "mode 0755 (dir)");

  // The format `mode-at-most` (Op::Bitmask, mask = 07777 & ~0644) parses.
  Comparison at_most_644;
  at_most_644.op = Op::Bitmask;
  at_most_644.number = 07777 & ~0644;
  const auto unit = run("file-mode", pathParam("${unit:docker.service}"), hostResource(s));
  ASSERT_EQ(values(unit), Values{"0664"});
  EXPECT_EQ(at_most_644.matches(unit.observations[0]), false);  // group-writable
  Observation stricter;
  stricter.values = {"0640"};
  EXPECT_EQ(at_most_644.matches(stricter), true);
  // setuid shows and counts: 04755 is not at most 0755.
  const auto setuid =
      run("file-mode", pathParam("/etc/docker/certs.d/other/ca.crt"), hostResource(s));
  ASSERT_EQ(values(setuid), Values{"4755"});
  Comparison at_most_755;
  at_most_755.op = Op::Bitmask;
  at_most_755.number = 07777 & ~0755;
  EXPECT_EQ(at_most_755.matches(setuid.observations[0]), false);
}

TEST(FileModeProbe, MissingFileIsNoObservation) {
  const auto s = filesSnapshot();
  const auto result = run("file-mode", pathParam("/etc/sysconfig/docker"), hostResource(s));
  EXPECT_EQ(result.state, ProbeState::Evaluated);
  EXPECT_TRUE(result.observations.empty());
}

TEST(FileModeProbe, AliasesResolveThroughThePathsMap) {
  const auto s = filesSnapshot();
  EXPECT_EQ(values(run("file-mode", pathParam("${docker-socket}"), hostResource(s))),
            Values{"0660"});
  EXPECT_EQ(values(run("file-mode", pathParam("${certs-d}"), hostResource(s))),
            (Values{"4755", "0444"}));
  // Resolved to nothing (no TLS CA configured): nothing observed.
  const auto none = run("file-mode", pathParam("${daemon:tlscacert}"), hostResource(s));
  EXPECT_EQ(none.state, ProbeState::Evaluated);
  EXPECT_TRUE(none.observations.empty());
  // An alias the snapshot lacks: not evaluated, never nothing-observed.
  EXPECT_NOT_EVALUATED(run("file-mode", pathParam("${unit:docker.socket}"), hostResource(s)),
                       NotEvaluatedCause::MissingInput);
}

TEST(FileModeProbe, GlobsMatchTheCollectedFiles) {
  const auto s = filesSnapshot();
  const auto result = run("file-mode", pathParam("/etc/docker/certs.d/*/*"), hostResource(s));
  EXPECT_EQ(values(result), (Values{"4755", "0444", "0600"}));
  // `*` does not cross '/'.
  EXPECT_TRUE(run("file-mode", pathParam("/etc/docker/*"), hostResource(s)).observations.empty());
  EXPECT_EQ(values(run("file-mode", pathParam("/etc/docker/certs.d/reg.example:5000/*.[ck]*"),
                       hostResource(s))),
            (Values{"0444", "0600"}));
}

TEST(FileProbes, NotOkFileStatesAreNotEvaluated) {
  for (const auto& bad : badStates()) {
    auto s = filesSnapshot();
    s.host.files["/etc/docker"] = fileIn(bad.status);
    for (const char* kind : {"file-mode", "file-owner", "file-exists"}) {
      SCOPED_TRACE(std::string(kind) + " " + std::string(docker::toString(bad.status)));
      EXPECT_NOT_EVALUATED(run(kind, pathParam("/etc/docker"), hostResource(s)), bad.cause);
    }
    // One bad file among several: the whole answer is not evaluated.
    s.host.files["/etc/docker/certs.d/other/ca.crt"] = fileIn(bad.status);
    EXPECT_NOT_EVALUATED(run("file-owner", pathParam("${certs-d}"), hostResource(s)), bad.cause);
  }
  // A literal path the collector never stat'ed.
  const auto s = filesSnapshot();
  for (const char* kind : {"file-mode", "file-owner", "file-exists"}) {
    EXPECT_NOT_EVALUATED(run(kind, pathParam("/etc/default/docker"), hostResource(s)),
                         NotEvaluatedCause::MissingInput);
  }
  // No snapshot at all.
  Resource bare;
  EXPECT_NOT_EVALUATED(run("file-mode", pathParam("/etc/docker"), bare),
                       NotEvaluatedCause::MissingInput);
}

TEST(FileOwnerProbe, NamesOrIds) {
  const auto s = filesSnapshot();
  auto p = pathParam("${docker-socket}");
  const auto names = run("file-owner", p, hostResource(s));
  ASSERT_EQ(values(names), Values{"root:docker"});
  EXPECT_EQ(names.observations[0].display, "owner root:docker (0:998)");
  EXPECT_EQ(names.observations[0].where, "stat /run/docker.sock");
  p.set("format", std::string("ids"));
  EXPECT_EQ(values(run("file-owner", p, hostResource(s))), Values{"0:998"});
  EXPECT_EQ(values(run("file-owner", pathParam("/etc/docker/certs.d/*/*"), hostResource(s))),
            (Values{"root:root", "root:root", "ci:ci"}));
  EXPECT_TRUE(
      run("file-owner", pathParam("/etc/sysconfig/docker"), hostResource(s)).observations.empty());
  // Unknown names show as #id.
  auto unnamed = filesSnapshot();
  unnamed.host.files["/etc/docker"] = file(0755, 4242, 4343, "", "", "dir");
  EXPECT_EQ(values(run("file-owner", pathParam("/etc/docker"), hostResource(unnamed))),
            Values{"#4242:#4343"});
}

TEST(FileExistsProbe, MissingIsFalse) {
  const auto s = filesSnapshot();
  EXPECT_EQ(values(run("file-exists", pathParam("/etc/docker"), hostResource(s))), Values{"true"});
  const auto missing = run("file-exists", pathParam("/etc/sysconfig/docker"), hostResource(s));
  EXPECT_EQ(values(missing), Values{"false"});
  EXPECT_EQ(missing.observations[0].display, "does not exist");
  EXPECT_TRUE(
      run("file-exists", pathParam("${daemon:tlscacert}"), hostResource(s)).observations.empty());
}

// ---------------------------------------------------------------------------------------
// audit-rule

docker::AuditRule watch(std::string path) {
  docker::AuditRule r;
  r.kind = docker::AuditRule::Kind::Watch;
  r.path = path;
  r.perms = "rwxa";
  r.key = "docker";
  r.raw = "-w " + path + " -p rwxa -k docker";
  return r;
}

docker::AuditRule syscall(std::string path, bool dir) {
  docker::AuditRule r;
  r.kind = docker::AuditRule::Kind::Syscall;
  r.path = path;
  r.dir = dir;
  r.raw = "-a always,exit -F " + std::string(dir ? "dir=" : "path=") + path + " -k docker";
  return r;
}

docker::Snapshot auditSnapshot() {
  docker::Snapshot s;
  s.host.audit.state = okState();
  s.host.audit.state.source = "auditctl -l";
  s.host.audit.rules = {watch("/usr/bin/dockerd"), syscall("/etc/docker/", true),
                        syscall("/usr/bin/runc", false), watch("/var/lib/docker2")};
  s.host.files["/usr/bin/dockerd"] = file(0755);
  s.host.files["/usr/bin/runc"] = file(0755);
  s.host.files["/etc/docker"] = file(0755, 0, 0, "root", "root", "dir");
  s.host.files["/etc/docker/daemon.json"] = file(0644);
  s.host.files["/var/lib/docker"] = file(0710, 0, 0, "root", "root", "dir");
  s.host.files["/run/containerd"] = file(0711, 0, 0, "root", "root", "dir");
  s.host.files["/etc/default/docker"] = fileIn(FactStatus::Missing);
  s.host.paths["bin:dockerd"] = {"/usr/bin/dockerd"};
  s.host.paths["bin:containerd-shim"] = {};
  s.host.paths["daemon:config-file"] = {"/etc/docker/daemon.json"};
  s.host.paths["data-root"] = {"/var/lib/docker"};
  return s;
}

TEST(AuditRuleProbe, WatchSyscallPathAndDirectoryAncestor) {
  const auto s = auditSnapshot();
  const auto dockerd = run("audit-rule", pathParam("${bin:dockerd}"), hostResource(s));
  ASSERT_EQ(values(dockerd), Values{"-w /usr/bin/dockerd -p rwxa -k docker"});
  EXPECT_EQ(dockerd.observations[0].where, "auditctl -l");
  EXPECT_EQ(values(run("audit-rule", pathParam("/usr/bin/runc"), hostResource(s))),
            Values{"-a always,exit -F path=/usr/bin/runc -k docker"});
  // -F dir=/etc/docker/ covers /etc/docker itself and daemon.json below it.
  EXPECT_EQ(values(run("audit-rule", pathParam("/etc/docker"), hostResource(s))),
            Values{"-a always,exit -F dir=/etc/docker/ -k docker"});
  EXPECT_EQ(values(run("audit-rule", pathParam("${daemon:config-file}"), hostResource(s))),
            Values{"-a always,exit -F dir=/etc/docker/ -k docker"});
  // A prefix that is not a directory boundary covers nothing; nor does a watch on a sibling.
  const auto data_root = run("audit-rule", pathParam("${data-root}"), hostResource(s));
  EXPECT_EQ(data_root.state, ProbeState::Evaluated);
  EXPECT_TRUE(data_root.observations.empty());
  // A watch is exact: a watch on the directory of a file does not count (-F dir= does).
  auto w = auditSnapshot();
  w.host.audit.rules = {watch("/etc/docker")};
  EXPECT_TRUE(run("audit-rule", pathParam("/etc/docker/daemon.json"), hostResource(w))
                  .observations.empty());
}

TEST(AuditRuleProbe, AbsentPath) {
  const auto s = auditSnapshot();
  // The path does not exist (a Missing file, or an alias resolved to nothing): default n/a.
  for (const char* path : {"/etc/default/docker", "${bin:containerd-shim}"}) {
    const auto result = run("audit-rule", pathParam(path), hostResource(s));
    EXPECT_EQ(result.state, ProbeState::NotApplicable) << path;
    EXPECT_TRUE(result.observations.empty());
    auto p = pathParam(path);
    p.set("absent_path", std::string("not-evaluated"));
    EXPECT_NOT_EVALUATED(run("audit-rule", p, hostResource(s)), NotEvaluatedCause::MissingInput);
    p.set("absent_path", std::string("evaluate"));
    const auto evaluated = run("audit-rule", p, hostResource(s));
    EXPECT_EQ(evaluated.state, ProbeState::Evaluated);
    EXPECT_TRUE(evaluated.observations.empty());
  }
  // Existence unknown and no rule: not evaluated rather than a fail on a file that may be
  // absent; with a rule, the rule is evidence enough.
  EXPECT_NOT_EVALUATED(run("audit-rule", pathParam("/etc/containerd/config.toml"), hostResource(s)),
                       NotEvaluatedCause::MissingInput);
  auto denied = auditSnapshot();
  denied.host.files["/usr/bin/runc"] = fileIn(FactStatus::PermissionDenied);
  denied.host.files["/run/containerd"] = fileIn(FactStatus::PermissionDenied);
  EXPECT_EQ(values(run("audit-rule", pathParam("/usr/bin/runc"), hostResource(denied))).size(), 1U);
  EXPECT_NOT_EVALUATED(run("audit-rule", pathParam("/run/containerd"), hostResource(denied)),
                       NotEvaluatedCause::PermissionDenied);
  // Unknown alias.
  EXPECT_NOT_EVALUATED(run("audit-rule", pathParam("${bin:runc}"), hostResource(s)),
                       NotEvaluatedCause::MissingInput);
}

TEST(AuditRuleProbe, SomePathsOfAnAliasUncovered) {
  auto s = auditSnapshot();
  s.host.files["/var/run/docker.sock"] = file(0660, 0, 998, "root", "docker", "socket");
  s.host.files["/run/user/docker.sock"] = file(0660, 0, 998, "root", "docker", "socket");
  s.host.paths["docker-socket"] = {"/var/run/docker.sock", "/run/user/docker.sock"};
  s.host.audit.rules.push_back(watch("/var/run/docker.sock"));
  const auto result = run("audit-rule", pathParam("${docker-socket}"), hostResource(s));
  EXPECT_EQ(values(result), (Values{"-w /var/run/docker.sock -p rwxa -k docker", "<absent>"}));
  EXPECT_EQ(result.observations[1].display, "no audit rule covers /run/user/docker.sock");
}

TEST(AuditRuleProbe, AuditStates) {
  // auditd not set up (state missing): no rules, nothing observed → the test's `missing:`.
  auto missing = auditSnapshot();
  missing.host.audit.state = state(FactStatus::Missing);
  missing.host.audit.rules.clear();
  const auto none = run("audit-rule", pathParam("/usr/bin/dockerd"), hostResource(missing));
  EXPECT_EQ(none.state, ProbeState::Evaluated);
  EXPECT_TRUE(none.observations.empty());
  for (const auto& bad : badStates()) {
    auto s = auditSnapshot();
    s.host.audit.state = state(bad.status, "auditctl: must be root");
    SCOPED_TRACE(std::string(docker::toString(bad.status)));
    const auto result = run("audit-rule", pathParam("/usr/bin/dockerd"), hostResource(s));
    EXPECT_NOT_EVALUATED(result, bad.cause);
    // A path that does not exist needs no rule, whatever became of the rules.
    EXPECT_EQ(run("audit-rule", pathParam("/etc/default/docker"), hostResource(s)).state,
              ProbeState::NotApplicable);
    auto p = pathParam("${bin:containerd-shim}");
    p.set("absent_path", std::string("evaluate"));
    EXPECT_NOT_EVALUATED(run("audit-rule", p, hostResource(s)), bad.cause);
  }
}

// ---------------------------------------------------------------------------------------
// group-members

docker::Snapshot groupSnapshot() {
  docker::Snapshot s;
  s.host.docker_group.state = okState();
  s.host.docker_group.state.source = "/etc/group";
  s.host.docker_group.exists = true;
  s.host.docker_group.members = {"ci", "alice"};
  return s;
}

TEST(GroupMembersProbe, MembersOfTheCollectedGroup) {
  const auto s = groupSnapshot();
  const auto result = run("group-members", Params{}, hostResource(s));
  EXPECT_EQ(values(result), (Values{"ci", "alice"}));
  EXPECT_EQ(result.observations[0].where, "/etc/group group docker");
  Params docker_group;
  docker_group.set("group", std::string("docker"));
  EXPECT_EQ(values(run("group-members", docker_group, hostResource(s))).size(), 2U);
  // Another group than the collector read: not evaluated.
  Params other;
  other.set("group", std::string("wheel"));
  EXPECT_NOT_EVALUATED(run("group-members", other, hostResource(s)),
                       NotEvaluatedCause::MissingInput);
  // The daemon's effective `group` option picks the group when no parameter does.
  docker::DaemonConfig daemon;
  daemon.options["group"] = {
      docker::OptionValue::Origin::Flag, {"dockremote"}, "dockerd flag -G", {}};
  EXPECT_NOT_EVALUATED(run("group-members", Params{}, hostResource(s, &daemon)),
                       NotEvaluatedCause::MissingInput);
  auto remote = groupSnapshot();
  remote.host.docker_group.name = "dockremote";
  EXPECT_EQ(values(run("group-members", Params{}, hostResource(remote, &daemon))).size(), 2U);
}

TEST(GroupMembersProbe, AbsentGroupAndStates) {
  auto absent = groupSnapshot();
  absent.host.docker_group.exists = false;
  absent.host.docker_group.members.clear();
  EXPECT_TRUE(run("group-members", Params{}, hostResource(absent)).observations.empty());
  auto missing = groupSnapshot();
  missing.host.docker_group.state = state(FactStatus::Missing);
  const auto none = run("group-members", Params{}, hostResource(missing));
  EXPECT_EQ(none.state, ProbeState::Evaluated);
  EXPECT_TRUE(none.observations.empty());
  for (const auto& bad : badStates()) {
    auto s = groupSnapshot();
    s.host.docker_group.state = state(bad.status);
    EXPECT_NOT_EVALUATED(run("group-members", Params{}, hostResource(s)), bad.cause);
  }
}

// ---------------------------------------------------------------------------------------
// mount-point

docker::Snapshot mountSnapshot() {
  docker::Snapshot s;
  s.host.mountinfo.state = okState();
  s.host.mountinfo.mounts = {{"/", "ext4", "/dev/vda1"},
                             {"/var/lib/docker", "xfs", "/dev/vdb1"},
                             {"/var", "ext4", "/dev/vda2"}};
  s.host.paths["data-root"] = {"/var/lib/docker/"};
  s.host.paths["exec-root"] = {};
  return s;
}

TEST(MountPointProbe, OwnMountOrNot) {
  const auto s = mountSnapshot();
  const auto own = run("mount-point", pathParam("${data-root}"), hostResource(s));
  ASSERT_EQ(values(own), Values{"true"});
  EXPECT_EQ(own.observations[0].display, "/var/lib/docker is a mount point (xfs from /dev/vdb1)");
  const auto not_own = run("mount-point", pathParam("/var/lib/containerd"), hostResource(s));
  ASSERT_EQ(values(not_own), Values{"false"});
  EXPECT_EQ(not_own.observations[0].display,
            "/var/lib/containerd is not a mount point; it is on /var (ext4 from /dev/vda2)");
  // "/var/lib/docker2" is not under "/var/lib/docker".
  EXPECT_NE(run("mount-point", pathParam("/var/lib/docker2"), hostResource(s))
                .observations[0]
                .display.find("on /var "),
            std::string::npos);
  EXPECT_TRUE(run("mount-point", pathParam("${exec-root}"), hostResource(s)).observations.empty());
  EXPECT_NOT_EVALUATED(run("mount-point", pathParam("${nope}"), hostResource(s)),
                       NotEvaluatedCause::MissingInput);
}

TEST(MountPointProbe, States) {
  for (const auto& bad : badStates()) {
    auto s = mountSnapshot();
    s.host.mountinfo.state = state(bad.status);
    EXPECT_NOT_EVALUATED(run("mount-point", pathParam("/var/lib/docker"), hostResource(s)),
                         bad.cause);
  }
  // An unreadable mount table is not a fact that there are no mounts.
  auto missing = mountSnapshot();
  missing.host.mountinfo.state = state(FactStatus::Missing);
  EXPECT_NOT_EVALUATED(run("mount-point", pathParam("/var/lib/docker"), hostResource(missing)),
                       NotEvaluatedCause::MissingInput);
}

// ---------------------------------------------------------------------------------------
// process

TEST(ProcessProbe, DockerdRunningAndUid) {
  docker::Snapshot s;
  s.host.dockerd.state = okState();
  s.host.dockerd.pid = 812;
  s.host.dockerd.uid = 0;
  Params running;
  running.set("field", std::string("running"));
  Params uid;
  uid.set("field", std::string("uid"));
  EXPECT_EQ(values(run("process", running, hostResource(s))), Values{"true"});
  const auto u = run("process", uid, hostResource(s));
  ASSERT_EQ(values(u), Values{"0"});
  EXPECT_EQ(u.observations[0].where, "/proc/812/status");

  docker::Snapshot none;
  none.host.dockerd.state = state(FactStatus::Missing);
  EXPECT_EQ(values(run("process", running, hostResource(none))), Values{"false"});
  EXPECT_TRUE(run("process", uid, hostResource(none)).observations.empty());

  for (const auto& bad : badStates()) {
    docker::Snapshot hidden;
    hidden.host.dockerd.state = state(bad.status, "hidepid=2");
    EXPECT_NOT_EVALUATED(run("process", running, hostResource(hidden)), bad.cause);
    EXPECT_NOT_EVALUATED(run("process", uid, hostResource(hidden)), bad.cause);
  }
  Params other = uid;
  other.set("name", std::string("containerd"));
  EXPECT_NOT_EVALUATED(run("process", other, hostResource(s)), NotEvaluatedCause::MissingInput);
}

// ---------------------------------------------------------------------------------------
// listening-socket

TEST(ListeningSocketProbe, AddressesOnThePort) {
  docker::Snapshot s;
  s.host.listening.state = okState();
  s.host.listening.sockets = {{"tcp", "0.0.0.0", 2377},
                              {"tcp6", "::", 2377},
                              {"tcp", "127.0.0.1", 2375},
                              {"tcp", "10.0.0.5", 7946}};
  Params p;
  p.set("port", std::int64_t{2377});
  const auto both = run("listening-socket", p, hostResource(s));
  EXPECT_EQ(values(both), (Values{"0.0.0.0", "::"}));
  EXPECT_EQ(both.observations[1].display, "tcp6 [::]:2377");
  p.set("proto", std::string("tcp6"));
  EXPECT_EQ(values(run("listening-socket", p, hostResource(s))), Values{"::"});
  p.set("proto", std::string("tcp4"));
  EXPECT_EQ(values(run("listening-socket", p, hostResource(s))), Values{"0.0.0.0"});
  Params unused;
  unused.set("port", std::int64_t{2376});
  const auto nothing = run("listening-socket", unused, hostResource(s));
  EXPECT_EQ(nothing.state, ProbeState::Evaluated);
  EXPECT_TRUE(nothing.observations.empty());
  for (const auto& bad : badStates()) {
    auto b = s;
    b.host.listening.state = state(bad.status);
    EXPECT_NOT_EVALUATED(run("listening-socket", unused, hostResource(b)), bad.cause);
  }
}

// ---------------------------------------------------------------------------------------
// environment

TEST(EnvironmentProbe, SetUnsetAndNotCollected) {
  docker::Snapshot s;
  s.host.environment["DOCKER_CONTENT_TRUST"] = "1";
  s.host.environment["DOCKER_HOST"] = std::nullopt;
  Params trust;
  trust.set("name", std::string("DOCKER_CONTENT_TRUST"));
  const auto set = run("environment", trust, hostResource(s));
  ASSERT_EQ(values(set), Values{"1"});
  EXPECT_EQ(set.observations[0].display, "DOCKER_CONTENT_TRUST=1");
  Params host;
  host.set("name", std::string("DOCKER_HOST"));
  const auto unset = run("environment", host, hostResource(s));
  EXPECT_EQ(unset.state, ProbeState::Evaluated);
  EXPECT_TRUE(unset.observations.empty());
  Params other;
  other.set("name", std::string("DOCKER_CERT_PATH"));
  EXPECT_NOT_EVALUATED(run("environment", other, hostResource(s)), NotEvaluatedCause::MissingInput);
}

// ---------------------------------------------------------------------------------------
// daemon-config

docker::DaemonConfig daemonConfig() {
  using Origin = docker::OptionValue::Origin;
  docker::DaemonConfig d;
  d.options["icc"] = {Origin::Flag, {"false"}, "dockerd flag --icc=false", {}};
  d.options["log-level"] = {Origin::Default, {"info"}, "Docker default", {}};
  d.options["insecure-registries"] = {
      Origin::File, {"reg.local:5000", "10.0.0.0/8"}, "daemon.json `insecure-registries`", {}};
  d.options["authorization-plugins"] = {Origin::Default, {}, "Docker default", {}};
  d.options["default-ulimits"] = {
      Origin::File, {"nofile=1024:2048", "nproc=512:1024"}, "daemon.json `default-ulimits`", {}};
  d.options["userns-remap"] = {Origin::Default, {""}, "Docker default", {}};
  return d;
}

Params option(std::string key, bool element = false) {
  Params p;
  p.set("option", std::move(key));
  if (element) p.set("element", true);
  return p;
}

TEST(DaemonConfigProbe, ScalarsListsAndElements) {
  docker::Snapshot s;
  const auto d = daemonConfig();
  const auto icc = run("daemon-config", option("icc"), hostResource(s, &d));
  ASSERT_EQ(values(icc), Values{"false"});
  EXPECT_EQ(icc.observations[0].where, "dockerd flag --icc=false");
  EXPECT_EQ(icc.observations[0].display, "icc=false");
  EXPECT_EQ(run("daemon-config", option("log-level"), hostResource(s, &d)).observations[0].where,
            "Docker default");
  EXPECT_EQ(values(run("daemon-config", option("userns-remap"), hostResource(s, &d))), Values{""});

  const auto list = run("daemon-config", option("insecure-registries"), hostResource(s, &d));
  ASSERT_EQ(list.observations.size(), 1U);
  EXPECT_TRUE(list.observations[0].is_list);
  EXPECT_EQ(values(list), Values{"[reg.local:5000,10.0.0.0/8]"});
  EXPECT_EQ(list.observations[0].where, "daemon.json `insecure-registries`");
  EXPECT_EQ(values(run("daemon-config", option("insecure-registries", true), hostResource(s, &d))),
            (Values{"reg.local:5000", "10.0.0.0/8"}));
  EXPECT_EQ(values(run("daemon-config", option("default-ulimits", true), hostResource(s, &d))),
            (Values{"nofile=1024:2048", "nproc=512:1024"}));
  // An empty list: a list observation with no elements, or nothing observed per element.
  EXPECT_EQ(values(run("daemon-config", option("authorization-plugins"), hostResource(s, &d))),
            Values{"[]"});
  EXPECT_TRUE(run("daemon-config", option("authorization-plugins", true), hostResource(s, &d))
                  .observations.empty());
}

TEST(DaemonConfigProbe, UnknownOriginIsNotEvaluatedWithTheUnreadSourceCause) {
  docker::Snapshot s;
  for (const auto& bad : badStates()) {
    auto d = daemonConfig();
    d.options["icc"] = {docker::OptionValue::Origin::Unknown, {}, "", state(bad.status)};
    EXPECT_NOT_EVALUATED(run("daemon-config", option("icc"), hostResource(s, &d)), bad.cause);
  }
  // No effective config at all, or an option it does not hold.
  EXPECT_NOT_EVALUATED(run("daemon-config", option("icc"), hostResource(s)),
                       NotEvaluatedCause::MissingInput);
  const auto d = daemonConfig();
  EXPECT_NOT_EVALUATED(run("daemon-config", option("live-restore"), hostResource(s, &d)),
                       NotEvaluatedCause::MissingInput);
}

}  // namespace
}  // namespace bulwark::checks::testing
