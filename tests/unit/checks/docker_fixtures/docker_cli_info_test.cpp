// The Docker checks on the docker CLI's own test data (hardening/docker-cli, read in place):
// `docker info --format json` goldens as the snapshot's /info, `docker version --format json`
// as its /version, and the port listings of `docker port` / `docker ps` turned into
// PortBindings (docs/dev/hardening-design.md §5.1). Snapshots go through writeSnapshot and
// readSnapshot so the reader's handling of CLI output (ClientInfo, ServerErrors) applies.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_util.h"
#include "core/text.h"
#include "testdata.h"

namespace bulwark::checks::testing {
namespace {

using nlohmann::json;

constexpr std::string_view kSystem = "hardening/docker-cli/system/testdata";
constexpr std::string_view kContainer = "hardening/docker-cli/container/testdata";

std::string shared(std::string_view dir, std::string_view name) {
  return bulwark::testing::readFile(bulwark::testing::sharedTestdata() / dir / name);
}

json infoGolden(std::string_view name) {
  return json::parse(shared(kSystem, name), nullptr, /*allow_exceptions=*/false);
}

struct Host {
  std::optional<json> info;     // engine.info doc (state ok)
  std::optional<json> version;  // engine.version doc (state ok)
  bool daemon = true;           // dockerd argv [dockerd], daemon.json missing; else not collected
  std::vector<json> containers;
};

// The snapshot as `bulwark collect docker` would write it, read back.
struct Read {
  docker::Snapshot snapshot;
  std::vector<core::Diagnostic> diagnostics;
};

Read snapshotOf(const Host& host) {
  docker::Snapshot s;
  s.hostname = "cli-host";
  s.engine.state = fact(FactStatus::Ok);
  if (host.info) {
    s.engine.info.state = fact(FactStatus::Ok);
    s.engine.info.doc = *host.info;
  }
  if (host.version) {
    s.engine.version.state = fact(FactStatus::Ok);
    s.engine.version.doc = *host.version;
  }
  if (host.daemon) {
    s.host.dockerd.state = fact(FactStatus::Ok);
    s.host.dockerd.argv = {"dockerd"};
    s.host.daemon_json.path = "/etc/docker/daemon.json";
    s.host.daemon_json.state = fact(FactStatus::Missing);
  }
  if (!host.containers.empty()) {
    s.engine.containers_state = fact(FactStatus::Ok);
    for (const auto& doc : host.containers) {
      docker::Container c = containerSnapshot(doc).engine.containers.front();
      s.engine.containers.push_back(std::move(c));
    }
  }
  Read out;
  core::Diagnostics diagnostics;
  auto read = docker::readSnapshot(docker::writeSnapshot(s), diagnostics);
  EXPECT_TRUE(read.has_value()) << (read ? "" : read.error().message);
  if (read) out.snapshot = std::move(*read);
  out.diagnostics = diagnostics.sorted();
  return out;
}

// Expected results by CIS control, on the host (or, with `container`, the container).
using Table = std::vector<std::pair<std::string, Expect>>;

const Expect kPass{CheckStatus::Pass, std::nullopt, {}};
const Expect kFail{CheckStatus::Fail, std::nullopt, {}};
const Expect kNotApplicable{CheckStatus::NotApplicable, std::nullopt, {}};
Expect notEvaluated(NotEvaluatedCause cause) { return {CheckStatus::NotEvaluated, {}, cause}; }

void expectTable(const BenchRun& run, const Table& table, const std::string& name,
                 std::string_view kind = "docker-host") {
  for (const auto& [control, want] : table) {
    const auto checks = checksOf(control);
    ASSERT_FALSE(checks.empty()) << "no control " << control;
    for (const auto& check : checks) {
      expectResult(run.find(check, kind), want, name + " CIS " + control);
    }
  }
}

// The checks of every 7.x control that has an applies_when gate (swarm only).
std::vector<std::string> gatedSwarmChecks() {
  std::vector<std::string> out;
  for (const auto& control : bench().profile.controls) {
    if (!control.id.starts_with("7.")) continue;
    for (const auto& id : control.checks) {
      const Check* check = bench().checks.find(id);
      if (check != nullptr && !check->applies_when.empty()) out.push_back(id);
    }
  }
  return out;
}

TEST(DockerCliInfo, NoSwarm) {
  BULWARK_REQUIRE_SHARED(std::string(kSystem) + "/docker-info-no-swarm.json.golden");
  const Read read = snapshotOf({infoGolden("docker-info-no-swarm.json.golden")});
  EXPECT_TRUE(read.diagnostics.empty());
  const BenchRun result = runBench(read.snapshot);
  expectTable(result,
              {{"2.3", kFail},  // Debug true
               {"2.5", kPass},  // only 127.0.0.0/8; docker.io Secure
               {"2.6", kPass},  // overlay2
               {"2.9", kFail},
               {"2.12", kFail},  // Authorization null
               {"2.13", kFail},  // json-file
               {"2.15", kFail},
               {"2.18", kPass},
               {"5.1", kPass}},
              "docker-info-no-swarm");
  const auto gated = gatedSwarmChecks();
  EXPECT_GE(gated.size(), 4U);
  for (const auto& id : gated) {
    expectResult(result.find(id, "docker-host"), kNotApplicable, "docker-info-no-swarm " + id);
  }
}

TEST(DockerCliInfo, WithSwarm) {
  BULWARK_REQUIRE_SHARED(std::string(kSystem) + "/docker-info-with-swarm.json.golden");
  const Read read = snapshotOf({infoGolden("docker-info-with-swarm.json.golden")});
  EXPECT_TRUE(read.diagnostics.empty());
  const BenchRun result = runBench(read.snapshot);
  expectTable(result,
              {{"5.1", kFail},
               {"2.15", kNotApplicable},  // live restore does not apply to swarm mode
               {"7.1", kPass},            // 1 manager
               {"7.5", kPass},            // AutoLockManagers true
               {"7.7", {CheckStatus::Manual, CheckStatus::Pass, {}}},  // 90 days
               // What was not collected keeps the check from a verdict.
               {"7.2", notEvaluated(NotEvaluatedCause::MissingInput)},
               {"7.3", notEvaluated(NotEvaluatedCause::MissingInput)}},
              "docker-info-with-swarm");
}

// /info alone: what it shows wrong fails; what it shows right cannot pass while the daemon's
// configuration (flags, daemon.json) was not read.
TEST(DockerCliInfo, InfoOnly) {
  BULWARK_REQUIRE_SHARED(std::string(kSystem) + "/docker-info-no-swarm.json.golden");
  Host host{infoGolden("docker-info-no-swarm.json.golden")};
  host.daemon = false;
  const BenchRun result = runBench(snapshotOf(host).snapshot);
  expectTable(result,
              {{"2.3", kFail},
               {"2.9", kFail},
               {"2.12", kFail},
               {"2.13", kFail},
               {"2.15", kFail},
               {"2.5", notEvaluated(NotEvaluatedCause::MissingInput)},
               {"2.18", notEvaluated(NotEvaluatedCause::MissingInput)},
               {"2.6", kPass}},
              "docker-info-no-swarm (info only)");
}

// SecurityOptions ["foo="]: neither AppArmor nor SELinux, so their container checks do not
// apply; the CLI's ServerErrors become a diagnostic.
TEST(DockerCliInfo, BadSecurityOptions) {
  BULWARK_REQUIRE_SHARED(std::string(kSystem) + "/docker-info-badsec.json.golden");
  Host host{infoGolden("docker-info-badsec.json.golden")};
  host.containers.push_back(json{{"Id", std::string(64, 'c')},
                                 {"Name", "/plain"},
                                 {"AppArmorProfile", ""},
                                 {"HostConfig", {{"SecurityOpt", nullptr}}}});
  const Read read = snapshotOf(host);
  EXPECT_EQ(read.snapshot.engine.info.state.status, FactStatus::Ok);
  EXPECT_TRUE(std::any_of(read.diagnostics.begin(), read.diagnostics.end(),
                          [](const core::Diagnostic& d) {
                            return d.detail.find("a server error occurred") != std::string::npos;
                          }))
      << "no diagnostic for ServerErrors";
  const BenchRun result = runBench(read.snapshot);
  expectTable(result, {{"5.2", kNotApplicable}, {"5.3", kNotApplicable}},
              "docker-info-badsec container", "docker-container");
  // The same container under the no-swarm /info (name=apparmor): 5.2 applies and fails.
  Host apparmor{infoGolden("docker-info-no-swarm.json.golden")};
  apparmor.containers = host.containers;
  const BenchRun confined = runBench(snapshotOf(apparmor).snapshot);
  expectTable(confined, {{"5.2", kFail}, {"5.3", kNotApplicable}}, "docker-info-no-swarm container",
              "docker-container");
}

bool readsInfo(const std::vector<checks::Test>& tests) {
  return std::any_of(tests.begin(), tests.end(), [](const checks::Test& t) {
    if (t.group != checks::Test::Group::None) return readsInfo(t.children);
    return t.probe != nullptr && t.probe->kind == "engine-field" &&
           t.params.string("doc") == "info";
  });
}
// A check with a test or gate on /info.
bool readsInfo(const Check& check) {
  return readsInfo(check.tests) || readsInfo(check.applies_when);
}

// Errors only (no daemon answer): /info is malformed and nothing that reads it passes.
TEST(DockerCliInfo, ErrorsOnly) {
  BULWARK_REQUIRE_SHARED(std::string(kSystem) + "/docker-info-errors.json.golden");
  const Read read = snapshotOf({infoGolden("docker-info-errors.json.golden")});
  EXPECT_EQ(read.snapshot.engine.info.state.status, FactStatus::Malformed);
  const BenchRun result = runBench(read.snapshot);
  const Expect malformed = notEvaluated(NotEvaluatedCause::Malformed);
  // 2.9, 2.12, 2.13, 2.15 fail from the daemon configuration (Docker defaults: argv read,
  // daemon.json missing) whatever /info says: a failure outranks an unknown.
  expectTable(result,
              {{"2.3", malformed},
               {"2.5", malformed},
               {"2.6", malformed},
               {"2.18", malformed},
               {"5.1", malformed},
               {"7.1", malformed},
               {"7.5", notEvaluated(NotEvaluatedCause::Malformed)},
               {"7.7", {CheckStatus::Manual, CheckStatus::NotEvaluated, {}}},
               {"2.9", kFail},
               {"2.12", kFail},
               {"2.13", kFail},
               {"2.15", kFail}},
              "docker-info-errors");
  std::size_t reading = 0;
  for (const auto& r : result.results) {
    const Check* check = bench().checks.find(r.check_id);
    if (r.resource_kind != "docker-host" || check == nullptr || !readsInfo(*check)) continue;
    ++reading;
    EXPECT_NE(r.status, CheckStatus::Pass)
        << r.check_id << " passes on a malformed /info: " << describe(r);
  }
  EXPECT_GE(reading, 15U);
}

TEST(DockerCliInfo, OtherGoldensParseCleanly) {
  for (const char* name :
       {"docker-info-daemon-warnings.json.golden", "docker-info-plugins.json.golden",
        "docker-info-with-devices.json.golden"}) {
    BULWARK_REQUIRE_SHARED(std::string(kSystem) + "/" + name);
    const Read read = snapshotOf({infoGolden(name)});
    EXPECT_EQ(read.snapshot.engine.info.state.status, FactStatus::Ok) << name;
    for (const auto& d : read.diagnostics) {
      ADD_FAILURE() << name << ": " << d.kind << " " << d.where << ": " << d.detail;
    }
    const BenchRun result = runBench(read.snapshot);
    expectTable(result, {{"2.12", kFail}, {"2.6", kPass}, {"5.1", kPass}}, name);
  }
}

// `docker version --format json`: the Server part is the engine's version; 1.2.2 shows it to
// the reviewer and suggests nothing.
TEST(DockerCliInfo, VersionEvidence) {
  BULWARK_REQUIRE_SHARED(std::string(kSystem) + "/TestVersionFormat/json.golden");
  Host host;
  host.version = json::parse(shared(kSystem, "TestVersionFormat/json.golden"), nullptr, false);
  ASSERT_FALSE(host.version->is_discarded());
  const BenchRun result = runBench(snapshotOf(host).snapshot);
  const auto checks = checksOf("1.2.2");
  ASSERT_EQ(checks.size(), 1U);
  const auto* version = result.find(checks.front(), "docker-host");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->status, CheckStatus::Manual) << describe(*version);
  EXPECT_FALSE(version->assist.has_value()) << describe(*version);
  std::vector<std::string> shown;
  for (const auto& e : version->evidence) shown.push_back(e.observed);
  EXPECT_EQ(shown, (std::vector<std::string>{"18.99.5-ce", "1.30"})) << describe(*version);
}

// "0.0.0.0:3456", "[::]:5678", "80/tcp -> 0.0.0.0:3456" → a PortBindings entry.
void addBinding(json& bindings, std::string container_port, std::string host) {
  const auto colon = host.rfind(':');
  ASSERT_NE(colon, std::string::npos) << host;
  std::string ip = host.substr(0, colon);
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  bindings[container_port].push_back(json{{"HostIp", ip}, {"HostPort", host.substr(colon + 1)}});
}

json containerWithBindings(const std::string& name, const json& bindings) {
  return json{{"Id", std::string(64, 'd')},
              {"Name", "/" + name},
              {"HostConfig", {{"PortBindings", bindings}}}};
}

// The `docker port` goldens: every binding on all interfaces (0.0.0.0 or [::]), on high ports.
TEST(DockerCliPorts, PortGoldens) {
  BULWARK_REQUIRE_SHARED(std::string(kContainer) + "/container-port-all-ports.golden");
  std::size_t goldens = 0;
  for (const auto& entry : std::filesystem::directory_iterator(bulwark::testing::sharedTestdata() /
                                                               std::string(kContainer))) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("container-port-")) continue;
    ++goldens;
    json bindings = json::object();
    std::istringstream lines(shared(kContainer, name));
    std::string line;
    std::size_t count = 0;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      const auto arrow = line.find(" -> ");
      if (arrow == std::string::npos) {
        addBinding(bindings, "80/tcp", line);
      } else {
        addBinding(bindings, line.substr(0, arrow), line.substr(arrow + 4));
      }
      ++count;
    }
    ASSERT_GT(count, 0U) << name;
    Host host;
    host.daemon = false;
    host.containers.push_back(containerWithBindings("ports", bindings));
    const BenchRun result = runBench(snapshotOf(host).snapshot);
    expectTable(result, {{"5.8", kPass}, {"5.14", kFail}}, name, "docker-container");
  }
  EXPECT_EQ(goldens, 5U);
}

// The PORTS column of `docker ps`: c5 publishes 8.8.8.8:82 (a privileged port on one address);
// c3/c4 only expose ports; c1/c2 have none.
TEST(DockerCliPorts, ContainerList) {
  BULWARK_REQUIRE_SHARED(std::string(kContainer) + "/container-list-without-format.golden");
  std::istringstream lines(shared(kContainer, "container-list-without-format.golden"));
  std::string header;
  ASSERT_TRUE(std::getline(lines, header));
  const auto ports_at = header.find("PORTS");
  const auto names_at = header.find("NAMES");
  ASSERT_NE(ports_at, std::string::npos);
  ASSERT_NE(names_at, std::string::npos);
  std::map<std::string, json> bindings;
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() <= names_at) continue;
    const std::string name(core::trim(std::string_view(line).substr(names_at)));
    std::string ports(core::trim(std::string_view(line).substr(ports_at, names_at - ports_at)));
    json& b = bindings[name];
    b = json::object();
    const auto arrow = ports.find("->");
    if (arrow != std::string::npos) {
      addBinding(b, ports.substr(arrow + 2), ports.substr(0, arrow));
    }
  }
  ASSERT_EQ(bindings.size(), 5U);
  const std::map<std::string, Table> expected = {
      {"c1", {{"5.8", kPass}, {"5.14", kPass}}},
      {"c2", {{"5.8", kPass}, {"5.14", kPass}}},
      {"c3", {{"5.8", kPass}, {"5.14", kPass}}},  // 80-82/tcp exposed, not published
      {"c4", {{"5.8", kPass}, {"5.14", kPass}}},
      {"c5", {{"5.8", kFail}, {"5.14", kPass}}}};
  for (const auto& [name, b] : bindings) {
    Host host;
    host.daemon = false;
    host.containers.push_back(containerWithBindings(name, b));
    const BenchRun result = runBench(snapshotOf(host).snapshot);
    ASSERT_TRUE(expected.contains(name)) << name;
    expectTable(result, expected.at(name), "container-list " + name, "docker-container");
  }
}

}  // namespace
}  // namespace bulwark::checks::testing
