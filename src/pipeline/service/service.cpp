#include "pipeline/service/service.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "core/log.h"
#include "image/registry/client.h"
#include "pipeline/service/poller.h"
#include "pipeline/service/quarantine_policy.h"
#include "pipeline/service/registry_access.h"
#include "vulndb/database.h"
#include "vulndb/update/feed_list.h"
#include "vulndb/update/updater.h"

namespace bulwark::pipeline::service {

namespace {

// How often the poller looks for registries that are due.
constexpr std::chrono::milliseconds kPollTick{std::chrono::seconds(1)};
// How often serve looks for a due posture target (intervals are a minute at least).
constexpr std::chrono::milliseconds kScheduleTick{std::chrono::seconds(10)};

std::string databasePath(const ServiceConfig& config) {
  return config.database.empty() ? vulndb::defaultDatabasePath() : config.database;
}

}  // namespace

Service::Service(store::Store& store, ServiceConfig config, ServiceParts parts)
    : store_(store), config_(std::move(config)), parts_(std::move(parts)) {}

Service::~Service() { stop(); }

core::Status Service::start() {
  std::optional<QuarantineConfig> quarantine;
  if (!config_.quarantine.empty()) {
    auto loaded = quarantineConfig(config_.quarantine, config_.policy);
    if (!loaded) return tl::unexpected(loaded.error());
    quarantine = std::move(*loaded);
  }
  AfterSaveHook after_save = parts_.after_save;
  if (parts_.roles.posture) {
    auto catalogue = posture::builtinCatalogue();
    if (!catalogue) return tl::unexpected(catalogue.error());
    catalogue_ = std::move(*catalogue);
    PostureSyncOptions options;
    options.holder = defaultWorkerName(0) + ":posture";
    options.windows.alert_window_ms = config_.posture.alert_window.count();
    options.windows.sensor_timeout_ms = config_.posture.sensor_timeout.count();
    options.windows.scan_max_age_ms = config_.posture.scan_max_age.count();
    options.windows.scan_grace_ms = config_.posture.scan_grace.count();
    options.agent_clusters = config_.posture.agents;
    posture_ = std::make_unique<PostureSync>(store_, *catalogue_, std::move(options));
    after_save = [hook = parts_.after_save, sync = posture_.get()](const SavedScan& saved) {
      if (hook) hook(saved);
      sync->wake();
    };
  }
  for (int i = 0; i < config_.workers; ++i) {
    WorkerOptions options;
    options.name = defaultWorkerName(i);
    options.lease = config_.lease;
    options.database = databasePath(config_);
    options.bulwark_version = parts_.bulwark_version;
    options.credentials = parts_.credentials;
    options.after_save = after_save;
    options.quarantine = quarantine;
    options.wake = wake_;
    options.promote_max_attempts = config_.max_attempts;
    workers_.push_back(std::make_unique<ScanWorker>(store_, std::move(options)));
  }
  for (auto& worker : workers_) {
    threads_.emplace_back([&worker](const std::stop_token& stop) { worker->run(stop); });
  }
  if (posture_) {
    threads_.emplace_back([this](const std::stop_token& stop) { posture_->run(stop); });
  }
  if (parts_.roles.poller) {
    threads_.emplace_back([this](const std::stop_token& stop) { pollLoop(stop); });
  }
  if (parts_.roles.reevaluate || parts_.roles.db_update) {
    threads_.emplace_back([this](const std::stop_token& stop) { maintenanceLoop(stop); });
  }
  if (parts_.roles.schedule &&
      (!config_.posture.docker.empty() || !config_.posture.kubernetes.empty())) {
    PostureSchedulerOptions options;
    options.docker = config_.posture.docker;
    options.kubernetes = config_.posture.kubernetes;
    options.source = "schedule:" + defaultWorkerName(0);
    options.bulwark_version = parts_.bulwark_version;
    scheduler_ = std::make_unique<PostureScheduler>(store_, std::move(options));
    targets_ = scheduler_->targets();
    threads_.emplace_back([this](const std::stop_token& stop) { scheduleLoop(stop); });
  }
  return {};
}

void Service::stop() {
  if (stopping_.exchange(true)) return;
  for (auto& thread : threads_) thread.request_stop();
  sleep_.notify_all();
  threads_.clear();  // joins
  scheduler_.reset();
  workers_.clear();
  posture_.reset();
}

void Service::wake() { wake_->notify(); }

void Service::wakePosture() {
  if (posture_) posture_->wake();
}

void Service::requestReevaluation() {
  reevaluate_requested_ = true;
  sleep_.notify_all();
}

bool Service::sleepFor(const std::stop_token& stop, std::chrono::milliseconds duration) {
  std::unique_lock lock(sleep_mutex_);
  sleep_.wait_for(lock, stop, duration, [this] { return reevaluate_requested_.load(); });
  return !stop.stop_requested();
}

namespace {

std::optional<vulndb::DatabaseMetadata> databaseMetadata(const std::string& path) {
  auto database = vulndb::Database::open(path);
  if (!database) return std::nullopt;
  auto metadata = database->metadata();
  if (!metadata) return std::nullopt;
  return std::move(*metadata);
}

}  // namespace

std::string Service::databaseBuildId() const {
  const auto metadata = databaseMetadata(databasePath(config_));
  return metadata ? metadata->build_id : "";
}

std::string Service::databaseBuiltAt() const {
  const auto metadata = databaseMetadata(databasePath(config_));
  return metadata ? metadata->built_at : "";
}

core::Result<std::size_t> Service::pollNow(const store::Registry& registry) {
  auto options = registryOptions(registry, parts_.credentials);
  if (!options) return tl::unexpected(options.error());
  auto client = image::registry::RegistryClient::create(registryDomain(registry.url), *options);
  if (!client) return tl::unexpected(client.error());
  auto polled = pollRegistry(**client);
  if (!polled) return tl::unexpected(polled.error());
  for (const auto& d : polled->diagnostics) {
    spdlog::warn("poll {}: {} {}: {}", registry.name, d.kind, d.where, d.detail);
  }
  std::size_t enqueued = 0;
  const auto now = store::nowMillis();
  for (const auto& image : polled->images) {
    auto known = store_.findTag(registry.name, image.repository, image.tag);
    if (!known) return tl::unexpected(known.error());
    if (known->has_value() && (*known)->digest == image.digest) continue;
    if (auto pushed =
            store_.recordPush(registry.name, image.repository, image.digest, image.tag, now);
        !pushed) {
      return tl::unexpected(pushed.error());
    }
    store::JobRequest request;
    request.registry = registry.name;
    request.repository = image.repository;
    request.digest = image.digest;
    request.tag = image.tag;
    request.source = "poll";
    request.max_attempts = config_.max_attempts;
    auto queued = store_.enqueue(request, now);
    if (!queued) return tl::unexpected(queued.error());
    enqueued += queued->created ? 1 : 0;
  }
  if (auto marked = store_.markPolled(registry.name, now); !marked) {
    return tl::unexpected(marked.error());
  }
  if (enqueued > 0) wake();
  return enqueued;
}

void Service::pollLoop(const std::stop_token& stop) {
  while (sleepFor(stop, kPollTick)) {
    auto registries = store_.listRegistries();
    if (!registries) {
      spdlog::warn("poll: {}", registries.error().message);
      continue;
    }
    const auto now = store::nowMillis();
    for (const auto& registry : *registries) {
      if (stop.stop_requested()) return;
      if (registry.poll_interval_s <= 0) continue;
      const auto due = registry.last_polled_at.value_or(0) + registry.poll_interval_s * 1000;
      if (registry.last_polled_at.has_value() && due > now) continue;
      auto enqueued = pollNow(registry);
      if (!enqueued) {
        spdlog::warn("poll {}: {}", registry.name, enqueued.error().message);
        // Try again at the next interval, not at every tick.
        (void)store_.markPolled(registry.name, now);
      } else if (*enqueued > 0) {
        spdlog::info("poll {}: {} new image(s) queued for scanning", registry.name, *enqueued);
      }
    }
  }
}

std::vector<ScheduledTarget> Service::postureTargets() const {
  std::lock_guard lock(targets_mutex_);
  return targets_;
}

void Service::scheduleLoop(const std::stop_token& stop) {
  // The first pass runs at once: targets due while the service was down are collected now.
  std::chrono::milliseconds wait{0};
  while (sleepFor(stop, wait)) {
    wait = kScheduleTick;
    auto pass = scheduler_->runDue(store::nowMillis());
    {
      std::lock_guard lock(targets_mutex_);
      targets_ = scheduler_->targets();
    }
    if (!pass) {
      spdlog::warn("posture schedule: {}", pass.error().message);
      continue;
    }
    if (!pass->jobs.empty()) wake();
  }
}

void Service::reevaluateIfChanged(bool force) {
  const std::string path = databasePath(config_);
  auto database = vulndb::Database::open(path);
  if (!database) {
    spdlog::debug("re-evaluation: {}", database.error().message);
    return;
  }
  auto metadata = database->metadata();
  if (!metadata) return;
  auto evaluated = store_.getSetting(kReevaluatedSetting);
  if (!evaluated) {
    spdlog::warn("re-evaluation: {}", evaluated.error().message);
    return;
  }
  if (!force && evaluated->has_value() && **evaluated == metadata->build_id) return;
  ReevaluateOptions options;
  options.force = force;
  options.stop = &stopping_;
  options.threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  options.open_database = [path] { return vulndb::Database::open(path); };
  auto stats = reevaluateAll(store_, *database, options);
  if (!stats) {
    spdlog::warn("re-evaluation: {}", stats.error().message);
    return;
  }
  spdlog::info(
      "re-evaluation against database {}: {} inventories matched again ({} without a changed "
      "package, {} skipped, {} failed), {} new and {} resolved findings in {} ms",
      stats->db_build_id, stats->inventories, stats->unaffected, stats->skipped, stats->failed,
      stats->new_findings, stats->resolved, stats->duration_ms);
  if (parts_.after_reevaluate) parts_.after_reevaluate(*stats);
}

void Service::maintenanceLoop(const std::stop_token& stop) {
  auto next_update = std::chrono::steady_clock::now() + config_.db_update_interval;
  // The first check runs at once: a database imported while the service was down is noticed.
  std::chrono::milliseconds wait{0};
  while (sleepFor(stop, wait)) {
    wait = config_.reevaluate_check_interval;
    if (parts_.roles.db_update && config_.db_update_interval.count() > 0 &&
        std::chrono::steady_clock::now() >= next_update) {
      next_update = std::chrono::steady_clock::now() + config_.db_update_interval;
      vulndb::update::UpdateOptions options;
      options.database = databasePath(config_);
      auto feeds = config_.db_update_feeds_file.empty()
                       ? vulndb::update::osvFeeds(config_.db_update_mirror.empty()
                                                      ? vulndb::update::kOsvBaseUrl
                                                      : config_.db_update_mirror,
                                                  {})
                       : vulndb::update::loadFeedsFile(config_.db_update_feeds_file);
      if (!feeds) {
        spdlog::warn("db update: {}", feeds.error().message);
      } else {
        options.feeds = std::move(*feeds);
        if (!config_.db_update_mirror.empty()) {
          vulndb::update::rewriteOsvBase(options.feeds, config_.db_update_mirror);
        }
        auto updated = vulndb::update::updateDatabase(options);
        if (!updated) {
          spdlog::warn("db update: {}", updated.error().message);
        } else {
          spdlog::info("db update: {}",
                       updated->imported ? "new advisories imported" : "every feed unchanged");
        }
      }
    }
    if (parts_.roles.reevaluate) {
      reevaluateIfChanged(reevaluate_requested_.exchange(false));
    }
  }
}

}  // namespace bulwark::pipeline::service
