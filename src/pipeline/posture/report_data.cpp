#include "pipeline/posture/report_data.h"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/text.h"
#include "pipeline/posture/stored_counts.h"
#include "posture/resource_key.h"
#include "posture/score.h"
#include "rules/loader.h"

namespace bulwark::pipeline {

namespace {

// Rows per store page: the lists are read whole, a page at a time.
constexpr std::int64_t kPage = 1000;
constexpr store::Millis kDayMs = 86'400'000;

// What the report needs of a resource of the scope.
struct ResourceInfo {
  std::string key;
  std::string name;
  model::ResourceType type = model::ResourceType::Image;
  model::Health health = model::Health::NotApplicable;
  bool gone = false;
};
using ResourceMap = std::map<std::string, ResourceInfo, std::less<>>;

// Every resource of the scope (all when ""), gone ones too: alerts and exemptions may name
// them.
core::Result<ResourceMap> loadResources(store::Store& store, const std::string& scope_id) {
  ResourceMap out;
  store::ResourceQuery query;
  query.scope_id = scope_id;
  query.include_gone = true;
  query.limit = kPage;
  for (;;) {
    auto page = store.queryResources(query);
    if (!page) return tl::unexpected(page.error());
    for (auto& record : page->resources) {
      auto& resource = record.resource;
      out.emplace(std::move(resource.id),
                  ResourceInfo{std::move(resource.key), std::move(resource.name), resource.type,
                               record.health, resource.gone_at.has_value()});
    }
    if (std::cmp_less(page->resources.size(), kPage)) break;
    query.offset += kPage;
  }
  return out;
}

// The current assessments of one control in the scope, by resource id and source.
core::Result<std::vector<model::Assessment>> loadAssessments(store::Store& store,
                                                             const std::string& scope_id,
                                                             const std::string& control) {
  std::vector<model::Assessment> out;
  store::AssessmentQuery query;
  query.scope_id = scope_id;
  query.control = control;
  query.limit = kPage;
  for (;;) {
    auto page = store.queryAssessments(query);
    if (!page) return tl::unexpected(page.error());
    const std::size_t read = page->assessments.size();
    std::move(page->assessments.begin(), page->assessments.end(), std::back_inserter(out));
    if (std::cmp_less(read, kPage)) break;
    query.offset += kPage;
  }
  return out;
}

// Unhealthy, not evaluated, healthy, not applicable (report::PostureRecommendation::affected).
int statusRank(model::Health status) { return 3 - static_cast<int>(status); }

// A resource's health for one recommendation (report_data.h).
struct AffectedState {
  std::optional<model::Health> counted;  // worst non-exempt status
  std::string counted_reason;
  model::Health any = model::Health::NotApplicable;  // worst status, exempt ones included
  std::string any_reason;
  bool seen = false;
};

std::vector<report::PostureAffected> affectedOf(std::string_view recommendation,
                                                std::span<const model::Assessment> assessments,
                                                const ResourceMap& resources, std::size_t top) {
  // Assessments come by resource and source: the first source with the worst status wins.
  std::map<std::string, AffectedState, std::less<>> states;
  for (const model::Assessment& a : assessments) {
    if (a.recommendation != recommendation) continue;
    AffectedState& state = states[a.resource_id];
    if (!state.seen || a.status > state.any) {
      state.any = a.status;
      state.any_reason = a.reason;
    }
    state.seen = true;
    if (a.exempt_id != 0) continue;
    if (!state.counted || a.status > *state.counted) {
      state.counted = a.status;
      state.counted_reason = a.reason;
    }
  }
  std::vector<report::PostureAffected> out;
  out.reserve(states.size());
  for (auto& [id, state] : states) {
    report::PostureAffected row;
    row.id = id;
    if (const auto found = resources.find(id); found != resources.end()) {
      row.key = found->second.key;
      row.name = found->second.name;
      row.type = found->second.type;
    }
    row.exempt = !state.counted.has_value();
    row.status = state.counted.value_or(state.any);
    row.reason = std::move(state.counted ? state.counted_reason : state.any_reason);
    out.push_back(std::move(row));
  }
  const auto order = [](const report::PostureAffected& r) {
    return std::tuple(r.exempt, statusRank(r.status), std::string_view(r.name),
                      std::string_view(r.id));
  };
  if (out.size() > top) {
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(top), out.end(),
                      [&](const auto& a, const auto& b) { return order(a) < order(b); });
    out.resize(top);
  } else {
    std::sort(out.begin(), out.end(),
              [&](const auto& a, const auto& b) { return order(a) < order(b); });
  }
  return out;
}

std::string dayText(store::Millis at) {
  const store::Millis day = (at >= 0 ? at : at - kDayMs + 1) / kDayMs;
  return core::utcText(static_cast<std::time_t>(day * 86'400)).substr(0, 10);
}

// The level AlertRecord::priority keeps (Emergency 7 … Debug 0) → Falco's name, lower case.
std::string priorityName(int level) {
  const int index = 7 - std::clamp(level, 0, 7);  // rules::Priority lists Emergency first
  return core::asciiLower(rules::toString(static_cast<rules::Priority>(index)));
}

// The total's history: the last point of each UTC day with since <= at <= now.
core::Result<std::vector<report::PostureTrendPoint>> trendOf(store::Store& store,
                                                             store::Millis since,
                                                             store::Millis now) {
  auto points = store.scoreHistory(since, now + 1, std::string());
  if (!points) return tl::unexpected(points.error());
  std::map<std::string, store::ScorePoint> last;  // by day; points come by time
  for (const store::ScorePoint& point : *points) last[dayText(point.at)] = point;
  std::vector<report::PostureTrendPoint> out;
  out.reserve(last.size());
  for (const auto& [day, point] : last) {
    report::PostureTrendPoint row;
    row.at = point.at;
    row.points = point.score;
    row.max = point.max;
    if (point.max > 0) row.percent = 100 * point.score / point.max;
    out.push_back(row);
  }
  return out;
}

core::Status countAlerts(store::Store& store, const PostureReportOptions& options,
                         store::Millis now, const ResourceMap& resources,
                         report::PostureReportData& data) {
  std::map<std::string, std::int64_t> by_priority;
  std::map<std::string, std::int64_t> by_day;
  store::AlertQuery query;
  query.since = options.since;
  query.until = now + 1;
  query.limit = store::kMaxAlertPage;
  for (;;) {
    auto page = store.queryAlerts(query);
    if (!page) return tl::unexpected(page.error());
    for (const store::AlertRecord& alert : page->alerts) {
      // A scope's alerts are those the posture sync resolved to one of its resources.
      if (!options.scope_id.empty() && !resources.contains(alert.resource_id)) continue;
      ++by_priority[priorityName(alert.priority)];
      ++by_day[dayText(alert.time_ms)];
    }
    if (!page->more || page->alerts.empty()) break;
    query.after = std::pair(page->alerts.back().time_ms, page->alerts.back().alert_id);
  }
  for (const auto& [priority, count] : by_priority) {
    data.alerts_by_priority.push_back({priority, count});
  }
  for (const auto& [day, count] : by_day) data.alerts_by_day.push_back({day, count});
  return {};
}

core::Status addExemptions(store::Store& store, const PostureReportOptions& options,
                           store::Millis now, const std::string& scope_path,
                           const ResourceMap& resources, report::PostureReportData& data) {
  store::ExemptionQuery query;
  query.active_at = now;
  query.limit = kPage;
  std::map<std::string, std::string, std::less<>> names_outside;  // scopes above the report's
  for (;;) {
    auto page = store.listExemptions(query);
    if (!page) return tl::unexpected(page.error());
    for (model::Exemption& exemption : *page) {
      report::PostureExemption row;
      if (const auto found = resources.find(exemption.scope_id); found != resources.end()) {
        row.scope_name = found->second.name;
      } else {
        // Outside the report's subtree: kept when it covers the scope (an ancestor).
        if (!options.scope_id.empty() &&
            scope_path.find("/" + exemption.scope_id + "/") == std::string::npos) {
          continue;
        }
        auto cached = names_outside.find(exemption.scope_id);
        if (cached == names_outside.end()) {
          auto resource = store.getResource(exemption.scope_id);
          if (!resource) return tl::unexpected(resource.error());
          cached = names_outside
                       .emplace(exemption.scope_id,
                                *resource ? (*resource)->resource.name : std::string())
                       .first;
        }
        row.scope_name = cached->second;
      }
      row.exemption = std::move(exemption);
      data.exemptions.push_back(std::move(row));
    }
    if (std::cmp_less(page->size(), kPage)) break;
    query.offset += kPage;
  }
  return {};
}

}  // namespace

core::Result<report::PostureReportData> postureReportData(store::Store& store,
                                                          const posture::Catalogue& catalogue,
                                                          const PostureReportOptions& options) {
  const store::Millis now = options.now != 0 ? options.now : store::nowMillis();
  report::PostureReportData data;
  data.tool_version = options.tool_version;
  data.generated_at = now;
  data.since = options.since;

  std::string scope_path;
  if (!options.scope_id.empty()) {
    if (!posture::isResourceId(options.scope_id)) {
      return core::fail(core::ErrorCode::Input,
                        "scope '{}' is not a resource id (16 lower-case hex digits)",
                        core::printable(options.scope_id));
    }
    auto scope = store.getResource(options.scope_id);
    if (!scope) return tl::unexpected(scope.error());
    if (!*scope) {
      return core::fail(core::ErrorCode::NotFound, "no resource has the id {}", options.scope_id);
    }
    data.scope_id = options.scope_id;
    data.scope_name = (*scope)->resource.name;
    scope_path = (*scope)->path;
  }

  auto resources = loadResources(store, options.scope_id);
  if (!resources) return tl::unexpected(resources.error());

  // The whole store's counts are the store's SQL; a scope's are the same definition
  // (posture/score.h) over its assessments, which are read anyway for the affected resources.
  std::vector<posture::ControlCount> control_counts;
  std::map<std::string, posture::RecommendationCount, std::less<>> recommendation_counts;
  if (options.scope_id.empty()) {
    auto controls = store.controlCounts();
    if (!controls) return tl::unexpected(controls.error());
    for (const auto& count : *controls) control_counts.push_back(toPosture(count));
    auto recommendations = store.recommendationCounts();
    if (!recommendations) return tl::unexpected(recommendations.error());
    for (const auto& count : *recommendations) {
      recommendation_counts.emplace(count.recommendation, toPosture(count));
    }
  }
  std::map<std::string, std::vector<report::PostureAffected>, std::less<>> affected;
  for (const posture::Control& control : catalogue.controls()) {
    auto assessments = loadAssessments(store, options.scope_id, control.id);
    if (!assessments) return tl::unexpected(assessments.error());
    if (!options.scope_id.empty()) {
      for (auto& count : posture::countControls(catalogue, *assessments)) {
        if (count.control == control.id) control_counts.push_back(std::move(count));
      }
      for (auto& count : posture::countRecommendations(catalogue, *assessments)) {
        const auto* recommendation = catalogue.recommendation(count.recommendation);
        if (recommendation != nullptr && recommendation->control == control.id) {
          recommendation_counts.emplace(count.recommendation, std::move(count));
        }
      }
    }
    for (const std::string& id : control.recommendations) {
      affected.emplace(id, affectedOf(id, *assessments, *resources, options.top));
    }
  }

  data.score = posture::computeScore(catalogue, control_counts);
  for (const posture::Recommendation& entry : catalogue.recommendations()) {
    report::PostureRecommendation row;
    row.id = entry.id;
    row.title = entry.title;
    row.control = entry.control;
    row.severity = entry.severity;
    row.description = entry.description;
    row.remediation = entry.remediation;
    if (const auto found = recommendation_counts.find(entry.id);
        found != recommendation_counts.end()) {
      const posture::RecommendationCount& count = found->second;
      row.healthy = count.healthy;
      row.unhealthy = count.unhealthy;
      row.not_evaluated = count.not_evaluated;
      row.not_applicable = count.not_applicable;
      row.exempt = count.exempt;
      row.potential_increase = posture::potentialIncrease(catalogue, data.score, count);
    }
    if (auto found = affected.find(entry.id); found != affected.end()) {
      row.affected = std::move(found->second);
    }
    data.recommendations.push_back(std::move(row));
  }

  std::map<model::ResourceType, report::PostureResourceCount> by_type;
  for (const auto& [id, resource] : *resources) {
    if (resource.gone) continue;
    auto& count = by_type[resource.type];
    count.type = resource.type;
    switch (resource.health) {
      case model::Health::Healthy: ++count.healthy; break;
      case model::Health::Unhealthy: ++count.unhealthy; break;
      case model::Health::NotEvaluated: ++count.not_evaluated; break;
      case model::Health::NotApplicable: ++count.not_applicable; break;
    }
  }
  for (const auto& [type, count] : by_type) data.resources.push_back(count);

  if (options.scope_id.empty()) {
    auto trend = trendOf(store, options.since, now);
    if (!trend) return tl::unexpected(trend.error());
    data.trend = std::move(*trend);
  }
  if (auto counted = countAlerts(store, options, now, *resources, data); !counted) {
    return tl::unexpected(counted.error());
  }
  if (auto added = addExemptions(store, options, now, scope_path, *resources, data); !added) {
    return tl::unexpected(added.error());
  }
  return data;
}

}  // namespace bulwark::pipeline
