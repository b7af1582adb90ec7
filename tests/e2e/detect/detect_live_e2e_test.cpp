// `bulwark detect` as a long-running process: a followed audit log that grows and rotates, and
// the audit webhook taking the API server's EventList bodies; both stop on SIGTERM with their
// summary. The binary under test runs as a child process with pipes; it is killed by the
// fixture even when a test fails.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "child_process.h"
#include "testdata.h"

namespace bulwark::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* const kK8sRules = "runtime/falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml";

// A namespace created by `user`: the current k8s rules call it a disallowed namespace.
std::string namespaceCreated(const std::string& id, const std::string& name,
                             const std::string& user = "eve") {
  return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":")" + id +
         R"(","stage":"ResponseComplete","verb":"create","requestURI":"/api/v1/namespaces",)"
         R"("user":{"username":")" +
         user + R"("},"objectRef":{"resource":"namespaces","name":")" + name +
         R"("},"responseStatus":{"code":201},"stageTimestamp":"2024-05-01T10:00:00Z"})";
}

class DetectLive : public ::testing::Test {
 protected:
  void SetUp() override {
    BULWARK_REQUIRE_SHARED(kK8sRules);
    dir_ = fs::temp_directory_path() / ("bulwark-detect-live-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string rules() const { return (sharedTestdata() / kK8sRules).string(); }

  fs::path dir_;
};

TEST_F(DetectLive, FollowsAGrowingAndRotatedLogUntilTerminated) {
  const fs::path log = dir_ / "audit.log";
  std::ofstream(log) << namespaceCreated("old-1", "before") << "\n";
  Child detect(
      {"detect", "--follow", "--from", "end", "-r", rules(), "-s", "k8s-audit:" + log.string()});
  // Appended once the file is open: alerts; the line already there (--from end): none.
  ASSERT_TRUE(detect.waitFor("k8s-audit: following " + log.string() + " from its end", true))
      << detect.err();
  std::ofstream(log, std::ios::app) << namespaceCreated("n-1", "alpha") << "\n";
  ASSERT_TRUE(detect.waitFor("ns=alpha")) << detect.out() << detect.err();
  // logrotate's create mode: rename, then a new file at the path.
  fs::rename(log, dir_ / "audit.log.1");
  std::ofstream(log) << namespaceCreated("n-2", "beta") << "\n";
  ASSERT_TRUE(detect.waitFor("ns=beta")) << detect.out() << detect.err();
  EXPECT_EQ(detect.terminate(), 0) << detect.err();
  EXPECT_EQ(detect.out().find("ns=before"), std::string::npos);
  EXPECT_NE(detect.err().find("2 event(s)"), std::string::npos) << detect.err();
}

TEST_F(DetectLive, WebhookTakesEventListsWithAToken) {
  const fs::path token = dir_ / "token";
  std::ofstream(token) << "ingest-0123456789\n";
  Child detect({"detect", "-r", rules(), "-s", "k8s-audit-webhook:127.0.0.1:0",
                "--webhook-token-file", token.string(), "--format", "json"});
  ASSERT_TRUE(detect.waitFor("listening on 127.0.0.1:", true)) << detect.err();
  const std::string& err = detect.err();
  const auto at =
      err.find("listening on 127.0.0.1:") + std::string("listening on 127.0.0.1:").size();
  const int port = std::stoi(err.substr(at));
  httplib::Client client("127.0.0.1", port);
  const std::string body = R"({"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[)" +
                           namespaceCreated("w-1", "gamma") + "," +
                           namespaceCreated("w-2", "delta", "system:admin") + "]}";
  auto res = client.Post("/k8s-audit", {{"Authorization", "Bearer ingest-0123456789"}}, body,
                         "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"accepted":2,"skipped":0,"duplicates":0})");
  ASSERT_TRUE(detect.waitFor(R"("ka.target.name":"gamma")")) << detect.out();
  res = client.Post("/k8s-audit", body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(detect.terminate(), 0) << detect.err();
  EXPECT_NE(detect.err().find("2 event(s)"), std::string::npos) << detect.err();
}

TEST_F(DetectLive, AWebhookOnAPublicAddressNeedsAToken) {
  Child detect({"detect", "-r", rules(), "-s", "k8s-audit-webhook:0.0.0.0:0"});
  ASSERT_TRUE(detect.waitFor("token", true)) << detect.err();
  EXPECT_EQ(detect.terminate(), 2);
}

}  // namespace
}  // namespace bulwark::testing
