// The agent's Prometheus metrics (docs/agent.md "Metrics") and the small HTTP endpoint that
// serves them: GET /metrics (text exposition format) and GET /healthz. It serves nothing else
// and takes no input, so it needs no token; it binds loopback unless told otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "pipeline/agent/spool.h"
#include "pipeline/agent/uploader.h"

namespace bulwark::pipeline::agent {

struct AgentSnapshot {
  std::uint64_t alerts = 0;         // alerts the rules raised and the rate limit let through
  std::uint64_t suppressed = 0;     // alerts the rate limit held back
  std::uint64_t queue_dropped = 0;  // alerts the spool's queue had no room for
  std::uint64_t spool_failed = 0;   // alerts the spool could not store
  SpoolStats spool;
  UploaderStats upload;
};

// The metrics text: bulwark_agent_* plus process_cpu_seconds_total and
// process_resident_memory_bytes of this process.
std::string renderMetrics(const AgentSnapshot& snapshot);

class MetricsEndpoint {
 public:
  // Listens on HOST:PORT (port 0: any free one, see port()) on its own thread.
  static core::Result<std::unique_ptr<MetricsEndpoint>> start(
      const std::string& host, int port, std::function<AgentSnapshot()> snapshot);
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  int port() const { return port_; }

 private:
  struct Impl;
  MetricsEndpoint() = default;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace bulwark::pipeline::agent
