// The local vulnerability database: one SQLite file (default
// $XDG_CACHE_HOME/bulwark/db/bulwark.db). Designed for the read path: opening parses nothing;
// what matching needs (status, fixed version, ranges) lives in `statements`, one row per
// distinct statement of an advisory (the binaries of one Ubuntu OVAL definition share one),
// reached through `affected`, a clustered (package, advisory) index over interned package
// names, for O(log n) lookups; ranges are in a compact pre-split form (database.cpp, "Compact
// encodings") that needs no JSON parsing; titles, descriptions and references stay in
// `advisory_text`, zstd-compressed with a dictionary trained on the feeds themselves, and are
// read only for the findings that are reported.
//
// Writing never touches the file in use: DatabaseWriter copies it beside itself, updates the
// copy in one transaction, and renames it over the original on commit(). A crash or a full disk
// before the rename leaves the old database working. Each commit also records which packages
// it changed (`builds`, `build_changes`), so that a service holding inventories matched
// against an earlier build re-matches only those a change can touch.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "model/advisory.h"

struct sqlite3;

namespace bulwark::vulndb {

inline constexpr int kSchemaVersion = 4;

// $XDG_CACHE_HOME/bulwark/db/bulwark.db (or ~/.cache/…).
std::string defaultDatabasePath();

// One (advisory, package) statement, as the matcher needs it.
struct AffectedRecord {
  std::string advisory_id;
  std::vector<std::string> aliases;
  std::string source;
  model::Severity advisory_severity = model::Severity::Unknown;
  model::AffectedPackage affected;
};

struct FeedRecord {
  std::string name;         // the feed format ("osv", "debian-tracker", ...)
  std::string location;     // the file, directory or URL it was imported from
  std::string imported_at;  // RFC 3339 UTC
  std::uint64_t advisories = 0;
};

// What every scan reports and checks (the age warning): cheap, three keys.
struct DatabaseMetadata {
  int schema_version = 0;
  std::string build_id;
  std::string built_at;
};

// What may match or read differently in this build of a database than in an earlier build of
// the same file (Database::changesSince): the packages of every advisory a later import
// inserted, updated or withdrew (their statements before and after), and of every advisory
// that shares an id or alias with one of those (enrichment reads them by id). An inventory
// with none of these packages gets the same findings from both builds.
class BuildChanges {
 public:
  // `package` as a matcher asks for it; normalised as Database::affecting normalises it.
  [[nodiscard]] bool touches(std::string_view ecosystem, std::string_view package) const;
  [[nodiscard]] std::size_t size() const { return keys_.size(); }

 private:
  friend class Database;
  std::unordered_set<std::string> keys_;  // ecosystem NUL stored package name
};

struct DatabaseStats {
  int schema_version = 0;
  std::string build_id;  // changes with every commit of a writer
  std::string built_at;  // RFC 3339 UTC
  std::uint64_t advisories = 0;
  std::uint64_t affected = 0;
  std::vector<std::pair<std::string, std::uint64_t>> per_source;     // advisories
  std::vector<std::pair<std::string, std::uint64_t>> per_ecosystem;  // affected rows
  std::vector<FeedRecord> feeds;
  std::uint64_t file_bytes = 0;
};

class Database {
 public:
  // Opens read-only; fails with a clear error for a missing, corrupt or newer-schema file.
  static core::Result<Database> open(const std::string& path);
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  core::Result<std::vector<AffectedRecord>> affecting(std::string_view ecosystem,
                                                      std::string_view package) const;
  // The advisory as stored, by its id or one of its aliases (several when sources overlap).
  core::Result<std::vector<model::Advisory>> advisories(std::string_view id) const;
  // Every stored advisory as advisories() returns it, ordered by (source, id); stops at the
  // first error, its own or the one `visit` returns (`bulwark db export --all`).
  core::Status forEachAdvisory(
      const std::function<core::Status(const model::Advisory&)>& visit) const;
  core::Result<DatabaseStats> stats() const;
  core::Result<DatabaseMetadata> metadata() const;
  // The changes since `build_id`, when this file's recent history (the last kKeptBuilds
  // imports) leads back to it without a gap or an import too large to record; else nullopt
  // (a different lineage, a rebuilt file, an old build): everything may have changed.
  core::Result<std::optional<BuildChanges>> changesSince(std::string_view build_id) const;
  static constexpr int kKeptBuilds = 16;

 private:
  Database() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class DatabaseWriter {
 public:
  enum class Outcome { Inserted, Updated, Unchanged, Withdrawn };

  // Starts a new version of `target` (a copy of it when it exists, else empty).
  static core::Result<DatabaseWriter> begin(const std::string& target);
  DatabaseWriter(DatabaseWriter&&) noexcept;
  DatabaseWriter& operator=(DatabaseWriter&&) noexcept;
  ~DatabaseWriter();  // without commit(): the copy is removed, the target untouched

  // Upsert keyed by (source, id): a record replaces the stored one unless the stored one is
  // newer (modified); a withdrawn record removes it.
  core::Result<Outcome> put(const model::Advisory& advisory);
  core::Status recordFeed(const FeedRecord& feed);
  // Writes metadata, fsyncs, renames over the target.
  core::Status commit();

 private:
  DatabaseWriter() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bulwark::vulndb
