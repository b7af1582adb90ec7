// The dashboard's routes (src/server/web_assets.cpp) on a real server over SQLite: the page with
// its CSP and no-cache, hashed assets immutable with their content type, 404 for anything not
// embedded, the notice of a binary built without the dashboard, the dashboard this build
// embedded; and GET /api/v1/whoami for each role (answers checked against docs/openapi.yaml).
#include "server/web_assets.h"

#include <array>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "server/tokens.h"
#include "unit/server/api_harness.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;
using testing::TestServer;

const std::string kIndexHtml =
    "<!doctype html><html><head><script type=\"module\" src=\"/assets/index-AbC123.js\">"
    "</script></head><body><div id=\"app\"></div></body></html>";
// Long and repetitive, so that compressing it pays.
const std::string kScript = [] {
  std::string text;
  for (int i = 0; i < 400; ++i)
    text += "export const value" + std::to_string(i) + " = 'bulwark';\n";
  return text;
}();
const std::string kStyle = "body { color: #1a1a1a; }\n";
const std::string kIcon = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";

const std::array<core::EmbeddedFile, 4> kFiles = {{
    {"assets/index-AbC123.js", kScript},
    {"assets/index-Def456.css", kStyle},
    {"favicon.svg", kIcon},
    {"index.html", kIndexHtml},
}};

// A server with the dashboard's routes over `files`.
class WebServer : public TestServer {
 public:
  explicit WebServer(std::span<const core::EmbeddedFile> files) : TestServer("web-assets") {
    auto added = registerWebRoutes(server(), files);
    if (!added) throw std::runtime_error("registerWebRoutes: " + added.error().message);
    start();
  }

  httplib::Result get(const std::string& path, httplib::Headers headers = {}) const {
    auto http = client();
    http.set_decompress(false);
    return http.Get(path, headers);
  }
};

void expectSecurityHeaders(const httplib::Response& res, const std::string& what) {
  EXPECT_EQ(res.get_header_value("Content-Security-Policy"),
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
      << what;
  EXPECT_EQ(res.get_header_value("X-Content-Type-Options"), "nosniff") << what;
  EXPECT_EQ(res.get_header_value("Referrer-Policy"), "no-referrer") << what;
}

TEST(WebAssets, ThePageIsServedWithTheCspAndRevalidatedOnEveryLoad) {
  WebServer web(kFiles);
  auto res = web.get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, kIndexHtml);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-cache");
  expectSecurityHeaders(*res, "/");
  // No token needed, and none is looked at.
  auto with_bad_token = web.get("/", {{"Authorization", "Bearer bwk_nonsense"}});
  ASSERT_TRUE(with_bad_token);
  EXPECT_EQ(with_bad_token->status, 200);
}

TEST(WebAssets, HashedAssetsAreImmutableAndTypedByTheirExtension) {
  WebServer web(kFiles);
  auto script = web.get("/assets/index-AbC123.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_EQ(script->body, kScript);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(script->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  expectSecurityHeaders(*script, "the script");

  auto style = web.get("/assets/index-Def456.css");
  ASSERT_TRUE(style);
  EXPECT_EQ(style->status, 200);
  EXPECT_EQ(style->get_header_value("Content-Type"), "text/css; charset=utf-8");

  auto icon = web.get("/favicon.svg");
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->status, 200);
  EXPECT_EQ(icon->body, kIcon);
  EXPECT_EQ(icon->get_header_value("Content-Type"), "image/svg+xml");
  EXPECT_EQ(icon->get_header_value("Cache-Control"), "public, max-age=86400");
}

TEST(WebAssets, AnythingNotEmbeddedIs404) {
  WebServer web(kFiles);
  for (const std::string path :
       {"/assets/unknown-123.js", "/assets/index.html", "/assets/../index.html",
        "/assets/%2e%2e%2findex.html", "/assets/index-AbC123.js/x", "/index.html", "/assets"}) {
    auto res = web.get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(res->body.find("bulwark"), std::string::npos) << path << " leaked a file";
  }
}

TEST(WebAssets, TextIsCompressedForClientsThatAcceptGzip) {
  WebServer web(kFiles);
  auto res = web.get("/assets/index-AbC123.js", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  EXPECT_LT(res->body.size(), kScript.size() / 4);
  EXPECT_EQ(res->get_header_value("Vary"), "Accept-Encoding");
  auto plain = web.get("/assets/index-AbC123.js");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->has_header("Content-Encoding"));
}

TEST(WebAssets, WithoutABuiltDashboardThePageSaysHowToBuildIt) {
  WebServer web(std::span<const core::EmbeddedFile>{});
  auto res = web.get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("dashboard not built: run scripts/install-deps"), std::string::npos);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  expectSecurityHeaders(*res, "the notice");
  for (const std::string path : {"/assets/index-AbC123.js", "/favicon.svg"}) {
    auto missing = web.get(path);
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404) << path;
  }
}

TEST(WebAssets, ContentTypesByExtension) {
  EXPECT_EQ(contentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(contentTypeFor("assets/a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(contentTypeFor("assets/a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(contentTypeFor("assets/font.woff2"), "font/woff2");
  EXPECT_EQ(contentTypeFor("assets/blob"), "application/octet-stream");
  EXPECT_EQ(contentTypeFor("js"), "application/octet-stream");
}

// The dashboard this binary embeds (built from web/ when web/node_modules exists): the page
// and every asset it links load.
TEST(WebAssets, TheEmbeddedDashboardLoads) {
  const auto files = dashboardFiles();
  if (files.empty()) {
    GTEST_SKIP() << "this build has no dashboard (web/node_modules missing: run "
                    "scripts/install-deps)";
  }
  WebServer web(files);
  auto page = web.get("/");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  const std::regex linked(R"re((?:src|href)="(/assets/[^"]+)")re");
  int assets = 0;
  for (auto it = std::sregex_iterator(page->body.begin(), page->body.end(), linked);
       it != std::sregex_iterator(); ++it) {
    const std::string path = (*it)[1];
    auto asset = web.get(path);
    ASSERT_TRUE(asset) << path;
    EXPECT_EQ(asset->status, 200) << path;
    EXPECT_FALSE(asset->body.empty()) << path;
    EXPECT_EQ(asset->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
    ++assets;
  }
  EXPECT_GE(assets, 2) << "the page links a script and a stylesheet";
  auto icon = web.get("/favicon.svg");
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->status, 200);
}

// ---- GET /api/v1/whoami ---------------------------------------------------------------------

TEST(Whoami, EveryRoleLearnsItsNameRoleAndExpiry) {
  WebServer web(kFiles);
  auto http = web.client();
  const std::array<std::pair<std::string, std::string>, 3> tokens = {
      {{web.admin_, "admin"}, {web.reader_, "reader"}, {web.ingest_, "ingest"}}};
  for (const auto& [secret, role] : tokens) {
    auto call = testing::callApi(http, "GET", "/api/v1/whoami", secret);
    EXPECT_EQ(call.status, 200) << role;
    EXPECT_EQ(call.body["name"], role) << role;
    EXPECT_EQ(call.body["role"], role);
    EXPECT_TRUE(call.body["expires_at"].is_null()) << role;
  }
  const store::Millis expires = store::nowMillis() + 3'600'000;
  auto expiring = createToken(web.store(), "ci-bot", store::Role::Reader, expires);
  ASSERT_TRUE(expiring) << expiring.error().message;
  auto call = testing::callApi(http, "GET", "/api/v1/whoami", expiring->secret);
  EXPECT_EQ(call.status, 200);
  EXPECT_EQ(call.body["name"], "ci-bot");
  EXPECT_EQ(call.body["expires_at"], expires);
}

TEST(Whoami, NoTokenOrAnUnknownOneIs401) {
  WebServer web(kFiles);
  auto http = web.client();
  auto none = testing::callApi(http, "GET", "/api/v1/whoami", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.headers.find("WWW-Authenticate")->second, "Bearer");
  auto unknown = testing::callApi(http, "GET", "/api/v1/whoami", "bwk_" + std::string(43, 'x'));
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.body["error"]["code"], "unauthorized");
}

TEST(Whoami, ARevokedTokenIs401) {
  WebServer web(kFiles);
  auto created = createToken(web.store(), "leaving", store::Role::Admin, std::nullopt);
  ASSERT_TRUE(created);
  ASSERT_TRUE(web.store().revokeToken(created->token.id));
  auto http = web.client();
  EXPECT_EQ(testing::callApi(http, "GET", "/api/v1/whoami", created->secret).status, 401);
}

}  // namespace
}  // namespace bulwark::server
