// `bulwark serve` as the API server's audit webhook, end to end: the binary under test on a
// loopback port over a SQLite store in a temp dir, tokens made with `bulwark token create`,
// rules from `-r builtin -r FILE`, Falco's k8s audit test events (../shared/testdata/runtime) as
// the EventList kube-apiserver posts. The alerts are served by /api/v1/alerts, survive a
// restart, and the same batch after the restart is all duplicates; bad rules stop `serve` with
// exit 2. The server is stopped at the end of each test, also when an assertion fails.
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/process.h"
#include "testdata.h"

namespace bulwark::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kEventList = "runtime/derived/k8s_audit_eventlist_webhook_body.json";

std::string bulwarkBin() {
  const char* bin = std::getenv("BULWARK_BIN");
  return bin != nullptr ? bin : "build/bin/bulwark";
}

// A rule of ours beside the built-in ones: every request of the anonymous user.
constexpr const char* kRules = R"(- rule: E2E Anonymous Request
  desc: a request of system:anonymous
  condition: ka.user.name = "system:anonymous"
  output: anonymous request (user=%ka.user.name verb=%ka.verb uri=%ka.uri)
  priority: WARNING
  source: k8s_audit
  tags: [e2e]
)";

class Serve {
 public:
  Serve() {
    writeFile(dir_.path() / "rules.yaml", kRules);
    admin_ = token("e2e-admin", "admin");
    ingest_ = token("kube-apiserver", "ingest");
  }

  std::string token(const std::string& name, const std::string& role) {
    std::string out;
    EXPECT_TRUE(runCommand(shellQuote(bulwarkBin()) + " token create --name " + name + " --role " +
                               role + " --store " + shellQuote(store()) + " 2>/dev/null",
                           &out));
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out.substr(out.rfind('\n') + 1);
  }

  ::testing::AssertionResult start() {
    server_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{bulwarkBin(), "serve", "--store", store(), "--listen",
                                 "127.0.0.1:" + std::to_string(port_), "--workers", "0", "-r",
                                 "builtin", "-r", (dir_.path() / "rules.yaml").string()},
        dir_.path() / "serve.log");
    if (!server_->waitForPort(port_)) {
      return ::testing::AssertionFailure() << "bulwark serve did not start:\n"
                                           << readFile(dir_.path() / "serve.log");
    }
    return ::testing::AssertionSuccess();
  }
  int stop() { return server_ ? server_->stop() : -1; }

  httplib::Result post(const std::string& path, const std::string& body) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60);
    return client.Post(path, {{"Authorization", "Bearer " + ingest_}}, body, "application/json");
  }
  Json alerts(const std::string& query) {
    httplib::Client client("127.0.0.1", port_);
    auto res =
        client.Get("/api/v1/alerts?limit=1000&" + query, {{"Authorization", "Bearer " + admin_}});
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
    return res && res->status == 200 ? Json::parse(res->body)["alerts"] : Json::array();
  }

  [[nodiscard]] std::string store() const { return "sqlite:" + (dir_.path() / "b.db").string(); }
  [[nodiscard]] const fs::path& dir() const { return dir_.path(); }

 private:
  TempDir dir_{"bulwark-k8s-audit-e2e"};
  int port_ = freePort();
  std::string admin_, ingest_;
  std::unique_ptr<ChildProcess> server_;
};

TEST(K8sAuditServeE2E, AuditEventsBecomeStoredAlertsOnceAcrossARestart) {
  BULWARK_REQUIRE_SHARED(kEventList);
  const std::string body = readFile(sharedTestdata() / kEventList);
  Serve serve;
  ASSERT_TRUE(serve.start());

  auto posted = serve.post("/k8s-audit", body);
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 200) << posted->body;
  const Json summary = Json::parse(posted->body);
  EXPECT_EQ(summary["events"], 51);
  const auto accepted = summary["accepted"].get<std::size_t>();
  EXPECT_GE(accepted, 10U) << posted->body;

  const Json all = serve.alerts("since=3650d");
  EXPECT_EQ(all.size(), accepted);
  const Json ours = serve.alerts("since=3650d&rule=E2E%20Anonymous%20Request");
  ASSERT_FALSE(ours.empty());
  for (const auto& alert : ours) {
    EXPECT_EQ(alert["source"], "k8s_audit");
    EXPECT_EQ(alert["agent"], "kube-apiserver");
    EXPECT_EQ(alert["output_fields"]["ka.user.name"], "system:anonymous");
    EXPECT_NE(
        alert["output"].get<std::string>().find("anonymous request (user=system:anonymous verb="),
        std::string::npos);
  }
  EXPECT_FALSE(serve.alerts("since=3650d&rule=Privileged%20Pod%20Created").empty());

  // The API server's batch backend sends a batch again after a failure, also to a restarted
  // server: the same alerts, all duplicates.
  EXPECT_EQ(serve.stop(), 0);
  ASSERT_TRUE(serve.start());
  auto again = serve.post("/k8s-audit", body);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(Json::parse(again->body)["accepted"], 0) << again->body;
  EXPECT_EQ(serve.alerts("since=3650d").size(), accepted);
}

TEST(K8sAuditServeE2E, RulesThatDoNotLoadStopServe) {
  Serve serve;
  writeFile(serve.dir() / "bad.yaml",
            "- rule: Bad\n  desc: x\n  condition: ka.no.such.field = 1\n  output: x\n"
            "  priority: WARNING\n  source: k8s_audit\n");
  std::string out;
  // In a subshell: runCommand's redirection then takes serve's stderr too.
  ASSERT_TRUE(
      runCommand("(" + shellQuote(bulwarkBin()) + " serve --store " + shellQuote(serve.store()) +
                     " --listen 127.0.0.1:" + std::to_string(freePort()) + " -r " +
                     shellQuote((serve.dir() / "bad.yaml").string()) + "; echo \"exit=$?\")",
                 &out));
  EXPECT_NE(out.find("ka.no.such.field"), std::string::npos) << out;
  EXPECT_NE(out.find("exit=2"), std::string::npos) << out;
}

}  // namespace
}  // namespace bulwark::testing
