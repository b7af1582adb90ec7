#include "match/policy.h"

#include <algorithm>

#include "core/text.h"

namespace bulwark::match {

core::Result<std::vector<model::Severity>> parseSeverities(std::string_view list) {
  std::vector<model::Severity> out;
  for (const auto word : core::split(list, ',')) {
    const auto trimmed = core::trim(word);
    if (trimmed.empty()) continue;
    const auto severity = model::parseSeverity(trimmed);
    if (severity == model::Severity::Unknown && trimmed != "UNKNOWN" && trimmed != "unknown") {
      return core::fail(core::ErrorCode::Usage,
                        "unknown severity '{}' (UNKNOWN, NEGLIGIBLE, LOW, MEDIUM, HIGH, CRITICAL)",
                        core::printable(trimmed));
    }
    out.push_back(severity);
  }
  return out;
}

PolicyResult applyPolicy(const Policy& policy, const std::vector<model::Finding>& findings) {
  PolicyResult result;
  result.counted.reserve(findings.size());
  for (const auto& finding : findings) {
    bool counted = true;
    if (!policy.severities.empty() && std::find(policy.severities.begin(), policy.severities.end(),
                                                finding.severity) == policy.severities.end()) {
      counted = false;
    }
    if (policy.ignore_unfixed && finding.fixed_version.empty()) counted = false;
    result.counted.push_back(counted);
    result.failing += counted ? 1 : 0;
  }
  result.exit_code = result.failing > 0 ? policy.exit_code : 0;
  return result;
}

}  // namespace bulwark::match
