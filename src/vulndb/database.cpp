#include "vulndb/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "core/sha256.h"
#include "vulndb/advisory_json.h"

namespace bulwark::vulndb {

using core::ErrorCode;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE feeds(name TEXT NOT NULL, location TEXT NOT NULL, imported_at TEXT NOT NULL,
                   advisories INTEGER NOT NULL, PRIMARY KEY(name, location)) WITHOUT ROWID;
CREATE TABLE advisories(
  rowid INTEGER PRIMARY KEY,
  source TEXT NOT NULL, id TEXT NOT NULL, modified TEXT NOT NULL, severity INTEGER NOT NULL,
  UNIQUE(source, id));
CREATE TABLE advisory_text(advisory INTEGER PRIMARY KEY REFERENCES advisories(rowid),
                           document TEXT NOT NULL);
CREATE TABLE aliases(alias TEXT NOT NULL, advisory INTEGER NOT NULL,
                     PRIMARY KEY(alias, advisory)) WITHOUT ROWID;
CREATE TABLE affected(
  ecosystem TEXT NOT NULL, package TEXT NOT NULL, advisory INTEGER NOT NULL,
  status INTEGER NOT NULL, fixed_version TEXT NOT NULL, urgency TEXT NOT NULL,
  severity INTEGER NOT NULL, ranges TEXT NOT NULL, versions TEXT NOT NULL,
  arches TEXT NOT NULL, module_stream TEXT NOT NULL);
CREATE INDEX affected_by_package ON affected(ecosystem, package);
CREATE INDEX affected_by_advisory ON affected(advisory);
)sql";

std::string nowUtc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

struct Db {
  sqlite3* handle = nullptr;
  ~Db() {
    // close_v2: even a statement still alive somewhere cannot keep the connection open.
    if (handle != nullptr) sqlite3_close_v2(handle);
  }
};

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    status_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  [[nodiscard]] bool ok() const { return status_ == SQLITE_OK; }
  Statement& bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t value) {
    sqlite3_bind_int64(stmt_, i, value);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(p),
                             static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  [[nodiscard]] std::string error() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int status_ = SQLITE_ERROR;
};

core::Status exec(sqlite3* db, const char* sql, std::string_view what) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    return core::fail(ErrorCode::Io, "{}: {}", what, text);
  }
  return {};
}

std::string joinJson(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += ',';
    out += '"';
    for (const char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
    out += '"';
  }
  return out + "]";
}

std::vector<std::string> splitJson(const std::string& json) {
  // The inverse of joinJson for the strings it wrote.
  std::vector<std::string> out;
  std::string current;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (!in_string) {
      if (c == '"') in_string = true;
      continue;
    }
    if (c == '\\' && i + 1 < json.size()) {
      current += json[++i];
    } else if (c == '"') {
      out.push_back(std::move(current));
      current.clear();
      in_string = false;
    } else {
      current += c;
    }
  }
  return out;
}

core::Result<std::unique_ptr<Db>> openFile(const std::string& path, int flags) {
  auto db = std::make_unique<Db>();
  if (sqlite3_open_v2(path.c_str(), &db->handle, flags, nullptr) != SQLITE_OK) {
    return core::fail(ErrorCode::Io, "{}: cannot open: {}", path,
                      db->handle != nullptr ? sqlite3_errmsg(db->handle) : "out of memory");
  }
  sqlite3_busy_timeout(db->handle, 5000);
  return db;
}

}  // namespace

std::string defaultDatabasePath() {
  const char* cache = std::getenv("XDG_CACHE_HOME");
  std::string base;
  if (cache != nullptr && *cache != '\0') {
    base = cache;
  } else {
    const char* home = std::getenv("HOME");
    base = std::string(home != nullptr ? home : ".") + "/.cache";
  }
  return base + "/bulwark/db/bulwark.db";
}

// ---------------------------------------------------------------------------------------------

struct Database::Impl {
  std::string path;
  std::unique_ptr<Db> db;
};

Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

core::Result<Database> Database::open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return core::fail(ErrorCode::NotFound,
                      "{}: no vulnerability database (create one with `bulwark db import`)", path);
  }
  auto db = openFile(path, SQLITE_OPEN_READONLY);
  if (!db) return tl::unexpected(db.error());
  Statement version((*db)->handle, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!version.ok() || version.step() != SQLITE_ROW) {
    return core::fail(ErrorCode::Input, "{}: not a bulwark vulnerability database", path);
  }
  const int schema = std::atoi(version.text(0).c_str());
  if (schema > kSchemaVersion) {
    return core::fail(ErrorCode::Input,
                      "{}: written by a newer bulwark (schema {}, this one reads {})", path, schema,
                      kSchemaVersion);
  }
  if (schema < kSchemaVersion) {
    return core::fail(ErrorCode::Input, "{}: schema {} is too old; re-import the feeds", path,
                      schema);
  }
  Database out;
  out.impl_ = std::make_unique<Impl>();
  out.impl_->path = path;
  out.impl_->db = std::move(*db);
  return out;
}

core::Result<std::vector<AffectedRecord>> Database::affecting(std::string_view ecosystem,
                                                              std::string_view package) const {
  Statement query(impl_->db->handle,
                  "SELECT a.id, a.source, a.severity, f.status, f.fixed_version, f.urgency, "
                  "f.severity, f.ranges, f.versions, f.arches, f.module_stream, "
                  "(SELECT group_concat(alias, char(31)) FROM "
                  " (SELECT alias FROM aliases WHERE advisory = a.rowid ORDER BY alias)) "
                  "FROM affected f JOIN advisories a ON a.rowid = f.advisory "
                  "WHERE f.ecosystem = ?1 AND f.package = ?2 ORDER BY a.id, a.source");
  if (!query.ok()) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: {}", impl_->path, query.error());
  }
  query.bind(1, ecosystem).bind(2, package);
  std::vector<AffectedRecord> out;
  int status = SQLITE_ROW;
  while ((status = query.step()) == SQLITE_ROW) {
    AffectedRecord record;
    record.advisory_id = query.text(0);
    record.source = query.text(1);
    record.advisory_severity = static_cast<model::Severity>(query.integer(2));
    auto& a = record.affected;
    a.ecosystem = std::string(ecosystem);
    a.name = std::string(package);
    a.status = static_cast<model::AffectedStatus>(query.integer(3));
    a.fixed_version = query.text(4);
    a.urgency = query.text(5);
    a.severity = static_cast<model::Severity>(query.integer(6));
    auto ranges = rangesFromJson(query.text(7));
    if (!ranges) return core::withContext(ranges.error(), impl_->path + ": " + record.advisory_id);
    a.ranges = std::move(*ranges);
    a.versions = splitJson(query.text(8));
    a.arches = splitJson(query.text(9));
    a.module_stream = query.text(10);
    const std::string aliases = query.text(11);
    std::size_t start = 0;
    while (start < aliases.size()) {
      const auto end = aliases.find('\x1f', start);
      record.aliases.push_back(aliases.substr(start, end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    out.push_back(std::move(record));
  }
  if (status != SQLITE_DONE) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: {}", impl_->path, query.error());
  }
  return out;
}

core::Result<std::vector<model::Advisory>> Database::advisories(std::string_view id) const {
  Statement query(
      impl_->db->handle,
      "SELECT t.document FROM advisories a JOIN advisory_text t ON t.advisory = a.rowid "
      "WHERE a.id = ?1 OR a.rowid IN (SELECT advisory FROM aliases WHERE alias = ?1) "
      "ORDER BY a.source, a.id");
  if (!query.ok()) {
    return core::fail(ErrorCode::Input, "{}: corrupt database: {}", impl_->path, query.error());
  }
  query.bind(1, id);
  std::vector<model::Advisory> out;
  while (query.step() == SQLITE_ROW) {
    auto advisory = advisoryFromJson(query.text(0));
    if (!advisory) return tl::unexpected(advisory.error());
    out.push_back(std::move(*advisory));
  }
  return out;
}

core::Result<DatabaseStats> Database::stats() const {
  DatabaseStats stats;
  sqlite3* db = impl_->db->handle;
  {
    Statement meta(db, "SELECT key, value FROM meta");
    while (meta.ok() && meta.step() == SQLITE_ROW) {
      const std::string key = meta.text(0);
      if (key == "schema_version") stats.schema_version = std::atoi(meta.text(1).c_str());
      if (key == "build_id") stats.build_id = meta.text(1);
      if (key == "built_at") stats.built_at = meta.text(1);
    }
  }
  auto count = [&](const char* sql) -> std::uint64_t {
    Statement q(db, sql);
    return q.ok() && q.step() == SQLITE_ROW ? static_cast<std::uint64_t>(q.integer(0)) : 0;
  };
  stats.advisories = count("SELECT count(*) FROM advisories");
  stats.affected = count("SELECT count(*) FROM affected");
  {
    Statement q(db, "SELECT source, count(*) FROM advisories GROUP BY source ORDER BY source");
    while (q.ok() && q.step() == SQLITE_ROW) {
      stats.per_source.emplace_back(q.text(0), static_cast<std::uint64_t>(q.integer(1)));
    }
  }
  {
    Statement q(db,
                "SELECT ecosystem, count(*) FROM affected GROUP BY ecosystem ORDER BY ecosystem");
    while (q.ok() && q.step() == SQLITE_ROW) {
      stats.per_ecosystem.emplace_back(q.text(0), static_cast<std::uint64_t>(q.integer(1)));
    }
  }
  {
    Statement q(db,
                "SELECT name, location, imported_at, advisories FROM feeds ORDER BY name, "
                "location");
    while (q.ok() && q.step() == SQLITE_ROW) {
      stats.feeds.push_back(
          FeedRecord{q.text(0), q.text(1), q.text(2), static_cast<std::uint64_t>(q.integer(3))});
    }
  }
  struct stat st {};
  if (::stat(impl_->path.c_str(), &st) == 0)
    stats.file_bytes = static_cast<std::uint64_t>(st.st_size);
  return stats;
}

// ---------------------------------------------------------------------------------------------

struct DatabaseWriter::Impl {
  std::string target;
  std::string temp;
  std::unique_ptr<Db> db;
  bool committed = false;
  std::unique_ptr<Statement> find, insert, update, insert_text, remove_text, insert_affected,
      remove_affected, insert_alias, remove_aliases, remove_advisory;

  ~Impl() {
    db.reset();
    if (!committed && !temp.empty()) {
      std::error_code ignored;
      fs::remove(temp, ignored);
      fs::remove(temp + "-journal", ignored);
    }
  }
};

DatabaseWriter::DatabaseWriter(DatabaseWriter&&) noexcept = default;
DatabaseWriter& DatabaseWriter::operator=(DatabaseWriter&&) noexcept = default;
DatabaseWriter::~DatabaseWriter() {
  // Finalize statements before the connection closes.
  if (impl_) {
    impl_->find.reset();
    impl_->insert.reset();
    impl_->update.reset();
    impl_->insert_text.reset();
    impl_->remove_text.reset();
    impl_->insert_affected.reset();
    impl_->remove_affected.reset();
    impl_->insert_alias.reset();
    impl_->remove_aliases.reset();
    impl_->remove_advisory.reset();
  }
}

core::Result<DatabaseWriter> DatabaseWriter::begin(const std::string& target) {
  DatabaseWriter writer;
  writer.impl_ = std::make_unique<Impl>();
  auto& impl = *writer.impl_;
  impl.target = target;
  const fs::path parent = fs::path(target).parent_path();
  std::error_code error;
  if (!parent.empty()) fs::create_directories(parent, error);
  std::random_device random;
  impl.temp = fmt::format("{}.new-{}-{:08x}", target, ::getpid(), random());
  const bool existing = fs::exists(target, error);
  if (existing) {
    // Check what is there before copying it: an unreadable database is not extended.
    auto current = Database::open(target);
    if (!current) return tl::unexpected(current.error());
    fs::copy_file(target, impl.temp, fs::copy_options::overwrite_existing, error);
    if (error) {
      return core::fail(ErrorCode::Io, "{}: cannot copy to {}: {}", target, impl.temp,
                        error.message());
    }
  }
  auto db = openFile(impl.temp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db) return tl::unexpected(db.error());
  impl.db = std::move(*db);
  sqlite3* handle = impl.db->handle;
  if (auto ok = exec(handle, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF;", impl.temp);
      !ok) {
    return tl::unexpected(ok.error());
  }
  if (!existing) {
    if (auto ok = exec(handle, kSchema, impl.temp); !ok) return tl::unexpected(ok.error());
  }
  if (auto ok = exec(handle, "BEGIN", impl.temp); !ok) return tl::unexpected(ok.error());
  impl.find = std::make_unique<Statement>(
      handle, "SELECT rowid, modified FROM advisories WHERE source = ?1 AND id = ?2");
  impl.insert = std::make_unique<Statement>(
      handle, "INSERT INTO advisories(source, id, modified, severity) VALUES(?1, ?2, ?3, ?4)");
  impl.update = std::make_unique<Statement>(
      handle, "UPDATE advisories SET modified = ?2, severity = ?3 WHERE rowid = ?1");
  impl.insert_text = std::make_unique<Statement>(
      handle, "INSERT INTO advisory_text(advisory, document) VALUES(?1, ?2)");
  impl.remove_text =
      std::make_unique<Statement>(handle, "DELETE FROM advisory_text WHERE advisory = ?1");
  impl.insert_affected = std::make_unique<Statement>(
      handle,
      "INSERT INTO affected(ecosystem, package, advisory, status, fixed_version, urgency, "
      "severity, ranges, versions, arches, module_stream) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  impl.remove_affected =
      std::make_unique<Statement>(handle, "DELETE FROM affected WHERE advisory = ?1");
  impl.insert_alias = std::make_unique<Statement>(
      handle, "INSERT OR IGNORE INTO aliases(alias, advisory) VALUES(?1, ?2)");
  impl.remove_aliases =
      std::make_unique<Statement>(handle, "DELETE FROM aliases WHERE advisory = ?1");
  impl.remove_advisory =
      std::make_unique<Statement>(handle, "DELETE FROM advisories WHERE rowid = ?1");
  for (const auto* s :
       {impl.find.get(), impl.insert.get(), impl.update.get(), impl.insert_text.get(),
        impl.remove_text.get(), impl.insert_affected.get(), impl.remove_affected.get(),
        impl.insert_alias.get(), impl.remove_aliases.get(), impl.remove_advisory.get()}) {
    if (!s->ok()) return core::fail(ErrorCode::Input, "{}: {}", impl.temp, s->error());
  }
  return writer;
}

namespace {

// The advisory-level severity: the strongest statement of any source, for sorting and filters.
model::Severity overallSeverity(const model::Advisory& advisory) {
  model::Severity best = model::Severity::Unknown;
  for (const auto& s : advisory.severities) best = std::max(best, s.severity);
  return best;
}

core::Status stepDone(Statement& statement, std::string_view what) {
  const int status = statement.step();
  statement.reset();
  if (status != SQLITE_DONE) {
    return core::fail(ErrorCode::Io, "{}: {}", what, statement.error());
  }
  return {};
}

}  // namespace

core::Result<DatabaseWriter::Outcome> DatabaseWriter::put(const model::Advisory& advisory) {
  auto& impl = *impl_;
  if (advisory.id.empty()) return core::fail(ErrorCode::Input, "advisory without an id");
  impl.find->bind(1, advisory.source).bind(2, advisory.id);
  std::optional<std::int64_t> existing;
  std::string stored_modified;
  if (impl.find->step() == SQLITE_ROW) {
    existing = impl.find->integer(0);
    stored_modified = impl.find->text(1);
  }
  impl.find->reset();

  auto remove_rows = [&](std::int64_t rowid) -> core::Status {
    for (Statement* s :
         {impl.remove_affected.get(), impl.remove_aliases.get(), impl.remove_text.get()}) {
      s->bind(1, rowid);
      if (auto ok = stepDone(*s, advisory.id); !ok) return ok;
    }
    return {};
  };

  if (!advisory.withdrawn.empty()) {
    if (!existing) return Outcome::Unchanged;
    if (auto ok = remove_rows(*existing); !ok) return tl::unexpected(ok.error());
    impl.remove_advisory->bind(1, *existing);
    if (auto ok = stepDone(*impl.remove_advisory, advisory.id); !ok) {
      return tl::unexpected(ok.error());
    }
    return Outcome::Withdrawn;
  }
  // RFC 3339 timestamps in UTC compare as strings.
  if (existing && !stored_modified.empty() && advisory.modified < stored_modified) {
    return Outcome::Unchanged;
  }
  const auto severity = static_cast<std::int64_t>(overallSeverity(advisory));
  std::int64_t rowid = 0;
  if (existing) {
    const std::string document = advisoryToJson(advisory);
    // Same modified time and same content: nothing to do.
    {
      Statement same(impl.db->handle, "SELECT document FROM advisory_text WHERE advisory = ?1");
      same.bind(1, *existing);
      if (same.step() == SQLITE_ROW && same.text(0) == document) return Outcome::Unchanged;
    }
    if (auto ok = remove_rows(*existing); !ok) return tl::unexpected(ok.error());
    impl.update->bind(1, *existing).bind(2, advisory.modified).bind(3, severity);
    if (auto ok = stepDone(*impl.update, advisory.id); !ok) return tl::unexpected(ok.error());
    rowid = *existing;
  } else {
    impl.insert->bind(1, advisory.source)
        .bind(2, advisory.id)
        .bind(3, advisory.modified)
        .bind(4, severity);
    if (auto ok = stepDone(*impl.insert, advisory.id); !ok) return tl::unexpected(ok.error());
    rowid = sqlite3_last_insert_rowid(impl.db->handle);
  }
  impl.insert_text->bind(1, rowid).bind(2, advisoryToJson(advisory));
  if (auto ok = stepDone(*impl.insert_text, advisory.id); !ok) return tl::unexpected(ok.error());
  for (const auto& alias : advisory.aliases) {
    impl.insert_alias->bind(1, alias).bind(2, rowid);
    if (auto ok = stepDone(*impl.insert_alias, advisory.id); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  for (const auto& a : advisory.affected) {
    impl.insert_affected->bind(1, a.ecosystem)
        .bind(2, a.name)
        .bind(3, rowid)
        .bind(4, static_cast<std::int64_t>(a.status))
        .bind(5, a.fixed_version)
        .bind(6, a.urgency)
        .bind(7, static_cast<std::int64_t>(a.severity))
        .bind(8, rangesToJson(a.ranges))
        .bind(9, joinJson(a.versions))
        .bind(10, joinJson(a.arches))
        .bind(11, a.module_stream);
    if (auto ok = stepDone(*impl.insert_affected, advisory.id); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  return existing ? Outcome::Updated : Outcome::Inserted;
}

core::Status DatabaseWriter::recordFeed(const FeedRecord& feed) {
  Statement upsert(impl_->db->handle,
                   "INSERT OR REPLACE INTO feeds(name, location, imported_at, advisories) "
                   "VALUES(?1, ?2, ?3, ?4)");
  upsert.bind(1, feed.name)
      .bind(2, feed.location)
      .bind(3, feed.imported_at.empty() ? nowUtc() : feed.imported_at)
      .bind(4, static_cast<std::int64_t>(feed.advisories));
  return stepDone(upsert, "feeds");
}

core::Status DatabaseWriter::commit() {
  auto& impl = *impl_;
  const std::string built_at = nowUtc();
  const std::string build_id =
      core::sha256Hex(impl.temp + built_at + std::to_string(::getpid())).substr(0, 16);
  {
    Statement meta(impl.db->handle, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
    for (const auto& [key, value] : std::initializer_list<std::pair<std::string, std::string>>{
             {"schema_version", std::to_string(kSchemaVersion)},
             {"build_id", build_id},
             {"built_at", built_at}}) {
      meta.bind(1, key).bind(2, value);
      if (auto ok = stepDone(meta, "meta"); !ok) return ok;
    }
  }
  if (auto ok = exec(impl.db->handle, "COMMIT", impl.temp); !ok) return ok;
  impl.find.reset();
  impl.insert.reset();
  impl.update.reset();
  impl.insert_text.reset();
  impl.remove_text.reset();
  impl.insert_affected.reset();
  impl.remove_affected.reset();
  impl.insert_alias.reset();
  impl.remove_aliases.reset();
  impl.remove_advisory.reset();
  impl.db.reset();  // closes the connection
  // Durable before it replaces anything: fsync the new file, rename, fsync the directory.
  const int fd = ::open(impl.temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    return core::fail(ErrorCode::Io, "{}: cannot sync the new database", impl.temp);
  }
  ::close(fd);
  if (::rename(impl.temp.c_str(), impl.target.c_str()) != 0) {
    return core::fail(ErrorCode::Io, "{}: cannot replace the database", impl.target);
  }
  impl.committed = true;
  const std::string dir = fs::path(impl.target).parent_path().string();
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

}  // namespace bulwark::vulndb
