// The posture part of Store, once for both backends (posture_store.h).
#include "store/posture_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "store/inventory_blob.h"

namespace bulwark::store::posture_sql {

using core::ErrorCode;
using Json = nlohmann::json;

namespace {

constexpr std::size_t kMaxDepth = 16;  // the deepest chain, cluster → … → container, has 4

// ---- values ---------------------------------------------------------------------------------

bool isId(std::string_view text) {
  return text.size() == 16 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string encodeMap(const std::map<std::string, std::string>& map) {
  Json json = Json::object();
  for (const auto& [key, value] : map) json[key] = value;
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::map<std::string, std::string> decodeMap(std::string_view text) {
  std::map<std::string, std::string> out;
  const Json parsed = Json::parse(text, nullptr, false);
  if (!parsed.is_object()) return out;
  for (const auto& [key, value] : parsed.items()) {
    if (value.is_string()) out.emplace(key, value.get<std::string>());
  }
  return out;
}

std::string encodeEvidence(const std::vector<model::Evidence>& evidence) {
  Json json = Json::array();
  for (const model::Evidence& item : evidence) {
    json.push_back(
        {{"observed", item.observed}, {"where", item.where}, {"expected", item.expected}});
  }
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::vector<model::Evidence> decodeEvidence(std::string_view text) {
  std::vector<model::Evidence> out;
  const Json parsed = Json::parse(text, nullptr, false);
  if (!parsed.is_array()) return out;
  for (const Json& item : parsed) {
    if (!item.is_object()) continue;
    out.push_back(model::Evidence{item.value("observed", ""), item.value("where", ""),
                                  item.value("expected", "")});
  }
  return out;
}

std::int64_t rank(model::Health health) { return static_cast<std::int64_t>(health); }

model::Health healthFromRank(std::int64_t value) {
  return static_cast<model::Health>(
      std::clamp<std::int64_t>(value, 0, rank(model::Health::Unhealthy)));
}

std::optional<model::Health> optionalHealth(std::int64_t value) {
  if (value < 0) return std::nullopt;
  return healthFromRank(value);
}

std::int64_t severityRank(model::Severity severity) { return static_cast<std::int64_t>(severity); }

model::Severity severityFromRank(std::int64_t value) {
  return static_cast<model::Severity>(
      std::clamp<std::int64_t>(value, 0, severityRank(model::Severity::Critical)));
}

model::SourceKind sourceKindFrom(std::string_view text) {
  for (auto kind :
       {model::SourceKind::Check, model::SourceKind::Rule, model::SourceKind::Derived}) {
    if (model::toString(kind) == text) return kind;
  }
  return model::SourceKind::Derived;
}

// Column access on a row of text.
std::string text(const SqlRow& row, std::size_t column) {
  return column < row.size() && row[column] ? *row[column] : std::string();
}

std::optional<std::int64_t> optionalInteger(const SqlRow& row, std::size_t column) {
  if (column >= row.size() || !row[column]) return std::nullopt;
  const std::string& value = *row[column];
  std::int64_t out = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (error != std::errc() || end != value.data() + value.size()) return std::nullopt;
  return out;
}

std::int64_t integer(const SqlRow& row, std::size_t column) {
  return optionalInteger(row, column).value_or(0);
}

double real(const SqlRow& row, std::size_t column) {
  const std::string value = text(row, column);
  return value.empty() ? 0.0 : std::strtod(value.c_str(), nullptr);
}

// '%' + the text with LIKE's wildcards escaped (ESCAPE '!') + '%', lower-cased (ASCII, as both
// backends' lower() over the "C" collation).
std::string containsPattern(std::string_view needle) {
  std::string out = "%";
  for (char c : needle) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out + "%";
}

core::Status checkPage(std::int64_t limit, std::int64_t offset) {
  if (limit < 0 || offset < 0) {
    return core::fail(ErrorCode::Input, "limit and offset must not be negative");
  }
  return {};
}

// Runs a query with parameters given inline.
core::Result<std::vector<SqlRow>> rows(Sql& sql, std::string_view statement,
                                       std::initializer_list<SqlValue> params) {
  return sql.query(statement, std::span<const SqlValue>(params.begin(), params.size()));
}

core::Result<std::int64_t> run(Sql& sql, std::string_view statement,
                               std::initializer_list<SqlValue> params) {
  return sql.exec(statement, std::span<const SqlValue>(params.begin(), params.size()));
}

#define POSTURE_TRY(expression)                                      \
  do {                                                               \
    if (auto posture_try_result = (expression); !posture_try_result) \
      return tl::unexpected(posture_try_result.error());             \
  } while (false)

// ---- rows -----------------------------------------------------------------------------------

constexpr const char* kResourceColumns =
    "r.id, r.key, r.type, r.parent_id, r.path, r.name, r.labels_json, r.attrs_json, "
    "r.first_seen, r.last_seen, r.gone_at, r.health, r.unhealthy, r.severity";

ResourceRecord resourceFrom(const SqlRow& row) {
  ResourceRecord record;
  model::Resource& resource = record.resource;
  resource.id = text(row, 0);
  resource.key = text(row, 1);
  resource.type = model::parseResourceType(text(row, 2)).value_or(model::ResourceType::Registry);
  resource.parent_id = text(row, 3);
  record.path = text(row, 4);
  resource.name = text(row, 5);
  resource.labels = decodeMap(text(row, 6));
  resource.attrs = decodeMap(text(row, 7));
  resource.first_seen = integer(row, 8);
  resource.last_seen = integer(row, 9);
  resource.gone_at = optionalInteger(row, 10);
  record.health = healthFromRank(integer(row, 11));
  record.unhealthy = integer(row, 12);
  record.severity = severityFromRank(integer(row, 13));
  return record;
}

constexpr const char* kAssessmentColumns =
    "a.resource_id, a.source, a.kind, a.recommendation, a.control, a.status, a.severity, "
    "a.reason, a.cause, a.evidence_json, a.run_id, a.exempt_id, a.assessed_at, a.status_since";

model::Assessment assessmentFrom(const SqlRow& row) {
  model::Assessment assessment;
  assessment.resource_id = text(row, 0);
  assessment.source = text(row, 1);
  assessment.kind = sourceKindFrom(text(row, 2));
  assessment.recommendation = text(row, 3);
  assessment.control = text(row, 4);
  assessment.status = healthFromRank(integer(row, 5));
  assessment.severity = severityFromRank(integer(row, 6));
  assessment.reason = text(row, 7);
  assessment.cause = text(row, 8);
  assessment.evidence = decodeEvidence(text(row, 9));
  assessment.run_id = integer(row, 10);
  assessment.exempt_id = integer(row, 11);
  assessment.assessed_at = integer(row, 12);
  assessment.status_since = integer(row, 13);
  return assessment;
}

constexpr const char* kExemptionColumns =
    "id, recommendation, scope_id, source, category, reason, created_by, created_at, "
    "expires_at, revoked_at";

model::Exemption exemptionFrom(const SqlRow& row) {
  model::Exemption exemption;
  exemption.id = integer(row, 0);
  exemption.recommendation = text(row, 1);
  exemption.scope_id = text(row, 2);
  exemption.source = text(row, 3);
  exemption.category =
      model::parseExemptionCategory(text(row, 4)).value_or(model::ExemptionCategory::RiskAccepted);
  exemption.reason = text(row, 5);
  exemption.created_by = text(row, 6);
  exemption.created_at = integer(row, 7);
  exemption.expires_at = integer(row, 8);
  exemption.revoked_at = optionalInteger(row, 9);
  return exemption;
}

// ---- shared statements ----------------------------------------------------------------------

constexpr const char* kUpsertResource =
    "INSERT INTO posture_resources (id, key, type, parent_id, path, name, labels_json, "
    "attrs_json, first_seen, last_seen, gone_at, health, unhealthy, severity) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, 0, 0, 0) "
    "ON CONFLICT (id) DO UPDATE SET key = excluded.key, type = excluded.type, "
    "parent_id = excluded.parent_id, path = excluded.path, name = excluded.name, "
    "labels_json = excluded.labels_json, attrs_json = excluded.attrs_json, "
    "last_seen = CASE WHEN excluded.last_seen > posture_resources.last_seen "
    "THEN excluded.last_seen ELSE posture_resources.last_seen END, gone_at = NULL";

constexpr const char* kUpsertAssessment =
    "INSERT INTO posture_assessments (resource_id, source, kind, recommendation, control, "
    "status, severity, reason, cause, evidence_json, run_id, exempt_id, assessed_at, "
    "status_since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13) "
    "ON CONFLICT (resource_id, source) DO UPDATE SET kind = excluded.kind, "
    "recommendation = excluded.recommendation, control = excluded.control, "
    "status = excluded.status, severity = excluded.severity, reason = excluded.reason, "
    "cause = excluded.cause, evidence_json = excluded.evidence_json, run_id = excluded.run_id, "
    "assessed_at = excluded.assessed_at, status_since = excluded.status_since";

// Rows whose exempt_id differs from the lowest id of the active exemptions covering them ($1
// now; $2 one resource or '' for all). Scopes are resource ids (16 hex; addExemption checks),
// so the LIKE pattern holds no wildcard.
constexpr const char* kExemptDiff =
    "SELECT resource_id, source, new_id FROM (SELECT a.resource_id, a.source, a.exempt_id, "
    "COALESCE((SELECT MIN(e.id) FROM posture_exemptions e, posture_resources r "
    "WHERE r.id = a.resource_id AND e.recommendation = a.recommendation "
    "AND (e.source = '' OR e.source = a.source) AND e.revoked_at IS NULL "
    "AND e.expires_at > CAST($1 AS BIGINT) AND r.path LIKE '%/' || e.scope_id || '/%'), 0) "
    "AS new_id FROM posture_assessments a "
    "WHERE (CAST($2 AS TEXT) = '' OR a.resource_id = CAST($2 AS TEXT))) t "
    "WHERE new_id <> exempt_id ORDER BY resource_id, source";

// A resource's own roll-up over its non-exempt assessments.
constexpr const char* kRefreshHealth =
    "UPDATE posture_resources SET "
    "health = COALESCE((SELECT MAX(a.status) FROM posture_assessments a "
    "WHERE a.resource_id = $1 AND a.exempt_id = 0), 0), "
    "unhealthy = (SELECT COUNT(DISTINCT a.recommendation) FROM posture_assessments a "
    "WHERE a.resource_id = $1 AND a.exempt_id = 0 AND a.status = 3), "
    "severity = COALESCE((SELECT MAX(a.severity) FROM posture_assessments a "
    "WHERE a.resource_id = $1 AND a.exempt_id = 0 AND a.status = 3), 0) "
    "WHERE id = $1";

// §4.2, per (control, resource) over resources not gone: unhealthy when a non-exempt
// assessment is, else healthy when one is, else not-evaluated, else exempt
// (posture::countControls).
constexpr const char* kControlCounts =
    "SELECT control, "
    "SUM(CASE WHEN bad = 0 AND good = 1 THEN 1 ELSE 0 END) AS healthy, "
    "SUM(CASE WHEN bad = 1 THEN 1 ELSE 0 END) AS unhealthy, "
    "SUM(CASE WHEN bad = 0 AND good = 0 AND pending = 1 THEN 1 ELSE 0 END) AS not_evaluated, "
    "SUM(CASE WHEN bad = 0 AND good = 0 AND pending = 0 AND waived = 1 THEN 1 ELSE 0 END) "
    "AS exempt "
    "FROM (SELECT a.control, a.resource_id, "
    "MAX(CASE WHEN a.exempt_id = 0 AND a.status = 3 THEN 1 ELSE 0 END) AS bad, "
    "MAX(CASE WHEN a.exempt_id = 0 AND a.status = 2 THEN 1 ELSE 0 END) AS good, "
    "MAX(CASE WHEN a.exempt_id = 0 AND a.status = 1 THEN 1 ELSE 0 END) AS pending, "
    "MAX(CASE WHEN a.exempt_id <> 0 THEN 1 ELSE 0 END) AS waived "
    "FROM posture_assessments a JOIN posture_resources r ON r.id = a.resource_id "
    "WHERE r.gone_at IS NULL GROUP BY a.control, a.resource_id) per_resource "
    "GROUP BY control ORDER BY control";

// Per (recommendation, resource): the worst non-exempt status, -1 when all are exempt
// (posture::countRecommendations).
constexpr const char* kRecommendationCounts =
    "SELECT recommendation, "
    "SUM(CASE WHEN worst = 2 THEN 1 ELSE 0 END) AS healthy, "
    "SUM(CASE WHEN worst = 3 THEN 1 ELSE 0 END) AS unhealthy, "
    "SUM(CASE WHEN worst = 1 THEN 1 ELSE 0 END) AS not_evaluated, "
    "SUM(CASE WHEN worst = 0 THEN 1 ELSE 0 END) AS not_applicable, "
    "SUM(CASE WHEN worst = -1 THEN 1 ELSE 0 END) AS exempt "
    "FROM (SELECT a.recommendation, a.resource_id, "
    "MAX(CASE WHEN a.exempt_id = 0 THEN a.status ELSE -1 END) AS worst "
    "FROM posture_assessments a JOIN posture_resources r ON r.id = a.resource_id "
    "WHERE r.gone_at IS NULL GROUP BY a.recommendation, a.resource_id) per_resource "
    "GROUP BY recommendation ORDER BY recommendation";

// Resources unhealthy in a control through exactly one recommendation, by that recommendation.
constexpr const char* kUnhealthyOnly =
    "SELECT only_one, COUNT(*) FROM (SELECT a.control, a.resource_id, "
    "MIN(a.recommendation) AS only_one "
    "FROM posture_assessments a JOIN posture_resources r ON r.id = a.resource_id "
    "WHERE r.gone_at IS NULL AND a.exempt_id = 0 AND a.status = 3 "
    "GROUP BY a.control, a.resource_id HAVING COUNT(DISTINCT a.recommendation) = 1) t "
    "GROUP BY only_one ORDER BY only_one";

// ---- helpers --------------------------------------------------------------------------------

core::Result<std::optional<std::string>> storedPath(Sql& sql, std::string_view id) {
  auto found = rows(sql, "SELECT path FROM posture_resources WHERE id = $1", {std::string(id)});
  if (!found) return tl::unexpected(found.error());
  if (found->empty()) return std::optional<std::string>();
  return std::optional<std::string>(text(found->front(), 0));
}

// The path ("/<root>/…/<id>/") of every resource of the batch, from parents in the batch or
// stored. Input for an unknown parent or a chain deeper than kMaxDepth (a cycle).
core::Result<std::map<std::string, std::string, std::less<>>> resolvePaths(
    Sql& sql, const AssessmentBatch& batch) {
  std::map<std::string_view, const model::Resource*> in_batch;
  for (const model::Resource& resource : batch.resources) in_batch[resource.id] = &resource;
  std::map<std::string, std::string, std::less<>> paths;
  for (const model::Resource& resource : batch.resources) {
    std::vector<const model::Resource*> chain;  // up to the first resource with a known path
    std::string base = "/";
    for (const model::Resource* at = &resource;;) {
      if (const auto known = paths.find(at->id); known != paths.end()) {
        base = known->second;
        break;
      }
      chain.push_back(at);
      if (chain.size() > kMaxDepth) {
        return core::fail(ErrorCode::Input, "resource '{}': parent chain too deep or cyclic",
                          resource.key);
      }
      if (at->parent_id.empty()) break;
      if (const auto parent = in_batch.find(at->parent_id); parent != in_batch.end()) {
        at = parent->second;
        continue;
      }
      auto stored = storedPath(sql, at->parent_id);
      if (!stored) return tl::unexpected(stored.error());
      if (!*stored) {
        return core::fail(ErrorCode::Input, "resource '{}': unknown parent {}", at->key,
                          at->parent_id);
      }
      base = std::move(**stored);
      break;
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      base += (*it)->id + "/";
      paths[(*it)->id] = base;
    }
  }
  return paths;
}

bool inScope(std::string_view path, std::string_view scope_id) {
  return path.find("/" + std::string(scope_id) + "/") != std::string_view::npos;
}

struct StoredAssessment {
  std::string source;
  model::SourceKind kind = model::SourceKind::Check;
  std::string recommendation;
  model::Health status = model::Health::NotEvaluated;
  Millis status_since = 0;
};

struct AssessmentPlan {
  std::vector<model::Assessment> upserts;  // status_since set
  std::vector<std::string> removed;        // sources
  std::vector<AssessmentChange> changes;
};

// One resource's incoming assessments against its stored ones. With `replace`, stored sources
// of `kinds` that are not incoming are removed. A repeated incoming source: the first wins.
AssessmentPlan planAssessments(std::string_view resource_id,
                               std::span<const model::Assessment* const> incoming,
                               std::span<const StoredAssessment> stored, bool replace,
                               const AssessmentBatch& batch) {
  AssessmentPlan plan;
  std::map<std::string_view, const StoredAssessment*> before;
  for (const StoredAssessment& row : stored) before[row.source] = &row;
  std::set<std::string_view> seen;
  const auto change = [&](const std::string& source, const std::string& recommendation,
                          std::optional<model::Health> from, std::optional<model::Health> to) {
    AssessmentChange row;
    row.resource_id = std::string(resource_id);
    row.source = source;
    row.recommendation = recommendation;
    row.from = from;
    row.to = to;
    row.cause = batch.cause;
    row.at = batch.at;
    plan.changes.push_back(std::move(row));
  };
  for (const model::Assessment* assessment : incoming) {
    if (!seen.insert(assessment->source).second) continue;
    model::Assessment row = *assessment;
    const auto old = before.find(row.source);
    if (old != before.end() && old->second->status == row.status) {
      row.status_since = old->second->status_since;
    } else {
      row.status_since = batch.at;
      change(row.source, row.recommendation,
             old != before.end() ? std::optional(old->second->status) : std::nullopt, row.status);
    }
    plan.upserts.push_back(std::move(row));
  }
  if (replace) {
    for (const StoredAssessment& row : stored) {
      if (seen.count(row.source) != 0) continue;
      if (std::find(batch.kinds.begin(), batch.kinds.end(), row.kind) == batch.kinds.end()) {
        continue;
      }
      plan.removed.push_back(row.source);
      change(row.source, row.recommendation, row.status, std::nullopt);
    }
  }
  return plan;
}

core::Result<std::vector<StoredAssessment>> storedAssessments(Sql& sql,
                                                              std::string_view resource_id) {
  auto found = rows(sql,
                    "SELECT source, kind, recommendation, status, status_since "
                    "FROM posture_assessments WHERE resource_id = $1 ORDER BY source",
                    {std::string(resource_id)});
  if (!found) return tl::unexpected(found.error());
  std::vector<StoredAssessment> out;
  for (const SqlRow& row : *found) {
    out.push_back(StoredAssessment{text(row, 0), sourceKindFrom(text(row, 1)), text(row, 2),
                                   healthFromRank(integer(row, 3)), integer(row, 4)});
  }
  return out;
}

core::Status writeChange(Sql& sql, const AssessmentChange& change) {
  POSTURE_TRY(run(sql,
                  "INSERT INTO posture_assessment_changes (resource_id, source, recommendation, "
                  "from_status, to_status, cause, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                  {change.resource_id, change.source, change.recommendation,
                   change.from ? rank(*change.from) : std::int64_t{-1},
                   change.to ? rank(*change.to) : std::int64_t{-1}, change.cause, change.at}));
  return {};
}

core::Status writePlan(Sql& sql, std::string_view resource_id, const AssessmentPlan& plan) {
  for (const model::Assessment& a : plan.upserts) {
    POSTURE_TRY(
        run(sql, kUpsertAssessment,
            {std::string(resource_id), a.source, std::string(model::toString(a.kind)),
             a.recommendation, a.control, rank(a.status), severityRank(a.severity), a.reason,
             a.cause, encodeEvidence(a.evidence), a.run_id, a.assessed_at, a.status_since}));
  }
  for (const std::string& source : plan.removed) {
    POSTURE_TRY(run(sql, "DELETE FROM posture_assessments WHERE resource_id = $1 AND source = $2",
                    {std::string(resource_id), source}));
  }
  for (const AssessmentChange& change : plan.changes) POSTURE_TRY(writeChange(sql, change));
  return {};
}

// Sets exempt_id where it differs from the covering exemptions at `now`, for one resource or
// all (""), and refreshes the roll-up of the resources that changed; how many rows changed.
core::Result<std::int64_t> applyExemptions(Sql& sql, Millis now, std::string_view resource_id,
                                           std::set<std::string>& touched) {
  auto diff = rows(sql, kExemptDiff, {now, std::string(resource_id)});
  if (!diff) return tl::unexpected(diff.error());
  for (const SqlRow& row : *diff) {
    POSTURE_TRY(run(sql,
                    "UPDATE posture_assessments SET exempt_id = $1 "
                    "WHERE resource_id = $2 AND source = $3",
                    {integer(row, 2), text(row, 0), text(row, 1)}));
    touched.insert(text(row, 0));
  }
  return static_cast<std::int64_t>(diff->size());
}

core::Status refreshHealth(Sql& sql, const std::set<std::string>& resource_ids) {
  for (const std::string& id : resource_ids) POSTURE_TRY(run(sql, kRefreshHealth, {id}));
  return {};
}

}  // namespace

std::string sqliteParams(std::string_view sql) {
  std::string out(sql);
  std::replace(out.begin(), out.end(), '$', '?');
  return out;
}

const char* const kRecountResult =
    "UPDATE results SET "
    "critical = (SELECT COUNT(*) FROM findings f WHERE f.digest = $1 AND f.severity = 5), "
    "high = (SELECT COUNT(*) FROM findings f WHERE f.digest = $1 AND f.severity = 4), "
    "medium = (SELECT COUNT(*) FROM findings f WHERE f.digest = $1 AND f.severity = 3), "
    "low = (SELECT COUNT(*) FROM findings f WHERE f.digest = $1 AND f.severity = 2), "
    "negligible = (SELECT COUNT(*) FROM findings f WHERE f.digest = $1 AND f.severity = 1), "
    "unknown = (SELECT COUNT(*) FROM findings f WHERE f.digest = $1 AND f.severity = 0), "
    "fixable = (SELECT COUNT(*) FROM findings f WHERE f.digest = $1 AND f.severity >= 2 "
    "AND f.fixed_version <> '') WHERE digest = $1";

core::Status setAlertStatus(Sql& sql, std::string_view alert_id, model::AlertStatus status,
                            std::string_view by, Millis at, std::string_view comment) {
  auto changed = run(sql,
                     "UPDATE alerts SET status = $1, status_at = $2, status_by = $3, "
                     "status_comment = $4 WHERE alert_id = $5",
                     {std::string(model::toString(status)), at, std::string(by),
                      std::string(comment), std::string(alert_id)});
  if (!changed) return tl::unexpected(changed.error());
  if (*changed == 0) return core::fail(ErrorCode::NotFound, "no alert {}", alert_id);
  return {};
}

core::Status setAlertResource(Sql& sql, std::string_view alert_id, std::string_view resource_id) {
  auto changed = run(sql, "UPDATE alerts SET resource_id = $1 WHERE alert_id = $2",
                     {std::string(resource_id), std::string(alert_id)});
  if (!changed) return tl::unexpected(changed.error());
  if (*changed == 0) return core::fail(ErrorCode::NotFound, "no alert {}", alert_id);
  return {};
}

core::Result<std::vector<AlertDayCount>> alertsPerDay(Sql& sql, Millis since) {
  // `NOT simulated`: a boolean on PostgreSQL, 0 or 1 on SQLite.
  auto found = rows(sql,
                    "SELECT (time_ms / 86400000) * 86400000 AS day, priority, COUNT(*) "
                    "FROM alerts WHERE time_ms >= CAST($1 AS BIGINT) AND NOT simulated "
                    "GROUP BY 1, 2 ORDER BY 1, 2",
                    {since});
  if (!found) return tl::unexpected(found.error());
  std::vector<AlertDayCount> out;
  for (const SqlRow& row : *found) {
    out.push_back({integer(row, 0), static_cast<int>(integer(row, 1)), integer(row, 2)});
  }
  return out;
}

core::Result<std::int64_t> setAlertsResource(Sql& sql, std::span<const std::string> alert_ids,
                                             std::string_view resource_id) {
  // One statement per 500 alerts: a round trip each, not one per alert.
  constexpr std::size_t kChunk = 500;
  std::int64_t changed = 0;
  for (std::size_t start = 0; start < alert_ids.size(); start += kChunk) {
    const auto chunk = alert_ids.subspan(start, std::min(kChunk, alert_ids.size() - start));
    std::string statement = "UPDATE alerts SET resource_id = $1 WHERE alert_id IN (";
    std::vector<SqlValue> params{std::string(resource_id)};
    for (const std::string& id : chunk) {
      statement += fmt::format("{}${}", params.size() > 1 ? ", " : "", params.size() + 1);
      params.emplace_back(id);
    }
    statement += ")";
    auto updated = sql.exec(statement, params);
    if (!updated) return tl::unexpected(updated.error());
    changed += *updated;
  }
  return changed;
}

core::Status checkFeedLimit(std::int64_t limit) {
  if (limit < 1 || limit > kMaxFeedPage) {
    return core::fail(ErrorCode::Input, "a feed page is 1 to {} rows", kMaxFeedPage);
  }
  return {};
}

// Row values compare column by column, so a page continues exactly after its mark.
core::Result<std::vector<ImageKey>> imagesPushedAfter(Sql& sql, const ImageKey& after,
                                                      std::int64_t limit) {
  POSTURE_TRY(checkFeedLimit(limit));
  auto found = rows(sql,
                    "SELECT registry, repository, digest, last_pushed FROM images "
                    "WHERE (last_pushed, registry, repository, digest) > ($1, $2, $3, $4) "
                    "ORDER BY last_pushed, registry, repository, digest LIMIT $5",
                    {after.at, after.registry, after.repository, after.digest, limit});
  if (!found) return tl::unexpected(found.error());
  std::vector<ImageKey> out;
  out.reserve(found->size());
  for (const SqlRow& row : *found) {
    out.push_back({text(row, 0), text(row, 1), text(row, 2), integer(row, 3)});
  }
  return out;
}

core::Result<std::vector<FeedMark>> resultsEvaluatedAfter(Sql& sql, const FeedMark& after,
                                                          std::int64_t limit) {
  POSTURE_TRY(checkFeedLimit(limit));
  auto found = rows(sql,
                    "SELECT evaluated_at, digest FROM results "
                    "WHERE (evaluated_at, digest) > ($1, $2) "
                    "ORDER BY evaluated_at, digest LIMIT $3",
                    {after.at, after.key, limit});
  if (!found) return tl::unexpected(found.error());
  std::vector<FeedMark> out;
  out.reserve(found->size());
  for (const SqlRow& row : *found) out.push_back({integer(row, 0), text(row, 1)});
  return out;
}

core::Result<std::vector<ImageKey>> imagesOfDigest(Sql& sql, std::string_view digest) {
  auto found = rows(sql,
                    "SELECT registry, repository, digest, last_pushed FROM images "
                    "WHERE digest = $1 ORDER BY registry, repository",
                    {std::string(digest)});
  if (!found) return tl::unexpected(found.error());
  std::vector<ImageKey> out;
  out.reserve(found->size());
  for (const SqlRow& row : *found) {
    out.push_back({text(row, 0), text(row, 1), text(row, 2), integer(row, 3)});
  }
  return out;
}

core::Status checkBatch(const AssessmentBatch& batch) {
  if (batch.at <= 0) return core::fail(ErrorCode::Input, "posture batch without a time");
  if (!batch.scope_id.empty() && !isId(batch.scope_id)) {
    return core::fail(ErrorCode::Input, "posture scope '{}' is not a resource id", batch.scope_id);
  }
  for (const model::Resource& resource : batch.resources) {
    if (!isId(resource.id) || (!resource.parent_id.empty() && !isId(resource.parent_id))) {
      return core::fail(ErrorCode::Input, "resource '{}': id or parent id is not a resource id",
                        resource.key);
    }
    if (resource.key.empty()) {
      return core::fail(ErrorCode::Input, "resource {} without a key", resource.id);
    }
  }
  for (const model::Assessment& assessment : batch.assessments) {
    if (!isId(assessment.resource_id) || assessment.source.empty()) {
      return core::fail(ErrorCode::Input, "assessment of '{}' by '{}': bad resource id or source",
                        assessment.resource_id, assessment.source);
    }
  }
  return {};
}

core::Result<ApplyResult> applyAssessments(Sql& sql, const AssessmentBatch& batch) {
  POSTURE_TRY(checkBatch(batch));
  auto paths = resolvePaths(sql, batch);
  if (!paths) return tl::unexpected(paths.error());
  std::string scope_path;
  if (!batch.scope_id.empty()) {
    if (const auto it = paths->find(batch.scope_id); it != paths->end()) {
      scope_path = it->second;
    } else {
      auto stored = storedPath(sql, batch.scope_id);
      if (!stored) return tl::unexpected(stored.error());
      if (!*stored) return core::fail(ErrorCode::Input, "unknown posture scope {}", batch.scope_id);
      scope_path = **stored;
    }
  }

  ApplyResult result;
  for (const model::Resource& r : batch.resources) {
    POSTURE_TRY(run(
        sql, kUpsertResource,
        {r.id, r.key, std::string(model::toString(r.type)), r.parent_id, paths->at(r.id), r.name,
         encodeMap(r.labels), encodeMap(r.attrs), r.first_seen != 0 ? r.first_seen : batch.at,
         r.last_seen != 0 ? r.last_seen : batch.at}));
    ++result.resources;
  }

  // Per resource: its incoming assessments, and whether replace-scope applies to it.
  std::map<std::string, std::vector<const model::Assessment*>, std::less<>> incoming;
  std::set<std::string, std::less<>> replaced;
  for (const model::Resource& r : batch.resources) {
    if (!scope_path.empty() && inScope(paths->at(r.id), batch.scope_id)) {
      replaced.insert(r.id);
      incoming[r.id];
    }
  }
  for (const model::Assessment& a : batch.assessments) incoming[a.resource_id].push_back(&a);

  std::set<std::string> touched;
  for (const auto& [resource_id, assessments] : incoming) {
    if (paths->count(resource_id) == 0) {
      auto stored = storedPath(sql, resource_id);
      if (!stored) return tl::unexpected(stored.error());
      if (!*stored) {
        return core::fail(ErrorCode::Input, "assessment of unknown resource {}", resource_id);
      }
    }
    auto stored = storedAssessments(sql, resource_id);
    if (!stored) return tl::unexpected(stored.error());
    const AssessmentPlan plan =
        planAssessments(resource_id, assessments, *stored, replaced.count(resource_id) != 0, batch);
    POSTURE_TRY(writePlan(sql, resource_id, plan));
    result.assessments += static_cast<std::int64_t>(plan.upserts.size());
    result.removed += static_cast<std::int64_t>(plan.removed.size());
    result.changes += static_cast<std::int64_t>(plan.changes.size());
    POSTURE_TRY(applyExemptions(sql, batch.at, resource_id, touched));
    touched.insert(resource_id);
  }

  if (batch.complete && !scope_path.empty()) {
    auto below = rows(sql,
                      "SELECT id, type FROM posture_resources WHERE path LIKE $1 AND id <> $2 "
                      "AND gone_at IS NULL ORDER BY id",
                      {scope_path + "%", batch.scope_id});
    if (!below) return tl::unexpected(below.error());
    for (const SqlRow& row : *below) {
      const std::string id = text(row, 0);
      if (paths->count(id) != 0) continue;
      const auto type = model::parseResourceType(text(row, 1));
      if (!batch.gone_types.empty() &&
          (!type || std::find(batch.gone_types.begin(), batch.gone_types.end(), *type) ==
                        batch.gone_types.end())) {
        continue;
      }
      POSTURE_TRY(
          run(sql, "UPDATE posture_resources SET gone_at = $1 WHERE id = $2", {batch.at, id}));
      ++result.gone;
    }
  }
  for (const model::Resource& r : batch.resources) touched.insert(r.id);
  POSTURE_TRY(refreshHealth(sql, touched));
  return result;
}

core::Result<std::optional<ResourceRecord>> getResource(Sql& sql, std::string_view id) {
  auto found =
      rows(sql, fmt::format("SELECT {} FROM posture_resources r WHERE r.id = $1", kResourceColumns),
           {std::string(id)});
  if (!found) return tl::unexpected(found.error());
  if (found->empty()) return std::optional<ResourceRecord>();
  return std::optional<ResourceRecord>(resourceFrom(found->front()));
}

core::Result<ResourcePage> queryResources(Sql& sql, const ResourceQuery& query) {
  POSTURE_TRY(checkPage(query.limit, query.offset));
  static const std::map<std::string, std::string, std::less<>> kSorts = {
      {"name", "r.name, r.id"},
      {"health", "r.health DESC, r.name, r.id"},
      {"last_seen", "r.last_seen DESC, r.id"},
      {"unhealthy", "r.unhealthy DESC, r.name, r.id"},
  };
  const auto sort = kSorts.find(query.sort);
  if (sort == kSorts.end()) {
    return core::fail(ErrorCode::Input,
                      "unknown resource sort '{}' (name, health, last_seen, "
                      "unhealthy)",
                      query.sort);
  }
  if (!query.scope_id.empty() && !isId(query.scope_id)) {
    return core::fail(ErrorCode::Input, "scope '{}' is not a resource id", query.scope_id);
  }
  std::string types;  // ",image,host," (enum names: no LIKE wildcard)
  for (model::ResourceType type : query.types) types += "," + std::string(model::toString(type));
  if (!types.empty()) types += ",";
  // The labels as one JSON object ($8, "{}" for none), contained in labels_json: PostgreSQL's
  // jsonb containment; SQLite's json_each of both, no wanted pair missing.
  const std::string labels = encodeMap(query.labels);
  const char* const label_filter =
      sql.dialect() == Dialect::Postgres
          ? " AND CAST(r.labels_json AS jsonb) @> CAST($8 AS jsonb)"
          : " AND (CAST($8 AS TEXT) = '{}' OR NOT EXISTS ("
            "SELECT 1 FROM json_each(CAST($8 AS TEXT)) w WHERE NOT EXISTS ("
            "SELECT 1 FROM json_each(r.labels_json) l WHERE l.key = w.key AND l.value = w.value)))";
  const std::string where =
      std::string(
          " WHERE (CAST($1 AS BIGINT) = 1 OR r.gone_at IS NULL)"
          " AND (CAST($2 AS TEXT) = '' OR CAST($2 AS TEXT) LIKE '%,' || r.type || ',%')"
          " AND (CAST($3 AS BIGINT) = 0 OR r.parent_id = CAST($4 AS TEXT))"
          " AND (CAST($5 AS TEXT) = '' OR r.path LIKE CAST($5 AS TEXT))"
          " AND (CAST($6 AS BIGINT) < 0 OR r.health = CAST($6 AS BIGINT))"
          " AND (CAST($7 AS TEXT) = '%%' OR lower(r.name) LIKE CAST($7 AS TEXT) ESCAPE '!'"
          " OR lower(r.key) LIKE CAST($7 AS TEXT) ESCAPE '!')") +
      label_filter;
  std::vector<SqlValue> params = {
      std::int64_t{query.include_gone ? 1 : 0},
      types,
      std::int64_t{query.parent_id ? 1 : 0},
      query.parent_id.value_or(""),
      query.scope_id.empty() ? std::string() : "%/" + query.scope_id + "/%",
      query.health ? rank(*query.health) : std::int64_t{-1},
      containsPattern(query.search),
      labels,
  };
  auto total = sql.query("SELECT COUNT(*) FROM posture_resources r" + where, params);
  if (!total) return tl::unexpected(total.error());
  params.emplace_back(query.limit);
  params.emplace_back(query.offset);
  auto found = sql.query(fmt::format("SELECT {} FROM posture_resources r{} ORDER BY {} "
                                     "LIMIT CAST($9 AS BIGINT) OFFSET CAST($10 AS BIGINT)",
                                     kResourceColumns, where, sort->second),
                         params);
  if (!found) return tl::unexpected(found.error());
  ResourcePage page;
  page.total = total->empty() ? 0 : integer(total->front(), 0);
  for (const SqlRow& row : *found) page.resources.push_back(resourceFrom(row));
  return page;
}

core::Result<AssessmentPage> queryAssessments(Sql& sql, const AssessmentQuery& query) {
  POSTURE_TRY(checkPage(query.limit, query.offset));
  if (!query.scope_id.empty() && !isId(query.scope_id)) {
    return core::fail(ErrorCode::Input, "scope '{}' is not a resource id", query.scope_id);
  }
  // Fixed ORDER BY texts: the sort is an allow-list, never the caller's text.
  const char* const direction = query.descending ? " DESC" : "";
  std::string order;
  if (query.sort == "resource") {
    order = fmt::format("a.resource_id{0}, a.source{0}", direction);
  } else if (query.sort == "severity") {
    order = fmt::format("a.status{0}, a.severity{0}, r.name, a.resource_id, a.source", direction);
  } else if (query.sort == "name") {
    order = fmt::format("r.name{}, a.resource_id, a.source", direction);
  } else if (query.sort == "since") {
    order = fmt::format("a.status_since{}, a.resource_id, a.source", direction);
  } else {
    return core::fail(ErrorCode::Input,
                      "unknown assessment sort '{}' (resource, severity, name, "
                      "since)",
                      query.sort);
  }
  std::string types;  // ",image,host," as queryResources
  for (model::ResourceType type : query.resource_types) {
    types += "," + std::string(model::toString(type));
  }
  if (!types.empty()) types += ",";
  const std::string from =
      " FROM posture_assessments a JOIN posture_resources r ON r.id = a.resource_id"
      " WHERE (CAST($1 AS BIGINT) = 1 OR r.gone_at IS NULL)"
      " AND (CAST($2 AS TEXT) = '' OR a.resource_id = CAST($2 AS TEXT))"
      " AND (CAST($3 AS TEXT) = '' OR r.path LIKE CAST($3 AS TEXT))"
      " AND (CAST($4 AS TEXT) = '' OR a.recommendation = CAST($4 AS TEXT))"
      " AND (CAST($5 AS TEXT) = '' OR a.control = CAST($5 AS TEXT))"
      " AND (CAST($6 AS BIGINT) < 0 OR a.status = CAST($6 AS BIGINT))"
      " AND (CAST($7 AS TEXT) = '' OR a.kind = CAST($7 AS TEXT))"
      " AND (CAST($8 AS BIGINT) < 0 OR (CAST($8 AS BIGINT) = 1) = (a.exempt_id <> 0))"
      " AND (CAST($9 AS TEXT) = '' OR CAST($9 AS TEXT) LIKE '%,' || r.type || ',%')"
      " AND (CAST($10 AS TEXT) = '%%' OR lower(r.name) LIKE CAST($10 AS TEXT) ESCAPE '!'"
      " OR lower(r.key) LIKE CAST($10 AS TEXT) ESCAPE '!')";
  std::vector<SqlValue> params = {
      std::int64_t{query.include_gone ? 1 : 0},
      query.resource_id,
      query.scope_id.empty() ? std::string() : "%/" + query.scope_id + "/%",
      query.recommendation,
      query.control,
      query.status ? rank(*query.status) : std::int64_t{-1},
      query.kind ? std::string(model::toString(*query.kind)) : std::string(),
      query.exempt ? std::int64_t{*query.exempt ? 1 : 0} : std::int64_t{-1},
      types,
      containsPattern(query.search),
  };
  auto total = sql.query("SELECT COUNT(*)" + from, params);
  if (!total) return tl::unexpected(total.error());
  params.emplace_back(query.limit);
  params.emplace_back(query.offset);
  auto found = sql.query(fmt::format("SELECT {}{} ORDER BY {} "
                                     "LIMIT CAST($11 AS BIGINT) OFFSET CAST($12 AS BIGINT)",
                                     kAssessmentColumns, from, order),
                         params);
  if (!found) return tl::unexpected(found.error());
  AssessmentPage page;
  page.total = total->empty() ? 0 : integer(total->front(), 0);
  for (const SqlRow& row : *found) page.assessments.push_back(assessmentFrom(row));
  return page;
}

core::Result<std::vector<AssessmentChange>> assessmentHistory(Sql& sql,
                                                              std::string_view resource_id,
                                                              Millis since, std::int64_t limit) {
  POSTURE_TRY(checkPage(limit, 0));
  auto found = rows(sql,
                    "SELECT id, resource_id, source, recommendation, from_status, to_status, "
                    "cause, at FROM posture_assessment_changes WHERE resource_id = $1 "
                    "AND at >= CAST($2 AS BIGINT) ORDER BY at DESC, id DESC "
                    "LIMIT CAST($3 AS BIGINT)",
                    {std::string(resource_id), since, limit});
  if (!found) return tl::unexpected(found.error());
  std::vector<AssessmentChange> out;
  for (const SqlRow& row : *found) {
    out.push_back(AssessmentChange{integer(row, 0), text(row, 1), text(row, 2), text(row, 3),
                                   optionalHealth(integer(row, 4)), optionalHealth(integer(row, 5)),
                                   text(row, 6), integer(row, 7)});
  }
  return out;
}

core::Result<std::vector<PostureControlCount>> controlCounts(Sql& sql) {
  auto found = rows(sql, kControlCounts, {});
  if (!found) return tl::unexpected(found.error());
  std::vector<PostureControlCount> out;
  for (const SqlRow& row : *found) {
    out.push_back(PostureControlCount{text(row, 0), integer(row, 1), integer(row, 2),
                                      integer(row, 3), integer(row, 4)});
  }
  return out;
}

core::Result<std::vector<PostureRecommendationCount>> recommendationCounts(Sql& sql) {
  auto found = rows(sql, kRecommendationCounts, {});
  if (!found) return tl::unexpected(found.error());
  auto only = rows(sql, kUnhealthyOnly, {});
  if (!only) return tl::unexpected(only.error());
  std::map<std::string, std::int64_t, std::less<>> unhealthy_only;
  for (const SqlRow& row : *only) unhealthy_only[text(row, 0)] = integer(row, 1);
  std::vector<PostureRecommendationCount> out;
  for (const SqlRow& row : *found) {
    PostureRecommendationCount count{text(row, 0),    integer(row, 1), integer(row, 2),
                                     integer(row, 3), integer(row, 4), integer(row, 5)};
    if (const auto it = unhealthy_only.find(count.recommendation); it != unhealthy_only.end()) {
      count.unhealthy_only = it->second;
    }
    out.push_back(std::move(count));
  }
  return out;
}

core::Result<model::Exemption> addExemption(Sql& sql, const model::Exemption& exemption) {
  if (!isId(exemption.scope_id)) {
    return core::fail(ErrorCode::Input, "exemption scope '{}' is not a resource id",
                      exemption.scope_id);
  }
  if (exemption.recommendation.empty() || exemption.reason.empty() || exemption.expires_at <= 0) {
    return core::fail(ErrorCode::Input,
                      "an exemption needs a recommendation, a reason and an "
                      "expiry");
  }
  model::Exemption stored = exemption;
  if (stored.created_at == 0) stored.created_at = nowMillis();
  stored.revoked_at.reset();
  auto duplicate = rows(sql,
                        "SELECT id FROM posture_exemptions WHERE recommendation = $1 "
                        "AND scope_id = $2 AND source = $3 AND revoked_at IS NULL "
                        "AND expires_at > CAST($4 AS BIGINT) ORDER BY id",
                        {stored.recommendation, stored.scope_id, stored.source, stored.created_at});
  if (!duplicate) return tl::unexpected(duplicate.error());
  if (!duplicate->empty()) {
    return core::fail(ErrorCode::Input,
                      "exemption {} already exempts {} for scope {}{}{} (revoke it first)",
                      text(duplicate->front(), 0), stored.recommendation, stored.scope_id,
                      stored.source.empty() ? "" : " and source ", stored.source);
  }
  auto inserted = rows(sql,
                       "INSERT INTO posture_exemptions (recommendation, scope_id, source, "
                       "category, reason, created_by, created_at, expires_at, revoked_at) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL) RETURNING id",
                       {stored.recommendation, stored.scope_id, stored.source,
                        std::string(model::toString(stored.category)), stored.reason,
                        stored.created_by, stored.created_at, stored.expires_at});
  if (!inserted) return tl::unexpected(inserted.error());
  if (inserted->empty()) return core::fail(ErrorCode::Internal, "exemption insert gave no id");
  stored.id = integer(inserted->front(), 0);
  std::set<std::string> touched;
  POSTURE_TRY(applyExemptions(sql, stored.created_at, "", touched));
  POSTURE_TRY(refreshHealth(sql, touched));
  return stored;
}

core::Result<std::optional<model::Exemption>> getExemption(Sql& sql, std::int64_t id) {
  auto found = rows(
      sql, fmt::format("SELECT {} FROM posture_exemptions WHERE id = $1", kExemptionColumns), {id});
  if (!found) return tl::unexpected(found.error());
  if (found->empty()) return std::optional<model::Exemption>();
  return std::optional<model::Exemption>(exemptionFrom(found->front()));
}

core::Result<std::vector<model::Exemption>> listExemptions(Sql& sql, const ExemptionQuery& query) {
  POSTURE_TRY(checkPage(query.limit, query.offset));
  auto found =
      rows(sql,
           fmt::format("SELECT {} FROM posture_exemptions "
                       "WHERE (CAST($1 AS TEXT) = '' OR recommendation = CAST($1 AS TEXT)) "
                       "AND (CAST($2 AS TEXT) = '' OR scope_id = CAST($2 AS TEXT)) "
                       "AND (CAST($3 AS BIGINT) = 0 OR (revoked_at IS NULL "
                       "AND expires_at > CAST($4 AS BIGINT))) "
                       "AND (CAST($5 AS BIGINT) = 0 OR revoked_at IS NOT NULL "
                       "OR expires_at <= CAST($6 AS BIGINT)) "
                       "ORDER BY id LIMIT CAST($7 AS BIGINT) OFFSET CAST($8 AS BIGINT)",
                       kExemptionColumns),
           {query.recommendation, query.scope_id, std::int64_t{query.active_at ? 1 : 0},
            query.active_at.value_or(0), std::int64_t{query.inactive_at ? 1 : 0},
            query.inactive_at.value_or(0), query.limit, query.offset});
  if (!found) return tl::unexpected(found.error());
  std::vector<model::Exemption> out;
  for (const SqlRow& row : *found) out.push_back(exemptionFrom(row));
  return out;
}

core::Status revokeExemption(Sql& sql, std::int64_t id, Millis at) {
  auto found = getExemption(sql, id);
  if (!found) return tl::unexpected(found.error());
  if (!*found) return core::fail(ErrorCode::NotFound, "no exemption {}", id);
  if ((*found)->revoked_at) return core::fail(ErrorCode::Input, "exemption {} is revoked", id);
  POSTURE_TRY(run(sql, "UPDATE posture_exemptions SET revoked_at = $1 WHERE id = $2", {at, id}));
  std::set<std::string> touched;
  POSTURE_TRY(applyExemptions(sql, at, "", touched));
  return refreshHealth(sql, touched);
}

core::Result<std::int64_t> refreshExemptions(Sql& sql, Millis now) {
  std::set<std::string> touched;
  auto changed = applyExemptions(sql, now, "", touched);
  if (!changed) return tl::unexpected(changed.error());
  POSTURE_TRY(refreshHealth(sql, touched));
  return *changed;
}

core::Status appendScore(Sql& sql, std::span<const ScorePoint> points) {
  for (const ScorePoint& point : points) {
    POSTURE_TRY(
        run(sql,
            "INSERT INTO posture_scores (control, at, score, max, healthy, unhealthy) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (control, at) DO UPDATE SET "
            "score = excluded.score, max = excluded.max, healthy = excluded.healthy, "
            "unhealthy = excluded.unhealthy",
            {point.control, point.at, point.score, point.max, point.healthy, point.unhealthy}));
  }
  return {};
}

core::Result<std::vector<ScorePoint>> scoreHistory(Sql& sql, Millis since, Millis until,
                                                   const std::optional<std::string>& control) {
  auto found = rows(sql,
                    "SELECT control, at, score, max, healthy, unhealthy FROM posture_scores "
                    "WHERE at >= CAST($1 AS BIGINT) AND at < CAST($2 AS BIGINT) "
                    "AND (CAST($3 AS BIGINT) = 0 OR control = CAST($4 AS TEXT)) "
                    "ORDER BY at, control",
                    {since, until, std::int64_t{control ? 1 : 0}, control.value_or("")});
  if (!found) return tl::unexpected(found.error());
  std::vector<ScorePoint> out;
  for (const SqlRow& row : *found) {
    out.push_back(ScorePoint{text(row, 0), integer(row, 1), real(row, 2), real(row, 3),
                             integer(row, 4), integer(row, 5)});
  }
  return out;
}

core::Result<bool> takeLease(Sql& sql, std::string_view name, std::string_view holder, Millis now,
                             Millis until) {
  auto changed = run(sql,
                     "INSERT INTO leases (name, holder, until) VALUES ($1, $2, $4) "
                     "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                     "until = excluded.until WHERE leases.holder = excluded.holder "
                     "OR leases.until <= CAST($3 AS BIGINT)",
                     {std::string(name), std::string(holder), now, until});
  if (!changed) return tl::unexpected(changed.error());
  return *changed > 0;
}

core::Status touchSensor(Sql& sql, const SensorRecord& sensor) {
  POSTURE_TRY(run(sql,
                  "INSERT INTO posture_sensors (agent, host, cluster, last_seen) "
                  "VALUES ($1, $2, $3, $4) ON CONFLICT (agent, host) DO UPDATE SET "
                  "cluster = excluded.cluster, last_seen = CASE WHEN excluded.last_seen > "
                  "posture_sensors.last_seen THEN excluded.last_seen "
                  "ELSE posture_sensors.last_seen END",
                  {sensor.agent, sensor.host, sensor.cluster, sensor.last_seen}));
  return {};
}

core::Result<std::vector<SensorRecord>> listSensors(Sql& sql) {
  auto found = rows(sql,
                    "SELECT agent, host, cluster, last_seen FROM posture_sensors "
                    "ORDER BY agent, host",
                    {});
  if (!found) return tl::unexpected(found.error());
  std::vector<SensorRecord> out;
  for (const SqlRow& row : *found) {
    out.push_back(SensorRecord{text(row, 0), text(row, 1), text(row, 2), integer(row, 3)});
  }
  return out;
}

core::Status putSchedule(Sql& sql, const ScheduleRecord& schedule) {
  if (schedule.target_key.empty()) return core::fail(ErrorCode::Input, "schedule without target");
  POSTURE_TRY(run(sql,
                  "INSERT INTO posture_schedules (target_key, next_run_at, last_run_id) "
                  "VALUES ($1, $2, $3) ON CONFLICT (target_key) DO UPDATE SET "
                  "next_run_at = excluded.next_run_at, last_run_id = excluded.last_run_id",
                  {schedule.target_key, schedule.next_run_at, schedule.last_run_id}));
  return {};
}

core::Result<bool> addSchedule(Sql& sql, const ScheduleRecord& schedule) {
  if (schedule.target_key.empty()) return core::fail(ErrorCode::Input, "schedule without target");
  auto added = run(sql,
                   "INSERT INTO posture_schedules (target_key, next_run_at, last_run_id) "
                   "VALUES ($1, $2, $3) ON CONFLICT (target_key) DO NOTHING",
                   {schedule.target_key, schedule.next_run_at, schedule.last_run_id});
  if (!added) return tl::unexpected(added.error());
  return *added > 0;
}

core::Result<std::vector<ScheduleRecord>> listSchedules(Sql& sql) {
  auto found = rows(sql,
                    "SELECT target_key, next_run_at, last_run_id FROM posture_schedules "
                    "ORDER BY target_key",
                    {});
  if (!found) return tl::unexpected(found.error());
  std::vector<ScheduleRecord> out;
  for (const SqlRow& row : *found) {
    out.push_back(ScheduleRecord{text(row, 0), integer(row, 1), integer(row, 2)});
  }
  return out;
}

core::Result<bool> claimSchedule(Sql& sql, std::string_view target_key, Millis expected,
                                 Millis next, std::int64_t run_id) {
  auto changed = run(sql,
                     "UPDATE posture_schedules SET next_run_at = $1, last_run_id = $2 "
                     "WHERE target_key = $3 AND next_run_at = CAST($4 AS BIGINT)",
                     {next, run_id, std::string(target_key), expected});
  if (!changed) return tl::unexpected(changed.error());
  return *changed > 0;
}

namespace {

constexpr const char* kRunColumns =
    "id, kind, target_key, source, input_sha256, started_at, finished_at, status, summary_json, "
    "results, diagnostics_json";

PostureRun runFrom(const SqlRow& row) {
  PostureRun out;
  out.id = integer(row, 0);
  out.kind = text(row, 1);
  out.target_key = text(row, 2);
  out.source = text(row, 3);
  out.input_sha256 = text(row, 4);
  out.started_at = integer(row, 5);
  out.finished_at = optionalInteger(row, 6);
  out.status = text(row, 7);
  out.summary_json = text(row, 8);
  out.results = integer(row, 9);
  out.diagnostics_json = text(row, 10);
  return out;
}

model::CheckStatus checkStatusFrom(std::string_view name) {
  for (auto status :
       {model::CheckStatus::Pass, model::CheckStatus::Fail, model::CheckStatus::NotApplicable,
        model::CheckStatus::NotEvaluated, model::CheckStatus::Manual}) {
    if (model::toString(status) == name) return status;
  }
  return model::CheckStatus::NotEvaluated;
}

}  // namespace

core::Result<PostureRun> startRun(Sql& sql, const PostureRun& run_record) {
  if (run_record.kind.empty() || run_record.target_key.empty()) {
    return core::fail(ErrorCode::Input, "a run needs a kind and a target");
  }
  auto inserted = rows(sql,
                       "INSERT INTO posture_runs (kind, target_key, source, input_sha256, "
                       "started_at, finished_at, status, summary_json, results, "
                       "diagnostics_json) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9) "
                       "RETURNING id",
                       {run_record.kind, run_record.target_key, run_record.source,
                        run_record.input_sha256, run_record.started_at, run_record.status,
                        run_record.summary_json, run_record.results, run_record.diagnostics_json});
  if (!inserted) return tl::unexpected(inserted.error());
  if (inserted->empty()) return core::fail(ErrorCode::Internal, "run insert gave no id");
  PostureRun out = run_record;
  out.id = integer(inserted->front(), 0);
  out.finished_at.reset();
  return out;
}

core::Status finishRun(Sql& sql, const PostureRun& run_record) {
  auto changed =
      run(sql,
          "UPDATE posture_runs SET finished_at = $1, status = $2, summary_json = $3, "
          "results = $4, diagnostics_json = $5 WHERE id = $6",
          {run_record.finished_at.value_or(nowMillis()), run_record.status, run_record.summary_json,
           run_record.results, run_record.diagnostics_json, run_record.id});
  if (!changed) return tl::unexpected(changed.error());
  if (*changed == 0) return core::fail(ErrorCode::NotFound, "no run {}", run_record.id);
  return {};
}

// The filters of listRuns and countRuns.
constexpr const char* kRunWhere =
    "WHERE (CAST($1 AS TEXT) = '' OR target_key = CAST($1 AS TEXT)) "
    "AND (CAST($2 AS TEXT) = '' OR kind = CAST($2 AS TEXT))";

core::Result<std::vector<PostureRun>> listRuns(Sql& sql, const PostureRunQuery& query) {
  POSTURE_TRY(checkPage(query.limit, query.offset));
  auto found = rows(sql,
                    fmt::format("SELECT {} FROM posture_runs {} ORDER BY started_at DESC, id DESC "
                                "LIMIT CAST($3 AS BIGINT) OFFSET CAST($4 AS BIGINT)",
                                kRunColumns, kRunWhere),
                    {query.target_key, query.kind, query.limit, query.offset});
  if (!found) return tl::unexpected(found.error());
  std::vector<PostureRun> out;
  for (const SqlRow& row : *found) out.push_back(runFrom(row));
  return out;
}

core::Result<std::int64_t> countRuns(Sql& sql, const PostureRunQuery& query) {
  auto found = rows(sql, fmt::format("SELECT COUNT(*) FROM posture_runs {}", kRunWhere),
                    {query.target_key, query.kind});
  if (!found) return tl::unexpected(found.error());
  return found->empty() ? std::int64_t{0} : integer(found->front(), 0);
}

core::Status replaceResultChecks(Sql& sql, std::string_view digest,
                                 std::span<const ResultCheck> checks) {
  auto result = rows(sql, "SELECT 1 FROM results WHERE digest = $1", {std::string(digest)});
  if (!result) return tl::unexpected(result.error());
  if (result->empty()) return core::fail(ErrorCode::NotFound, "no result for {}", digest);
  POSTURE_TRY(run(sql, "DELETE FROM result_checks WHERE digest = $1", {std::string(digest)}));
  std::set<std::string_view> seen;
  for (const ResultCheck& check : checks) {
    if (!seen.insert(check.check_id).second) continue;  // a repeated check: the first wins
    POSTURE_TRY(
        run(sql,
            "INSERT INTO result_checks (digest, check_id, status, severity, detail_json) "
            "VALUES ($1, $2, $3, $4, $5)",
            {std::string(digest), check.check_id, std::string(model::toString(check.status)),
             severityRank(check.severity), check.detail_json}));
  }
  return {};
}

core::Result<std::vector<ResultCheck>> resultChecks(Sql& sql, std::string_view digest) {
  auto found = rows(sql,
                    "SELECT check_id, status, severity, detail_json FROM result_checks "
                    "WHERE digest = $1 ORDER BY check_id",
                    {std::string(digest)});
  if (!found) return tl::unexpected(found.error());
  std::vector<ResultCheck> out;
  for (const SqlRow& row : *found) {
    out.push_back(ResultCheck{text(row, 0), checkStatusFrom(text(row, 1)),
                              severityFromRank(integer(row, 2)), text(row, 3)});
  }
  return out;
}

core::Result<bool> putInput(Sql& sql, const PostureInput& input) {
  if (input.sha256.empty()) return core::fail(ErrorCode::Input, "an input without its sha256");
  int codec = kCodecRaw;
  auto body = compressInventory(input.body, codec);
  if (!body) return tl::unexpected(body.error());
  auto changed = run(sql,
                     "INSERT INTO posture_inputs (sha256, schema, target_key, body, body_codec, "
                     "received_at) VALUES ($1, $2, $3, $4, $5, $6) "
                     "ON CONFLICT (sha256) DO NOTHING",
                     {input.sha256, input.schema, input.target_key, Bytes{std::move(*body)},
                      std::int64_t{codec}, input.received_at});
  if (!changed) return tl::unexpected(changed.error());
  return *changed > 0;
}

core::Result<std::optional<PostureInput>> getInput(Sql& sql, std::string_view sha256) {
  auto found = rows(sql,
                    "SELECT sha256, schema, target_key, body, body_codec, received_at "
                    "FROM posture_inputs WHERE sha256 = $1",
                    {std::string(sha256)});
  if (!found) return tl::unexpected(found.error());
  if (found->empty()) return std::optional<PostureInput>();
  const SqlRow& row = found->front();
  auto body = decompressInventory(text(row, 3), integer(row, 4), sha256);
  if (!body) return tl::unexpected(body.error());
  return std::optional<PostureInput>(
      PostureInput{text(row, 0), text(row, 1), text(row, 2), std::move(*body), integer(row, 5)});
}

core::Status deleteInput(Sql& sql, std::string_view sha256) {
  auto changed = run(sql, "DELETE FROM posture_inputs WHERE sha256 = $1", {std::string(sha256)});
  if (!changed) return tl::unexpected(changed.error());
  if (*changed == 0) return core::fail(ErrorCode::NotFound, "no input {}", sha256);
  return {};
}

#undef POSTURE_TRY

// ---- posture API queries (P4) -------------------------------------------------------------

core::Result<Store::CrossFindingPage> crossImageFindings(Sql& sql,
                                                         const Store::CrossFindingQuery& query) {
  if (auto paged = checkPage(query.limit, query.offset); !paged) {
    return tl::unexpected(paged.error());
  }
  // Fixed ORDER BY texts: the sort is an allow-list, never the user's text.
  constexpr std::string_view kTail =
      "f.vulnerability_id, f.package_name, f.installed_version, i.registry, i.repository, "
      "f.digest";
  std::string order;
  if (query.sort == "severity") {
    order = fmt::format("f.severity DESC, {}", kTail);
  } else if (query.sort == "id") {
    order = std::string(kTail);
  } else if (query.sort == "package") {
    order = fmt::format("lower(f.package_name), {}", kTail);
  } else if (query.sort == "first_seen") {
    order = fmt::format("f.first_seen DESC, {}", kTail);
  } else if (query.sort == "images") {
    order = fmt::format("images DESC, {}", kTail);
  } else {
    return core::fail(ErrorCode::Input,
                      "unknown sort '{}' (severity, id, package, first_seen, images)", query.sort);
  }
  constexpr std::string_view kWhere =
      "FROM findings f JOIN images i ON i.digest = f.digest "
      "WHERE (CAST($1 AS TEXT) = '' OR i.registry = CAST($1 AS TEXT)) "
      "AND (CAST($2 AS TEXT) = '' OR i.repository = CAST($2 AS TEXT)) "
      "AND f.severity >= CAST($3 AS BIGINT) "
      "AND (CAST($4 AS BIGINT) = 0 OR f.fixed_version <> '') "
      "AND (CAST($5 AS TEXT) = '' OR lower(f.vulnerability_id) LIKE CAST($6 AS TEXT) ESCAPE '!' "
      "OR lower(f.package_name) LIKE CAST($6 AS TEXT) ESCAPE '!') "
      "AND (CAST($7 AS TEXT) = '' OR f.vulnerability_id = CAST($7 AS TEXT))";
  const std::int64_t min_severity =
      query.min_severity ? severityRank(*query.min_severity) : std::int64_t{0};
  std::vector<SqlValue> params = {query.registry,     query.repository,
                                  min_severity,       std::int64_t{query.fixable_only ? 1 : 0},
                                  query.search,       containsPattern(query.search),
                                  query.vulnerability};
  auto counted = sql.query(fmt::format("SELECT COUNT(*) {}", kWhere), params);
  if (!counted) return tl::unexpected(counted.error());
  Store::CrossFindingPage page;
  page.total = counted->empty() ? 0 : integer(counted->front(), 0);
  params.emplace_back(query.limit);
  params.emplace_back(query.offset);
  auto found = sql.query(
      fmt::format("SELECT i.registry, i.repository, f.digest, f.vulnerability_id, "
                  "f.package_name, f.installed_version, f.fixed_version, f.severity, "
                  "f.first_seen, (SELECT COUNT(DISTINCT o.digest) FROM findings o "
                  "WHERE o.vulnerability_id = f.vulnerability_id) AS images {} ORDER BY {} "
                  "LIMIT CAST($8 AS BIGINT) OFFSET CAST($9 AS BIGINT)",
                  kWhere, order),
      params);
  if (!found) return tl::unexpected(found.error());
  for (const SqlRow& row : *found) {
    Store::CrossFinding item;
    item.registry = text(row, 0);
    item.repository = text(row, 1);
    item.digest = text(row, 2);
    item.finding.vulnerability_id = text(row, 3);
    item.finding.package_name = text(row, 4);
    item.finding.installed_version = text(row, 5);
    item.finding.fixed_version = text(row, 6);
    item.finding.severity = severityFromRank(integer(row, 7));
    item.finding.first_seen = integer(row, 8);
    item.images = integer(row, 9);
    page.findings.push_back(std::move(item));
  }
  return page;
}

}  // namespace bulwark::store::posture_sql
