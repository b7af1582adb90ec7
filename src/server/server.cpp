#include "server/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/chrono.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/http_server.h"
#include "server/api.h"
#include "server/rate_limiter.h"
#include "server/tokens.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kUnmatchedRoute = "unmatched";
constexpr std::size_t kMaxPathSegments = 64;

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;  // paths begin with '/'
  while (start <= path.size() && segments.size() <= kMaxPathSegments) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

struct Route {
  RouteInfo info;
  std::vector<std::string> segments;  // "{id}" for a parameter
  RouteHandler handler;
};

// What the pre-routing step found, for the dispatcher and the logger on the same thread
// (cpp-httplib runs routing, handler and logger of one request on one thread).
struct RequestState {
  const httplib::Request* request = nullptr;
  SteadyClock::time_point started;
  const Route* route = nullptr;
  std::map<std::string, std::string, std::less<>> params;
  std::optional<store::Token> token;
};
thread_local RequestState t_state;

std::string errorCodeFor(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 414: return "uri_too_long";
    case 429: return "rate_limited";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "error";
  }
}

std::string errorMessageFor(int status) {
  switch (status) {
    case 400: return "the request is malformed";
    case 413: return "the request body is too large";
    case 414: return "the request URI is too long";
    default: return fmt::format("HTTP status {}", status);
  }
}

std::string isoTime(std::chrono::system_clock::time_point at) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(seconds), ms % 1000);
}

// "Bearer <token>" → token; "" when absent or another scheme.
std::string bearerToken(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return {};
  }
  std::string_view token(header);
  token.remove_prefix(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return std::string(token);
}

}  // namespace

std::string_view toString(Access access) {
  switch (access) {
    case Access::Public: return "public";
    case Access::Reader: return "reader";
    case Access::Ingest: return "ingest";
    case Access::Admin: return "admin";
    case Access::AnyToken: return "any";
  }
  return "admin";
}

bool allows(store::Role role, Access access) {
  switch (access) {
    case Access::Public: return true;
    case Access::Reader: return role == store::Role::Reader || role == store::Role::Admin;
    case Access::Ingest: return role == store::Role::Ingest || role == store::Role::Admin;
    case Access::Admin: return role == store::Role::Admin;
    case Access::AnyToken: return true;
  }
  return false;
}

std::string RequestContext::param(std::string_view name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::string RequestContext::query(const std::string& name) const {
  return http.has_param(name) ? http.get_param_value(name) : std::string();
}

void sendJson(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

void sendError(httplib::Response& res, int status, std::string_view code,
               std::string_view message) {
  Json body = {{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}};
  sendJson(res, status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

struct Server::Impl {
  ServerOptions options;
  store::Store& store;
  Hooks hooks;
  Metrics& metrics;
  std::vector<Route> routes;
  std::unique_ptr<RateLimiter> limiter;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<httplib::Server> http;
  std::thread thread;
  std::mutex stop_mutex;
  int port = 0;
  bool started = false;

  Impl(ServerOptions opts, store::Store& st, Hooks h, Metrics& m)
      : options(std::move(opts)), store(st), hooks(std::move(h)), metrics(m) {}

  const Route* match(std::string_view method, std::string_view path,
                     std::map<std::string, std::string, std::less<>>& params,
                     bool& path_known) const {
    path_known = false;
    if (path.empty() || path.front() != '/') return nullptr;
    const auto segments = splitPath(path);
    for (const Route& route : routes) {
      if (route.segments.size() != segments.size()) continue;
      std::map<std::string, std::string, std::less<>> found;
      bool ok = true;
      for (std::size_t i = 0; i < segments.size() && ok; ++i) {
        const std::string& want = route.segments[i];
        if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
          ok = !segments[i].empty();
          if (ok) found.emplace(want.substr(1, want.size() - 2), std::string(segments[i]));
        } else {
          ok = want == segments[i];
        }
      }
      if (!ok) continue;
      path_known = true;
      if (route.info.method == method || (method == "HEAD" && route.info.method == "GET")) {
        params = std::move(found);
        return &route;
      }
    }
    return nullptr;
  }

  // Route lookup, authentication and rate limiting, before the body is read.
  httplib::Server::HandlerResponse preRoute(const httplib::Request& req, httplib::Response& res) {
    t_state = RequestState{};
    t_state.request = &req;
    t_state.started = SteadyClock::now();
    bool path_known = false;
    const Route* route = match(req.method, req.path, t_state.params, path_known);
    if (route == nullptr) {
      if (path_known) {
        sendError(res, 405, "method_not_allowed", "method not allowed on this path");
      } else {
        sendError(res, 404, "not_found", "no such route");
      }
      return httplib::Server::HandlerResponse::Handled;
    }
    t_state.route = route;
    std::string client_key = "ip:" + req.remote_addr;
    if (route->info.access != Access::Public) {
      const std::string secret = bearerToken(req);
      if (secret.empty()) {
        res.set_header("WWW-Authenticate", "Bearer");
        sendError(res, 401, "unauthorized", "a bearer token is required");
        return httplib::Server::HandlerResponse::Handled;
      }
      auto token = authenticateToken(store, secret, store::nowMillis());
      if (!token) {
        logError(req, "token lookup failed: " + token.error().message);
        sendError(res, 503, "unavailable", "the store is unavailable");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (!*token) {
        // Unknown, revoked and expired tokens look the same; rate-limited by address.
        if (int wait = limiter->take(client_key, RateLimiter::Clock::now()); wait > 0) {
          return rateLimited(res, wait);
        }
        res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        sendError(res, 401, "unauthorized", "the token is unknown, revoked or expired");
        return httplib::Server::HandlerResponse::Handled;
      }
      t_state.token = std::move(**token);
      client_key = "token:" + std::to_string(t_state.token->id);
      if (!allows(t_state.token->role, route->info.access)) {
        sendError(res, 403, "forbidden",
                  fmt::format("this route needs the {} role", toString(route->info.access)));
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (int wait = limiter->take(client_key, RateLimiter::Clock::now()); wait > 0) {
      return rateLimited(res, wait);
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }

  [[nodiscard]] std::size_t bodyLimit(const Route& route) const {
    return route.info.max_body_bytes != 0 ? route.info.max_body_bytes : options.max_body_bytes;
  }

  static httplib::Server::HandlerResponse rateLimited(httplib::Response& res, int wait) {
    res.set_header("Retry-After", std::to_string(wait));
    sendError(res, 429, "rate_limited", "too many requests; retry later");
    return httplib::Server::HandlerResponse::Handled;
  }

  void dispatch(const httplib::Request& req, httplib::Response& res) {
    if (t_state.request != &req || t_state.route == nullptr) {
      sendError(res, 500, "internal", "request was not routed");
      return;
    }
    // The listener reads bodies up to the largest route limit (and skips larger ones with a
    // 413 of its own, so that the client can finish sending and read the answer); a route
    // with a smaller limit refuses the body here.
    if (const std::size_t limit = bodyLimit(*t_state.route); req.body.size() > limit) {
      sendError(res, 413, "payload_too_large",
                fmt::format("the request body is larger than {} bytes", limit));
      return;
    }
    RequestContext context{req, t_state.params, t_state.token};
    try {
      t_state.route->handler(context, res);
    } catch (const std::exception& e) {
      logError(req, std::string("handler threw: ") + e.what());
      res = httplib::Response{};
      sendError(res, 500, "internal", "internal error");
    } catch (...) {
      logError(req, "handler threw a non-standard exception");
      res = httplib::Response{};
      sendError(res, 500, "internal", "internal error");
    }
  }

  void logError(const httplib::Request& req, std::string_view message) {
    Json line = {{"time", isoTime(std::chrono::system_clock::now())},
                 {"level", "error"},
                 {"method", req.method},
                 {"path", req.path},
                 {"message", std::string(message)}};
    log->error("{}", line.dump(-1, ' ', false, Json::error_handler_t::replace));
  }

  void logRequest(const httplib::Request& req, const httplib::Response& res) {
    const bool ours = t_state.request == &req;
    const double seconds =
        ours ? std::chrono::duration<double>(SteadyClock::now() - t_state.started).count() : 0.0;
    const std::string route = ours && t_state.route != nullptr ? t_state.route->info.pattern
                                                               : std::string(kUnmatchedRoute);
    // Label values stay a small set whatever clients send.
    static constexpr std::array<std::string_view, 7> kMethods = {"GET",    "HEAD",  "POST",   "PUT",
                                                                 "DELETE", "PATCH", "OPTIONS"};
    const bool known = std::find(kMethods.begin(), kMethods.end(), req.method) != kMethods.end();
    metrics.countRequest(known ? std::string_view(req.method) : "other", route, res.status,
                         seconds);
    Json line = {{"time", isoTime(std::chrono::system_clock::now())},
                 {"level", "info"},
                 {"method", req.method},
                 {"path", req.path},
                 {"route", route},
                 {"status", res.status},
                 {"duration_ms", std::round(seconds * 1e6) / 1e3},
                 {"bytes", res.body.size()},
                 {"token", ours && t_state.token ? t_state.token->name : std::string("-")},
                 {"client", req.remote_addr}};
    log->info("{}", line.dump(-1, ' ', false, Json::error_handler_t::replace));
  }
};

Server::Server(ServerOptions options, store::Store& store, Hooks hooks, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), store, std::move(hooks), metrics)) {
  impl_->log = impl_->options.access_log;
  if (!impl_->log) {
    impl_->log = spdlog::get("bulwark.http");
    if (!impl_->log) {
      impl_->log = spdlog::stderr_logger_mt("bulwark.http");
      impl_->log->set_pattern("%v");
      impl_->log->set_level(spdlog::level::info);
    }
  }
  impl_->limiter =
      std::make_unique<RateLimiter>(impl_->options.requests_per_second, impl_->options.burst);
  registerApiRoutes(*this, impl_->store, impl_->hooks, impl_->metrics);
}

Server::~Server() { stop(); }

core::Status Server::addRoute(std::string_view method, std::string_view pattern, Access access,
                              RouteHandler handler, std::size_t max_body_bytes) {
  if (impl_->started) return core::fail(core::ErrorCode::Internal, "route added after start");
  if (method != "GET" && method != "POST" && method != "PUT" && method != "DELETE") {
    return core::fail(core::ErrorCode::Input, "route method {} is not supported", method);
  }
  if (pattern.empty() || pattern.front() != '/' || !handler) {
    return core::fail(core::ErrorCode::Input, "bad route pattern '{}'", pattern);
  }
  Route route;
  route.info = RouteInfo{std::string(method), std::string(pattern), access, max_body_bytes};
  for (std::string_view segment : splitPath(pattern)) {
    const bool param = !segment.empty() && segment.front() == '{';
    // "/" splits into one empty segment, which matches the request path "/" alone.
    if ((segment.empty() && pattern != "/") ||
        (param && (segment.size() < 3 || segment.back() != '}'))) {
      return core::fail(core::ErrorCode::Input, "bad route pattern '{}'", pattern);
    }
    route.segments.emplace_back(segment);
  }
  for (const Route& existing : impl_->routes) {
    if (existing.info.method == method && existing.info.pattern == pattern) {
      return core::fail(core::ErrorCode::Input, "route {} {} registered twice", method, pattern);
    }
  }
  route.handler = std::move(handler);
  impl_->routes.push_back(std::move(route));
  return {};
}

std::vector<RouteInfo> Server::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(impl_->routes.size());
  for (const Route& route : impl_->routes) out.push_back(route.info);
  return out;
}

core::Status Server::start() {
  Impl& impl = *impl_;
  if (impl.started) return core::fail(core::ErrorCode::Internal, "server started twice");
  const ServerOptions& options = impl.options;
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return core::fail(core::ErrorCode::Usage, "TLS needs both a certificate and a key");
  }
  if (options.port < 0 || options.port > 65535 || options.threads < 1 ||
      options.max_body_bytes == 0) {
    return core::fail(core::ErrorCode::Usage, "bad server options (port, threads or body limit)");
  }
  auto server = core::makeHttpServer(options.tls_cert, options.tls_key);
  if (!server) return tl::unexpected(server.error());
  impl.http = std::move(*server);
  httplib::Server& http = *impl.http;
  const int threads = options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  std::size_t largest_body = options.max_body_bytes;
  for (const Route& route : impl.routes) {
    largest_body = std::max(largest_body, route.info.max_body_bytes);
  }
  http.set_payload_max_length(largest_body);
  http.set_keep_alive_timeout(2);
  http.set_read_timeout(10);
  // Without TCP_NODELAY a keep-alive response written in two parts waits for the client's
  // delayed ACK (~40 ms per request).
  http.set_tcp_nodelay(true);
  http.set_write_timeout(10);
  http.set_pre_routing_handler([&impl](const httplib::Request& req, httplib::Response& res) {
    return impl.preRoute(req, res);
  });
  auto dispatch = [&impl](const httplib::Request& req, httplib::Response& res) {
    impl.dispatch(req, res);
  };
  http.Get(".*", dispatch);
  http.Post(".*", dispatch);
  http.Put(".*", dispatch);
  http.Delete(".*", dispatch);
  http.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        sendError(res, res.status, errorCodeFor(res.status), errorMessageFor(res.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_exception_handler([&impl](const httplib::Request& req, httplib::Response& res,
                                     const std::exception_ptr& error) {
    std::string what = "unknown exception";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    impl.logError(req, "request failed: " + what);
    sendError(res, 500, "internal", "internal error");
  });
  http.set_logger([&impl](const httplib::Request& req, const httplib::Response& res) {
    impl.logRequest(req, res);
  });
  if (options.port == 0) {
    impl.port = http.bind_to_any_port(options.address);
  } else {
    impl.port = http.bind_to_port(options.address, options.port) ? options.port : -1;
  }
  if (impl.port <= 0) {
    impl.http.reset();
    return core::fail(core::ErrorCode::Io, "cannot listen on {}:{}", options.address, options.port);
  }
  impl.started = true;
  impl.thread = core::listenInBackground(http);
  return {};
}

int Server::port() const { return impl_->port; }

bool Server::tls() const { return !impl_->options.tls_cert.empty(); }

void Server::stop() {
  std::lock_guard lock(impl_->stop_mutex);
  if (impl_->http) impl_->http->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void Server::wait() {
  while (impl_->http && impl_->http->is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace bulwark::server
