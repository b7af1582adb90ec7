#include "pipeline/posture/stored_counts.h"

#include <vector>

namespace bulwark::pipeline {

posture::ControlCount toPosture(const store::PostureControlCount& count) {
  return {count.control, count.healthy, count.unhealthy, count.not_evaluated, count.exempt};
}

posture::RecommendationCount toPosture(const store::PostureRecommendationCount& count) {
  return {count.recommendation, count.healthy, count.unhealthy,     count.not_evaluated,
          count.not_applicable, count.exempt,  count.unhealthy_only};
}

core::Result<posture::SecureScore> storedScore(store::Store& store,
                                               const posture::Catalogue& catalogue) {
  auto counts = store.controlCounts();
  if (!counts) return tl::unexpected(counts.error());
  std::vector<posture::ControlCount> controls;
  controls.reserve(counts->size());
  for (const store::PostureControlCount& count : *counts) controls.push_back(toPosture(count));
  return posture::computeScore(catalogue, controls);
}

core::Result<std::map<std::string, posture::RecommendationCount, std::less<>>>
storedRecommendationCounts(store::Store& store) {
  auto counts = store.recommendationCounts();
  if (!counts) return tl::unexpected(counts.error());
  std::map<std::string, posture::RecommendationCount, std::less<>> out;
  for (const store::PostureRecommendationCount& count : *counts) {
    out.emplace(count.recommendation, toPosture(count));
  }
  return out;
}

}  // namespace bulwark::pipeline
