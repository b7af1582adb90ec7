// The PostgreSQL backend of Store (libpqxx 6.4).
//
// Connections: a small pool (kMaxConnections), opened lazily. A connection that broke is thrown
// away with the idle ones and the operation runs again on a fresh one (a connection that broke
// before COMMIT rolled the transaction back; one that broke during COMMIT is reported, never
// retried). Every operation is one transaction at READ COMMITTED; values travel as query
// parameters only. Claims lock the job row with FOR UPDATE SKIP LOCKED; dedup of active jobs (and
// of a parent job's children) is a partial unique index with ON CONFLICT DO NOTHING.
// Migrations: each numbered migration runs in its own transaction after
// pg_advisory_xact_lock(kMigrationLock), so servers and workers starting together migrate once.
// Text columns use the "C" collation so ordering and `digest > $after` agree with SQLite's byte
// order whatever the database's locale. Inventories are stored zstd-compressed as in SQLite.
#include "store/postgres_store.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "store/inventory_blob.h"
#include "store/posture_store.h"

namespace bulwark::store {
namespace {

constexpr std::size_t kMaxConnections = 8;
constexpr int kConnectTimeoutS = 10;         // unless the URL sets connect_timeout
constexpr long kMigrationLock = 0x62756c77;  // "bulw": serializes migrations across processes
constexpr int kResultLockClass = 0x6275;     // pg_advisory_xact_lock(class, hashtext(digest))
constexpr std::size_t kInsertBatchRows = 500;
constexpr int kAttempts = 3;  // per operation: retries after a broken connection or deadlock
constexpr int kMaxDeadLettersPerClaim = 1000;
// Inventories as in the SQLite backend: zstd from 256 bytes on when it saves space.

// Schema migrations; index i holds the statements of version i + 1.
std::vector<std::vector<const char*>> allMigrations() {
  std::vector<std::vector<const char*>> versions = {{
      R"(CREATE TABLE tokens (
           id bigserial PRIMARY KEY,
           name text COLLATE "C" NOT NULL,
           role text COLLATE "C" NOT NULL,
           secret_hash text COLLATE "C" NOT NULL UNIQUE,
           created_at bigint NOT NULL,
           expires_at bigint,
           revoked boolean NOT NULL DEFAULT false))",
      R"(CREATE TABLE registries (
           id bigserial PRIMARY KEY,
           name text COLLATE "C" NOT NULL UNIQUE,
           url text COLLATE "C" NOT NULL,
           username text COLLATE "C" NOT NULL,
           password_sealed text COLLATE "C" NOT NULL,
           insecure boolean NOT NULL,
           ca_file text COLLATE "C" NOT NULL,
           poll_interval_s bigint NOT NULL,
           created_at bigint NOT NULL,
           last_polled_at bigint))",
      R"(CREATE TABLE jobs (
           id bigserial PRIMARY KEY,
           kind text COLLATE "C" NOT NULL,
           registry text COLLATE "C" NOT NULL,
           repository text COLLATE "C" NOT NULL,
           digest text COLLATE "C" NOT NULL,
           tag text COLLATE "C" NOT NULL,
           platform text COLLATE "C" NOT NULL,
           source text COLLATE "C" NOT NULL,
           target_repository text COLLATE "C" NOT NULL,
           max_attempts integer NOT NULL,
           state text COLLATE "C" NOT NULL,
           attempts integer NOT NULL DEFAULT 0,
           last_error text COLLATE "C" NOT NULL DEFAULT '',
           worker text COLLATE "C" NOT NULL DEFAULT '',
           created_at bigint NOT NULL,
           updated_at bigint NOT NULL,
           run_after bigint NOT NULL,
           lease_expires bigint NOT NULL DEFAULT 0,
           started_at bigint,
           finished_at bigint))",
      // At most one queued or running job per key: enqueue inserts ON CONFLICT DO NOTHING.
      R"(CREATE UNIQUE INDEX jobs_active_key ON jobs
           (kind, registry, repository, digest, target_repository)
           WHERE state IN ('queued', 'running'))",
      R"(CREATE INDEX jobs_queued ON jobs (run_after, id) WHERE state = 'queued')",
      R"(CREATE INDEX jobs_running ON jobs (lease_expires, id) WHERE state = 'running')",
      R"(CREATE INDEX jobs_state ON jobs (state, id))",
      R"(CREATE INDEX jobs_digest ON jobs (digest, id))",
      R"(CREATE TABLE images (
           registry text COLLATE "C" NOT NULL,
           repository text COLLATE "C" NOT NULL,
           digest text COLLATE "C" NOT NULL,
           first_seen bigint NOT NULL,
           last_pushed bigint NOT NULL,
           PRIMARY KEY (registry, repository, digest)))",
      R"(CREATE INDEX images_digest ON images (digest))",
      R"(CREATE TABLE tags (
           registry text COLLATE "C" NOT NULL,
           repository text COLLATE "C" NOT NULL,
           tag text COLLATE "C" NOT NULL,
           digest text COLLATE "C" NOT NULL,
           updated_at bigint NOT NULL,
           PRIMARY KEY (registry, repository, tag)))",
      R"(CREATE INDEX tags_digest ON tags (registry, repository, digest))",
      R"(CREATE TABLE results (
           digest text COLLATE "C" PRIMARY KEY,
           inventory bytea NOT NULL,
           inventory_codec integer NOT NULL,
           db_build_id text COLLATE "C" NOT NULL,
           bulwark_version text COLLATE "C" NOT NULL,
           duration_ms bigint NOT NULL,
           scanned_at bigint NOT NULL,
           evaluated_at bigint NOT NULL,
           os text COLLATE "C" NOT NULL,
           platform text COLLATE "C" NOT NULL,
           package_count bigint NOT NULL))",
      R"(CREATE TABLE findings (
           digest text COLLATE "C" NOT NULL,
           vulnerability_id text COLLATE "C" NOT NULL,
           package_name text COLLATE "C" NOT NULL,
           installed_version text COLLATE "C" NOT NULL,
           fixed_version text COLLATE "C" NOT NULL,
           severity integer NOT NULL,
           detail_json text COLLATE "C" NOT NULL,
           first_seen bigint NOT NULL,
           PRIMARY KEY (digest, vulnerability_id, package_name, installed_version)))",
      R"(CREATE TABLE finding_changes (
           id bigserial PRIMARY KEY,
           digest text COLLATE "C" NOT NULL,
           kind text COLLATE "C" NOT NULL,
           vulnerability_id text COLLATE "C" NOT NULL,
           package_name text COLLATE "C" NOT NULL,
           installed_version text COLLATE "C" NOT NULL,
           severity integer NOT NULL,
           db_build_id text COLLATE "C" NOT NULL,
           at bigint NOT NULL))",
      R"(CREATE INDEX finding_changes_digest ON finding_changes (digest, at, id))",
      R"(CREATE TABLE decisions (
           id bigserial PRIMARY KEY,
           registry text COLLATE "C" NOT NULL,
           repository text COLLATE "C" NOT NULL,
           digest text COLLATE "C" NOT NULL,
           target_repository text COLLATE "C" NOT NULL,
           tag text COLLATE "C" NOT NULL,
           promoted boolean NOT NULL,
           reason text COLLATE "C" NOT NULL,
           at bigint NOT NULL))",
      R"(CREATE INDEX decisions_digest ON decisions (digest, at, id))",
      R"(CREATE TABLE settings (
           key text COLLATE "C" PRIMARY KEY,
           value text COLLATE "C" NOT NULL))",
  }};
  // Version 2: the platform children of an index know their index; a job enqueues the same work
  // once (jobs_once).
  versions.push_back({
      R"(ALTER TABLE jobs ADD COLUMN parent_digest text COLLATE "C" NOT NULL DEFAULT '')",
      R"(ALTER TABLE jobs ADD COLUMN parent_job_id bigint NOT NULL DEFAULT 0)",
      R"(CREATE UNIQUE INDEX jobs_once ON jobs
           (kind, registry, repository, digest, target_repository, parent_job_id)
           WHERE parent_job_id <> 0)",
  });
  // Version 3: runtime alerts (docs/dev/runtime-design.md §5.3).
  versions.push_back({
      R"(CREATE TABLE alerts (
           alert_id text COLLATE "C" PRIMARY KEY,
           time_ms bigint NOT NULL,
           received_ms bigint NOT NULL,
           rule text COLLATE "C" NOT NULL,
           rule_id text COLLATE "C" NOT NULL,
           priority integer NOT NULL,
           source text COLLATE "C" NOT NULL,
           host text COLLATE "C" NOT NULL,
           agent text COLLATE "C" NOT NULL,
           container_id text COLLATE "C" NOT NULL,
           container_image text COLLATE "C" NOT NULL,
           k8s_ns text COLLATE "C" NOT NULL,
           k8s_pod text COLLATE "C" NOT NULL,
           tags_json text COLLATE "C" NOT NULL,
           output text COLLATE "C" NOT NULL,
           fields_json text COLLATE "C" NOT NULL,
           simulated boolean NOT NULL))",
      R"(CREATE INDEX alerts_time ON alerts (time_ms))",
      R"(CREATE INDEX alerts_rule ON alerts (rule, time_ms))",
      R"(CREATE INDEX alerts_host ON alerts (host, time_ms))",
  });
  // Version 4: posture (docs/dev/posture-design.md §5.4): resources, assessments and their
  // history, exemptions, score history; alert triage; severity counts and `fixable` on results
  // (back-filled from findings); indexes for the change feeds.
  versions.push_back({
      R"(CREATE TABLE posture_resources (
           id text COLLATE "C" PRIMARY KEY,
           key text COLLATE "C" NOT NULL UNIQUE,
           type text COLLATE "C" NOT NULL,
           parent_id text COLLATE "C" NOT NULL,
           path text COLLATE "C" NOT NULL,
           name text COLLATE "C" NOT NULL,
           labels_json text COLLATE "C" NOT NULL,
           attrs_json text COLLATE "C" NOT NULL,
           first_seen bigint NOT NULL,
           last_seen bigint NOT NULL,
           gone_at bigint,
           health integer NOT NULL,
           unhealthy bigint NOT NULL,
           severity integer NOT NULL))",
      R"(CREATE INDEX posture_resources_parent ON posture_resources (parent_id, health, name))",
      R"(CREATE INDEX posture_resources_type ON posture_resources
           (type, health, severity, name))",
      R"(CREATE INDEX posture_resources_path ON posture_resources (path))",
      R"(CREATE TABLE posture_assessments (
           resource_id text COLLATE "C" NOT NULL
             REFERENCES posture_resources (id) ON DELETE CASCADE,
           source text COLLATE "C" NOT NULL,
           kind text COLLATE "C" NOT NULL,
           recommendation text COLLATE "C" NOT NULL,
           control text COLLATE "C" NOT NULL,
           status integer NOT NULL,
           severity integer NOT NULL,
           reason text COLLATE "C" NOT NULL,
           cause text COLLATE "C" NOT NULL,
           evidence_json text COLLATE "C" NOT NULL,
           run_id bigint NOT NULL,
           exempt_id bigint NOT NULL,
           assessed_at bigint NOT NULL,
           status_since bigint NOT NULL,
           PRIMARY KEY (resource_id, source)))",
      R"(CREATE INDEX posture_assessments_recommendation ON posture_assessments
           (recommendation, status, resource_id))",
      R"(CREATE INDEX posture_assessments_control ON posture_assessments (control, resource_id))",
      R"(CREATE TABLE posture_assessment_changes (
           id bigserial PRIMARY KEY,
           resource_id text COLLATE "C" NOT NULL,
           source text COLLATE "C" NOT NULL,
           recommendation text COLLATE "C" NOT NULL,
           from_status integer NOT NULL,
           to_status integer NOT NULL,
           cause text COLLATE "C" NOT NULL,
           at bigint NOT NULL))",
      R"(CREATE INDEX posture_assessment_changes_resource ON posture_assessment_changes
           (resource_id, at, id))",
      R"(CREATE TABLE posture_exemptions (
           id bigserial PRIMARY KEY,
           recommendation text COLLATE "C" NOT NULL,
           scope_id text COLLATE "C" NOT NULL,
           source text COLLATE "C" NOT NULL,
           category text COLLATE "C" NOT NULL,
           reason text COLLATE "C" NOT NULL,
           created_by text COLLATE "C" NOT NULL,
           created_at bigint NOT NULL,
           expires_at bigint NOT NULL,
           revoked_at bigint))",
      R"(CREATE INDEX posture_exemptions_scope ON posture_exemptions (recommendation, scope_id))",
      R"(CREATE TABLE posture_scores (
           control text COLLATE "C" NOT NULL,
           at bigint NOT NULL,
           score double precision NOT NULL,
           max double precision NOT NULL,
           healthy bigint NOT NULL,
           unhealthy bigint NOT NULL,
           PRIMARY KEY (control, at)))",
      R"(CREATE INDEX posture_scores_at ON posture_scores (at))",
      R"(CREATE TABLE posture_runs (
           id bigserial PRIMARY KEY,
           kind text COLLATE "C" NOT NULL,
           target_key text COLLATE "C" NOT NULL,
           source text COLLATE "C" NOT NULL,
           input_sha256 text COLLATE "C" NOT NULL,
           started_at bigint NOT NULL,
           finished_at bigint,
           status text COLLATE "C" NOT NULL,
           summary_json text COLLATE "C" NOT NULL,
           results bigint NOT NULL,
           diagnostics_json text COLLATE "C" NOT NULL))",
      R"(CREATE INDEX posture_runs_target ON posture_runs (target_key, started_at, id))",
      R"(CREATE TABLE posture_inputs (
           sha256 text COLLATE "C" PRIMARY KEY,
           schema text COLLATE "C" NOT NULL,
           target_key text COLLATE "C" NOT NULL,
           body bytea NOT NULL,
           body_codec integer NOT NULL,
           received_at bigint NOT NULL))",
      R"(CREATE TABLE posture_sensors (
           agent text COLLATE "C" NOT NULL,
           host text COLLATE "C" NOT NULL,
           cluster text COLLATE "C" NOT NULL,
           last_seen bigint NOT NULL,
           PRIMARY KEY (agent, host)))",
      R"(CREATE TABLE posture_schedules (
           target_key text COLLATE "C" PRIMARY KEY,
           next_run_at bigint NOT NULL,
           last_run_id bigint NOT NULL))",
      R"(CREATE TABLE leases (
           name text COLLATE "C" PRIMARY KEY,
           holder text COLLATE "C" NOT NULL,
           until bigint NOT NULL))",
      R"(CREATE TABLE result_checks (
           digest text COLLATE "C" NOT NULL REFERENCES results (digest) ON DELETE CASCADE,
           check_id text COLLATE "C" NOT NULL,
           status text COLLATE "C" NOT NULL,
           severity integer NOT NULL,
           detail_json text COLLATE "C" NOT NULL,
           PRIMARY KEY (digest, check_id)))",
      R"(ALTER TABLE alerts ADD COLUMN status text COLLATE "C" NOT NULL DEFAULT 'new',
           ADD COLUMN status_at bigint,
           ADD COLUMN status_by text COLLATE "C" NOT NULL DEFAULT '',
           ADD COLUMN resource_id text COLLATE "C" NOT NULL DEFAULT '')",
      R"(CREATE INDEX alerts_received ON alerts (received_ms))",
      R"(CREATE INDEX alerts_resource ON alerts (resource_id, time_ms))",
      R"(CREATE INDEX alerts_status ON alerts (status, time_ms))",
      R"(ALTER TABLE results ADD COLUMN critical bigint NOT NULL DEFAULT 0,
           ADD COLUMN high bigint NOT NULL DEFAULT 0,
           ADD COLUMN medium bigint NOT NULL DEFAULT 0,
           ADD COLUMN low bigint NOT NULL DEFAULT 0,
           ADD COLUMN negligible bigint NOT NULL DEFAULT 0,
           ADD COLUMN unknown bigint NOT NULL DEFAULT 0,
           ADD COLUMN fixable bigint NOT NULL DEFAULT 0)",
      R"(UPDATE results r SET critical = c.critical, high = c.high, medium = c.medium,
           low = c.low, negligible = c.negligible, unknown = c.unknown, fixable = c.fixable
         FROM (SELECT digest,
                 count(*) FILTER (WHERE severity = 5) AS critical,
                 count(*) FILTER (WHERE severity = 4) AS high,
                 count(*) FILTER (WHERE severity = 3) AS medium,
                 count(*) FILTER (WHERE severity = 2) AS low,
                 count(*) FILTER (WHERE severity = 1) AS negligible,
                 count(*) FILTER (WHERE severity = 0) AS unknown,
                 count(*) FILTER (WHERE severity >= 2 AND fixed_version <> '') AS fixable
               FROM findings GROUP BY digest) c
         WHERE c.digest = r.digest)",
      R"(CREATE INDEX results_evaluated ON results (evaluated_at))",
      R"(CREATE INDEX images_pushed ON images (last_pushed))",
      R"(CREATE INDEX findings_severity ON findings (severity, vulnerability_id, digest))",
      R"(CREATE INDEX findings_vulnerability ON findings (vulnerability_id))",
  });
  // Version 5: the comment of an alert's triage status.
  versions.push_back({
      R"(ALTER TABLE alerts ADD COLUMN status_comment text COLLATE "C" NOT NULL DEFAULT '')",
  });
  return versions;
}

const std::vector<std::vector<const char*>>& migrations() {
  static const std::vector<std::vector<const char*>> kMigrations = allMigrations();
  return kMigrations;
}

// ---- small conversions ------------------------------------------------------------------------

std::string str(std::string_view text) { return std::string(text); }

// A nullable bigint travels as text: "" is NULL (NULLIF($n, '')::bigint in the query).
std::string optionalMillis(const std::optional<Millis>& value) {
  return value ? std::to_string(*value) : std::string();
}

std::optional<Millis> optionalField(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<Millis>();
}

int severityRank(model::Severity severity) { return static_cast<int>(severity); }

model::Severity severityFromRank(int rank) {
  if (rank < 0 || rank > static_cast<int>(model::Severity::Critical)) {
    return model::Severity::Unknown;
  }
  return static_cast<model::Severity>(rank);
}

core::Status checkPage(std::int64_t limit, std::int64_t offset) {
  if (limit < 0 || offset < 0) {
    return core::fail(core::ErrorCode::Input, "limit and offset must not be negative");
  }
  return {};
}

// A domain failure inside a transaction body: rolls the transaction back and becomes the result.
struct Abort {
  core::Error error;
};

template <class... Args>
[[noreturn]] void abortWith(core::ErrorCode code, fmt::format_string<Args...> format,
                            Args&&... args) {
  throw Abort{core::Error{code, fmt::format(format, std::forward<Args>(args)...)}};
}

// The password of a libpq URI ("postgres://user:pw@host/db") or keyword string ("password=pw"),
// percent-decoded, so it can be scrubbed from messages libpq or the server produce.
std::vector<std::string> secretsOf(std::string_view url) {
  std::vector<std::string> secrets;
  const auto decode = [](std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '%' && i + 2 < text.size()) {
        const std::string hex(text.substr(i + 1, 2));
        char* end = nullptr;
        const long value = std::strtol(hex.c_str(), &end, 16);
        if (end == hex.c_str() + 2) {
          out += static_cast<char>(value);
          i += 2;
          continue;
        }
      }
      out += text[i];
    }
    return out;
  };
  if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
    const std::string_view rest = url.substr(scheme + 3);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
      const std::string_view userinfo = authority.substr(0, at);
      if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
        secrets.push_back(str(userinfo.substr(colon + 1)));
        secrets.push_back(decode(userinfo.substr(colon + 1)));
      }
    }
  }
  for (std::size_t pos = url.find("password="); pos != std::string_view::npos;
       pos = url.find("password=", pos + 1)) {
    std::string_view value = url.substr(pos + 9);
    value = value.substr(0, value.find_first_of(" &"));
    secrets.push_back(str(value));
    secrets.push_back(decode(value));
  }
  std::erase_if(secrets, [](const std::string& secret) { return secret.size() < 2; });
  return secrets;
}

// One line: libpq messages end in newlines and may carry a "DETAIL:" line.
std::string oneLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return text;
}

// libpq waits for an unreachable host as long as TCP does (minutes); unless the URL says
// otherwise, connecting gives up after kConnectTimeoutS.
std::string withConnectTimeout(std::string url) {
  if (url.find("connect_timeout") != std::string::npos) return url;
  const std::string parameter = fmt::format("connect_timeout={}", kConnectTimeoutS);
  if (url.find("://") == std::string::npos) return url + " " + parameter;  // key=value form
  return url + (url.find('?') == std::string::npos ? "?" : "&") + parameter;
}

// ---- the connection pool ----------------------------------------------------------------------

class ConnectionPool {
 public:
  explicit ConnectionPool(std::string url) : url_(std::move(url)) {}

  // Throws pqxx::broken_connection when a new connection cannot be made.
  std::unique_ptr<pqxx::connection> take() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < kMaxConnections; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;
    lock.unlock();
    try {
      auto connection = std::make_unique<pqxx::connection>(url_);
      pqxx::nontransaction setup(*connection);
      setup.exec("SET client_min_messages TO warning");
      return connection;
    } catch (...) {
      give(nullptr);
      throw;
    }
  }

  // Closes the idle connections: after one broke, the others (same server) likely did too.
  void dropIdle() {
    std::vector<std::unique_ptr<pqxx::connection>> dropped;
    {
      std::lock_guard lock(mutex_);
      open_ -= idle_.size();
      dropped.swap(idle_);
    }
    available_.notify_all();
  }

  // Returns a connection; nullptr (or a closed connection) frees its slot.
  void give(std::unique_ptr<pqxx::connection> connection) {
    {
      std::lock_guard lock(mutex_);
      if (connection && connection->is_open()) {
        idle_.push_back(std::move(connection));
      } else {
        --open_;
      }
    }
    available_.notify_one();
  }

 private:
  std::string url_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_ = 0;
};

// ---- row mapping ------------------------------------------------------------------------------

constexpr const char* kJobColumns =
    "id, kind, registry, repository, digest, tag, platform, source, target_repository, "
    "max_attempts, state, attempts, last_error, worker, created_at, updated_at, run_after, "
    "lease_expires, started_at, finished_at, parent_digest, parent_job_id";

Job jobFromRow(const pqxx::row& row) {
  Job job;
  job.id = row["id"].as<std::int64_t>();
  auto kind = parseJobKind(row["kind"].as<std::string>());
  auto state = parseJobState(row["state"].as<std::string>());
  if (!kind || !state) {
    abortWith(core::ErrorCode::Internal, "job {}: unknown kind or state in the database", job.id);
  }
  job.request.kind = *kind;
  job.request.registry = row["registry"].as<std::string>();
  job.request.repository = row["repository"].as<std::string>();
  job.request.digest = row["digest"].as<std::string>();
  job.request.tag = row["tag"].as<std::string>();
  job.request.platform = row["platform"].as<std::string>();
  job.request.source = row["source"].as<std::string>();
  job.request.target_repository = row["target_repository"].as<std::string>();
  job.request.max_attempts = row["max_attempts"].as<int>();
  job.state = *state;
  job.attempts = row["attempts"].as<int>();
  job.last_error = row["last_error"].as<std::string>();
  job.worker = row["worker"].as<std::string>();
  job.created_at = row["created_at"].as<Millis>();
  job.updated_at = row["updated_at"].as<Millis>();
  job.run_after = row["run_after"].as<Millis>();
  job.lease_expires = row["lease_expires"].as<Millis>();
  job.started_at = optionalField(row["started_at"]);
  job.finished_at = optionalField(row["finished_at"]);
  job.request.parent_digest = row["parent_digest"].as<std::string>();
  job.request.parent_job_id = row["parent_job_id"].as<std::int64_t>();
  return job;
}

constexpr const char* kTokenColumns =
    "id, name, role, secret_hash, created_at, expires_at, revoked";

Token tokenFromRow(const pqxx::row& row) {
  Token token;
  token.id = row["id"].as<std::int64_t>();
  token.name = row["name"].as<std::string>();
  auto role = parseRole(row["role"].as<std::string>());
  if (!role) abortWith(core::ErrorCode::Internal, "token {}: unknown role", token.id);
  token.role = *role;
  token.secret_hash = row["secret_hash"].as<std::string>();
  token.created_at = row["created_at"].as<Millis>();
  token.expires_at = optionalField(row["expires_at"]);
  token.revoked = row["revoked"].as<bool>();
  return token;
}

constexpr const char* kRegistryColumns =
    "id, name, url, username, password_sealed, insecure, ca_file, poll_interval_s, created_at, "
    "last_polled_at";

Registry registryFromRow(const pqxx::row& row) {
  Registry registry;
  registry.id = row["id"].as<std::int64_t>();
  registry.name = row["name"].as<std::string>();
  registry.url = row["url"].as<std::string>();
  registry.username = row["username"].as<std::string>();
  registry.password_sealed = row["password_sealed"].as<std::string>();
  registry.insecure = row["insecure"].as<bool>();
  registry.ca_file = row["ca_file"].as<std::string>();
  registry.poll_interval_s = row["poll_interval_s"].as<std::int64_t>();
  registry.created_at = row["created_at"].as<Millis>();
  registry.last_polled_at = optionalField(row["last_polled_at"]);
  return registry;
}

constexpr const char* kMetadataColumns =
    "db_build_id, bulwark_version, duration_ms, scanned_at, evaluated_at, os, platform, "
    "package_count";

ScanMetadata metadataFromRow(const pqxx::row& row) {
  ScanMetadata metadata;
  metadata.db_build_id = row["db_build_id"].as<std::string>();
  metadata.bulwark_version = row["bulwark_version"].as<std::string>();
  metadata.duration_ms = row["duration_ms"].as<std::int64_t>();
  metadata.scanned_at = row["scanned_at"].as<Millis>();
  metadata.evaluated_at = row["evaluated_at"].as<Millis>();
  metadata.os = row["os"].as<std::string>();
  metadata.platform = row["platform"].as<std::string>();
  metadata.package_count = row["package_count"].as<std::int64_t>();
  return metadata;
}

constexpr const char* kFindingColumns =
    "vulnerability_id, package_name, installed_version, fixed_version, severity, detail_json, "
    "first_seen";

FindingRecord findingFromRow(const pqxx::row& row) {
  FindingRecord finding;
  finding.vulnerability_id = row["vulnerability_id"].as<std::string>();
  finding.package_name = row["package_name"].as<std::string>();
  finding.installed_version = row["installed_version"].as<std::string>();
  finding.fixed_version = row["fixed_version"].as<std::string>();
  finding.severity = severityFromRank(row["severity"].as<int>());
  finding.detail_json = row["detail_json"].as<std::string>();
  finding.first_seen = row["first_seen"].as<Millis>();
  return finding;
}

constexpr const char* kChangeColumns =
    "digest, kind, vulnerability_id, package_name, installed_version, severity, db_build_id, at";

FindingChange changeFromRow(const pqxx::row& row) {
  FindingChange change;
  change.digest = row["digest"].as<std::string>();
  change.kind = row["kind"].as<std::string>() == toString(FindingChangeKind::Resolved)
                    ? FindingChangeKind::Resolved
                    : FindingChangeKind::New;
  change.vulnerability_id = row["vulnerability_id"].as<std::string>();
  change.package_name = row["package_name"].as<std::string>();
  change.installed_version = row["installed_version"].as<std::string>();
  change.severity = severityFromRank(row["severity"].as<int>());
  change.db_build_id = row["db_build_id"].as<std::string>();
  change.at = row["at"].as<Millis>();
  return change;
}

constexpr const char* kAlertColumns =
    "alert_id, time_ms, received_ms, rule, rule_id, priority, source, host, agent, container_id, "
    "container_image, k8s_ns, k8s_pod, tags_json, output, fields_json, simulated";

// kAlertColumns and the triage columns of schemas 4 and 5 (addAlerts leaves those to their
// defaults).
constexpr const char* kAlertSelect =
    "alert_id, time_ms, received_ms, rule, rule_id, priority, source, host, agent, container_id, "
    "container_image, k8s_ns, k8s_pod, tags_json, output, fields_json, simulated, status, "
    "status_at, status_by, resource_id, status_comment";

AlertRecord alertFromRow(const pqxx::row& row) {
  AlertRecord alert;
  alert.alert_id = row["alert_id"].as<std::string>();
  alert.time_ms = row["time_ms"].as<Millis>();
  alert.received_ms = row["received_ms"].as<Millis>();
  alert.rule = row["rule"].as<std::string>();
  alert.rule_id = row["rule_id"].as<std::string>();
  alert.priority = row["priority"].as<int>();
  alert.source = row["source"].as<std::string>();
  alert.host = row["host"].as<std::string>();
  alert.agent = row["agent"].as<std::string>();
  alert.container_id = row["container_id"].as<std::string>();
  alert.container_image = row["container_image"].as<std::string>();
  alert.k8s_ns = row["k8s_ns"].as<std::string>();
  alert.k8s_pod = row["k8s_pod"].as<std::string>();
  alert.tags_json = row["tags_json"].as<std::string>();
  alert.output = row["output"].as<std::string>();
  alert.fields_json = row["fields_json"].as<std::string>();
  alert.simulated = row["simulated"].as<bool>();
  alert.status =
      model::parseAlertStatus(row["status"].as<std::string>()).value_or(model::AlertStatus::New);
  alert.status_at = optionalField(row["status_at"]);
  alert.status_by = row["status_by"].as<std::string>();
  alert.resource_id = row["resource_id"].as<std::string>();
  alert.status_comment = row["status_comment"].as<std::string>();
  return alert;
}

// The severity columns of results (schema 4) summed over a group of images.
constexpr const char* kSummedCounts =
    "COALESCE(sum(r.critical), 0), COALESCE(sum(r.high), 0), COALESCE(sum(r.medium), 0), "
    "COALESCE(sum(r.low), 0), COALESCE(sum(r.negligible), 0), COALESCE(sum(r.unknown), 0)";

// Six severity counts from column `first` on (critical … unknown).
SeverityCounts countsFromRow(const pqxx::row& row, int first) {
  SeverityCounts counts;
  counts.critical = row[first].as<std::int64_t>();
  counts.high = row[first + 1].as<std::int64_t>();
  counts.medium = row[first + 2].as<std::int64_t>();
  counts.low = row[first + 3].as<std::int64_t>();
  counts.negligible = row[first + 4].as<std::int64_t>();
  counts.unknown = row[first + 5].as<std::int64_t>();
  return counts;
}

using FindingKey = std::tuple<std::string, std::string, std::string>;

FindingKey keyOf(const FindingRecord& finding) {
  return {finding.vulnerability_id, finding.package_name, finding.installed_version};
}

constexpr pqxx::oid kByteaOid = 17;

// "\\x" and two hex digits per byte: bytea's text form.
std::string hexBytea(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kHex[byte >> 4U];
    out += kHex[byte & 0xfU];
  }
  return out;
}

// The posture statements (posture_store.h) in one transaction. Parameters travel as text and
// PostgreSQL infers their types from the statement (the shared SQL casts where it could not).
class PgSql final : public posture_sql::Sql {
 public:
  explicit PgSql(pqxx::work& tx) : tx_(tx) {}

  [[nodiscard]] posture_sql::Dialect dialect() const override {
    return posture_sql::Dialect::Postgres;
  }

  core::Result<std::vector<posture_sql::SqlRow>> query(
      std::string_view text, std::span<const posture_sql::SqlValue> params) override {
    const pqxx::result result = execute(text, params);
    std::vector<posture_sql::SqlRow> out;
    out.reserve(result.size());
    for (const auto& row : result) {
      posture_sql::SqlRow& values = out.emplace_back();
      for (const auto& field : row) {
        if (field.is_null()) {
          values.emplace_back();
        } else if (field.type() == kByteaOid) {
          values.emplace_back(pqxx::binarystring(field).str());
        } else {
          values.emplace_back(std::string(field.c_str(), field.size()));
        }
      }
    }
    return out;
  }

  core::Result<std::int64_t> exec(std::string_view text,
                                  std::span<const posture_sql::SqlValue> params) override {
    return static_cast<std::int64_t>(execute(text, params).affected_rows());
  }

 private:
  pqxx::result execute(std::string_view text, std::span<const posture_sql::SqlValue> params) {
    std::vector<std::string> values;
    values.reserve(params.size());
    for (const posture_sql::SqlValue& value : params) {
      values.push_back(std::visit(
          [](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
              return v;
            } else if constexpr (std::is_same_v<T, posture_sql::Bytes>) {
              return hexBytea(v.data);  // bytea's text input
            } else {
              return fmt::format("{}", v);  // doubles in their shortest exact form
            }
          },
          value));
    }
    return tx_.exec_params(std::string(text), pqxx::prepare::make_dynamic_params(values));
  }

  pqxx::work& tx_;
};

// ---- the store --------------------------------------------------------------------------------

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(std::string url)
      : url_(std::move(url)),
        redacted_(redactUrl(url_)),
        secrets_(secretsOf(url_)),
        pool_(withConnectTimeout(url_)) {}

  // Migrates to `version` (kSchemaVersion but in migration tests).
  core::Status open(int version = kSchemaVersion) {
    // Each migration in its own transaction, under a lock every opener takes: the second of two
    // processes starting together waits, then finds the version already applied.
    for (int target = 1;; ++target) {
      auto applied = run("open", [&](pqxx::work& tx) -> core::Result<bool> {
        tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
        tx.exec(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version integer PRIMARY KEY, applied_at bigint NOT NULL)");
        const int current =
            tx.exec1("SELECT COALESCE(max(version), 0) FROM schema_version")[0].as<int>();
        if (current > kSchemaVersion) {
          abortWith(core::ErrorCode::Input,
                    "the database's schema version {} is newer than this program's ({}); "
                    "upgrade bulwark",
                    current, kSchemaVersion);
        }
        if (current >= target) return current >= version;
        for (const char* statement : migrations()[static_cast<std::size_t>(target - 1)]) {
          tx.exec(statement);
        }
        tx.exec_params("INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)", target,
                       nowMillis());
        return target >= version;
      });
      if (!applied) return tl::unexpected(applied.error());
      if (*applied) return {};
    }
  }

  [[nodiscard]] std::string_view backend() const override { return "postgres"; }

  core::Result<int> schemaVersion() override {
    return run("schema version", [](pqxx::work& tx) -> core::Result<int> {
      return tx.exec1("SELECT COALESCE(max(version), 0) FROM schema_version")[0].as<int>();
    });
  }

  core::Status ping() override {
    return run("ping", [](pqxx::work& tx) -> core::Status {
      tx.exec1("SELECT 1");
      return {};
    });
  }

  // ---- tokens ---------------------------------------------------------------------------------

  core::Result<Token> createToken(std::string_view name, Role role, std::string_view secret_hash,
                                  std::optional<Millis> expires_at) override {
    if (secret_hash.empty()) return core::fail(core::ErrorCode::Input, "token: empty secret hash");
    return run("create token", [&](pqxx::work& tx) -> core::Result<Token> {
      const auto rows = tx.exec_params(
          fmt::format("INSERT INTO tokens (name, role, secret_hash, created_at, expires_at) "
                      "VALUES ($1, $2, $3, $4, NULLIF($5, '')::bigint) "
                      "ON CONFLICT (secret_hash) DO NOTHING RETURNING {}",
                      kTokenColumns),
          str(name), str(toString(role)), str(secret_hash), nowMillis(),
          optionalMillis(expires_at));
      if (rows.empty()) abortWith(core::ErrorCode::Input, "a token with this secret exists");
      return tokenFromRow(rows[0]);
    });
  }

  core::Result<std::optional<Token>> findToken(std::string_view secret_hash) override {
    return run("find token", [&](pqxx::work& tx) -> core::Result<std::optional<Token>> {
      const auto rows =
          tx.exec_params(fmt::format("SELECT {} FROM tokens WHERE secret_hash = $1", kTokenColumns),
                         str(secret_hash));
      if (rows.empty()) return std::nullopt;
      return tokenFromRow(rows[0]);
    });
  }

  core::Result<std::vector<Token>> listTokens() override {
    return run("list tokens", [&](pqxx::work& tx) -> core::Result<std::vector<Token>> {
      std::vector<Token> tokens;
      for (const auto& row :
           tx.exec(fmt::format("SELECT {} FROM tokens ORDER BY id", kTokenColumns))) {
        tokens.push_back(tokenFromRow(row));
      }
      return tokens;
    });
  }

  core::Status revokeToken(std::int64_t id) override {
    return run("revoke token", [&](pqxx::work& tx) -> core::Status {
      if (tx.exec_params("UPDATE tokens SET revoked = true WHERE id = $1", id).affected_rows() ==
          0) {
        abortWith(core::ErrorCode::NotFound, "no token with id {}", id);
      }
      return {};
    });
  }

  // ---- registries -----------------------------------------------------------------------------

  core::Result<Registry> addRegistry(const Registry& registry) override {
    if (registry.name.empty()) return core::fail(core::ErrorCode::Input, "registry: empty name");
    return run("add registry", [&](pqxx::work& tx) -> core::Result<Registry> {
      const auto rows = tx.exec_params(
          fmt::format("INSERT INTO registries (name, url, username, password_sealed, insecure, "
                      "ca_file, poll_interval_s, created_at, last_polled_at) VALUES ($1, $2, $3, "
                      "$4, $5, $6, $7, $8, NULLIF($9, '')::bigint) "
                      "ON CONFLICT (name) DO NOTHING RETURNING {}",
                      kRegistryColumns),
          registry.name, registry.url, registry.username, registry.password_sealed,
          registry.insecure, registry.ca_file, registry.poll_interval_s,
          registry.created_at != 0 ? registry.created_at : nowMillis(),
          optionalMillis(registry.last_polled_at));
      if (rows.empty()) {
        abortWith(core::ErrorCode::Input, "a registry named '{}' exists", registry.name);
      }
      return registryFromRow(rows[0]);
    });
  }

  core::Result<std::optional<Registry>> findRegistry(std::string_view name) override {
    return run("find registry", [&](pqxx::work& tx) -> core::Result<std::optional<Registry>> {
      const auto rows = tx.exec_params(
          fmt::format("SELECT {} FROM registries WHERE name = $1", kRegistryColumns), str(name));
      if (rows.empty()) return std::nullopt;
      return registryFromRow(rows[0]);
    });
  }

  core::Result<std::vector<Registry>> listRegistries() override {
    return run("list registries", [&](pqxx::work& tx) -> core::Result<std::vector<Registry>> {
      std::vector<Registry> registries;
      for (const auto& row :
           tx.exec(fmt::format("SELECT {} FROM registries ORDER BY name", kRegistryColumns))) {
        registries.push_back(registryFromRow(row));
      }
      return registries;
    });
  }

  core::Status removeRegistry(std::string_view name) override {
    return run("remove registry", [&](pqxx::work& tx) -> core::Status {
      if (tx.exec_params("DELETE FROM registries WHERE name = $1", str(name)).affected_rows() ==
          0) {
        abortWith(core::ErrorCode::NotFound, "no registry named '{}'", name);
      }
      return {};
    });
  }

  core::Status markPolled(std::string_view name, Millis at) override {
    return run("mark polled", [&](pqxx::work& tx) -> core::Status {
      if (tx.exec_params("UPDATE registries SET last_polled_at = $2 WHERE name = $1", str(name), at)
              .affected_rows() == 0) {
        abortWith(core::ErrorCode::NotFound, "no registry named '{}'", name);
      }
      return {};
    });
  }

  // ---- jobs -----------------------------------------------------------------------------------

  core::Result<EnqueueResult> enqueue(const JobRequest& request, Millis now) override {
    if (request.digest.empty()) return core::fail(core::ErrorCode::Input, "job: empty digest");
    return run("enqueue", [&](pqxx::work& tx) -> core::Result<EnqueueResult> {
      // Insert unless an active job has the key (jobs_active_key), or the parent already
      // enqueued it (jobs_once); between a conflict and the look-up an active job may finish, so
      // try a few times.
      for (int attempt = 0; attempt < 5; ++attempt) {
        const auto inserted = tx.exec_params(
            "INSERT INTO jobs (kind, registry, repository, digest, tag, platform, source, "
            "target_repository, max_attempts, state, created_at, updated_at, run_after, "
            "parent_digest, parent_job_id) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $10, $10, $11, $12) "
            "ON CONFLICT DO NOTHING RETURNING id",
            str(toString(request.kind)), request.registry, request.repository, request.digest,
            request.tag, request.platform, request.source, request.target_repository,
            std::max(request.max_attempts, 1), now, request.parent_digest, request.parent_job_id);
        if (!inserted.empty()) return EnqueueResult{inserted[0][0].as<std::int64_t>(), true};
        const auto existing = tx.exec_params(
            "SELECT id FROM jobs WHERE kind = $1 AND registry = $2 AND repository = $3 AND "
            "digest = $4 AND target_repository = $5 AND (state IN ('queued', 'running') OR "
            "($6 <> 0 AND parent_job_id = $6)) "
            "ORDER BY state IN ('queued', 'running') DESC, id LIMIT 1",
            str(toString(request.kind)), request.registry, request.repository, request.digest,
            request.target_repository, request.parent_job_id);
        if (!existing.empty()) return EnqueueResult{existing[0][0].as<std::int64_t>(), false};
      }
      abortWith(core::ErrorCode::Internal, "enqueue kept conflicting with a finishing job");
    });
  }

  core::Result<std::optional<Job>> claimJob(std::string_view worker, Millis now,
                                            Millis lease_ms) override {
    return run("claim job", [&](pqxx::work& tx) -> core::Result<std::optional<Job>> {
      // SKIP LOCKED passes over rows another claimer holds: two claimers never take one job.
      for (int round = 0; round <= kMaxDeadLettersPerClaim; ++round) {
        const auto candidates = tx.exec_params(
            "SELECT id, state, attempts, max_attempts, worker FROM jobs "
            "WHERE (state = 'queued' AND run_after <= $1) "
            "OR (state = 'running' AND lease_expires < $1) "
            "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
            now);
        if (candidates.empty()) break;
        const auto& candidate = candidates[0];
        const auto id = candidate["id"].as<std::int64_t>();
        const auto attempts = candidate["attempts"].as<std::int64_t>();
        if (candidate["state"].as<std::string>() == "running" &&
            attempts >= candidate["max_attempts"].as<std::int64_t>()) {
          // A worker died holding it as many times as it may run: a poison job, not a retry.
          tx.exec_params(
              "UPDATE jobs SET state = 'dead', last_error = $2, updated_at = $3, "
              "finished_at = $3, lease_expires = 0 WHERE id = $1",
              id,
              fmt::format("lease expired after {} attempts (last worker {})", attempts,
                          candidate["worker"].as<std::string>()),
              now);
          continue;
        }
        const auto claimed = tx.exec_params1(
            fmt::format("UPDATE jobs SET state = 'running', worker = $2, "
                        "attempts = attempts + 1, lease_expires = $3, started_at = $4, "
                        "updated_at = $4 WHERE id = $1 RETURNING {}",
                        kJobColumns),
            id, str(worker), now + lease_ms, now);
        return jobFromRow(claimed);
      }
      return std::nullopt;
    });
  }

  core::Result<bool> renewLease(std::int64_t job_id, std::string_view worker, Millis now,
                                Millis lease_ms) override {
    return run("renew lease", [&](pqxx::work& tx) -> core::Result<bool> {
      return tx.exec_params(
                   "UPDATE jobs SET lease_expires = $3::bigint + $4::bigint, updated_at = $3 "
                   "WHERE id = $1 AND worker = $2 AND state = 'running'",
                   job_id, str(worker), now, lease_ms)
                 .affected_rows() > 0;
    });
  }

  core::Status completeJob(std::int64_t job_id, std::string_view worker, Millis now) override {
    return run("complete job", [&](pqxx::work& tx) -> core::Status {
      const auto rows = tx.exec_params(
          "UPDATE jobs SET state = 'done', updated_at = $3, finished_at = $3, lease_expires = 0 "
          "WHERE id = $1 AND worker = $2 AND state = 'running'",
          job_id, str(worker), now);
      if (rows.affected_rows() == 0) requireHeld(tx, job_id, worker);
      return {};
    });
  }

  core::Status failJob(std::int64_t job_id, std::string_view worker, std::string_view error,
                       Millis now, std::optional<Millis> retry_at) override {
    return run("fail job", [&](pqxx::work& tx) -> core::Status {
      const auto rows = tx.exec_params(
          "UPDATE jobs SET last_error = $3, updated_at = $4::bigint, lease_expires = 0, "
          "state = CASE WHEN NULLIF($5, '') IS NULL OR attempts >= max_attempts THEN 'dead' "
          "ELSE 'queued' END, "
          "run_after = CASE WHEN NULLIF($5, '') IS NULL OR attempts >= max_attempts THEN run_after "
          "ELSE NULLIF($5, '')::bigint END, "
          "finished_at = CASE WHEN NULLIF($5, '') IS NULL OR attempts >= max_attempts "
          "THEN $4::bigint END "
          "WHERE id = $1 AND worker = $2 AND state = 'running'",
          job_id, str(worker), str(error), now, optionalMillis(retry_at));
      if (rows.affected_rows() == 0) requireHeld(tx, job_id, worker);
      return {};
    });
  }

  core::Status releaseJob(std::int64_t job_id, std::string_view worker, Millis now) override {
    return run("release job", [&](pqxx::work& tx) -> core::Status {
      const auto rows = tx.exec_params(
          "UPDATE jobs SET state = 'queued', attempts = GREATEST(attempts - 1, 0), "
          "run_after = LEAST(run_after, $3), updated_at = $3, lease_expires = 0 "
          "WHERE id = $1 AND worker = $2 AND state = 'running'",
          job_id, str(worker), now);
      if (rows.affected_rows() == 0) requireHeld(tx, job_id, worker);
      return {};
    });
  }

  core::Result<std::optional<Job>> getJob(std::int64_t job_id) override {
    return run("get job", [&](pqxx::work& tx) -> core::Result<std::optional<Job>> {
      const auto rows =
          tx.exec_params(fmt::format("SELECT {} FROM jobs WHERE id = $1", kJobColumns), job_id);
      if (rows.empty()) return std::nullopt;
      return jobFromRow(rows[0]);
    });
  }

  core::Result<std::vector<Job>> listJobs(const JobFilter& filter) override {
    if (auto page = checkPage(filter.limit, filter.offset); !page) {
      return tl::unexpected(page.error());
    }
    return run("list jobs", [&](pqxx::work& tx) -> core::Result<std::vector<Job>> {
      std::vector<Job> jobs;
      const auto rows =
          tx.exec_params(fmt::format("SELECT {} FROM jobs WHERE ($1 = '' OR state = $1) AND "
                                     "($2 = '' OR registry = $2) AND ($3 = '' OR digest = $3) "
                                     "ORDER BY id DESC LIMIT $4 OFFSET $5",
                                     kJobColumns),
                         filter.state ? str(toString(*filter.state)) : std::string(),
                         filter.registry, filter.digest, filter.limit, filter.offset);
      for (const auto& row : rows) jobs.push_back(jobFromRow(row));
      return jobs;
    });
  }

  core::Result<std::vector<std::pair<JobState, std::int64_t>>> countJobs() override {
    using Counts = std::vector<std::pair<JobState, std::int64_t>>;
    return run("count jobs", [&](pqxx::work& tx) -> core::Result<Counts> {
      std::map<std::string, std::int64_t, std::less<>> by_state;
      for (const auto& row : tx.exec("SELECT state, count(*) FROM jobs GROUP BY state")) {
        by_state[row[0].as<std::string>()] = row[1].as<std::int64_t>();
      }
      Counts counts;
      for (const JobState state : {JobState::Queued, JobState::Running, JobState::Done,
                                   JobState::Failed, JobState::Dead}) {
        const auto found = by_state.find(toString(state));
        counts.emplace_back(state, found == by_state.end() ? 0 : found->second);
      }
      return counts;
    });
  }

  // ---- images ---------------------------------------------------------------------------------

  core::Status recordPush(std::string_view registry, std::string_view repository,
                          std::string_view digest, std::string_view tag, Millis at) override {
    if (registry.empty() || repository.empty() || digest.empty()) {
      return core::fail(core::ErrorCode::Input,
                        "push: registry, repository and digest are required");
    }
    return run("record push", [&](pqxx::work& tx) -> core::Status {
      tx.exec_params(
          "INSERT INTO images (registry, repository, digest, first_seen, last_pushed) "
          "VALUES ($1, $2, $3, $4, $4) ON CONFLICT (registry, repository, digest) DO UPDATE SET "
          "first_seen = LEAST(images.first_seen, EXCLUDED.first_seen), "
          "last_pushed = GREATEST(images.last_pushed, EXCLUDED.last_pushed)",
          str(registry), str(repository), str(digest), at);
      if (!tag.empty()) {
        tx.exec_params(
            "INSERT INTO tags (registry, repository, tag, digest, updated_at) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (registry, repository, tag) DO UPDATE SET "
            "digest = EXCLUDED.digest, updated_at = EXCLUDED.updated_at",
            str(registry), str(repository), str(tag), str(digest), at);
      }
      return {};
    });
  }

  core::Result<std::vector<RegistrySummary>> registrySummaries() override {
    using Summaries = std::vector<RegistrySummary>;
    return run("registry summaries", [&](pqxx::work& tx) -> core::Result<Summaries> {
      Summaries summaries;
      std::map<std::string, std::size_t, std::less<>> index;
      for (const auto& row :
           tx.exec(fmt::format("SELECT {} FROM registries ORDER BY name", kRegistryColumns))) {
        index[row["name"].as<std::string>()] = summaries.size();
        summaries.push_back(RegistrySummary{registryFromRow(row), 0, 0, 0, {}});
      }
      for (const auto& row :
           tx.exec(fmt::format("SELECT i.registry, count(DISTINCT i.repository), count(*), "
                               "count(r.digest), {} FROM images i LEFT JOIN results r "
                               "ON r.digest = i.digest GROUP BY i.registry",
                               kSummedCounts))) {
        const auto found = index.find(row[0].as<std::string>());
        if (found == index.end()) continue;
        RegistrySummary& summary = summaries[found->second];
        summary.repositories = row[1].as<std::int64_t>();
        summary.images = row[2].as<std::int64_t>();
        summary.scanned = row[3].as<std::int64_t>();
        summary.counts = countsFromRow(row, 4);
      }
      return summaries;
    });
  }

  core::Result<std::vector<RepositorySummary>> listRepositories(
      std::string_view registry) override {
    using Summaries = std::vector<RepositorySummary>;
    return run("list repositories", [&](pqxx::work& tx) -> core::Result<Summaries> {
      Summaries summaries;
      for (const auto& row : tx.exec_params(
               fmt::format("SELECT i.repository, count(*), count(r.digest), max(i.last_pushed), "
                           "{} FROM images i LEFT JOIN results r ON r.digest = i.digest "
                           "WHERE i.registry = $1 GROUP BY i.repository ORDER BY i.repository",
                           kSummedCounts),
               str(registry))) {
        RepositorySummary summary;
        summary.registry = str(registry);
        summary.repository = row[0].as<std::string>();
        summary.images = row[1].as<std::int64_t>();
        summary.scanned = row[2].as<std::int64_t>();
        summary.last_pushed = row[3].as<Millis>();
        summary.counts = countsFromRow(row, 4);
        summaries.push_back(std::move(summary));
      }
      return summaries;
    });
  }

  core::Result<std::vector<ImageRecord>> listImages(std::string_view registry,
                                                    std::string_view repository) override {
    return run("list images", [&](pqxx::work& tx) -> core::Result<std::vector<ImageRecord>> {
      return images(tx, registry, repository, std::nullopt);
    });
  }

  core::Result<std::optional<ImageRecord>> findTag(std::string_view registry,
                                                   std::string_view repository,
                                                   std::string_view tag) override {
    return run("find tag", [&](pqxx::work& tx) -> core::Result<std::optional<ImageRecord>> {
      const auto rows = tx.exec_params(
          "SELECT digest FROM tags WHERE registry = $1 AND repository = $2 AND tag = $3",
          str(registry), str(repository), str(tag));
      if (rows.empty()) return std::nullopt;
      auto found = images(tx, registry, repository, rows[0][0].as<std::string>());
      if (found.empty()) return std::nullopt;
      return std::move(found.front());
    });
  }

  core::Result<std::optional<ImageRecord>> findImage(std::string_view registry,
                                                     std::string_view repository,
                                                     std::string_view digest) override {
    return run("find image", [&](pqxx::work& tx) -> core::Result<std::optional<ImageRecord>> {
      auto found = images(tx, registry, repository, str(digest));
      if (found.empty()) return std::nullopt;
      return std::move(found.front());
    });
  }

  // ---- results --------------------------------------------------------------------------------

  core::Result<std::vector<FindingChange>> saveResult(const ScanResult& result) override {
    using Changes = std::vector<FindingChange>;
    if (result.digest.empty()) return core::fail(core::ErrorCode::Input, "result: empty digest");
    int codec = kCodecRaw;
    auto compressed = compressInventory(result.inventory_json, codec);
    if (!compressed) return tl::unexpected(compressed.error());
    const std::string inventory = std::move(*compressed);
    const ScanMetadata& metadata = result.metadata;
    Millis at = metadata.evaluated_at != 0 ? metadata.evaluated_at : metadata.scanned_at;
    if (at == 0) at = nowMillis();
    return run("save result", [&](pqxx::work& tx) -> core::Result<Changes> {
      lockDigest(tx, result.digest);
      const bool existed =
          !tx.exec_params("SELECT 1 FROM results WHERE digest = $1", result.digest).empty();
      tx.exec_params(
          "INSERT INTO results (digest, inventory, inventory_codec, db_build_id, "
          "bulwark_version, duration_ms, scanned_at, evaluated_at, os, platform, package_count) "
          "VALUES ($1, $2, $11, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (digest) DO UPDATE "
          "SET inventory = EXCLUDED.inventory, inventory_codec = EXCLUDED.inventory_codec, "
          "db_build_id = EXCLUDED.db_build_id, "
          "bulwark_version = EXCLUDED.bulwark_version, duration_ms = EXCLUDED.duration_ms, "
          "scanned_at = EXCLUDED.scanned_at, evaluated_at = EXCLUDED.evaluated_at, "
          "os = EXCLUDED.os, platform = EXCLUDED.platform, "
          "package_count = EXCLUDED.package_count",
          result.digest, pqxx::binarystring(inventory.data(), inventory.size()),
          metadata.db_build_id, metadata.bulwark_version, metadata.duration_ms, metadata.scanned_at,
          metadata.evaluated_at, metadata.os, metadata.platform, metadata.package_count, codec);
      return writeFindings(tx, result.digest, result.findings, metadata.db_build_id, at, existed);
    });
  }

  core::Result<std::optional<ScanMetadata>> resultMetadata(std::string_view digest) override {
    using Metadata = std::optional<ScanMetadata>;
    return run("result metadata", [&](pqxx::work& tx) -> core::Result<Metadata> {
      const auto rows = tx.exec_params(
          fmt::format("SELECT {} FROM results WHERE digest = $1", kMetadataColumns), str(digest));
      if (rows.empty()) return std::nullopt;
      return metadataFromRow(rows[0]);
    });
  }

  core::Result<std::optional<std::string>> inventory(std::string_view digest) override {
    return run("inventory", [&](pqxx::work& tx) -> core::Result<std::optional<std::string>> {
      const auto rows = tx.exec_params(
          "SELECT inventory, inventory_codec FROM results WHERE digest = $1", str(digest));
      if (rows.empty()) return std::nullopt;
      const pqxx::binarystring blob(rows[0][0]);
      auto text = decompressInventory(
          std::string_view(reinterpret_cast<const char*>(blob.data()), blob.size()),
          rows[0][1].as<int>(), digest);
      if (!text) throw Abort{text.error()};
      return std::move(*text);
    });
  }

  core::Result<FindingPage> findings(const FindingQuery& query) override {
    if (auto page = checkPage(query.limit, query.offset); !page) {
      return tl::unexpected(page.error());
    }
    const char* order = nullptr;
    if (query.sort == "severity") {
      order = "severity DESC, vulnerability_id, package_name, installed_version";
    } else if (query.sort == "id") {
      order = "vulnerability_id, package_name, installed_version";
    } else if (query.sort == "package") {
      order = "lower(package_name), package_name, installed_version, vulnerability_id";
    } else if (query.sort == "first_seen") {
      order = "first_seen DESC, vulnerability_id, package_name, installed_version";
    } else {
      return core::fail(core::ErrorCode::Input,
                        "postgres: findings: unknown sort '{}' (severity, id, package, "
                        "first_seen)",
                        query.sort);
    }
    return run("findings", [&](pqxx::work& tx) -> core::Result<FindingPage> {
      constexpr const char* kWhere =
          "WHERE digest = $1 AND severity >= $2 AND (NOT $3 OR fixed_version <> '') AND "
          "($4 = '' OR strpos(lower(vulnerability_id), lower($4)) > 0 OR "
          "strpos(lower(package_name), lower($4)) > 0)";
      const int min_rank = query.min_severity ? severityRank(*query.min_severity) : 0;
      FindingPage page;
      page.total = tx.exec_params1(fmt::format("SELECT count(*) FROM findings {}", kWhere),
                                   query.digest, min_rank, query.fixable_only, query.search)[0]
                       .as<std::int64_t>();
      const auto rows = tx.exec_params(
          fmt::format("SELECT {} FROM findings {} ORDER BY {} LIMIT $5 OFFSET $6", kFindingColumns,
                      kWhere, order),
          query.digest, min_rank, query.fixable_only, query.search, query.limit, query.offset);
      for (const auto& row : rows) page.findings.push_back(findingFromRow(row));
      return page;
    });
  }

  core::Result<std::optional<FindingRecord>> finding(std::string_view digest,
                                                     std::string_view vulnerability_id,
                                                     std::string_view package_name) override {
    using Found = std::optional<FindingRecord>;
    return run("finding", [&](pqxx::work& tx) -> core::Result<Found> {
      const auto rows = tx.exec_params(
          fmt::format("SELECT {} FROM findings WHERE digest = $1 AND vulnerability_id = $2 AND "
                      "package_name = $3 ORDER BY installed_version LIMIT 1",
                      kFindingColumns),
          str(digest), str(vulnerability_id), str(package_name));
      if (rows.empty()) return std::nullopt;
      return findingFromRow(rows[0]);
    });
  }

  core::Result<std::vector<FindingChange>> findingChanges(std::string_view digest,
                                                          std::int64_t limit) override {
    using Changes = std::vector<FindingChange>;
    if (auto page = checkPage(limit, 0); !page) return tl::unexpected(page.error());
    return run("finding changes", [&](pqxx::work& tx) -> core::Result<Changes> {
      Changes changes;
      const auto rows = tx.exec_params(
          fmt::format("SELECT {} FROM finding_changes WHERE ($1 = '' OR digest = $1) "
                      "ORDER BY at DESC, id LIMIT $2",
                      kChangeColumns),
          str(digest), limit);
      for (const auto& row : rows) changes.push_back(changeFromRow(row));
      return changes;
    });
  }

  core::Result<std::vector<std::string>> resultDigests(std::string_view after,
                                                       std::int64_t limit) override {
    using Digests = std::vector<std::string>;
    if (auto page = checkPage(limit, 0); !page) return tl::unexpected(page.error());
    return run("result digests", [&](pqxx::work& tx) -> core::Result<Digests> {
      Digests digests;
      for (const auto& row :
           tx.exec_params("SELECT digest FROM results WHERE digest > $1 ORDER BY digest LIMIT $2",
                          str(after), limit)) {
        digests.push_back(row[0].as<std::string>());
      }
      return digests;
    });
  }

  core::Result<std::vector<FindingChange>> replaceFindings(
      std::string_view digest, const std::vector<FindingRecord>& findings,
      std::string_view db_build_id, Millis at) override {
    using Changes = std::vector<FindingChange>;
    return run("replace findings", [&](pqxx::work& tx) -> core::Result<Changes> {
      lockDigest(tx, digest);
      if (tx.exec_params("UPDATE results SET db_build_id = $2, evaluated_at = $3 "
                         "WHERE digest = $1",
                         str(digest), str(db_build_id), at)
              .affected_rows() == 0) {
        abortWith(core::ErrorCode::NotFound, "no result for {}", digest);
      }
      return writeFindings(tx, digest, findings, db_build_id, at, true);
    });
  }

  core::Status markEvaluated(std::string_view digest, std::string_view db_build_id,
                             Millis at) override {
    return run("mark evaluated", [&](pqxx::work& tx) -> core::Status {
      if (tx.exec_params("UPDATE results SET db_build_id = $2, evaluated_at = $3 "
                         "WHERE digest = $1",
                         str(digest), str(db_build_id), at)
              .affected_rows() == 0) {
        return core::fail(core::ErrorCode::NotFound, "no result for {}", digest);
      }
      return {};
    });
  }

  // ---- quarantine and settings ----------------------------------------------------------------

  core::Status recordDecision(const QuarantineDecision& decision) override {
    return run("record decision", [&](pqxx::work& tx) -> core::Status {
      tx.exec_params(
          "INSERT INTO decisions (registry, repository, digest, target_repository, tag, "
          "promoted, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          decision.registry, decision.repository, decision.digest, decision.target_repository,
          decision.tag, decision.promoted, decision.reason, decision.at);
      return {};
    });
  }

  core::Result<std::vector<QuarantineDecision>> decisions(std::string_view digest) override {
    using Decisions = std::vector<QuarantineDecision>;
    return run("decisions", [&](pqxx::work& tx) -> core::Result<Decisions> {
      Decisions decisions;
      for (const auto& row : tx.exec_params(
               "SELECT registry, repository, digest, target_repository, tag, promoted, reason, "
               "at FROM decisions WHERE ($1 = '' OR digest = $1) ORDER BY at DESC, id DESC",
               str(digest))) {
        QuarantineDecision decision;
        decision.registry = row["registry"].as<std::string>();
        decision.repository = row["repository"].as<std::string>();
        decision.digest = row["digest"].as<std::string>();
        decision.target_repository = row["target_repository"].as<std::string>();
        decision.tag = row["tag"].as<std::string>();
        decision.promoted = row["promoted"].as<bool>();
        decision.reason = row["reason"].as<std::string>();
        decision.at = row["at"].as<Millis>();
        decisions.push_back(std::move(decision));
      }
      return decisions;
    });
  }

  core::Result<std::optional<std::string>> getSetting(std::string_view key) override {
    return run("get setting", [&](pqxx::work& tx) -> core::Result<std::optional<std::string>> {
      const auto rows = tx.exec_params("SELECT value FROM settings WHERE key = $1", str(key));
      if (rows.empty()) return std::nullopt;
      return rows[0][0].as<std::string>();
    });
  }

  core::Status putSetting(std::string_view key, std::string_view value) override {
    return run("put setting", [&](pqxx::work& tx) -> core::Status {
      tx.exec_params(
          "INSERT INTO settings (key, value) VALUES ($1, $2) "
          "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
          str(key), str(value));
      return {};
    });
  }

  // ---- alerts ----

  core::Result<AlertInsertResult> addAlerts(std::span<const AlertRecord> alerts) override {
    for (const AlertRecord& alert : alerts) {
      if (alert.alert_id.empty()) {
        return core::fail(core::ErrorCode::Input,
                          "postgres: add alerts: an alert without alert_id");
      }
    }
    return run("add alerts", [&](pqxx::work& tx) -> core::Result<AlertInsertResult> {
      AlertInsertResult result;
      constexpr std::size_t kColumns = 17;
      for (std::size_t start = 0; start < alerts.size(); start += kInsertBatchRows) {
        const std::size_t end = std::min(alerts.size(), start + kInsertBatchRows);
        std::string sql = fmt::format("INSERT INTO alerts ({}) VALUES ", kAlertColumns);
        std::vector<std::string> values;
        values.reserve((end - start) * kColumns);
        for (std::size_t i = start; i < end; ++i) {
          const std::size_t base = (i - start) * kColumns;
          sql += fmt::format(
              "{}(${}, ${}::bigint, ${}::bigint, ${}, ${}, ${}::integer, ${}, ${}, ${}, ${}, ${}, "
              "${}, ${}, ${}, ${}, ${}, ${}::boolean)",
              i == start ? "" : ", ", base + 1, base + 2, base + 3, base + 4, base + 5, base + 6,
              base + 7, base + 8, base + 9, base + 10, base + 11, base + 12, base + 13, base + 14,
              base + 15, base + 16, base + 17);
          const AlertRecord& alert = alerts[i];
          values.push_back(alert.alert_id);
          values.push_back(std::to_string(alert.time_ms));
          values.push_back(std::to_string(alert.received_ms));
          values.push_back(alert.rule);
          values.push_back(alert.rule_id);
          values.push_back(std::to_string(alert.priority));
          values.push_back(alert.source);
          values.push_back(alert.host);
          values.push_back(alert.agent);
          values.push_back(alert.container_id);
          values.push_back(alert.container_image);
          values.push_back(alert.k8s_ns);
          values.push_back(alert.k8s_pod);
          values.push_back(alert.tags_json);
          values.push_back(alert.output);
          values.push_back(alert.fields_json);
          values.emplace_back(alert.simulated ? "true" : "false");
        }
        // DO NOTHING (unlike DO UPDATE) accepts an alert_id repeated within one statement.
        sql += " ON CONFLICT (alert_id) DO NOTHING";
        const auto inserted = static_cast<std::int64_t>(
            tx.exec_params(sql, pqxx::prepare::make_dynamic_params(values)).affected_rows());
        result.inserted += inserted;
        result.duplicates += static_cast<std::int64_t>(end - start) - inserted;
      }
      return result;
    });
  }

  core::Result<AlertPage> queryAlerts(const AlertQuery& query) override {
    if (query.limit < 1 || query.limit > kMaxAlertPage) {
      return core::fail(core::ErrorCode::Input, "postgres: the alert limit must be from 1 to {}",
                        kMaxAlertPage);
    }
    // The clauses of the filters given, their values as text parameters.
    std::string where = "WHERE true";
    std::vector<std::string> values;
    const auto add = [&](const char* clause, std::string value) {
      values.push_back(std::move(value));
      where += fmt::format(fmt::runtime(clause), values.size());
    };
    if (query.since) add(" AND time_ms >= ${}::bigint", std::to_string(*query.since));
    if (query.until) add(" AND time_ms < ${}::bigint", std::to_string(*query.until));
    if (!query.rule.empty()) add(" AND rule = ${}", query.rule);
    if (query.priority_min)
      add(" AND priority >= ${}::integer", std::to_string(*query.priority_min));
    if (!query.host.empty()) add(" AND host = ${}", query.host);
    if (!query.container.empty()) add(" AND container_id = ${}", query.container);
    if (!query.k8s_ns.empty()) add(" AND k8s_ns = ${}", query.k8s_ns);
    if (!query.tag.empty()) add(" AND tags_json::jsonb ? ${}", query.tag);
    if (query.status) add(" AND status = ${}", std::string(model::toString(*query.status)));
    if (!query.resource_id.empty()) add(" AND resource_id = ${}", query.resource_id);
    if (query.after) {
      values.push_back(std::to_string(query.after->first));
      values.push_back(query.after->second);
      where += fmt::format(" AND (time_ms, alert_id) < (${}::bigint, ${})", values.size() - 1,
                           values.size());
    }
    values.push_back(std::to_string(query.limit + 1));  // one more: is there another page?
    const std::string sql = fmt::format(
        "SELECT {} FROM alerts {} ORDER BY time_ms DESC, alert_id DESC LIMIT ${}::bigint",
        kAlertSelect, where, values.size());
    return run("query alerts", [&](pqxx::work& tx) -> core::Result<AlertPage> {
      AlertPage page;
      for (const auto& row : tx.exec_params(sql, pqxx::prepare::make_dynamic_params(values))) {
        page.alerts.push_back(alertFromRow(row));
      }
      page.more = static_cast<std::int64_t>(page.alerts.size()) > query.limit;
      if (page.more) page.alerts.pop_back();
      return page;
    });
  }

  core::Result<std::optional<AlertRecord>> getAlert(std::string_view alert_id) override {
    using Found = std::optional<AlertRecord>;
    return run("get alert", [&](pqxx::work& tx) -> core::Result<Found> {
      const auto rows = tx.exec_params(
          fmt::format("SELECT {} FROM alerts WHERE alert_id = $1", kAlertSelect), str(alert_id));
      if (rows.empty()) return std::nullopt;
      return alertFromRow(rows[0]);
    });
  }

  core::Result<std::vector<AlertCount>> alertSummary(AlertGroup by, Millis since) override {
    const char* column = by == AlertGroup::Rule   ? "rule"
                         : by == AlertGroup::Host ? "host"
                                                  : "priority::text";
    using Counts = std::vector<AlertCount>;
    return run("alert summary", [&](pqxx::work& tx) -> core::Result<Counts> {
      Counts counts;
      for (const auto& row :
           tx.exec_params(fmt::format("SELECT {0} AS key, count(*), max(time_ms) FROM alerts "
                                      "WHERE time_ms >= $1 GROUP BY 1 ORDER BY 2 DESC, 1",
                                      column),
                          since)) {
        counts.push_back(
            AlertCount{row[0].as<std::string>(), row[1].as<std::int64_t>(), row[2].as<Millis>()});
      }
      return counts;
    });
  }

  core::Result<std::int64_t> pruneAlerts(Millis before) override {
    return run("prune alerts", [&](pqxx::work& tx) -> core::Result<std::int64_t> {
      return static_cast<std::int64_t>(
          tx.exec_params("DELETE FROM alerts WHERE time_ms < $1", before).affected_rows());
    });
  }
  core::Status setAlertStatus(std::string_view alert_id, model::AlertStatus status,
                              std::string_view by, Millis at, std::string_view comment) override {
    return posture("set alert status", [&](posture_sql::Sql& sql) {
      return posture_sql::setAlertStatus(sql, alert_id, status, by, at, comment);
    });
  }

  core::Result<std::vector<AlertDayCount>> alertsPerDay(Millis since) override {
    return posture("count alerts per day",
                   [&](posture_sql::Sql& sql) { return posture_sql::alertsPerDay(sql, since); });
  }

  core::Result<std::int64_t> setAlertsResource(std::span<const std::string> alert_ids,
                                               std::string_view resource_id) override {
    return posture("set alerts' resource", [&](posture_sql::Sql& sql) {
      return posture_sql::setAlertsResource(sql, alert_ids, resource_id);
    });
  }

  core::Status setAlertResource(std::string_view alert_id, std::string_view resource_id) override {
    return posture("set alert resource", [&](posture_sql::Sql& sql) {
      return posture_sql::setAlertResource(sql, alert_id, resource_id);
    });
  }

  core::Result<std::vector<AlertRecord>> alertsReceivedAfter(const FeedMark& after,
                                                             std::int64_t limit) override {
    if (auto checked = posture_sql::checkFeedLimit(limit); !checked) {
      return tl::unexpected(checked.error());
    }
    using Alerts = std::vector<AlertRecord>;
    return run("alerts received after", [&](pqxx::work& tx) -> core::Result<Alerts> {
      Alerts alerts;
      for (const auto& row : tx.exec_params(
               fmt::format("SELECT {} FROM alerts WHERE (received_ms, alert_id) > ($1, $2) "
                           "ORDER BY received_ms, alert_id LIMIT $3",
                           kAlertSelect),
               after.at, after.key, limit)) {
        alerts.push_back(alertFromRow(row));
      }
      return alerts;
    });
  }

  // ---- posture (posture_store.h) ----

  core::Result<std::vector<ImageKey>> imagesPushedAfter(const ImageKey& after,
                                                        std::int64_t limit) override {
    return posture("images pushed after", [&](posture_sql::Sql& sql) {
      return posture_sql::imagesPushedAfter(sql, after, limit);
    });
  }

  core::Result<std::vector<FeedMark>> resultsEvaluatedAfter(const FeedMark& after,
                                                            std::int64_t limit) override {
    return posture("results evaluated after", [&](posture_sql::Sql& sql) {
      return posture_sql::resultsEvaluatedAfter(sql, after, limit);
    });
  }

  core::Result<std::vector<ImageKey>> imagesOfDigest(std::string_view digest) override {
    return posture("images of digest",
                   [&](posture_sql::Sql& sql) { return posture_sql::imagesOfDigest(sql, digest); });
  }

  core::Result<ApplyResult> applyAssessments(const AssessmentBatch& batch) override {
    if (auto checked = posture_sql::checkBatch(batch); !checked) {
      return tl::unexpected(checked.error());
    }
    return posture("apply assessments", [&](posture_sql::Sql& sql) {
      return posture_sql::applyAssessments(sql, batch);
    });
  }

  core::Result<std::optional<ResourceRecord>> getResource(std::string_view id) override {
    return posture("get resource",
                   [&](posture_sql::Sql& sql) { return posture_sql::getResource(sql, id); });
  }

  core::Result<ResourcePage> queryResources(const ResourceQuery& query) override {
    return posture("query resources",
                   [&](posture_sql::Sql& sql) { return posture_sql::queryResources(sql, query); });
  }

  core::Result<AssessmentPage> queryAssessments(const AssessmentQuery& query) override {
    return posture("query assessments", [&](posture_sql::Sql& sql) {
      return posture_sql::queryAssessments(sql, query);
    });
  }

  core::Result<std::vector<AssessmentChange>> assessmentHistory(std::string_view resource_id,
                                                                Millis since,
                                                                std::int64_t limit) override {
    return posture("assessment history", [&](posture_sql::Sql& sql) {
      return posture_sql::assessmentHistory(sql, resource_id, since, limit);
    });
  }

  core::Result<std::vector<PostureControlCount>> controlCounts() override {
    return posture("control counts",
                   [&](posture_sql::Sql& sql) { return posture_sql::controlCounts(sql); });
  }

  core::Result<std::vector<PostureRecommendationCount>> recommendationCounts() override {
    return posture("recommendation counts",
                   [&](posture_sql::Sql& sql) { return posture_sql::recommendationCounts(sql); });
  }

  core::Result<model::Exemption> addExemption(const model::Exemption& exemption) override {
    return posture("add exemption", [&](posture_sql::Sql& sql) -> core::Result<model::Exemption> {
      // One writer of exemptions at a time, so two equal ones cannot both pass the check.
      if (auto locked = sql.exec("LOCK TABLE posture_exemptions IN SHARE ROW EXCLUSIVE MODE", {});
          !locked) {
        return tl::unexpected(locked.error());
      }
      return posture_sql::addExemption(sql, exemption);
    });
  }

  core::Result<std::optional<model::Exemption>> getExemption(std::int64_t id) override {
    return posture("get exemption",
                   [&](posture_sql::Sql& sql) { return posture_sql::getExemption(sql, id); });
  }

  core::Result<std::vector<model::Exemption>> listExemptions(const ExemptionQuery& query) override {
    return posture("list exemptions",
                   [&](posture_sql::Sql& sql) { return posture_sql::listExemptions(sql, query); });
  }

  core::Status revokeExemption(std::int64_t id, Millis at) override {
    return posture("revoke exemption", [&](posture_sql::Sql& sql) {
      return posture_sql::revokeExemption(sql, id, at);
    });
  }

  core::Result<std::int64_t> refreshExemptions(Millis now) override {
    return posture("refresh exemptions",
                   [&](posture_sql::Sql& sql) { return posture_sql::refreshExemptions(sql, now); });
  }

  core::Status appendScore(std::span<const ScorePoint> points) override {
    return posture("append score",
                   [&](posture_sql::Sql& sql) { return posture_sql::appendScore(sql, points); });
  }

  core::Result<std::vector<ScorePoint>> scoreHistory(
      Millis since, Millis until, const std::optional<std::string>& control) override {
    return posture("score history", [&](posture_sql::Sql& sql) {
      return posture_sql::scoreHistory(sql, since, until, control);
    });
  }
  core::Result<bool> takeLease(std::string_view name, std::string_view holder, Millis now,
                               Millis until) override {
    return posture("take lease", [&](posture_sql::Sql& sql) {
      return posture_sql::takeLease(sql, name, holder, now, until);
    });
  }

  core::Status touchSensor(const SensorRecord& sensor) override {
    return posture("touch sensor",
                   [&](posture_sql::Sql& sql) { return posture_sql::touchSensor(sql, sensor); });
  }

  core::Result<std::vector<SensorRecord>> listSensors() override {
    return posture("list sensors",
                   [&](posture_sql::Sql& sql) { return posture_sql::listSensors(sql); });
  }

  core::Status putSchedule(const ScheduleRecord& schedule) override {
    return posture("put schedule",
                   [&](posture_sql::Sql& sql) { return posture_sql::putSchedule(sql, schedule); });
  }

  core::Result<bool> addSchedule(const ScheduleRecord& schedule) override {
    return posture("add schedule",
                   [&](posture_sql::Sql& sql) { return posture_sql::addSchedule(sql, schedule); });
  }

  core::Result<std::vector<ScheduleRecord>> listSchedules() override {
    return posture("list schedules",
                   [&](posture_sql::Sql& sql) { return posture_sql::listSchedules(sql); });
  }

  core::Result<bool> claimSchedule(std::string_view target_key, Millis expected, Millis next,
                                   std::int64_t run_id) override {
    return posture("claim schedule", [&](posture_sql::Sql& sql) {
      return posture_sql::claimSchedule(sql, target_key, expected, next, run_id);
    });
  }
  core::Result<PostureRun> startRun(const PostureRun& run) override {
    return posture("start run",
                   [&](posture_sql::Sql& sql) { return posture_sql::startRun(sql, run); });
  }

  core::Status finishRun(const PostureRun& run) override {
    return posture("finish run",
                   [&](posture_sql::Sql& sql) { return posture_sql::finishRun(sql, run); });
  }

  core::Result<std::vector<PostureRun>> listRuns(const PostureRunQuery& query) override {
    return posture("list runs",
                   [&](posture_sql::Sql& sql) { return posture_sql::listRuns(sql, query); });
  }

  core::Result<std::int64_t> countRuns(const PostureRunQuery& query) override {
    return posture("count runs",
                   [&](posture_sql::Sql& sql) { return posture_sql::countRuns(sql, query); });
  }

  core::Status replaceResultChecks(std::string_view digest,
                                   std::span<const ResultCheck> checks) override {
    return posture("replace result checks", [&](posture_sql::Sql& sql) {
      return posture_sql::replaceResultChecks(sql, digest, checks);
    });
  }

  core::Result<std::vector<ResultCheck>> resultChecks(std::string_view digest) override {
    return posture("result checks",
                   [&](posture_sql::Sql& sql) { return posture_sql::resultChecks(sql, digest); });
  }
  core::Result<bool> putInput(const PostureInput& input) override {
    return posture("put input",
                   [&](posture_sql::Sql& sql) { return posture_sql::putInput(sql, input); });
  }

  core::Result<std::optional<PostureInput>> getInput(std::string_view sha256) override {
    return posture("get input",
                   [&](posture_sql::Sql& sql) { return posture_sql::getInput(sql, sha256); });
  }

  core::Status deleteInput(std::string_view sha256) override {
    return posture("delete input",
                   [&](posture_sql::Sql& sql) { return posture_sql::deleteInput(sql, sha256); });
  }

  // ---- posture API queries (P4)
  core::Result<CrossFindingPage> crossImageFindings(const CrossFindingQuery& query) override {
    return posture("cross-image findings", [&](posture_sql::Sql& sql) {
      return posture_sql::crossImageFindings(sql, query);
    });
  }

 private:
  // Runs `body` in a transaction on a pooled connection and commits when it returns a value.
  // Exceptions become errors: a broken connection ErrorCode::Network (after one retry on a new
  // connection), a unique violation ErrorCode::Input, other database errors ErrorCode::Io.
  template <class Body>
  std::invoke_result_t<Body&, pqxx::work&> run(std::string_view what, Body&& body) {
    using Out = std::invoke_result_t<Body&, pqxx::work&>;
    core::Error error;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      std::unique_ptr<pqxx::connection> connection;
      try {
        connection = pool_.take();
      } catch (const std::exception& e) {
        return tl::unexpected(
            makeError(core::ErrorCode::Network, what, "cannot connect", e.what()));
      }
      bool retry = false;
      try {
        pqxx::work tx(*connection);
        Out out = body(tx);
        if (out) tx.commit();
        pool_.give(std::move(connection));
        return out;
      } catch (const Abort& abort) {
        error = abort.error;
        error.message = clean(fmt::format("postgres: {}: {}", what, error.message));
      } catch (const pqxx::in_doubt_error& e) {
        connection.reset();
        error = makeError(core::ErrorCode::Network, what,
                          "connection lost during commit (the change may or may not be applied)",
                          e.what());
      } catch (const pqxx::broken_connection& e) {
        connection.reset();
        pool_.dropIdle();
        error = makeError(core::ErrorCode::Network, what, "connection lost", e.what());
        retry = true;
      } catch (const pqxx::transaction_rollback& e) {  // deadlock, serialization failure
        error = makeError(core::ErrorCode::Io, what, "transaction rolled back", e.what());
        retry = true;
      } catch (const pqxx::unique_violation& e) {
        error = makeError(core::ErrorCode::Input, what, "already exists", e.what());
      } catch (const pqxx::sql_error& e) {
        error = makeError(core::ErrorCode::Io, what, "query failed", e.what());
      } catch (const pqxx::unexpected_rows& e) {
        error = makeError(core::ErrorCode::Internal, what, "unexpected rows", e.what());
      } catch (const std::exception& e) {
        error = makeError(core::ErrorCode::Io, what, "failed", e.what());
      }
      // A connection whose transaction failed is still usable (pqxx rolled it back) unless the
      // exception said it broke; give() drops closed connections.
      if (connection && !connection->is_open()) retry = true;
      pool_.give(std::move(connection));
      if (!retry) break;
    }
    return tl::unexpected(error);
  }

  core::Error makeError(core::ErrorCode code, std::string_view what, std::string_view summary,
                        std::string_view detail) const {
    return core::Error{code, clean(fmt::format("postgres ({}): {}: {}: {}", redacted_, what,
                                               summary, oneLine(std::string(detail))))};
  }

  // Messages never carry the password, whatever libpq or the server put in them.
  std::string clean(std::string message) const {
    for (const std::string& secret : secrets_) {
      for (std::size_t pos = message.find(secret); pos != std::string::npos;
           pos = message.find(secret, pos)) {
        message.replace(pos, secret.size(), "***");
        pos += 3;
      }
    }
    return message;
  }

  // After an UPDATE matched nothing: the job is missing (NotFound) or held by someone else.
  static void requireHeld(pqxx::work& tx, std::int64_t job_id, std::string_view worker) {
    const auto rows = tx.exec_params("SELECT state, worker FROM jobs WHERE id = $1", job_id);
    if (rows.empty()) abortWith(core::ErrorCode::NotFound, "no job with id {}", job_id);
    abortWith(core::ErrorCode::Input, "job {} is {} and not held by '{}' (held by '{}')", job_id,
              rows[0][0].as<std::string>(), worker, rows[0][1].as<std::string>());
  }

  // Serializes writers of one digest's findings (saveResult, replaceFindings).
  static void lockDigest(pqxx::work& tx, std::string_view digest) {
    tx.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", kResultLockClass, str(digest));
  }

  // Replaces a digest's findings (keeping first_seen of those already present) and records the
  // difference when the digest had findings before (`record_changes`).
  static std::vector<FindingChange> writeFindings(pqxx::work& tx, std::string_view digest,
                                                  const std::vector<FindingRecord>& findings,
                                                  std::string_view db_build_id, Millis at,
                                                  bool record_changes) {
    std::vector<FindingRecord> before;
    std::map<FindingKey, Millis> first_seen;
    for (const auto& row :
         tx.exec_params(fmt::format("SELECT {} FROM findings WHERE digest = $1", kFindingColumns),
                        str(digest))) {
      before.push_back(findingFromRow(row));
      first_seen.emplace(keyOf(before.back()), before.back().first_seen);
    }
    tx.exec_params("DELETE FROM findings WHERE digest = $1", str(digest));

    // One row per identity (the primary key); a repeated identity keeps its first record.
    std::vector<FindingRecord> after;
    std::set<FindingKey> seen;
    for (const FindingRecord& finding : findings) {
      if (!seen.insert(keyOf(finding)).second) continue;
      after.push_back(finding);
      const auto known = first_seen.find(keyOf(finding));
      after.back().first_seen = known != first_seen.end() ? known->second : at;
    }
    constexpr std::size_t kColumns = 8;
    for (std::size_t start = 0; start < after.size(); start += kInsertBatchRows) {
      const std::size_t end = std::min(after.size(), start + kInsertBatchRows);
      std::string sql =
          "INSERT INTO findings (digest, vulnerability_id, package_name, installed_version, "
          "fixed_version, severity, detail_json, first_seen) VALUES ";
      std::vector<std::string> values;
      values.reserve((end - start) * kColumns);
      for (std::size_t i = start; i < end; ++i) {
        const std::size_t base = (i - start) * kColumns;
        sql += fmt::format("{}(${}, ${}, ${}, ${}, ${}, ${}::integer, ${}, ${}::bigint)",
                           i == start ? "" : ", ", base + 1, base + 2, base + 3, base + 4, base + 5,
                           base + 6, base + 7, base + 8);
        const FindingRecord& finding = after[i];
        values.emplace_back(digest);
        values.push_back(finding.vulnerability_id);
        values.push_back(finding.package_name);
        values.push_back(finding.installed_version);
        values.push_back(finding.fixed_version);
        values.push_back(std::to_string(severityRank(finding.severity)));
        values.push_back(finding.detail_json);
        values.push_back(std::to_string(finding.first_seen));
      }
      tx.exec_params(sql, pqxx::prepare::make_dynamic_params(values));
    }

    tx.exec_params(posture_sql::kRecountResult, str(digest));
    if (!record_changes) return {};
    std::vector<FindingChange> changes = diffFindings(digest, before, after, db_build_id, at);
    for (const FindingChange& change : changes) {
      tx.exec_params(
          "INSERT INTO finding_changes (digest, kind, vulnerability_id, package_name, "
          "installed_version, severity, db_build_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          change.digest, str(toString(change.kind)), change.vulnerability_id, change.package_name,
          change.installed_version, severityRank(change.severity), change.db_build_id, change.at);
    }
    return changes;
  }

  // The images of a repository (or the one with `digest`), newest push first, with their tags,
  // scan metadata and severity counts.
  static std::vector<ImageRecord> images(pqxx::work& tx, std::string_view registry,
                                         std::string_view repository,
                                         const std::optional<std::string>& digest) {
    std::vector<ImageRecord> records;
    std::map<std::string, std::size_t, std::less<>> index;
    const std::string only = digest.value_or("");
    const auto rows = tx.exec_params(
        "SELECT i.digest, i.first_seen, i.last_pushed, r.digest IS NOT NULL AS scanned, "
        "r.db_build_id, r.bulwark_version, r.duration_ms, r.scanned_at, r.evaluated_at, r.os, "
        "r.platform, r.package_count, r.critical, r.high, r.medium, r.low, r.negligible, "
        "r.unknown FROM images i LEFT JOIN results r ON r.digest = i.digest "
        "WHERE i.registry = $1 AND i.repository = $2 AND ($3 = '' OR i.digest = $3) "
        "ORDER BY i.last_pushed DESC, i.digest",
        str(registry), str(repository), only);
    for (const auto& row : rows) {
      ImageRecord record;
      record.registry = str(registry);
      record.repository = str(repository);
      record.digest = row["digest"].as<std::string>();
      record.first_seen = row["first_seen"].as<Millis>();
      record.last_pushed = row["last_pushed"].as<Millis>();
      if (row["scanned"].as<bool>()) {
        record.scan = metadataFromRow(row);
        record.counts = countsFromRow(row, 12);
      }
      index[record.digest] = records.size();
      records.push_back(std::move(record));
    }
    if (records.empty()) return records;
    for (const auto& row :
         tx.exec_params("SELECT digest, tag FROM tags WHERE registry = $1 AND repository = $2 AND "
                        "($3 = '' OR digest = $3) ORDER BY tag",
                        str(registry), str(repository), only)) {
      const auto found = index.find(row[0].as<std::string>());
      if (found != index.end()) records[found->second].tags.push_back(row[1].as<std::string>());
    }
    return records;
  }

  // A posture operation (posture_store.h) in one transaction.
  template <class Body>
  std::invoke_result_t<Body&, posture_sql::Sql&> posture(std::string_view what, Body&& body) {
    using Out = std::invoke_result_t<Body&, posture_sql::Sql&>;
    return run(what, [&](pqxx::work& tx) -> Out {
      PgSql sql(tx);
      return body(sql);
    });
  }

  std::string url_;
  std::string redacted_;
  std::vector<std::string> secrets_;
  ConnectionPool pool_;
};

}  // namespace

core::Result<std::unique_ptr<Store>> openPostgresStore(std::string_view url) {
  auto store = std::make_unique<PostgresStore>(std::string(url));
  if (auto opened = store->open(); !opened) return tl::unexpected(opened.error());
  return store;
}

core::Status migratePostgresStore(std::string_view url, int version) {
  if (version < 1 || version > kSchemaVersion) {
    return core::fail(core::ErrorCode::Usage, "postgres: no schema version {}", version);
  }
  PostgresStore store{std::string(url)};
  return store.open(version);
}

}  // namespace bulwark::store
