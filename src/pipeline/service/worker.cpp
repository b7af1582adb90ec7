#include "pipeline/service/worker.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/metadata_scanner.h"
#include "core/text.h"
#include "image/registry/reference.h"
#include "image/registry/registry_source.h"
#include "pipeline/posture/ingest_run.h"
#include "pipeline/posture/result_checks.h"
#include "pipeline/posture/schedule.h"
#include "pipeline/sbom.h"
#include "pipeline/service/finding_records.h"
#include "pipeline/service/inventory_codec.h"
#include "pipeline/service/promote.h"
#include "pipeline/service/registry_access.h"
#include "pipeline/service/stored_images.h"
#include "vulndb/database.h"

namespace bulwark::pipeline::service {

namespace {

using Clock = std::chrono::steady_clock;
using core::ErrorCode;

// An index lists at most this many platforms worth a job each.
constexpr std::size_t kMaxIndexChildren = 64;

std::int64_t elapsedMs(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

bool isIndex(const image::FetchedManifest& manifest, const nlohmann::json& json) {
  if (manifest.media_type == image::media::kOciIndex ||
      manifest.media_type == image::media::kDockerList) {
    return true;
  }
  return json.is_object() && json.contains("manifests") && !json.contains("layers");
}

// The Promote job for `digest` (an image, or an index) of a quarantine scan's repository and tag.
store::JobRequest promoteRequest(const store::JobRequest& scan, const std::string& digest,
                                 const std::string& target, int max_attempts) {
  store::JobRequest promote;
  promote.kind = store::JobKind::Promote;
  promote.registry = scan.registry;
  promote.repository = scan.repository;
  promote.digest = digest;
  promote.tag = scan.tag;
  promote.source = "quarantine";
  promote.target_repository = target;
  promote.max_attempts = max_attempts;
  return promote;
}

struct IndexChild {
  std::string digest;
  std::string platform;
};

// The platform children of an index, attestation entries ("unknown/unknown") left out.
core::Result<std::vector<IndexChild>> indexChildren(const nlohmann::json& index) {
  const auto manifests = index.find("manifests");
  if (manifests == index.end() || !manifests->is_array()) {
    return core::fail(ErrorCode::Input, "image index lists no manifests");
  }
  std::vector<IndexChild> children;
  for (const auto& entry : *manifests) {
    if (!entry.is_object()) return core::fail(ErrorCode::Input, "image index entry not an object");
    const auto digest = entry.find("digest");
    const auto platform = entry.find("platform");
    if (digest == entry.end() || !digest->is_string()) {
      return core::fail(ErrorCode::Input, "image index entry without a digest");
    }
    if (auto ok = image::checkDigest(digest->get<std::string>()); !ok) {
      return tl::unexpected(ok.error());
    }
    if (platform == entry.end() || !platform->is_object()) continue;
    image::Platform p;
    const auto text = [&](const char* key) {
      const auto it = platform->find(key);
      return it != platform->end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    p.os = text("os");
    p.architecture = text("architecture");
    p.variant = text("variant");
    if (p.os.empty() || p.architecture.empty() || p.os == "unknown") continue;
    if (children.size() == kMaxIndexChildren) {
      return core::fail(ErrorCode::Limit, "image index lists more than {} platforms",
                        kMaxIndexChildren);
    }
    children.push_back({digest->get<std::string>(), p.str()});
  }
  if (children.empty()) return core::fail(ErrorCode::Input, "image index lists no platform");
  return children;
}

}  // namespace

// ---- back-off, wake-up, names --------------------------------------------------------------

std::chrono::milliseconds retryDelay(const Backoff& backoff, int attempt, double unit_random) {
  const double initial = static_cast<double>(std::max<std::int64_t>(backoff.initial.count(), 0));
  const double cap = static_cast<double>(std::max<std::int64_t>(backoff.max.count(), 0));
  const double exponent = static_cast<double>(std::clamp(attempt, 1, 64) - 1);
  double delay = std::min(cap, initial * std::pow(std::max(backoff.factor, 1.0), exponent));
  const double jitter = std::clamp(backoff.jitter, 0.0, 1.0);
  delay *= 1.0 + jitter * (2.0 * std::clamp(unit_random, 0.0, 1.0) - 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(delay, 0.0)));
}

bool isRetryable(core::ErrorCode code) {
  switch (code) {
    case ErrorCode::Network:
    case ErrorCode::Io:
    case ErrorCode::Auth:
    case ErrorCode::NotFound:
    case ErrorCode::Internal: return true;
    case ErrorCode::Usage:
    case ErrorCode::Input:
    case ErrorCode::Integrity:
    case ErrorCode::Limit: return false;
  }
  return true;
}

void WakeSignal::notify() {
  {
    std::lock_guard lock(mutex_);
    ++generation_;
  }
  changed_.notify_all();
}

std::uint64_t WakeSignal::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

bool WakeSignal::waitFor(std::uint64_t seen, std::chrono::milliseconds timeout,
                         const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, stop, timeout, [&] { return generation_ != seen; });
}

std::string defaultWorkerName(int n) {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return fmt::format("{}:{}:{}", host.data()[0] != '\0' ? host.data() : "localhost", ::getpid(), n);
}

std::string_view toString(JobOutcome::Kind kind) {
  switch (kind) {
    case JobOutcome::Kind::Done: return "done";
    case JobOutcome::Kind::Retry: return "retry";
    case JobOutcome::Kind::Dead: return "dead";
    case JobOutcome::Kind::Released: return "released";
    case JobOutcome::Kind::Lost: return "lost";
  }
  return "done";
}

// ---- the lease keeper -----------------------------------------------------------------------

// Renews the lease of the running job every third of the lease, on its own thread; after a
// graceful stop was asked for and `stop_deadline` passed, releases the job instead.
class ScanWorker::LeaseKeeper {
 public:
  LeaseKeeper(store::Store& store, const store::Job& job, const WorkerOptions& options,
              std::stop_token run_stop)
      : store_(store),
        job_id_(job.id),
        worker_(options.name),
        lease_(options.lease),
        deadline_(options.stop_deadline),
        run_stop_(std::move(run_stop)) {
    thread_ = std::jthread([this](const std::stop_token& own) { loop(own); });
  }
  ~LeaseKeeper() {
    thread_.request_stop();
    changed_.notify_all();
  }
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  [[nodiscard]] bool lost() const { return lost_.load(); }
  [[nodiscard]] bool released() const { return released_.load(); }

 private:
  void loop(const std::stop_token& own) {
    const auto interval = std::max(lease_ / 3, std::chrono::milliseconds(10));
    const auto tick = std::min(interval, std::chrono::milliseconds(100));
    auto renewed = Clock::now();
    std::optional<Clock::time_point> stop_seen;
    std::mutex mutex;
    std::unique_lock lock(mutex);
    while (!own.stop_requested()) {
      changed_.wait_for(lock, own, tick, [] { return false; });
      if (own.stop_requested()) return;
      if (run_stop_.stop_requested()) {
        if (!stop_seen) stop_seen = Clock::now();
        if (Clock::now() - *stop_seen >= deadline_) {
          auto ok = store_.releaseJob(job_id_, worker_, store::nowMillis());
          if (!ok) spdlog::warn("job {}: release failed: {}", job_id_, ok.error().message);
          released_ = true;
          return;
        }
      }
      if (Clock::now() - renewed < interval) continue;
      auto kept = store_.renewLease(job_id_, worker_, store::nowMillis(), lease_.count());
      if (!kept) {
        spdlog::warn("job {}: renewing the lease failed: {}", job_id_, kept.error().message);
        continue;  // the store may come back before the lease runs out
      }
      if (!*kept) {
        lost_ = true;
        return;
      }
      renewed = Clock::now();
    }
  }

  store::Store& store_;
  std::int64_t job_id_;
  std::string worker_;
  std::chrono::milliseconds lease_;
  std::chrono::milliseconds deadline_;
  std::stop_token run_stop_;
  std::condition_variable_any changed_;
  std::atomic<bool> lost_{false};
  std::atomic<bool> released_{false};
  std::jthread thread_;  // last: started after, and joined before, the members it reads
};

// ---- the worker -----------------------------------------------------------------------------

struct ScanWorker::Attempt {
  bool ok = true;
  bool permanent = false;
  std::string error;

  static Attempt failed(const core::Error& error, std::string_view context = {}) {
    return {false, !isRetryable(error.code),
            context.empty() ? error.message : fmt::format("{}: {}", context, error.message)};
  }
  static Attempt permanentFailure(std::string error) { return {false, true, std::move(error)}; }
};

ScanWorker::ScanWorker(store::Store& store, WorkerOptions options)
    : store_(store), options_(std::move(options)) {
  if (options_.name.empty()) options_.name = defaultWorkerName(0);
  random_.seed(options_.seed != 0 ? options_.seed : std::random_device{}());
}

ScanWorker::~ScanWorker() = default;

ScanWorker::Attempt ScanWorker::reach(const store::JobRequest& request, store::Registry& registry,
                                      image::registry::RegistryOptions& access) {
  auto found = store_.findRegistry(request.registry);
  if (!found) return Attempt::failed(found.error(), "store");
  if (!*found) {
    return Attempt::permanentFailure(
        fmt::format("registry '{}' is not known", core::printable(request.registry)));
  }
  auto options = service::registryOptions(**found, options_.credentials);
  if (!options) return Attempt::failed(options.error(), "registry credentials");
  registry = std::move(**found);
  access = std::move(*options);
  return {};
}

core::Result<std::optional<JobOutcome>> ScanWorker::runOnce(store::Millis now) {
  auto claimed = store_.claimJob(options_.name, now, options_.lease.count());
  if (!claimed) return tl::unexpected(claimed.error());
  if (!*claimed) return std::optional<JobOutcome>();
  const store::Job job = std::move(**claimed);
  JobOutcome outcome;
  outcome.job_id = job.id;
  outcome.job_kind = job.request.kind;
  if (stop_.stop_requested()) {  // claimed, not started: back to the queue untouched
    if (auto ok = store_.releaseJob(job.id, options_.name, now); !ok) {
      return tl::unexpected(ok.error());
    }
    outcome.kind = JobOutcome::Kind::Released;
    return outcome;
  }

  const auto started = Clock::now();
  Attempt attempt;
  bool lost = false;
  bool released = false;
  {
    LeaseKeeper lease(store_, job, options_, stop_);
    switch (job.request.kind) {
      case store::JobKind::Scan: attempt = scan(job, now, outcome, lease); break;
      case store::JobKind::Promote: attempt = promote(job); break;
      case store::JobKind::Bench: attempt = bench(job, now); break;
    }
    lost = lease.lost();
    released = lease.released();
  }
  const store::Millis finished = now + elapsedMs(started);
  if (released || lost) {
    outcome.kind = released ? JobOutcome::Kind::Released : JobOutcome::Kind::Lost;
    spdlog::warn("job {} ({} {}@{}): {}; its result is dropped", job.id,
                 core::printable(job.request.registry), core::printable(job.request.repository),
                 job.request.digest, released ? "released at shutdown" : "lease lost");
    return outcome;
  }
  if (attempt.ok) {
    if (auto ok = store_.completeJob(job.id, options_.name, finished); !ok) {
      return tl::unexpected(ok.error());
    }
    outcome.kind = JobOutcome::Kind::Done;
    return outcome;
  }

  const bool dead = attempt.permanent || job.attempts >= job.request.max_attempts;
  std::optional<store::Millis> retry_at;
  if (!dead) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    retry_at = finished + retryDelay(options_.backoff, job.attempts, unit(random_)).count();
  }
  if (auto ok = store_.failJob(job.id, options_.name, attempt.error, finished, retry_at); !ok) {
    return tl::unexpected(ok.error());
  }
  outcome.kind = dead ? JobOutcome::Kind::Dead : JobOutcome::Kind::Retry;
  outcome.error = attempt.error;
  outcome.retry_at = retry_at;
  spdlog::warn("job {} ({} {} {}@{}) failed{}: {}", job.id, toString(job.request.kind),
               core::printable(job.request.registry), core::printable(job.request.repository),
               job.request.digest, dead ? " for good" : ", will retry", attempt.error);
  if (dead && job.request.kind == store::JobKind::Promote) {
    store::QuarantineDecision decision;
    decision.registry = job.request.registry;
    decision.repository = job.request.repository;
    decision.digest = job.request.digest;
    decision.target_repository = job.request.target_repository;
    decision.tag = job.request.tag;
    decision.promoted = false;
    decision.reason = "promotion failed: " + attempt.error;
    decision.at = finished;
    if (auto ok = store_.recordDecision(decision); !ok) return tl::unexpected(ok.error());
  }
  if (dead) recordPlatformDead(job, attempt.error, finished);
  return outcome;
}

void ScanWorker::run(const std::stop_token& stop) {
  stop_ = stop;
  while (!stop.stop_requested()) {
    const std::uint64_t seen = options_.wake ? options_.wake->generation() : 0;
    auto outcome = runOnce(store::nowMillis());
    if (!outcome) {
      spdlog::error("worker {}: {}", options_.name, outcome.error().message);
    } else if (*outcome) {
      continue;  // look for the next job at once
    }
    if (options_.wake) {
      options_.wake->waitFor(seen, options_.idle_poll, stop);
    } else {
      std::mutex mutex;
      std::unique_lock lock(mutex);
      std::condition_variable_any idle;
      idle.wait_for(lock, stop, options_.idle_poll, [] { return false; });
    }
  }
}

ScanWorker::Attempt ScanWorker::scan(const store::Job& job, store::Millis now, JobOutcome& outcome,
                                     const LeaseKeeper& lease) {
  const auto started = Clock::now();
  const auto& request = job.request;
  store::Registry registry;
  image::registry::RegistryOptions access;
  if (Attempt reached = reach(request, registry, access); !reached.ok) return reached;
  const std::string domain = registryDomain(registry.url);
  auto reference =
      image::registry::Reference::parse(domain + "/" + request.repository + "@" + request.digest);
  if (!reference) return Attempt::permanentFailure(reference.error().message);
  const std::string name = reference->str();

  auto client = image::registry::RegistryClient::create(reference->domain, access);
  if (!client) return Attempt::failed(client.error(), name);
  auto registry_store =
      std::make_shared<image::registry::RegistryStore>(*client, reference->repository);
  auto top = (*client)->fetchManifest(reference->repository, reference->digest);
  if (!top) return Attempt::failed(top.error(), name);
  const auto top_json = nlohmann::json::parse(top->bytes, nullptr, false);
  if (top_json.is_discarded()) return Attempt::permanentFailure(name + ": manifest is not JSON");

  if (isIndex(*top, top_json) && request.platform.empty()) {
    auto children = indexChildren(top_json);
    if (!children) return Attempt::failed(children.error(), name);
    for (const auto& child : *children) {
      store::JobRequest scan = request;
      scan.digest = child.digest;
      scan.platform = child.platform;
      scan.parent_digest = request.digest;
      scan.parent_job_id = job.id;
      if (auto ok = store_.recordPush(request.registry, request.repository, child.digest, "", now);
          !ok) {
        return Attempt::failed(ok.error(), "store");
      }
      auto enqueued = store_.enqueue(scan, now);
      if (!enqueued) return Attempt::failed(enqueued.error(), "store");
      outcome.children.push_back(enqueued->job_id);
    }
    if (options_.wake) options_.wake->notify();
    return {};
  }

  image::Platform platform;
  if (!request.platform.empty()) {
    auto parsed = image::Platform::parse(request.platform);
    if (!parsed) return Attempt::permanentFailure(parsed.error().message);
    platform = *parsed;
  }
  auto resolved = image::resolveImage(*registry_store, std::move(*top), platform);
  if (!resolved) return Attempt::failed(resolved.error(), name);

  // As image::openRegistry does for `bulwark scan REGISTRY/REPO`, with the job's credentials.
  model::Target target;
  target.name = name;
  target.kind = "registry";
  image::describeResolved(*resolved, target);
  if (!request.tag.empty()) target.repo_tags.push_back(reference->name() + ":" + request.tag);
  target.repo_digests.push_back(reference->name() + "@" + request.digest);
  std::vector<image::LayerInput> layers;
  for (std::size_t i = 0; i < resolved->layers.size(); ++i) {
    image::LayerInput input;
    const image::Descriptor& descriptor = resolved->layers[i];
    input.name = "layer " + descriptor.digest;
    input.digest = descriptor.digest;
    if (i < resolved->diff_ids.size()) input.diff_id = resolved->diff_ids[i];
    input.open = [store = registry_store, descriptor] { return store->openBlob(descriptor); };
    layers.push_back(std::move(input));
  }
  SbomOptions sbom;
  sbom.source = options_.source;
  sbom.source.platform = platform;
  auto image = image::makeLayeredImage(std::move(target), std::move(layers), sbom.source);
  // The image configuration checks see the layers' metadata as they stream (posture assesses
  // every registry image on them).
  static const core::Result<checks::CheckSet> kImageChecks = checks::loadBuiltinChecks();
  if (!kImageChecks) return Attempt::failed(kImageChecks.error(), "image checks");
  checks::MetadataScanner image_files;
  auto inventory = inventoryOf(*image, sbom, {&image_files});
  if (!inventory) return Attempt::failed(inventory.error(), name);
  const std::vector<model::CheckResult> config_results =
      checks::evaluateImage(*kImageChecks, inventory->target, image_files.results());

  auto database = vulndb::Database::open(options_.database.empty() ? vulndb::defaultDatabasePath()
                                                                   : options_.database);
  if (!database) return Attempt::failed(database.error(), "vulnerability database");
  auto db = database->metadata();
  if (!db) return Attempt::failed(db.error(), "vulnerability database");
  core::Diagnostics diagnostics;
  auto findings = matchFindings(*database, *inventory, diagnostics);
  if (!findings) return Attempt::failed(findings.error(), name);

  model::ScanReport report;
  report.scanners = {"vuln", "config"};
  report.db_build_id = db->build_id;
  report.db_built_at = db->built_at;
  report.findings = std::move(*findings);
  report.misconfigurations = config_results;
  report.inventory = std::move(*inventory);
  report.diagnostics = diagnostics.sorted();

  store::ScanResult result;
  result.digest = request.digest;
  result.inventory_json = encodeInventory(report.inventory);
  result.findings = toFindingRecords(report.findings, report.inventory);
  const store::Millis finished = now + elapsedMs(started);
  auto& metadata = result.metadata;
  metadata.db_build_id = db->build_id;
  metadata.bulwark_version = options_.bulwark_version;
  metadata.duration_ms = elapsedMs(started);
  metadata.scanned_at = now;
  metadata.evaluated_at = finished;
  metadata.os = osName(report.inventory.distro);
  // The index's word for a child (it names the variant), else the image config's.
  metadata.platform = request.platform.empty() ? resolved->platform.str() : request.platform;
  metadata.package_count = static_cast<std::int64_t>(report.inventory.packages.size());
  if (lease.lost() || lease.released()) return {};  // another worker has the job now

  auto changes = store_.saveResult(result);
  if (!changes) return Attempt::failed(changes.error(), "store");
  if (auto kept = store_.replaceResultChecks(request.digest, toResultChecks(config_results));
      !kept) {
    return Attempt::failed(kept.error(), "store");
  }
  outcome.findings = static_cast<std::int64_t>(result.findings.size());
  if (options_.after_save) options_.after_save(SavedScan{job, result, report, *changes});
  judgeQuarantine(job, result, finished, outcome);
  if (!request.parent_digest.empty()) {
    return judgeIndex(job, **client, reference->repository, finished, outcome);
  }
  return {};
}

void ScanWorker::judgeQuarantine(const store::Job& job, const store::ScanResult& result,
                                 store::Millis now, JobOutcome& outcome) {
  if (!options_.quarantine) return;
  const auto& request = job.request;
  auto target =
      releaseRepository(options_.quarantine->mappings, request.registry, request.repository);
  if (!target) return;
  const auto verdict = decide(*options_.quarantine, result, now);
  store::QuarantineDecision decision;
  decision.registry = request.registry;
  decision.repository = request.repository;
  decision.digest = request.digest;
  decision.target_repository = *target;
  decision.tag = request.tag;
  decision.promoted = verdict.promote;
  decision.reason = verdict.reason;
  decision.at = now;
  if (!request.parent_digest.empty()) {
    // A platform child: promoted with its index, when every platform of the index passes.
    decision.promoted = false;
    decision.reason += fmt::format(
        "; {} is one platform of index {}, promoted with it only when every platform passes",
        request.platform.empty() ? "this" : request.platform, request.parent_digest);
  } else if (verdict.promote && !request.platform.empty()) {
    decision.promoted = false;
    decision.reason +=
        fmt::format("; {} is one platform of an index: not promoted on its own", request.platform);
  } else if (verdict.promote) {
    auto enqueued = store_.enqueue(
        promoteRequest(request, request.digest, *target, options_.promote_max_attempts), now);
    if (enqueued) {
      outcome.promote_job = enqueued->job_id;
      decision.reason +=
          fmt::format("; promotion to {} queued (job {})", *target, enqueued->job_id);
      if (options_.wake) options_.wake->notify();
    } else {
      decision.promoted = false;
      decision.reason += "; queueing the promotion failed: " + enqueued.error().message;
    }
  }
  if (auto ok = store_.recordDecision(decision); !ok) {
    spdlog::warn("job {}: recording the quarantine decision failed: {}", job.id,
                 ok.error().message);
  }
}

ScanWorker::Attempt ScanWorker::judgeIndex(const store::Job& job,
                                           image::registry::RegistryClient& client,
                                           std::string_view repository, store::Millis now,
                                           JobOutcome& outcome) {
  if (!options_.quarantine) return {};
  const auto& request = job.request;
  auto target =
      releaseRepository(options_.quarantine->mappings, request.registry, request.repository);
  if (!target) return {};
  // The index's platforms, as the index's own job enqueued them.
  const std::string name = fmt::format("index {}", request.parent_digest);
  auto index = client.fetchManifest(repository, request.parent_digest);
  if (!index) return Attempt::failed(index.error(), name);
  const auto index_json = nlohmann::json::parse(index->bytes, nullptr, false);
  if (index_json.is_discarded() || !isIndex(*index, index_json)) {
    return Attempt::permanentFailure(name + ": not an image index");
  }
  auto children = indexChildren(index_json);
  if (!children) return Attempt::failed(children.error(), name);
  std::vector<IndexPlatform> platforms;
  platforms.reserve(children->size());
  for (auto& child : *children) platforms.push_back({child.digest, child.platform});
  auto verdict = judgeStoredIndex(store_, *options_.quarantine, platforms, now);
  if (!verdict) return Attempt::failed(verdict.error(), "store");
  // Platforms still being scanned: the last one to finish decides.
  if (verdict->state == StoredImageState::NotScanned) return {};

  store::QuarantineDecision decision;
  decision.registry = request.registry;
  decision.repository = request.repository;
  decision.digest = request.parent_digest;
  decision.target_repository = *target;
  decision.tag = request.tag;
  decision.promoted = verdict->state == StoredImageState::Passed;
  decision.reason = verdict->reason;
  decision.at = now;
  if (decision.promoted) {
    // Enqueued once per scan of the index (parent_job_id): when two workers finish the last two
    // platforms together, both get here and the second finds the first's job.
    store::JobRequest promote =
        promoteRequest(request, request.parent_digest, *target, options_.promote_max_attempts);
    promote.parent_job_id = request.parent_job_id;
    auto enqueued = store_.enqueue(promote, now);
    if (!enqueued) return Attempt::failed(enqueued.error(), "store");
    if (!enqueued->created) return {};  // judged by another worker
    outcome.promote_job = enqueued->job_id;
    decision.reason +=
        fmt::format("; promotion of the index to {} queued (job {})", *target, enqueued->job_id);
    if (options_.wake) options_.wake->notify();
  } else if (auto earlier = sameDecisionSince(decision, request.parent_job_id); !earlier) {
    return Attempt::failed(earlier.error(), "store");
  } else if (*earlier) {
    return {};  // already recorded for this scan of the index (by this job's earlier attempt)
  }
  if (auto ok = store_.recordDecision(decision); !ok) {
    spdlog::warn("job {}: recording the quarantine decision of index {} failed: {}", job.id,
                 request.parent_digest, ok.error().message);
  }
  return {};
}

core::Result<bool> ScanWorker::sameDecisionSince(const store::QuarantineDecision& decision,
                                                 std::int64_t parent_job_id) {
  store::Millis since = 0;
  if (parent_job_id != 0) {
    auto parent = store_.getJob(parent_job_id);
    if (!parent) return tl::unexpected(parent.error());
    if (*parent) since = (*parent)->created_at;
  }
  auto earlier = store_.decisions(decision.digest);
  if (!earlier) return tl::unexpected(earlier.error());
  return std::any_of(earlier->begin(), earlier->end(), [&](const store::QuarantineDecision& d) {
    return d.at >= since && d.registry == decision.registry &&
           d.repository == decision.repository &&
           d.target_repository == decision.target_repository && d.tag == decision.tag &&
           d.promoted == decision.promoted && d.reason == decision.reason;
  });
}

void ScanWorker::recordPlatformDead(const store::Job& job, std::string_view error,
                                    store::Millis now) {
  const auto& request = job.request;
  if (!options_.quarantine || request.kind != store::JobKind::Scan ||
      request.parent_digest.empty()) {
    return;
  }
  auto target =
      releaseRepository(options_.quarantine->mappings, request.registry, request.repository);
  if (!target) return;
  store::QuarantineDecision decision;
  decision.registry = request.registry;
  decision.repository = request.repository;
  decision.digest = request.parent_digest;
  decision.target_repository = *target;
  decision.tag = request.tag;
  decision.promoted = false;
  decision.reason = fmt::format("platform {} ({}) could not be scanned: {}", request.platform,
                                request.digest, error);
  decision.at = now;
  if (auto ok = store_.recordDecision(decision); !ok) {
    spdlog::warn("job {}: recording the quarantine decision of index {} failed: {}", job.id,
                 request.parent_digest, ok.error().message);
  }
}

ScanWorker::Attempt ScanWorker::bench(const store::Job& job, store::Millis now) {
  // The catalogue is embedded: loaded once, on the first bench job.
  static const core::Result<posture::Catalogue> kCatalogue = posture::builtinCatalogue();
  if (!kCatalogue) return Attempt::permanentFailure(kCatalogue.error().message);
  auto outcome = runBenchJob(store_, *kCatalogue, job, now);
  if (!outcome && outcome.error().code == core::ErrorCode::NotFound) {
    return Attempt::permanentFailure(outcome.error().message);  // the input will not come back
  }
  if (!outcome) return Attempt::failed(outcome.error(), job.request.repository);
  if (job.request.source.starts_with("schedule")) {
    if (auto recorded = recordScheduledRun(store_, job.request.repository, outcome->run.id);
        !recorded) {
      spdlog::warn("bench job {}: recording the schedule's last run: {}", job.id,
                   recorded.error().message);
    }
  }
  spdlog::info("bench job {}: {} run {} stored ({} results, {} resources, {} changes)", job.id,
               core::printable(job.request.repository), outcome->run.id, outcome->run.results,
               outcome->applied.resources, outcome->applied.changes);
  return {};
}

ScanWorker::Attempt ScanWorker::promote(const store::Job& job) {
  const auto& request = job.request;
  if (request.target_repository.empty()) {
    return Attempt::permanentFailure("a promote job needs a target repository");
  }
  store::Registry registry;
  image::registry::RegistryOptions access;
  if (Attempt reached = reach(request, registry, access); !reached.ok) return reached;
  auto client = image::registry::RegistryClient::create(registryDomain(registry.url), access);
  if (!client) return Attempt::failed(client.error(), request.registry);
  auto promoted = promoteImage(**client, request.repository, request.digest,
                               request.target_repository, request.tag);
  if (!promoted) {
    return Attempt::failed(promoted.error(),
                           fmt::format("promote {}@{} to {}", request.repository, request.digest,
                                       request.target_repository));
  }
  store::QuarantineDecision decision;
  decision.registry = request.registry;
  decision.repository = request.repository;
  decision.digest = request.digest;
  decision.target_repository = request.target_repository;
  decision.tag = request.tag;
  decision.promoted = true;
  decision.reason =
      fmt::format("promoted to {}{} ({} blobs present, {} mounted, {} copied)",
                  request.target_repository, request.tag.empty() ? "" : ":" + request.tag,
                  promoted->blobs_present, promoted->blobs_mounted, promoted->blobs_copied);
  decision.at = store::nowMillis();
  if (auto ok = store_.recordDecision(decision); !ok) return Attempt::failed(ok.error(), "store");
  // A promoted image lands in the release repository: recorded there too.
  if (auto ok = store_.recordPush(request.registry, request.target_repository, request.digest,
                                  request.tag, decision.at);
      !ok) {
    return Attempt::failed(ok.error(), "store");
  }
  return {};
}

}  // namespace bulwark::pipeline::service
