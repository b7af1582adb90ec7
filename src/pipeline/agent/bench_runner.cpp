#include "pipeline/agent/bench_runner.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "checks/docker/snapshot.h"
#include "checks/k8s/node_snapshot.h"
#include "pipeline/harden.h"
#include "pipeline/harden_node.h"

namespace bulwark::pipeline::agent {

namespace {

std::string_view kindName(BenchKind kind) { return kind == BenchKind::Docker ? "docker" : "node"; }

}  // namespace

core::Result<BenchKind> parseBenchKind(std::string_view text) {
  if (text == "docker") return BenchKind::Docker;
  if (text == "node") return BenchKind::Node;
  return core::fail(core::ErrorCode::Usage, "'{}': docker or node", text);
}

core::Result<std::unique_ptr<BenchRunner>> BenchRunner::start(BenchRunnerOptions options) {
  if (options.kinds.empty()) return core::fail(core::ErrorCode::Usage, "nothing to bench");
  const bool node =
      std::find(options.kinds.begin(), options.kinds.end(), BenchKind::Node) != options.kinds.end();
  if (node && options.post.cluster.empty()) {
    return core::fail(core::ErrorCode::Usage,
                      "a node bench needs the cluster's name (--cluster NAME)");
  }
  if (options.interval < std::chrono::minutes(1)) {
    return core::fail(core::ErrorCode::Usage, "a bench interval of at least 1m");
  }
  std::unique_ptr<BenchRunner> runner(new BenchRunner(std::move(options)));
  runner->thread_ =
      std::jthread([raw = runner.get()](const std::stop_token& stop) { raw->run(stop); });
  return runner;
}

BenchRunner::BenchRunner(BenchRunnerOptions options) : options_(std::move(options)) {}

BenchRunner::~BenchRunner() { stop(); }

void BenchRunner::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

BenchRunnerStats BenchRunner::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void BenchRunner::run(const std::stop_token& stop) {
  using Clock = std::chrono::steady_clock;
  struct Due {
    BenchKind kind;
    Clock::time_point at;
    std::chrono::milliseconds backoff;
  };
  std::vector<Due> due;
  for (const BenchKind kind : options_.kinds) {
    due.push_back({kind, Clock::now(), options_.retry_min});
  }
  while (!stop.stop_requested()) {
    auto next = std::min_element(due.begin(), due.end(),
                                 [](const Due& a, const Due& b) { return a.at < b.at; });
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_until(lock, stop, next->at, [] { return false; }) || stop.stop_requested()) {
        return;
      }
    }
    if (Clock::now() < next->at) continue;
    const std::string error = runOnce(next->kind);
    if (error.empty()) {
      next->at = Clock::now() + options_.interval;
      next->backoff = options_.retry_min;
      continue;
    }
    next->at = Clock::now() + std::min(next->backoff, options_.interval);
    next->backoff = std::min(next->backoff * 2, options_.interval);
  }
}

std::string BenchRunner::runOnce(BenchKind kind) {
  core::Result<std::string> body = core::fail(core::ErrorCode::Internal, "not collected");
  if (kind == BenchKind::Docker) {
    DockerCollectOptions collect;
    collect.endpoint = dockerEndpoint(options_.docker_endpoint);
    collect.host_root = options_.host_root;
    collect.tool_version = options_.post.version;
    auto snapshot = collectDockerSnapshot(collect);
    if (snapshot) {
      body = checks::docker::writeSnapshot(*snapshot);
    } else {
      body = tl::unexpected(snapshot.error());
    }
  } else {
    NodeBenchOptions collect;
    collect.host_root = options_.host_root;
    collect.tool_version = options_.post.version;
    auto snapshot = collectNodeSnapshot(collect);
    if (snapshot) {
      body = checks::k8s::writeNodeSnapshot(*snapshot);
    } else {
      body = tl::unexpected(snapshot.error());
    }
  }
  std::string message;
  std::string error;
  if (!body) {
    error = fmt::format("{} bench: collecting: {}", kindName(kind), body.error().message);
  } else if (auto posted = postSnapshot(options_.post, *body); !posted) {
    error = fmt::format("{} bench: posting: {}", kindName(kind), posted.error().message);
  } else {
    message =
        fmt::format("{} bench: snapshot of {} posted, job {}{}", kindName(kind), posted->target,
                    posted->job_id, posted->created ? "" : " (the same snapshot was waiting)");
  }
  {
    std::lock_guard lock(mutex_);
    if (error.empty()) {
      ++stats_.posted;
    } else {
      ++stats_.failures;
      stats_.last_error = error;
    }
  }
  if (options_.log) options_.log(error.empty() ? message : error);
  return error;
}

}  // namespace bulwark::pipeline::agent
