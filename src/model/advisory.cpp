#include "model/advisory.h"

#include <algorithm>
#include <cctype>

#include "core/text.h"

namespace bulwark::model {

std::string_view toString(Severity severity) {
  switch (severity) {
    case Severity::Unknown: return "UNKNOWN";
    case Severity::Negligible: return "NEGLIGIBLE";
    case Severity::Low: return "LOW";
    case Severity::Medium: return "MEDIUM";
    case Severity::High: return "HIGH";
    case Severity::Critical: return "CRITICAL";
  }
  return "UNKNOWN";
}

Severity parseSeverity(std::string_view text) {
  std::string word = core::asciiLower(text);
  while (!word.empty() && (word.back() == '*' || word.back() == ' ')) word.pop_back();
  if (word == "critical") return Severity::Critical;
  if (word == "high" || word == "important") return Severity::High;
  if (word == "medium" || word == "moderate") return Severity::Medium;
  if (word == "low") return Severity::Low;
  if (word == "negligible" || word == "unimportant") return Severity::Negligible;
  return Severity::Unknown;
}

std::string_view toString(AffectedStatus status) {
  switch (status) {
    case AffectedStatus::Affected: return "affected";
    case AffectedStatus::Fixed: return "fixed";
    case AffectedStatus::WillNotFix: return "will-not-fix";
    case AffectedStatus::FixDeferred: return "fix-deferred";
    case AffectedStatus::EndOfLife: return "end-of-life";
    case AffectedStatus::UnderInvestigation: return "under-investigation";
    case AffectedStatus::NotAffected: return "not-affected";
  }
  return "affected";
}

}  // namespace bulwark::model
