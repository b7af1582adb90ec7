// The query strings and bodies of the posture routes (docs/dev/posture-design.md §5), parsed
// apart from the handlers so that a fuzz target can drive them (tests/fuzz/posture_query_fuzz):
// pure functions from a query map (httplib::Params) or a body to a store query, or an Input error
// whose one-line message names the parameter and the allowed values. None throws.
//
// Every list takes `limit` (1..1000, default 100) and `offset` (0..2^40). A parameter this file
// reads may be given once; unknown parameters are ignored, as the other routes do. Sorts are
// allow-lists the store maps to fixed ORDER BY clauses with the id as the last key.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/posture.h"
#include "store/store.h"

namespace bulwark::server {

// The query parameters of a request, as httplib keeps them.
using QueryParams = std::multimap<std::string, std::string>;

// GET /api/v1/posture/resources (and …/{id}/children, which sets parent_id itself): `type` (a
// comma list of resource types), `parent` and `scope` (resource ids), `health`, `q`,
// `label=key=value` (up to 16, every one must match; the one parameter that may repeat),
// `include_gone=true|false`, `sort=name|health|last_seen|unhealthy`.
core::Result<store::ResourceQuery> parseResourceQuery(const QueryParams& params);

// GET /api/v1/posture/resources/{id}/assessments: `recommendation`, `status`,
// `kind=check|rule|derived`. The caller sets resource_id.
core::Result<store::AssessmentQuery> parseAssessmentQuery(const QueryParams& params);

// GET /api/v1/posture/recommendations/{id}/resources: `status`, `scope` (an ancestor's id),
// `exempt=true|false`, `type` (a comma list of resource types), `q` (the resource's name or
// key), `sort=severity|name|since` (absent: by resource id), `order=asc|desc` (default: worst,
// newest first; names A to Z). The caller sets the recommendation.
core::Result<store::AssessmentQuery> parseAffectedQuery(const QueryParams& params);

// GET /api/v1/posture/exemptions: `recommendation`, `scope`, `active=true|false|all` (true:
// neither revoked nor expired at `now`; false: revoked or expired).
core::Result<store::ExemptionQuery> parseExemptionQuery(const QueryParams& params,
                                                        store::Millis now);

// GET /api/v1/posture/runs: `target` (a resource key), `kind=docker|k8s|node|sync`.
core::Result<store::PostureRunQuery> parseRunQuery(const QueryParams& params);

// GET /api/v1/posture/findings: `registry`, `repository`, `severity` (the least),
// `fixable=true|false`, `q` (id or package), `vulnerability` (one id),
// `sort=severity|id|package|first_seen|images`.
core::Result<store::Store::CrossFindingQuery> parseFindingQuery(const QueryParams& params);

// GET /api/v1/posture/recommendations: filtered and sorted in memory over the catalogue.
struct RecommendationQuery {
  std::string control;  // "" = every control
  std::optional<model::Severity> severity;
  std::optional<model::ResourceType> resource_type;
  std::string state = "all";       // "unhealthy" (some resource unhealthy), "healthy", "all"
  std::string search;              // case-insensitive substring of the id or title
  std::string sort = "potential";  // "potential", "severity", "unhealthy", "title"
  bool descending = true;          // `order`; the default of each sort is its natural one
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};
core::Result<RecommendationQuery> parseRecommendationQuery(const QueryParams& params);

// GET /api/v1/posture/score/history: `since` (default 30 days back), `until` (default now,
// exclusive), `control` (a control id, or "total"; absent: every series), `bucket=hour|day`
// (the last point per bucket and series; absent: every point).
struct ScoreHistoryQuery {
  store::Millis since = 0;
  store::Millis until = 0;
  std::optional<std::string> control;  // "" = the total
  std::string bucket;                  // "", "hour", "day"
};
core::Result<ScoreHistoryQuery> parseScoreHistoryQuery(const QueryParams& params,
                                                       store::Millis now);

// GET /api/v1/posture/resources/{id}/history: `since` (default: everything), `limit`.
struct ChangeHistoryQuery {
  store::Millis since = 0;
  std::int64_t limit = 100;
};
core::Result<ChangeHistoryQuery> parseChangeHistoryQuery(const QueryParams& params,
                                                         store::Millis now);

// GET /api/v1/alerts: the triage filters `status=new|active|dismissed|resolved` and `resource`
// (a resource id), added to `query`.
core::Status parseAlertTriageFilters(const QueryParams& params, store::AlertQuery& query);

// POST /api/v1/posture/exemptions: {"recommendation", "scope", "source"?, "category"?,
// "reason", "expires_at"} (category: mitigated, risk-accepted (default), false-positive;
// expires_at: Unix ms or RFC 3339). Shape only: posture::validateExemption checks the content.
core::Result<model::Exemption> parseExemptionBody(std::string_view body);

// PUT /api/v1/alerts/{id}/status: {"status": "dismissed", "comment"?: "…" (≤ 1000 bytes of
// UTF-8, no control character but tab and newline)}.
struct AlertStatusBody {
  model::AlertStatus status = model::AlertStatus::New;
  std::string comment;
};
core::Result<AlertStatusBody> parseAlertStatusBody(std::string_view body);

// Severities as the API writes them: "critical", "high", "medium", "low", "negligible",
// "unknown".
std::string_view severityText(model::Severity severity);
std::optional<model::Severity> parseSeverityText(std::string_view text);

// "BW-REC-010", "CTL-PRIV": upper-case letters, digits and '-', 1..64 bytes.
bool validCatalogueId(std::string_view text);

}  // namespace bulwark::server
