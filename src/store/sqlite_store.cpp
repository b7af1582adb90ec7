// The SQLite backend: one connection in WAL mode behind a mutex. Every write that reads before
// it writes (claims, saves, dedup) runs in a BEGIN IMMEDIATE transaction, so another process
// sharing the file cannot interleave. Inventories are stored zstd-compressed.
#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "store/inventory_blob.h"
#include "store/posture_store.h"

namespace bulwark::store {
namespace {

using core::ErrorCode;

constexpr int kBusyTimeoutMs = 5000;
constexpr int kMaxDeadLettersPerClaim = 1000;

// Numbered migrations, applied in order at open, each in its own transaction.
struct Migration {
  int version;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE registries (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL,
  username TEXT NOT NULL,
  password_sealed TEXT NOT NULL,
  insecure INTEGER NOT NULL,
  ca_file TEXT NOT NULL,
  poll_interval_s INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_polled_at INTEGER
);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  registry TEXT NOT NULL,
  repository TEXT NOT NULL,
  digest TEXT NOT NULL,
  tag TEXT NOT NULL,
  platform TEXT NOT NULL,
  source TEXT NOT NULL,
  target_repository TEXT NOT NULL,
  max_attempts INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  worker TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  run_after INTEGER NOT NULL,
  lease_expires INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
);
CREATE UNIQUE INDEX jobs_active ON jobs (kind, registry, repository, digest, target_repository)
  WHERE state IN ('queued', 'running');
CREATE INDEX jobs_claim ON jobs (state, run_after);
CREATE INDEX jobs_digest ON jobs (digest);
CREATE TABLE images (
  id INTEGER PRIMARY KEY,
  registry TEXT NOT NULL,
  repository TEXT NOT NULL,
  digest TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_pushed INTEGER NOT NULL,
  UNIQUE (registry, repository, digest)
);
CREATE INDEX images_digest ON images (digest);
CREATE TABLE tags (
  registry TEXT NOT NULL,
  repository TEXT NOT NULL,
  tag TEXT NOT NULL,
  image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (registry, repository, tag)
);
CREATE INDEX tags_image ON tags (image_id);
CREATE TABLE results (
  digest TEXT PRIMARY KEY,
  inventory BLOB NOT NULL,
  inventory_codec INTEGER NOT NULL,
  db_build_id TEXT NOT NULL,
  bulwark_version TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  scanned_at INTEGER NOT NULL,
  evaluated_at INTEGER NOT NULL,
  os TEXT NOT NULL,
  platform TEXT NOT NULL,
  package_count INTEGER NOT NULL,
  critical INTEGER NOT NULL,
  high INTEGER NOT NULL,
  medium INTEGER NOT NULL,
  low INTEGER NOT NULL,
  negligible INTEGER NOT NULL,
  unknown INTEGER NOT NULL
);
CREATE TABLE findings (
  digest TEXT NOT NULL REFERENCES results (digest) ON DELETE CASCADE,
  vulnerability_id TEXT NOT NULL,
  package_name TEXT NOT NULL,
  installed_version TEXT NOT NULL,
  fixed_version TEXT NOT NULL,
  severity INTEGER NOT NULL,
  detail_json TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  UNIQUE (digest, vulnerability_id, package_name, installed_version)
);
CREATE TABLE finding_changes (
  id INTEGER PRIMARY KEY,
  digest TEXT NOT NULL,
  kind TEXT NOT NULL,
  vulnerability_id TEXT NOT NULL,
  package_name TEXT NOT NULL,
  installed_version TEXT NOT NULL,
  severity INTEGER NOT NULL,
  db_build_id TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX finding_changes_digest ON finding_changes (digest, at);
CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  registry TEXT NOT NULL,
  repository TEXT NOT NULL,
  digest TEXT NOT NULL,
  target_repository TEXT NOT NULL,
  tag TEXT NOT NULL,
  promoted INTEGER NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX decisions_digest ON decisions (digest, at);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
    // The platform children of an index know their index; a job enqueues the same work once.
    {2, R"sql(
ALTER TABLE jobs ADD COLUMN parent_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN parent_job_id INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX jobs_once ON jobs
  (kind, registry, repository, digest, target_repository, parent_job_id)
  WHERE parent_job_id <> 0;
)sql"},
    // Runtime alerts (docs/dev/runtime-design.md §5.3).
    {3, R"sql(
CREATE TABLE alerts (
  alert_id TEXT PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  received_ms INTEGER NOT NULL,
  rule TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  priority INTEGER NOT NULL,
  source TEXT NOT NULL,
  host TEXT NOT NULL,
  agent TEXT NOT NULL,
  container_id TEXT NOT NULL,
  container_image TEXT NOT NULL,
  k8s_ns TEXT NOT NULL,
  k8s_pod TEXT NOT NULL,
  tags_json TEXT NOT NULL,
  output TEXT NOT NULL,
  fields_json TEXT NOT NULL,
  simulated INTEGER NOT NULL
);
CREATE INDEX alerts_time ON alerts (time_ms);
CREATE INDEX alerts_rule ON alerts (rule, time_ms);
CREATE INDEX alerts_host ON alerts (host, time_ms);
)sql"},
    // Posture (docs/dev/posture-design.md §5.4): resources, assessments and their history,
    // exemptions, score history; alert triage; `fixable` on results; feed indexes.
    {4, R"sql(
CREATE TABLE posture_resources (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  path TEXT NOT NULL,
  name TEXT NOT NULL,
  labels_json TEXT NOT NULL,
  attrs_json TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  gone_at INTEGER,
  health INTEGER NOT NULL,
  unhealthy INTEGER NOT NULL,
  severity INTEGER NOT NULL
);
CREATE INDEX posture_resources_parent ON posture_resources (parent_id, health, name);
CREATE INDEX posture_resources_type ON posture_resources (type, health, severity, name);
CREATE INDEX posture_resources_path ON posture_resources (path);
CREATE TABLE posture_assessments (
  resource_id TEXT NOT NULL REFERENCES posture_resources (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  recommendation TEXT NOT NULL,
  control TEXT NOT NULL,
  status INTEGER NOT NULL,
  severity INTEGER NOT NULL,
  reason TEXT NOT NULL,
  cause TEXT NOT NULL,
  evidence_json TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  exempt_id INTEGER NOT NULL,
  assessed_at INTEGER NOT NULL,
  status_since INTEGER NOT NULL,
  PRIMARY KEY (resource_id, source)
);
CREATE INDEX posture_assessments_recommendation
  ON posture_assessments (recommendation, status, resource_id);
CREATE INDEX posture_assessments_control ON posture_assessments (control, resource_id);
CREATE TABLE posture_assessment_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  resource_id TEXT NOT NULL,
  source TEXT NOT NULL,
  recommendation TEXT NOT NULL,
  from_status INTEGER NOT NULL,
  to_status INTEGER NOT NULL,
  cause TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX posture_assessment_changes_resource ON posture_assessment_changes (resource_id, at);
CREATE TABLE posture_exemptions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  recommendation TEXT NOT NULL,
  scope_id TEXT NOT NULL,
  source TEXT NOT NULL,
  category TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX posture_exemptions_scope ON posture_exemptions (recommendation, scope_id);
CREATE TABLE posture_scores (
  control TEXT NOT NULL,
  at INTEGER NOT NULL,
  score REAL NOT NULL,
  max REAL NOT NULL,
  healthy INTEGER NOT NULL,
  unhealthy INTEGER NOT NULL,
  PRIMARY KEY (control, at)
);
CREATE INDEX posture_scores_at ON posture_scores (at);
CREATE TABLE posture_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  target_key TEXT NOT NULL,
  source TEXT NOT NULL,
  input_sha256 TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  status TEXT NOT NULL,
  summary_json TEXT NOT NULL,
  results INTEGER NOT NULL,
  diagnostics_json TEXT NOT NULL
);
CREATE INDEX posture_runs_target ON posture_runs (target_key, started_at);
CREATE TABLE posture_inputs (
  sha256 TEXT PRIMARY KEY,
  schema TEXT NOT NULL,
  target_key TEXT NOT NULL,
  body BLOB NOT NULL,
  body_codec INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE TABLE posture_sensors (
  agent TEXT NOT NULL,
  host TEXT NOT NULL,
  cluster TEXT NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (agent, host)
);
CREATE TABLE posture_schedules (
  target_key TEXT PRIMARY KEY,
  next_run_at INTEGER NOT NULL,
  last_run_id INTEGER NOT NULL
);
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  until INTEGER NOT NULL
);
CREATE TABLE result_checks (
  digest TEXT NOT NULL REFERENCES results (digest) ON DELETE CASCADE,
  check_id TEXT NOT NULL,
  status TEXT NOT NULL,
  severity INTEGER NOT NULL,
  detail_json TEXT NOT NULL,
  PRIMARY KEY (digest, check_id)
);
ALTER TABLE alerts ADD COLUMN status TEXT NOT NULL DEFAULT 'new';
ALTER TABLE alerts ADD COLUMN status_at INTEGER;
ALTER TABLE alerts ADD COLUMN status_by TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN resource_id TEXT NOT NULL DEFAULT '';
CREATE INDEX alerts_received ON alerts (received_ms);
CREATE INDEX alerts_resource ON alerts (resource_id, time_ms);
CREATE INDEX alerts_status ON alerts (status, time_ms);
ALTER TABLE results ADD COLUMN fixable INTEGER NOT NULL DEFAULT 0;
UPDATE results SET fixable = (SELECT COUNT(*) FROM findings f WHERE f.digest = results.digest
  AND f.severity >= 2 AND f.fixed_version <> '');
CREATE INDEX results_evaluated ON results (evaluated_at);
CREATE INDEX images_pushed ON images (last_pushed);
CREATE INDEX findings_severity ON findings (severity, vulnerability_id, digest);
CREATE INDEX findings_vulnerability ON findings (vulnerability_id);
)sql"},
    {5, R"sql(
ALTER TABLE alerts ADD COLUMN status_comment TEXT NOT NULL DEFAULT '';
)sql"},
};

static_assert(std::size(kMigrations) == kSchemaVersion, "one migration per schema version");

// ---- the sqlite3 C API, wrapped ---------------------------------------------------------------

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) {
    status_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&&) = delete;
  Statement& operator=(Statement&&) = delete;

  [[nodiscard]] bool ok() const { return status_ == SQLITE_OK; }
  Statement& bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bindBlob(int i, std::string_view bytes) {
    sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t value) {
    sqlite3_bind_int64(stmt_, i, value);
    return *this;
  }
  Statement& bind(int i, double value) {
    sqlite3_bind_double(stmt_, i, value);
    return *this;
  }
  Statement& bind(int i, std::optional<std::int64_t> value) {
    if (value) {
      sqlite3_bind_int64(stmt_, i, *value);
    } else {
      sqlite3_bind_null(stmt_, i);
    }
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  [[nodiscard]] bool isNull(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  [[nodiscard]] std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(p),
                             static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  [[nodiscard]] std::string blob(int column) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return p == nullptr
               ? std::string()
               : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  [[nodiscard]] std::int64_t integer(int column) const {
    return sqlite3_column_int64(stmt_, column);
  }
  [[nodiscard]] int columns() const { return sqlite3_column_count(stmt_); }
  // Any column as text; a REAL in its shortest form that reads back exactly; NULL: nullopt.
  [[nodiscard]] std::optional<std::string> anyText(int column) const {
    switch (sqlite3_column_type(stmt_, column)) {
      case SQLITE_NULL: return std::nullopt;
      case SQLITE_FLOAT: return fmt::format("{}", sqlite3_column_double(stmt_, column));
      case SQLITE_BLOB: return blob(column);
      default: return text(column);
    }
  }
  [[nodiscard]] std::optional<std::int64_t> optionalInteger(int column) const {
    if (isNull(column)) return std::nullopt;
    return integer(column);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int status_ = SQLITE_ERROR;
};

tl::unexpected<core::Error> sqlFailure(sqlite3* db, std::string_view what) {
  const int code = sqlite3_errcode(db);
  const ErrorCode kind =
      code == SQLITE_NOTADB || code == SQLITE_CORRUPT ? ErrorCode::Input : ErrorCode::Io;
  return core::fail(kind, "sqlite: {}: {}", what, sqlite3_errmsg(db));
}

core::Status exec(sqlite3* db, const char* sql, std::string_view what) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return core::fail(ErrorCode::Io, "sqlite: {}: {}", what, text);
  }
  return {};
}

// Steps a statement that returns no rows.
core::Status runDone(sqlite3* db, Statement& statement, std::string_view what) {
  if (!statement.ok() || statement.step() != SQLITE_DONE) return sqlFailure(db, what);
  return {};
}

// BEGIN IMMEDIATE … COMMIT; rolls back when destroyed uncommitted.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (active_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction(Transaction&&) = delete;
  Transaction& operator=(Transaction&&) = delete;

  core::Status begin() {
    auto begun = exec(db_, "BEGIN IMMEDIATE", "begin transaction");
    if (begun) active_ = true;
    return begun;
  }
  core::Status commit() {
    auto committed = exec(db_, "COMMIT", "commit");
    if (committed) active_ = false;
    return committed;
  }

 private:
  sqlite3* db_;
  bool active_ = false;
};

#define STORE_TRY(expression)                                       \
  do {                                                              \
    if (auto store_try_status = (expression); !store_try_status) {  \
      return tl::unexpected<core::Error>(store_try_status.error()); \
    }                                                               \
  } while (false)

// ---- values ---------------------------------------------------------------------------------

model::Severity severityFrom(std::int64_t value) {
  const std::int64_t clamped =
      std::clamp<std::int64_t>(value, static_cast<std::int64_t>(model::Severity::Unknown),
                               static_cast<std::int64_t>(model::Severity::Critical));
  return static_cast<model::Severity>(clamped);
}

std::int64_t severityValue(model::Severity severity) { return static_cast<std::int64_t>(severity); }

// Later duplicates of an identity (vulnerability, package, installed version) are dropped.
std::vector<FindingRecord> uniqueFindings(const std::vector<FindingRecord>& findings) {
  std::vector<FindingRecord> unique;
  unique.reserve(findings.size());
  std::set<std::tuple<std::string_view, std::string_view, std::string_view>> seen;
  for (const FindingRecord& finding : findings) {
    if (seen.emplace(finding.vulnerability_id, finding.package_name, finding.installed_version)
            .second) {
      unique.push_back(finding);
    }
  }
  return unique;
}

SeverityCounts countsOf(const std::vector<FindingRecord>& findings) {
  SeverityCounts counts;
  for (const FindingRecord& finding : findings) counts.add(finding.severity);
  return counts;
}

constexpr std::string_view kTokenColumns =
    "id, name, role, secret_hash, created_at, expires_at, revoked";
constexpr std::string_view kRegistryColumns =
    "id, name, url, username, password_sealed, insecure, ca_file, poll_interval_s, created_at, "
    "last_polled_at";
constexpr std::string_view kJobColumns =
    "id, kind, registry, repository, digest, tag, platform, source, target_repository, "
    "max_attempts, state, attempts, last_error, worker, created_at, updated_at, run_after, "
    "lease_expires, started_at, finished_at, parent_digest, parent_job_id";
constexpr std::string_view kMetadataColumns =
    "db_build_id, bulwark_version, duration_ms, scanned_at, evaluated_at, os, platform, "
    "package_count";
constexpr std::string_view kFindingColumns =
    "vulnerability_id, package_name, installed_version, fixed_version, severity, detail_json, "
    "first_seen";
constexpr std::string_view kAlertColumns =
    "alert_id, time_ms, received_ms, rule, rule_id, priority, source, host, agent, container_id, "
    "container_image, k8s_ns, k8s_pod, tags_json, output, fields_json, simulated";
// Read after kAlertColumns (schema 4, status_comment 5); addAlerts leaves them to their defaults.
constexpr std::string_view kAlertTriageColumns =
    ", status, status_at, status_by, resource_id, status_comment";
constexpr std::string_view kChangeColumns =
    "digest, kind, vulnerability_id, package_name, installed_version, severity, db_build_id, at";
// An image, its result's metadata (column 6 is NULL when never scanned) and counts.
constexpr std::string_view kImageSelect =
    "SELECT i.id, i.registry, i.repository, i.digest, i.first_seen, i.last_pushed, r.digest, "
    "r.db_build_id, r.bulwark_version, r.duration_ms, r.scanned_at, r.evaluated_at, r.os, "
    "r.platform, r.package_count, r.critical, r.high, r.medium, r.low, r.negligible, r.unknown "
    "FROM images i LEFT JOIN results r ON r.digest = i.digest ";

std::string sql(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out += part;
  return out;
}

Token tokenFrom(const Statement& row) {
  Token token;
  token.id = row.integer(0);
  token.name = row.text(1);
  token.role = parseRole(row.text(2)).value_or(Role::Reader);
  token.secret_hash = row.text(3);
  token.created_at = row.integer(4);
  token.expires_at = row.optionalInteger(5);
  token.revoked = row.integer(6) != 0;
  return token;
}

Registry registryFrom(const Statement& row) {
  Registry registry;
  registry.id = row.integer(0);
  registry.name = row.text(1);
  registry.url = row.text(2);
  registry.username = row.text(3);
  registry.password_sealed = row.text(4);
  registry.insecure = row.integer(5) != 0;
  registry.ca_file = row.text(6);
  registry.poll_interval_s = row.integer(7);
  registry.created_at = row.integer(8);
  registry.last_polled_at = row.optionalInteger(9);
  return registry;
}

Job jobFrom(const Statement& row) {
  Job job;
  job.id = row.integer(0);
  job.request.kind = parseJobKind(row.text(1)).value_or(JobKind::Scan);
  job.request.registry = row.text(2);
  job.request.repository = row.text(3);
  job.request.digest = row.text(4);
  job.request.tag = row.text(5);
  job.request.platform = row.text(6);
  job.request.source = row.text(7);
  job.request.target_repository = row.text(8);
  job.request.max_attempts = static_cast<int>(row.integer(9));
  job.state = parseJobState(row.text(10)).value_or(JobState::Dead);
  job.attempts = static_cast<int>(row.integer(11));
  job.last_error = row.text(12);
  job.worker = row.text(13);
  job.created_at = row.integer(14);
  job.updated_at = row.integer(15);
  job.run_after = row.integer(16);
  job.lease_expires = row.integer(17);
  job.started_at = row.optionalInteger(18);
  job.finished_at = row.optionalInteger(19);
  job.request.parent_digest = row.text(20);
  job.request.parent_job_id = row.integer(21);
  return job;
}

ScanMetadata metadataFrom(const Statement& row, int first) {
  ScanMetadata metadata;
  metadata.db_build_id = row.text(first);
  metadata.bulwark_version = row.text(first + 1);
  metadata.duration_ms = row.integer(first + 2);
  metadata.scanned_at = row.integer(first + 3);
  metadata.evaluated_at = row.integer(first + 4);
  metadata.os = row.text(first + 5);
  metadata.platform = row.text(first + 6);
  metadata.package_count = row.integer(first + 7);
  return metadata;
}

SeverityCounts countsFrom(const Statement& row, int first) {
  SeverityCounts counts;
  counts.critical = row.integer(first);
  counts.high = row.integer(first + 1);
  counts.medium = row.integer(first + 2);
  counts.low = row.integer(first + 3);
  counts.negligible = row.integer(first + 4);
  counts.unknown = row.integer(first + 5);
  return counts;
}

FindingRecord findingFrom(const Statement& row) {
  FindingRecord finding;
  finding.vulnerability_id = row.text(0);
  finding.package_name = row.text(1);
  finding.installed_version = row.text(2);
  finding.fixed_version = row.text(3);
  finding.severity = severityFrom(row.integer(4));
  finding.detail_json = row.text(5);
  finding.first_seen = row.integer(6);
  return finding;
}

FindingChange changeFrom(const Statement& row) {
  FindingChange change;
  change.digest = row.text(0);
  change.kind = row.text(1) == "resolved" ? FindingChangeKind::Resolved : FindingChangeKind::New;
  change.vulnerability_id = row.text(2);
  change.package_name = row.text(3);
  change.installed_version = row.text(4);
  change.severity = severityFrom(row.integer(5));
  change.db_build_id = row.text(6);
  change.at = row.integer(7);
  return change;
}

AlertRecord alertFrom(const Statement& row) {
  AlertRecord alert;
  alert.alert_id = row.text(0);
  alert.time_ms = row.integer(1);
  alert.received_ms = row.integer(2);
  alert.rule = row.text(3);
  alert.rule_id = row.text(4);
  alert.priority = static_cast<int>(row.integer(5));
  alert.source = row.text(6);
  alert.host = row.text(7);
  alert.agent = row.text(8);
  alert.container_id = row.text(9);
  alert.container_image = row.text(10);
  alert.k8s_ns = row.text(11);
  alert.k8s_pod = row.text(12);
  alert.tags_json = row.text(13);
  alert.output = row.text(14);
  alert.fields_json = row.text(15);
  alert.simulated = row.integer(16) != 0;
  alert.status = model::parseAlertStatus(row.text(17)).value_or(model::AlertStatus::New);
  alert.status_at = row.optionalInteger(18);
  alert.status_by = row.text(19);
  alert.resource_id = row.text(20);
  alert.status_comment = row.text(21);
  return alert;
}

// Columns 0..20 of kImageSelect; tags are filled in by the caller.
ImageRecord imageFrom(const Statement& row) {
  ImageRecord image;
  image.registry = row.text(1);
  image.repository = row.text(2);
  image.digest = row.text(3);
  image.first_seen = row.integer(4);
  image.last_pushed = row.integer(5);
  if (!row.isNull(6)) {
    image.scan = metadataFrom(row, 7);
    image.counts = countsFrom(row, 15);
  }
  return image;
}

core::Status checkPage(std::int64_t limit, std::int64_t offset) {
  if (limit < 0 || offset < 0) {
    return core::fail(ErrorCode::Input, "limit and offset must not be negative");
  }
  return {};
}

// The posture statements (posture_store.h) on this connection; the caller holds the mutex.
class SqliteSql final : public posture_sql::Sql {
 public:
  explicit SqliteSql(sqlite3* db) : db_(db) {}

  [[nodiscard]] posture_sql::Dialect dialect() const override {
    return posture_sql::Dialect::Sqlite;
  }

  core::Result<std::vector<posture_sql::SqlRow>> query(
      std::string_view text, std::span<const posture_sql::SqlValue> params) override {
    Statement statement(db_, posture_sql::sqliteParams(text));
    if (!statement.ok()) return sqlFailure(db_, "posture");
    bindAll(statement, params);
    std::vector<posture_sql::SqlRow> out;
    int rc = SQLITE_ROW;
    while ((rc = statement.step()) == SQLITE_ROW) {
      posture_sql::SqlRow& row = out.emplace_back();
      for (int column = 0; column < statement.columns(); ++column) {
        row.push_back(statement.anyText(column));
      }
    }
    if (rc != SQLITE_DONE) return sqlFailure(db_, "posture");
    return out;
  }

  core::Result<std::int64_t> exec(std::string_view text,
                                  std::span<const posture_sql::SqlValue> params) override {
    Statement statement(db_, posture_sql::sqliteParams(text));
    if (!statement.ok()) return sqlFailure(db_, "posture");
    bindAll(statement, params);
    int rc = SQLITE_ROW;
    while ((rc = statement.step()) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return sqlFailure(db_, "posture");
    return static_cast<std::int64_t>(sqlite3_changes(db_));
  }

 private:
  static void bindAll(Statement& statement, std::span<const posture_sql::SqlValue> params) {
    int index = 0;
    for (const posture_sql::SqlValue& value : params) {
      ++index;
      std::visit(
          [&](const auto& v) {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, posture_sql::Bytes>) {
              statement.bindBlob(index, v.data);
            } else {
              statement.bind(index, v);
            }
          },
          value);
    }
  }

  sqlite3* db_;
};

// ---- the store ------------------------------------------------------------------------------

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  SqliteStore(SqliteStore&&) = delete;
  SqliteStore& operator=(SqliteStore&&) = delete;

  // Migrates to `version` (kSchemaVersion but in migration tests).
  core::Status configure(int version) {
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    STORE_TRY(exec(db_, "PRAGMA journal_mode = WAL", "enable WAL"));
    STORE_TRY(exec(db_, "PRAGMA synchronous = NORMAL", "set synchronous"));
    STORE_TRY(exec(db_, "PRAGMA foreign_keys = ON", "enable foreign keys"));
    return migrate(version);
  }

  [[nodiscard]] std::string_view backend() const override { return "sqlite"; }

  core::Result<int> schemaVersion() override {
    std::lock_guard lock(mutex_);
    return currentVersion();
  }

  core::Status ping() override {
    std::lock_guard lock(mutex_);
    Statement select(db_, "SELECT 1");
    if (!select.ok() || select.step() != SQLITE_ROW) return sqlFailure(db_, "ping");
    return {};
  }

  // ---- tokens ----

  core::Result<Token> createToken(std::string_view name, Role role, std::string_view secret_hash,
                                  std::optional<Millis> expires_at) override {
    if (secret_hash.empty()) return core::fail(ErrorCode::Input, "token: empty secret hash");
    std::lock_guard lock(mutex_);
    const Millis now = nowMillis();
    Statement insert(
        db_,
        "INSERT INTO tokens (name, role, secret_hash, created_at, expires_at, revoked) "
        "VALUES (?, ?, ?, ?, ?, 0)");
    insert.bind(1, name).bind(2, toString(role)).bind(3, secret_hash).bind(4, now);
    insert.bind(5, expires_at);
    if (!insert.ok()) return sqlFailure(db_, "create token");
    const int rc = insert.step();
    if (rc == SQLITE_CONSTRAINT) {
      return core::fail(ErrorCode::Input, "token: a token with this secret already exists");
    }
    if (rc != SQLITE_DONE) return sqlFailure(db_, "create token");
    Token token;
    token.id = sqlite3_last_insert_rowid(db_);
    token.name = std::string(name);
    token.role = role;
    token.secret_hash = std::string(secret_hash);
    token.created_at = now;
    token.expires_at = expires_at;
    return token;
  }

  core::Result<std::optional<Token>> findToken(std::string_view secret_hash) override {
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({"SELECT ", kTokenColumns, " FROM tokens WHERE secret_hash = ?"}));
    select.bind(1, secret_hash);
    return single<Token>(select, tokenFrom, "find token");
  }

  core::Result<std::vector<Token>> listTokens() override {
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({"SELECT ", kTokenColumns, " FROM tokens ORDER BY id"}));
    return all<Token>(select, tokenFrom, "list tokens");
  }

  core::Status revokeToken(std::int64_t id) override {
    std::lock_guard lock(mutex_);
    Statement update(db_, "UPDATE tokens SET revoked = 1 WHERE id = ?");
    update.bind(1, id);
    STORE_TRY(runDone(db_, update, "revoke token"));
    if (sqlite3_changes(db_) == 0) return core::fail(ErrorCode::NotFound, "token {}", id);
    return {};
  }

  // ---- registries ----

  core::Result<Registry> addRegistry(const Registry& registry) override {
    if (registry.name.empty()) return core::fail(ErrorCode::Input, "registry: empty name");
    std::lock_guard lock(mutex_);
    Registry added = registry;
    if (added.created_at == 0) added.created_at = nowMillis();
    Statement insert(db_,
                     "INSERT INTO registries (name, url, username, password_sealed, insecure, "
                     "ca_file, poll_interval_s, created_at, last_polled_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, added.name).bind(2, added.url).bind(3, added.username);
    insert.bind(4, added.password_sealed).bind(5, std::int64_t{added.insecure ? 1 : 0});
    insert.bind(6, added.ca_file).bind(7, added.poll_interval_s).bind(8, added.created_at);
    insert.bind(9, added.last_polled_at);
    if (!insert.ok()) return sqlFailure(db_, "add registry");
    const int rc = insert.step();
    if (rc == SQLITE_CONSTRAINT) {
      return core::fail(ErrorCode::Input, "registry '{}' already exists", added.name);
    }
    if (rc != SQLITE_DONE) return sqlFailure(db_, "add registry");
    added.id = sqlite3_last_insert_rowid(db_);
    return added;
  }

  core::Result<std::optional<Registry>> findRegistry(std::string_view name) override {
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({"SELECT ", kRegistryColumns, " FROM registries WHERE name = ?"}));
    select.bind(1, name);
    return single<Registry>(select, registryFrom, "find registry");
  }

  core::Result<std::vector<Registry>> listRegistries() override {
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({"SELECT ", kRegistryColumns, " FROM registries ORDER BY name"}));
    return all<Registry>(select, registryFrom, "list registries");
  }

  core::Status removeRegistry(std::string_view name) override {
    std::lock_guard lock(mutex_);
    Statement remove(db_, "DELETE FROM registries WHERE name = ?");
    remove.bind(1, name);
    STORE_TRY(runDone(db_, remove, "remove registry"));
    if (sqlite3_changes(db_) == 0) return core::fail(ErrorCode::NotFound, "registry '{}'", name);
    return {};
  }

  core::Status markPolled(std::string_view name, Millis at) override {
    std::lock_guard lock(mutex_);
    Statement update(db_, "UPDATE registries SET last_polled_at = ? WHERE name = ?");
    update.bind(1, at).bind(2, name);
    STORE_TRY(runDone(db_, update, "mark registry polled"));
    if (sqlite3_changes(db_) == 0) return core::fail(ErrorCode::NotFound, "registry '{}'", name);
    return {};
  }

  // ---- jobs ----

  core::Result<EnqueueResult> enqueue(const JobRequest& request, Millis now) override {
    if (request.digest.empty()) return core::fail(ErrorCode::Input, "job: empty digest");
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    STORE_TRY(transaction.begin());
    // An active job with the key, else (for a request with a parent) the parent's earlier one.
    Statement select(db_,
                     "SELECT id FROM jobs WHERE kind = ?1 AND registry = ?2 AND repository = ?3 "
                     "AND digest = ?4 AND target_repository = ?5 AND (state IN ('queued', "
                     "'running') OR (?6 <> 0 AND parent_job_id = ?6)) "
                     "ORDER BY state IN ('queued', 'running') DESC, id LIMIT 1");
    select.bind(1, toString(request.kind)).bind(2, request.registry).bind(3, request.repository);
    select.bind(4, request.digest).bind(5, request.target_repository);
    select.bind(6, request.parent_job_id);
    if (!select.ok()) return sqlFailure(db_, "enqueue");
    const int rc = select.step();
    if (rc == SQLITE_ROW) return EnqueueResult{select.integer(0), false};
    if (rc != SQLITE_DONE) return sqlFailure(db_, "enqueue");

    Statement insert(db_,
                     "INSERT INTO jobs (kind, registry, repository, digest, tag, platform, source, "
                     "target_repository, max_attempts, state, attempts, last_error, worker, "
                     "created_at, updated_at, run_after, lease_expires, parent_digest, "
                     "parent_job_id) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, '', '', ?, ?, ?, 0, ?, ?)");
    insert.bind(1, toString(request.kind)).bind(2, request.registry).bind(3, request.repository);
    insert.bind(4, request.digest).bind(5, request.tag).bind(6, request.platform);
    insert.bind(7, request.source).bind(8, request.target_repository);
    insert.bind(9, std::int64_t{std::max(request.max_attempts, 1)});
    insert.bind(10, now).bind(11, now).bind(12, now);
    insert.bind(13, request.parent_digest).bind(14, request.parent_job_id);
    STORE_TRY(runDone(db_, insert, "enqueue"));
    const std::int64_t id = sqlite3_last_insert_rowid(db_);
    STORE_TRY(transaction.commit());
    return EnqueueResult{id, true};
  }

  core::Result<std::optional<Job>> claimJob(std::string_view worker, Millis now,
                                            Millis lease_ms) override {
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    STORE_TRY(transaction.begin());
    Statement select(db_,
                     "SELECT id, state, attempts, max_attempts, worker FROM jobs WHERE id IN ("
                     "SELECT id FROM (SELECT id FROM jobs WHERE state = 'queued' AND "
                     "run_after <= ?1 ORDER BY id LIMIT 1) UNION ALL "
                     "SELECT id FROM (SELECT id FROM jobs WHERE state = 'running' AND "
                     "lease_expires < ?1 ORDER BY id LIMIT 1)) ORDER BY id LIMIT 1");
    if (!select.ok()) return sqlFailure(db_, "claim job");
    for (int round = 0; round <= kMaxDeadLettersPerClaim; ++round) {
      select.reset();
      select.bind(1, now);
      const int rc = select.step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return sqlFailure(db_, "claim job");
      const std::int64_t id = select.integer(0);
      const bool expired = select.text(1) == "running";
      const std::int64_t attempts = select.integer(2);
      const std::int64_t max_attempts = select.integer(3);
      const std::string holder = select.text(4);
      if (expired && attempts >= max_attempts) {
        // A worker died holding it as many times as it may run: a poison job, not a retry.
        Statement dead(db_,
                       "UPDATE jobs SET state = 'dead', last_error = ?, updated_at = ?, "
                       "finished_at = ?, lease_expires = 0 WHERE id = ?");
        dead.bind(
            1, fmt::format("lease expired after {} attempts (last worker {})", attempts, holder));
        dead.bind(2, now).bind(3, now).bind(4, id);
        STORE_TRY(runDone(db_, dead, "dead-letter job"));
        continue;
      }
      Statement claim(db_,
                      "UPDATE jobs SET state = 'running', worker = ?, lease_expires = ?, "
                      "attempts = attempts + 1, started_at = ?, updated_at = ? WHERE id = ?");
      claim.bind(1, worker).bind(2, now + lease_ms).bind(3, now).bind(4, now).bind(5, id);
      STORE_TRY(runDone(db_, claim, "claim job"));
      auto job = loadJob(id);
      if (!job) return tl::unexpected(job.error());
      STORE_TRY(transaction.commit());
      return std::optional<Job>(std::move(*job));
    }
    STORE_TRY(transaction.commit());
    return std::optional<Job>();
  }

  core::Result<bool> renewLease(std::int64_t job_id, std::string_view worker, Millis now,
                                Millis lease_ms) override {
    std::lock_guard lock(mutex_);
    Statement update(db_,
                     "UPDATE jobs SET lease_expires = ?, updated_at = ? "
                     "WHERE id = ? AND state = 'running' AND worker = ?");
    update.bind(1, now + lease_ms).bind(2, now).bind(3, job_id).bind(4, worker);
    STORE_TRY(runDone(db_, update, "renew lease"));
    return sqlite3_changes(db_) > 0;
  }

  core::Status completeJob(std::int64_t job_id, std::string_view worker, Millis now) override {
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    STORE_TRY(transaction.begin());
    STORE_TRY(checkHolder(job_id, worker));
    Statement update(db_,
                     "UPDATE jobs SET state = 'done', updated_at = ?, finished_at = ?, "
                     "lease_expires = 0 WHERE id = ?");
    update.bind(1, now).bind(2, now).bind(3, job_id);
    STORE_TRY(runDone(db_, update, "complete job"));
    return transaction.commit();
  }

  core::Status failJob(std::int64_t job_id, std::string_view worker, std::string_view error,
                       Millis now, std::optional<Millis> retry_at) override {
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    STORE_TRY(transaction.begin());
    STORE_TRY(checkHolder(job_id, worker));
    Statement update(db_,
                     "UPDATE jobs SET "
                     "state = CASE WHEN ?1 IS NULL OR attempts >= max_attempts THEN 'dead' "
                     "ELSE 'queued' END, "
                     "run_after = CASE WHEN ?1 IS NULL OR attempts >= max_attempts THEN run_after "
                     "ELSE ?1 END, "
                     "finished_at = CASE WHEN ?1 IS NULL OR attempts >= max_attempts THEN ?2 "
                     "ELSE NULL END, "
                     "last_error = ?3, updated_at = ?2, lease_expires = 0 WHERE id = ?4");
    update.bind(1, retry_at).bind(2, now).bind(3, error).bind(4, job_id);
    STORE_TRY(runDone(db_, update, "fail job"));
    return transaction.commit();
  }

  core::Status releaseJob(std::int64_t job_id, std::string_view worker, Millis now) override {
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    STORE_TRY(transaction.begin());
    STORE_TRY(checkHolder(job_id, worker));
    Statement update(db_,
                     "UPDATE jobs SET state = 'queued', attempts = max(attempts - 1, 0), "
                     "lease_expires = 0, run_after = min(run_after, ?1), updated_at = ?1 "
                     "WHERE id = ?2");
    update.bind(1, now).bind(2, job_id);
    STORE_TRY(runDone(db_, update, "release job"));
    return transaction.commit();
  }

  core::Result<std::optional<Job>> getJob(std::int64_t job_id) override {
    std::lock_guard lock(mutex_);
    auto job = loadJob(job_id);
    if (!job && job.error().code == ErrorCode::NotFound) return std::optional<Job>();
    if (!job) return tl::unexpected(job.error());
    return std::optional<Job>(std::move(*job));
  }

  core::Result<std::vector<Job>> listJobs(const JobFilter& filter) override {
    STORE_TRY(checkPage(filter.limit, filter.offset));
    std::lock_guard lock(mutex_);
    std::string query = sql({"SELECT ", kJobColumns, " FROM jobs WHERE 1 = 1"});
    if (filter.state) query += " AND state = ?1";
    if (!filter.registry.empty()) query += " AND registry = ?2";
    if (!filter.digest.empty()) query += " AND digest = ?3";
    query += " ORDER BY id DESC LIMIT ?4 OFFSET ?5";
    Statement select(db_, query);
    if (filter.state) select.bind(1, toString(*filter.state));
    if (!filter.registry.empty()) select.bind(2, filter.registry);
    if (!filter.digest.empty()) select.bind(3, filter.digest);
    select.bind(4, filter.limit).bind(5, filter.offset);
    return all<Job>(select, jobFrom, "list jobs");
  }

  core::Result<std::vector<std::pair<JobState, std::int64_t>>> countJobs() override {
    std::lock_guard lock(mutex_);
    Statement select(db_, "SELECT state, COUNT(*) FROM jobs GROUP BY state");
    std::vector<std::pair<JobState, std::int64_t>> counts = {{JobState::Queued, 0},
                                                             {JobState::Running, 0},
                                                             {JobState::Done, 0},
                                                             {JobState::Failed, 0},
                                                             {JobState::Dead, 0}};
    if (!select.ok()) return sqlFailure(db_, "count jobs");
    int rc = SQLITE_ROW;
    while ((rc = select.step()) == SQLITE_ROW) {
      auto state = parseJobState(select.text(0));
      if (!state) continue;
      for (auto& [known, n] : counts) {
        if (known == *state) n = select.integer(1);
      }
    }
    if (rc != SQLITE_DONE) return sqlFailure(db_, "count jobs");
    return counts;
  }

  // ---- images ----

  core::Status recordPush(std::string_view registry, std::string_view repository,
                          std::string_view digest, std::string_view tag, Millis at) override {
    if (registry.empty() || repository.empty() || digest.empty()) {
      return core::fail(ErrorCode::Input, "push: registry, repository and digest are required");
    }
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    STORE_TRY(transaction.begin());
    Statement upsert(db_,
                     "INSERT INTO images (registry, repository, digest, first_seen, last_pushed) "
                     "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (registry, repository, digest) DO "
                     "UPDATE SET first_seen = min(first_seen, excluded.first_seen), "
                     "last_pushed = max(last_pushed, excluded.last_pushed)");
    upsert.bind(1, registry).bind(2, repository).bind(3, digest).bind(4, at);
    STORE_TRY(runDone(db_, upsert, "record push"));
    if (!tag.empty()) {
      Statement move(db_,
                     "INSERT INTO tags (registry, repository, tag, image_id, updated_at) "
                     "SELECT ?1, ?2, ?4, id, ?5 FROM images "
                     "WHERE registry = ?1 AND repository = ?2 AND digest = ?3 "
                     "ON CONFLICT (registry, repository, tag) DO UPDATE SET "
                     "image_id = excluded.image_id, updated_at = excluded.updated_at");
      move.bind(1, registry).bind(2, repository).bind(3, digest).bind(4, tag).bind(5, at);
      STORE_TRY(runDone(db_, move, "record push"));
    }
    return transaction.commit();
  }

  core::Result<std::vector<RegistrySummary>> registrySummaries() override {
    std::lock_guard lock(mutex_);
    Statement registries(db_, sql({"SELECT ", kRegistryColumns, " FROM registries ORDER BY name"}));
    auto listed = all<Registry>(registries, registryFrom, "registry summaries");
    if (!listed) return tl::unexpected(listed.error());
    Statement totals(db_,
                     "SELECT i.registry, COUNT(DISTINCT i.repository), COUNT(*), COUNT(r.digest), "
                     "TOTAL(r.critical), TOTAL(r.high), TOTAL(r.medium), TOTAL(r.low), "
                     "TOTAL(r.negligible), TOTAL(r.unknown) "
                     "FROM images i LEFT JOIN results r ON r.digest = i.digest "
                     "GROUP BY i.registry");
    if (!totals.ok()) return sqlFailure(db_, "registry summaries");
    std::map<std::string, RegistrySummary> by_name;
    int rc = SQLITE_ROW;
    while ((rc = totals.step()) == SQLITE_ROW) {
      RegistrySummary& summary = by_name[totals.text(0)];
      summary.repositories = totals.integer(1);
      summary.images = totals.integer(2);
      summary.scanned = totals.integer(3);
      summary.counts = countsFrom(totals, 4);
    }
    if (rc != SQLITE_DONE) return sqlFailure(db_, "registry summaries");
    std::vector<RegistrySummary> summaries;
    summaries.reserve(listed->size());
    for (Registry& registry : *listed) {
      RegistrySummary summary;
      if (auto found = by_name.find(registry.name); found != by_name.end()) {
        summary = found->second;
      }
      summary.registry = std::move(registry);
      summaries.push_back(std::move(summary));
    }
    return summaries;
  }

  core::Result<std::vector<RepositorySummary>> listRepositories(
      std::string_view registry) override {
    std::lock_guard lock(mutex_);
    Statement select(db_,
                     "SELECT i.repository, COUNT(*), COUNT(r.digest), TOTAL(r.critical), "
                     "TOTAL(r.high), TOTAL(r.medium), TOTAL(r.low), TOTAL(r.negligible), "
                     "TOTAL(r.unknown), MAX(i.last_pushed) "
                     "FROM images i LEFT JOIN results r ON r.digest = i.digest "
                     "WHERE i.registry = ? GROUP BY i.repository ORDER BY i.repository");
    select.bind(1, registry);
    return all<RepositorySummary>(
        select,
        [&](const Statement& row) {
          RepositorySummary summary;
          summary.registry = std::string(registry);
          summary.repository = row.text(0);
          summary.images = row.integer(1);
          summary.scanned = row.integer(2);
          summary.counts = countsFrom(row, 3);
          summary.last_pushed = row.integer(9);
          return summary;
        },
        "list repositories");
  }

  core::Result<std::vector<ImageRecord>> listImages(std::string_view registry,
                                                    std::string_view repository) override {
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({kImageSelect,
                               "WHERE i.registry = ? AND i.repository = ? "
                               "ORDER BY i.last_pushed DESC, i.digest"}));
    select.bind(1, registry).bind(2, repository);
    if (!select.ok()) return sqlFailure(db_, "list images");
    std::vector<ImageRecord> images;
    std::map<std::int64_t, std::size_t> index;
    int rc = SQLITE_ROW;
    while ((rc = select.step()) == SQLITE_ROW) {
      index[select.integer(0)] = images.size();
      images.push_back(imageFrom(select));
    }
    if (rc != SQLITE_DONE) return sqlFailure(db_, "list images");
    Statement tags(db_,
                   "SELECT image_id, tag FROM tags WHERE registry = ? AND repository = ? "
                   "ORDER BY tag");
    tags.bind(1, registry).bind(2, repository);
    if (!tags.ok()) return sqlFailure(db_, "list images");
    while ((rc = tags.step()) == SQLITE_ROW) {
      if (auto found = index.find(tags.integer(0)); found != index.end()) {
        images[found->second].tags.push_back(tags.text(1));
      }
    }
    if (rc != SQLITE_DONE) return sqlFailure(db_, "list images");
    return images;
  }

  core::Result<std::optional<ImageRecord>> findTag(std::string_view registry,
                                                   std::string_view repository,
                                                   std::string_view tag) override {
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({kImageSelect,
                               "JOIN tags t ON t.image_id = i.id "
                               "WHERE t.registry = ? AND t.repository = ? AND t.tag = ?"}));
    select.bind(1, registry).bind(2, repository).bind(3, tag);
    return oneImage(select, "find tag");
  }

  core::Result<std::optional<ImageRecord>> findImage(std::string_view registry,
                                                     std::string_view repository,
                                                     std::string_view digest) override {
    std::lock_guard lock(mutex_);
    Statement select(
        db_, sql({kImageSelect, "WHERE i.registry = ? AND i.repository = ? AND i.digest = ?"}));
    select.bind(1, registry).bind(2, repository).bind(3, digest);
    return oneImage(select, "find image");
  }

  // ---- results ----

  core::Result<std::vector<FindingChange>> saveResult(const ScanResult& result) override {
    if (result.digest.empty()) return core::fail(ErrorCode::Input, "result: empty digest");
    int codec = kCodecRaw;
    auto inventory = compressInventory(result.inventory_json, codec);
    if (!inventory) return tl::unexpected(inventory.error());
    const std::vector<FindingRecord> after = uniqueFindings(result.findings);
    const ScanMetadata& metadata = result.metadata;
    Millis at = metadata.evaluated_at != 0 ? metadata.evaluated_at : metadata.scanned_at;
    if (at == 0) at = nowMillis();

    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    STORE_TRY(transaction.begin());
    auto existed = hasResult(result.digest);
    if (!existed) return tl::unexpected(existed.error());
    auto before = loadFindings(result.digest);
    if (!before) return tl::unexpected(before.error());
    std::vector<FindingChange> changes;
    if (*existed) changes = diffFindings(result.digest, *before, after, metadata.db_build_id, at);

    const SeverityCounts counts = countsOf(after);
    Statement upsert(db_,
                     "INSERT INTO results (digest, inventory, inventory_codec, db_build_id, "
                     "bulwark_version, duration_ms, scanned_at, evaluated_at, os, platform, "
                     "package_count, critical, high, medium, low, negligible, unknown) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                     "ON CONFLICT (digest) DO UPDATE SET inventory = excluded.inventory, "
                     "inventory_codec = excluded.inventory_codec, "
                     "db_build_id = excluded.db_build_id, "
                     "bulwark_version = excluded.bulwark_version, "
                     "duration_ms = excluded.duration_ms, scanned_at = excluded.scanned_at, "
                     "evaluated_at = excluded.evaluated_at, os = excluded.os, "
                     "platform = excluded.platform, package_count = excluded.package_count, "
                     "critical = excluded.critical, high = excluded.high, "
                     "medium = excluded.medium, low = excluded.low, "
                     "negligible = excluded.negligible, unknown = excluded.unknown");
    upsert.bind(1, result.digest).bindBlob(2, *inventory).bind(3, std::int64_t{codec});
    upsert.bind(4, metadata.db_build_id).bind(5, metadata.bulwark_version);
    upsert.bind(6, metadata.duration_ms).bind(7, metadata.scanned_at);
    upsert.bind(8, metadata.evaluated_at).bind(9, metadata.os).bind(10, metadata.platform);
    upsert.bind(11, metadata.package_count);
    bindCounts(upsert, 12, counts);
    STORE_TRY(runDone(db_, upsert, "save result"));
    STORE_TRY(writeFindings(result.digest, *before, after, at));
    STORE_TRY(recountResult(result.digest));
    STORE_TRY(writeChanges(changes));
    STORE_TRY(transaction.commit());
    return changes;
  }

  core::Result<std::optional<ScanMetadata>> resultMetadata(std::string_view digest) override {
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({"SELECT ", kMetadataColumns, " FROM results WHERE digest = ?"}));
    select.bind(1, digest);
    return single<ScanMetadata>(
        select, [](const Statement& row) { return metadataFrom(row, 0); }, "result metadata");
  }

  core::Result<std::optional<std::string>> inventory(std::string_view digest) override {
    std::string blob;
    std::int64_t codec = kCodecRaw;
    {
      std::lock_guard lock(mutex_);
      Statement select(db_, "SELECT inventory, inventory_codec FROM results WHERE digest = ?");
      select.bind(1, digest);
      if (!select.ok()) return sqlFailure(db_, "inventory");
      const int rc = select.step();
      if (rc == SQLITE_DONE) return std::optional<std::string>();
      if (rc != SQLITE_ROW) return sqlFailure(db_, "inventory");
      blob = select.blob(0);
      codec = select.integer(1);
    }
    auto text = decompressInventory(blob, codec, digest);
    if (!text) return tl::unexpected(text.error());
    return std::optional<std::string>(std::move(*text));
  }

  core::Result<FindingPage> findings(const FindingQuery& query) override {
    STORE_TRY(checkPage(query.limit, query.offset));
    std::string order;
    if (query.sort == "severity") {
      order = "severity DESC, vulnerability_id, package_name, installed_version";
    } else if (query.sort == "id") {
      order = "vulnerability_id, package_name, installed_version";
    } else if (query.sort == "package") {
      order = "lower(package_name), package_name, installed_version, vulnerability_id";
    } else if (query.sort == "first_seen") {
      order = "first_seen DESC, vulnerability_id, package_name, installed_version";
    } else {
      return core::fail(ErrorCode::Input, "unknown sort '{}' (severity, id, package, first_seen)",
                        query.sort);
    }
    std::string where = " WHERE digest = ?1";
    if (query.min_severity) where += " AND severity >= ?2";
    if (query.fixable_only) where += " AND fixed_version <> ''";
    if (!query.search.empty()) {
      where +=
          " AND (instr(lower(vulnerability_id), lower(?3)) > 0 OR "
          "instr(lower(package_name), lower(?3)) > 0)";
    }
    const auto bind_filters = [&](Statement& statement) {
      statement.bind(1, query.digest);
      if (query.min_severity) statement.bind(2, severityValue(*query.min_severity));
      if (!query.search.empty()) statement.bind(3, query.search);
    };

    std::lock_guard lock(mutex_);
    FindingPage page;
    Statement count(db_, sql({"SELECT COUNT(*) FROM findings", where}));
    bind_filters(count);
    if (!count.ok() || count.step() != SQLITE_ROW) return sqlFailure(db_, "count findings");
    page.total = count.integer(0);
    Statement select(db_, sql({"SELECT ", kFindingColumns, " FROM findings", where, " ORDER BY ",
                               order, " LIMIT ?4 OFFSET ?5"}));
    bind_filters(select);
    select.bind(4, query.limit).bind(5, query.offset);
    auto rows = all<FindingRecord>(select, findingFrom, "findings");
    if (!rows) return tl::unexpected(rows.error());
    page.findings = std::move(*rows);
    return page;
  }

  core::Result<std::optional<FindingRecord>> finding(std::string_view digest,
                                                     std::string_view vulnerability_id,
                                                     std::string_view package_name) override {
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({"SELECT ", kFindingColumns,
                               " FROM findings WHERE digest = ? AND vulnerability_id = ? AND "
                               "package_name = ? ORDER BY installed_version LIMIT 1"}));
    select.bind(1, digest).bind(2, vulnerability_id).bind(3, package_name);
    return single<FindingRecord>(select, findingFrom, "finding");
  }

  core::Result<std::vector<FindingChange>> findingChanges(std::string_view digest,
                                                          std::int64_t limit) override {
    STORE_TRY(checkPage(limit, 0));
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({"SELECT ", kChangeColumns,
                               " FROM finding_changes WHERE (?1 = '' OR digest = ?1) "
                               "ORDER BY at DESC, id LIMIT ?2"}));
    select.bind(1, digest).bind(2, limit);
    return all<FindingChange>(select, changeFrom, "finding changes");
  }

  core::Result<std::vector<std::string>> resultDigests(std::string_view after,
                                                       std::int64_t limit) override {
    STORE_TRY(checkPage(limit, 0));
    std::lock_guard lock(mutex_);
    Statement select(db_, "SELECT digest FROM results WHERE digest > ? ORDER BY digest LIMIT ?");
    select.bind(1, after).bind(2, limit);
    return all<std::string>(
        select, [](const Statement& row) { return row.text(0); }, "result digests");
  }

  core::Result<std::vector<FindingChange>> replaceFindings(
      std::string_view digest, const std::vector<FindingRecord>& findings,
      std::string_view db_build_id, Millis at) override {
    const std::vector<FindingRecord> after = uniqueFindings(findings);
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    STORE_TRY(transaction.begin());
    auto existed = hasResult(digest);
    if (!existed) return tl::unexpected(existed.error());
    if (!*existed) return core::fail(ErrorCode::NotFound, "no result for {}", digest);
    auto before = loadFindings(digest);
    if (!before) return tl::unexpected(before.error());
    std::vector<FindingChange> changes = diffFindings(digest, *before, after, db_build_id, at);
    Statement update(db_,
                     "UPDATE results SET db_build_id = ?, evaluated_at = ?, critical = ?, "
                     "high = ?, medium = ?, low = ?, negligible = ?, unknown = ? WHERE digest = ?");
    update.bind(1, db_build_id).bind(2, at);
    bindCounts(update, 3, countsOf(after));
    update.bind(9, digest);
    STORE_TRY(runDone(db_, update, "replace findings"));
    STORE_TRY(writeFindings(digest, *before, after, at));
    STORE_TRY(recountResult(digest));
    STORE_TRY(writeChanges(changes));
    STORE_TRY(transaction.commit());
    return changes;
  }

  core::Status markEvaluated(std::string_view digest, std::string_view db_build_id,
                             Millis at) override {
    std::lock_guard lock(mutex_);
    Statement update(db_, "UPDATE results SET db_build_id = ?, evaluated_at = ? WHERE digest = ?");
    update.bind(1, db_build_id).bind(2, at).bind(3, digest);
    STORE_TRY(runDone(db_, update, "mark evaluated"));
    if (sqlite3_changes(db_) == 0)
      return core::fail(ErrorCode::NotFound, "no result for {}", digest);
    return {};
  }

  // ---- quarantine and settings ----

  core::Status recordDecision(const QuarantineDecision& decision) override {
    std::lock_guard lock(mutex_);
    Statement insert(db_,
                     "INSERT INTO decisions (registry, repository, digest, target_repository, "
                     "tag, promoted, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, decision.registry).bind(2, decision.repository).bind(3, decision.digest);
    insert.bind(4, decision.target_repository).bind(5, decision.tag);
    insert.bind(6, std::int64_t{decision.promoted ? 1 : 0}).bind(7, decision.reason);
    insert.bind(8, decision.at);
    return runDone(db_, insert, "record decision");
  }

  core::Result<std::vector<QuarantineDecision>> decisions(std::string_view digest) override {
    std::lock_guard lock(mutex_);
    Statement select(db_,
                     "SELECT registry, repository, digest, target_repository, tag, promoted, "
                     "reason, at FROM decisions WHERE (?1 = '' OR digest = ?1) "
                     "ORDER BY at DESC, id DESC");
    select.bind(1, digest);
    return all<QuarantineDecision>(
        select,
        [](const Statement& row) {
          QuarantineDecision decision;
          decision.registry = row.text(0);
          decision.repository = row.text(1);
          decision.digest = row.text(2);
          decision.target_repository = row.text(3);
          decision.tag = row.text(4);
          decision.promoted = row.integer(5) != 0;
          decision.reason = row.text(6);
          decision.at = row.integer(7);
          return decision;
        },
        "decisions");
  }

  core::Result<std::optional<std::string>> getSetting(std::string_view key) override {
    std::lock_guard lock(mutex_);
    Statement select(db_, "SELECT value FROM settings WHERE key = ?");
    select.bind(1, key);
    return single<std::string>(
        select, [](const Statement& row) { return row.text(0); }, "get setting");
  }

  core::Status putSetting(std::string_view key, std::string_view value) override {
    std::lock_guard lock(mutex_);
    Statement upsert(db_,
                     "INSERT INTO settings (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    upsert.bind(1, key).bind(2, value);
    return runDone(db_, upsert, "put setting");
  }

  // ---- alerts ----

  core::Result<AlertInsertResult> addAlerts(std::span<const AlertRecord> alerts) override {
    for (const AlertRecord& alert : alerts) {
      if (alert.alert_id.empty()) return core::fail(ErrorCode::Input, "an alert without alert_id");
    }
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    STORE_TRY(transaction.begin());
    Statement insert(db_, sql({"INSERT INTO alerts (", kAlertColumns,
                               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                               "ON CONFLICT (alert_id) DO NOTHING"}));
    if (!insert.ok()) return sqlFailure(db_, "add alerts");
    AlertInsertResult result;
    for (const AlertRecord& alert : alerts) {
      insert.reset();
      insert.bind(1, alert.alert_id).bind(2, alert.time_ms).bind(3, alert.received_ms);
      insert.bind(4, alert.rule).bind(5, alert.rule_id).bind(6, std::int64_t{alert.priority});
      insert.bind(7, alert.source).bind(8, alert.host).bind(9, alert.agent);
      insert.bind(10, alert.container_id).bind(11, alert.container_image);
      insert.bind(12, alert.k8s_ns).bind(13, alert.k8s_pod).bind(14, alert.tags_json);
      insert.bind(15, alert.output).bind(16, alert.fields_json);
      insert.bind(17, std::int64_t{alert.simulated ? 1 : 0});
      if (insert.step() != SQLITE_DONE) return sqlFailure(db_, "add alerts");
      if (sqlite3_changes(db_) > 0) {
        ++result.inserted;
      } else {
        ++result.duplicates;
      }
    }
    STORE_TRY(transaction.commit());
    return result;
  }

  core::Result<AlertPage> queryAlerts(const AlertQuery& query) override {
    if (query.limit < 1 || query.limit > kMaxAlertPage) {
      return core::fail(ErrorCode::Input, "the alert limit must be from 1 to {}", kMaxAlertPage);
    }
    // Fixed parameter numbers; an absent filter is a clause that is not there.
    std::string where = " WHERE 1 = 1";
    if (query.since) where += " AND time_ms >= ?1";
    if (query.until) where += " AND time_ms < ?2";
    if (!query.rule.empty()) where += " AND rule = ?3";
    if (query.priority_min) where += " AND priority >= ?4";
    if (!query.host.empty()) where += " AND host = ?5";
    if (!query.container.empty()) where += " AND container_id = ?6";
    if (!query.k8s_ns.empty()) where += " AND k8s_ns = ?7";
    if (!query.tag.empty()) {
      where += " AND EXISTS (SELECT 1 FROM json_each(alerts.tags_json) WHERE value = ?8)";
    }
    if (query.after) where += " AND (time_ms < ?9 OR (time_ms = ?9 AND alert_id < ?10))";
    if (query.status) where += " AND status = ?12";
    if (!query.resource_id.empty()) where += " AND resource_id = ?13";
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({"SELECT ", kAlertColumns, kAlertTriageColumns, " FROM alerts", where,
                               " ORDER BY time_ms DESC, alert_id DESC LIMIT ?11"}));
    if (query.since) select.bind(1, *query.since);
    if (query.until) select.bind(2, *query.until);
    if (!query.rule.empty()) select.bind(3, query.rule);
    if (query.priority_min) select.bind(4, std::int64_t{*query.priority_min});
    if (!query.host.empty()) select.bind(5, query.host);
    if (!query.container.empty()) select.bind(6, query.container);
    if (!query.k8s_ns.empty()) select.bind(7, query.k8s_ns);
    if (!query.tag.empty()) select.bind(8, query.tag);
    if (query.after) select.bind(9, query.after->first).bind(10, query.after->second);
    select.bind(11, query.limit + 1);  // one more: is there another page?
    if (query.status) select.bind(12, model::toString(*query.status));
    if (!query.resource_id.empty()) select.bind(13, query.resource_id);
    auto rows = all<AlertRecord>(select, alertFrom, "query alerts");
    if (!rows) return tl::unexpected(rows.error());
    AlertPage page;
    page.more = static_cast<std::int64_t>(rows->size()) > query.limit;
    if (page.more) rows->pop_back();
    page.alerts = std::move(*rows);
    return page;
  }

  core::Result<std::optional<AlertRecord>> getAlert(std::string_view alert_id) override {
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({"SELECT ", kAlertColumns, kAlertTriageColumns,
                               " FROM alerts WHERE alert_id = ?"}));
    select.bind(1, alert_id);
    return single<AlertRecord>(select, alertFrom, "get alert");
  }

  core::Result<std::vector<AlertCount>> alertSummary(AlertGroup by, Millis since) override {
    const char* column = by == AlertGroup::Rule   ? "rule"
                         : by == AlertGroup::Host ? "host"
                                                  : "CAST(priority AS TEXT)";
    std::lock_guard lock(mutex_);
    Statement select(
        db_, fmt::format("SELECT {0}, COUNT(*), MAX(time_ms) FROM alerts WHERE time_ms >= ? "
                         "GROUP BY {0} ORDER BY COUNT(*) DESC, {0}",
                         column));
    select.bind(1, since);
    return all<AlertCount>(
        select,
        [](const Statement& row) {
          return AlertCount{row.text(0), row.integer(1), row.integer(2)};
        },
        "alert summary");
  }

  core::Result<std::int64_t> pruneAlerts(Millis before) override {
    std::lock_guard lock(mutex_);
    Statement remove(db_, "DELETE FROM alerts WHERE time_ms < ?");
    remove.bind(1, before);
    STORE_TRY(runDone(db_, remove, "prune alerts"));
    return static_cast<std::int64_t>(sqlite3_changes(db_));
  }

  core::Status setAlertStatus(std::string_view alert_id, model::AlertStatus status,
                              std::string_view by, Millis at, std::string_view comment) override {
    return posture(false, [&](posture_sql::Sql& sql) {
      return posture_sql::setAlertStatus(sql, alert_id, status, by, at, comment);
    });
  }

  core::Result<std::vector<AlertDayCount>> alertsPerDay(Millis since) override {
    return posture(false,
                   [&](posture_sql::Sql& sql) { return posture_sql::alertsPerDay(sql, since); });
  }

  core::Result<std::int64_t> setAlertsResource(std::span<const std::string> alert_ids,
                                               std::string_view resource_id) override {
    return posture(true, [&](posture_sql::Sql& sql) {
      return posture_sql::setAlertsResource(sql, alert_ids, resource_id);
    });
  }

  core::Status setAlertResource(std::string_view alert_id, std::string_view resource_id) override {
    return posture(false, [&](posture_sql::Sql& sql) {
      return posture_sql::setAlertResource(sql, alert_id, resource_id);
    });
  }

  core::Result<std::vector<AlertRecord>> alertsReceivedAfter(const FeedMark& after,
                                                             std::int64_t limit) override {
    STORE_TRY(posture_sql::checkFeedLimit(limit));
    std::lock_guard lock(mutex_);
    Statement select(db_, sql({"SELECT ", kAlertColumns, kAlertTriageColumns,
                               " FROM alerts WHERE (received_ms, alert_id) > (?1, ?2) "
                               "ORDER BY received_ms, alert_id LIMIT ?3"}));
    select.bind(1, after.at).bind(2, after.key).bind(3, limit);
    return all<AlertRecord>(select, alertFrom, "alerts received after");
  }

  // ---- posture (posture_store.h) ----

  core::Result<std::vector<ImageKey>> imagesPushedAfter(const ImageKey& after,
                                                        std::int64_t limit) override {
    return posture(false, [&](posture_sql::Sql& sql) {
      return posture_sql::imagesPushedAfter(sql, after, limit);
    });
  }

  core::Result<std::vector<FeedMark>> resultsEvaluatedAfter(const FeedMark& after,
                                                            std::int64_t limit) override {
    return posture(false, [&](posture_sql::Sql& sql) {
      return posture_sql::resultsEvaluatedAfter(sql, after, limit);
    });
  }

  core::Result<std::vector<ImageKey>> imagesOfDigest(std::string_view digest) override {
    return posture(false,
                   [&](posture_sql::Sql& sql) { return posture_sql::imagesOfDigest(sql, digest); });
  }

  core::Result<ApplyResult> applyAssessments(const AssessmentBatch& batch) override {
    STORE_TRY(posture_sql::checkBatch(batch));
    return posture(
        true, [&](posture_sql::Sql& sql) { return posture_sql::applyAssessments(sql, batch); });
  }

  core::Result<std::optional<ResourceRecord>> getResource(std::string_view id) override {
    return posture(false, [&](posture_sql::Sql& sql) { return posture_sql::getResource(sql, id); });
  }

  core::Result<ResourcePage> queryResources(const ResourceQuery& query) override {
    return posture(false,
                   [&](posture_sql::Sql& sql) { return posture_sql::queryResources(sql, query); });
  }

  core::Result<AssessmentPage> queryAssessments(const AssessmentQuery& query) override {
    return posture(
        false, [&](posture_sql::Sql& sql) { return posture_sql::queryAssessments(sql, query); });
  }

  core::Result<std::vector<AssessmentChange>> assessmentHistory(std::string_view resource_id,
                                                                Millis since,
                                                                std::int64_t limit) override {
    return posture(false, [&](posture_sql::Sql& sql) {
      return posture_sql::assessmentHistory(sql, resource_id, since, limit);
    });
  }

  core::Result<std::vector<PostureControlCount>> controlCounts() override {
    return posture(false, [&](posture_sql::Sql& sql) { return posture_sql::controlCounts(sql); });
  }

  core::Result<std::vector<PostureRecommendationCount>> recommendationCounts() override {
    return posture(false,
                   [&](posture_sql::Sql& sql) { return posture_sql::recommendationCounts(sql); });
  }

  core::Result<model::Exemption> addExemption(const model::Exemption& exemption) override {
    return posture(
        true, [&](posture_sql::Sql& sql) { return posture_sql::addExemption(sql, exemption); });
  }

  core::Result<std::optional<model::Exemption>> getExemption(std::int64_t id) override {
    return posture(false,
                   [&](posture_sql::Sql& sql) { return posture_sql::getExemption(sql, id); });
  }

  core::Result<std::vector<model::Exemption>> listExemptions(const ExemptionQuery& query) override {
    return posture(false,
                   [&](posture_sql::Sql& sql) { return posture_sql::listExemptions(sql, query); });
  }

  core::Status revokeExemption(std::int64_t id, Millis at) override {
    return posture(
        true, [&](posture_sql::Sql& sql) { return posture_sql::revokeExemption(sql, id, at); });
  }

  core::Result<std::int64_t> refreshExemptions(Millis now) override {
    return posture(true,
                   [&](posture_sql::Sql& sql) { return posture_sql::refreshExemptions(sql, now); });
  }

  core::Status appendScore(std::span<const ScorePoint> points) override {
    return posture(true,
                   [&](posture_sql::Sql& sql) { return posture_sql::appendScore(sql, points); });
  }

  core::Result<std::vector<ScorePoint>> scoreHistory(
      Millis since, Millis until, const std::optional<std::string>& control) override {
    return posture(false, [&](posture_sql::Sql& sql) {
      return posture_sql::scoreHistory(sql, since, until, control);
    });
  }
  core::Result<bool> takeLease(std::string_view name, std::string_view holder, Millis now,
                               Millis until) override {
    return posture(true, [&](posture_sql::Sql& sql) {
      return posture_sql::takeLease(sql, name, holder, now, until);
    });
  }

  core::Status touchSensor(const SensorRecord& sensor) override {
    return posture(true,
                   [&](posture_sql::Sql& sql) { return posture_sql::touchSensor(sql, sensor); });
  }

  core::Result<std::vector<SensorRecord>> listSensors() override {
    return posture(false, [&](posture_sql::Sql& sql) { return posture_sql::listSensors(sql); });
  }

  core::Status putSchedule(const ScheduleRecord& schedule) override {
    return posture(true,
                   [&](posture_sql::Sql& sql) { return posture_sql::putSchedule(sql, schedule); });
  }

  core::Result<bool> addSchedule(const ScheduleRecord& schedule) override {
    return posture(true,
                   [&](posture_sql::Sql& sql) { return posture_sql::addSchedule(sql, schedule); });
  }

  core::Result<std::vector<ScheduleRecord>> listSchedules() override {
    return posture(false, [&](posture_sql::Sql& sql) { return posture_sql::listSchedules(sql); });
  }

  core::Result<bool> claimSchedule(std::string_view target_key, Millis expected, Millis next,
                                   std::int64_t run_id) override {
    return posture(true, [&](posture_sql::Sql& sql) {
      return posture_sql::claimSchedule(sql, target_key, expected, next, run_id);
    });
  }
  core::Result<PostureRun> startRun(const PostureRun& run) override {
    return posture(true, [&](posture_sql::Sql& sql) { return posture_sql::startRun(sql, run); });
  }

  core::Status finishRun(const PostureRun& run) override {
    return posture(true, [&](posture_sql::Sql& sql) { return posture_sql::finishRun(sql, run); });
  }

  core::Result<std::vector<PostureRun>> listRuns(const PostureRunQuery& query) override {
    return posture(false, [&](posture_sql::Sql& sql) { return posture_sql::listRuns(sql, query); });
  }

  core::Result<std::int64_t> countRuns(const PostureRunQuery& query) override {
    return posture(false,
                   [&](posture_sql::Sql& sql) { return posture_sql::countRuns(sql, query); });
  }

  core::Status replaceResultChecks(std::string_view digest,
                                   std::span<const ResultCheck> checks) override {
    return posture(true, [&](posture_sql::Sql& sql) {
      return posture_sql::replaceResultChecks(sql, digest, checks);
    });
  }

  core::Result<std::vector<ResultCheck>> resultChecks(std::string_view digest) override {
    return posture(false,
                   [&](posture_sql::Sql& sql) { return posture_sql::resultChecks(sql, digest); });
  }
  core::Result<bool> putInput(const PostureInput& input) override {
    return posture(true, [&](posture_sql::Sql& sql) { return posture_sql::putInput(sql, input); });
  }

  core::Result<std::optional<PostureInput>> getInput(std::string_view sha256) override {
    return posture(false,
                   [&](posture_sql::Sql& sql) { return posture_sql::getInput(sql, sha256); });
  }

  core::Status deleteInput(std::string_view sha256) override {
    return posture(true,
                   [&](posture_sql::Sql& sql) { return posture_sql::deleteInput(sql, sha256); });
  }

  // ---- posture API queries (P4)
  core::Result<CrossFindingPage> crossImageFindings(const CrossFindingQuery& query) override {
    return posture(
        false, [&](posture_sql::Sql& sql) { return posture_sql::crossImageFindings(sql, query); });
  }

 private:
  // Runs a posture operation under the mutex; a write in a BEGIN IMMEDIATE transaction that
  // commits when it succeeds.
  template <class Body>
  std::invoke_result_t<Body&, posture_sql::Sql&> posture(bool write, Body&& body) {
    std::lock_guard lock(mutex_);
    SqliteSql sql(db_);
    if (!write) return body(sql);
    Transaction transaction(db_);
    STORE_TRY(transaction.begin());
    auto out = body(sql);
    if (out) STORE_TRY(transaction.commit());
    return out;
  }

  // ---- helpers; the caller holds mutex_ ----

  template <class T, class Decode>
  core::Result<std::optional<T>> single(Statement& select, Decode decode, std::string_view what) {
    if (!select.ok()) return sqlFailure(db_, what);
    const int rc = select.step();
    if (rc == SQLITE_DONE) return std::optional<T>();
    if (rc != SQLITE_ROW) return sqlFailure(db_, what);
    return std::optional<T>(decode(select));
  }

  template <class T, class Decode>
  core::Result<std::vector<T>> all(Statement& select, Decode decode, std::string_view what) {
    if (!select.ok()) return sqlFailure(db_, what);
    std::vector<T> rows;
    int rc = SQLITE_ROW;
    while ((rc = select.step()) == SQLITE_ROW) rows.push_back(decode(select));
    if (rc != SQLITE_DONE) return sqlFailure(db_, what);
    return rows;
  }

  core::Result<std::optional<ImageRecord>> oneImage(Statement& select, std::string_view what) {
    if (!select.ok()) return sqlFailure(db_, what);
    const int rc = select.step();
    if (rc == SQLITE_DONE) return std::optional<ImageRecord>();
    if (rc != SQLITE_ROW) return sqlFailure(db_, what);
    ImageRecord image = imageFrom(select);
    Statement tags(db_, "SELECT tag FROM tags WHERE image_id = ? ORDER BY tag");
    tags.bind(1, select.integer(0));
    auto listed = all<std::string>(
        tags, [](const Statement& row) { return row.text(0); }, what);
    if (!listed) return tl::unexpected(listed.error());
    image.tags = std::move(*listed);
    return std::optional<ImageRecord>(std::move(image));
  }

  core::Result<Job> loadJob(std::int64_t id) {
    Statement select(db_, sql({"SELECT ", kJobColumns, " FROM jobs WHERE id = ?"}));
    select.bind(1, id);
    auto job = single<Job>(select, jobFrom, "get job");
    if (!job) return tl::unexpected(job.error());
    if (!*job) return core::fail(ErrorCode::NotFound, "job {}", id);
    return std::move(**job);
  }

  // NotFound when the job does not exist; Input when `worker` does not hold it (any more).
  core::Status checkHolder(std::int64_t id, std::string_view worker) {
    auto job = loadJob(id);
    if (!job) return tl::unexpected(job.error());
    if (job->state != JobState::Running || job->worker != worker) {
      return core::fail(ErrorCode::Input, "job {} is not held by '{}' (it is {}, worker '{}')", id,
                        worker, toString(job->state), job->worker);
    }
    return {};
  }

  core::Result<bool> hasResult(std::string_view digest) {
    Statement select(db_, "SELECT 1 FROM results WHERE digest = ?");
    select.bind(1, digest);
    if (!select.ok()) return sqlFailure(db_, "find result");
    const int rc = select.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlFailure(db_, "find result");
    return rc == SQLITE_ROW;
  }

  core::Result<std::vector<FindingRecord>> loadFindings(std::string_view digest) {
    Statement select(db_,
                     "SELECT vulnerability_id, package_name, installed_version, severity, "
                     "first_seen FROM findings WHERE digest = ?");
    select.bind(1, digest);
    return all<FindingRecord>(
        select,
        [](const Statement& row) {
          FindingRecord finding;
          finding.vulnerability_id = row.text(0);
          finding.package_name = row.text(1);
          finding.installed_version = row.text(2);
          finding.severity = severityFrom(row.integer(3));
          finding.first_seen = row.integer(4);
          return finding;
        },
        "load findings");
  }

  static void bindCounts(Statement& statement, int first, const SeverityCounts& counts) {
    statement.bind(first, counts.critical).bind(first + 1, counts.high);
    statement.bind(first + 2, counts.medium).bind(first + 3, counts.low);
    statement.bind(first + 4, counts.negligible).bind(first + 5, counts.unknown);
  }

  // Replaces a digest's findings; those already present keep their first_seen.
  core::Status writeFindings(std::string_view digest, const std::vector<FindingRecord>& before,
                             const std::vector<FindingRecord>& after, Millis at) {
    std::map<std::tuple<std::string_view, std::string_view, std::string_view>, Millis> first_seen;
    for (const FindingRecord& finding : before) {
      first_seen.emplace(
          std::tuple<std::string_view, std::string_view, std::string_view>(
              finding.vulnerability_id, finding.package_name, finding.installed_version),
          finding.first_seen);
    }
    Statement remove(db_, "DELETE FROM findings WHERE digest = ?");
    remove.bind(1, digest);
    STORE_TRY(runDone(db_, remove, "write findings"));
    Statement insert(db_, sql({"INSERT INTO findings (digest, ", kFindingColumns,
                               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"}));
    if (!insert.ok()) return sqlFailure(db_, "write findings");
    for (const FindingRecord& finding : after) {
      const auto known = first_seen.find(
          {finding.vulnerability_id, finding.package_name, finding.installed_version});
      insert.reset();
      insert.bind(1, digest).bind(2, finding.vulnerability_id).bind(3, finding.package_name);
      insert.bind(4, finding.installed_version).bind(5, finding.fixed_version);
      insert.bind(6, severityValue(finding.severity)).bind(7, finding.detail_json);
      insert.bind(8, known != first_seen.end() ? known->second : at);
      if (insert.step() != SQLITE_DONE) return sqlFailure(db_, "write findings");
    }
    return {};
  }

  // The severity columns and `fixable` of a digest's result, from its stored findings.
  core::Status recountResult(std::string_view digest) {
    Statement update(db_, posture_sql::sqliteParams(posture_sql::kRecountResult));
    update.bind(1, digest);
    return runDone(db_, update, "count findings");
  }

  core::Status writeChanges(const std::vector<FindingChange>& changes) {
    if (changes.empty()) return {};
    Statement insert(db_, sql({"INSERT INTO finding_changes (", kChangeColumns,
                               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"}));
    if (!insert.ok()) return sqlFailure(db_, "record finding changes");
    for (const FindingChange& change : changes) {
      insert.reset();
      insert.bind(1, change.digest).bind(2, toString(change.kind));
      insert.bind(3, change.vulnerability_id).bind(4, change.package_name);
      insert.bind(5, change.installed_version).bind(6, severityValue(change.severity));
      insert.bind(7, change.db_build_id).bind(8, change.at);
      if (insert.step() != SQLITE_DONE) return sqlFailure(db_, "record finding changes");
    }
    return {};
  }

  core::Result<int> currentVersion() {
    Statement select(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    if (!select.ok() || select.step() != SQLITE_ROW) return sqlFailure(db_, "schema version");
    return static_cast<int>(select.integer(0));
  }

  core::Status migrate(int target) {
    STORE_TRY(exec(db_,
                   "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                   "applied_at INTEGER NOT NULL)",
                   "create schema_version"));
    for (const Migration& migration : kMigrations) {
      Transaction transaction(db_);
      STORE_TRY(transaction.begin());
      auto version = currentVersion();  // read inside the transaction: another process may race
      if (!version) return tl::unexpected(version.error());
      if (*version > kSchemaVersion) {
        return core::fail(ErrorCode::Input,
                          "schema version {} is newer than this bulwark supports ({}); "
                          "upgrade bulwark",
                          *version, kSchemaVersion);
      }
      if (*version >= migration.version || migration.version > target) continue;
      STORE_TRY(exec(db_, migration.sql, fmt::format("migration {}", migration.version)));
      Statement record(db_, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
      record.bind(1, std::int64_t{migration.version}).bind(2, nowMillis());
      STORE_TRY(runDone(db_, record, "record migration"));
      STORE_TRY(transaction.commit());
    }
    auto version = currentVersion();
    if (!version) return tl::unexpected(version.error());
    if (*version != target) {
      return core::fail(ErrorCode::Input, "schema version {} is not the expected {}", *version,
                        target);
    }
    return {};
  }

  std::mutex mutex_;
  sqlite3* db_;
};

#undef STORE_TRY

}  // namespace

namespace {

core::Result<std::unique_ptr<Store>> openAt(std::string_view path, int version) {
  const std::string file(path);
  if (file.empty()) return core::fail(ErrorCode::Usage, "sqlite: empty database path");
  if (file != ":memory:") {
    const std::filesystem::path parent = std::filesystem::path(file).parent_path();
    std::error_code error;
    if (!parent.empty()) std::filesystem::create_directories(parent, error);
    if (error) {
      return core::fail(ErrorCode::Io, "sqlite {}: cannot create {}: {}", file, parent.string(),
                        error.message());
    }
  }
  sqlite3* handle = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(file.c_str(), &handle, flags, nullptr) != SQLITE_OK) {
    std::string message = handle != nullptr ? sqlite3_errmsg(handle) : "out of memory";
    sqlite3_close_v2(handle);
    return core::fail(ErrorCode::Io, "sqlite {}: {}", file, message);
  }
  auto store = std::make_unique<SqliteStore>(handle);
  if (auto configured = store->configure(version); !configured) {
    return core::withContext(configured.error(), fmt::format("sqlite {}", file));
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace

core::Result<std::unique_ptr<Store>> openSqliteStore(std::string_view path) {
  return openAt(path, kSchemaVersion);
}

core::Status migrateSqliteStore(std::string_view path, int version) {
  if (version < 1 || version > kSchemaVersion) {
    return core::fail(ErrorCode::Usage, "sqlite: no schema version {}", version);
  }
  auto store = openAt(path, version);
  if (!store) return tl::unexpected(store.error());
  return {};
}

}  // namespace bulwark::store
