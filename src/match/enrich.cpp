#include "match/enrich.h"

#include <algorithm>

#include <fmt/format.h>

#include "vulndb/cvss/cvss.h"

namespace bulwark::match {

namespace {

int cvssRank(std::string_view type) {
  if (type == "CVSS_V4") return 0;
  if (type == "CVSS_V3") return 1;
  if (type == "CVSS_V2") return 2;
  return 3;
}

int titleRank(std::string_view source) {
  if (source == "nvd" || source == "cve5") return 1;
  if (source.find("oval") != std::string_view::npos) return 2;
  if (source == "debian-dsa" || source == "debian-dla") return 3;
  return 0;
}

std::string distroName(const model::Distro& distro) {
  if (distro.id == "debian") return "Debian";
  if (distro.id == "ubuntu") return "Ubuntu";
  if (distro.id == "alpine") return "Alpine";
  if (distro.id == "rhel") return "Red Hat";
  return distro.id;
}

std::string remediation(const model::Finding& f, const model::Package& package,
                        const model::Distro& distro) {
  std::string advisories;
  for (const auto& alias : f.aliases) advisories += (advisories.empty() ? "" : ", ") + alias;
  const std::string via = advisories.empty() ? "" : ", fixed in " + advisories;
  const std::string source = package.source_name.empty() || package.source_name == package.name
                                 ? std::string()
                                 : " (source package " + package.source_name + ")";
  switch (f.status) {
    case model::AffectedStatus::Fixed:
    case model::AffectedStatus::Affected:
      if (!f.fixed_version.empty()) {
        return fmt::format("upgrade {}{} to {} or later{}", package.name, source, f.fixed_version,
                           via);
      }
      return fmt::format("no fixed version of {}{} is available yet; watch {} for an update",
                         package.name, source, distroName(distro));
    case model::AffectedStatus::WillNotFix:
      return fmt::format("{} will not fix this in {}; mitigate, or remove {} if it is not needed",
                         distroName(distro), package.name, package.name);
    case model::AffectedStatus::FixDeferred:
      return fmt::format("{} has deferred the fix for {}; mitigate until it ships",
                         distroName(distro), package.name);
    case model::AffectedStatus::EndOfLife:
      return fmt::format(
          "{} is no longer supported by {} in this release; move to a supported "
          "release",
          package.name, distroName(distro));
    case model::AffectedStatus::UnderInvestigation:
      return fmt::format("{} has not yet assessed {} for this issue", distroName(distro),
                         package.name);
    case model::AffectedStatus::NotAffected: return "not affected";
  }
  return {};
}

}  // namespace

core::Status enrichFindings(const vulndb::Database& database, const model::Inventory& inventory,
                            std::vector<model::Finding>& findings) {
  for (auto& f : findings) {
    auto documents = database.advisories(f.vulnerability_id);
    if (!documents) return tl::unexpected(documents.error());
    // Titles and weaknesses come from the record that describes the vulnerability best: the
    // trackers' and OSV's own descriptions, then NVD's and CVE JSON 5's, then OVAL titles, then
    // the DSA/DLA lists (whose only text is "security update").
    std::stable_sort(documents->begin(), documents->end(),
                     [](const model::Advisory& a, const model::Advisory& b) {
                       return titleRank(a.source) < titleRank(b.source);
                     });
    const model::SeverityScore* best = nullptr;
    const model::SeverityScore* best_nvd = nullptr;
    for (const auto& doc : *documents) {
      if (f.title.empty() && !doc.summary.empty()) f.title = doc.summary;
      if (f.title.empty() && !doc.details.empty()) {
        f.title = doc.details.substr(0, std::min<std::size_t>(doc.details.find('\n'), 200));
      }
      // Weaknesses follow the title's rule: the first record, in the same order, that has any.
      if (f.cwes.empty()) f.cwes = doc.cwes;
      for (const auto& ref : doc.references) {
        if (std::find(f.references.begin(), f.references.end(), ref) == f.references.end()) {
          f.references.push_back(ref);
        }
      }
      for (const auto& score : doc.severities) {
        if (score.vector.empty() || cvssRank(score.type) > 2) continue;
        const model::SeverityScore*& slot = doc.source == "nvd" ? best_nvd : best;
        if (slot == nullptr || cvssRank(score.type) < cvssRank(slot->type)) slot = &score;
      }
    }
    const model::SeverityScore* chosen = best_nvd != nullptr ? best_nvd : best;
    if (chosen != nullptr) {
      if (auto scored = vulndb::cvss::parseAndScore(chosen->vector)) {
        f.score = scored->base_score;
        f.vector = scored->vector;
        if (f.severity == model::Severity::Unknown) {
          f.severity = scored->severity;
          f.severity_source = chosen->source.empty() ? "cvss" : chosen->source;
        }
      }
    }
    std::sort(f.references.begin(), f.references.end());
    const auto& package = inventory.packages[f.package_index];
    f.remediation = remediation(f, package, inventory.distro);
  }
  // By package, then most severe first, then id: stable output for reports and goldens.
  std::sort(findings.begin(), findings.end(), [](const model::Finding& a, const model::Finding& b) {
    if (a.package_index != b.package_index) return a.package_index < b.package_index;
    if (a.severity != b.severity) return a.severity > b.severity;
    return a.vulnerability_id < b.vulnerability_id;
  });
  return {};
}

}  // namespace bulwark::match
