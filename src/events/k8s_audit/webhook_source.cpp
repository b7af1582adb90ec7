#include "events/k8s_audit/webhook_source.h"

#include <algorithm>
#include <chrono>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>
#include <httplib.h>
#include <openssl/crypto.h>

#include "core/http_server.h"

namespace bulwark::events::k8s_audit {

namespace {

// auditID + stage pairs seen recently; the oldest is forgotten first.
class RecentIds {
 public:
  explicit RecentIds(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

  // True when `key` was seen before (and remembers it as the newest).
  bool seen(std::string key) {
    if (const auto it = index_.find(key); it != index_.end()) {
      order_.splice(order_.end(), order_, it->second);
      return true;
    }
    order_.push_back(key);
    index_.emplace(std::move(key), std::prev(order_.end()));
    if (order_.size() > capacity_) {
      index_.erase(order_.front());
      order_.pop_front();
    }
    return false;
  }

 private:
  std::size_t capacity_;
  std::list<std::string> order_;
  std::unordered_map<std::string, std::list<std::string>::iterator> index_;
};

bool tokenMatches(const std::string& header, const std::string& token) {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() != kBearer.size() + token.size() || !header.starts_with(kBearer)) {
    return false;
  }
  return CRYPTO_memcmp(header.data() + kBearer.size(), token.data(), token.size()) == 0;
}

void answer(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(fmt::format(R"({{"error":"{}"}})", message), "application/json");
}

}  // namespace

bool isLoopback(const std::string& address) {
  return address == "localhost" || address == "::1" || address.starts_with("127.");
}

struct WebhookSource::Impl {
  WebhookOptions options;
  std::unique_ptr<httplib::Server> http;
  int port = -1;
  mutable std::mutex mutex;  // delivery, stats, dedup, diagnostics
  WebhookStats stats;
  RecentIds recent;
  std::uint64_t next_num = 1;
  const EventCallback* on_event = nullptr;
  core::Diagnostics* diagnostics = nullptr;

  explicit Impl(WebhookOptions o) : options(std::move(o)), recent(options.dedup_entries) {}

  void report(const httplib::Request& req, const std::string& kind, const std::string& detail) {
    if (diagnostics != nullptr) {
      diagnostics->add(kind, fmt::format("{}:{}", req.remote_addr, req.remote_port), detail);
    }
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    {
      const std::lock_guard lock(mutex);
      ++stats.requests;
    }
    if (!options.token.empty() &&
        !tokenMatches(req.get_header_value("Authorization"), options.token)) {
      const std::lock_guard lock(mutex);
      ++stats.unauthorized;
      res.set_header("WWW-Authenticate", "Bearer");
      return answer(res, 401, "a valid bearer token is required");
    }
    if (req.get_header_value("Content-Type").find("application/json") == std::string::npos) {
      const std::lock_guard lock(mutex);
      ++stats.bad_requests;
      report(req, "k8s-audit.bad-request", "Content-Type is not application/json");
      return answer(res, 400, "Content-Type must be application/json");
    }
    thread_local simdjson::dom::parser parser;
    std::vector<AuditEvent> events;
    std::size_t skipped = 0;
    const auto parsed = parseAuditBody(req.body, parser, events, skipped);
    const std::lock_guard lock(mutex);
    stats.skipped_events += skipped;
    if (!parsed) {
      ++stats.bad_requests;
      report(req, "k8s-audit.malformed", parsed.error().message);
      // Limit is also arrays nested too deep: a bad body, not a large one.
      const bool large =
          parsed.error().code == core::ErrorCode::Limit && req.body.size() > kMaxBodyBytes;
      return answer(res, large ? 413 : 400, parsed.error().message);
    }
    std::size_t accepted = 0;
    std::size_t duplicates = 0;
    for (const AuditEvent& audit : events) {
      std::string_view id;
      std::string_view stage;
      if (audit.root["auditID"].get_string().get(id) != simdjson::SUCCESS) id = {};
      if (audit.root["stage"].get_string().get(stage) != simdjson::SUCCESS) stage = {};
      // The same event again (a retried batch): same auditID and stage, same content. Events
      // that share an auditID but differ are kept (Falco's test traces have such edited copies).
      const std::size_t content = std::hash<std::string>()(simdjson::minify(audit.root));
      if (!id.empty() && recent.seen(fmt::format("{}\n{}\n{:x}", id, stage, content))) {
        ++duplicates;
        continue;
      }
      Event event;
      event.source = Source::K8sAudit;
      event.ts_ns = audit.ts_ns;
      event.num = next_num++;
      event.payload = &audit;
      if (on_event != nullptr) (*on_event)(event);
      ++accepted;
    }
    stats.events += accepted;
    stats.duplicates += duplicates;
    res.status = 200;
    res.set_content(fmt::format(R"({{"accepted":{},"skipped":{},"duplicates":{}}})", accepted,
                                skipped, duplicates),
                    "application/json");
  }
};

WebhookSource::WebhookSource(WebhookOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

WebhookSource::~WebhookSource() {
  if (impl_->http) impl_->http->stop();
}

core::Status WebhookSource::bind() {
  if (impl_->http) return {};
  const WebhookOptions& options = impl_->options;
  if (options.token.empty() && !isLoopback(options.address)) {
    return core::fail(core::ErrorCode::Usage,
                      "the audit webhook on {} would take events from anyone: give it a token "
                      "(--webhook-token-file) or bind a loopback address",
                      options.address);
  }
  auto server = core::makeHttpServer(options.tls_cert, options.tls_key);
  if (!server) return tl::unexpected(server.error());
  impl_->http = std::move(*server);
  httplib::Server& http = *impl_->http;
  const int threads = std::max(1, options.threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(kMaxBodyBytes);
  http.set_read_timeout(10);
  http.set_write_timeout(10);
  http.set_tcp_nodelay(true);
  Impl& impl = *impl_;
  http.Post(options.path, [&impl](const httplib::Request& req, httplib::Response& res) {
    impl.handle(req, res);
  });
  const auto not_allowed = [&impl](const httplib::Request& req, httplib::Response& res) {
    {
      const std::lock_guard lock(impl.mutex);
      ++impl.stats.bad_requests;
    }
    res.set_header("Allow", "POST");
    answer(res, 405, fmt::format("{} is not allowed: POST audit events", req.method));
  };
  http.Get(options.path, not_allowed);
  http.Put(options.path, not_allowed);
  http.Delete(options.path, not_allowed);
  http.Patch(options.path, not_allowed);
  http.set_error_handler([&impl](const httplib::Request&, httplib::Response& res) {
    if (res.status == 413) {
      const std::lock_guard lock(impl.mutex);
      ++impl.stats.bad_requests;
      answer(res, 413, fmt::format("the body is larger than {} bytes", kMaxBodyBytes));
    } else if (res.body.empty()) {
      answer(res, res.status, "not found");
    }
  });
  impl.port = options.port == 0
                  ? http.bind_to_any_port(options.address)
                  : (http.bind_to_port(options.address, options.port) ? options.port : -1);
  if (impl.port <= 0) {
    impl_->http.reset();
    return core::fail(core::ErrorCode::Io, "cannot listen on {}:{}", options.address, options.port);
  }
  return {};
}

int WebhookSource::port() const { return impl_->port; }

core::Status WebhookSource::run(const EventCallback& on_event, core::Diagnostics& diagnostics,
                                const std::atomic<bool>* stop) {
  if (auto bound = bind(); !bound) return bound;
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->on_event = &on_event;
    impl_->diagnostics = &diagnostics;
  }
  httplib::Server& http = *impl_->http;
  std::thread listener = core::listenInBackground(http);
  while (stop == nullptr || !stop->load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!http.is_running() && listener.joinable()) {
      // The listen loop ended by itself (socket error): stop serving.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (!http.is_running()) break;
    }
  }
  http.stop();
  listener.join();
  const std::lock_guard lock(impl_->mutex);
  impl_->on_event = nullptr;
  impl_->diagnostics = nullptr;
  return {};
}

WebhookStats WebhookSource::stats() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace bulwark::events::k8s_audit
