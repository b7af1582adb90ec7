// Counting and the secure score's arithmetic (score.h).
#include "posture/score.h"

#include <algorithm>
#include <map>
#include <utility>

namespace bulwark::posture {

namespace {

using Key = std::pair<std::string_view, std::string_view>;  // (control or recommendation, resource)

// What one resource's assessments within one group (a control or a recommendation) add up to.
struct Tally {
  std::optional<model::Health> worst;  // over the non-exempt assessments
  bool any_healthy = false;
  bool any_unhealthy = false;
  bool any_not_evaluated = false;
  bool any_exempt = false;
  std::set<std::string_view> unhealthy_recommendations;

  void add(const model::Assessment& assessment) {
    if (assessment.exempt_id != 0) {
      any_exempt = true;
      return;
    }
    worst = worst ? std::max(*worst, assessment.status) : assessment.status;
    any_healthy = any_healthy || assessment.status == model::Health::Healthy;
    any_not_evaluated = any_not_evaluated || assessment.status == model::Health::NotEvaluated;
    if (assessment.status == model::Health::Unhealthy) {
      any_unhealthy = true;
      unhealthy_recommendations.insert(assessment.recommendation);
    }
  }
};

// Tallies by (group, resource), the group being the assessment's control or recommendation.
template <class GroupOf>
std::map<Key, Tally> tally(std::span<const model::Assessment> assessments,
                           const ResourceIdSet& gone, GroupOf group_of) {
  std::map<Key, Tally> out;
  for (const auto& assessment : assessments) {
    if (gone.count(assessment.resource_id) != 0) continue;
    out[{group_of(assessment), assessment.resource_id}].add(assessment);
  }
  return out;
}

}  // namespace

std::vector<ControlCount> countControls(const Catalogue& catalogue,
                                        std::span<const model::Assessment> assessments,
                                        const ResourceIdSet& gone) {
  std::vector<ControlCount> out;
  std::map<std::string_view, std::size_t> index;
  for (const auto& control : catalogue.controls()) {
    index.emplace(control.id, out.size());
    out.push_back(ControlCount{control.id});
  }
  const auto tallies = tally(assessments, gone, [](const model::Assessment& assessment) {
    return std::string_view(assessment.control);
  });
  for (const auto& [key, t] : tallies) {
    const auto it = index.find(key.first);
    if (it == index.end()) continue;
    ControlCount& count = out[it->second];
    if (t.any_unhealthy) {
      ++count.unhealthy;
    } else if (t.any_healthy) {
      ++count.healthy;
    } else if (t.any_not_evaluated) {
      ++count.not_evaluated;
    } else if (t.any_exempt) {
      ++count.exempt;
    }
  }
  return out;
}

std::vector<RecommendationCount> countRecommendations(
    const Catalogue& catalogue, std::span<const model::Assessment> assessments,
    const ResourceIdSet& gone) {
  std::vector<RecommendationCount> out;
  std::map<std::string_view, std::size_t> index;
  for (const auto& recommendation : catalogue.recommendations()) {
    index.emplace(recommendation.id, out.size());
    out.push_back(RecommendationCount{recommendation.id});
  }
  const auto by_recommendation = tally(assessments, gone, [](const model::Assessment& a) {
    return std::string_view(a.recommendation);
  });
  for (const auto& [key, t] : by_recommendation) {
    const auto it = index.find(key.first);
    if (it == index.end()) continue;
    RecommendationCount& count = out[it->second];
    if (!t.worst) {
      if (t.any_exempt) ++count.exempt;
      continue;
    }
    switch (*t.worst) {
      case model::Health::Unhealthy: ++count.unhealthy; break;
      case model::Health::Healthy: ++count.healthy; break;
      case model::Health::NotEvaluated: ++count.not_evaluated; break;
      case model::Health::NotApplicable: ++count.not_applicable; break;
    }
  }
  const auto by_control = tally(
      assessments, gone, [](const model::Assessment& a) { return std::string_view(a.control); });
  for (const auto& [key, t] : by_control) {
    if (t.unhealthy_recommendations.size() != 1) continue;
    const auto it = index.find(*t.unhealthy_recommendations.begin());
    if (it != index.end()) ++out[it->second].unhealthy_only;
  }
  return out;
}

SecureScore computeScore(const Catalogue& catalogue, std::span<const ControlCount> counts) {
  SecureScore out;
  for (const auto& control : catalogue.controls()) {
    ControlScore c;
    c.id = control.id;
    c.title = control.title;
    c.max = control.max;
    const auto it = std::find_if(counts.begin(), counts.end(),
                                 [&](const ControlCount& count) { return count.control == c.id; });
    if (it != counts.end()) {
      c.healthy = it->healthy;
      c.unhealthy = it->unhealthy;
      c.not_evaluated = it->not_evaluated;
      c.exempt = it->exempt;
    }
    const std::int64_t counted = c.healthy + c.unhealthy;
    c.applicable = counted > 0;
    if (c.applicable) {
      c.score = c.max * static_cast<double>(c.healthy) / static_cast<double>(counted);
      out.points += c.score;
      out.max += c.max;
    }
    out.controls.push_back(std::move(c));
  }
  if (out.max > 0) out.percent = 100 * out.points / out.max;
  return out;
}

double potentialIncrease(const Catalogue& catalogue, const SecureScore& score,
                         const RecommendationCount& count) {
  const Recommendation* recommendation = catalogue.recommendation(count.recommendation);
  if (recommendation == nullptr || score.max <= 0) return 0;
  const auto it =
      std::find_if(score.controls.begin(), score.controls.end(),
                   [&](const ControlScore& c) { return c.id == recommendation->control; });
  if (it == score.controls.end() || !it->applicable) return 0;
  const auto counted = static_cast<double>(it->healthy + it->unhealthy);
  return 100 * it->max / counted * static_cast<double>(count.unhealthy_only) / score.max;
}

}  // namespace bulwark::posture
