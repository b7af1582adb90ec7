// Exemptions (docs/dev/posture-design.md §4.1): a recommendation waived for a resource and all
// its descendants, for every source of the recommendation or one, with a category, a reason and
// a required expiry. Covered assessments keep their status, carry the exemption's id and count
// nowhere in the score. Exemptions come from users: validateExemption checks one before it is
// stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/posture.h"
#include "posture/assess.h"
#include "posture/catalogue.h"

namespace bulwark::posture {

inline constexpr std::size_t kMaxExemptionReasonBytes = 1000;
// Two years ahead at most (a leap day included).
inline constexpr std::int64_t kMaxExemptionAheadMs = 731 * kDayMs;

// An Input error naming the first problem: unknown recommendation; scope not a resource id;
// a source the recommendation does not have; reason empty, longer than 1000 bytes, not UTF-8 or
// with control characters other than tab and newline; expires_at missing (0), not after
// `now_ms`, or more than two years ahead.
core::Status validateExemption(const model::Exemption& exemption, const Catalogue& catalogue,
                               std::int64_t now_ms);

// Not revoked and not expired at `now_ms`.
bool exemptionActive(const model::Exemption& exemption, std::int64_t now_ms);

// Each resource's parent id ("" for roots), by resource id.
using ParentMap = std::map<std::string, std::string, std::less<>>;
ParentMap parentMap(std::span<const model::Resource> resources);

// `resource_id` and its ancestors, nearest first; stops at a root, at an unknown id, at a cycle
// or after 16 levels (the deepest chain, cluster → … → container, has 4).
std::vector<std::string> ancestry(const ParentMap& parents, std::string_view resource_id);

// Whether the active `exemption` covers `assessment`, whose resource has `ancestry`
// (ancestry() of its resource id): same recommendation, same source or every source, and the
// scope is the resource or one of its ancestors.
bool exemptionCovers(const model::Exemption& exemption, const model::Assessment& assessment,
                     std::span<const std::string> ancestry, std::int64_t now_ms);

// Sets each assessment's exempt_id to the lowest id of the active exemptions covering it, or 0.
// Exemption ids start at 1 (the store's); one with id 0 is not stored yet and covers nothing.
void applyExemptions(std::span<model::Assessment> assessments,
                     std::span<const model::Exemption> exemptions, const ParentMap& parents,
                     std::int64_t now_ms);

// The active exemption of `existing` with the candidate's (recommendation, scope, source), or
// null: only one may be active at a time.
const model::Exemption* findDuplicate(std::span<const model::Exemption> existing,
                                      const model::Exemption& candidate, std::int64_t now_ms);

}  // namespace bulwark::posture
