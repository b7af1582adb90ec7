// The server of `bulwark serve` on a loopback port with a real SQLite store: every route is
// called with httplib::Client and every answer is checked against docs/openapi.yaml; then auth,
// the body and rate limits, TLS, errors in handlers, logs and graceful stop.
#include "server/server.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "api_harness.h"
#include "server/api_bodies.h"
#include "server/k8s_audit_api.h"
#include "server/metrics.h"
#include "server/rate_limiter.h"
#include "server/service_routes.h"
#include "server/tokens.h"
#include "store/store.h"
#include "support/process.h"
#include "testdata.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');
constexpr const char* kDigestUnknown =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

const testing::OpenApi& openApi() { return testing::projectOpenApi(); }

using bulwark::testing::TempDir;

std::string bearer(const std::string& secret) { return "Bearer " + secret; }

std::string header(const httplib::Headers& headers, const std::string& key) {
  auto it = headers.find(key);
  return it == headers.end() ? std::string() : it->second;
}

// A running server over a fresh SQLite store, with one token per role and captured logs.
class Harness {
 public:
  explicit Harness(ServerOptions options = {}, Hooks hooks = defaultHooks()) {
    auto opened = store::openStore("sqlite:" + (dir_.path() / "bulwark.db").string());
    if (!opened) throw std::runtime_error("openStore: " + opened.error().message);
    store_ = std::move(*opened);
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    options.access_log = std::make_shared<spdlog::logger>("test.http", sink);
    options.access_log->set_pattern("%v");
    options.access_log->set_level(spdlog::level::info);
    server_ = std::make_unique<Server>(options, *store_, std::move(hooks), metrics_);
    // The push webhooks and admission (src/server/service_routes.h), as `bulwark serve` wires
    // them: the OpenAPI file documents them too.
    auto added = registerServiceRoutes(*server_, *store_, ServiceRouteHooks{});
    if (!added) throw std::runtime_error("registerServiceRoutes: " + added.error().message);
    // serve registers POST /k8s-audit beside them (its rules: the built-in ones by default).
    K8sAuditOptions k8s_audit;
    k8s_audit.rules = pipeline::loadRules({}, rules::Priority::Debug);
    added = registerK8sAuditRoutes(*server_, *store_, std::move(k8s_audit));
    if (!added) throw std::runtime_error("registerK8sAuditRoutes: " + added.error().message);
    admin_ = token("admin", store::Role::Admin);
    reader_ = token("reader", store::Role::Reader);
    ingest_ = token("ingest", store::Role::Ingest);
  }

  static Hooks defaultHooks() {
    Hooks hooks;
    hooks.status = [] { return StatusInfo{"1.2.3-test", "db-build-7", 2}; };
    hooks.seal_secret = [](std::string_view plain) -> core::Result<std::string> {
      return "sealed:" + std::string(plain.size(), '*');
    };
    hooks.resolve_tag = [](const store::Registry&, std::string_view,
                           std::string_view tag) -> core::Result<std::string> {
      if (tag == "missing") return core::fail(core::ErrorCode::NotFound, "no such tag");
      return std::string(kDigestB);
    };
    hooks.reevaluate = []() -> core::Status { return {}; };
    return hooks;
  }

  std::string token(const std::string& name, store::Role role) {
    auto created = createToken(*store_, name, role, std::nullopt);
    if (!created) throw std::runtime_error("createToken: " + created.error().message);
    return created->secret;
  }

  void start() {
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message;
    ASSERT_GT(server_->port(), 0);
  }

  httplib::Client client() const {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    return client;
  }

  store::Store& store() { return *store_; }
  Server& server() { return *server_; }
  Metrics& metrics() { return metrics_; }
  std::string logs() const { return log_.str(); }
  const fs::path& dir() const { return dir_.path(); }

  std::string admin_, reader_, ingest_;

 private:
  TempDir dir_{"bulwark-server-test"};
  std::unique_ptr<store::Store> store_;
  Metrics metrics_;
  std::ostringstream log_;
  std::unique_ptr<Server> server_;
};

// A request through the client, its answer checked against the OpenAPI file.
using Call = testing::ApiCall;

Call call(Harness& h, const std::string& method, const std::string& target,
          const std::string& secret, const std::string& body = "") {
  httplib::Client client = h.client();
  return testing::callApi(client, method, target, secret, body);
}

store::FindingRecord finding(std::string id, std::string package, model::Severity severity,
                             std::string fixed) {
  store::FindingRecord record;
  record.vulnerability_id = std::move(id);
  record.package_name = std::move(package);
  record.installed_version = "1.0";
  record.fixed_version = std::move(fixed);
  record.severity = severity;
  record.detail_json = Json{{"id", record.vulnerability_id}, {"cvss", 9.8}}.dump();
  return record;
}

// A registry, two images in "library/app" (A tagged 1.0, B tagged latest), A scanned twice
// (so it has changes), a decision about A, and one queued job.
void seed(Harness& h) {
  store::Store& st = h.store();
  store::Registry registry;
  registry.name = "local";
  registry.url = "http://127.0.0.1:5000";
  registry.created_at = store::nowMillis();
  ASSERT_TRUE(st.addRegistry(registry));
  const store::Millis now = store::nowMillis();
  ASSERT_TRUE(st.recordPush("local", "library/app", kDigestA, "1.0", now));
  ASSERT_TRUE(st.recordPush("local", "library/app", kDigestB, "latest", now));
  store::ScanResult result;
  result.digest = kDigestA;
  result.inventory_json = R"({"packages":[{"name":"openssl","version":"1.0"}]})";
  result.metadata.db_build_id = "db-1";
  result.metadata.bulwark_version = "1.2.3";
  result.metadata.duration_ms = 1200;
  result.metadata.scanned_at = now;
  result.metadata.evaluated_at = now;
  result.metadata.os = "debian 12";
  result.metadata.platform = "linux/amd64";
  result.metadata.package_count = 2;
  result.findings = {finding("CVE-2024-0001", "openssl", model::Severity::Critical, "1.1"),
                     finding("CVE-2024-0002", "zlib", model::Severity::Low, "")};
  ASSERT_TRUE(st.saveResult(result));
  result.findings.push_back(finding("CVE-2024-0003", "zlib", model::Severity::High, "1.3"));
  result.findings.push_back(finding("CVE-2024-0001", "libssl", model::Severity::Critical, "1.1"));
  ASSERT_TRUE(st.saveResult(result));
  store::QuarantineDecision decision;
  decision.registry = "local";
  decision.repository = "quarantine/app";
  decision.digest = kDigestA;
  decision.target_repository = "release/app";
  decision.tag = "1.0";
  decision.reason = "1 critical finding";
  decision.at = now;
  ASSERT_TRUE(st.recordDecision(decision));
}

// ---- the OpenAPI file and the route table -----------------------------------------------------

TEST(ServerOpenApi, EveryRegisteredRouteIsDocumentedAndEveryDocumentedRouteIsRegistered) {
  Harness h;
  std::set<std::pair<std::string, std::string>> registered;
  for (const auto& route : h.server().routes()) registered.emplace(route.method, route.pattern);
  const auto documented = openApi().operations();
  for (const auto& op : registered) {
    EXPECT_TRUE(documented.count(op)) << op.first << " " << op.second << " is not documented";
  }
  for (const auto& op : documented) {
    EXPECT_TRUE(registered.count(op)) << op.first << " " << op.second << " is not served";
  }
  EXPECT_GE(registered.size(), 24U);
}

TEST(ServerOpenApi, PublicRoutesAreDocumentedWithoutSecurityAndOthersWithBearer) {
  Harness h;
  for (const auto& route : h.server().routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const Json& op = openApi().document()["paths"][route.pattern][method];
    const bool open = op.contains("security") && op["security"].empty();
    EXPECT_EQ(open, route.access == Access::Public) << route.method << " " << route.pattern;
    if (route.access != Access::Public) {
      EXPECT_TRUE(op["responses"].contains("401")) << route.pattern << " documents no 401";
    }
  }
}

TEST(ServerOpenApi, TheCheckerCatchesMissingPropertiesWrongTypesAndEnums) {
  const Json schema = {{"$ref", "#/components/schemas/Token"}};
  Json good = {{"id", 1},         {"name", "n"},           {"role", "admin"},
               {"created_at", 5}, {"expires_at", nullptr}, {"revoked", false}};
  EXPECT_TRUE(openApi().checkSchema(schema, good).empty());
  Json missing = good;
  missing.erase("role");
  EXPECT_FALSE(openApi().checkSchema(schema, missing).empty());
  Json wrong_type = good;
  wrong_type["id"] = "1";
  EXPECT_FALSE(openApi().checkSchema(schema, wrong_type).empty());
  Json bad_enum = good;
  bad_enum["role"] = "root";
  EXPECT_FALSE(openApi().checkSchema(schema, bad_enum).empty());
  EXPECT_FALSE(openApi().checkResponse("GET", "/api/v1/nothing", 200, "", "").empty());
  EXPECT_FALSE(openApi().checkResponse("GET", "/api/v1/status", 418, "", "").empty());
}

// ---- every route ------------------------------------------------------------------------------

TEST(ServerRoutes, EveryRouteAnswersAsDocumented) {
  Harness h;
  seed(h);
  h.start();
  const std::string& admin = h.admin_;
  const std::string& reader = h.reader_;

  EXPECT_EQ(call(h, "GET", "/healthz", "").status, 200);
  EXPECT_EQ(call(h, "GET", "/readyz", "").status, 200);

  Call status = call(h, "GET", "/api/v1/status", reader);
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.body["version"], "1.2.3-test");
  EXPECT_EQ(status.body["db_build_id"], "db-build-7");
  EXPECT_EQ(status.body["store"]["backend"], "sqlite");

  // Tokens.
  Call tokens = call(h, "GET", "/api/v1/tokens", admin);
  ASSERT_EQ(tokens.status, 200);
  EXPECT_EQ(tokens.body["total"], 3);
  EXPECT_EQ(tokens.text.find("secret"), std::string::npos);
  Call created = call(h, "POST", "/api/v1/tokens", admin,
                      R"({"name":"ci","role":"ingest","expires_in_s":3600})");
  ASSERT_EQ(created.status, 201);
  const std::string secret = created.body["secret"];
  EXPECT_EQ(secret.rfind("bwk_", 0), 0U);
  EXPECT_EQ(created.body["token"]["role"], "ingest");
  EXPECT_FALSE(created.body["token"]["expires_at"].is_null());
  EXPECT_EQ(call(h, "POST", "/api/v1/tokens", admin, R"({"name":"x","role":"root"})").status, 400);
  EXPECT_EQ(call(h, "POST", "/api/v1/tokens", admin, "not json").status, 400);
  const std::string id = std::to_string(created.body["token"]["id"].get<std::int64_t>());
  EXPECT_EQ(call(h, "DELETE", "/api/v1/tokens/" + id, admin).status, 204);
  EXPECT_EQ(call(h, "DELETE", "/api/v1/tokens/99999", admin).status, 404);
  EXPECT_EQ(call(h, "DELETE", "/api/v1/tokens/abc", admin).status, 400);

  // Registries.
  Call registries = call(h, "GET", "/api/v1/registries", reader);
  ASSERT_EQ(registries.status, 200);
  ASSERT_EQ(registries.body["total"], 1);
  EXPECT_EQ(registries.body["registries"][0]["name"], "local");
  Call added = call(h, "POST", "/api/v1/registries", admin,
                    R"({"name":"harbor","url":"https://harbor.example.com","username":"bot",)"
                    R"("password":"hunter2","poll_interval_s":300})");
  ASSERT_EQ(added.status, 201);
  EXPECT_EQ(added.body["has_password"], true);
  EXPECT_EQ(added.text.find("hunter2"), std::string::npos);
  EXPECT_EQ(added.text.find("sealed"), std::string::npos);
  auto stored = h.store().findRegistry("harbor");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->password_sealed, "sealed:*******");
  EXPECT_EQ(call(h, "POST", "/api/v1/registries", admin,
                 R"({"name":"harbor","url":"https://other.example.com"})")
                .status,
            409);
  EXPECT_EQ(call(h, "POST", "/api/v1/registries", admin, R"({"name":"x","url":"ftp://x"})").status,
            400);
  Call one = call(h, "GET", "/api/v1/registries/local", reader);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body["images"], 2);
  EXPECT_EQ(call(h, "GET", "/api/v1/registries/nope", reader).status, 404);
  EXPECT_EQ(call(h, "DELETE", "/api/v1/registries/harbor", admin).status, 204);
  EXPECT_EQ(call(h, "DELETE", "/api/v1/registries/harbor", admin).status, 404);

  Call repositories = call(h, "GET", "/api/v1/registries/local/repositories", reader);
  ASSERT_EQ(repositories.status, 200);
  ASSERT_EQ(repositories.body["total"], 1);
  EXPECT_EQ(repositories.body["repositories"][0]["repository"], "library/app");
  EXPECT_EQ(repositories.body["repositories"][0]["counts"]["critical"], 2);

  Call images = call(h, "GET", "/api/v1/registries/local/images?repository=library/app", reader);
  ASSERT_EQ(images.status, 200);
  EXPECT_EQ(images.body["total"], 2);
  EXPECT_EQ(call(h, "GET", "/api/v1/registries/local/images", reader).status, 400);
  Call paged =
      call(h, "GET", "/api/v1/registries/local/images?repository=library/app&limit=1", reader);
  EXPECT_EQ(paged.body["images"].size(), 1U);
  EXPECT_EQ(paged.body["total"], 2);
  EXPECT_EQ(call(h, "GET", "/api/v1/registries/local/images?repository=library/app&limit=0", reader)
                .status,
            400);

  Call tag = call(h, "GET", "/api/v1/registries/local/tags/1.0?repository=library/app", reader);
  ASSERT_EQ(tag.status, 200);
  EXPECT_EQ(tag.body["digest"], kDigestA);
  EXPECT_EQ(tag.body["scanned"], true);
  EXPECT_EQ(
      call(h, "GET", "/api/v1/registries/local/tags/9.9?repository=library/app", reader).status,
      404);

  // Images.
  const std::string image = std::string("/api/v1/images/") + kDigestA;
  Call by_digest = call(h, "GET", image, reader);
  ASSERT_EQ(by_digest.status, 200);
  EXPECT_EQ(by_digest.body["counts"]["critical"], 2);
  EXPECT_EQ(by_digest.body["counts"]["high"], 1);
  EXPECT_EQ(by_digest.body["counts"]["low"], 1);
  EXPECT_EQ(by_digest.body["counts"]["total"], 4);
  Call located = call(h, "GET", image + "?registry=local&repository=library/app", reader);
  ASSERT_EQ(located.status, 200);
  EXPECT_EQ(located.body["tags"], Json::array({"1.0"}));
  EXPECT_EQ(call(h, "GET", "/api/v1/images/sha256:xyz", reader).status, 400);
  EXPECT_EQ(call(h, "GET", std::string("/api/v1/images/") + kDigestUnknown, reader).status, 404);
  Call unscanned = call(
      h, "GET",
      std::string("/api/v1/images/") + kDigestB + "?registry=local&repository=library/app", reader);
  ASSERT_EQ(unscanned.status, 200);
  EXPECT_EQ(unscanned.body["scanned"], false);
  EXPECT_TRUE(unscanned.body["scan"].is_null());

  Call findings = call(h, "GET", image + "/findings", reader);
  ASSERT_EQ(findings.status, 200);
  EXPECT_EQ(findings.body["total"], 4);
  EXPECT_EQ(findings.body["findings"][0]["severity"], "critical");
  Call high = call(h, "GET", image + "/findings?severity=high&fixable=true&sort=id", reader);
  ASSERT_EQ(high.status, 200);
  EXPECT_EQ(high.body["total"], 3);
  Call search = call(h, "GET", image + "/findings?q=zlib&limit=1&offset=1", reader);
  ASSERT_EQ(search.status, 200);
  EXPECT_EQ(search.body["total"], 2);
  EXPECT_EQ(search.body["findings"].size(), 1U);
  EXPECT_EQ(call(h, "GET", image + "/findings?severity=huge", reader).status, 400);
  EXPECT_EQ(call(h, "GET", image + "/findings?sort=random", reader).status, 400);

  Call detail = call(h, "GET", image + "/findings/CVE-2024-0002", reader);
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(detail.body["package_name"], "zlib");
  EXPECT_EQ(detail.body["detail"]["cvss"], 9.8);
  EXPECT_EQ(call(h, "GET", image + "/findings/CVE-2024-0001", reader).status, 400);
  Call chosen = call(h, "GET", image + "/findings/CVE-2024-0001?package=libssl", reader);
  ASSERT_EQ(chosen.status, 200);
  EXPECT_EQ(chosen.body["package_name"], "libssl");
  EXPECT_EQ(call(h, "GET", image + "/findings/CVE-1999-0001", reader).status, 404);

  Call inventory = call(h, "GET", image + "/inventory", reader);
  ASSERT_EQ(inventory.status, 200);
  EXPECT_EQ(inventory.body["inventory"]["packages"][0]["name"], "openssl");
  EXPECT_EQ(call(h, "GET", std::string("/api/v1/images/") + kDigestB + "/inventory", reader).status,
            404);

  Call changes = call(h, "GET", image + "/changes", reader);
  ASSERT_EQ(changes.status, 200);
  EXPECT_EQ(changes.body["total"], 2);  // CVE-2024-0003 and CVE-2024-0001/libssl are new
  EXPECT_EQ(changes.body["changes"][0]["kind"], "new");

  Call decisions = call(h, "GET", image + "/decisions", reader);
  ASSERT_EQ(decisions.status, 200);
  ASSERT_EQ(decisions.body["total"], 1);
  EXPECT_EQ(decisions.body["decisions"][0]["target_repository"], "release/app");

  // Scans and jobs.
  Call scan = call(h, "POST", "/api/v1/scans", h.ingest_,
                   std::string(R"({"registry":"local","repository":"library/app","digest":")") +
                       kDigestA + R"("})");
  ASSERT_EQ(scan.status, 202);
  EXPECT_EQ(scan.body["created"], true);
  EXPECT_EQ(scan.body["job"]["state"], "queued");
  Call again = call(h, "POST", "/api/v1/scans", admin,
                    std::string(R"({"registry":"local","repository":"library/app","digest":")") +
                        kDigestA + R"("})");
  ASSERT_EQ(again.status, 202);
  EXPECT_EQ(again.body["created"], false);
  EXPECT_EQ(again.body["job"]["id"], scan.body["job"]["id"]);
  Call by_tag = call(h, "POST", "/api/v1/scans", h.ingest_,
                     R"({"registry":"local","repository":"library/web","tag":"v2"})");
  ASSERT_EQ(by_tag.status, 202);
  EXPECT_EQ(by_tag.body["job"]["digest"], kDigestB);
  EXPECT_EQ(by_tag.body["job"]["tag"], "v2");
  auto web = h.store().findTag("local", "library/web", "v2");
  ASSERT_TRUE(web && *web);
  EXPECT_EQ((*web)->digest, kDigestB);
  EXPECT_EQ(call(h, "POST", "/api/v1/scans", h.ingest_,
                 R"({"registry":"local","repository":"library/web","tag":"missing"})")
                .status,
            404);
  EXPECT_EQ(call(h, "POST", "/api/v1/scans", h.ingest_,
                 R"({"registry":"nope","repository":"library/web","tag":"v2"})")
                .status,
            404);
  EXPECT_EQ(call(h, "POST", "/api/v1/scans", h.ingest_,
                 R"({"registry":"local","repository":"library/web","digest":"sha256:12"})")
                .status,
            400);

  Call jobs = call(h, "GET", "/api/v1/jobs", reader);
  ASSERT_EQ(jobs.status, 200);
  EXPECT_EQ(jobs.body["total"], 2);
  Call queued = call(h, "GET", std::string("/api/v1/jobs?state=queued&digest=") + kDigestB, reader);
  ASSERT_EQ(queued.status, 200);
  EXPECT_EQ(queued.body["total"], 1);
  EXPECT_EQ(queued.body["total_exact"], true);
  EXPECT_EQ(call(h, "GET", "/api/v1/jobs?state=sleeping", reader).status, 400);
  const std::string job_id = std::to_string(scan.body["job"]["id"].get<std::int64_t>());
  Call job = call(h, "GET", "/api/v1/jobs/" + job_id, reader);
  ASSERT_EQ(job.status, 200);
  EXPECT_EQ(job.body["digest"], kDigestA);
  EXPECT_EQ(call(h, "GET", "/api/v1/jobs/123456", reader).status, 404);

  // The push webhooks and admission answer as documented too.
  Call generic = call(h, "POST", "/api/v1/webhooks/generic", h.ingest_,
                      R"({"registry":"local","repository":"library/api","digest":")" + kDigestB +
                          R"(","tag":"v9"})");
  EXPECT_EQ(generic.status, 202) << generic.text;
  EXPECT_EQ(call(h, "POST", "/api/v1/webhooks/generic", h.ingest_, "[").status, 400);
  EXPECT_EQ(call(h, "POST", "/api/v1/webhooks/distribution/local", h.ingest_, "{{").status, 400);
  EXPECT_EQ(call(h, "POST", "/api/v1/webhooks/harbor/nope", h.ingest_, "{}").status, 404);
  EXPECT_EQ(call(h, "POST", "/api/v1/admission", h.ingest_, "not a review").status, 400);
  EXPECT_EQ(call(h, "POST", "/api/v1/webhooks/generic", h.reader_, "{}").status, 403);

  Call reevaluate = call(h, "POST", "/api/v1/reevaluate", admin);
  EXPECT_EQ(reevaluate.status, 202);

  // Metrics (text) with the job gauge read from the store.
  Call metrics = call(h, "GET", "/metrics", reader);
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.text.find("http_requests_total{"), std::string::npos);
  EXPECT_NE(metrics.text.find("route=\"/api/v1/images/{digest}/findings\""), std::string::npos);
  EXPECT_NE(metrics.text.find("http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.text.find("jobs{state=\"queued\"} 3"), std::string::npos) << metrics.text;
}

TEST(ServerRoutes, UnknownRoutesAndMethodsAreJsonErrors) {
  Harness h;
  h.start();
  auto client = h.client();
  auto missing = client.Get("/api/v1/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Json::parse(missing->body)["error"]["code"], "not_found");
  auto wrong = client.Delete("/api/v1/status");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
}

TEST(ServerRoutes, MissingHooksAnswer503) {
  Harness h({}, Hooks{});
  seed(h);
  h.start();
  EXPECT_EQ(call(h, "POST", "/api/v1/reevaluate", h.admin_).status, 503);
  EXPECT_EQ(call(h, "POST", "/api/v1/registries", h.admin_,
                 R"({"name":"r","url":"https://r.example","password":"p"})")
                .status,
            503);
  EXPECT_EQ(call(h, "POST", "/api/v1/scans", h.ingest_,
                 R"({"registry":"local","repository":"library/app","tag":"1.0"})")
                .status,
            503);
  Call status = call(h, "GET", "/api/v1/status", h.reader_);
  EXPECT_EQ(status.status, 200);
}

// ---- authentication ---------------------------------------------------------------------------

TEST(ServerAuth, NoTokenWrongRoleRevokedAndExpired) {
  Harness h;
  h.start();
  Call none = call(h, "GET", "/api/v1/status", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(header(none.headers, "WWW-Authenticate"), std::string("Bearer"));
  EXPECT_EQ(call(h, "GET", "/metrics", "").status, 401);
  EXPECT_EQ(call(h, "GET", "/api/v1/status", "bwk_not-a-real-token").status, 401);
  EXPECT_EQ(call(h, "GET", "/api/v1/status", "garbage").status, 401);

  EXPECT_EQ(call(h, "GET", "/api/v1/status", h.ingest_).status, 403);
  EXPECT_EQ(call(h, "GET", "/api/v1/tokens", h.reader_).status, 403);
  EXPECT_EQ(call(h, "POST", "/api/v1/registries", h.reader_, "{}").status, 403);
  EXPECT_EQ(call(h, "POST", "/api/v1/scans", h.reader_, "{}").status, 403);
  EXPECT_EQ(call(h, "POST", "/api/v1/reevaluate", h.ingest_).status, 403);
  EXPECT_EQ(call(h, "GET", "/api/v1/status", h.admin_).status, 200);

  // Revoked.
  auto tokens = h.store().listTokens();
  ASSERT_TRUE(tokens);
  std::int64_t reader_id = 0;
  for (const auto& token : *tokens) {
    if (token.name == "reader") reader_id = token.id;
  }
  ASSERT_TRUE(h.store().revokeToken(reader_id));
  EXPECT_EQ(call(h, "GET", "/api/v1/status", h.reader_).status, 401);

  // Expired: stored directly with an expiry in the past.
  auto secret = generateTokenSecret();
  ASSERT_TRUE(secret);
  ASSERT_TRUE(h.store().createToken("old", store::Role::Admin, hashTokenSecret(*secret),
                                    store::nowMillis() - 1000));
  EXPECT_EQ(call(h, "GET", "/api/v1/status", *secret).status, 401);

  // The scheme is case-insensitive; other schemes are not accepted.
  auto client = h.client();
  auto lower = client.Get("/api/v1/status", {{"Authorization", "bearer " + h.admin_}});
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->status, 200);
  auto basic = client.Get("/api/v1/status", {{"Authorization", "Basic " + h.admin_}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);
}

TEST(ServerAuth, TokensAreRandomPrefixedAndStoredHashed) {
  Harness h;
  auto a = createToken(h.store(), "a", store::Role::Reader, std::nullopt);
  auto b = createToken(h.store(), "b", store::Role::Reader, std::nullopt);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->secret, b->secret);
  EXPECT_EQ(a->secret.size(), 4U + 43U);
  EXPECT_EQ(a->secret.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(a->token.secret_hash, hashTokenSecret(a->secret));
  EXPECT_EQ(a->token.secret_hash.size(), 64U);
  EXPECT_EQ(a->token.secret_hash.find(a->secret), std::string::npos);
  EXPECT_FALSE(createToken(h.store(), "", store::Role::Reader, std::nullopt));
  EXPECT_FALSE(createToken(h.store(), "past", store::Role::Reader, store::nowMillis() - 1));
  auto found = authenticateToken(h.store(), a->secret, store::nowMillis());
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->name, "a");
}

// ---- limits -----------------------------------------------------------------------------------

TEST(ServerLimits, BodiesOverTheLimitAre413) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  Harness h(options);
  h.start();
  const std::string big = R"({"name":")" + std::string(2000, 'x') + R"(","role":"reader"})";
  Call answer = call(h, "POST", "/api/v1/tokens", h.admin_, big);
  EXPECT_EQ(answer.status, 413);
  EXPECT_EQ(answer.body["error"]["code"], "payload_too_large");
  // Without a token, the body is refused before it is read: 401.
  EXPECT_EQ(call(h, "POST", "/api/v1/tokens", "", big).status, 401);
  EXPECT_EQ(call(h, "GET", "/healthz", "").status, 200);
}

TEST(ServerLimits, ClientsOverTheRateAre429WithRetryAfter) {
  ServerOptions options;
  options.requests_per_second = 0.5;
  options.burst = 3;
  Harness h(options);
  h.start();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(call(h, "GET", "/api/v1/status", h.reader_).status, 200);
  Call limited = call(h, "GET", "/api/v1/status", h.reader_);
  EXPECT_EQ(limited.status, 429);
  const std::string retry = header(limited.headers, "Retry-After");
  ASSERT_FALSE(retry.empty());
  EXPECT_GE(std::stoi(retry), 1);
  // Another client (token) has its own bucket.
  EXPECT_EQ(call(h, "GET", "/api/v1/status", h.admin_).status, 200);
}

TEST(ServerLimits, TheTokenBucketRefillsAndStaysBoundedInMemory) {
  using Clock = RateLimiter::Clock;
  const Clock::time_point t0 = Clock::now();
  RateLimiter limiter(10, 2, 2);
  EXPECT_EQ(limiter.take("a", t0), 0);
  EXPECT_EQ(limiter.take("a", t0), 0);
  EXPECT_GE(limiter.take("a", t0), 1);
  EXPECT_EQ(limiter.take("a", t0 + std::chrono::milliseconds(150)), 0);  // 1.5 tokens back
  // Two clients fill the table; a third evicts the one that refilled longest ago.
  EXPECT_EQ(limiter.take("b", t0 + std::chrono::milliseconds(160)), 0);
  EXPECT_EQ(limiter.take("c", t0 + std::chrono::milliseconds(170)), 0);
  EXPECT_EQ(limiter.clients(), 2U);
  for (int i = 0; i < 1000; ++i) {
    (void)limiter.take("k" + std::to_string(i), t0 + std::chrono::milliseconds(200));
  }
  EXPECT_EQ(limiter.clients(), 2U);
  RateLimiter off(0, 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(off.take("x", t0), 0);
}

TEST(ServerLimits, NestedBodiesAreRefusedNotRecursedInto) {
  EXPECT_FALSE(parseScanRequest(std::string(100000, '[')));
  EXPECT_FALSE(parseScanRequest(std::string(5000, '{')));
  EXPECT_FALSE(parseRegistryRequest(R"({"name":"a","url":"https://x","poll_interval_s":-1})"));
  EXPECT_FALSE(parseRegistryRequest(R"({"name":"a b","url":"https://x"})"));
  EXPECT_TRUE(parseRegistryRequest(R"({"name":"a","url":"https://x:5000"})"));
  EXPECT_FALSE(parseTokenRequest(R"({"name":"a","role":"admin","expires_at":1})", 1000));
  EXPECT_FALSE(parseTokenRequest(R"({"name":"a","role":"admin","expires_in_s":1e3})", 0));
  EXPECT_FALSE(validDigest("sha256:ABCDEF"));
  EXPECT_TRUE(validDigest(kDigestA));
  EXPECT_FALSE(validRepository("/abs"));
  EXPECT_FALSE(validRepository("a//b"));
  EXPECT_TRUE(validRepository("library/debian"));
}

// ---- failures, logs, metrics ------------------------------------------------------------------

TEST(ServerRobustness, AThrowingHandlerIs500AndTheServerKeepsServing) {
  Harness h;
  ASSERT_TRUE(h.server().addRoute(
      "GET", "/api/v1/boom", Access::Reader,
      [](const RequestContext&, httplib::Response&) { throw std::runtime_error("kaboom"); }));
  ASSERT_FALSE(h.server().addRoute("GET", "/api/v1/boom", Access::Reader,
                                   [](const RequestContext&, httplib::Response&) {}));
  ASSERT_FALSE(h.server().addRoute("GET", "relative", Access::Reader,
                                   [](const RequestContext&, httplib::Response&) {}));
  h.start();
  auto client = h.client();
  auto boom = client.Get("/api/v1/boom", {{"Authorization", bearer(h.reader_)}});
  ASSERT_TRUE(boom);
  EXPECT_EQ(boom->status, 500);
  EXPECT_EQ(Json::parse(boom->body)["error"]["code"], "internal");
  EXPECT_EQ(boom->body.find("kaboom"), std::string::npos);
  EXPECT_NE(h.logs().find("kaboom"), std::string::npos);
  auto fine = client.Get("/healthz");
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
}

TEST(ServerRobustness, PathParametersReachPluggedInRoutes) {
  Harness h;
  ASSERT_TRUE(h.server().addRoute("POST", "/api/v1/hook/{source}", Access::Ingest,
                                  [](const RequestContext& context, httplib::Response& res) {
                                    sendJson(res, 200,
                                             Json{{"source", context.param("source")},
                                                  {"size", context.http.body.size()},
                                                  {"token", context.token->name}}
                                                 .dump());
                                  }));
  ASSERT_TRUE(h.server().addRoute("POST", "/hooks/public", Access::Public,
                                  [](const RequestContext& context, httplib::Response& res) {
                                    sendJson(res, 200, Json{{"anon", !context.token}}.dump());
                                  }));
  h.start();
  auto client = h.client();
  auto hook = client.Post("/api/v1/hook/harbor", {{"Authorization", bearer(h.ingest_)}}, "abc",
                          "text/plain");
  ASSERT_TRUE(hook);
  ASSERT_EQ(hook->status, 200);
  EXPECT_EQ(Json::parse(hook->body),
            (Json{{"source", "harbor"}, {"size", 3}, {"token", "ingest"}}));
  auto open = client.Post("/hooks/public", "{}", "application/json");
  ASSERT_TRUE(open);
  ASSERT_EQ(open->status, 200);
  EXPECT_EQ(Json::parse(open->body)["anon"], true);
}

TEST(ServerLogs, OneJsonLinePerRequestWithoutSecrets) {
  Harness h;
  h.start();
  EXPECT_EQ(call(h, "GET", "/api/v1/status?token=abc", h.reader_).status, 200);
  EXPECT_EQ(call(h, "GET", "/api/v1/status", "bwk_wrongwrongwrong").status, 401);
  // The line is written after the answer is sent: wait for it.
  for (int i = 0; i < 200; ++i) {
    const std::string so_far = h.logs();
    if (std::count(so_far.begin(), so_far.end(), '\n') >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string logs = h.logs();
  EXPECT_EQ(logs.find(h.reader_), std::string::npos);
  EXPECT_EQ(logs.find("bwk_"), std::string::npos);
  EXPECT_EQ(logs.find("Authorization"), std::string::npos);
  EXPECT_EQ(logs.find("token=abc"), std::string::npos);
  std::istringstream lines(logs);
  std::string line;
  int requests = 0;
  while (std::getline(lines, line)) {
    Json entry = Json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << line;
    if (entry.value("level", "") != "info") continue;
    ++requests;
    for (const char* key :
         {"time", "method", "path", "status", "duration_ms", "bytes", "token", "client"}) {
      EXPECT_TRUE(entry.contains(key)) << key << " missing in " << line;
    }
    // Lines are written after the answers, from the connections' threads: in any order.
    if (entry["status"] == 200) {
      EXPECT_EQ(entry["token"], "reader");
      EXPECT_EQ(entry["path"], "/api/v1/status");
    } else {
      EXPECT_EQ(entry["token"], "-");
      EXPECT_EQ(entry["status"], 401);
    }
  }
  EXPECT_EQ(requests, 2);
}

TEST(ServerMetrics, ScansAreCountedThroughTheSharedInterface) {
  Metrics metrics;
  metrics.countScan("ok", 2.5);
  metrics.countScan("failed", 0.1);
  metrics.countRequest("GET", "/api/v1/status", 200, 0.002);
  metrics.setJobCounts({{store::JobState::Dead, 4}});
  const std::string text = metrics.serialize();
  EXPECT_NE(text.find("scans_total{result=\"ok\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("scan_duration_seconds_count 2"), std::string::npos) << text;
  EXPECT_NE(text.find("jobs{state=\"dead\"} 4"), std::string::npos) << text;
  EXPECT_NE(text.find("jobs{state=\"queued\"} 0"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(http_requests_total{method="GET",route="/api/v1/status",status="200"} 1)"),
            std::string::npos)
      << text;
}

// ---- TLS and lifecycle ------------------------------------------------------------------------

TEST(ServerTls, ServesHttpsWithAGivenCertificate) {
  if (!testing::haveTool("openssl")) GTEST_SKIP() << "no openssl";
  TempDir certs("bulwark-server-test");
  const fs::path cert = certs.path() / "cert.pem";
  const fs::path key = certs.path() / "key.pem";
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      testing::shellQuote(key.string()) + " -out " + testing::shellQuote(cert.string());
  ASSERT_TRUE(testing::runCommand(command));
  ServerOptions options;
  options.tls_cert = cert.string();
  options.tls_key = key.string();
  Harness h(options);
  h.start();
  EXPECT_TRUE(h.server().tls());
  httplib::SSLClient client("127.0.0.1", h.server().port());
  client.set_ca_cert_path(cert.string().c_str());
  client.enable_server_certificate_verification(true);
  auto status = client.Get("/api/v1/status", {{"Authorization", bearer(h.reader_)}});
  ASSERT_TRUE(status) << httplib::to_string(status.error());
  EXPECT_EQ(status->status, 200);
  // Plain HTTP to the TLS port gets no answer.
  httplib::Client plain("127.0.0.1", h.server().port());
  plain.set_read_timeout(2);
  auto refused = plain.Get("/healthz");
  EXPECT_TRUE(!refused || refused->status != 200);
}

TEST(ServerTls, HalfAConfigurationOrMissingFilesAreRefused) {
  ServerOptions half;
  half.tls_cert = "/nonexistent/cert.pem";
  Harness a(half);
  EXPECT_FALSE(a.server().start());
  ServerOptions missing;
  missing.tls_cert = "/nonexistent/cert.pem";
  missing.tls_key = "/nonexistent/key.pem";
  Harness b(missing);
  EXPECT_FALSE(b.server().start());
}

TEST(ServerLifecycle, StopFinishesInFlightRequestsThenRefusesConnections) {
  Harness h;
  std::atomic<bool> entered{false};
  ASSERT_TRUE(h.server().addRoute("GET", "/api/v1/slow", Access::Reader,
                                  [&entered](const RequestContext&, httplib::Response& res) {
                                    entered = true;
                                    std::this_thread::sleep_for(std::chrono::milliseconds(700));
                                    sendJson(res, 200, R"({"done":true})");
                                  }));
  h.start();
  const int port = h.server().port();
  int slow_status = 0;
  std::thread slow([&] {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(10);
    auto res = client.Get("/api/v1/slow", {{"Authorization", bearer(h.reader_)}});
    if (res) slow_status = res->status;
  });
  for (int i = 0; i < 500 && !entered; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(entered);
  const auto before = std::chrono::steady_clock::now();
  h.server().stop();
  slow.join();
  EXPECT_EQ(slow_status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(8));
  httplib::Client after("127.0.0.1", port);
  after.set_connection_timeout(1);
  EXPECT_FALSE(after.Get("/healthz"));
  h.server().stop();  // idempotent
}

TEST(ServerLifecycle, ReadyzFollowsTheStoreAndHealthzNeedsNoToken) {
  Harness h;
  h.start();
  auto client = h.client();
  auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(Json::parse(ready->body)["status"], "ok");
}

}  // namespace
}  // namespace bulwark::server
