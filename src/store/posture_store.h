// The posture part of Store (schema 4; docs/dev/posture-design.md §2, §4, §5.4), written once
// for both backends over a small SQL executor each backend provides inside its own transaction
// (SQLite: the mutex and BEGIN IMMEDIATE; PostgreSQL: run()). Internal to src/store/.
//
// The SQL is the common subset of SQLite and PostgreSQL with PostgreSQL's $N parameters
// (SQLite runs it through sqliteParams()). Values travel as parameters only; filters that are
// absent are parameters with a neutral value, so each statement has one fixed text.
// Statuses and severities are stored as their enum's rank (model::Health, model::Severity), so a
// roll-up is MAX; a change row's from/to status is -1 when the assessment did not exist
// before/after.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "model/posture.h"
#include "store/store.h"

namespace bulwark::store::posture_sql {

// Bytes that may hold NULs: a BLOB (SQLite) or bytea (PostgreSQL); read back as their bytes.
struct Bytes {
  std::string data;
};
using SqlValue = std::variant<std::int64_t, double, std::string, Bytes>;
using SqlRow = std::vector<std::optional<std::string>>;  // columns as text; NULL = nullopt

// Where the two backends' SQL parts (JSON functions), a statement picks its text by this.
enum class Dialect { Sqlite, Postgres };

// One transaction's statements. Errors are the backend's (it may also throw, as pqxx does,
// when its transaction wrapper turns exceptions into errors).
class Sql {
 public:
  virtual ~Sql() = default;
  [[nodiscard]] virtual Dialect dialect() const = 0;
  // The rows of a query; a REAL column's text round-trips exactly.
  virtual core::Result<std::vector<SqlRow>> query(std::string_view sql,
                                                  std::span<const SqlValue> params) = 0;
  // A statement without rows; the number of rows it changed.
  virtual core::Result<std::int64_t> exec(std::string_view sql,
                                          std::span<const SqlValue> params) = 0;
};

// "$1" → "?1": SQLite's numbered parameters (the shared SQL has no other '$').
std::string sqliteParams(std::string_view sql);

// Recounts results' severity columns and `fixable` of digest $1 from its findings.
extern const char* const kRecountResult;

core::Status setAlertStatus(Sql& sql, std::string_view alert_id, model::AlertStatus status,
                            std::string_view by, Millis at, std::string_view comment);
core::Status setAlertResource(Sql& sql, std::string_view alert_id, std::string_view resource_id);
core::Result<std::vector<AlertDayCount>> alertsPerDay(Sql& sql, Millis since);
core::Result<std::int64_t> setAlertsResource(Sql& sql, std::span<const std::string> alert_ids,
                                             std::string_view resource_id);

// The change feeds (Store::imagesPushedAfter …). Alerts are read by the backend (its columns).
core::Result<std::vector<ImageKey>> imagesPushedAfter(Sql& sql, const ImageKey& after,
                                                      std::int64_t limit);
core::Result<std::vector<FeedMark>> resultsEvaluatedAfter(Sql& sql, const FeedMark& after,
                                                          std::int64_t limit);
core::Result<std::vector<ImageKey>> imagesOfDigest(Sql& sql, std::string_view digest);
// The limit check of every feed (Input beyond 1 … kMaxFeedPage).
core::Status checkFeedLimit(std::int64_t limit);
// Checks the batch before any transaction (Input).
core::Status checkBatch(const AssessmentBatch& batch);
core::Result<ApplyResult> applyAssessments(Sql& sql, const AssessmentBatch& batch);
core::Result<std::optional<ResourceRecord>> getResource(Sql& sql, std::string_view id);
core::Result<ResourcePage> queryResources(Sql& sql, const ResourceQuery& query);
core::Result<AssessmentPage> queryAssessments(Sql& sql, const AssessmentQuery& query);
core::Result<std::vector<AssessmentChange>> assessmentHistory(Sql& sql,
                                                              std::string_view resource_id,
                                                              Millis since, std::int64_t limit);
core::Result<std::vector<PostureControlCount>> controlCounts(Sql& sql);
core::Result<std::vector<PostureRecommendationCount>> recommendationCounts(Sql& sql);
core::Result<model::Exemption> addExemption(Sql& sql, const model::Exemption& exemption);
core::Result<std::optional<model::Exemption>> getExemption(Sql& sql, std::int64_t id);
core::Result<std::vector<model::Exemption>> listExemptions(Sql& sql, const ExemptionQuery& query);
core::Status revokeExemption(Sql& sql, std::int64_t id, Millis at);
core::Result<std::int64_t> refreshExemptions(Sql& sql, Millis now);
core::Status appendScore(Sql& sql, std::span<const ScorePoint> points);
core::Result<std::vector<ScorePoint>> scoreHistory(Sql& sql, Millis since, Millis until,
                                                   const std::optional<std::string>& control);

core::Result<bool> takeLease(Sql& sql, std::string_view name, std::string_view holder, Millis now,
                             Millis until);
core::Status touchSensor(Sql& sql, const SensorRecord& sensor);
core::Result<std::vector<SensorRecord>> listSensors(Sql& sql);
core::Status putSchedule(Sql& sql, const ScheduleRecord& schedule);
core::Result<bool> addSchedule(Sql& sql, const ScheduleRecord& schedule);
core::Result<std::vector<ScheduleRecord>> listSchedules(Sql& sql);
core::Result<bool> claimSchedule(Sql& sql, std::string_view target_key, Millis expected,
                                 Millis next, std::int64_t run_id);

core::Result<PostureRun> startRun(Sql& sql, const PostureRun& run);
core::Status finishRun(Sql& sql, const PostureRun& run);
core::Result<std::vector<PostureRun>> listRuns(Sql& sql, const PostureRunQuery& query);
core::Result<std::int64_t> countRuns(Sql& sql, const PostureRunQuery& query);
core::Status replaceResultChecks(Sql& sql, std::string_view digest,
                                 std::span<const ResultCheck> checks);
core::Result<std::vector<ResultCheck>> resultChecks(Sql& sql, std::string_view digest);

core::Result<bool> putInput(Sql& sql, const PostureInput& input);
core::Result<std::optional<PostureInput>> getInput(Sql& sql, std::string_view sha256);
core::Status deleteInput(Sql& sql, std::string_view sha256);

// ---- posture API queries (P4)
core::Result<Store::CrossFindingPage> crossImageFindings(Sql& sql,
                                                         const Store::CrossFindingQuery& query);

}  // namespace bulwark::store::posture_sql
