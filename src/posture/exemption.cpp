// Exemption validation and matching (exemption.h).
#include "posture/exemption.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/text.h"
#include "core/utf8.h"
#include "posture/resource_key.h"

namespace bulwark::posture {

namespace {

constexpr std::size_t kMaxDepth = 16;

core::Status invalid(std::string message) {
  return core::fail(core::ErrorCode::Input, "exemption: {}", message);
}

bool hasSource(const Recommendation& recommendation, std::string_view source) {
  const auto in = [&](const std::vector<std::string>& ids) {
    return std::find(ids.begin(), ids.end(), source) != ids.end();
  };
  return in(recommendation.checks) || in(recommendation.rules) || in(recommendation.derived);
}

}  // namespace

core::Status validateExemption(const model::Exemption& exemption, const Catalogue& catalogue,
                               std::int64_t now_ms) {
  const Recommendation* recommendation = catalogue.recommendation(exemption.recommendation);
  if (recommendation == nullptr) {
    return invalid(
        fmt::format("unknown recommendation \"{}\"", core::printable(exemption.recommendation)));
  }
  if (!isResourceId(exemption.scope_id)) {
    return invalid("scope is not a resource id (16 lower-case hex digits)");
  }
  if (!exemption.source.empty() && !hasSource(*recommendation, exemption.source)) {
    return invalid(fmt::format("{} has no source \"{}\"", recommendation->id,
                               core::printable(exemption.source)));
  }
  if (core::trim(exemption.reason).empty()) return invalid("a reason is required");
  if (exemption.reason.size() > kMaxExemptionReasonBytes) {
    return invalid(fmt::format("the reason is longer than {} bytes", kMaxExemptionReasonBytes));
  }
  if (!core::plainText(exemption.reason)) {
    return invalid(
        "the reason is not UTF-8 text (control characters other than tab and newline "
        "are refused)");
  }
  if (exemption.expires_at == 0) return invalid("an expiry (expires_at) is required");
  if (exemption.expires_at <= now_ms) return invalid("expires_at is not in the future");
  if (exemption.expires_at - now_ms > kMaxExemptionAheadMs) {
    return invalid("expires_at is more than two years ahead");
  }
  return {};
}

bool exemptionActive(const model::Exemption& exemption, std::int64_t now_ms) {
  return !exemption.revoked_at && exemption.expires_at > now_ms;
}

ParentMap parentMap(std::span<const model::Resource> resources) {
  ParentMap parents;
  for (const auto& resource : resources) parents[resource.id] = resource.parent_id;
  return parents;
}

std::vector<std::string> ancestry(const ParentMap& parents, std::string_view resource_id) {
  std::vector<std::string> chain;
  std::string current(resource_id);
  while (!current.empty() && chain.size() < kMaxDepth &&
         std::find(chain.begin(), chain.end(), current) == chain.end()) {
    chain.push_back(current);
    const auto it = parents.find(current);
    if (it == parents.end()) break;
    current = it->second;
  }
  return chain;
}

bool exemptionCovers(const model::Exemption& exemption, const model::Assessment& assessment,
                     std::span<const std::string> ancestry, std::int64_t now_ms) {
  return exemptionActive(exemption, now_ms) &&
         exemption.recommendation == assessment.recommendation &&
         (exemption.source.empty() || exemption.source == assessment.source) &&
         std::find(ancestry.begin(), ancestry.end(), exemption.scope_id) != ancestry.end();
}

void applyExemptions(std::span<model::Assessment> assessments,
                     std::span<const model::Exemption> exemptions, const ParentMap& parents,
                     std::int64_t now_ms) {
  std::map<std::string, std::vector<std::string>, std::less<>> chains;
  for (auto& assessment : assessments) {
    auto chain = chains.find(assessment.resource_id);
    if (chain == chains.end()) {
      chain =
          chains.emplace(assessment.resource_id, ancestry(parents, assessment.resource_id)).first;
    }
    assessment.exempt_id = 0;
    for (const auto& exemption : exemptions) {
      if (exemption.id <= 0) continue;  // not stored yet: nothing can refer to it
      if (!exemptionCovers(exemption, assessment, chain->second, now_ms)) continue;
      if (assessment.exempt_id == 0 || exemption.id < assessment.exempt_id) {
        assessment.exempt_id = exemption.id;
      }
    }
  }
}

const model::Exemption* findDuplicate(std::span<const model::Exemption> existing,
                                      const model::Exemption& candidate, std::int64_t now_ms) {
  for (const auto& exemption : existing) {
    if (exemptionActive(exemption, now_ms) &&
        exemption.recommendation == candidate.recommendation &&
        exemption.scope_id == candidate.scope_id && exemption.source == candidate.source) {
      return &exemption;
    }
  }
  return nullptr;
}

}  // namespace bulwark::posture
