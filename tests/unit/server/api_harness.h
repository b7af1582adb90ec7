// What the server's route tests share: a server on a loopback port over a fresh SQLite store
// with one token per role, and requests whose answers are checked against docs/openapi.yaml.
// Header-only.
#pragma once

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "openapi_check.h"
#include "server/metrics.h"
#include "server/server.h"
#include "server/tokens.h"
#include "store/store.h"
#include "support/process.h"
#include "testdata.h"

namespace bulwark::testing {

// docs/openapi.yaml, read once.
inline const OpenApi& projectOpenApi() {
  static const OpenApi kApi(sourceDir() / "docs" / "openapi.yaml");
  return kApi;
}

// An answer: its status, its body as text and as JSON (discarded when not JSON), its headers.
struct ApiCall {
  int status = 0;
  nlohmann::json body;
  std::string text;
  httplib::Headers headers;
};

// GET, POST (with `content_type`) or DELETE `target`, with `secret` as the bearer token when
// given; a transport error or an answer the OpenAPI file does not describe fails the test.
inline ApiCall callApi(httplib::Client& client, const std::string& method,
                       const std::string& target, const std::string& secret,
                       const std::string& body = "",
                       const std::string& content_type = "application/json") {
  httplib::Headers headers;
  if (!secret.empty()) headers.emplace("Authorization", "Bearer " + secret);
  httplib::Result result = method == "POST"     ? client.Post(target, headers, body, content_type)
                           : method == "DELETE" ? client.Delete(target, headers)
                                                : client.Get(target, headers);
  ApiCall out;
  if (!result) {
    ADD_FAILURE() << method << " " << target << ": " << httplib::to_string(result.error());
    return out;
  }
  out.status = result->status;
  out.text = result->body;
  out.headers = result->headers;
  out.body = nlohmann::json::parse(result->body, nullptr, false);
  const std::string path = target.substr(0, target.find('?'));
  for (const auto& problem : projectOpenApi().checkResponse(
           method, path, result->status, result->get_header_value("Content-Type"), result->body)) {
    ADD_FAILURE() << problem << "\n  body: " << out.text;
  }
  return out;
}

// A server over a fresh SQLite store in a temporary directory, its access log kept in memory,
// with the tokens admin_, reader_ and ingest_ (named "admin", "reader" and `ingest_name`).
// Routes beyond the server's own are added before start().
class TestServer {
 public:
  TestServer(const std::string& name, server::ServerOptions options = {}, server::Hooks hooks = {},
             const std::string& ingest_name = "ingest")
      : dir_("bulwark-" + name) {
    auto opened = store::openStore("sqlite:" + (dir_.path() / "bulwark.db").string());
    if (!opened) throw std::runtime_error("openStore: " + opened.error().message);
    store_ = std::move(*opened);
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    options.access_log = std::make_shared<spdlog::logger>("test." + name, sink);
    server_ = std::make_unique<server::Server>(options, *store_, std::move(hooks), metrics_);
    admin_ = token("admin", store::Role::Admin);
    reader_ = token("reader", store::Role::Reader);
    ingest_ = token(ingest_name, store::Role::Ingest);
  }

  void start() {
    auto started = server_->start();
    if (!started) throw std::runtime_error("start: " + started.error().message);
  }

  std::string token(const std::string& name, store::Role role) {
    auto created = server::createToken(*store_, name, role, std::nullopt);
    if (!created) throw std::runtime_error("createToken: " + created.error().message);
    return created->secret;
  }

  [[nodiscard]] httplib::Client client(int read_timeout_s = 30) const {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_connection_timeout(5);
    client.set_read_timeout(read_timeout_s);
    client.set_write_timeout(read_timeout_s);
    return client;
  }

  store::Store& store() { return *store_; }
  [[nodiscard]] std::filesystem::path databaseFile() const { return dir_.path() / "bulwark.db"; }
  server::Server& server() { return *server_; }
  server::Metrics& metrics() { return metrics_; }
  [[nodiscard]] int port() const { return server_->port(); }
  [[nodiscard]] std::string logs() const { return log_.str(); }

  std::string admin_, reader_, ingest_;

 private:
  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  server::Metrics metrics_;
  std::ostringstream log_;
  std::unique_ptr<server::Server> server_;
};

}  // namespace bulwark::testing
