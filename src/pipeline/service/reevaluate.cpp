#include "pipeline/service/reevaluate.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/text.h"
#include "match/matcher.h"
#include "pipeline/service/finding_records.h"
#include "pipeline/service/inventory_codec.h"

namespace bulwark::pipeline::service {

namespace {

// Counts decoded inventories alive at once, for ReevaluateStats::peak_decoded, and adds up
// the per-inventory counts; shared by the threads of a run.
class DecodedGauge {
 public:
  explicit DecodedGauge(ReevaluateStats& stats) : stats_(stats) {}
  void acquire() {
    const std::lock_guard lock(mutex_);
    ++alive_;
    stats_.peak_decoded = std::max(stats_.peak_decoded, alive_);
  }
  void release() {
    const std::lock_guard lock(mutex_);
    --alive_;
  }
  template <typename Fn>
  void update(Fn&& fn) {
    const std::lock_guard lock(mutex_);
    fn(stats_);
  }

 private:
  std::mutex mutex_;
  ReevaluateStats& stats_;
  std::int64_t alive_ = 0;
};

// What changed since each build the stored results were matched against, asked of the
// database once per build (most stores hold one or two builds) and shared by the threads.
class ChangesByBuild {
 public:
  const std::optional<vulndb::BuildChanges>& since(const vulndb::Database& database,
                                                   const std::string& build_id) {
    const std::lock_guard lock(mutex_);
    auto found = by_build_.find(build_id);
    if (found == by_build_.end()) {
      auto changes = database.changesSince(build_id);
      if (!changes) {
        spdlog::warn("re-evaluation: changes since {}: {}", core::printable(build_id),
                     changes.error().message);
      }
      found = by_build_.emplace(build_id, changes ? std::move(*changes) : std::nullopt).first;
    }
    return found->second;  // node-based map: stays valid while other builds are added
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::optional<vulndb::BuildChanges>> by_build_;
};

enum class Outcome { Matched, Unaffected, Skipped, Failed };

// One digest: load, decode, match, save. The decoded inventory lives only in this call.
Outcome reevaluateOne(store::Store& store, const vulndb::Database& database,
                      const std::string& digest, const std::string& build_id,
                      const ReevaluateOptions& options, DecodedGauge& gauge,
                      ChangesByBuild& changes_by_build) {
  const std::optional<vulndb::BuildChanges>* changes = nullptr;
  if (!options.force) {
    auto metadata = store.resultMetadata(digest);
    if (!metadata) {
      spdlog::warn("re-evaluation: {}: {}", digest, metadata.error().message);
      return Outcome::Failed;
    }
    if (*metadata && (*metadata)->db_build_id == build_id) return Outcome::Skipped;
    if (*metadata) changes = &changes_by_build.since(database, (*metadata)->db_build_id);
  }
  const store::Millis at = options.now ? options.now() : store::nowMillis();
  auto text = store.inventory(digest);
  if (!text || !*text) {
    spdlog::warn("re-evaluation: {}: {}", digest,
                 text ? "the stored inventory is gone" : text.error().message);
    return Outcome::Failed;
  }
  if (changes != nullptr && changes->has_value()) {
    // The cheap look first: most updates change no package of most inventories. Anything
    // wrong with the text is left to the full decoder below, which reports it.
    auto lookups = decodeLookupInventory(**text);
    if (lookups && !match::touchedBy(*lookups, **changes)) {
      if (auto ok = store.markEvaluated(digest, build_id, at); !ok) {
        spdlog::warn("re-evaluation: {}: {}", digest, ok.error().message);
        return Outcome::Failed;
      }
      return Outcome::Unaffected;
    }
  }
  std::vector<store::FindingRecord> records;
  {
    auto inventory = decodeInventory(**text);
    text->reset();
    if (!inventory) {
      spdlog::warn("re-evaluation: {}: {}", digest, inventory.error().message);
      return Outcome::Failed;
    }
    gauge.acquire();
    core::Diagnostics diagnostics;
    auto findings = matchFindings(database, *inventory, diagnostics);
    if (findings) records = toFindingRecords(*findings, *inventory);
    gauge.release();
    if (!findings) {
      spdlog::warn("re-evaluation: {}: {}", digest, findings.error().message);
      return Outcome::Failed;
    }
  }
  auto recorded = store.replaceFindings(digest, records, build_id, at);
  if (!recorded) {
    spdlog::warn("re-evaluation: {}: {}", digest, recorded.error().message);
    return Outcome::Failed;
  }
  gauge.update([&](ReevaluateStats& stats) {
    stats.findings += static_cast<std::int64_t>(records.size());
    for (const auto& change : *recorded) {
      if (change.kind == store::FindingChangeKind::New) {
        ++stats.new_findings;
      } else {
        ++stats.resolved;
      }
    }
  });
  return Outcome::Matched;
}

// Re-evaluates `digests` on `databases.size()` threads (thread i uses databases[i]), each
// taking the next digest until none is left or `stop` is set.
void reevaluatePage(store::Store& store, const std::vector<const vulndb::Database*>& databases,
                    const std::vector<std::string>& digests, const ReevaluateOptions& options,
                    DecodedGauge& gauge, ChangesByBuild& changes_by_build,
                    const std::string& build_id) {
  std::atomic<std::size_t> next{0};
  auto work = [&](const vulndb::Database& database) {
    for (std::size_t i = next++; i < digests.size(); i = next++) {
      if (options.stop != nullptr && options.stop->load()) {
        gauge.update([](ReevaluateStats& stats) { stats.stopped = true; });
        return;
      }
      const Outcome outcome =
          reevaluateOne(store, database, digests[i], build_id, options, gauge, changes_by_build);
      gauge.update([outcome](ReevaluateStats& stats) {
        switch (outcome) {
          case Outcome::Matched: ++stats.inventories; break;
          case Outcome::Unaffected: ++stats.unaffected; break;
          case Outcome::Skipped: ++stats.skipped; break;
          case Outcome::Failed: ++stats.failed; break;
        }
      });
    }
  };
  std::vector<std::jthread> helpers;
  for (std::size_t t = 1; t < databases.size(); ++t) {
    helpers.emplace_back([&work, database = databases[t]] { work(*database); });
  }
  work(*databases.front());
}

}  // namespace

core::Result<ReevaluateStats> reevaluateAll(store::Store& store, const vulndb::Database& database,
                                            const ReevaluateOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto metadata = database.metadata();
  if (!metadata) return tl::unexpected(metadata.error());
  if (metadata->build_id.empty()) {
    return core::fail(core::ErrorCode::Input, "the vulnerability database has no build id");
  }
  ReevaluateStats stats;
  stats.db_build_id = metadata->build_id;
  DecodedGauge gauge(stats);
  ChangesByBuild changes_by_build;
  const std::int64_t batch = std::clamp<std::int64_t>(options.batch_size, 1, 10'000);
  // One Database per thread: a Database answers one caller at a time.
  std::vector<vulndb::Database> extra;
  std::vector<const vulndb::Database*> databases{&database};
  for (int t = 1; t < std::clamp(options.threads, 1, 64) && options.open_database; ++t) {
    auto opened = options.open_database();
    if (!opened) return tl::unexpected(opened.error());
    extra.push_back(std::move(*opened));
  }
  for (const auto& d : extra) databases.push_back(&d);

  std::string after;
  for (;;) {
    auto digests = store.resultDigests(after, batch);
    if (!digests) return tl::unexpected(digests.error());
    if (digests->empty()) break;
    reevaluatePage(store, databases, *digests, options, gauge, changes_by_build,
                   metadata->build_id);
    if (stats.stopped) break;
    // Pages continue after the last digest seen; a store that returned the same page again
    // would loop forever, so the cursor must move forward.
    if (digests->back() <= after) {
      return core::fail(core::ErrorCode::Internal, "resultDigests did not move past {}",
                        core::printable(after));
    }
    after = digests->back();
    if (static_cast<std::int64_t>(digests->size()) < batch) break;
  }

  if (!stats.stopped && stats.failed == 0) {
    if (auto ok = store.putSetting(kReevaluatedSetting, stats.db_build_id); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  stats.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  return stats;
}

}  // namespace bulwark::pipeline::service
