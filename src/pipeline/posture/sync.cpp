// The posture sync (sync.h).
#include "pipeline/posture/sync.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "pipeline/posture/result_checks.h"
#include "pipeline/posture/stored_counts.h"
#include "posture/resource_key.h"

namespace bulwark::pipeline {
namespace {

using Json = nlohmann::json;
using model::Assessment;
using model::Resource;

constexpr std::string_view kImagesMark = "posture.feed.images";
constexpr std::string_view kResultsMark = "posture.feed.results";
constexpr std::string_view kAlertsMark = "posture.feed.alerts";
constexpr std::string_view kCatalogueSetting = "posture.catalogue_sha";
constexpr std::string_view kLeaseName = "posture";
constexpr store::Millis kAlertRecheckMs = 60'000;
constexpr store::Millis kScorePointEveryMs = 3'600'000;
constexpr std::int64_t kListPage = 1000;

#define SYNC_TRY(expression)                             \
  do {                                                   \
    if (auto status_ = (expression); !status_) {         \
      return tl::unexpected(std::move(status_).error()); \
    }                                                    \
  } while (false)

// A feed's mark from its setting ("" or unreadable: the beginning).
core::Result<Json> readMark(store::Store& store, std::string_view key) {
  auto text = store.getSetting(key);
  if (!text) return tl::unexpected(text.error());
  if (!*text || (*text)->empty()) return Json::object();
  Json mark = Json::parse(**text, nullptr, false);
  return mark.is_object() ? mark : Json::object();
}

std::string textOf(const Json& mark, const char* key) {
  const auto it = mark.find(key);
  return it != mark.end() && it->is_string() ? it->get<std::string>() : std::string();
}

store::Millis millisOf(const Json& mark, const char* key) {
  const auto it = mark.find(key);
  return it != mark.end() && it->is_number_integer() ? it->get<store::Millis>() : 0;
}

posture::VulnCounts vulnCountsOf(const store::SeverityCounts& counts, std::int64_t fixable) {
  posture::VulnCounts out;
  out.critical = counts.critical;
  out.high = counts.high;
  out.medium = counts.medium;
  out.low = counts.low;
  out.negligible = counts.negligible;
  out.unknown = counts.unknown;
  out.fixable = fixable;
  return out;
}

// Findings of severity low or worse with a fixed version (the store's results.fixable).
core::Result<std::int64_t> fixableOf(store::Store& store, const std::string& digest) {
  store::FindingQuery query;
  query.digest = digest;
  query.min_severity = model::Severity::Low;
  query.fixable_only = true;
  query.limit = 1;
  auto page = store.findings(query);
  if (!page) return tl::unexpected(page.error());
  return page->total;
}

// The scan figures of a digest when it is in a monitored registry and scanned.
core::Result<std::optional<posture::VulnCounts>> countsOfDigest(store::Store& store,
                                                                const std::string& digest) {
  using Counts = std::optional<posture::VulnCounts>;
  auto rows = store.imagesOfDigest(digest);
  if (!rows) return tl::unexpected(rows.error());
  if (rows->empty()) return Counts();
  const store::ImageKey& first = rows->front();
  auto image = store.findImage(first.registry, first.repository, first.digest);
  if (!image) return tl::unexpected(image.error());
  if (!*image || !(*image)->scan) return Counts();
  auto fixable = fixableOf(store, digest);
  if (!fixable) return tl::unexpected(fixable.error());
  return Counts(vulnCountsOf((*image)->counts, *fixable));
}

core::Result<std::vector<store::ResourceRecord>> allResources(store::Store& store,
                                                              store::ResourceQuery query) {
  std::vector<store::ResourceRecord> out;
  query.limit = kListPage;
  for (query.offset = 0;; query.offset += kListPage) {
    auto page = store.queryResources(query);
    if (!page) return tl::unexpected(page.error());
    for (auto& record : page->resources) out.push_back(std::move(record));
    if (static_cast<std::int64_t>(page->resources.size()) < kListPage) break;
  }
  return out;
}

// Whether `key`'s last segment (a container id) starts with `prefix` (Falco's 12 characters).
bool idStartsWith(std::string_view key, std::string_view prefix) {
  const auto slash = key.rfind('/');
  const std::string_view id = slash == std::string_view::npos ? key : key.substr(slash + 1);
  return !prefix.empty() && id.starts_with(prefix);
}

}  // namespace

core::Result<std::vector<model::Assessment>> assessRunningContainers(
    store::Store& store, const posture::Catalogue& catalogue,
    std::span<const model::Resource> containers, const posture::AssessContext& context) {
  std::map<std::string, std::optional<posture::VulnCounts>, std::less<>> by_digest;
  std::vector<model::Assessment> out;
  for (const model::Resource& container : containers) {
    if (container.type != model::ResourceType::Container) continue;
    std::optional<posture::VulnCounts> counts;
    if (const auto it = container.attrs.find("image_digest"); it != container.attrs.end()) {
      auto known = by_digest.find(it->second);
      if (known == by_digest.end()) {
        auto found = countsOfDigest(store, it->second);
        if (!found) return tl::unexpected(found.error());
        known = by_digest.emplace(it->second, *found).first;
      }
      counts = known->second;
    }
    if (auto assessment = posture::assessRunningImage(catalogue, container.id, counts, context)) {
      out.push_back(std::move(*assessment));
    }
  }
  return out;
}

PostureSync::PostureSync(store::Store& store, const posture::Catalogue& catalogue,
                         PostureSyncOptions options)
    : store_(store), catalogue_(catalogue), options_(std::move(options)) {
  options_.page = std::clamp<std::int64_t>(options_.page, 1, store::kMaxFeedPage);
}

void PostureSync::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void PostureSync::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    if (auto stats = runOnce(store::nowMillis()); !stats) {
      spdlog::warn("posture sync: {}", stats.error().message);
    }
    std::unique_lock lock(mutex_);
    const bool woken = wake_.wait_for(lock, stop, options_.interval, [this] { return woken_; });
    if (stop.stop_requested()) break;
    if (woken) {
      // Gather what else comes within the debounce into one pass.
      wake_.wait_for(lock, stop, options_.debounce, [] { return false; });
      woken_ = false;
    }
  }
}

core::Result<PostureSyncStats> PostureSync::runOnce(store::Millis now) {
  PostureSyncStats stats;
  auto leader = store_.takeLease(kLeaseName, options_.holder, now, now + options_.lease.count());
  if (!leader) return tl::unexpected(leader.error());
  if (!*leader) return stats;
  stats.leader = true;
  assessed_.clear();
  registries_.clear();
  SYNC_TRY(restartOnNewCatalogue());
  SYNC_TRY(syncImages(now, stats));
  SYNC_TRY(syncResults(now, stats));
  SYNC_TRY(syncAlerts(now, stats));
  if (now - last_alert_check_ >= kAlertRecheckMs) {
    SYNC_TRY(syncSensors(now, stats));
    SYNC_TRY(recheckOpenAlerts(now, stats));
    // Scans are due: pushes still waiting every minute, every image hourly (a scan too old).
    const bool hourly = now - last_image_check_ >= kScorePointEveryMs;
    SYNC_TRY(recheckImages(now, hourly, stats));
    if (hourly) last_image_check_ = now;
    if (auto refreshed = store_.refreshExemptions(now); !refreshed) {
      return tl::unexpected(refreshed.error());
    }
    last_alert_check_ = now;
  }
  SYNC_TRY(updateScore(now, stats));
  return stats;
}

core::Status PostureSync::restartOnNewCatalogue() {
  auto stored = store_.getSetting(kCatalogueSetting);
  if (!stored) return tl::unexpected(stored.error());
  if (*stored && **stored == catalogue_.sha256()) return {};
  // Another catalogue judged what is stored: every feed from the start.
  for (std::string_view key : {kImagesMark, kResultsMark, kAlertsMark}) {
    SYNC_TRY(store_.putSetting(key, ""));
  }
  return store_.putSetting(kCatalogueSetting, catalogue_.sha256());
}

core::Status PostureSync::syncImages(store::Millis now, PostureSyncStats& stats) {
  auto mark_json = readMark(store_, kImagesMark);
  if (!mark_json) return tl::unexpected(mark_json.error());
  store::ImageKey mark{textOf(*mark_json, "registry"), textOf(*mark_json, "repository"),
                       textOf(*mark_json, "digest"), millisOf(*mark_json, "at")};
  for (;;) {
    auto page = store_.imagesPushedAfter(mark, options_.page);
    if (!page) return tl::unexpected(page.error());
    for (const store::ImageKey& image : *page) SYNC_TRY(assessImage(image, now, stats));
    SYNC_TRY(flushImages(stats));
    if (page->empty()) return {};
    mark = page->back();
    const Json next = {{"at", mark.at},
                       {"registry", mark.registry},
                       {"repository", mark.repository},
                       {"digest", mark.digest}};
    SYNC_TRY(store_.putSetting(kImagesMark, next.dump()));
    if (static_cast<std::int64_t>(page->size()) < options_.page) return {};
  }
}

core::Status PostureSync::syncResults(store::Millis now, PostureSyncStats& stats) {
  auto mark_json = readMark(store_, kResultsMark);
  if (!mark_json) return tl::unexpected(mark_json.error());
  store::FeedMark mark{millisOf(*mark_json, "at"), textOf(*mark_json, "key")};
  for (;;) {
    auto page = store_.resultsEvaluatedAfter(mark, options_.page);
    if (!page) return tl::unexpected(page.error());
    std::vector<std::string> digests;
    for (const store::FeedMark& result : *page) {
      auto images = store_.imagesOfDigest(result.key);
      if (!images) return tl::unexpected(images.error());
      for (const store::ImageKey& image : *images) SYNC_TRY(assessImage(image, now, stats));
      digests.push_back(result.key);
    }
    SYNC_TRY(flushImages(stats));
    if (!digests.empty()) SYNC_TRY(assessRunning(digests, now, stats));
    if (page->empty()) return {};
    mark = page->back();
    SYNC_TRY(store_.putSetting(kResultsMark, Json{{"at", mark.at}, {"key", mark.key}}.dump()));
    if (static_cast<std::int64_t>(page->size()) < options_.page) return {};
  }
}

core::Status PostureSync::assessImage(const store::ImageKey& key, store::Millis now,
                                      PostureSyncStats& stats) {
  const std::string id = posture::imageResource(key.registry, key.repository, key.digest).id;
  // In the pending batch already, or written earlier in this pass (from the other feed).
  if (image_batch_ids_.count(id) != 0 || assessed_.count(id) != 0) return {};
  auto found = store_.findImage(key.registry, key.repository, key.digest);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return {};  // removed since the feed listed it
  const store::ImageRecord& image = **found;
  posture::AssessContext context = options_.windows;
  context.now_ms = now;

  Resource registry = posture::registryResource(key.registry);
  auto known = registries_.find(key.registry);
  if (known == registries_.end()) {
    auto stored_registry = store_.findRegistry(key.registry);
    if (!stored_registry) return tl::unexpected(stored_registry.error());
    known = registries_.emplace(key.registry, std::move(*stored_registry)).first;
  }
  if (known->second) {
    registry.attrs["url"] = known->second->url;
    registry.attrs["poll_interval_s"] = std::to_string(known->second->poll_interval_s);
    registry.first_seen = known->second->created_at;
  }
  Resource repository = posture::repositoryResource(key.registry, key.repository);
  Resource resource = posture::imageResource(key.registry, key.repository, key.digest);
  resource.attrs["registry"] = key.registry;
  resource.attrs["repository"] = key.repository;
  resource.attrs["digest"] = key.digest;
  for (const std::string& tag : image.tags) resource.labels.emplace("tag=" + tag, "");
  resource.first_seen = image.first_seen;
  resource.last_seen = image.last_pushed;
  std::optional<posture::VulnCounts> counts;
  if (image.scan) {
    const store::ScanMetadata& scan = *image.scan;
    resource.attrs["os"] = scan.os;
    resource.attrs["platform"] = scan.platform;
    resource.attrs["scanned_at"] = std::to_string(scan.scanned_at);
    resource.attrs["evaluated_at"] = std::to_string(scan.evaluated_at);
    resource.attrs["db_build_id"] = scan.db_build_id;
    resource.last_seen = std::max(image.last_pushed, scan.evaluated_at);
    auto fixable = fixableOf(store_, key.digest);
    if (!fixable) return tl::unexpected(fixable.error());
    counts = vulnCountsOf(image.counts, *fixable);
    for (const auto& [name, value] :
         {std::pair{"critical", counts->critical}, std::pair{"high", counts->high},
          std::pair{"medium", counts->medium}, std::pair{"low", counts->low},
          std::pair{"negligible", counts->negligible}, std::pair{"unknown", counts->unknown},
          std::pair{"fixable", counts->fixable}}) {
      resource.attrs[name] = std::to_string(value);
    }
  }
  store::JobFilter jobs;
  jobs.digest = key.digest;
  jobs.limit = 1;
  auto newest = store_.listJobs(jobs);
  if (!newest) return tl::unexpected(newest.error());
  posture::ScanState state;
  state.newest_job_dead = !newest->empty() && newest->front().state == store::JobState::Dead;
  state.pushed_at = image.last_pushed;
  if (image.scan) state.scanned_at = image.scan->scanned_at;

  // Into the pending batch (flushImages writes a page of images in one transaction).
  store::AssessmentBatch& batch = images_;
  batch.at = now;
  batch.cause = "scan";
  for (Resource* r : {&registry, &repository, &resource}) {
    if (image_batch_ids_.insert(r->id).second) batch.resources.push_back(std::move(*r));
  }
  for (auto& assessment : posture::assessImageVulnerabilities(catalogue_, id, counts, context)) {
    batch.assessments.push_back(std::move(assessment));
  }
  if (auto scan = posture::assessScan(catalogue_, id, state, context)) {
    batch.assessments.push_back(std::move(*scan));
  }
  auto checks = store_.resultChecks(key.digest);
  if (!checks) return tl::unexpected(checks.error());
  for (const store::ResultCheck& row : *checks) {
    if (auto assessment = posture::assessCheck(catalogue_, id, fromResultCheck(row), context)) {
      batch.assessments.push_back(std::move(*assessment));
    }
  }
  assessed_.insert(id);
  ++stats.images;
  return {};
}

core::Status PostureSync::flushImages(PostureSyncStats& stats) {
  if (images_.resources.empty()) return {};
  auto applied = store_.applyAssessments(images_);
  images_ = {};
  image_batch_ids_.clear();
  if (!applied) return tl::unexpected(applied.error());
  stats.changes += applied->changes;
  return {};
}

core::Status PostureSync::assessRunning(const std::vector<std::string>& digests, store::Millis now,
                                        PostureSyncStats& stats) {
  store::ResourceQuery query;
  query.types = {model::ResourceType::Container};
  auto containers = allResources(store_, query);
  if (!containers) return tl::unexpected(containers.error());
  const std::set<std::string, std::less<>> changed(digests.begin(), digests.end());
  std::vector<Resource> running;
  for (auto& record : *containers) {
    const auto it = record.resource.attrs.find("image_digest");
    if (it != record.resource.attrs.end() && changed.count(it->second) != 0) {
      running.push_back(std::move(record.resource));
    }
  }
  if (running.empty()) return {};
  posture::AssessContext context = options_.windows;
  context.now_ms = now;
  auto assessments = assessRunningContainers(store_, catalogue_, running, context);
  if (!assessments) return tl::unexpected(assessments.error());
  store::AssessmentBatch batch;
  batch.at = now;
  batch.cause = "scan";
  batch.assessments = std::move(*assessments);
  auto applied = store_.applyAssessments(batch);
  if (!applied) return tl::unexpected(applied.error());
  stats.containers += static_cast<std::int64_t>(running.size());
  stats.changes += applied->changes;
  return {};
}

namespace {

// output_fields' container.name of a stored alert ("" when absent or not text).
std::string containerNameOf(const store::AlertRecord& alert) {
  const Json fields = Json::parse(alert.fields_json, nullptr, false);
  if (!fields.is_object()) return {};
  const auto it = fields.find("container.name");
  return it != fields.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

core::Result<std::string> PostureSync::resolveAlert(const store::AlertRecord& alert,
                                                    store::Millis now) {
  // The resources an alert needs that nothing stored yet (an agent's host no bench run saw).
  const auto ensure = [&](const std::vector<Resource>& chain) -> core::Status {
    store::AssessmentBatch batch;
    batch.at = now;
    batch.cause = "alert";
    for (const Resource& r : chain) {
      auto stored = store_.getResource(r.id);
      if (!stored) return tl::unexpected(stored.error());
      if (!*stored) batch.resources.push_back(r);
    }
    if (batch.resources.empty()) return {};
    auto applied = store_.applyAssessments(batch);
    if (!applied) return tl::unexpected(applied.error());
    return {};
  };
  if (alert.source == "k8s_audit") {
    std::string cluster = alert.agent;
    if (const auto it = options_.agent_clusters.find(alert.agent);
        it != options_.agent_clusters.end()) {
      cluster = it->second;
    }
    if (cluster.empty()) cluster = "default";
    const Resource root = posture::clusterResource(cluster);
    if (alert.k8s_ns.empty()) {
      SYNC_TRY(ensure({root}));
      return root.id;
    }
    const Resource ns = posture::namespaceResource(cluster, alert.k8s_ns);
    SYNC_TRY(ensure({root, ns}));
    return ns.id;
  }
  const Resource host = posture::hostResource(alert.host.empty() ? "unknown" : alert.host);
  SYNC_TRY(ensure({host}));
  if (alert.container_id == "host") return host.id;
  // The container by its id when the rule's output names it, else by its name (most rules'
  // outputs print %container.name only; a name is unique among a host's containers).
  const std::string name = alert.container_id.empty() ? containerNameOf(alert) : std::string();
  if (alert.container_id.empty() && (name.empty() || name == "host")) return host.id;
  store::ResourceQuery query;
  query.types = {model::ResourceType::Container};
  query.parent_id = host.id;
  query.search = alert.container_id.empty() ? name : alert.container_id;
  query.limit = 10;
  auto page = store_.queryResources(query);
  if (!page) return tl::unexpected(page.error());
  for (const store::ResourceRecord& record : page->resources) {
    if (alert.container_id.empty() ? record.resource.name == name
                                   : idStartsWith(record.resource.key, alert.container_id)) {
      return record.resource.id;
    }
  }
  return host.id;
}

core::Status PostureSync::syncAlerts(store::Millis now, PostureSyncStats& stats) {
  auto mark_json = readMark(store_, kAlertsMark);
  if (!mark_json) return tl::unexpected(mark_json.error());
  store::FeedMark mark{millisOf(*mark_json, "at"), textOf(*mark_json, "key")};
  for (;;) {
    auto page = store_.alertsReceivedAfter(mark, options_.page);
    if (!page) return tl::unexpected(page.error());
    std::set<std::string> resources;
    // Alerts of one page mostly come from a few containers: each is resolved once.
    std::map<std::string, std::string, std::less<>> resolved_ids;
    std::map<std::string, std::vector<std::string>> placed;  // resource id → its new alerts
    for (const store::AlertRecord& alert : *page) {
      std::string resource_id = alert.resource_id;
      if (resource_id.empty()) {
        const std::string where = fmt::format(
            "{}\n{}\n{}\n{}\n{}\n{}", alert.source, alert.agent, alert.host, alert.container_id,
            alert.k8s_ns, alert.container_id.empty() ? containerNameOf(alert) : std::string());
        auto known = resolved_ids.find(where);
        if (known == resolved_ids.end()) {
          auto resolved = resolveAlert(alert, now);
          if (!resolved) return tl::unexpected(resolved.error());
          known = resolved_ids.emplace(where, std::move(*resolved)).first;
        }
        resource_id = known->second;
        placed[resource_id].push_back(alert.alert_id);
      }
      if (!alert.simulated) resources.insert(resource_id);
      ++stats.alerts;
    }
    for (const auto& [resource_id, alert_ids] : placed) {
      auto set = store_.setAlertsResource(alert_ids, resource_id);
      if (!set) return tl::unexpected(set.error());
    }
    for (const std::string& id : resources) SYNC_TRY(assessAlertsOf(id, now, stats));
    if (page->empty()) return {};
    mark = {page->back().received_ms, page->back().alert_id};
    SYNC_TRY(store_.putSetting(kAlertsMark, Json{{"at", mark.at}, {"key", mark.key}}.dump()));
    if (static_cast<std::int64_t>(page->size()) < options_.page) return {};
  }
}

core::Status PostureSync::assessAlertsOf(const std::string& resource_id, store::Millis now,
                                         PostureSyncStats& stats) {
  auto stored = store_.getResource(resource_id);
  if (!stored) return tl::unexpected(stored.error());
  if (!*stored) return {};
  posture::AssessContext context = options_.windows;
  context.now_ms = now;
  store::AlertQuery query;
  query.resource_id = resource_id;
  query.since = now - context.alert_window_ms;
  query.limit = store::kMaxAlertPage;
  std::vector<posture::AlertInput> alerts;
  for (;;) {
    auto page = store_.queryAlerts(query);
    if (!page) return tl::unexpected(page.error());
    for (const store::AlertRecord& a : page->alerts) {
      alerts.push_back({a.alert_id, a.rule_id, a.priority, a.time_ms, a.status, a.simulated});
    }
    if (!page->more || page->alerts.empty()) break;
    query.after = std::pair{page->alerts.back().time_ms, page->alerts.back().alert_id};
  }
  store::AssessmentBatch batch;
  batch.at = now;
  batch.cause = "alert";
  batch.assessments = posture::assessAlertRules(catalogue_, resource_id, alerts, context);
  // A rule whose alerts all left the window stays, healthy: the resource was judged on it.
  store::AssessmentQuery query_stored;
  query_stored.resource_id = resource_id;
  query_stored.kind = model::SourceKind::Rule;
  query_stored.limit = kListPage;
  auto previous = store_.queryAssessments(query_stored);
  if (!previous) return tl::unexpected(previous.error());
  for (model::Assessment& before : previous->assessments) {
    const bool current =
        std::any_of(batch.assessments.begin(), batch.assessments.end(),
                    [&](const Assessment& a) { return a.source == before.source; });
    if (current) continue;
    before.status = model::Health::Healthy;
    before.reason = "no open alert within the alert window";
    before.evidence.clear();
    before.assessed_at = now;
    batch.assessments.push_back(std::move(before));
  }
  // Watched when the resource's root (its host or cluster) has a live sensor.
  const std::string& path = (*stored)->path;  // "/<root id>/…/<id>/"
  const std::string root = path.size() > 1 ? path.substr(1, path.find('/', 1) - 1) : resource_id;
  if (auto runtime = posture::assessRuntime(catalogue_, resource_id, alerts,
                                            live_roots_.count(root) != 0, context)) {
    batch.assessments.push_back(std::move(*runtime));
  }
  auto applied = store_.applyAssessments(batch);
  if (!applied) return tl::unexpected(applied.error());
  stats.changes += applied->changes;
  return {};
}

core::Status PostureSync::syncSensors(store::Millis now, PostureSyncStats& stats) {
  auto sensors = store_.listSensors();
  if (!sensors) return tl::unexpected(sensors.error());
  // The newest report per host and per cluster; an agent's host no run saw becomes a root.
  std::map<std::string, store::Millis, std::less<>> last_seen;
  std::vector<Resource> roots;
  const auto seen = [&](const Resource& root, store::Millis at) {
    auto [it, added] = last_seen.emplace(root.id, at);
    if (added) roots.push_back(root);
    it->second = std::max(it->second, at);
  };
  for (const store::SensorRecord& sensor : *sensors) {
    if (!sensor.host.empty()) seen(posture::hostResource(sensor.host), sensor.last_seen);
    if (!sensor.cluster.empty()) {
      const auto mapped = options_.agent_clusters.find(sensor.cluster);
      seen(posture::clusterResource(mapped != options_.agent_clusters.end() ? mapped->second
                                                                            : sensor.cluster),
           sensor.last_seen);
    }
  }
  store::ResourceQuery query;
  query.types = {model::ResourceType::Host, model::ResourceType::Cluster};
  auto stored = allResources(store_, query);
  if (!stored) return tl::unexpected(stored.error());
  std::set<std::string, std::less<>> stored_ids;
  for (const store::ResourceRecord& record : *stored) stored_ids.insert(record.resource.id);

  posture::AssessContext context = options_.windows;
  context.now_ms = now;
  live_roots_.clear();
  store::AssessmentBatch batch;
  batch.at = now;
  batch.cause = "sensor";
  for (const Resource& root : roots) {
    if (stored_ids.count(root.id) == 0) batch.resources.push_back(root);
  }
  std::vector<std::string> ids(stored_ids.begin(), stored_ids.end());
  for (const Resource& root : batch.resources) ids.push_back(root.id);
  for (const std::string& id : ids) {
    const auto it = last_seen.find(id);
    const std::optional<std::int64_t> at =
        it == last_seen.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
    if (posture::sensorLive(at, context)) live_roots_.insert(id);
    if (auto sensor = posture::assessSensor(catalogue_, id, at, context)) {
      batch.assessments.push_back(std::move(*sensor));
    }
  }
  if (batch.assessments.empty() && batch.resources.empty()) return {};
  auto applied = store_.applyAssessments(batch);
  if (!applied) return tl::unexpected(applied.error());
  stats.changes += applied->changes;
  // Each root's `runtime` (healthy only while a sensor watches it).
  for (const std::string& id : ids) SYNC_TRY(assessAlertsOf(id, now, stats));
  return {};
}

core::Status PostureSync::recheckOpenAlerts(store::Millis now, PostureSyncStats& stats) {
  std::set<std::string> resources;
  for (const model::SourceKind kind : {model::SourceKind::Rule, model::SourceKind::Derived}) {
    store::AssessmentQuery query;
    query.kind = kind;
    query.status = model::Health::Unhealthy;
    query.limit = kListPage;
    for (query.offset = 0;; query.offset += kListPage) {
      auto page = store_.queryAssessments(query);
      if (!page) return tl::unexpected(page.error());
      for (const Assessment& a : page->assessments) {
        if (kind == model::SourceKind::Rule || a.source == posture::kSourceRuntime) {
          resources.insert(a.resource_id);
        }
      }
      if (static_cast<std::int64_t>(page->assessments.size()) < kListPage) break;
    }
  }
  for (const std::string& id : resources) SYNC_TRY(assessAlertsOf(id, now, stats));
  return {};
}

core::Status PostureSync::recheckImages(store::Millis now, bool all, PostureSyncStats& stats) {
  std::set<std::string> waiting;
  if (!all) {
    store::AssessmentQuery query;
    query.kind = model::SourceKind::Derived;
    query.status = model::Health::NotEvaluated;
    query.limit = kListPage;
    for (query.offset = 0;; query.offset += kListPage) {
      auto page = store_.queryAssessments(query);
      if (!page) return tl::unexpected(page.error());
      for (const Assessment& a : page->assessments) {
        if (a.source == posture::kSourceScan) waiting.insert(a.resource_id);
      }
      if (static_cast<std::int64_t>(page->assessments.size()) < kListPage) break;
    }
    if (waiting.empty()) return {};
  }
  store::ResourceQuery query;
  query.types = {model::ResourceType::Image};
  auto images = allResources(store_, query);
  if (!images) return tl::unexpected(images.error());
  for (const store::ResourceRecord& record : *images) {
    const auto& attrs = record.resource.attrs;
    const auto registry = attrs.find("registry");
    const auto repository = attrs.find("repository");
    const auto digest = attrs.find("digest");
    // Host-local images (a Docker host's) have no registry: no scan is expected of them here.
    if (registry == attrs.end() || repository == attrs.end() || digest == attrs.end()) continue;
    if (!all && waiting.count(record.resource.id) == 0) continue;
    if (assessed_.count(record.resource.id) != 0) continue;  // this pass, from a feed
    SYNC_TRY(assessImage({registry->second, repository->second, digest->second, 0}, now, stats));
    if (images_.resources.size() >= static_cast<std::size_t>(options_.page)) {
      SYNC_TRY(flushImages(stats));
    }
  }
  return flushImages(stats);
}

core::Status PostureSync::updateScore(store::Millis now, PostureSyncStats& stats) {
  auto score = storedScore(store_, catalogue_);
  if (!score) return tl::unexpected(score.error());
  stats.percent = score->percent;
  std::vector<store::ScorePoint> points;
  store::ScorePoint total{"", now, score->points, score->max, 0, 0};
  for (const posture::ControlScore& control : score->controls) {
    total.healthy += control.healthy;
    total.unhealthy += control.unhealthy;
    if (!control.applicable) continue;
    points.push_back(
        {control.id, now, control.score, control.max, control.healthy, control.unhealthy});
  }
  points.push_back(total);
  if (!last_total_) {
    // The newest point stored (another server's, or this one's before a restart).
    auto history = store_.scoreHistory(now - kScorePointEveryMs, now, std::string());
    if (!history) return tl::unexpected(history.error());
    if (!history->empty()) last_total_ = history->back();
  }
  const bool same = last_total_ && last_total_->score == total.score &&
                    last_total_->max == total.max && last_total_->healthy == total.healthy &&
                    last_total_->unhealthy == total.unhealthy;
  if (same && now - last_total_->at < kScorePointEveryMs) return {};
  SYNC_TRY(store_.appendScore(points));
  last_total_ = total;
  stats.score_appended = true;
  return {};
}

}  // namespace bulwark::pipeline
