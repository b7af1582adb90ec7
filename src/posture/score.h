// The secure score (docs/posture.md; docs/dev/posture-design.md §2.2, §4.2).
//
// A resource counts in a control when it has a non-exempt assessment there and is not gone:
// unhealthy if it is unhealthy on any of the control's recommendations, healthy if healthy on
// one and unhealthy on none; not-evaluated, not-applicable and exempt assessments never count.
// For a control c with maximum Mc, Hc healthy and Uc unhealthy resources:
//
//   score(c) = Mc × Hc ÷ (Hc + Uc)        a control with Hc + Uc = 0 is not applicable
//   secure score = Σ score(c) ÷ Σ Mc      over the applicable controls
//
// countControls is the in-memory reference of the store's SQL count; computeScore does the
// arithmetic on either.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "model/posture.h"
#include "posture/catalogue.h"

namespace bulwark::posture {

// Ids of resources that are gone (absent from a complete run of their parent).
using ResourceIdSet = std::set<std::string, std::less<>>;

struct ControlCount {
  std::string control;
  std::int64_t healthy = 0;
  std::int64_t unhealthy = 0;
  // Resources with an assessment in the control that count in neither: not-evaluated (at least
  // one not-evaluated, non-exempt assessment), else exempt (at least one exempt assessment).
  std::int64_t not_evaluated = 0;
  std::int64_t exempt = 0;
};

// One entry per control of the catalogue, in its order; assessments of gone resources and of
// controls the catalogue does not have are left out.
std::vector<ControlCount> countControls(const Catalogue& catalogue,
                                        std::span<const model::Assessment> assessments,
                                        const ResourceIdSet& gone = {});

struct RecommendationCount {
  std::string recommendation;
  // Resources by their health for this recommendation: the worst of its non-exempt sources
  // (unhealthy > healthy > not-evaluated > not-applicable); exempt when all are exempt.
  std::int64_t healthy = 0;
  std::int64_t unhealthy = 0;
  std::int64_t not_evaluated = 0;
  std::int64_t not_applicable = 0;
  std::int64_t exempt = 0;
  // Unhealthy resources that are unhealthy in the control through this recommendation alone:
  // those that fixing it makes healthy in the control.
  std::int64_t unhealthy_only = 0;
};

// One entry per recommendation of the catalogue, in its order.
std::vector<RecommendationCount> countRecommendations(
    const Catalogue& catalogue, std::span<const model::Assessment> assessments,
    const ResourceIdSet& gone = {});

struct ControlScore {
  std::string id;
  std::string title;
  double max = 0;
  double score = 0;  // 0 when not applicable
  std::int64_t healthy = 0;
  std::int64_t unhealthy = 0;
  std::int64_t not_evaluated = 0;
  std::int64_t exempt = 0;
  bool applicable = false;  // healthy + unhealthy > 0
};

struct SecureScore {
  std::vector<ControlScore> controls;  // the catalogue's order
  double points = 0;                   // Σ score over the applicable controls
  double max = 0;                      // Σ max over the applicable controls
  // 100 × points ÷ max; nullopt when no control is applicable (nothing counted yet).
  std::optional<double> percent;
};

// Counts of controls the catalogue does not have are ignored; a control without a count is
// not applicable.
SecureScore computeScore(const Catalogue& catalogue, std::span<const ControlCount> counts);

// How many points of percent the secure score gains when `count`'s unhealthy_only resources
// become healthy: Mc ÷ (Hc + Uc) × unhealthy_only ÷ Σ Mc × 100; 0 when its control is not
// applicable.
double potentialIncrease(const Catalogue& catalogue, const SecureScore& score,
                         const RecommendationCount& count);

}  // namespace bulwark::posture
