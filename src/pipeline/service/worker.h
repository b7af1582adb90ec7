// The scan worker: claims jobs from the store's queue and runs them.
//
//   Scan     look the registry up in the store (unknown → permanent failure), read the image
//            host/repository@digest through the Registry API with the registry's credentials,
//            catalog it, match it against the vulnerability database, and save the result for
//            the digest (inventory, findings, metadata, the image configuration checks'
//            results), then complete the job. The platform of
//            the job picks the child of an index. A job for an index digest without a platform
//            is expanded HERE, by the worker: one Scan job per platform child (digest = the
//            child's manifest digest, platform = "os/arch[/variant]", attestation entries left
//            out), each child recorded as an image of the repository (Store::recordPush with no
//            tag); the index job itself completes without a result.
//            Each child job carries its index (parent_digest) and the index's job (parent_job_id).
//            When the repository is a quarantine repository (QuarantineConfig mappings), the
//            saved result is judged (quarantine_policy.h): a QuarantineDecision is recorded
//            either way, and when the policy passes a Promote job is enqueued. A platform child
//            of an index is judged and recorded but never promoted on its own: once its result
//            is saved, the index is judged (stored_images.h, judgeStoredIndex). While platforms
//            are still unscanned nothing more happens (the last one to finish decides); when
//            every platform passes, ONE Promote job for the index digest and the pushed tag is
//            enqueued (deduplicated per index job, so two workers finishing the last two
//            platforms together promote it once); when one fails, the index's decision names
//            the failing platforms. A platform job that dies records a decision for the index.
//   Promote  copies the image to `target_repository` (promote.h, promoteImage) and tags it.
//   Bench    evaluates a posture snapshot posted to serve (runBenchJob) and stores the run,
//            the target's resources and their check assessments; a snapshot that is not one,
//            or is gone, fails for good.
//
// Failures: the job goes back to the queue with run_after by exponential back-off (with a cap
// and jitter) until max_attempts, then dead-letters; input errors (an image that does not parse,
// a corrupt blob, an unknown registry, a limit) fail permanently at once. Every failure keeps a
// one-line reason in Job::last_error.
//
// While a job runs its lease is renewed on a timer (every third of the lease). A graceful stop
// (run's stop_token) returns a claimed job that has not started to the queue, and gives the job
// in progress `stop_deadline` to finish; past that the job is released for another worker and
// its result, when it comes, is dropped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <vector>

#include "core/result.h"
#include "image/registry/client.h"
#include "image/source.h"
#include "model/finding.h"
#include "pipeline/scan.h"
#include "pipeline/service/quarantine_policy.h"
#include "store/store.h"

namespace bulwark::pipeline::service {

struct Backoff {
  std::chrono::milliseconds initial{std::chrono::seconds(5)};
  std::chrono::milliseconds max{std::chrono::minutes(10)};
  double factor = 2.0;
  double jitter = 0.2;  // the delay is scaled by a random factor in [1 - jitter, 1 + jitter]
};

// The wait after the `attempt`-th failed attempt (1-based): initial * factor^(attempt-1), capped
// at max, then jittered by `unit_random` in [0, 1) (0.5: no change). Never negative.
std::chrono::milliseconds retryDelay(const Backoff& backoff, int attempt, double unit_random);

// Whether a failure with this code is worth retrying (network, I/O, auth, not found, internal)
// or permanent (input, integrity, limit, usage).
bool isRetryable(core::ErrorCode code);

// Wakes idle workers at once when a job is enqueued in the same process: the enqueuing side
// calls notify(); workers wait on it between polls. One signal is shared by all workers.
class WakeSignal {
 public:
  void notify();
  // The count of notifications so far: read it before looking for work, pass it to waitFor so
  // that a notification in between is not missed.
  [[nodiscard]] std::uint64_t generation() const;
  // Until a notification after `seen`, `stop` or `timeout`. True when notified.
  bool waitFor(std::uint64_t seen, std::chrono::milliseconds timeout, const std::stop_token& stop);

 private:
  mutable std::mutex mutex_;
  std::condition_variable_any changed_;
  std::uint64_t generation_ = 0;
};

// The registry's connection options with its credentials (the caller decrypts the password).
using CredentialsProvider =
    std::function<core::Result<image::registry::RegistryOptions>(const store::Registry&)>;

// What the worker saved for a Scan job, for the after-save hook (metrics, notifications).
struct SavedScan {
  const store::Job& job;
  const store::ScanResult& result;
  const model::ScanReport& report;  // the inventory and findings as scanned
  const std::vector<store::FindingChange>& changes;
};
using AfterSaveHook = std::function<void(const SavedScan&)>;

struct WorkerOptions {
  std::string name;  // Job::worker; "" = defaultWorkerName(0)
  std::chrono::milliseconds lease{std::chrono::minutes(2)};
  std::chrono::milliseconds idle_poll{std::chrono::seconds(2)};
  Backoff backoff;
  std::string database;  // the vulnerability database; "" = vulndb::defaultDatabasePath()
  // The worker runs Scanner::Vuln (findings) and the image configuration checks (their results
  // kept per digest as result_checks, for posture) on every scan.
  std::vector<Scanner> scanners = {Scanner::Vuln};
  std::string bulwark_version;  // ScanMetadata::bulwark_version
  // The registry's options and credentials (registry_access.h: sealedCredentials). Without
  // one: the registry's own insecure and ca_file, anonymous (registryOptions).
  CredentialsProvider credentials;
  AfterSaveHook after_save;
  std::optional<QuarantineConfig> quarantine;
  std::shared_ptr<WakeSignal> wake;  // may be null: poll only
  std::chrono::milliseconds stop_deadline{std::chrono::seconds(30)};
  image::SourceOptions source;   // parallelism and layer limits (registry and platform: the job)
  int promote_max_attempts = 5;  // of the Promote jobs the worker enqueues
  std::uint64_t seed = 0;        // jitter; 0 = random
};

// "host:pid:n"
std::string defaultWorkerName(int n);

struct JobOutcome {
  enum class Kind {
    Done,      // completed (Scan: result saved; index: children enqueued)
    Retry,     // failed, queued again at retry_at
    Dead,      // failed permanently or out of attempts
    Released,  // returned to the queue (graceful stop)
    Lost,      // the lease was lost to another worker; nothing saved
  };
  std::int64_t job_id = 0;
  store::JobKind job_kind = store::JobKind::Scan;
  Kind kind = Kind::Done;
  std::string error;                      // Retry, Dead
  std::optional<store::Millis> retry_at;  // Retry
  std::int64_t findings = 0;              // Scan: findings saved
  std::vector<std::int64_t> children;     // index: the Scan jobs enqueued per platform
  // Quarantine passed: the Promote job enqueued (for a platform child, the index's, when this
  // job's result completed the index and this job enqueued it).
  std::optional<std::int64_t> promote_job;
};

std::string_view toString(JobOutcome::Kind kind);  // "done", "retry", "dead", …

class ScanWorker {
 public:
  ScanWorker(store::Store& store, WorkerOptions options);
  ScanWorker(const ScanWorker&) = delete;
  ScanWorker& operator=(const ScanWorker&) = delete;
  ~ScanWorker();

  // Claims one job at `now` and runs it; nullopt when none is claimable. Fails only when the
  // store does (claiming, or recording the outcome).
  core::Result<std::optional<JobOutcome>> runOnce(store::Millis now);
  // Claims and runs jobs until `stop`; waits idle_poll (or a wake-up) when the queue is empty.
  void run(const std::stop_token& stop);

  [[nodiscard]] const std::string& name() const { return options_.name; }

 private:
  class LeaseKeeper;
  struct Attempt;

  Attempt scan(const store::Job& job, store::Millis now, JobOutcome& outcome,
               const LeaseKeeper& lease);
  Attempt promote(const store::Job& job);
  // A posted posture snapshot evaluated and stored (pipeline/posture/ingest_run.h).
  Attempt bench(const store::Job& job, store::Millis now);
  // The job's registry and how to reach it (its credentials opened), or a failed Attempt: an
  // unknown registry fails for good, a store or key error is retried.
  Attempt reach(const store::JobRequest& request, store::Registry& registry,
                image::registry::RegistryOptions& access);
  void judgeQuarantine(const store::Job& job, const store::ScanResult& result, store::Millis now,
                       JobOutcome& outcome);
  // A platform child's result is saved: judges its index when every platform has a result.
  Attempt judgeIndex(const store::Job& job, image::registry::RegistryClient& client,
                     std::string_view repository, store::Millis now, JobOutcome& outcome);
  // Whether `decision` was already recorded since the index's scan job was created.
  core::Result<bool> sameDecisionSince(const store::QuarantineDecision& decision,
                                       std::int64_t parent_job_id);
  // A platform child's scan died: its index stays in quarantine, and says why.
  void recordPlatformDead(const store::Job& job, std::string_view error, store::Millis now);

  store::Store& store_;
  WorkerOptions options_;
  std::mt19937_64 random_;
  std::stop_token stop_;  // run()'s, seen by the lease keeper
};

}  // namespace bulwark::pipeline::service
