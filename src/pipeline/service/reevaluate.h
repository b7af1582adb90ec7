// Continuous re-evaluation: when the vulnerability database changes, every stored inventory is
// matched again — without pulling or reading an image — and the store records what changed as
// new and resolved findings per digest (store::FindingChange, with the database's build id and
// the time).
//
// Memory stays bounded however many inventories are stored: digests are read a page at a time
// (store::Store::resultDigests), and each inventory is loaded, decoded, matched, saved and
// dropped before the next one is loaded, so at most one decoded inventory is alive at a time.
// A digest whose findings were already matched against this build of the database is skipped
// (unless `force`), so an interrupted run resumes where it stopped. When the run ends without a
// failure the build id is recorded in the setting kReevaluatedSetting.
//
// Most database updates change a few hundred packages: when the database can say what changed
// since the build a digest was last matched against (vulndb::Database::changesSince), an
// inventory that asks about none of those packages keeps its findings and is only marked as
// evaluated with the new build (`unaffected`); the others are matched again. Without that
// history (a rebuilt database, a build older than its last kKeptBuilds), or with `force`,
// every inventory is matched again.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/store.h"
#include "vulndb/database.h"

namespace bulwark::pipeline::service {

inline constexpr std::string_view kReevaluatedSetting = "reevaluated_db_build_id";

struct ReevaluateOptions {
  std::int64_t batch_size = 500;  // digests per resultDigests page
  bool force = false;             // match again even digests evaluated with this build
  // Stops between inventories when it becomes true (graceful shutdown); may be null.
  const std::atomic<bool>* stop = nullptr;
  // The clock for FindingChange::at and evaluated_at (tests pin it); empty: store::nowMillis.
  std::function<store::Millis()> now;
  // Inventories matched at once (each thread decodes one at a time and needs its own Database,
  // opened with open_database; without it, or with 1, one thread does all the work).
  int threads = 1;
  std::function<core::Result<vulndb::Database>()> open_database;
};

struct ReevaluateStats {
  std::string db_build_id;
  std::int64_t inventories = 0;  // matched again
  std::int64_t skipped = 0;      // already evaluated with this build
  std::int64_t unaffected = 0;   // no package changed since its build: marked, not matched
  std::int64_t failed = 0;       // unreadable inventory or store error (each is logged)
  std::int64_t findings = 0;     // after matching, summed over the inventories
  std::int64_t new_findings = 0;
  std::int64_t resolved = 0;
  std::int64_t duration_ms = 0;
  // The most decoded inventories alive at one time (the memory bound: one per thread).
  std::int64_t peak_decoded = 0;
  bool stopped = false;  // options.stop ended the run early
};

// Fails only when the run cannot go on (the database has no build id, the store cannot list
// digests); a single bad inventory is counted in `failed` and the run continues.
core::Result<ReevaluateStats> reevaluateAll(store::Store& store, const vulndb::Database& database,
                                            const ReevaluateOptions& options = {});

}  // namespace bulwark::pipeline::service
