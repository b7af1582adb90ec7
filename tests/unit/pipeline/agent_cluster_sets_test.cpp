// The agent's cluster address sets (src/pipeline/agent/cluster_sets.h) against a stand-in for
// the Kubernetes API on a loopback port (cpp-httplib), answering with objects shaped as the API
// server's: the kubernetes Service and Endpoints, and the dashboard's by label selector.
#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "events/host/host_event.h"
#include "pipeline/agent/cluster_sets.h"
#include "pipeline/detect.h"
#include "support/http_stub.h"
#include "support/process.h"

namespace bulwark::pipeline::agent {
namespace {

namespace collect = checks::k8s::collect;
using testing::TempDir;

constexpr const char* kKubernetesService =
    R"({"kind":"Service","apiVersion":"v1","metadata":{"name":"kubernetes","namespace":"default"},
        "spec":{"clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1"],"type":"ClusterIP",
        "ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":6443}]}})";
constexpr const char* kKubernetesEndpoints =
    R"({"kind":"Endpoints","apiVersion":"v1","metadata":{"name":"kubernetes","namespace":"default"},
        "subsets":[{"addresses":[{"ip":"172.18.0.2"},{"ip":"172.18.0.3"}],
        "ports":[{"name":"https","port":6443,"protocol":"TCP"}]}]})";
// The dashboard of its recommended manifest (k8s-app) and a headless service with the label.
constexpr const char* kDashboardServices =
    R"({"kind":"ServiceList","apiVersion":"v1","metadata":{},"items":[
        {"metadata":{"name":"kubernetes-dashboard","namespace":"kubernetes-dashboard",
         "labels":{"k8s-app":"kubernetes-dashboard"}},"spec":{"clusterIP":"10.96.12.7"}},
        {"metadata":{"name":"dashboard-headless","namespace":"kubernetes-dashboard",
         "labels":{"k8s-app":"kubernetes-dashboard"}},"spec":{"clusterIP":"None"}}]})";
constexpr const char* kDashboardEndpoints =
    R"({"kind":"EndpointsList","apiVersion":"v1","metadata":{},"items":[
        {"metadata":{"name":"kubernetes-dashboard","namespace":"kubernetes-dashboard"},
         "subsets":[{"addresses":[{"ip":"10.244.1.9","targetRef":{"kind":"Pod"}}]}]}]})";
constexpr const char* kEmptyList = R"({"kind":"List","apiVersion":"v1","items":[]})";

// Answers as the API server; `status` other than 200 answers every request with it.
class FakeApi {
 public:
  FakeApi() {
    stub_.server().Get(R"(/api/v1/.*)",
                       [this](const httplib::Request& req, httplib::Response& res) {
                         stub_.record(req);
                         answer(req, res);
                       });
    stub_.start();
  }
  collect::ClientConfig config() const {
    collect::ClientConfig config;
    config.server = stub_.url("");
    config.token = "sa-token";
    config.auth_kind = "token";
    return config;
  }
  void setStatus(int status) {
    std::lock_guard lock(mutex_);
    status_ = status;
  }
  void setDashboard(bool present) {
    std::lock_guard lock(mutex_);
    dashboard_ = present;
  }
  int requests() { return stub_.requests(); }
  std::string authorization() { return stub_.lastHeader("Authorization"); }

 private:
  void answer(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    if (status_ != 200) {
      res.status = status_;
      res.set_content(R"({"kind":"Status","status":"Failure","message":"forbidden: no"})",
                      "application/json");
      return;
    }
    const std::string selector = req.get_param_value("labelSelector");
    std::string body = kEmptyList;
    if (req.path == "/api/v1/namespaces/default/services/kubernetes") {
      body = kKubernetesService;
    } else if (req.path == "/api/v1/namespaces/default/endpoints/kubernetes") {
      body = kKubernetesEndpoints;
    } else if (req.path == "/api/v1/services" && selector == "k8s-app=kubernetes-dashboard") {
      body = dashboard_ ? kDashboardServices : kEmptyList;
    } else if (req.path == "/api/v1/endpoints" && selector == "k8s-app=kubernetes-dashboard") {
      body = dashboard_ ? kDashboardEndpoints : kEmptyList;
    } else if (req.path != "/api/v1/services" && req.path != "/api/v1/endpoints") {
      res.status = 404;
    }
    res.set_content(body, "application/json");
  }

  testing::HttpStub stub_;
  std::mutex mutex_;
  int status_ = 200;
  bool dashboard_ = true;
};

TEST(ClusterAddresses, TheApiServerAndTheDashboardFromTheirServicesAndEndpoints) {
  FakeApi api;
  auto client = collect::ApiClient::open(api.config(), {});
  ASSERT_TRUE(client) << client.error().message;
  auto addresses = fetchClusterAddresses(**client);
  ASSERT_TRUE(addresses) << addresses.error().message;
  EXPECT_EQ(addresses->api, (std::vector<std::string>{"10.96.0.1", "172.18.0.2", "172.18.0.3"}));
  EXPECT_EQ(addresses->dashboard, (std::vector<std::string>{"10.244.1.9", "10.96.12.7"}));
  EXPECT_EQ(api.authorization(), "Bearer sa-token");
  EXPECT_EQ(api.requests(), 2 + 2 * 3);  // kubernetes svc + ep; svc + ep per selector

  api.setStatus(403);
  auto refused = fetchClusterAddresses(**client);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("HTTP 403: forbidden: no"), std::string::npos)
      << refused.error().message;
}

// The built-in rules with the two sets, and one connect event from a container to `address`.
std::vector<std::string> fired(const LoadedRules& loaded, const std::string& address) {
  auto process = std::make_shared<events::host::Process>();
  process->pid = 4230;
  process->name = "curl";
  auto container = std::make_shared<events::host::Container>();
  container->id = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
  container->image = "docker.io/library/python:3.12-slim";
  events::host::HostEvent host;
  host.type = "connect";
  host.process = process;
  host.container = container;
  host.fd.type = events::host::Fd::Type::Ipv4;
  host.fd.cip = "10.244.1.17";
  host.fd.cport = 41230;
  host.fd.sip = address;
  host.fd.sport = 443;
  events::Event event;
  event.source = events::Source::Syscall;
  event.num = 1;
  event.payload = &host;
  rules::EvalContext context;
  std::vector<std::string> out;
  loaded.ruleset.match(event, context, false,
                       [&](const rules::Rule& rule) { out.push_back(rule.item->id); });
  return out;
}

TEST(ClusterAddresses, TheRefresherFillsTheBuiltInSetsAndKeepsThemWhenAReadFails) {
  FakeApi api;
  const auto loaded = loadRules({"builtin"}, rules::Priority::Debug);
  ASSERT_TRUE(loaded->result.ok());
  EXPECT_TRUE(fired(*loaded, "10.96.0.1").empty());  // the sets ship empty
  std::mutex mutex;
  std::vector<std::string> messages;
  auto refresher = ClusterSetsRefresher::start(
      [&]() -> core::Result<collect::ClientConfig> { return api.config(); },
      loaded->ruleset.intel(), std::chrono::milliseconds(50),
      [&](const std::string& message) {
        std::lock_guard lock(mutex);
        messages.push_back(message);
      });
  ASSERT_TRUE(refresher) << refresher.error().message;
  ASSERT_TRUE((*refresher)->waitForFirst(std::chrono::seconds(20)));
  EXPECT_EQ(fired(*loaded, "10.96.0.1"), std::vector<std::string>{"BW-RT-230"});
  EXPECT_EQ(fired(*loaded, "172.18.0.3"), std::vector<std::string>{"BW-RT-230"});
  EXPECT_EQ(fired(*loaded, "10.96.12.7"), std::vector<std::string>{"BW-RT-231"});
  EXPECT_TRUE(fired(*loaded, "10.96.0.2").empty());
  {
    std::lock_guard lock(mutex);
    ASSERT_FALSE(messages.empty());
    EXPECT_EQ(messages[0],
              "cluster addresses: API server 10.96.0.1, 172.18.0.2, 172.18.0.3; dashboard "
              "10.244.1.9, 10.96.12.7");
  }
  // The dashboard goes away: the next refresh empties its set.
  api.setDashboard(false);
  for (int i = 0; i < 400 && !fired(*loaded, "10.96.12.7").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(fired(*loaded, "10.96.12.7").empty());
  // The API server refuses: the last addresses stay, the failure is reported.
  api.setStatus(403);
  const int before = api.requests();
  for (int i = 0; i < 400 && api.requests() < before + 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(fired(*loaded, "10.96.0.1"), std::vector<std::string>{"BW-RT-230"});
  refresher->reset();
  std::lock_guard lock(mutex);
  EXPECT_NE(messages.back().find("the last addresses stay in force"), std::string::npos)
      << messages.back();
}

TEST(ClusterAddresses, InClusterConfigComesFromTheServiceAccount) {
  TempDir dir;
  std::ofstream(dir.path() / "token") << "sa-token\n";
  std::ofstream(dir.path() / "ca.crt") << "-----BEGIN CERTIFICATE-----\n";
  ::setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto config = inClusterConfig(dir.path().string());
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->token, "sa-token");
  EXPECT_EQ(config->ca_pem, "-----BEGIN CERTIFICATE-----\n");
  ::setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  EXPECT_EQ(inClusterConfig(dir.path().string())->server, "https://[fd00::1]:443");
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  ::unsetenv("KUBERNETES_SERVICE_PORT");
  auto outside = inClusterConfig(dir.path().string());
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().code, core::ErrorCode::NotFound);
}

}  // namespace
}  // namespace bulwark::pipeline::agent
