#include "pipeline/posture/schedule.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "checks/docker/snapshot.h"
#include "checks/k8s/snapshot.h"
#include "core/date.h"
#include "core/text.h"
#include "pipeline/harden.h"
#include "pipeline/harden_k8s.h"
#include "pipeline/posture/ingest_run.h"

namespace bulwark::pipeline {

namespace {

core::Result<std::map<std::string, store::ScheduleRecord>> schedulesByKey(store::Store& store) {
  auto listed = store.listSchedules();
  if (!listed) return tl::unexpected(listed.error());
  std::map<std::string, store::ScheduleRecord> out;
  for (auto& schedule : *listed) out.emplace(schedule.target_key, std::move(schedule));
  return out;
}

}  // namespace

PostureScheduler::PostureScheduler(store::Store& store, PostureSchedulerOptions options)
    : store_(store), options_(std::move(options)) {
  for (const auto& docker : options_.docker) {
    Target target;
    target.docker = &docker;
    if (!docker.name.empty()) target.key = "host:" + docker.name;
    target.interval_ms = docker.interval.count();
    targets_.push_back(std::move(target));
  }
  for (const auto& cluster : options_.kubernetes) {
    Target target;
    target.kubernetes = &cluster;
    target.key = "cluster:" + cluster.name;
    target.interval_ms = cluster.interval.count();
    targets_.push_back(std::move(target));
  }
}

std::vector<std::string> PostureScheduler::keys() const {
  std::vector<std::string> out;
  out.reserve(targets_.size());
  for (const auto& target : targets_) out.push_back(target.key);
  return out;
}

std::vector<ScheduledTarget> PostureScheduler::targets() const {
  std::vector<ScheduledTarget> out;
  out.reserve(targets_.size());
  for (const auto& target : targets_) {
    ScheduledTarget info;
    info.key = target.key;
    info.interval_ms = target.interval_ms;
    if (target.docker != nullptr) {
      info.kind = "docker";
      info.name = !target.docker->name.empty()       ? target.docker->name
                  : !target.docker->endpoint.empty() ? target.docker->endpoint
                                                     : dockerEndpoint("");
    } else {
      info.kind = "k8s";
      info.name = target.kubernetes->name;
    }
    out.push_back(std::move(info));
  }
  return out;
}

core::Result<SchedulePass> PostureScheduler::runDue(store::Millis now) {
  SchedulePass pass;
  auto schedules = schedulesByKey(store_);
  if (!schedules) return tl::unexpected(schedules.error());
  for (Target& target : targets_) {
    std::optional<std::string> body;
    if (target.key.empty()) {
      // A Docker host whose name is still to be learnt: its snapshot says it.
      auto collected = collect(target);
      if (!collected) {
        spdlog::warn("posture schedule: Docker host at {}: {}",
                     core::printable(target.docker->endpoint), collected.error().message);
        ++pass.failed;
        continue;
      }
      auto identified = identifySnapshot(*collected, "");
      if (!identified) {
        spdlog::warn("posture schedule: Docker host at {}: {}",
                     core::printable(target.docker->endpoint), identified.error().message);
        ++pass.failed;
        continue;
      }
      target.key = identified->target_key;
      body = std::move(*collected);
    }
    auto found = schedules->find(target.key);
    if (found == schedules->end()) {
      // New: due now. Another server may have made it meanwhile; then its record counts.
      auto added = store_.addSchedule({target.key, now, 0});
      if (!added) return tl::unexpected(added.error());
      if (!*added) {
        schedules = schedulesByKey(store_);
        if (!schedules) return tl::unexpected(schedules.error());
        found = schedules->find(target.key);
        if (found == schedules->end()) continue;  // removed meanwhile: next pass
      } else {
        found = schedules->emplace(target.key, store::ScheduleRecord{target.key, now, 0}).first;
      }
    }
    const store::ScheduleRecord& schedule = found->second;
    if (schedule.next_run_at > now) continue;
    ++pass.due;
    auto claimed = store_.claimSchedule(target.key, schedule.next_run_at, now + target.interval_ms,
                                        schedule.last_run_id);
    if (!claimed) return tl::unexpected(claimed.error());
    if (!*claimed) continue;  // another server collects it
    found->second.next_run_at = now + target.interval_ms;
    if (!body) {
      auto collected = collect(target);
      if (!collected) {
        if (auto recorded = recordFailure(target, collected.error(), now, pass); !recorded) {
          return tl::unexpected(recorded.error());
        }
        continue;
      }
      body = std::move(*collected);
    }
    if (auto submitted = submit(target, *body, now, pass); !submitted) {
      return tl::unexpected(submitted.error());
    }
  }
  return pass;
}

core::Result<std::string> PostureScheduler::collect(const Target& target) const {
  if (target.docker != nullptr) {
    DockerCollectOptions options;
    options.endpoint = dockerEndpoint(target.docker->endpoint);
    options.host_root = target.docker->host_root;
    options.tool_version = options_.bulwark_version;
    auto snapshot = collectDockerSnapshot(options);
    if (!snapshot) return tl::unexpected(snapshot.error());
    return checks::docker::writeSnapshot(*snapshot);
  }
  const KubernetesTargetConfig& cluster = *target.kubernetes;
  K8sBenchOptions options;
  options.kubeconfig = cluster.kubeconfig;
  options.context = cluster.context;
  options.namespaces = cluster.namespaces;
  options.kubelet_configz = cluster.kubelet_configz;
  options.timeout = cluster.timeout;
  core::Diagnostics diagnostics;  // what was unreadable is in the inventory's own states
  auto inventory = collectK8s(options, diagnostics);
  if (!inventory) return tl::unexpected(inventory.error());
  return checks::k8s::writeK8sSnapshot(*inventory, core::nowUtc(), options_.bulwark_version);
}

core::Status PostureScheduler::submit(Target& target, const std::string& body, store::Millis now,
                                      SchedulePass& pass) {
  const std::string cluster = target.kubernetes != nullptr ? target.kubernetes->name : "";
  auto identified = identifySnapshot(body, cluster);
  if (!identified) return recordFailure(target, identified.error(), now, pass);
  if (identified->target_key != target.key) {
    // The host was renamed, or `name` is not what Docker calls it: the run goes where the
    // snapshot says, and the schedule follows it from the next pass on.
    spdlog::warn("posture schedule: {} calls itself {}; its runs are stored under that name",
                 core::printable(target.key), core::printable(identified->target_key));
    target.key = identified->target_key;
  }
  auto submitted = submitSnapshot(store_, *identified, body, options_.source, now);
  if (!submitted) return tl::unexpected(submitted.error());
  ++pass.collected;
  pass.jobs.push_back(submitted->job.job_id);
  spdlog::info("posture schedule: {} collected, bench job {}", core::printable(target.key),
               submitted->job.job_id);
  return {};
}

core::Status PostureScheduler::recordFailure(const Target& target, const core::Error& error,
                                             store::Millis now, SchedulePass& pass) {
  ++pass.failed;
  spdlog::warn("posture schedule: {}: {}", core::printable(target.key), error.message);
  store::PostureRun run;
  run.kind = target.docker != nullptr ? "docker" : "k8s";
  run.target_key = target.key;
  run.source = options_.source;
  run.started_at = now;
  auto started = store_.startRun(run);
  if (!started) return tl::unexpected(started.error());
  run = *started;
  run.status = "failed";
  run.finished_at = now;
  run.diagnostics_json = runDiagnosticsJson({{"posture.collect-failed", "", error.message}});
  if (auto finished = store_.finishRun(run); !finished) return finished;
  auto recorded = recordScheduledRun(store_, target.key, run.id);
  if (!recorded) return recorded;
  return {};
}

core::Status recordScheduledRun(store::Store& store, const std::string& target_key,
                                std::int64_t run_id) {
  auto schedules = schedulesByKey(store);
  if (!schedules) return tl::unexpected(schedules.error());
  const auto found = schedules->find(target_key);
  if (found == schedules->end()) return {};
  const store::Millis next = found->second.next_run_at;
  // Keeps next_run_at; loses (rightly) to a server that claimed the next run meanwhile.
  auto claimed = store.claimSchedule(target_key, next, next, run_id);
  if (!claimed) return tl::unexpected(claimed.error());
  return {};
}

}  // namespace bulwark::pipeline
