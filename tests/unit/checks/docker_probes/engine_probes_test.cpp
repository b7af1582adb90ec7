// engine-field (the Engine's documents and the derived summary counts) and network-field (per
// network, with `absent` where the path reaches nothing inside a network).
#include "probe_test_util.h"

namespace bulwark::checks::testing {
namespace {

docker::DocFact docFact(std::string_view json) {
  docker::DocFact d;
  d.state = okState();
  d.doc = nlohmann::json::parse(json);
  return d;
}

docker::Container container(std::string id, std::string image, bool running) {
  docker::Container c;
  c.id = std::move(id);
  c.name = "c-" + c.id;
  c.summary = docFact("{}");
  c.summary.doc["ImageID"] = image;
  c.summary.doc["State"] = running ? "running" : "exited";
  c.inspect = docFact("{}");
  c.inspect.doc["Image"] = image;
  c.inspect.doc["State"]["Running"] = running;
  return c;
}

docker::Image image(std::string id) {
  docker::Image i;
  i.id = std::move(id);
  return i;
}

docker::Snapshot engineSnapshot() {
  docker::Snapshot s;
  s.engine.state = okState();
  s.engine.info = docFact(R"({
    "Driver": "overlay2", "Debug": false,
    "Swarm": {"LocalNodeState": "inactive", "ControlAvailable": false},
    "SecurityOptions": ["name=apparmor", "name=seccomp,profile=builtin"],
    "RegistryConfig": {"InsecureRegistryCIDRs": ["127.0.0.0/8", "10.0.0.0/8"],
                       "IndexConfigs": {"docker.io": {"Secure": true},
                                        "reg.local:5000": {"Secure": false}}},
    "Plugins": {"Authorization": null}
  })");
  s.engine.version = docFact(R"({"Version": "24.0.5", "ApiVersion": "1.43"})");
  s.engine.swarm.state = state(FactStatus::Missing, "503: node is not a swarm manager");
  s.engine.networks = docFact(R"([
    {"Name": "bridge", "Driver": "bridge",
     "Options": {"com.docker.network.bridge.enable_icc": "true"}},
    {"Name": "ingress", "Driver": "overlay", "Options": {"encrypted": ""}},
    {"Name": "backend", "Driver": "overlay", "Options": {}},
    {"Name": "host", "Driver": "host", "Options": null}
  ])");
  s.engine.plugins = docFact("[]");
  s.engine.containers_state = okState();
  s.engine.containers = {container("aaa", "sha256:1111", true),
                         container("bbb", "sha256:1111", false),
                         container("ccc", "sha256:2222", false)};
  s.engine.images_state = okState();
  s.engine.images = {image("sha256:1111"), image("sha256:2222"), image("sha256:3333"),
                     image("sha256:4444")};
  return s;
}

Params engine(std::string doc, std::string_view path) {
  Params p;
  p.set("doc", std::move(doc));
  p.set("path", jsonPath(path));
  return p;
}

TEST(EngineFieldProbe, InfoAndVersion) {
  const auto s = engineSnapshot();
  const auto state_result =
      run("engine-field", engine("info", "Swarm.LocalNodeState"), hostResource(s));
  ASSERT_EQ(values(state_result), Values{"inactive"});
  EXPECT_EQ(state_result.observations[0].where, "/info Swarm.LocalNodeState");
  EXPECT_EQ(values(run("engine-field", engine("version", "ApiVersion"), hostResource(s))),
            Values{"1.43"});
  EXPECT_EQ(values(run("engine-field", engine("info", "RegistryConfig.InsecureRegistryCIDRs[*]"),
                       hostResource(s))),
            (Values{"127.0.0.0/8", "10.0.0.0/8"}));
  EXPECT_EQ(values(run("engine-field", engine("info", "RegistryConfig.IndexConfigs{*}.Secure"),
                       hostResource(s))),
            (Values{"true", "false"}));
  EXPECT_EQ(values(run("engine-field", engine("info", "SecurityOptions"), hostResource(s))),
            Values{"[name=apparmor,name=seccomp,profile=builtin]"});
  EXPECT_TRUE(run("engine-field", engine("info", "Plugins.Authorization[*]"), hostResource(s))
                  .observations.empty());
  // A container resource reads the same host documents.
  const docker::Container c;
  EXPECT_EQ(values(run("engine-field", engine("info", "Driver"), containerResource(s, c))),
            Values{"overlay2"});
}

TEST(EngineFieldProbe, DocumentStates) {
  // swarm Missing (not a manager): nothing observed.
  const auto s = engineSnapshot();
  const auto swarm = run("engine-field", engine("swarm", "Spec"), hostResource(s));
  EXPECT_EQ(swarm.state, ProbeState::Evaluated);
  EXPECT_TRUE(swarm.observations.empty());
  for (const auto& bad : badStates()) {
    SCOPED_TRACE(std::string(docker::toString(bad.status)));
    auto b = engineSnapshot();
    b.engine.info.state = state(bad.status, "connect: refused");
    b.engine.info.doc = nullptr;
    EXPECT_NOT_EVALUATED(run("engine-field", engine("info", "Driver"), hostResource(b)), bad.cause);
    b.engine.plugins.state = state(bad.status);
    EXPECT_NOT_EVALUATED(run("engine-field", engine("plugins", "Name"), hostResource(b)),
                         bad.cause);
  }
  Resource none;
  EXPECT_NOT_EVALUATED(run("engine-field", engine("info", "Driver"), none),
                       NotEvaluatedCause::MissingInput);
}

TEST(EngineFieldProbe, SummaryCounts) {
  const auto s = engineSnapshot();
  const auto count = [&](std::string_view field) {
    const auto result = run("engine-field", engine("summary", field), hostResource(s));
    EXPECT_EQ(result.state, ProbeState::Evaluated) << field << " " << result.reason;
    return values(result);
  };
  EXPECT_EQ(count("images_total"), Values{"4"});
  EXPECT_EQ(count("images_unused"), Values{"2"});  // 3333 and 4444; stopped containers count
  EXPECT_EQ(count("containers_total"), Values{"3"});
  EXPECT_EQ(count("containers_running"), Values{"1"});

  // Each count needs its sources.
  for (const auto& bad : badStates()) {
    auto images = engineSnapshot();
    images.engine.images_state = state(bad.status);
    EXPECT_NOT_EVALUATED(
        run("engine-field", engine("summary", "images_total"), hostResource(images)), bad.cause);
    EXPECT_NOT_EVALUATED(
        run("engine-field", engine("summary", "images_unused"), hostResource(images)), bad.cause);
    EXPECT_EQ(
        values(run("engine-field", engine("summary", "containers_total"), hostResource(images))),
        Values{"3"});
    auto containers = engineSnapshot();
    containers.engine.containers_state = state(bad.status);
    for (const char* field : {"containers_total", "containers_running", "images_unused"}) {
      EXPECT_NOT_EVALUATED(run("engine-field", engine("summary", field), hostResource(containers)),
                           bad.cause);
    }
    // One container whose documents could not be read: its image and state are unknown.
    auto one = engineSnapshot();
    one.engine.containers[1].summary.state = state(bad.status);
    one.engine.containers[1].inspect.state = state(bad.status);
    EXPECT_NOT_EVALUATED(run("engine-field", engine("summary", "images_unused"), hostResource(one)),
                         bad.cause);
    EXPECT_NOT_EVALUATED(
        run("engine-field", engine("summary", "containers_running"), hostResource(one)), bad.cause);
    EXPECT_EQ(values(run("engine-field", engine("summary", "containers_total"), hostResource(one))),
              Values{"3"});
  }
}

// ---------------------------------------------------------------------------------------
// network-field

Params network(std::string_view path, std::vector<std::string> drivers = {},
               std::vector<std::string> names = {}) {
  Params p;
  p.set("path", jsonPath(path));
  if (!drivers.empty()) p.set("driver", std::move(drivers));
  if (!names.empty()) p.set("name", std::move(names));
  return p;
}

TEST(NetworkFieldProbe, PerNetworkWithAbsent) {
  const auto s = engineSnapshot();
  const auto encrypted =
      run("network-field", network("Options[encrypted]", {"overlay"}), hostResource(s));
  EXPECT_EQ(values(encrypted), (Values{"", "<absent>"}));
  EXPECT_EQ(encrypted.observations[0].where, "/networks ingress Options[encrypted]");
  EXPECT_EQ(encrypted.observations[1].display,
            "network backend (overlay) has no "
            "Options[encrypted]");
  const auto icc =
      run("network-field", network("Options[com.docker.network.bridge.enable_icc]", {}, {"bridge"}),
          hostResource(s));
  EXPECT_EQ(values(icc), Values{"true"});
  // No network matches: nothing observed.
  const auto none =
      run("network-field", network("Options[encrypted]", {"macvlan"}), hostResource(s));
  EXPECT_EQ(none.state, ProbeState::Evaluated);
  EXPECT_TRUE(none.observations.empty());
  // Every network, `Options` null on host: absent.
  EXPECT_EQ(values(run("network-field", network("Driver"), hostResource(s))),
            (Values{"bridge", "overlay", "overlay", "host"}));
  EXPECT_EQ(values(run("network-field", network("Options{keys}", {"host"}), hostResource(s))),
            Values{"<absent>"});
}

TEST(NetworkFieldProbe, States) {
  for (const auto& bad : badStates()) {
    auto s = engineSnapshot();
    s.engine.networks.state = state(bad.status);
    s.engine.networks.doc = nullptr;
    EXPECT_NOT_EVALUATED(run("network-field", network("Driver"), hostResource(s)), bad.cause);
  }
  auto missing = engineSnapshot();
  missing.engine.networks.state = state(FactStatus::Missing);
  missing.engine.networks.doc = nullptr;
  EXPECT_TRUE(run("network-field", network("Driver"), hostResource(missing)).observations.empty());
  auto odd = engineSnapshot();
  odd.engine.networks.doc = nlohmann::json::object();
  EXPECT_NOT_EVALUATED(run("network-field", network("Driver"), hostResource(odd)),
                       NotEvaluatedCause::Malformed);
}

}  // namespace
}  // namespace bulwark::checks::testing
