// The secure score and recommendation counts of what the store holds now: the store's SQL
// counts (Store::controlCounts, recommendationCounts) in src/posture's types, for the sync, the
// API and the report alike. (The store cannot use src/posture's types: store → model.)
#pragma once

#include <map>
#include <string>

#include "core/result.h"
#include "posture/catalogue.h"
#include "posture/score.h"
#include "store/store.h"

namespace bulwark::pipeline {

posture::ControlCount toPosture(const store::PostureControlCount& count);
posture::RecommendationCount toPosture(const store::PostureRecommendationCount& count);

// posture::computeScore over Store::controlCounts: live, so an exemption shows at once.
core::Result<posture::SecureScore> storedScore(store::Store& store,
                                               const posture::Catalogue& catalogue);

// Store::recommendationCounts by recommendation id (recommendations without an assessment are
// absent).
core::Result<std::map<std::string, posture::RecommendationCount, std::less<>>>
storedRecommendationCounts(store::Store& store);

}  // namespace bulwark::pipeline
