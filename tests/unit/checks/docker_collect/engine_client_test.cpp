// The Engine API client and collector against a unix-socket HTTP server in the test, serving
// the authored inspect documents of ../shared/testdata/hardening/authored-docker-engine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>

#include "checks/docker/collect/collect.h"
#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/engine_client.h"
#include "testdata.h"
#include "unix_http_server.h"

namespace bulwark::checks::docker {
namespace {

using testing::HttpReply;
using testing::UnixHttpServer;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kFixtures = "hardening/authored-docker-engine";
constexpr const char* kImage =
    "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bw-engine-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  [[nodiscard]] std::string socket(std::string_view name = "docker.sock") const {
    return path_ + "/" + std::string(name);
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string endpointOf(const std::string& socket) { return "unix://" + socket; }

std::unique_ptr<EngineClient> clientFor(const std::string& socket,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                        std::size_t max_body = kEngineBodyCap) {
  EngineClient::Options options;
  options.timeout = timeout;
  options.max_body = max_body;
  auto client = EngineClient::open(endpointOf(socket), options);
  EXPECT_TRUE(client.has_value());
  return client ? std::move(*client) : nullptr;
}

// The fake daemon: the three authored containers, one image, not a swarm manager.
class FakeDaemon {
 public:
  FakeDaemon() {
    for (const char* name :
         {"container-hardened", "container-privileged-hostns", "container-exposed-ports"}) {
      const auto file =
          testing::sharedTestdata() / kFixtures / (std::string(name) + ".inspect.json");
      const auto doc = nlohmann::json::parse(testing::readFile(file), nullptr, false);
      if (!doc.is_array() || doc.empty()) continue;
      const auto& inspect = doc[0];
      inspects_[inspect["Id"].get<std::string>()] = inspect;
      summaries_.push_back({{"Id", inspect["Id"]},
                            {"Names", {inspect["Name"]}},
                            {"State", inspect["State"]["Status"]},
                            {"Labels", nlohmann::json::object()}});
    }
  }

  HttpReply operator()(const std::string& path) const {
    const auto json = [](const nlohmann::json& doc) { return HttpReply{200, doc.dump()}; };
    if (path == "/version") return json({{"Version", "20.10.24"}, {"ApiVersion", "1.41"}});
    if (path == "/info") {
      return json({{"ID", "X"},
                   {"DockerRootDir", "/var/lib/docker"},
                   {"Swarm", {{"LocalNodeState", "inactive"}, {"ControlAvailable", false}}}});
    }
    if (path == "/containers/json?all=1") return json(summaries_);
    for (const auto& [id, inspect] : inspects_) {
      if (path == "/containers/" + id + "/json") return json(inspect);
      if (path.starts_with("/containers/" + id + "/top")) {
        using Array = nlohmann::json::array_t;
        return json({{"Titles", Array{"PID", "COMMAND"}},
                     {"Processes", Array{Array{"4242", "server"}, Array{"4243", "helper"},
                                         Array{"4244", "server"}}}});
      }
    }
    if (path == "/images/json") {
      return json({{{"Id", kImage}, {"RepoTags", {"web:1", "<none>:<none>", "app:2"}}}});
    }
    if (path == std::string("/images/") + kImage + "/json") {
      return json({{"Id", kImage}, {"Config", {{"User", "app"}}}});
    }
    if (path == std::string("/images/") + kImage + "/history") {
      return json({{{"CreatedBy", "/bin/sh -c #(nop) USER app"}}});
    }
    if (path == "/networks" || path == "/plugins") return json(nlohmann::json::array());
    if (path == "/swarm") return {503, R"({"message":"This node is not a swarm manager."})"};
    return {404, R"({"message":"page not found"})"};
  }

  [[nodiscard]] const std::map<std::string, nlohmann::json>& inspects() const { return inspects_; }

 private:
  std::map<std::string, nlohmann::json> inspects_;
  nlohmann::json summaries_ = nlohmann::json::array();
};

TEST(EngineClient, RefusesEndpointsItCannotUse) {
  for (const char* endpoint : {"tcp://10.0.0.1:2376", "https://docker:2376", "ssh://host",
                               "unix://relative.sock", "npipe:////./pipe/docker_engine"}) {
    auto client = EngineClient::open(endpoint, {});
    ASSERT_FALSE(client.has_value()) << endpoint;
    EXPECT_EQ(client.error().code, core::ErrorCode::Usage);
  }
  auto tcp = EngineClient::open("tcp://10.0.0.1:2376", {});
  EXPECT_NE(tcp.error().message.find("not supported"), std::string::npos) << tcp.error().message;
  EXPECT_EQ(*unixSocketPath(""), "/var/run/docker.sock");
  EXPECT_EQ(*unixSocketPath("unix:///run/user/1000/docker.sock"), "/run/user/1000/docker.sock");

  CollectOptions options;
  options.endpoint = "tcp://127.0.0.1:2375";
  EXPECT_FALSE(collectDocker(options).has_value());
}

TEST(EngineClient, ServesTheAuthoredContainersOverOneConnection) {
  BULWARK_REQUIRE_SHARED(std::string(kFixtures) + "/container-hardened.inspect.json");
  TempDir dir;
  FakeDaemon daemon;
  ASSERT_EQ(daemon.inspects().size(), 3U);
  UnixHttpServer server(dir.socket(), [&](const std::string& path) { return daemon(path); });
  ASSERT_TRUE(server.ok());
  auto client = clientFor(dir.socket());
  ASSERT_NE(client, nullptr);

  Snapshot snapshot;
  core::Diagnostics diagnostics;
  CollectOptions options;
  options.endpoint = endpointOf(dir.socket());
  collect::collectEngine(*client, options, std::nullopt, snapshot, diagnostics);
  const auto& engine = snapshot.engine;
  EXPECT_EQ(engine.state.status, FactStatus::Ok);
  ASSERT_TRUE(engine.version.state.ok());
  EXPECT_EQ(engine.version.doc["ApiVersion"], "1.41");
  EXPECT_TRUE(engine.info.state.ok());
  ASSERT_EQ(engine.containers_state.status, FactStatus::Ok);
  ASSERT_EQ(engine.containers.size(), 3U);
  // Sorted by name; the inspect documents are the fixtures' as served.
  EXPECT_EQ(engine.containers[0].name, "legacy-ssh");
  EXPECT_EQ(engine.containers[1].name, "ops-debug");
  EXPECT_EQ(engine.containers[2].name, "web-hardened");
  for (const auto& container : engine.containers) {
    ASSERT_TRUE(container.inspect.state.ok()) << container.name;
    EXPECT_EQ(container.inspect.doc, daemon.inspects().at(container.id)) << container.name;
    EXPECT_EQ(container.inspect.state.source, "GET /containers/" + container.id + "/json");
    EXPECT_TRUE(container.summary.state.ok());
    EXPECT_EQ(container.execs_state.status, FactStatus::Ok);  // ExecIDs null
    EXPECT_TRUE(container.execs.empty());
  }
  ASSERT_EQ(engine.images.size(), 1U);
  EXPECT_EQ(engine.images[0].id, kImage);
  EXPECT_EQ(engine.images[0].tags, (std::vector<std::string>{"app:2", "web:1"}));
  EXPECT_TRUE(engine.images[0].inspect.state.ok());
  EXPECT_EQ(engine.images[0].inspect.doc["Config"]["User"], "app");
  ASSERT_TRUE(engine.images[0].history.state.ok());
  EXPECT_TRUE(engine.images[0].history.doc.is_array());
  EXPECT_TRUE(engine.networks.state.ok());
  EXPECT_TRUE(engine.plugins.state.ok());
  EXPECT_EQ(engine.swarm.state.status, FactStatus::Missing);
  EXPECT_NE(engine.swarm.state.detail.find("503"), std::string::npos);
  EXPECT_EQ(engine.nodes.state.status, FactStatus::Missing);  // not asked: not a manager

  const auto paths = server.paths();
  EXPECT_EQ(std::count(paths.begin(), paths.end(), "/nodes"), 0);
  EXPECT_EQ(paths.front(), "/version");
  EXPECT_EQ(server.connections(), 1) << "one keep-alive connection for every request";
  EXPECT_EQ(client->requests(), paths.size());

  // Processes: the /proc of this test is not the fake daemon's, so /top answers.
  collect::collectProcesses(*client, options, snapshot);
  for (const auto& container : snapshot.engine.containers) {
    EXPECT_EQ(container.processes_state.status, FactStatus::Ok) << container.name;
    EXPECT_EQ(container.processes, (std::vector<std::string>{"helper", "server"}));
  }
  options.processes = false;
  collect::collectProcesses(*client, options, snapshot);
  EXPECT_EQ(snapshot.engine.containers[0].processes_state.status, FactStatus::NotCollected);
}

TEST(EngineClient, FiltersAndSkipsItsOwnContainer) {
  BULWARK_REQUIRE_SHARED(std::string(kFixtures) + "/container-hardened.inspect.json");
  TempDir dir;
  FakeDaemon daemon;
  UnixHttpServer server(dir.socket(), [&](const std::string& path) { return daemon(path); });
  auto client = clientFor(dir.socket());
  ASSERT_NE(client, nullptr);
  CollectOptions options;
  options.exclude = {"legacy-*"};
  Snapshot snapshot;
  core::Diagnostics diagnostics;
  const std::string self(64, 'd');  // ops-debug
  collect::collectEngine(*client, options, self, snapshot, diagnostics);
  ASSERT_EQ(snapshot.engine.containers.size(), 1U);
  EXPECT_EQ(snapshot.engine.containers[0].name, "web-hardened");
  const auto found = diagnostics.sorted();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].kind, "docker.self-excluded");
  EXPECT_EQ(found[0].where, "ops-debug");
}

TEST(EngineClient, ExecsNodesAndUnusableLists) {
  TempDir dir;
  const std::string id(64, 'a');
  const std::string exec_live(64, 'e');
  const std::string exec_gone(64, 'f');
  std::atomic<bool> bad_list{false};
  UnixHttpServer server(dir.socket(), [&](const std::string& path) -> HttpReply {
    const auto json = [](const nlohmann::json& doc) { return HttpReply{200, doc.dump()}; };
    if (path == "/version") return json({{"ApiVersion", "1.41"}});
    if (path == "/info") return json({{"Swarm", {{"ControlAvailable", true}}}});
    if (path == "/containers/json?all=1") {
      if (bad_list) return json({{"not", "an array"}});
      return json(nlohmann::json::array(
          {{{"Id", id}, {"Names", {"/web"}}}, {{"Id", "../../etc"}, {"Names", {"/evil"}}}}));
    }
    if (path == "/containers/" + id + "/json") {
      return json(
          {{"Id", id}, {"ExecIDs", nlohmann::json::array({exec_live, exec_gone, "../x", 7})}});
    }
    if (path == "/exec/" + exec_live + "/json") {
      return json({{"ID", exec_live}, {"ProcessConfig", {{"privileged", true}}}});
    }
    if (path == "/images/json") return json(nlohmann::json::array());
    if (path == "/nodes") return json(nlohmann::json::array({{{"ID", "n1"}}}));
    if (path == "/networks" || path == "/plugins") return json(nlohmann::json::array());
    if (path == "/swarm") return json({{"ID", "s"}});
    return {404, R"({"message":"not found"})"};
  });
  auto client = clientFor(dir.socket());
  ASSERT_NE(client, nullptr);
  Snapshot snapshot;
  core::Diagnostics diagnostics;
  collect::collectEngine(*client, {}, std::nullopt, snapshot, diagnostics);
  ASSERT_EQ(snapshot.engine.containers.size(), 1U);
  const Container& web = snapshot.engine.containers[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.execs_state.status, FactStatus::Ok);
  ASSERT_EQ(web.execs.size(), 1U);  // the ended exec (404) and the unusable ids are skipped
  EXPECT_EQ(web.execs[0]["ProcessConfig"]["privileged"], true);
  const auto found = diagnostics.sorted();
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].kind, "docker.malformed-container");
  ASSERT_TRUE(snapshot.engine.nodes.state.ok()) << "a manager: /nodes is read";
  EXPECT_EQ(snapshot.engine.nodes.doc.size(), 1U);
  EXPECT_TRUE(snapshot.engine.swarm.state.ok());
  EXPECT_EQ(snapshot.engine.images_state.status, FactStatus::Ok);
  for (const auto& path : server.paths()) EXPECT_EQ(path.find(".."), std::string::npos) << path;

  bad_list = true;
  Snapshot again;
  collect::collectEngine(*client, {}, std::nullopt, again, diagnostics);
  EXPECT_EQ(again.engine.containers_state.status, FactStatus::Malformed);
  EXPECT_TRUE(again.engine.containers.empty());
}

TEST(EngineClient, MapsHttpStatusesToFactStates) {
  TempDir dir;
  UnixHttpServer server(dir.socket(), [](const std::string& path) -> HttpReply {
    if (path == "/e500") return {500, R"({"message":"boom"})"};
    if (path == "/e404") return {404, R"({"message":"No such container: x"})"};
    if (path == "/e403") return {403, R"({"message":"authorization denied by plugin"})"};
    if (path == "/e503") return {503, R"({"message":"unavailable"})"};
    if (path == "/badjson") return {200, "{\"Id\": "};
    if (path == "/deep") return {200, std::string(100000, '[') + std::string(100000, ']')};
    return {200, R"({"ok":true})"};
  });
  auto client = clientFor(dir.socket());
  ASSERT_NE(client, nullptr);
  const DocFact e500 = client->get("/e500");
  EXPECT_EQ(e500.state.status, FactStatus::Malformed);
  EXPECT_EQ(e500.state.detail, "HTTP 500: boom");
  EXPECT_TRUE(e500.doc.is_null());
  EXPECT_EQ(client->get("/e404").state.status, FactStatus::Missing);
  EXPECT_EQ(client->get("/e403").state.status, FactStatus::PermissionDenied);
  EXPECT_EQ(client->get("/e503").state.status, FactStatus::Malformed);  // not /swarm: no excuse
  EXPECT_EQ(client->get("/badjson").state.status, FactStatus::Malformed);
  EXPECT_EQ(client->get("/deep").state.status, FactStatus::Malformed);
  const DocFact fine = client->get("/fine");
  ASSERT_TRUE(fine.state.ok());
  EXPECT_EQ(fine.doc["ok"], true);
  EXPECT_EQ(server.connections(), 1);
}

TEST(EngineClient, OversizedBodiesAreMalformed) {
  TempDir dir;
  constexpr std::size_t kEighty = 80u << 20;
  UnixHttpServer server(dir.socket(), [&](const std::string& path) -> HttpReply {
    if (path == "/announced") return {200, "", HttpReply::Mode::HugeWithLength, kEighty};
    if (path == "/streamed") return {200, "", HttpReply::Mode::HugeUntilClose, kEighty};
    return {200, "[]"};
  });
  auto client = clientFor(dir.socket());
  ASSERT_NE(client, nullptr);
  const DocFact announced = client->get("/announced");
  EXPECT_EQ(announced.state.status, FactStatus::Malformed);
  EXPECT_NE(announced.state.detail.find("exceeds"), std::string::npos) << announced.state.detail;
  const DocFact streamed = client->get("/streamed");  // no Content-Length: the cap counts
  EXPECT_EQ(streamed.state.status, FactStatus::Malformed);
  EXPECT_NE(streamed.state.detail.find("exceeds"), std::string::npos) << streamed.state.detail;
  EXPECT_TRUE(client->get("/after").state.ok()) << "the client recovers on a new connection";
}

TEST(EngineClient, ASilentDaemonTimesOutWithinTheTimeout) {
  TempDir dir;
  UnixHttpServer server(dir.socket(), [](const std::string&) {
    return HttpReply{200, "", HttpReply::Mode::Hang};
  });
  auto client = clientFor(dir.socket(), std::chrono::milliseconds(300));
  ASSERT_NE(client, nullptr);
  const auto start = Clock::now();
  const DocFact version = client->get("/version");
  const auto first = Clock::now() - start;
  EXPECT_EQ(version.state.status, FactStatus::Timeout);
  EXPECT_GE(first, std::chrono::milliseconds(250));
  EXPECT_LT(first, std::chrono::milliseconds(1500));

  // The whole engine collection costs that one timeout, not one per request.
  Snapshot snapshot;
  core::Diagnostics diagnostics;
  const auto again = Clock::now();
  collect::collectEngine(*client, {}, std::nullopt, snapshot, diagnostics);
  EXPECT_LT(Clock::now() - again, std::chrono::milliseconds(100));
  EXPECT_EQ(snapshot.engine.state.status, FactStatus::Timeout);
  EXPECT_EQ(snapshot.engine.info.state.status, FactStatus::Timeout);
  EXPECT_EQ(snapshot.engine.containers_state.status, FactStatus::Timeout);
  EXPECT_EQ(snapshot.engine.images_state.status, FactStatus::Timeout);
  EXPECT_EQ(snapshot.engine.nodes.state.status, FactStatus::Timeout);
  EXPECT_EQ(client->requests(), 1U);
}

TEST(EngineClient, AnAbsentSocketIsUnreachable) {
  TempDir dir;
  auto client = clientFor(dir.socket("absent.sock"));
  ASSERT_NE(client, nullptr);
  const DocFact version = client->get("/version");
  EXPECT_EQ(version.state.status, FactStatus::Unreachable);
  EXPECT_NE(version.state.detail.find("absent.sock"), std::string::npos) << version.state.detail;

  // A full collection survives it: the engine is unreachable, the host facts are still read.
  CollectOptions options;
  options.endpoint = endpointOf(dir.socket("absent.sock"));
  options.host_root = dir.path();
  options.timeout = std::chrono::milliseconds(300);
  auto snapshot = collectDocker(options);
  ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
  EXPECT_EQ(snapshot->engine.state.status, FactStatus::Unreachable);
  EXPECT_EQ(snapshot->engine.containers_state.status, FactStatus::Unreachable);
  EXPECT_EQ(snapshot->host.dockerd.state.status, FactStatus::Missing);
  EXPECT_EQ(snapshot->host.daemon_json.state.status, FactStatus::Missing);
  EXPECT_EQ(snapshot->host.audit.state.status, FactStatus::Missing);
  EXPECT_EQ(snapshot->host.docker_group.state.status, FactStatus::Missing);
  EXPECT_EQ(snapshot->host.mountinfo.state.status, FactStatus::Missing);
  EXPECT_TRUE(snapshot->host.environment.contains("DOCKER_CONTENT_TRUST"));
  EXPECT_EQ(snapshot->host.files.at("/etc/docker").state.status, FactStatus::Missing);
  EXPECT_EQ(snapshot->host.paths.at("docker-socket"),
            std::vector<std::string>{"/var/run/docker.sock"});

  // This machine's own /proc: the mount table and the listening sockets are always readable.
  options.host_root = "/";
  auto live = collectDocker(options);
  ASSERT_TRUE(live.has_value()) << live.error().message;
  EXPECT_EQ(live->host.mountinfo.state.status, FactStatus::Ok);
  EXPECT_FALSE(live->host.mountinfo.mounts.empty());
  EXPECT_EQ(live->host.listening.state.status, FactStatus::Ok);
  EXPECT_NE(live->host.audit.state.status, FactStatus::NotCollected);
  EXPECT_EQ(live->host.files.at("/etc/docker").path, "/etc/docker");
}

TEST(EngineClient, CollectsAFullSnapshotFromTheFakeDaemon) {
  BULWARK_REQUIRE_SHARED(std::string(kFixtures) + "/container-hardened.inspect.json");
  TempDir dir;
  FakeDaemon daemon;
  UnixHttpServer server(dir.socket(), [&](const std::string& path) { return daemon(path); });
  CollectOptions options;
  options.endpoint = endpointOf(dir.socket());
  options.host_root = dir.path();
  options.running_only = true;
  options.tool_version = "0.6.0-test";
  auto snapshot = collectDocker(options);
  ASSERT_TRUE(snapshot.has_value()) << snapshot.error().message;
  EXPECT_EQ(snapshot->collector_version, "0.6.0-test");
  EXPECT_EQ(snapshot->host.root, dir.path());
  EXPECT_EQ(snapshot->engine.endpoint, options.endpoint);
  EXPECT_EQ(snapshot->engine.containers.size(), 3U);
  EXPECT_EQ(snapshot->host.paths.at("data-root"), std::vector<std::string>{"/var/lib/docker"});
  // The snapshot writes; the same facts write the same bytes.
  EXPECT_FALSE(writeSnapshot(*snapshot).empty());
}

}  // namespace
}  // namespace bulwark::checks::docker
