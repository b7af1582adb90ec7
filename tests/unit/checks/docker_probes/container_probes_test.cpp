// The container probes over containers built in code: inspect fields (with the capability
// normalisation), mounts with their filters, published ports and their normalisation,
// processes (a stopped container is not applicable) and exec sessions.
#include "probe_test_util.h"

namespace bulwark::checks::testing {
namespace {

constexpr std::string_view kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

docker::Container webContainer() {
  docker::Container c;
  c.id = std::string(kId);
  c.name = "web";
  c.summary.state = okState();
  c.summary.doc = nlohmann::json::parse(R"({"State": "running", "Names": ["/web"]})");
  c.inspect.state = okState();
  c.inspect.doc = nlohmann::json::parse(R"({
    "State": {"Running": true, "Pid": 4242},
    "Config": {"User": "", "Image": "nginx:1.25", "ExposedPorts": {"80/tcp": {}, "443/tcp": {}}},
    "AppArmorProfile": "docker-default",
    "HostConfig": {
      "Privileged": false,
      "CapAdd": ["cap_sys_admin", "NET_ADMIN", "CAP_chown"],
      "CapDrop": null,
      "SecurityOpt": ["no-new-privileges:true", "seccomp=unconfined"],
      "Memory": 0,
      "PidsLimit": null,
      "Ulimits": [],
      "PortBindings": {
        "80/tcp": [{"HostIp": "", "HostPort": "8080"}, {"HostIp": "[::]", "HostPort": "8080"}],
        "443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8443-8450"}],
        "9000-9001/udp": [{"HostIp": "0.0.0.0", "HostPort": ""}],
        "22/tcp": [{"HostIp": "10.0.0.1", "HostPort": "0"}],
        "53/udp": null
      }
    },
    "Mounts": [
      {"Type": "bind", "Source": "/etc", "Destination": "/host-etc", "Mode": "", "RW": true,
       "Propagation": "rprivate"},
      {"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock",
       "Mode": "ro", "RW": false, "Propagation": "rshared"},
      {"Type": "volume", "Name": "data", "Source": "/var/lib/docker/volumes/data/_data",
       "Destination": "/data", "Driver": "local", "Mode": "z", "RW": true, "Propagation": ""}
    ]
  })");
  c.processes_state = okState();
  c.processes_state.source = "cgroup.procs";
  c.processes = {"nginx", "sshd"};
  c.execs_state = okState();
  // The shapes of /exec/{id}/json (Docker 20.10): `user` is omitted for the container's user.
  c.execs = {nlohmann::json::parse(
                 R"({"ID": "feedfacefeedfacefeed",
                     "ProcessConfig": {"entrypoint": "sh", "privileged": true, "user": "root"}})"),
             nlohmann::json::parse(R"({"ID": "beefbeefbeefbeefbeef",
                                       "ProcessConfig": {"entrypoint": "/pause",
                                                         "privileged": false}})"),
             nlohmann::json::parse(R"({"ID": "cafecafecafecafecafe"})")};
  return c;
}

Params fieldParams(std::string_view path, std::string_view normalise = {},
                   std::string_view doc = {}) {
  Params p;
  p.set("path", jsonPath(path));
  if (!normalise.empty()) p.set("normalise", std::string(normalise));
  if (!doc.empty()) p.set("doc", std::string(doc));
  return p;
}

Params withField(std::string field) {
  Params p;
  p.set("field", std::move(field));
  return p;
}

// ---------------------------------------------------------------------------------------
// container-field

TEST(ContainerFieldProbe, ValuesAtPath) {
  const docker::Snapshot s;
  const auto c = webContainer();
  const auto privileged =
      run("container-field", fieldParams("HostConfig.Privileged"), containerResource(s, c));
  ASSERT_EQ(values(privileged), Values{"false"});
  EXPECT_EQ(privileged.observations[0].where,
            "/containers/0123456789ab/json HostConfig.Privileged");
  EXPECT_EQ(values(run("container-field", fieldParams("Config.User"), containerResource(s, c))),
            Values{""});
  EXPECT_EQ(run("container-field", fieldParams("Config.User"), containerResource(s, c))
                .observations[0]
                .display,
            "\"\"");
  EXPECT_EQ(values(run("container-field", fieldParams("State"), containerResource(s, c))).size(),
            1U);
  EXPECT_EQ(
      values(run("container-field", fieldParams("State", "", "summary"), containerResource(s, c))),
      Values{"running"});
  EXPECT_EQ(run("container-field", fieldParams("State", "", "summary"), containerResource(s, c))
                .observations[0]
                .where,
            "/containers/json 0123456789ab State");
  EXPECT_EQ(values(run("container-field", fieldParams("Config.ExposedPorts{keys}"),
                       containerResource(s, c))),
            (Values{"443/tcp", "80/tcp"}));
}

TEST(ContainerFieldProbe, ListsAndFanOut) {
  const docker::Snapshot s;
  const auto c = webContainer();
  // `[*]`: one observation per element; the list itself: one list observation.
  EXPECT_EQ(values(run("container-field", fieldParams("HostConfig.SecurityOpt[*]"),
                       containerResource(s, c))),
            (Values{"no-new-privileges:true", "seccomp=unconfined"}));
  const auto list =
      run("container-field", fieldParams("HostConfig.SecurityOpt"), containerResource(s, c));
  ASSERT_EQ(list.observations.size(), 1U);
  EXPECT_TRUE(list.observations[0].is_list);
  EXPECT_EQ(values(list), Values{"[no-new-privileges:true,seccomp=unconfined]"});
  // null and [] on a [*] path: nothing observed; on a list path, null is nothing and [] an
  // empty list.
  for (const char* path : {"HostConfig.CapDrop[*]", "HostConfig.Ulimits[*]", "HostConfig.CapDrop",
                           "HostConfig.PidsLimit", "HostConfig.Nope"}) {
    const auto none = run("container-field", fieldParams(path), containerResource(s, c));
    EXPECT_EQ(none.state, ProbeState::Evaluated) << path;
    EXPECT_TRUE(none.observations.empty()) << path;
  }
  EXPECT_EQ(
      values(run("container-field", fieldParams("HostConfig.Ulimits"), containerResource(s, c))),
      Values{"[]"});
}

TEST(ContainerFieldProbe, CapabilityNormalisation) {
  const docker::Snapshot s;
  const auto c = webContainer();
  EXPECT_EQ(values(run("container-field", fieldParams("HostConfig.CapAdd[*]", "capability"),
                       containerResource(s, c))),
            (Values{"SYS_ADMIN", "NET_ADMIN", "CHOWN"}));
  EXPECT_EQ(values(run("container-field", fieldParams("HostConfig.CapAdd", "capability"),
                       containerResource(s, c))),
            Values{"[SYS_ADMIN,NET_ADMIN,CHOWN]"});
  EXPECT_EQ(values(run("container-field", fieldParams("HostConfig.CapAdd[*]", "none"),
                       containerResource(s, c))),
            (Values{"cap_sys_admin", "NET_ADMIN", "CAP_chown"}));
}

// Every container probe: an inspect (or processes, execs) state that is not Ok is not
// evaluated with its cause; a document that is Missing (404) is nothing observed.
TEST(ContainerProbes, DocumentStates) {
  const docker::Snapshot s;
  struct Case {
    const char* kind;
    Params params;
  };
  const std::vector<Case> inspect_cases = {
      {"container-field", fieldParams("HostConfig.Privileged")},
      {"container-mount", withField("source")},
      {"container-port", withField("host-ip")}};
  for (const auto& bad : badStates()) {
    SCOPED_TRACE(std::string(docker::toString(bad.status)));
    for (const auto& [kind, params] : inspect_cases) {
      auto c = webContainer();
      c.inspect.state = state(bad.status, "HTTP 500");
      c.inspect.doc = nullptr;
      EXPECT_NOT_EVALUATED(run(kind, params, containerResource(s, c)), bad.cause);
    }
    auto summary = webContainer();
    summary.summary.state = state(bad.status);
    EXPECT_NOT_EVALUATED(
        run("container-field", fieldParams("State", "", "summary"), containerResource(s, summary)),
        bad.cause);
    auto processes = webContainer();
    processes.processes_state = state(bad.status);
    EXPECT_NOT_EVALUATED(run("container-process", Params{}, containerResource(s, processes)),
                         bad.cause);
    auto execs = webContainer();
    execs.execs_state = state(bad.status);
    EXPECT_NOT_EVALUATED(
        run("container-exec", withField("privileged"), containerResource(s, execs)), bad.cause);
  }
  for (const auto& [kind, params] : inspect_cases) {
    auto c = webContainer();
    c.inspect.state = state(FactStatus::Missing, "HTTP 404");
    c.inspect.doc = nullptr;
    const auto result = run(kind, params, containerResource(s, c));
    EXPECT_EQ(result.state, ProbeState::Evaluated) << kind;
    EXPECT_TRUE(result.observations.empty()) << kind;
  }
  // Probes given no container (a host resource).
  Resource host;
  host.kind = ResourceKind::DockerHost;
  host.snapshot = &s;
  for (const auto& [kind, params] : inspect_cases) {
    EXPECT_NOT_EVALUATED(run(kind, params, host), NotEvaluatedCause::MissingInput);
  }
}

// ---------------------------------------------------------------------------------------
// container-mount

TEST(ContainerMountProbe, FieldsAndFilters) {
  const docker::Snapshot s;
  const auto c = webContainer();
  const auto sources = run("container-mount", withField("source"), containerResource(s, c));
  EXPECT_EQ(values(sources),
            (Values{"/etc", "/var/run/docker.sock", "/var/lib/docker/volumes/data/_data"}));
  EXPECT_EQ(sources.observations[0].where, "/containers/0123456789ab/json Mounts[0].Source");
  EXPECT_EQ(sources.observations[0].display, "bind /etc → /host-etc (rw, rprivate)");
  auto rw = withField("source");
  rw.set("rw", true);
  EXPECT_EQ(values(run("container-mount", rw, containerResource(s, c))),
            (Values{"/etc", "/var/lib/docker/volumes/data/_data"}));
  rw.set("type", std::vector<std::string>{"bind"});
  EXPECT_EQ(values(run("container-mount", rw, containerResource(s, c))), Values{"/etc"});
  auto ro = withField("destination");
  ro.set("rw", false);
  EXPECT_EQ(values(run("container-mount", ro, containerResource(s, c))),
            Values{"/var/run/docker.sock"});
  EXPECT_EQ(values(run("container-mount", withField("propagation"), containerResource(s, c))),
            (Values{"rprivate", "rshared", ""}));
  EXPECT_EQ(values(run("container-mount", withField("mode"), containerResource(s, c))),
            (Values{"", "ro", "z"}));
  EXPECT_EQ(values(run("container-mount", withField("type"), containerResource(s, c))),
            (Values{"bind", "bind", "volume"}));
  // No mounts: nothing observed.
  auto bare = webContainer();
  bare.inspect.doc["Mounts"] = nullptr;
  EXPECT_TRUE(
      run("container-mount", withField("source"), containerResource(s, bare)).observations.empty());
  bare.inspect.doc["Mounts"] = nlohmann::json::array({1, "x", nullptr});
  EXPECT_TRUE(
      run("container-mount", withField("source"), containerResource(s, bare)).observations.empty());
}

// ---------------------------------------------------------------------------------------
// container-port

TEST(ContainerPortProbe, NormalisedBindings) {
  const docker::Snapshot s;
  const auto c = webContainer();
  // Bindings in key order: 22/tcp, 443/tcp, 80/tcp (two), 9000-9001/udp; 53/udp is null.
  EXPECT_EQ(values(run("container-port", withField("host-ip"), containerResource(s, c))),
            (Values{"10.0.0.1", "127.0.0.1", "", "::", "0.0.0.0"}));
  // Ephemeral ("" and "0") left out; a range gives its low end.
  const auto ports = run("container-port", withField("host-port"), containerResource(s, c));
  EXPECT_EQ(values(ports), (Values{"8443", "8080", "8080"}));
  EXPECT_EQ(ports.observations[0].where,
            "/containers/0123456789ab/json HostConfig.PortBindings[443/tcp]");
  EXPECT_EQ(ports.observations[0].display, "127.0.0.1:8443 → 443/tcp");
  EXPECT_EQ(ports.observations[2].display, "[::]:8080 → 80/tcp");
  EXPECT_EQ(values(run("container-port", withField("container-port"), containerResource(s, c))),
            (Values{"22", "443", "80", "80", "9000"}));
  auto none = webContainer();
  none.inspect.doc["HostConfig"]["PortBindings"] = nlohmann::json::object();
  EXPECT_TRUE(
      run("container-port", withField("host-ip"), containerResource(s, none)).observations.empty());
  none.inspect.doc["HostConfig"].erase("PortBindings");
  EXPECT_TRUE(
      run("container-port", withField("host-ip"), containerResource(s, none)).observations.empty());
}

// ---------------------------------------------------------------------------------------
// container-process

TEST(ContainerProcessProbe, RunningStoppedAndStates) {
  const docker::Snapshot s;
  const auto c = webContainer();
  const auto running = run("container-process", Params{}, containerResource(s, c));
  EXPECT_EQ(values(running), (Values{"nginx", "sshd"}));
  EXPECT_EQ(running.observations[0].where, "processes of container 0123456789ab (cgroup.procs)");

  auto stopped = webContainer();
  stopped.inspect.doc["State"]["Running"] = false;
  stopped.processes_state = state(FactStatus::NotCollected);
  stopped.processes.clear();
  const auto na = run("container-process", Params{}, containerResource(s, stopped));
  EXPECT_EQ(na.state, ProbeState::NotApplicable);
  EXPECT_TRUE(na.observations.empty());
  // Without inspect, the summary's State decides.
  stopped.inspect.state = state(FactStatus::Timeout);
  stopped.summary.doc["State"] = "exited";
  EXPECT_EQ(run("container-process", Params{}, containerResource(s, stopped)).state,
            ProbeState::NotApplicable);
  // Running but the processes were not read: not evaluated; Missing is not a fact here.
  auto unread = webContainer();
  unread.processes_state = state(FactStatus::Missing);
  EXPECT_NOT_EVALUATED(run("container-process", Params{}, containerResource(s, unread)),
                       NotEvaluatedCause::MissingInput);
}

// ---------------------------------------------------------------------------------------
// container-exec

TEST(ContainerExecProbe, PerSession) {
  const docker::Snapshot s;
  const auto c = webContainer();
  const auto privileged = run("container-exec", withField("privileged"), containerResource(s, c));
  EXPECT_EQ(values(privileged), (Values{"true", "false", "<absent>"}));
  EXPECT_EQ(privileged.observations[0].where, "/exec/feedfacefeed/json ProcessConfig.privileged");
  EXPECT_EQ(privileged.observations[0].display, "exec feedfacefeed privileged=true (sh)");
  EXPECT_EQ(values(run("container-exec", withField("user"), containerResource(s, c))),
            (Values{"root", "", "<absent>"}));
  auto none = webContainer();
  none.execs.clear();
  EXPECT_TRUE(
      run("container-exec", withField("user"), containerResource(s, none)).observations.empty());
  none.execs_state = state(FactStatus::Missing);
  const auto missing = run("container-exec", withField("user"), containerResource(s, none));
  EXPECT_EQ(missing.state, ProbeState::Evaluated);
  EXPECT_TRUE(missing.observations.empty());
}

}  // namespace
}  // namespace bulwark::checks::testing
