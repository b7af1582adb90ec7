// The Store suite on SQLite (a fresh file per test), plus what only SQLite has: the file itself
// (reopen, WAL, schema version refusal, compression on disk, parent directories).
#include "store/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "unit/store/store_suite.h"

namespace bulwark::store {
namespace {

namespace fs = std::filesystem;

// One temporary directory per test process, removed at exit.
class TempDir {
 public:
  TempDir() {
    // Memory when there is room (each test opens a fresh database: no disk syncs), else /tmp.
    std::error_code error;
    const auto shm = fs::space("/dev/shm", error);
    std::string pattern = !error && shm.available > (std::uintmax_t{512} << 20)
                              ? "/dev/shm/bulwark-store-test-XXXXXX"
                              : "/tmp/bulwark-store-test-XXXXXX";
    const char* made = ::mkdtemp(pattern.data());
    path_ = made != nullptr ? fs::path(made) : fs::temp_directory_path();
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;

  // A path no test used before.
  [[nodiscard]] std::string fresh(const std::string& name) {
    return (path_ / (std::to_string(counter_++) + "-" + name)).string();
  }

 private:
  fs::path path_;
  std::atomic<int> counter_{0};
};

TempDir& temp() {
  static TempDir dir;
  return dir;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite, ::testing::Values(testing::StoreFactory([] {
                           return openSqliteStore(temp().fresh("store.db"));
                         })));

// Runs one SQL statement on the file with a second connection.
void execOn(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << text;
}

std::string queryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return "open failed";
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(stmt, 0);
    out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

TEST(SqliteStore, ReopeningAFileKeepsItsData) {
  const std::string path = temp().fresh("reopen.db");
  {
    auto store = openSqliteStore(path);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    ASSERT_TRUE((*store)->createToken("ci", Role::Admin, "hash-1", std::nullopt).has_value());
    ASSERT_TRUE((*store)->recordPush("local", "library/app", "sha256:01", "latest", 5));
    ScanResult result;
    result.digest = "sha256:01";
    result.inventory_json = std::string(10'000, 'x');
    FindingRecord finding;
    finding.vulnerability_id = "CVE-1";
    finding.package_name = "openssl";
    finding.severity = model::Severity::High;
    result.findings.push_back(finding);
    result.metadata.scanned_at = 7;
    ASSERT_TRUE((*store)->saveResult(result).has_value());
    ASSERT_TRUE((*store)->enqueue(JobRequest{.digest = "sha256:01"}, 9).has_value());
  }
  auto store = openSqliteStore(path);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ((*store)->schemaVersion().value_or(-1), kSchemaVersion);
  EXPECT_TRUE((*store)->findToken("hash-1").value_or(std::nullopt).has_value());
  auto image = (*store)->findTag("local", "library/app", "latest");
  ASSERT_TRUE(image.has_value() && image->has_value());
  EXPECT_EQ((*image)->counts.high, 1);
  EXPECT_EQ((*store)->inventory("sha256:01").value_or(std::nullopt),
            std::optional<std::string>(std::string(10'000, 'x')));
  auto job = (*store)->claimJob("w1", 10, 1000);
  ASSERT_TRUE(job.has_value() && job->has_value());
  EXPECT_EQ((*job)->request.digest, "sha256:01");
  // Migrations are recorded once.
  EXPECT_EQ(queryText(path, "SELECT COUNT(*) FROM schema_version"), std::to_string(kSchemaVersion));
}

TEST(SqliteStore, Version2DatabaseGainsTheAlertsTable) {
  // A database as version 2 left it (no alerts table), with a job in it.
  const std::string path = temp().fresh("v2.db");
  ASSERT_TRUE(migrateSqliteStore(path, 2));
  ASSERT_EQ(queryText(path, "SELECT MAX(version) FROM schema_version"), "2");
  ASSERT_EQ(queryText(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'alerts'"), "0");
  execOn(path,
         "INSERT INTO jobs (kind, registry, repository, digest, tag, platform, source, "
         "target_repository, max_attempts, state, attempts, last_error, worker, created_at, "
         "updated_at, run_after, lease_expires) VALUES ('scan', 'local', 'library/app', "
         "'sha256:02', '', '', 'api', '', 5, 'queued', 0, '', '', 5, 5, 5, 0)");

  auto store = openSqliteStore(path);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ((*store)->schemaVersion().value_or(-1), kSchemaVersion);
  EXPECT_EQ(queryText(path, "SELECT COUNT(*) FROM jobs"), "1");
  AlertRecord alert;
  alert.alert_id = "6f1c2a3b-0000-4abc-9def-000000000001";
  alert.rule = "r";
  alert.time_ms = 7;
  auto added = (*store)->addAlerts(std::vector<AlertRecord>{alert});
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_EQ(added->inserted, 1);
  EXPECT_EQ(queryText(path,
                      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                      "name IN ('alerts_time', 'alerts_rule', 'alerts_host')"),
            "3");
}

TEST(SqliteStore, Version3DatabaseGainsPostureAndKeepsItsData) {
  // A database as version 3 left it: an image with a tag, its result with three findings (high
  // and low with a fix, negligible with a fix: two "fixable"), an alert.
  const std::string path = temp().fresh("v3.db");
  ASSERT_TRUE(migrateSqliteStore(path, 3));
  ASSERT_EQ(queryText(path, "SELECT MAX(version) FROM schema_version"), "3");
  execOn(path,
         "INSERT INTO images (id, registry, repository, digest, first_seen, last_pushed) "
         "VALUES (1, 'local', 'library/app', 'sha256:03', 10, 20)");
  execOn(path, "INSERT INTO tags VALUES ('local', 'library/app', 'latest', 1, 20)");
  execOn(path,
         "INSERT INTO results (digest, inventory, inventory_codec, db_build_id, "
         "bulwark_version, duration_ms, scanned_at, evaluated_at, os, platform, package_count, "
         "critical, high, medium, low, negligible, unknown) VALUES ('sha256:03', X'7B7D', 0, "
         "'db-1', '0.1', 5, 30, 30, 'debian 12', 'linux/amd64', 3, 0, 1, 0, 1, 1, 0)");
  execOn(path,
         "INSERT INTO findings VALUES "
         "('sha256:03', 'CVE-1', 'openssl', '3.0', '3.1', 4, '{}', 30), "
         "('sha256:03', 'CVE-2', 'zlib', '1.2', '1.3', 2, '{}', 30), "
         "('sha256:03', 'CVE-3', 'bash', '5.2', '5.3', 1, '{}', 30)");
  execOn(path,
         "INSERT INTO alerts VALUES ('6f1c2a3b-0000-4abc-9def-000000000003', 40, 41, 'r', "
         "'BW-RT-207', 5, 'syscall', 'h1', 'agent', 'abc', 'nginx', '', '', '[]', 'out', '{}', "
         "0)");

  auto store = openSqliteStore(path);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ((*store)->schemaVersion().value_or(-1), kSchemaVersion);
  EXPECT_EQ(queryText(path, "SELECT fixable FROM results WHERE digest = 'sha256:03'"), "2");
  auto image = (*store)->findTag("local", "library/app", "latest");
  ASSERT_TRUE(image.has_value() && image->has_value());
  EXPECT_EQ((*image)->counts.high, 1);
  EXPECT_EQ((*image)->counts.low, 1);
  EXPECT_EQ((*store)->inventory("sha256:03").value_or(std::nullopt),
            std::optional<std::string>("{}"));
  auto alert = (*store)->getAlert("6f1c2a3b-0000-4abc-9def-000000000003");
  ASSERT_TRUE(alert.has_value() && alert->has_value());
  EXPECT_EQ((*alert)->rule_id, "BW-RT-207");
  EXPECT_EQ((*alert)->status, model::AlertStatus::New);
  EXPECT_EQ((*alert)->resource_id, "");
  EXPECT_TRUE((*store)->setAlertStatus((*alert)->alert_id, model::AlertStatus::Active, "a", 50));
  EXPECT_EQ(queryText(path,
                      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                      "('posture_resources_parent', 'posture_resources_type', "
                      "'posture_resources_path', 'posture_assessments_recommendation', "
                      "'posture_assessments_control', 'posture_assessment_changes_resource', "
                      "'posture_exemptions_scope', 'alerts_received', 'alerts_resource', "
                      "'alerts_status', 'results_evaluated', 'images_pushed', "
                      "'findings_severity', 'findings_vulnerability')"),
            "14");
  // The posture tables work, and later saves keep `fixable`.
  model::Resource host;
  host.id = "0123456789abcdef";
  host.key = "host:h1";
  host.type = model::ResourceType::Host;
  host.name = "h1";
  AssessmentBatch batch;
  batch.resources = {host};
  batch.at = 60;
  auto applied = (*store)->applyAssessments(batch);
  ASSERT_TRUE(applied.has_value()) << applied.error().message;
  EXPECT_EQ(applied->resources, 1);
  FindingRecord fixed;
  fixed.vulnerability_id = "CVE-4";
  fixed.package_name = "curl";
  fixed.installed_version = "8.0";
  fixed.fixed_version = "8.1";
  fixed.severity = model::Severity::Critical;
  ASSERT_TRUE((*store)->replaceFindings("sha256:03", {fixed}, "db-2", 70));
  EXPECT_EQ(queryText(path, "SELECT fixable FROM results WHERE digest = 'sha256:03'"), "1");
  EXPECT_EQ(queryText(path, "SELECT COUNT(*) FROM schema_version"), std::to_string(kSchemaVersion));
}

TEST(SqliteStore, Version4DatabaseGainsTheAlertStatusComment) {
  // A database as version 4 left it: an alert someone dismissed (no comment column yet).
  const std::string path = temp().fresh("v4.db");
  ASSERT_TRUE(migrateSqliteStore(path, 4));
  ASSERT_EQ(queryText(path, "SELECT MAX(version) FROM schema_version"), "4");
  execOn(path,
         "INSERT INTO alerts (alert_id, time_ms, received_ms, rule, rule_id, priority, source, "
         "host, agent, container_id, container_image, k8s_ns, k8s_pod, tags_json, output, "
         "fields_json, simulated, status, status_at, status_by, resource_id) VALUES "
         "('6f1c2a3b-0000-4abc-9def-000000000004', 40, 41, 'r', 'BW-RT-207', 5, 'syscall', 'h1', "
         "'agent', 'abc', 'nginx', '', '', '[]', 'out', '{}', 0, 'dismissed', 45, 'alice', "
         "'0123456789abcdef')");

  auto store = openSqliteStore(path);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ((*store)->schemaVersion().value_or(-1), kSchemaVersion);
  auto alert = (*store)->getAlert("6f1c2a3b-0000-4abc-9def-000000000004");
  ASSERT_TRUE(alert.has_value() && alert->has_value());
  EXPECT_EQ((*alert)->status, model::AlertStatus::Dismissed);
  EXPECT_EQ((*alert)->status_by, "alice");
  EXPECT_EQ((*alert)->resource_id, "0123456789abcdef");
  EXPECT_EQ((*alert)->status_comment, "");
  ASSERT_TRUE((*store)->setAlertStatus((*alert)->alert_id, model::AlertStatus::Resolved, "bob", 50,
                                       "patched the image"));
  EXPECT_EQ(queryText(path, "SELECT status_comment FROM alerts"), "patched the image");
  EXPECT_EQ(queryText(path, "SELECT COUNT(*) FROM schema_version"), std::to_string(kSchemaVersion));
}

TEST(SqliteStore, NewerSchemaIsRefused) {
  const std::string path = temp().fresh("newer.db");
  ASSERT_TRUE(openSqliteStore(path).has_value());
  execOn(path, "INSERT INTO schema_version (version, applied_at) VALUES (" +
                   std::to_string(kSchemaVersion + 1) + ", 0)");
  auto store = openSqliteStore(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, core::ErrorCode::Input);
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
}

TEST(SqliteStore, UsesWalForeignKeysAndCompressesInventories) {
  const std::string path = temp().fresh("wal.db");
  auto store = openSqliteStore(path);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ(queryText(path, "PRAGMA journal_mode"), "wal");
  ScanResult result;
  result.digest = "sha256:big";
  for (int i = 0; i < 20'000; ++i) {
    result.inventory_json += R"({"name":"pkg)" + std::to_string(i % 300) + R"(","version":"1.0"},)";
  }
  ASSERT_TRUE((*store)->saveResult(result).has_value());
  const std::string stored =
      queryText(path, "SELECT length(inventory) FROM results WHERE digest = 'sha256:big'");
  ASSERT_FALSE(stored.empty());
  EXPECT_LT(std::stoll(stored) * 10, static_cast<long long>(result.inventory_json.size()));
  // Findings cannot exist without their result (foreign keys are on).
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
  EXPECT_NE(sqlite3_exec(db,
                         "INSERT INTO findings VALUES ('sha256:none', 'CVE-1', 'p', '1', '', 0, "
                         "'{}', 0)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
}

TEST(SqliteStore, CreatesParentDirectories) {
  const std::string path = temp().fresh("a") + "/b/c/bulwark.db";
  auto store = openSqliteStore(path);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ((*store)->backend(), "sqlite");
}

TEST(SqliteStore, NotADatabaseIsAnError) {
  const std::string path = temp().fresh("garbage.db");
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(4096, 'g');
  }
  auto store = openSqliteStore(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
  EXPECT_FALSE(openSqliteStore("").has_value());
}

TEST(SqliteStore, TwoConnectionsShareOneFile) {
  const std::string path = temp().fresh("shared.db");
  auto first = openSqliteStore(path);
  auto second = openSqliteStore(path);
  ASSERT_TRUE(first.has_value() && second.has_value());
  ASSERT_TRUE((*first)->enqueue(JobRequest{.digest = "sha256:01"}, 1).has_value());
  auto dedup = (*second)->enqueue(JobRequest{.digest = "sha256:01"}, 2);
  ASSERT_TRUE(dedup.has_value());
  EXPECT_FALSE(dedup->created);
  auto claimed = (*second)->claimJob("w2", 3, 1000);
  ASSERT_TRUE(claimed.has_value() && claimed->has_value());
  auto none = (*first)->claimJob("w1", 4, 1000);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace bulwark::store
