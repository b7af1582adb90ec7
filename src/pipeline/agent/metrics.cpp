#include "pipeline/agent/metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "core/http_server.h"

namespace bulwark::pipeline::agent {

namespace {

double cpuSeconds() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  auto seconds = [](const timeval& value) {
    return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double residentBytes() {
  std::ifstream statm("/proc/self/statm");
  double size = 0;
  double resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

void counter(prometheus::Registry& registry, const std::string& name, const std::string& help,
             double value, const prometheus::Labels& labels = {}) {
  prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add(labels).Increment(value);
}

void gauge(prometheus::Registry& registry, const std::string& name, const std::string& help,
           double value) {
  prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({}).Set(value);
}

}  // namespace

std::string renderMetrics(const AgentSnapshot& snapshot) {
  prometheus::Registry registry;
  const auto number = [](std::uint64_t value) { return static_cast<double>(value); };
  counter(registry, "bulwark_agent_alerts_total", "Alerts raised by the rules (after rate limits)",
          number(snapshot.alerts));
  counter(registry, "bulwark_agent_alerts_suppressed_total", "Alerts held back by --rate-limit",
          number(snapshot.suppressed));
  auto& dropped = prometheus::BuildCounter()
                      .Name("bulwark_agent_alerts_dropped_total")
                      .Help("Alerts lost before delivery, by reason")
                      .Register(registry);
  dropped.Add({{"reason", "queue_full"}}).Increment(number(snapshot.queue_dropped));
  dropped.Add({{"reason", "spool_error"}}).Increment(number(snapshot.spool_failed));
  dropped.Add({{"reason", "spool_full"}}).Increment(number(snapshot.spool.dropped));
  dropped.Add({{"reason", "torn"}}).Increment(number(snapshot.spool.torn));
  auto& sent = prometheus::BuildCounter()
                   .Name("bulwark_agent_alerts_delivered_total")
                   .Help("Alerts the server answered for, by its verdict")
                   .Register(registry);
  sent.Add({{"result", "accepted"}}).Increment(number(snapshot.upload.accepted));
  sent.Add({{"result", "duplicate"}}).Increment(number(snapshot.upload.duplicates));
  sent.Add({{"result", "rejected"}}).Increment(number(snapshot.upload.rejected));
  counter(registry, "bulwark_agent_batches_total", "Batches the server answered",
          number(snapshot.upload.batches));
  counter(registry, "bulwark_agent_send_failures_total",
          "Attempts to send a batch that failed and will be retried",
          number(snapshot.upload.failures));
  gauge(registry, "bulwark_agent_spool_bytes", "Bytes of alerts in the spool not yet delivered",
        number(snapshot.spool.pending_bytes));
  gauge(registry, "bulwark_agent_spool_segments", "Segment files in the spool",
        number(snapshot.spool.segments));
  gauge(registry, "bulwark_agent_server_reachable",
        "1 when the last attempt to send reached the server and was answered",
        snapshot.upload.reachable ? 1 : 0);
  gauge(registry, "bulwark_agent_last_delivery_timestamp_seconds",
        "Unix time of the last batch the server answered (0: none yet)",
        static_cast<double>(snapshot.upload.last_success_ms) / 1000.0);
  counter(registry, "process_cpu_seconds_total", "User and system CPU time of the agent",
          cpuSeconds());
  gauge(registry, "process_resident_memory_bytes", "Resident memory of the agent", residentBytes());
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

struct MetricsEndpoint::Impl {
  std::unique_ptr<httplib::Server> http;
  std::thread thread;
};

core::Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(
    const std::string& host, int port, std::function<AgentSnapshot()> snapshot) {
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  endpoint->impl_ = std::make_unique<Impl>();
  auto server = core::makeHttpServer("", "");
  if (!server) return tl::unexpected(server.error());
  httplib::Server& http = **server;
  // Scrapes are rare and quick; a client that connects and says nothing holds a thread for
  // the read timeout at most, and the other threads go on serving.
  http.new_task_queue = [] { return new httplib::ThreadPool(4); };
  http.set_read_timeout(5);
  http.set_write_timeout(5);
  http.set_keep_alive_timeout(2);
  http.set_keep_alive_max_count(10);
  http.Get("/metrics",
           [snapshot = std::move(snapshot)](const httplib::Request&, httplib::Response& res) {
             res.set_content(renderMetrics(snapshot()), "text/plain; version=0.0.4");
           });
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  const int bound =
      port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    return core::fail(core::ErrorCode::Io, "metrics: cannot listen on {}:{}", host, port);
  }
  endpoint->port_ = bound;
  endpoint->impl_->http = std::move(*server);
  endpoint->impl_->thread = core::listenInBackground(http);
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() {
  if (impl_ && impl_->http) {
    impl_->http->stop();
    if (impl_->thread.joinable()) impl_->thread.join();
  }
}

}  // namespace bulwark::pipeline::agent
