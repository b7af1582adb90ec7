// The targets `bulwark serve` collects itself (docs/dev/posture-design.md §6.1): Docker hosts
// through their Engine socket and Kubernetes clusters through a kubeconfig, each every
// `interval`. A target's schedule lives in the store (posture_schedules, keyed by its posture
// resource: "host:web-1", "cluster:prod"), so that of several servers sharing a store exactly
// one collects a due target: the one whose compare-and-set on next_run_at succeeds. The
// collected snapshot becomes a posture input and a `bench` job (submitSnapshot), which a worker
// evaluates as it does a posted one; the run it stores is the schedule's last run.
//
// A Docker target's key is the host's name as Docker reports it, which only the host knows:
// a target configured without a `name` is collected once to learn it, then runs on its key's
// schedule like any other.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "pipeline/service/service_config.h"
#include "store/store.h"

namespace bulwark::pipeline {

// What one pass did, for logs and tests.
struct SchedulePass {
  int due = 0;                     // targets whose next run had come
  int collected = 0;               // ... collected and submitted by this server
  int failed = 0;                  // ... whose collection failed (a failed run records why)
  std::vector<std::int64_t> jobs;  // the bench jobs enqueued
};

// A configured target as the API lists it.
struct ScheduledTarget {
  std::string key;   // "" for a Docker host whose name is still to be learnt
  std::string kind;  // "docker", "k8s"
  std::string name;  // the configured name, else the Docker endpoint
  std::int64_t interval_ms = 0;
};

struct PostureSchedulerOptions {
  std::vector<DockerTargetConfig> docker;
  std::vector<KubernetesTargetConfig> kubernetes;
  std::string source = "schedule";  // the jobs' and runs' source
  std::string bulwark_version;      // recorded in the snapshots
};

class PostureScheduler {
 public:
  PostureScheduler(store::Store& store, PostureSchedulerOptions options);

  // Collects every target due at `now` that this server claims. Store errors stop the pass;
  // a target that cannot be collected is a failed run and the next target is tried.
  core::Result<SchedulePass> runDue(store::Millis now);

  // The configured targets' schedule keys, known so far ("" for a Docker target whose name is
  // still to be learnt), in configuration order: Docker hosts, then clusters.
  [[nodiscard]] std::vector<std::string> keys() const;
  [[nodiscard]] std::vector<ScheduledTarget> targets() const;

 private:
  struct Target {
    const DockerTargetConfig* docker = nullptr;
    const KubernetesTargetConfig* kubernetes = nullptr;
    std::string key;
    std::int64_t interval_ms = 0;
  };

  core::Result<std::string> collect(const Target& target) const;
  core::Status submit(Target& target, const std::string& body, store::Millis now,
                      SchedulePass& pass);
  core::Status recordFailure(const Target& target, const core::Error& error, store::Millis now,
                             SchedulePass& pass);

  store::Store& store_;
  PostureSchedulerOptions options_;
  std::vector<Target> targets_;
};

// After a worker stored the run of a scheduled bench job: records it as its target's last run
// (when the target has a schedule and no newer collection has been claimed meanwhile).
core::Status recordScheduledRun(store::Store& store, const std::string& target_key,
                                std::int64_t run_id);

}  // namespace bulwark::pipeline
