// readSnapshot/writeSnapshot: the §2.2 shape, canonical output (sorted keys, two-space indent),
// byte-identical round trips, limits, every fact status, type errors as malformed facts, and
// the docker CLI's `docker info`/`docker version --format json` output read in place.
#include "checks/docker/snapshot.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testdata.h"

namespace bulwark::checks::docker {
namespace {

using nlohmann::json;

std::string fixture(const std::string& name) {
  return testing::readFile(testing::fixtures() / "hardening" / "docker" / name);
}

struct Read {
  core::Result<Snapshot> snapshot;
  std::vector<core::Diagnostic> diagnostics;
};

Read read(std::string_view text, const SnapshotLimits& limits = {}) {
  core::Diagnostics diagnostics;
  auto snapshot = readSnapshot(text, diagnostics, limits);
  return {std::move(snapshot), diagnostics.sorted()};
}

bool hasDiagnostic(const std::vector<core::Diagnostic>& all, std::string_view kind,
                   std::string_view where) {
  for (const auto& d : all) {
    if (d.kind == kind && d.where.find(where) != std::string::npos) return true;
  }
  return false;
}

// A snapshot text with `engine`/`host` members replaced.
std::string snapshotWith(const json& engine, const json& host = json::object()) {
  return json{{"schema", kSnapshotSchema}, {"engine", engine}, {"host", host}}.dump();
}

FactState state(FactStatus status, std::string detail = {}, std::string source = {}) {
  return {status, std::move(detail), std::move(source)};
}

// Every field set, so a round trip that drops or changes one shows.
Snapshot fullSnapshot() {
  Snapshot s;
  s.collected_at = "2026-11-23T01:40:00Z";
  s.collector_version = "0.6.0";
  s.collector_uid = 1000;
  s.hostname = "build-7";
  s.engine.endpoint = "unix:///var/run/docker.sock";
  s.engine.state = state(FactStatus::Ok, "", "GET /_ping");
  s.engine.version = {state(FactStatus::Ok), json{{"Version", "20.10.24"}, {"ApiVersion", "1.41"}}};
  s.engine.info = {state(FactStatus::Ok), json{{"ID", "A:B"}, {"Debug", true}, {"NCPU", 2}}};
  s.engine.networks = {state(FactStatus::Ok), json::array({json{{"Name", "bridge"}}})};
  s.engine.plugins = {state(FactStatus::Timeout, "no answer in 5 s", "GET /plugins"), nullptr};
  s.engine.swarm = {state(FactStatus::Missing, "503: node is not a swarm manager"), nullptr};
  s.engine.nodes = {state(FactStatus::NotCollected), nullptr};
  s.engine.containers_state = state(FactStatus::Ok);
  Container web;
  web.id = std::string(64, 'b');
  web.name = "web";
  web.summary = {state(FactStatus::Ok), json{{"State", "running"}}};
  web.inspect = {state(FactStatus::Ok), json{{"HostConfig", {{"CapAdd", {"SYS_ADMIN"}}}}}};
  web.processes_state = state(FactStatus::Ok, "", "cgroup.procs");
  web.processes = {"nginx", "sh"};
  web.execs_state = state(FactStatus::Ok);
  web.execs = {json{{"Privileged", true}}};
  Container db;
  db.id = std::string(64, 'a');
  db.name = "db";
  db.summary = {state(FactStatus::Ok), json{{"State", "created"}}};
  db.inspect = {state(FactStatus::Malformed, "body over 64 MiB"), nullptr};
  db.processes_state = state(FactStatus::NotCollected);
  db.execs_state = state(FactStatus::Unreachable, "connect: refused");
  s.engine.containers = {db, web};
  s.engine.images_state = state(FactStatus::Ok);
  Image image;
  image.id = "sha256:1111";
  image.tags = {"web:1", "web:latest"};
  image.inspect = {state(FactStatus::Ok), json{{"Config", {{"User", "app"}}}}};
  image.history = {state(FactStatus::Ok), json::array({json{{"CreatedBy", "CMD x"}}})};
  s.engine.images = {image};

  auto& h = s.host;
  h.root = "/host";
  h.dockerd.state = state(FactStatus::Ok, "", "/proc/812/cmdline");
  h.dockerd.pid = 812;
  h.dockerd.uid = 0;
  h.dockerd.exe = "/usr/sbin/dockerd";
  h.dockerd.argv = {"/usr/sbin/dockerd", "-H", "fd://", "--icc=false"};
  h.daemon_json.path = "/etc/docker/daemon.json";
  h.daemon_json.state = state(FactStatus::Ok);
  h.daemon_json.doc = json{{"log-level", "info"}, {"live-restore", true}};
  h.paths["unit:docker.service"] = {"/lib/systemd/system/docker.service"};
  h.paths["daemon:tlscacert"] = {};
  FileFact etc{"/etc/docker", state(FactStatus::Ok), "dir", 0755, 0, 0, "root", "root", ""};
  FileFact runc{"/usr/bin/runc", state(FactStatus::Ok), "file", 04755, 0, 5, "root", "#5", ""};
  FileFact sock{
      "/var/run/docker.sock", state(FactStatus::Ok), "socket", 0660, 0, 998, "root", "docker",
      "/run/docker.sock"};
  FileFact gone{"/etc/sysconfig/docker", state(FactStatus::Missing), "", 0, 0, 0, "", "", ""};
  FileFact denied{"/root/x", state(FactStatus::PermissionDenied, "EACCES"), "", 0, 0, 0, "", "",
                  ""};
  for (const auto& f : {etc, runc, sock, gone, denied}) h.files[f.path] = f;
  h.docker_group = {state(FactStatus::Ok, "", "/etc/group"), "docker", true, {"ci", "alice"}};
  h.audit.state = state(FactStatus::Ok, "", "auditctl -l");
  h.audit.rules = {{AuditRule::Kind::Watch, "/usr/bin/dockerd", false, "rwxa", "docker",
                    "-w /usr/bin/dockerd -p rwxa -k docker"},
                   {AuditRule::Kind::Syscall, "/etc/docker", true, "wa", "docker",
                    "-a always,exit -F dir=/etc/docker -F perm=wa -k docker"}};
  h.listening.state = state(FactStatus::Ok);
  h.listening.sockets = {{"tcp", "0.0.0.0", 2377}, {"tcp6", "::", 65535}};
  h.mountinfo.state = state(FactStatus::Ok);
  h.mountinfo.mounts = {{"/", "ext4", "/dev/vda1"}, {"/var/lib/docker", "xfs", "/dev/vdb1"}};
  h.environment["DOCKER_CONTENT_TRUST"] = std::nullopt;
  h.environment["DOCKER_HOST"] = "unix:///run/docker.sock";
  s.diagnostics = {{"docker.self-excluded", "container 5f3c", "bulwark's own container"}};
  return s;
}

TEST(Snapshot, RoundTripIsByteIdentical) {
  const auto first = writeSnapshot(fullSnapshot());
  const auto again = read(first);
  ASSERT_TRUE(again.snapshot) << again.snapshot.error().message;
  EXPECT_TRUE(again.diagnostics.empty());
  const auto second = writeSnapshot(*again.snapshot);
  EXPECT_EQ(first, second);

  const auto& s = *again.snapshot;
  EXPECT_EQ(s.collector_uid, 1000u);
  ASSERT_EQ(s.engine.containers.size(), 2u);
  EXPECT_EQ(s.engine.containers[0].name, "db");  // sorted by name
  EXPECT_EQ(s.engine.containers[0].inspect.state.status, FactStatus::Malformed);
  EXPECT_EQ(s.engine.containers[0].execs_state.detail, "connect: refused");
  EXPECT_EQ(s.engine.containers[1].execs.at(0)["Privileged"], true);
  EXPECT_EQ(s.engine.plugins.state.source, "GET /plugins");
  EXPECT_EQ(s.host.files.at("/usr/bin/runc").mode, 04755u);
  EXPECT_EQ(s.host.files.at("/var/run/docker.sock").link_target, "/run/docker.sock");
  EXPECT_EQ(s.host.audit.rules.at(1).kind, AuditRule::Kind::Syscall);
  EXPECT_TRUE(s.host.audit.rules.at(1).dir);
  EXPECT_EQ(s.host.listening.sockets.at(1).port, 65535);
  EXPECT_EQ(s.host.mountinfo.mounts.at(1).fstype, "xfs");
  EXPECT_FALSE(s.host.environment.at("DOCKER_CONTENT_TRUST").has_value());
  EXPECT_EQ(s.host.paths.at("daemon:tlscacert").size(), 0u);
  EXPECT_EQ(s.diagnostics, fullSnapshot().diagnostics);
}

TEST(Snapshot, WriteIsCanonical) {
  const auto text = writeSnapshot(fullSnapshot());
  // Sorted keys, two-space indentation, one trailing newline.
  EXPECT_EQ(text.substr(0, 36), "{\n  \"collected_at\": \"2026-11-23T01:4");
  EXPECT_LT(text.find("\"collector\""), text.find("\"diagnostics\""));
  EXPECT_LT(text.find("\"diagnostics\""), text.find("\"engine\""));
  EXPECT_LT(text.find("\"host\": {"), text.find("\"schema\""));
  EXPECT_NE(text.find("\n    \"containers\": {"), std::string::npos);
  EXPECT_NE(text.find("\"mode\": \"4755\""), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
  // Containers come out by name, images by id, processes sorted, whatever order they are in.
  auto s = fullSnapshot();
  std::swap(s.engine.containers[0], s.engine.containers[1]);
  s.engine.containers[1].processes = {"sh", "nginx"};
  EXPECT_EQ(writeSnapshot(s), text);
  // Facts that are not ok carry no document and no items.
  EXPECT_EQ(json::parse(text)["engine"]["plugins"]["doc"], nullptr);
}

TEST(Snapshot, HandWrittenFixture) {
  const auto text = fixture("host.snapshot.json");
  ASSERT_FALSE(text.empty());
  const auto r = read(text);
  ASSERT_TRUE(r.snapshot) << r.snapshot.error().message;
  EXPECT_TRUE(r.diagnostics.empty()) << r.diagnostics.front().detail;
  const auto& s = *r.snapshot;
  EXPECT_EQ(s.hostname, "build-7");
  EXPECT_EQ(s.collector_version, "0.6.0");
  EXPECT_EQ(s.engine.version.doc["ApiVersion"], "1.41");
  EXPECT_FALSE(s.engine.info.doc.contains("ClientInfo"));
  EXPECT_EQ(s.engine.info.doc["Driver"], "overlay2");
  ASSERT_EQ(s.engine.containers.size(), 2u);
  EXPECT_EQ(s.engine.containers[0].name, "db");
  EXPECT_EQ(s.engine.containers[0].inspect.state.status, FactStatus::Timeout);
  EXPECT_EQ(s.engine.containers[0].inspect.state.source, "GET /containers/aaaa/json");
  EXPECT_EQ(s.engine.containers[0].processes_state.status, FactStatus::NotCollected);
  EXPECT_EQ(s.engine.containers[1].name, "web");  // leading '/' dropped
  EXPECT_EQ(s.engine.containers[1].processes, (std::vector<std::string>{"nginx", "sh"}));
  ASSERT_EQ(s.engine.images.size(), 2u);
  EXPECT_EQ(s.engine.images[0].id, "sha256:1111");
  EXPECT_EQ(s.engine.images[0].inspect.state.status, FactStatus::Malformed);
  EXPECT_EQ(s.engine.images[0].history.state.status, FactStatus::PermissionDenied);
  EXPECT_EQ(s.engine.swarm.state.status, FactStatus::Missing);
  EXPECT_TRUE(s.engine.swarm.doc.is_null());
  EXPECT_EQ(s.host.dockerd.pid, 812);
  EXPECT_EQ(s.host.dockerd.argv.size(), 4u);
  EXPECT_EQ(s.host.daemon_json.doc["live-restore"], true);
  EXPECT_EQ(s.host.files.size(), 6u);
  EXPECT_EQ(s.host.files.at("/etc/docker").mode, 0755u);
  EXPECT_EQ(s.host.files.at("/etc/docker").type, "dir");
  EXPECT_EQ(s.host.files.at("/run/docker.sock").gid, 998u);
  EXPECT_EQ(s.host.files.at("/etc/sysconfig/docker").state.status, FactStatus::Missing);
  EXPECT_EQ(s.host.files.at("/root/.docker").state.status, FactStatus::PermissionDenied);
  EXPECT_EQ(s.host.docker_group.members, std::vector<std::string>{"ci"});
  EXPECT_EQ(s.host.audit.state.source, "auditctl -l");
  EXPECT_EQ(s.host.audit.rules.size(), 2u);
  EXPECT_EQ(s.host.listening.sockets.at(0).port, 2377);
  EXPECT_EQ(s.host.mountinfo.mounts.size(), 2u);
  EXPECT_EQ(s.host.environment.at("DOCKER_HOST"), "unix:///run/docker.sock");
  EXPECT_EQ(s.diagnostics.size(), 1u);
  // Normalised once, then stable.
  const auto first = writeSnapshot(s);
  const auto again = read(first);
  ASSERT_TRUE(again.snapshot);
  EXPECT_EQ(writeSnapshot(*again.snapshot), first);
}

TEST(Snapshot, AbsentSectionsAreNotCollected) {
  const auto r = read(R"({"schema": "bulwark.docker-snapshot/v1"})");
  ASSERT_TRUE(r.snapshot);
  EXPECT_TRUE(r.diagnostics.empty());
  const auto& s = *r.snapshot;
  EXPECT_EQ(s.engine.state.status, FactStatus::NotCollected);
  EXPECT_EQ(s.engine.info.state.status, FactStatus::NotCollected);
  EXPECT_EQ(s.engine.containers_state.status, FactStatus::NotCollected);
  EXPECT_EQ(s.host.dockerd.state.status, FactStatus::NotCollected);
  EXPECT_EQ(s.host.daemon_json.state.status, FactStatus::NotCollected);
  EXPECT_EQ(s.host.audit.state.status, FactStatus::NotCollected);
  EXPECT_EQ(s.host.mountinfo.state.status, FactStatus::NotCollected);
  EXPECT_TRUE(s.host.environment.empty());
  EXPECT_EQ(s.host.root, "/");
}

TEST(FactStatusText, EveryStatus) {
  const std::vector<std::pair<FactStatus, std::string>> all = {
      {FactStatus::Ok, "ok"},
      {FactStatus::Missing, "missing"},
      {FactStatus::PermissionDenied, "permission-denied"},
      {FactStatus::Unreachable, "unreachable"},
      {FactStatus::Timeout, "timeout"},
      {FactStatus::Malformed, "malformed"},
      {FactStatus::NotCollected, "not-collected"}};
  for (const auto& [status, text] : all) {
    EXPECT_EQ(toString(status), text);
    FactStatus parsed = FactStatus::Ok;
    ASSERT_TRUE(parseFactStatus(text, parsed)) << text;
    EXPECT_EQ(parsed, status);
    // Each status survives a snapshot round trip as the state of a document and of a file.
    const auto r = read(snapshotWith(
        {{"info", {{"state", {{"status", text}, {"detail", "d"}}}, {"doc", {{"ID", "x"}}}}}},
        {{"files", {{"/f", {{"state", {{"status", text}}}}}}}}));
    ASSERT_TRUE(r.snapshot) << text;
    EXPECT_EQ(r.snapshot->engine.info.state.status, status) << text;
    EXPECT_EQ(r.snapshot->engine.info.state.detail, "d");
    EXPECT_EQ(r.snapshot->engine.info.doc.is_null(), status != FactStatus::Ok) << text;
    EXPECT_EQ(r.snapshot->host.files.at("/f").state.status, status) << text;
    const auto again = read(writeSnapshot(*r.snapshot));
    ASSERT_TRUE(again.snapshot);
    EXPECT_EQ(again.snapshot->engine.info.state.status, status);
  }
  FactStatus parsed = FactStatus::Ok;
  EXPECT_FALSE(parseFactStatus("OK", parsed));
  EXPECT_FALSE(parseFactStatus("", parsed));
  EXPECT_FALSE(parseFactStatus("denied", parsed));
}

TEST(FactStatusText, CauseOfEveryStatus) {
  using model::NotEvaluatedCause;
  EXPECT_EQ(causeOf(FactStatus::Ok), NotEvaluatedCause::None);
  EXPECT_EQ(causeOf(FactStatus::Missing), NotEvaluatedCause::None);
  EXPECT_EQ(causeOf(FactStatus::PermissionDenied), NotEvaluatedCause::PermissionDenied);
  EXPECT_EQ(causeOf(FactStatus::Unreachable), NotEvaluatedCause::Unreachable);
  EXPECT_EQ(causeOf(FactStatus::Timeout), NotEvaluatedCause::Timeout);
  EXPECT_EQ(causeOf(FactStatus::Malformed), NotEvaluatedCause::Malformed);
  EXPECT_EQ(causeOf(FactStatus::NotCollected), NotEvaluatedCause::MissingInput);
}

TEST(Snapshot, UnusableInputIsAnError) {
  EXPECT_FALSE(read("").snapshot);
  EXPECT_FALSE(read("{").snapshot);
  EXPECT_FALSE(read("[]").snapshot);
  EXPECT_FALSE(read("{}").snapshot);
  EXPECT_FALSE(read(R"({"schema": 1})").snapshot);
  const auto other = read(R"({"schema": "bulwark.docker-snapshot/v2"})");
  ASSERT_FALSE(other.snapshot);
  EXPECT_NE(other.snapshot.error().message.find("v2"), std::string::npos);
  EXPECT_EQ(other.snapshot.error().code, core::ErrorCode::Input);
  // Too deep to copy or print safely.
  const std::string deep = R"({"schema": "bulwark.docker-snapshot/v1", "x": )" +
                           std::string(300, '[') + std::string(300, ']') + "}";
  const auto too_deep = read(deep);
  ASSERT_FALSE(too_deep.snapshot);
  EXPECT_EQ(too_deep.snapshot.error().code, core::ErrorCode::Limit);
  // Brackets inside strings do not count.
  const std::string quoted =
      R"({"schema": "bulwark.docker-snapshot/v1", "x": ")" + std::string(300, '[') + R"(\""})";
  EXPECT_TRUE(read(quoted).snapshot);
}

TEST(SnapshotLimits, TooManyBytes) {
  SnapshotLimits limits;
  limits.max_bytes = 100;
  const auto text = writeSnapshot(Snapshot{});
  const auto r = read(text, limits);
  ASSERT_FALSE(r.snapshot);
  EXPECT_EQ(r.snapshot.error().code, core::ErrorCode::Limit);
  limits.max_bytes = text.size();
  EXPECT_TRUE(read(text, limits).snapshot);
}

TEST(SnapshotLimits, ListsAreTruncatedWithADiagnostic) {
  Snapshot s;
  s.engine.containers_state = state(FactStatus::Ok);
  s.engine.images_state = state(FactStatus::Ok);
  s.host.audit.state = state(FactStatus::Ok);
  for (int i = 0; i < 12; ++i) {
    Container c;
    c.id = std::to_string(1000 + i);
    c.name = "c" + std::to_string(1000 + i);
    s.engine.containers.push_back(c);
    Image image;
    image.id = "sha256:" + std::to_string(1000 + i);
    s.engine.images.push_back(image);
    s.host.audit.rules.push_back(
        {AuditRule::Kind::Watch, "/p" + std::to_string(i), false, "", "", ""});
    FileFact file;
    file.path = "/f" + std::to_string(1000 + i);
    file.state = state(FactStatus::Ok);
    s.host.files[file.path] = file;
  }
  const auto text = writeSnapshot(s);
  SnapshotLimits limits;
  limits.max_containers = 5;
  limits.max_images = 4;
  limits.max_audit_rules = 3;
  limits.max_files = 2;
  const auto r = read(text, limits);
  ASSERT_TRUE(r.snapshot);
  EXPECT_EQ(r.snapshot->engine.containers.size(), 5u);
  EXPECT_EQ(r.snapshot->engine.containers.front().name, "c1000");
  EXPECT_EQ(r.snapshot->engine.images.size(), 4u);
  EXPECT_EQ(r.snapshot->host.audit.rules.size(), 3u);
  EXPECT_EQ(r.snapshot->host.files.size(), 2u);
  EXPECT_TRUE(hasDiagnostic(r.diagnostics, "docker-snapshot.truncated", "engine.containers"));
  EXPECT_TRUE(hasDiagnostic(r.diagnostics, "docker-snapshot.truncated", "engine.images"));
  EXPECT_TRUE(hasDiagnostic(r.diagnostics, "docker-snapshot.truncated", "host.audit.rules"));
  EXPECT_TRUE(hasDiagnostic(r.diagnostics, "docker-snapshot.truncated", "host.files"));
  // The facts themselves stay ok: what was read is right, the rest is reported.
  EXPECT_TRUE(r.snapshot->engine.containers_state.ok());
  // Default limits read everything.
  const auto all = read(text);
  ASSERT_TRUE(all.snapshot);
  EXPECT_EQ(all.snapshot->engine.containers.size(), 12u);
  EXPECT_TRUE(all.diagnostics.empty());
}

TEST(Snapshot, BadMembersMakeTheirFactMalformed) {
  const auto r = read(snapshotWith(
      {{"containers",
        {{"state", {{"status", "ok"}}},
         {"items", {json{{"id", 5}}, json{{"id", "abc"}, {"name", "ok"}}, "text"}}}},
       {"images", {{"state", {{"status", "nonsense"}}}}},
       {"version", {{"doc", {{"Version", "1"}}}, {"state", "ok"}}},
       {"networks", "not an object"}},
      {{"dockerd", {{"state", {{"status", "ok"}}}, {"pid", "812"}, {"argv", {"dockerd", 7}}}},
       {"files",
        {{"/a", {{"state", {{"status", "ok"}}}, {"mode", "0999"}}},
         {"/b", {{"state", {{"status", "ok"}}}, {"mode", 99999}}},
         {"/c", {{"state", {{"status", "ok"}}}, {"uid", -1}}},
         {"/d", {{"type", "file"}}},
         {"/e", nullptr}}},
       {"listening", {{"state", {{"status", "ok"}}}, {"sockets", {{{"port", 70000}}}}}},
       {"mountinfo", {{"state", {{"status", "ok"}}}, {"mounts", {{"/", "ext4"}}}}},
       {"audit", {{"state", {{"status", "ok"}}}, {"rules", {{{"kind", "exec"}}}}}},
       {"environment", {{"A", 1}, {"B", "b"}}}}));
  ASSERT_TRUE(r.snapshot) << r.snapshot.error().message;
  const auto& s = *r.snapshot;
  ASSERT_EQ(s.engine.containers.size(), 1u);  // id 5 and "text" skipped
  EXPECT_EQ(s.engine.containers[0].id, "abc");
  EXPECT_TRUE(hasDiagnostic(r.diagnostics, "docker-snapshot.malformed", "engine.containers"));
  EXPECT_EQ(s.engine.images_state.status, FactStatus::Malformed);
  EXPECT_EQ(s.engine.version.state.status, FactStatus::Malformed);
  EXPECT_TRUE(s.engine.version.doc.is_null());
  EXPECT_EQ(s.engine.networks.state.status, FactStatus::Malformed);
  EXPECT_EQ(s.host.dockerd.state.status, FactStatus::Malformed);
  EXPECT_TRUE(hasDiagnostic(r.diagnostics, "docker-snapshot.malformed", "host.dockerd.pid"));
  EXPECT_TRUE(hasDiagnostic(r.diagnostics, "docker-snapshot.malformed", "host.dockerd.argv"));
  for (const auto* path : {"/a", "/b", "/c", "/d", "/e"}) {
    EXPECT_EQ(s.host.files.at(path).state.status, FactStatus::Malformed) << path;
  }
  EXPECT_EQ(s.host.listening.state.status, FactStatus::Malformed);
  EXPECT_EQ(s.host.mountinfo.state.status, FactStatus::Malformed);
  EXPECT_EQ(s.host.audit.state.status, FactStatus::Malformed);
  EXPECT_EQ(s.host.environment.size(), 1u);
  EXPECT_EQ(s.host.environment.at("B"), "b");
  // Sections that were fine stay fine.
  EXPECT_EQ(s.engine.info.state.status, FactStatus::NotCollected);
}

// --- the docker CLI's JSON, read in place from ../shared/testdata --------------------------

const std::string kCliDir = "hardening/docker-cli/system/testdata";

Read readInfo(const std::string& golden, bool wrapped) {
  const auto doc = json::parse(testing::readFile(testing::sharedTestdata() / kCliDir / golden));
  const json info =
      wrapped ? json{{"state", {{"status", "ok"}, {"source", "docker info"}}}, {"doc", doc}} : doc;
  return read(snapshotWith({{"info", info}}));
}

TEST(SnapshotDockerCli, EveryInfoGoldenReads) {
  BULWARK_REQUIRE_SHARED(kCliDir);
  int seen = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::sharedTestdata() / kCliDir)) {
    const auto name = entry.path().filename().string();
    if (!name.starts_with("docker-info-") || !name.ends_with(".json.golden")) continue;
    ++seen;
    for (const bool wrapped : {true, false}) {
      const auto r = readInfo(name, wrapped);
      ASSERT_TRUE(r.snapshot) << name << ": " << r.snapshot.error().message;
      const auto& info = r.snapshot->engine.info;
      EXPECT_FALSE(info.doc.contains("ClientInfo")) << name;
      const bool errors_only = name == "docker-info-errors.json.golden";
      const bool server_errors = errors_only || name == "docker-info-badsec.json.golden";
      EXPECT_EQ(info.state.status, errors_only ? FactStatus::Malformed : FactStatus::Ok) << name;
      EXPECT_EQ(hasDiagnostic(r.diagnostics, "docker-info.server-errors", "engine.info"),
                server_errors)
          << name;
      if (!errors_only) {
        EXPECT_EQ(info.doc["Name"], "system-sample") << name;
        EXPECT_TRUE(info.doc.contains("Swarm")) << name;
      }
      // What was read writes and reads back the same.
      const auto text = writeSnapshot(*r.snapshot);
      const auto again = read(text);
      ASSERT_TRUE(again.snapshot);
      EXPECT_EQ(writeSnapshot(*again.snapshot), text) << name;
    }
  }
  EXPECT_GE(seen, 7);
}

TEST(SnapshotDockerCli, InfoWithoutSwarmAndWithSwarm) {
  BULWARK_REQUIRE_SHARED(kCliDir + "/docker-info-no-swarm.json.golden");
  const auto none = readInfo("docker-info-no-swarm.json.golden", true);
  ASSERT_TRUE(none.snapshot);
  EXPECT_TRUE(none.diagnostics.empty());
  EXPECT_EQ(none.snapshot->engine.info.state.source, "docker info");
  EXPECT_EQ(none.snapshot->engine.info.doc["Swarm"]["LocalNodeState"], "inactive");
  EXPECT_EQ(none.snapshot->engine.info.doc["Debug"], true);
  const auto swarm = readInfo("docker-info-with-swarm.json.golden", false);
  ASSERT_TRUE(swarm.snapshot);
  EXPECT_EQ(swarm.snapshot->engine.info.state.status, FactStatus::Ok);
  EXPECT_EQ(swarm.snapshot->engine.info.doc["Swarm"]["LocalNodeState"], "active");
}

TEST(SnapshotDockerCli, ErrorsOnlyIsMalformed) {
  BULWARK_REQUIRE_SHARED(kCliDir + "/docker-info-errors.json.golden");
  const auto r = readInfo("docker-info-errors.json.golden", true);
  ASSERT_TRUE(r.snapshot);
  const auto& info = r.snapshot->engine.info;
  EXPECT_EQ(info.state.status, FactStatus::Malformed);
  EXPECT_NE(info.state.detail.find("a server error occurred"), std::string::npos);
  EXPECT_TRUE(info.doc.is_null());
  EXPECT_EQ(causeOf(info.state.status), model::NotEvaluatedCause::Malformed);
}

TEST(SnapshotDockerCli, VersionTakesTheServerPart) {
  const std::string golden = kCliDir + "/TestVersionFormat/json.golden";
  BULWARK_REQUIRE_SHARED(golden);
  const auto doc = json::parse(testing::readFile(testing::sharedTestdata() / golden));
  for (const bool wrapped : {true, false}) {
    const json version = wrapped ? json{{"state", {{"status", "ok"}}}, {"doc", doc}} : doc;
    const auto r = read(snapshotWith({{"version", version}}));
    ASSERT_TRUE(r.snapshot);
    const auto& v = r.snapshot->engine.version;
    EXPECT_EQ(v.state.status, FactStatus::Ok);
    EXPECT_EQ(v.doc["Version"], "18.99.5-ce");
    EXPECT_EQ(v.doc["ApiVersion"], "1.30");
    EXPECT_FALSE(v.doc.contains("Client"));
  }
  // A plain /version document is kept as it is.
  const auto plain = read(snapshotWith(
      {{"version", {{"state", {{"status", "ok"}}}, {"doc", {{"Version", "20.10.24"}}}}}}));
  ASSERT_TRUE(plain.snapshot);
  EXPECT_EQ(plain.snapshot->engine.version.doc["Version"], "20.10.24");
  // The CLI's output when the daemon did not answer: no Server part.
  const auto down =
      read(snapshotWith({{"version",
                          {{"state", {{"status", "ok"}}},
                           {"doc", {{"Client", {{"Version", "28.0"}}}, {"Server", nullptr}}}}}}));
  ASSERT_TRUE(down.snapshot);
  EXPECT_EQ(down.snapshot->engine.version.state.status, FactStatus::Malformed);
}

}  // namespace
}  // namespace bulwark::checks::docker
