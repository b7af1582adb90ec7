// The HTTP server of `bulwark serve`: the JSON API under /api/v1 (docs/api.md,
// docs/openapi.yaml), bearer-token authentication with roles, per-client rate limiting, a request
// body limit, one JSON log line per request, Prometheus metrics at /metrics, and TLS when given a
// certificate and key.
//
// Routes are a table of (method, pattern, access, handler). The API routes are registered by the
// constructor; other modules (registry webhooks, admission, Harbor's scanner API) plug theirs in
// with addRoute() before start(). Patterns are OpenAPI paths: "/api/v1/jobs/{id}" — a
// "{name}" segment matches one path segment (no '/'), available as RequestContext::param("name");
// "/" is the root alone.
//
// Every request goes through the same steps: route lookup (404/405), authentication (401 with
// WWW-Authenticate: Bearer, 403 for a role that is not enough), rate limit (429 with
// Retry-After), the body limit (413), then the handler. A handler that throws becomes a 500 with
// one log line; the server keeps serving.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "core/result.h"
#include "server/metrics.h"
#include "store/store.h"

namespace spdlog {
class logger;
}

namespace bulwark::server {

// Who may call a route. A token of role admin may call every route; a reader token the Reader
// routes; an ingest token the Ingest routes; any valid token the AnyToken routes (whoami).
// Public routes need no token (they may check their own secret, as the registry notification
// endpoint does).
enum class Access { Public, Reader, Ingest, Admin, AnyToken };
std::string_view toString(Access access);  // "public", "reader", "ingest", "admin", "any"
bool allows(store::Role role, Access access);

struct ServerOptions {
  std::string address = "127.0.0.1";
  int port = 0;          // 0: the kernel picks a free port; port() tells which
  std::string tls_cert;  // PEM files; both or neither (neither: plain HTTP)
  std::string tls_key;
  std::size_t max_body_bytes = std::size_t{4} << 20;
  // Token bucket per client (token id when the token is valid, else the remote address).
  // requests_per_second <= 0 disables the limit.
  double requests_per_second = 50;
  double burst = 100;
  int threads = 8;  // request threads
  // Where the JSON request log goes; nullptr: a logger named "bulwark.http" on stderr.
  std::shared_ptr<spdlog::logger> access_log;
};

// What `GET /api/v1/status` reports besides the store.
struct StatusInfo {
  std::string version;      // bulwark version
  std::string db_build_id;  // the vulnerability database in use ("" when none)
  int workers = 0;          // in-process workers
};

// Callbacks into the rest of the service; the lead wires them to the pipeline. Every one may be
// empty: the route that needs it then answers 503 (or, for on_enqueue, nothing happens).
// A target serve collects itself on a schedule (posture.docker / posture.kubernetes).
struct PostureTargetInfo {
  std::string key;   // its schedule's key ("host:web-1", "cluster:prod"); "" until learnt
  std::string kind;  // "docker" or "k8s"
  std::string name;  // the configured name, or the Docker endpoint when none
  std::int64_t interval_ms = 0;
};

struct Hooks {
  // A job was enqueued: wake in-process workers.
  std::function<void()> on_enqueue;
  std::function<StatusInfo()> status;
  // Encrypts a registry password before it reaches the store (Registry::password_sealed).
  std::function<core::Result<std::string>(std::string_view plaintext)> seal_secret;
  // The manifest digest a tag points at now (POST /api/v1/scans with a tag and no digest).
  std::function<core::Result<std::string>(const store::Registry& registry,
                                          std::string_view repository, std::string_view tag)>
      resolve_tag;
  // Starts a re-evaluation of every stored inventory; returns at once.
  std::function<core::Status()> reevaluate;
  // The targets this server collects itself (GET /api/v1/posture/schedules); unset: none.
  std::function<std::vector<PostureTargetInfo>()> posture_targets;
};

// What a handler sees: the request, its path parameters and the caller's token.
struct RequestContext {
  const httplib::Request& http;
  std::map<std::string, std::string, std::less<>> params;  // "{id}" → value
  std::optional<store::Token> token;                       // nullopt on Public routes

  [[nodiscard]] std::string param(std::string_view name) const;
  // The query parameter, or "" when absent.
  [[nodiscard]] std::string query(const std::string& name) const;
};

using RouteHandler = std::function<void(const RequestContext&, httplib::Response&)>;

struct RouteInfo {
  std::string method;   // "GET", "POST", "DELETE", "PUT"
  std::string pattern;  // "/api/v1/jobs/{id}"
  Access access = Access::Reader;
  std::size_t max_body_bytes = 0;  // 0: ServerOptions::max_body_bytes
};

// {"error": {"code": code, "message": message}} with `status`.
void sendError(httplib::Response& res, int status, std::string_view code, std::string_view message);
// `body` (a JSON document) with `status` and Content-Type application/json.
void sendJson(httplib::Response& res, int status, const std::string& body);

class Server {
 public:
  Server(ServerOptions options, store::Store& store, Hooks hooks, Metrics& metrics);
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Adds a route (before start()). Input error: a bad pattern or a duplicate (method, pattern).
  // `max_body_bytes` (0: the server's) is the route's own body limit, larger or smaller than
  // ServerOptions::max_body_bytes: the Kubernetes audit webhook takes what the API server's
  // batches hold, the other routes keep the server's limit.
  core::Status addRoute(std::string_view method, std::string_view pattern, Access access,
                        RouteHandler handler, std::size_t max_body_bytes = 0);
  // Every registered route, in registration order.
  [[nodiscard]] std::vector<RouteInfo> routes() const;

  // Binds and starts serving on background threads. Errors: bad options, TLS files unreadable,
  // the address cannot be bound.
  core::Status start();
  // The bound port (after start()).
  [[nodiscard]] int port() const;
  [[nodiscard]] bool tls() const;
  // Graceful stop: stops accepting connections, lets in-flight requests finish, joins threads.
  // Idempotent.
  void stop();
  // Blocks until the server stopped (by stop() from another thread).
  void wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bulwark::server
