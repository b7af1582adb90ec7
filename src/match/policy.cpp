#include "match/policy.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/text.h"
#include "model/purl.h"

namespace bulwark::match {

namespace {

std::string dateText(std::chrono::year_month_day date) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

bool passesFilters(const Policy& policy, const model::Finding& finding) {
  if (!policy.severities.empty() && std::find(policy.severities.begin(), policy.severities.end(),
                                              finding.severity) == policy.severities.end()) {
    return false;
  }
  return !(policy.ignore_unfixed && finding.fixed_version.empty());
}

// The package facts of a subject; the vulnerability ids are filled in per finding.
Subject packageSubject(const model::Finding& finding, const model::Inventory* inventory) {
  Subject subject;
  subject.package_name = finding.package_name;
  subject.full_version = finding.installed_version;
  if (inventory == nullptr || finding.package_index >= inventory->packages.size()) return subject;
  const auto& package = inventory->packages[finding.package_index];
  subject.package_name = package.name;
  subject.source_name = package.source_name;
  subject.path = package.location.path;
  subject.distro_codename = inventory->distro.codename;
  subject.target = &inventory->target;
  subject.purl_text = model::purl(package, inventory->distro);
  if (auto parsed = model::parsePurl(subject.purl_text)) subject.purl = std::move(*parsed);
  return subject;
}

Suppression suppressionFor(const Policy& policy, const std::vector<const IgnoreRule*>& active,
                           const Subject& subject) {
  Suppression out;
  for (const IgnoreRule* rule : active) {
    if (!rule->covers(subject)) continue;
    out.suppressed = true;
    out.by = "ignorefile";
    out.status = "ignored";
    out.reason = rule->reason;
    out.where = fmt::format("{}:{}", policy.ignore.path, rule->line);
    return out;
  }
  for (const auto& document : policy.vex) {
    const VexStatement* statement = decidingStatement(document, subject);
    if (statement == nullptr || !statement->suppresses()) continue;
    out.suppressed = true;
    out.by = "vex:" + document.path;
    out.status = std::string(toString(statement->status));
    out.justification = statement->justification;
    out.reason = statement->reason;
    out.where = fmt::format("{}, statement {}", document.path, statement->index);
    return out;
  }
  return out;
}

PolicyResult apply(const Policy& policy, const std::vector<model::Finding>& findings,
                   const model::Inventory* inventory) {
  PolicyResult result;
  const auto today = policy.today ? *policy.today : match::today();
  std::vector<const IgnoreRule*> active;
  for (const auto& rule : policy.ignore.rules) {
    if (rule.expiredOn(today)) {
      result.warnings.push_back(fmt::format(
          "{}:{}: the entry for {} expired on {}; it no longer suppresses", policy.ignore.path,
          rule.line, core::printable(rule.id), dateText(*rule.expires)));
    } else {
      active.push_back(&rule);
    }
  }
  const bool any_rules = !active.empty() || !policy.vex.empty();
  result.counted.reserve(findings.size());
  result.suppressions.resize(findings.size());
  std::size_t subject_package = static_cast<std::size_t>(-1);
  Subject subject;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const auto& finding = findings[i];
    bool counted = passesFilters(policy, finding);
    if (counted && any_rules) {
      // Findings come grouped by package: build the package's facts once per group.
      if (i == 0 || finding.package_index != subject_package ||
          finding.package_name != subject.package_name) {
        subject = packageSubject(finding, inventory);
        subject_package = finding.package_index;
      }
      subject.vulnerability_id = finding.vulnerability_id;
      subject.aliases = finding.aliases;
      result.suppressions[i] = suppressionFor(policy, active, subject);
      if (result.suppressions[i].suppressed) {
        counted = false;
        ++result.suppressed;
      }
    }
    result.counted.push_back(counted);
    result.failing += counted ? 1 : 0;
  }
  result.exit_code = result.failing > 0 ? policy.exit_code : 0;
  return result;
}

}  // namespace

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

PolicyResult applyPolicy(const Policy& policy, const model::ScanReport& report) {
  return apply(policy, report.findings, &report.inventory);
}

PolicyResult applyPolicy(const Policy& policy, const std::vector<model::Finding>& findings) {
  return apply(policy, findings, nullptr);
}

}  // namespace bulwark::match
