// The background half of `bulwark serve` (and all of `bulwark worker`): scan workers, registry
// polling, scheduled database updates and re-evaluation when the database changes.
//
//   workers     `workers` ScanWorker threads claiming jobs from the store (worker.h); an
//               in-process enqueue wakes them at once (wake()).
//   poller      every registry with a poll interval is polled when due (poller.h); a tag whose
//               digest the store has not seen is recorded as a push and a scan is enqueued.
//   db update   every db_update_interval, `db update` with the configured feeds.
//   posture     the posture sync (pipeline/posture/sync.h): resources and assessments from
//               pushes, scans, re-evaluations and alerts, the secure score's history; a saved
//               scan and wakePosture() start a pass soon.
//   schedule    the Docker hosts and Kubernetes clusters of `posture.docker`/`kubernetes`,
//               each collected when due (pipeline/posture/schedule.h) and handed to the
//               workers as a bench job.
//   re-evaluate every reevaluate_check_interval the database's build id is compared with the one
//               the stored findings were matched against (reevaluate.h's setting); when it
//               changed — an update, or a `db import` by someone else — every stored inventory is
//               matched again. requestReevaluation() forces a run.
// stop() stops them all: workers return or finish their jobs (WorkerOptions::stop_deadline).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "pipeline/posture/schedule.h"
#include "pipeline/posture/sync.h"
#include "pipeline/service/reevaluate.h"
#include "pipeline/service/service_config.h"
#include "pipeline/service/worker.h"
#include "store/store.h"

namespace bulwark::pipeline::service {

struct ServiceRoles {
  bool poller = true;      // poll registries with a poll interval
  bool db_update = true;   // run scheduled database updates (when an interval is configured)
  bool reevaluate = true;  // re-evaluate when the database changes
  bool posture = true;     // keep the posture state in step (pipeline/posture/sync.h)
  bool schedule = true;    // collect the configured posture targets (pipeline/posture/schedule.h)
};

struct ServiceParts {
  std::string bulwark_version;
  CredentialsProvider credentials;
  AfterSaveHook after_save;
  ServiceRoles roles;
  // Called after each re-evaluation run (logs, metrics).
  std::function<void(const ReevaluateStats&)> after_reevaluate;
};

class Service {
 public:
  Service(store::Store& store, ServiceConfig config, ServiceParts parts);
  ~Service();  // stops
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Starts the threads. Errors: the quarantine policy files cannot be read.
  core::Status start();
  void stop();

  // A job was enqueued in this process.
  void wake();
  // Something posture follows changed (alerts stored, an exemption): a sync pass soon.
  void wakePosture();
  // Re-evaluates every stored inventory soon, even when the database did not change.
  void requestReevaluation();

  // The posture targets this process collects (none when its role has no schedule).
  [[nodiscard]] std::vector<ScheduledTarget> postureTargets() const;

  // Polls one registry now: records pushes and enqueues scans for digests not seen before.
  // Returns the number of scans enqueued.
  core::Result<std::size_t> pollNow(const store::Registry& registry);

  // The vulnerability database's current build id and build time (RFC 3339); "" when it cannot
  // be opened.
  [[nodiscard]] std::string databaseBuildId() const;
  [[nodiscard]] std::string databaseBuiltAt() const;

 private:
  void pollLoop(const std::stop_token& stop);
  void maintenanceLoop(const std::stop_token& stop);
  void scheduleLoop(const std::stop_token& stop);
  void reevaluateIfChanged(bool force);
  bool sleepFor(const std::stop_token& stop, std::chrono::milliseconds duration);

  store::Store& store_;
  ServiceConfig config_;
  ServiceParts parts_;
  std::shared_ptr<WakeSignal> wake_ = std::make_shared<WakeSignal>();
  std::vector<std::unique_ptr<ScanWorker>> workers_;
  std::optional<posture::Catalogue> catalogue_;
  std::unique_ptr<PostureSync> posture_;
  std::unique_ptr<PostureScheduler> scheduler_;
  mutable std::mutex targets_mutex_;
  std::vector<ScheduledTarget> targets_;  // scheduler_'s, as of its last pass
  std::vector<std::jthread> threads_;
  std::atomic<bool> reevaluate_requested_{false};
  std::atomic<bool> stopping_{false};
  std::mutex sleep_mutex_;
  std::condition_variable_any sleep_;
};

}  // namespace bulwark::pipeline::service
