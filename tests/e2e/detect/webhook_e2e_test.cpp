#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "e2e/k8s/test_pki.h"
#include "events/k8s_audit/webhook_source.h"
#include "testdata.h"

namespace bulwark::events::k8s_audit {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBody = "runtime/derived/k8s_audit_eventlist_webhook_body.json";
constexpr const char* kToken = "s3cret-ingest-token";

std::string event(const std::string& id) {
  return R"({"kind":"Event","auditID":")" + id +
         R"(","stage":"ResponseComplete","verb":"get","stageTimestamp":"2024-01-01T00:00:00Z"})";
}

// A webhook source serving on a free loopback port until the fixture ends (stopped even when a
// test fails), collecting the auditIDs it delivers.
class Webhook {
 public:
  explicit Webhook(WebhookOptions options) : source_(std::move(options)) {}
  ~Webhook() { stop(); }

  core::Status start() {
    if (auto bound = source_.bind(); !bound) return bound;
    thread_ = std::thread([this] {
      const EventCallback on_event = [this](const Event& e) {
        const auto* audit = static_cast<const AuditEvent*>(e.payload);
        std::string_view id;
        if (audit->root["auditID"].get_string().get(id) != simdjson::SUCCESS) id = "?";
        const std::lock_guard lock(mutex_);
        ids_.emplace_back(id);
        nums_.push_back(e.num);
      };
      (void)source_.run(on_event, diagnostics_, &stop_);
    });
    return {};
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<std::string> ids() {
    const std::lock_guard lock(mutex_);
    return ids_;
  }
  std::vector<std::uint64_t> nums() {
    const std::lock_guard lock(mutex_);
    return nums_;
  }
  WebhookSource& source() { return source_; }
  core::Diagnostics& diagnostics() { return diagnostics_; }

 private:
  WebhookSource source_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> ids_;
  std::vector<std::uint64_t> nums_;
  core::Diagnostics diagnostics_;
};

WebhookOptions loopback(std::string token = kToken) {
  WebhookOptions options;
  options.port = 0;
  options.token = std::move(token);
  return options;
}

httplib::Headers bearer(const std::string& token = kToken) {
  return {{"Authorization", "Bearer " + token}};
}

TEST(K8sAuditWebhook, TakesTheApiServersEventListOnceEach) {
  BULWARK_REQUIRE_SHARED(kBody);
  Webhook hook(loopback());
  ASSERT_TRUE(hook.start().has_value());
  httplib::Client client("127.0.0.1", hook.source().port());
  const std::string body = testing::readFile(testing::sharedTestdata() / kBody);
  auto res = client.Post("/k8s-audit", bearer(), body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"accepted":51,"skipped":0,"duplicates":0})");
  // The batch backend retries whole batches: a repeated body delivers nothing new.
  res = client.Post("/k8s-audit", bearer(), body, "application/json; charset=utf-8");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, R"({"accepted":0,"skipped":0,"duplicates":51})");
  hook.stop();
  const auto ids = hook.ids();
  ASSERT_EQ(ids.size(), 51U);
  EXPECT_EQ(ids.front(), "841d3e6d-90d2-43df-8da4-684738bee3d5");  // the body's first event
  const auto nums = hook.nums();
  for (std::size_t i = 0; i < nums.size(); ++i) EXPECT_EQ(nums[i], i + 1);
  EXPECT_EQ(hook.source().stats().duplicates, 51U);
}

TEST(K8sAuditWebhook, RefusesWhatFalcosPluginRefuses) {
  Webhook hook(loopback());
  ASSERT_TRUE(hook.start().has_value());
  httplib::Client client("127.0.0.1", hook.source().port());
  const std::string one = event("a1");

  auto res = client.Post("/k8s-audit", one, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);  // no token
  res = client.Post("/k8s-audit", bearer("wrong"), one, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  res = client.Get("/k8s-audit", bearer());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  res = client.Post("/k8s-audit", bearer(), one, "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  res = client.Post("/k8s-audit", bearer(), R"({"kind": 0})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("data not recognized as a k8s audit event"), std::string::npos);
  res = client.Post("/k8s-audit", bearer(), "[" + one + ",", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  const std::string huge(kMaxBodyBytes + 1, ' ');
  res = client.Post("/k8s-audit", bearer(), huge, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  // An event without stageTimestamp is skipped, the others taken.
  res = client.Post("/k8s-audit", bearer(),
                    "[" + one + R"(,{"kind":"Event","auditID":"a2"},)" + event("a3") + "]",
                    "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"accepted":2,"skipped":1,"duplicates":0})");
  res = client.Post("/other", bearer(), one, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  hook.stop();
  EXPECT_EQ(hook.ids(), (std::vector<std::string>{"a1", "a3"}));
  const auto stats = hook.source().stats();
  EXPECT_EQ(stats.unauthorized, 2U);
  EXPECT_EQ(stats.bad_requests, 5U);  // 405, 400 ×3, 413
  EXPECT_GE(hook.diagnostics().size(), 3U);
}

TEST(K8sAuditWebhook, WithoutATokenOnlyLoopback) {
  WebhookOptions open;
  open.address = "0.0.0.0";
  open.port = 0;
  WebhookSource refused(open);
  const auto bound = refused.bind();
  ASSERT_FALSE(bound.has_value());
  EXPECT_NE(bound.error().message.find("token"), std::string::npos);

  Webhook hook(loopback(""));
  ASSERT_TRUE(hook.start().has_value());
  httplib::Client client("127.0.0.1", hook.source().port());
  auto res = client.Post("/k8s-audit", event("x"), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(K8sAuditWebhook, ServesTls) {
  const auto pki = testing::makeTestPki();
  const fs::path dir =
      fs::temp_directory_path() / ("bulwark-webhook-tls-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "server.pem") << pki.server.cert;
  std::ofstream(dir / "server.key") << pki.server.key;
  std::ofstream(dir / "ca.pem") << pki.ca.cert;
  WebhookOptions options = loopback();
  options.tls_cert = (dir / "server.pem").string();
  options.tls_key = (dir / "server.key").string();
  {
    Webhook hook(options);
    ASSERT_TRUE(hook.start().has_value());
    httplib::SSLClient client("127.0.0.1", hook.source().port());
    client.set_ca_cert_path((dir / "ca.pem").string().c_str());
    client.enable_server_certificate_verification(true);
    auto res = client.Post("/k8s-audit", bearer(), event("t1"), "application/json");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    hook.stop();
    EXPECT_EQ(hook.ids(), std::vector<std::string>{"t1"});
  }
  WebhookOptions missing = loopback();
  missing.tls_cert = (dir / "absent.pem").string();
  missing.tls_key = (dir / "server.key").string();
  EXPECT_FALSE(WebhookSource(missing).bind().has_value());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace bulwark::events::k8s_audit
