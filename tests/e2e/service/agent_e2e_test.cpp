// `bulwark agent` against a real `bulwark serve` (the service harness: loopback ports, temp
// dirs): alerts wait in the spool while the server cannot be reached and are delivered on the
// next start; resends are duplicates the server drops; a running agent delivers as events come
// and serves its metrics. Every process is stopped at the end of its test.
#include <atomic>
#include <fstream>
#include <thread>

#include "e2e/service/service_harness.h"

namespace bulwark::testing {
namespace {

// The number before `what` in the agent's summary line ("… 4 alert(s) delivered (4 new, …").
long long countBefore(const std::string& out, const std::string& what) {
  const auto at = out.find(what);
  if (at == std::string::npos || at == 0) return -1;
  const auto start = out.find_last_of(" (", at - 1);
  return std::stoll(out.substr(start + 1, at - start - 1));
}

class AgentE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_TOOLS();
    ASSERT_TRUE(service_.start());
    token_ = service_.dir() / "ingest.token";
    writeFile(token_, service_.ingest() + "\n");
    spool_ = service_.dir() / "spool";
  }

  std::string agent(const std::string& server, const std::string& rest) const {
    return shellQuote(bulwarkBin()) + " agent --server " + server + " --token-file " +
           shellQuote(token_.string()) + " --spool-dir " + shellQuote(spool_.string()) +
           " --state-dir " + shellQuote((service_.dir() / "state").string()) +
           " --batch-wait 100ms " + rest + " 2>&1";
  }

  std::string server() const { return "http://127.0.0.1:" + service_.servicePort(); }

  // The argv of an agent that runs until stopped, delivering to the service, with `rest`.
  std::vector<std::string> liveAgent(const std::vector<std::string>& rest) const {
    std::vector<std::string> argv = {bulwarkBin(),   "agent",
                                     "--server",     server(),
                                     "--token-file", token_.string(),
                                     "--spool-dir",  spool_.string(),
                                     "--state-dir",  (service_.dir() / "state").string()};
    argv.insert(argv.end(), rest.begin(), rest.end());
    return argv;
  }

  Json stored(const std::string& query = "") {
    const auto res =
        service_.get("/api/v1/alerts?limit=1000&since=3650d" + query, service_.admin());
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
    return res && res->status == 200 ? Json::parse(res->body) : Json::object();
  }

  Service service_;
  fs::path token_;
  fs::path spool_;
};

TEST_F(AgentE2E, AlertsWaitInTheSpoolUntilTheServerIsBack) {
  const fs::path fixtures = sourceDir() / "tests/fixtures/runtime/sinks";
  const std::string replay = "-r " + shellQuote((fixtures / "rules.yaml").string()) +
                             " -s events:" + shellQuote((fixtures / "events.jsonl").string());
  // Nobody listens on this port: the four alerts stay in the spool.
  const std::string nowhere = "http://127.0.0.1:" + std::to_string(freePort());
  std::string out;
  ASSERT_TRUE(runCommand(agent(nowhere, replay), &out)) << out;
  EXPECT_EQ(countBefore(out, " alert(s) delivered"), 0) << out;
  EXPECT_GT(countBefore(out, " byte(s) left in the spool"), 0) << out;
  EXPECT_NE(out.find("last delivery error: POST " + nowhere), std::string::npos) << out;
  EXPECT_EQ(stored()["alerts"].size(), 0U);

  // Next start, with the server there and nothing new to detect: the spool is delivered first.
  const fs::path empty = service_.dir() / "empty.jsonl";
  writeFile(empty, "");
  ASSERT_TRUE(runCommand(agent(server(), "-r " + shellQuote((fixtures / "rules.yaml").string()) +
                                             " -s events:" + shellQuote(empty.string())),
                         &out))
      << out;
  EXPECT_NE(out.find("byte(s) of alerts from before are sent first"), std::string::npos) << out;
  EXPECT_EQ(countBefore(out, " new, "), 4) << out;
  EXPECT_EQ(countBefore(out, " byte(s) left in the spool"), 0) << out;
  Json page = stored();
  ASSERT_EQ(page["alerts"].size(), 4U) << page.dump(2);
  // The server knows which agent sent them: the ingest token's name.
  EXPECT_EQ(page["alerts"][0]["agent"], "registry") << page.dump(2);
  EXPECT_EQ(stored("&rule=Read%20of%20shadow")["alerts"].size(), 1U);

  // The same events again: the same alert ids, duplicates the server drops.
  ASSERT_TRUE(runCommand(agent(server(), replay), &out)) << out;
  EXPECT_EQ(countBefore(out, " new, "), 0) << out;
  EXPECT_EQ(countBefore(out, " duplicate)"), 4) << out;
  EXPECT_EQ(stored()["alerts"].size(), 4U);
}

// Over http:// the token travels in clear: only to loopback unless --plain-http says so.
TEST_F(AgentE2E, PlainHttpToAnotherHostIsRefused) {
  const std::string empty = (service_.dir() / "none.jsonl").string();
  writeFile(empty, "");
  std::string out;
  EXPECT_FALSE(runCommand(agent("http://192.0.2.1:8443", "-s events:" + shellQuote(empty)), &out));
  EXPECT_NE(out.find("--server: http:// sends the ingest token and the alerts unencrypted"),
            std::string::npos)
      << out;
  // A user part before the host: libcurl would connect to 192.0.2.1, not to localhost.
  EXPECT_FALSE(runCommand(
      agent("http://localhost:1@192.0.2.1:8443", "-s events:" + shellQuote(empty)), &out));
  EXPECT_NE(out.find("--server: http:// sends the ingest token"), std::string::npos) << out;
  EXPECT_FALSE(runCommand(agent("ftp://127.0.0.1", "-s events:" + shellQuote(empty)), &out));
  EXPECT_NE(out.find("expected http(s)://HOST[:PORT]"), std::string::npos) << out;
}

TEST_F(AgentE2E, RunningAgentDeliversAsEventsComeAndServesMetrics) {
  // A live source: the Kubernetes audit webhook (loopback, so no token), the built-in rules.
  const int webhook = freePort();
  const int metrics = freePort();
  const std::vector<std::string> argv = liveAgent(
      {"--batch-wait", "100ms", "--metrics-listen", "127.0.0.1:" + std::to_string(metrics), "-s",
       "k8s-audit-webhook:127.0.0.1:" + std::to_string(webhook)});
  ChildProcess agent(argv, service_.dir() / "agent.log");
  ASSERT_TRUE(agent.waitForPort(webhook)) << readFile(service_.dir() / "agent.log");
  ASSERT_TRUE(agent.waitForPort(metrics)) << readFile(service_.dir() / "agent.log");

  // The built-in simulation of BW-RT-101 (a ConfigMap whose pg_hba.conf trusts everybody, then
  // a LoadBalancer in front of it), as the API server's webhook sends it: one EventList.
  std::ifstream in(sourceDir() / "data/rules/simulate/BW-RT-101.jsonl");
  Json list = {{"kind", "EventList"}, {"apiVersion", "audit.k8s.io/v1"}, {"items", Json::array()}};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] == '{') list["items"].push_back(Json::parse(line));
  }
  ASSERT_EQ(list["items"].size(), 2U);
  httplib::Client webhook_client("127.0.0.1", webhook);
  const auto posted = webhook_client.Post("/k8s-audit", list.dump(), "application/json");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 200) << posted->body;

  // Delivered within the batch wait (polled; no timed assertion).
  Json page = Json::object();
  for (int i = 0; i < 400 && page.value("alerts", Json::array()).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    page = stored();
  }
  ASSERT_EQ(page["alerts"].size(), 1U) << readFile(service_.dir() / "agent.log");
  EXPECT_EQ(page["alerts"][0]["rule_id"], "BW-RT-101");
  EXPECT_EQ(page["alerts"][0]["simulated"], false);

  httplib::Client metrics_client("127.0.0.1", metrics);
  std::string text;
  for (int i = 0; i < 200; ++i) {
    const auto res = metrics_client.Get("/metrics");
    ASSERT_TRUE(res);
    text = res->body;
    if (text.find("bulwark_agent_alerts_delivered_total{result=\"accepted\"} 1") !=
        std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(text.find("bulwark_agent_alerts_total 1"), std::string::npos) << text;
  EXPECT_NE(text.find("bulwark_agent_alerts_delivered_total{result=\"accepted\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("bulwark_agent_server_reachable 1"), std::string::npos) << text;
  EXPECT_NE(text.find("bulwark_agent_spool_bytes 0"), std::string::npos) << text;
  EXPECT_NE(text.find("process_cpu_seconds_total"), std::string::npos) << text;
  const auto health = metrics_client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  // SIGTERM: the agent drains and exits cleanly.
  const int status = agent.stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << status << "\n"
      << readFile(service_.dir() / "agent.log");
  const std::string log = readFile(service_.dir() / "agent.log");
  EXPECT_NE(log.find("1 alert(s) delivered (1 new, 0 duplicate)"), std::string::npos) << log;
}

// `agent --bench docker`: the agent collects its host's Docker snapshot at start (here a host
// whose daemon socket is absent: the snapshot says so) and posts it; serve's worker evaluates
// it into the host's posture, with the run's source naming the agent's token.
TEST_F(AgentE2E, BenchRunsOfTheHostArePostedAndEvaluated) {
  const int webhook = freePort();
  const fs::path host_root = service_.dir() / "host";
  writeFile(host_root / "etc/hostname", "agent-bench-host\n");
  const std::vector<std::string> argv =
      liveAgent({"--bench", "docker", "--bench-interval", "1h", "--host-root", host_root.string(),
                 "--docker-host", "unix://" + (service_.dir() / "no-docker.sock").string(), "-s",
                 "k8s-audit-webhook:127.0.0.1:" + std::to_string(webhook)});
  ChildProcess agent(argv, service_.dir() / "agent.log");
  ASSERT_TRUE(agent.waitForPort(webhook)) << readFile(service_.dir() / "agent.log");

  const auto total = [](const Json& page) {
    const Json::json_pointer at("/total");
    return page.contains(at) && page.at(at).is_number() ? page.at(at).get<int>() : -1;
  };
  Json hosts;
  for (int i = 0; i < 300 && total(hosts) != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto res = service_.get("/api/v1/posture/resources?type=host", service_.admin());
    if (res && res->status == 200) hosts = Json::parse(res->body);
  }
  ASSERT_EQ(total(hosts), 1) << hosts.dump(2) << readFile(service_.dir() / "agent.log");
  EXPECT_EQ(hosts["resources"][0]["key"], "host:agent-bench-host");
  const auto runs = service_.get("/api/v1/posture/runs?kind=docker", service_.admin());
  ASSERT_TRUE(runs && runs->status == 200);
  const Json page = Json::parse(runs->body);
  ASSERT_EQ(page["runs"].size(), 1U) << page.dump(2);
  EXPECT_EQ(page["runs"][0]["status"], "done") << page.dump(2);
  EXPECT_EQ(page["runs"][0]["target"], "host:agent-bench-host");

  const int status = agent.stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  const std::string log = readFile(service_.dir() / "agent.log");
  EXPECT_NE(log.find("docker bench: snapshot of host:agent-bench-host posted"), std::string::npos)
      << log;
}

// The cluster's addresses from the API server (a stand-in on loopback, through --kubeconfig):
// the agent fills bw_k8s_api_ips before the first event, and a container's connection to the
// API server raises BW-RT-230 on the server.
TEST_F(AgentE2E, TheApiServersAddressesComeFromTheClusterAndRaiseTheApiAlert) {
  httplib::Server api;
  std::atomic<int> requests{0};
  api.Get(R"(/api/v1/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    ++requests;
    if (req.get_header_value("Authorization") != "Bearer agent-sa-token") {
      res.status = 401;
      return;
    }
    if (req.path == "/api/v1/namespaces/default/services/kubernetes") {
      res.set_content(R"({"kind":"Service","spec":{"clusterIP":"198.51.100.1"}})",
                      "application/json");
    } else if (req.path == "/api/v1/services" || req.path == "/api/v1/endpoints") {
      res.set_content(R"({"kind":"List","items":[]})", "application/json");
    } else {
      res.status = 404;
    }
  });
  const int port = api.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { api.listen_after_bind(); });
  struct Stop {
    httplib::Server& server;
    std::thread& thread;
    ~Stop() {
      server.stop();
      thread.join();
    }
  } stop{api, serving};
  const fs::path kubeconfig = service_.dir() / "kubeconfig";
  writeFile(kubeconfig,
            "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n"
            "- name: k\n  cluster: {server: \"http://127.0.0.1:" +
                std::to_string(port) +
                "\"}\nusers:\n- name: u\n  user: {token: agent-sa-token}\n"
                "contexts:\n- name: c\n  context: {cluster: k, user: u}\n");
  const std::string events = (sourceDir() / "data/rules/simulate/BW-RT-230.jsonl").string();
  std::string out;
  ASSERT_TRUE(runCommand(agent(server(), "--kubeconfig " + shellQuote(kubeconfig.string()) +
                                             " -s events:" + shellQuote(events)),
                         &out))
      << out;
  EXPECT_NE(out.find("cluster addresses: API server 198.51.100.1; dashboard none"),
            std::string::npos)
      << out;
  EXPECT_EQ(countBefore(out, " new, "), 1) << out;
  const Json page = stored();
  ASSERT_EQ(page["alerts"].size(), 1U) << page.dump(2);
  EXPECT_EQ(page["alerts"][0]["rule_id"], "BW-RT-230");
  EXPECT_GE(requests.load(), 8);
}

}  // namespace
}  // namespace bulwark::testing
