// The agent's scheduled bench runs (`bulwark agent --bench docker,node`; docs/agent.md): a
// thread that collects this host's Docker snapshot and/or Kubernetes node snapshot — what
// `bulwark collect docker` / `collect node` write — at start and every `interval`, and posts
// each to `bulwark serve` (POST /api/v1/posture/snapshots), whose workers evaluate it into the
// host's or node's posture. A collection or post that fails is tried again after a backoff
// (a minute, doubling up to the interval); the next scheduled run comes regardless.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "pipeline/posture/post_snapshot.h"

namespace bulwark::pipeline::agent {

enum class BenchKind : std::uint8_t { Docker, Node };

// "docker" → Docker, "node" → Node; Usage error naming both otherwise.
core::Result<BenchKind> parseBenchKind(std::string_view text);

struct BenchRunnerOptions {
  std::vector<BenchKind> kinds;
  std::chrono::milliseconds interval{std::chrono::hours(1)};
  std::chrono::milliseconds retry_min{std::chrono::minutes(1)};
  PostSnapshotOptions post;     // server, token, ca, cluster (node snapshots need it), version
  std::string docker_endpoint;  // unix:///…; "" = $DOCKER_HOST, else the default socket
  std::string host_root = "/";  // the host's / (a container mounts it at /host)
  // Each finished attempt, for the agent's log: what ran and how it ended.
  std::function<void(const std::string& message)> log;
};

struct BenchRunnerStats {
  std::uint64_t posted = 0;    // snapshots serve accepted
  std::uint64_t failures = 0;  // collections or posts that failed
  std::string last_error;
};

class BenchRunner {
 public:
  // Starts the thread (the first runs at once). Usage errors: no kinds, a node bench without
  // a cluster name, an interval under a minute.
  static core::Result<std::unique_ptr<BenchRunner>> start(BenchRunnerOptions options);
  ~BenchRunner();  // stops
  BenchRunner(const BenchRunner&) = delete;
  BenchRunner& operator=(const BenchRunner&) = delete;

  // Stops the thread; a collection or post under way finishes first (its own timeouts).
  void stop();
  [[nodiscard]] BenchRunnerStats stats() const;

 private:
  explicit BenchRunner(BenchRunnerOptions options);
  void run(const std::stop_token& stop);
  // One collection and post; "" when serve took it, else the error.
  std::string runOnce(BenchKind kind);

  BenchRunnerOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  BenchRunnerStats stats_;
  std::jthread thread_;
};

}  // namespace bulwark::pipeline::agent
