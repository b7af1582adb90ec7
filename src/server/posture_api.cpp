#include "server/posture_api.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "pipeline/posture/stored_counts.h"
#include "posture/assess.h"
#include "posture/catalogue.h"
#include "posture/exemption.h"
#include "posture/resource_key.h"
#include "posture/score.h"
#include "server/alert_ndjson.h"
#include "server/posture_query.h"
#include "server/query.h"
#include "server/routes.h"

namespace bulwark::server {
namespace {

using Json = nlohmann::json;
using Response = httplib::Response;
using core::ErrorCode;
using posture::kDayMs;
using posture::kHourMs;

constexpr store::Millis kTrendWindowMs = 30 * kDayMs;
constexpr store::Millis kAlertWindowMs = 14 * kDayMs;
constexpr std::int64_t kTopRecommendations = 5;
// Exemption ids are the store's row ids: JSON-safe integers.
constexpr std::int64_t kMaxExemptionId = (std::int64_t{1} << 53) - 1;
constexpr std::int64_t kCountPage = 1000;

std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void sendValue(Response& res, int status, const Json& value) { sendJson(res, status, dump(value)); }

void sendStoreError(Response& res, const core::Error& error) {
  switch (error.code) {
    case ErrorCode::NotFound: sendError(res, 404, "not_found", error.message); return;
    case ErrorCode::Input: sendError(res, 400, "bad_request", error.message); return;
    default: sendError(res, 500, "store_error", "the store failed: " + error.message); return;
  }
}

Json optionalMillis(const std::optional<store::Millis>& at) {
  return at ? Json(*at) : Json(nullptr);
}

Json optionalHealth(const std::optional<model::Health>& health) {
  return health ? Json(std::string(model::toString(*health))) : Json(nullptr);
}

// A JSON text the store keeps, or `fallback` when it does not parse as the expected kind.
Json storedJson(const std::string& text, Json fallback) {
  Json value = Json::parse(text, nullptr, false);
  if (value.is_discarded() || value.type() != fallback.type()) return fallback;
  return value;
}

// The request's query parameters with each `label` taken whole after its first '=' from the raw
// target: `label=env=prod` is the label env=prod (httplib keeps the text after the last '=').
QueryParams labelledParams(const httplib::Request& request) {
  QueryParams params = request.params;
  params.erase("label");
  const auto question = request.target.find('?');
  if (question == std::string::npos) return params;
  std::string_view rest = std::string_view(request.target).substr(question + 1);
  rest = rest.substr(0, rest.find('#'));
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto equals = pair.find('=');  // npos: "label" alone, an empty (bad) label
    if (httplib::detail::decode_url(std::string(pair.substr(0, equals)), true) == "label") {
      params.emplace("label",
                     equals == std::string_view::npos
                         ? std::string()
                         : httplib::detail::decode_url(std::string(pair.substr(equals + 1)), true));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return params;
}

// "/a/b/c/" → ["a", "b", "c"]
std::vector<std::string> pathIds(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    if (slash != 0) out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

Json resourceJson(const store::ResourceRecord& record) {
  const model::Resource& resource = record.resource;
  return {{"id", resource.id},
          {"key", resource.key},
          {"type", std::string(model::toString(resource.type))},
          {"parent_id", resource.parent_id},
          {"name", resource.name},
          {"labels", resource.labels},
          {"attrs", resource.attrs},
          {"first_seen", resource.first_seen},
          {"last_seen", resource.last_seen},
          {"gone_at", optionalMillis(resource.gone_at)},
          {"ancestors", pathIds(record.path)},
          {"health", std::string(model::toString(record.health))},
          {"unhealthy", record.unhealthy},
          {"severity", std::string(severityText(record.severity))}};
}

Json assessmentJson(const model::Assessment& assessment) {
  Json evidence = Json::array();
  for (const auto& item : assessment.evidence) {
    evidence.push_back(
        {{"observed", item.observed}, {"where", item.where}, {"expected", item.expected}});
  }
  return {{"resource_id", assessment.resource_id},
          {"source", assessment.source},
          {"kind", std::string(model::toString(assessment.kind))},
          {"recommendation", assessment.recommendation},
          {"control", assessment.control},
          {"status", std::string(model::toString(assessment.status))},
          {"severity", std::string(severityText(assessment.severity))},
          {"reason", assessment.reason},
          {"cause", assessment.cause},
          {"evidence", std::move(evidence)},
          {"run_id", assessment.run_id},
          {"assessed_at", assessment.assessed_at},
          {"status_since", assessment.status_since},
          {"exempt_id", assessment.exempt_id}};
}

Json exemptionJson(const model::Exemption& exemption, store::Millis now) {
  return {{"id", exemption.id},
          {"recommendation", exemption.recommendation},
          {"scope", exemption.scope_id},
          {"source", exemption.source},
          {"category", std::string(model::toString(exemption.category))},
          {"reason", exemption.reason},
          {"created_by", exemption.created_by},
          {"created_at", exemption.created_at},
          {"expires_at", exemption.expires_at},
          {"revoked_at", optionalMillis(exemption.revoked_at)},
          {"active", posture::exemptionActive(exemption, now)}};
}

Json runJson(const store::PostureRun& run) {
  return {{"id", run.id},
          {"kind", run.kind},
          {"target", run.target_key},
          {"source", run.source},
          {"started_at", run.started_at},
          {"finished_at", optionalMillis(run.finished_at)},
          {"status", run.status},
          {"summary", storedJson(run.summary_json, Json::object())},
          {"results", run.results},
          {"diagnostics", storedJson(run.diagnostics_json, Json::array())}};
}

Json changeJson(const store::AssessmentChange& change) {
  return {{"id", change.id},
          {"resource_id", change.resource_id},
          {"source", change.source},
          {"recommendation", change.recommendation},
          {"from", optionalHealth(change.from)},
          {"to", optionalHealth(change.to)},
          {"cause", change.cause},
          {"at", change.at}};
}

Json scorePointJson(const store::ScorePoint& point) {
  return {{"control", point.control.empty() ? std::string("total") : point.control},
          {"at", point.at},
          {"score", point.score},
          {"max", point.max},
          {"percent", point.max > 0 ? Json(100 * point.score / point.max) : Json(nullptr)},
          {"healthy", point.healthy},
          {"unhealthy", point.unhealthy}};
}

Json scoreJson(const posture::SecureScore& score) {
  Json controls = Json::array();
  for (const auto& control : score.controls) {
    controls.push_back({{"id", control.id},
                        {"title", control.title},
                        {"max", control.max},
                        {"score", control.score},
                        {"healthy", control.healthy},
                        {"unhealthy", control.unhealthy},
                        {"not_evaluated", control.not_evaluated},
                        {"exempt", control.exempt},
                        {"applicable", control.applicable}});
  }
  return {{"points", score.points},
          {"max", score.max},
          {"percent", score.percent ? Json(*score.percent) : Json(nullptr)},
          {"controls", std::move(controls)}};
}

// Keeps the last point per (series, bucket) of points ordered by (at, control).
std::vector<store::ScorePoint> bucketPoints(std::vector<store::ScorePoint> points,
                                            store::Millis width) {
  if (width <= 0) return points;
  std::map<std::pair<std::string, store::Millis>, store::ScorePoint> last;
  for (auto& point : points) {
    const store::Millis bucket = point.at - point.at % width;
    last[{point.control, bucket}] = std::move(point);
  }
  std::vector<store::ScorePoint> out;
  out.reserve(last.size());
  for (auto& [key, point] : last) out.push_back(std::move(point));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.at, a.control) < std::tie(b.at, b.control);
  });
  return out;
}

// A catalogue recommendation with its counts and potential increase.
struct RecommendationView {
  const posture::Recommendation* entry = nullptr;
  posture::RecommendationCount count;
  double potential = 0;  // points of percent
};

Json recommendationJson(const RecommendationView& view) {
  const posture::Recommendation& entry = *view.entry;
  Json types = Json::array();
  for (auto type : entry.resource_types) types.push_back(std::string(model::toString(type)));
  const auto& count = view.count;
  return {
      {"id", entry.id},
      {"title", entry.title},
      {"control", entry.control},
      {"severity", std::string(severityText(entry.severity))},
      {"resource_types", std::move(types)},
      {"description", entry.description},
      {"remediation", entry.remediation},
      {"sources", {{"checks", entry.checks}, {"rules", entry.rules}, {"derived", entry.derived}}},
      {"counts",
       {{"healthy", count.healthy},
        {"unhealthy", count.unhealthy},
        {"not_evaluated", count.not_evaluated},
        {"not_applicable", count.not_applicable},
        {"exempt", count.exempt},
        {"unhealthy_only", count.unhealthy_only}}},
      {"potential", view.potential}};
}

class PostureApi : public std::enable_shared_from_this<PostureApi> {
 public:
  PostureApi(store::Store& store, posture::Catalogue catalogue,
             std::function<std::vector<PostureTargetInfo>()> targets)
      : store_(store), catalogue_(std::move(catalogue)), targets_(std::move(targets)) {}

  void registerOn(Server& server) {
    const MemberRoutes routes(server, shared_from_this());
    using A = Access;
    routes.add("GET", "/api/v1/posture/overview", A::Reader, &PostureApi::overview);
    routes.add("GET", "/api/v1/posture/score", A::Reader, &PostureApi::score);
    routes.add("GET", "/api/v1/posture/score/history", A::Reader, &PostureApi::scoreHistory);
    routes.add("GET", "/api/v1/posture/recommendations", A::Reader,
               &PostureApi::listRecommendations);
    routes.add("GET", "/api/v1/posture/recommendations/{id}", A::Reader,
               &PostureApi::getRecommendation);
    routes.add("GET", "/api/v1/posture/recommendations/{id}/resources", A::Reader,
               &PostureApi::recommendationResources);
    routes.add("GET", "/api/v1/posture/resources", A::Reader, &PostureApi::listResources);
    routes.add("GET", "/api/v1/posture/resources/{id}", A::Reader, &PostureApi::getResource);
    routes.add("GET", "/api/v1/posture/resources/{id}/children", A::Reader,
               &PostureApi::listChildren);
    routes.add("GET", "/api/v1/posture/resources/{id}/assessments", A::Reader,
               &PostureApi::listAssessments);
    routes.add("GET", "/api/v1/posture/resources/{id}/history", A::Reader,
               &PostureApi::resourceHistory);
    routes.add("GET", "/api/v1/posture/exemptions", A::Reader, &PostureApi::listExemptions);
    routes.add("POST", "/api/v1/posture/exemptions", A::Admin, &PostureApi::createExemption);
    routes.add("GET", "/api/v1/posture/exemptions/{id}", A::Reader, &PostureApi::getExemption);
    routes.add("DELETE", "/api/v1/posture/exemptions/{id}", A::Admin, &PostureApi::revokeExemption);
    routes.add("GET", "/api/v1/posture/findings", A::Reader, &PostureApi::listFindings);
    routes.add("GET", "/api/v1/posture/runs", A::Reader, &PostureApi::listRuns);
    routes.add("GET", "/api/v1/posture/schedules", A::Reader, &PostureApi::listSchedules);
  }

 private:
  // ---- shared lookups -------------------------------------------------------------------

  // The current score from the store's counts: live, so an exemption shows at once.
  core::Result<posture::SecureScore> currentScore() {
    return pipeline::storedScore(store_, catalogue_);
  }

  // Every catalogue recommendation with its counts, in catalogue order; `score` (the current
  // one, which the caller has already) gives each its potential increase.
  core::Result<std::vector<RecommendationView>> recommendationViews(
      const posture::SecureScore& score) {
    auto by_id = pipeline::storedRecommendationCounts(store_);
    if (!by_id) return tl::unexpected(by_id.error());
    std::vector<RecommendationView> out;
    for (const auto& entry : catalogue_.recommendations()) {
      RecommendationView view;
      view.entry = &entry;
      if (auto it = by_id->find(entry.id); it != by_id->end()) view.count = it->second;
      view.count.recommendation = entry.id;
      view.potential = posture::potentialIncrease(catalogue_, score, view.count);
      out.push_back(std::move(view));
    }
    return out;
  }

  // The resource named by the path's {id}; nullopt with 400/404/500 sent.
  std::optional<store::ResourceRecord> pathResource(const RequestContext& context, Response& res) {
    const std::string id = context.param("id");
    if (!posture::isResourceId(id)) {
      sendError(res, 400, "bad_request", "a resource id is 16 lower-case hex digits");
      return std::nullopt;
    }
    auto found = store_.getResource(id);
    if (!found) {
      sendStoreError(res, found.error());
      return std::nullopt;
    }
    if (!*found) {
      sendError(res, 404, "not_found", fmt::format("no resource {}", id));
      return std::nullopt;
    }
    return std::move(**found);
  }

  // The catalogue recommendation named by the path's {id}; null with 400/404 sent.
  const posture::Recommendation* pathRecommendation(const RequestContext& context, Response& res) {
    const std::string id = context.param("id");
    if (!validCatalogueId(id)) {
      sendError(res, 400, "bad_request", "a recommendation id looks like BW-REC-010");
      return nullptr;
    }
    const auto* entry = catalogue_.recommendation(id);
    if (entry == nullptr) sendError(res, 404, "not_found", fmt::format("no recommendation {}", id));
    return entry;
  }

  // The exemption id of the path; nullopt with 400 sent.
  static std::optional<std::int64_t> pathExemptionId(const RequestContext& context, Response& res) {
    auto id = parseQueryInt(context.param("id"), 1, kMaxExemptionId);
    if (!id) sendError(res, 400, "bad_request", "an exemption id is a positive integer");
    return id;
  }

  // Every exemption matching `query` (its limit and offset ignored), counted page by page.
  core::Result<std::int64_t> countExemptions(store::ExemptionQuery query) {
    std::int64_t total = 0;
    query.limit = kCountPage;
    for (query.offset = 0;; query.offset += kCountPage) {
      auto page = store_.listExemptions(query);
      if (!page) return tl::unexpected(page.error());
      total += static_cast<std::int64_t>(page->size());
      if (static_cast<std::int64_t>(page->size()) < kCountPage) return total;
    }
  }

  // ---- score and overview -----------------------------------------------------------------

  void score(const RequestContext&, Response& res) {
    auto current = currentScore();
    if (!current) return sendStoreError(res, current.error());
    sendValue(res, 200, scoreJson(*current));
  }

  void scoreHistory(const RequestContext& context, Response& res) {
    auto query = parseScoreHistoryQuery(context.http.params, store::nowMillis());
    if (!query) return sendError(res, 400, "bad_request", query.error().message);
    if (query->control && !query->control->empty() &&
        catalogue_.control(*query->control) == nullptr) {
      return sendError(res, 400, "bad_request",
                       fmt::format("no control {} in the catalogue", *query->control));
    }
    auto points = store_.scoreHistory(query->since, query->until, query->control);
    if (!points) return sendStoreError(res, points.error());
    const store::Millis width = query->bucket == "hour"  ? kHourMs
                                : query->bucket == "day" ? kDayMs
                                                         : 0;
    Json out = Json::array();
    for (const auto& point : bucketPoints(std::move(*points), width)) {
      out.push_back(scorePointJson(point));
    }
    sendValue(res, 200,
              {{"since", query->since},
               {"until", query->until},
               {"bucket", query->bucket.empty() ? Json(nullptr) : Json(query->bucket)},
               {"points", std::move(out)}});
  }

  void overview(const RequestContext&, Response& res) {
    const store::Millis now = store::nowMillis();
    auto current = currentScore();
    if (!current) return sendStoreError(res, current.error());
    auto trend = store_.scoreHistory(now - kTrendWindowMs, now + 1, std::string());
    if (!trend) return sendStoreError(res, trend.error());
    Json trend_json = Json::array();
    for (const auto& point : bucketPoints(std::move(*trend), kDayMs)) {
      trend_json.push_back(scorePointJson(point));
    }
    Json by_type = Json::object();
    for (auto type :
         {model::ResourceType::Registry, model::ResourceType::Repository,
          model::ResourceType::Image, model::ResourceType::Host, model::ResourceType::Container,
          model::ResourceType::Cluster, model::ResourceType::Node, model::ResourceType::Namespace,
          model::ResourceType::Workload, model::ResourceType::K8sObject}) {
      store::ResourceQuery query;
      query.types = {type};
      query.health = model::Health::Unhealthy;
      query.limit = 1;
      auto page = store_.queryResources(query);
      if (!page) return sendStoreError(res, page.error());
      by_type[std::string(model::toString(type))] = page->total;
    }
    auto alerts = alertsPerDay(now);
    if (!alerts) return sendStoreError(res, alerts.error());
    auto views = recommendationViews(*current);
    if (!views) return sendStoreError(res, views.error());
    std::stable_sort(views->begin(), views->end(), [](const auto& a, const auto& b) {
      if (a.potential != b.potential) return a.potential > b.potential;
      return a.entry->id < b.entry->id;
    });
    Json top = Json::array();
    for (const auto& view : *views) {
      if (view.potential <= 0 || std::ssize(top) >= kTopRecommendations) break;
      top.push_back(recommendationJson(view));
    }
    sendValue(res, 200,
              {{"score", scoreJson(*current)},
               {"trend", std::move(trend_json)},
               {"unhealthy_by_type", std::move(by_type)},
               {"alerts", std::move(*alerts)},
               {"top_recommendations", std::move(top)}});
  }

  // Alerts of the last 14 days per UTC day and priority (simulated ones left out), counted by
  // the store: {"since", "days": [{"day", "priority", "count"}], "truncated": false}.
  core::Result<Json> alertsPerDay(store::Millis now) {
    const store::Millis since = now - now % kDayMs - (kAlertWindowMs - kDayMs);
    auto counted = store_.alertsPerDay(since);
    if (!counted) return tl::unexpected(counted.error());
    Json days = Json::array();
    for (const auto& day : *counted) {
      days.push_back({{"day", day.day},
                      {"priority", std::string(alertPriorityName(day.priority))},
                      {"count", day.count}});
    }
    // Exact counts: `truncated` (from when at most 10,000 alerts were read) stays false.
    return Json{{"since", since}, {"days", std::move(days)}, {"truncated", false}};
  }

  // ---- recommendations ----------------------------------------------------------------------

  void listRecommendations(const RequestContext& context, Response& res) {
    auto query = parseRecommendationQuery(context.http.params);
    if (!query) return sendError(res, 400, "bad_request", query.error().message);
    if (!query->control.empty() && catalogue_.control(query->control) == nullptr) {
      return sendError(res, 400, "bad_request",
                       fmt::format("no control {} in the catalogue", query->control));
    }
    auto current = currentScore();
    if (!current) return sendStoreError(res, current.error());
    auto views = recommendationViews(*current);
    if (!views) return sendStoreError(res, views.error());
    const std::string needle = core::asciiLower(query->search);
    std::vector<RecommendationView> kept;
    for (auto& view : *views) {
      const auto& entry = *view.entry;
      if (!query->control.empty() && entry.control != query->control) continue;
      if (query->severity && entry.severity != *query->severity) continue;
      if (query->resource_type &&
          std::find(entry.resource_types.begin(), entry.resource_types.end(),
                    *query->resource_type) == entry.resource_types.end()) {
        continue;
      }
      if (query->state == "unhealthy" && view.count.unhealthy == 0) continue;
      if (query->state == "healthy" && (view.count.unhealthy > 0 || view.count.healthy == 0)) {
        continue;
      }
      if (!needle.empty() && core::asciiLower(entry.id).find(needle) == std::string::npos &&
          core::asciiLower(entry.title).find(needle) == std::string::npos) {
        continue;
      }
      kept.push_back(std::move(view));
    }
    // The sort key in the requested direction, then the id ascending: stable pages.
    const auto compare = [&](const RecommendationView& a, const RecommendationView& b) -> int {
      if (query->sort == "potential" && a.potential != b.potential) {
        return a.potential < b.potential ? -1 : 1;
      }
      if (query->sort == "severity" && a.entry->severity != b.entry->severity) {
        return a.entry->severity < b.entry->severity ? -1 : 1;
      }
      if (query->sort == "unhealthy" && a.count.unhealthy != b.count.unhealthy) {
        return a.count.unhealthy < b.count.unhealthy ? -1 : 1;
      }
      if (query->sort == "title" && a.entry->title != b.entry->title) {
        return a.entry->title < b.entry->title ? -1 : 1;
      }
      return 0;
    };
    std::stable_sort(kept.begin(), kept.end(), [&](const auto& a, const auto& b) {
      const int order = compare(a, b);
      if (order != 0) return query->descending ? order > 0 : order < 0;
      return a.entry->id < b.entry->id;
    });
    Json items = Json::array();
    const auto size = std::ssize(kept);
    for (std::int64_t i = query->offset; i < size && i < query->offset + query->limit; ++i) {
      items.push_back(recommendationJson(kept[static_cast<std::size_t>(i)]));
    }
    sendValue(res, 200,
              {{"recommendations", std::move(items)},
               {"total", size},
               {"limit", query->limit},
               {"offset", query->offset}});
  }

  void getRecommendation(const RequestContext& context, Response& res) {
    const auto* entry = pathRecommendation(context, res);
    if (entry == nullptr) return;
    auto current = currentScore();
    if (!current) return sendStoreError(res, current.error());
    auto views = recommendationViews(*current);
    if (!views) return sendStoreError(res, views.error());
    const auto view = std::find_if(views->begin(), views->end(),
                                   [&](const auto& candidate) { return candidate.entry == entry; });
    Json out = recommendationJson(*view);
    Json control = nullptr;
    const Json score = scoreJson(*current);
    for (const auto& candidate : score["controls"]) {
      if (candidate["id"] == entry->control) control = candidate;
    }
    out["control_score"] = std::move(control);
    const store::Millis now = store::nowMillis();
    store::ExemptionQuery query;
    query.recommendation = entry->id;
    query.limit = kMaxLimit;
    auto exemptions = store_.listExemptions(query);
    if (!exemptions) return sendStoreError(res, exemptions.error());
    Json list = Json::array();
    for (const auto& exemption : *exemptions) list.push_back(exemptionJson(exemption, now));
    out["exemptions"] = std::move(list);
    sendValue(res, 200, out);
  }

  void recommendationResources(const RequestContext& context, Response& res) {
    const auto* entry = pathRecommendation(context, res);
    if (entry == nullptr) return;
    auto query = parseAffectedQuery(context.http.params);
    if (!query) return sendError(res, 400, "bad_request", query.error().message);
    query->recommendation = entry->id;
    auto page = store_.queryAssessments(*query);
    if (!page) return sendStoreError(res, page.error());
    Json items = Json::array();
    for (const auto& assessment : page->assessments) {
      auto resource = store_.getResource(assessment.resource_id);
      if (!resource) return sendStoreError(res, resource.error());
      items.push_back({{"resource", *resource ? resourceJson(**resource) : Json(nullptr)},
                       {"assessment", assessmentJson(assessment)}});
    }
    sendValue(res, 200,
              {{"items", std::move(items)},
               {"total", page->total},
               {"limit", query->limit},
               {"offset", query->offset}});
  }

  // ---- resources ----------------------------------------------------------------------------

  void sendResources(const store::ResourceQuery& query, Response& res) {
    auto page = store_.queryResources(query);
    if (!page) return sendStoreError(res, page.error());
    Json items = Json::array();
    for (const auto& record : page->resources) items.push_back(resourceJson(record));
    sendValue(res, 200,
              {{"resources", std::move(items)},
               {"total", page->total},
               {"limit", query.limit},
               {"offset", query.offset}});
  }

  void listResources(const RequestContext& context, Response& res) {
    auto query = parseResourceQuery(labelledParams(context.http));
    if (!query) return sendError(res, 400, "bad_request", query.error().message);
    sendResources(*query, res);
  }

  void listChildren(const RequestContext& context, Response& res) {
    auto query = parseResourceQuery(labelledParams(context.http));
    if (!query) return sendError(res, 400, "bad_request", query.error().message);
    if (query->parent_id) {
      return sendError(res, 400, "bad_request", "the parent is the path's resource: drop 'parent'");
    }
    auto resource = pathResource(context, res);
    if (!resource) return;
    query->parent_id = resource->resource.id;
    sendResources(*query, res);
  }

  void getResource(const RequestContext& context, Response& res) {
    auto record = pathResource(context, res);
    if (!record) return;
    const std::string& id = record->resource.id;
    Json breadcrumb = Json::array();
    for (const auto& ancestor : pathIds(record->path)) {
      if (ancestor == id) break;
      auto found = store_.getResource(ancestor);
      if (!found) return sendStoreError(res, found.error());
      if (!*found) continue;
      breadcrumb.push_back({{"id", ancestor},
                            {"type", std::string(model::toString((*found)->resource.type))},
                            {"name", (*found)->resource.name}});
    }
    Json children = Json::object();
    for (auto health : {model::Health::Unhealthy, model::Health::Healthy,
                        model::Health::NotEvaluated, model::Health::NotApplicable}) {
      store::ResourceQuery query;
      query.parent_id = id;
      query.health = health;
      query.limit = 1;
      auto page = store_.queryResources(query);
      if (!page) return sendStoreError(res, page.error());
      children[std::string(model::toString(health))] = page->total;
    }
    auto recommendations = resourceRecommendations(id);
    if (!recommendations) return sendStoreError(res, recommendations.error());
    store::PostureRunQuery runs;
    runs.target_key = record->resource.key;
    runs.limit = 1;
    auto last_run = store_.listRuns(runs);
    if (!last_run) return sendStoreError(res, last_run.error());
    sendValue(res, 200,
              {{"resource", resourceJson(*record)},
               {"breadcrumb", std::move(breadcrumb)},
               {"children", std::move(children)},
               {"recommendations", std::move(*recommendations)},
               {"last_run", last_run->empty() ? Json(nullptr) : runJson(last_run->front())}});
  }

  // A resource's recommendations with their status on it (the worst of its non-exempt
  // sources; "exempt" when all are exempt), unhealthy first, then by id.
  core::Result<Json> resourceRecommendations(const std::string& id) {
    struct Row {
      std::optional<model::Health> status;  // nullopt: every source exempt
      model::Severity severity = model::Severity::Unknown;
      std::int64_t sources = 0;
    };
    std::map<std::string, Row, std::less<>> rows;
    store::AssessmentQuery query;
    query.resource_id = id;
    query.limit = kCountPage;
    for (query.offset = 0;; query.offset += kCountPage) {
      auto page = store_.queryAssessments(query);
      if (!page) return tl::unexpected(page.error());
      for (const auto& assessment : page->assessments) {
        Row& row = rows[assessment.recommendation];
        ++row.sources;
        if (assessment.exempt_id != 0) continue;
        if (!row.status || assessment.status > *row.status) row.status = assessment.status;
        if (assessment.status == model::Health::Unhealthy) {
          row.severity = std::max(row.severity, assessment.severity);
        }
      }
      if (std::ssize(page->assessments) < kCountPage) break;
    }
    std::vector<std::pair<std::string, Row>> ordered(rows.begin(), rows.end());
    const auto rank = [](const Row& row) {
      return row.status ? static_cast<int>(*row.status) : -1;
    };
    std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
      if (rank(a.second) != rank(b.second)) return rank(a.second) > rank(b.second);
      return a.first < b.first;
    });
    Json out = Json::array();
    for (const auto& [recommendation, row] : ordered) {
      const auto* entry = catalogue_.recommendation(recommendation);
      out.push_back({{"id", recommendation},
                     {"title", entry != nullptr ? entry->title : std::string()},
                     {"control", entry != nullptr ? entry->control : std::string()},
                     {"status", row.status ? std::string(model::toString(*row.status)) : "exempt"},
                     {"severity", std::string(severityText(row.severity))},
                     {"sources", row.sources}});
    }
    return out;
  }

  void listAssessments(const RequestContext& context, Response& res) {
    auto query = parseAssessmentQuery(context.http.params);
    if (!query) return sendError(res, 400, "bad_request", query.error().message);
    auto resource = pathResource(context, res);
    if (!resource) return;
    query->resource_id = resource->resource.id;
    query->include_gone = true;
    auto page = store_.queryAssessments(*query);
    if (!page) return sendStoreError(res, page.error());
    Json items = Json::array();
    for (const auto& assessment : page->assessments) items.push_back(assessmentJson(assessment));
    sendValue(res, 200,
              {{"assessments", std::move(items)},
               {"total", page->total},
               {"limit", query->limit},
               {"offset", query->offset}});
  }

  void resourceHistory(const RequestContext& context, Response& res) {
    auto query = parseChangeHistoryQuery(context.http.params, store::nowMillis());
    if (!query) return sendError(res, 400, "bad_request", query.error().message);
    auto resource = pathResource(context, res);
    if (!resource) return;
    auto changes = store_.assessmentHistory(resource->resource.id, query->since, query->limit);
    if (!changes) return sendStoreError(res, changes.error());
    Json items = Json::array();
    for (const auto& change : *changes) items.push_back(changeJson(change));
    sendValue(res, 200, {{"changes", std::move(items)}, {"limit", query->limit}});
  }

  // ---- exemptions ---------------------------------------------------------------------------

  void listExemptions(const RequestContext& context, Response& res) {
    const store::Millis now = store::nowMillis();
    auto query = parseExemptionQuery(context.http.params, now);
    if (!query) return sendError(res, 400, "bad_request", query.error().message);
    auto page = store_.listExemptions(*query);
    if (!page) return sendStoreError(res, page.error());
    auto total = countExemptions(*query);
    if (!total) return sendStoreError(res, total.error());
    Json items = Json::array();
    for (const auto& exemption : *page) items.push_back(exemptionJson(exemption, now));
    sendValue(res, 200,
              {{"exemptions", std::move(items)},
               {"total", *total},
               {"limit", query->limit},
               {"offset", query->offset}});
  }

  void createExemption(const RequestContext& context, Response& res) {
    const store::Millis now = store::nowMillis();
    auto exemption = parseExemptionBody(context.http.body);
    if (!exemption) return sendError(res, 400, "bad_request", exemption.error().message);
    exemption->created_by = context.token ? context.token->name : std::string();
    exemption->created_at = now;
    if (auto valid = posture::validateExemption(*exemption, catalogue_, now); !valid) {
      return sendError(res, 400, "bad_request", valid.error().message);
    }
    auto scope = store_.getResource(exemption->scope_id);
    if (!scope) return sendStoreError(res, scope.error());
    if (!*scope) {
      return sendError(res, 400, "bad_request",
                       fmt::format("no resource {} to scope the exemption", exemption->scope_id));
    }
    store::ExemptionQuery same;
    same.recommendation = exemption->recommendation;
    same.scope_id = exemption->scope_id;
    same.active_at = now;
    same.limit = kMaxLimit;
    auto active = store_.listExemptions(same);
    if (!active) return sendStoreError(res, active.error());
    if (const auto* duplicate = posture::findDuplicate(*active, *exemption, now)) {
      return sendError(
          res, 409, "conflict",
          fmt::format("exemption {} already covers this; revoke it first", duplicate->id));
    }
    auto added = store_.addExemption(*exemption);
    if (!added) return sendStoreError(res, added.error());
    // The store applied it already; the expiry pass also drops any exemption that lapsed since
    // the last one, so the score this answer leads to is current.
    if (auto refreshed = store_.refreshExemptions(now); !refreshed) {
      return sendStoreError(res, refreshed.error());
    }
    res.set_header("Location", fmt::format("/api/v1/posture/exemptions/{}", added->id));
    sendValue(res, 201, exemptionJson(*added, now));
  }

  void getExemption(const RequestContext& context, Response& res) {
    auto id = pathExemptionId(context, res);
    if (!id) return;
    auto found = store_.getExemption(*id);
    if (!found) return sendStoreError(res, found.error());
    if (!*found) return sendError(res, 404, "not_found", fmt::format("no exemption {}", *id));
    sendValue(res, 200, exemptionJson(**found, store::nowMillis()));
  }

  void revokeExemption(const RequestContext& context, Response& res) {
    auto id = pathExemptionId(context, res);
    if (!id) return;
    const store::Millis now = store::nowMillis();
    auto found = store_.getExemption(*id);
    if (!found) return sendStoreError(res, found.error());
    if (!*found) return sendError(res, 404, "not_found", fmt::format("no exemption {}", *id));
    if ((*found)->revoked_at) {
      return sendError(res, 409, "conflict", fmt::format("exemption {} is revoked already", *id));
    }
    if (auto revoked = store_.revokeExemption(*id, now); !revoked) {
      return sendStoreError(res, revoked.error());
    }
    if (auto refreshed = store_.refreshExemptions(now); !refreshed) {
      return sendStoreError(res, refreshed.error());
    }
    res.status = 204;
  }

  // ---- findings across images ----------------------------------------------------------------

  void listFindings(const RequestContext& context, Response& res) {
    auto query = parseFindingQuery(context.http.params);
    if (!query) return sendError(res, 400, "bad_request", query.error().message);
    auto page = store_.crossImageFindings(*query);
    if (!page) return sendStoreError(res, page.error());
    Json items = Json::array();
    for (const auto& row : page->findings) {
      const store::FindingRecord& finding = row.finding;
      items.push_back({{"registry", row.registry},
                       {"repository", row.repository},
                       {"digest", row.digest},
                       {"vulnerability_id", finding.vulnerability_id},
                       {"package_name", finding.package_name},
                       {"installed_version", finding.installed_version},
                       {"fixed_version", finding.fixed_version},
                       {"fixable", !finding.fixed_version.empty()},
                       {"severity", std::string(severityText(finding.severity))},
                       {"first_seen", finding.first_seen},
                       {"images", row.images}});
    }
    sendValue(res, 200,
              {{"findings", std::move(items)},
               {"total", page->total},
               {"limit", query->limit},
               {"offset", query->offset}});
  }

  // ---- runs and schedules -------------------------------------------------------------------

  void listRuns(const RequestContext& context, Response& res) {
    auto query = parseRunQuery(context.http.params);
    if (!query) return sendError(res, 400, "bad_request", query.error().message);
    auto runs = store_.listRuns(*query);
    if (!runs) return sendStoreError(res, runs.error());
    auto total = store_.countRuns(*query);
    if (!total) return sendStoreError(res, total.error());
    Json items = Json::array();
    for (const auto& run : *runs) items.push_back(runJson(run));
    sendValue(res, 200,
              {{"runs", std::move(items)},
               {"total", *total},
               {"limit", query->limit},
               {"offset", query->offset}});
  }

  // The stored schedules (every server's), each with what this server's configuration says
  // of it; then this server's targets that have no schedule yet (a Docker host whose name is
  // still to be learnt).
  void listSchedules(const RequestContext&, Response& res) {
    auto schedules = store_.listSchedules();
    if (!schedules) return sendStoreError(res, schedules.error());
    std::vector<PostureTargetInfo> targets;
    if (targets_) targets = targets_();
    const auto configured = [](Json& item, const PostureTargetInfo* target) {
      item["configured"] = target != nullptr;
      item["kind"] = target != nullptr ? Json(target->kind) : Json(nullptr);
      item["name"] = target != nullptr ? Json(target->name) : Json(nullptr);
      item["interval_ms"] = target != nullptr ? Json(target->interval_ms) : Json(nullptr);
    };
    Json items = Json::array();
    std::set<std::string, std::less<>> listed;
    for (const auto& schedule : *schedules) {
      store::PostureRunQuery runs;
      runs.target_key = schedule.target_key;
      runs.limit = 1;
      auto last = store_.listRuns(runs);
      if (!last) return sendStoreError(res, last.error());
      Json item = {{"target", schedule.target_key},
                   {"next_run_at", schedule.next_run_at},
                   {"last_run_id", schedule.last_run_id},
                   {"last_run", last->empty() ? Json(nullptr) : runJson(last->front())}};
      const auto target = std::find_if(targets.begin(), targets.end(),
                                       [&](const auto& t) { return t.key == schedule.target_key; });
      configured(item, target != targets.end() ? &*target : nullptr);
      listed.insert(schedule.target_key);
      items.push_back(std::move(item));
    }
    for (const auto& target : targets) {
      if (!target.key.empty() && listed.contains(target.key)) continue;
      Json item = {{"target", target.key.empty() ? Json(nullptr) : Json(target.key)},
                   {"next_run_at", nullptr},
                   {"last_run_id", 0},
                   {"last_run", nullptr}};
      configured(item, &target);
      items.push_back(std::move(item));
    }
    sendValue(res, 200, {{"schedules", std::move(items)}});
  }

  store::Store& store_;
  posture::Catalogue catalogue_;
  std::function<std::vector<PostureTargetInfo>()> targets_;
};

}  // namespace

void registerPostureRoutes(Server& server, store::Store& store, const Hooks& hooks) {
  // The catalogue is embedded in the binary: failing to load it is a build defect.
  auto catalogue = posture::builtinCatalogue();
  if (!catalogue) throw std::logic_error("the built-in catalogue: " + catalogue.error().message);
  // Kept alive by the route handlers, which hold it.
  std::make_shared<PostureApi>(store, std::move(*catalogue), hooks.posture_targets)
      ->registerOn(server);
}

}  // namespace bulwark::server
