#include "match/matcher.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "version/scheme.h"
#include "vulndb/cvss/cvss.h"
#include "vulndb/ecosystem.h"

namespace bulwark::match {

using model::AffectedStatus;
using model::RangeEvent;

namespace {

// The comparator for a package's versions, or nullptr when bulwark has no scheme for them.
// Go: the Go vulnerability database writes SemVer without Go's "v" ("1.2.3"), so Go versions
// compare with the semver scheme, which takes both spellings ("+incompatible" is build
// metadata there, as in Go).
const version::SchemeInfo* schemeFor(model::PackageType type) {
  return version::findScheme(type == model::PackageType::Go ? "semver"
                                                            : model::ecosystemNames(type).scheme);
}

// The names distribution feeds file a package under, most specific first.
//  - Debian and Ubuntu trackers name source packages, Ubuntu's OVAL the binaries;
//  - Alpine tracks origins;
//  - Red Hat, SUSE, Amazon and Oracle OVAL name binary rpms (and leave out binaries a fix does
//    not concern), but Mariner/Azure Linux OVAL, Photon and Red Hat's CSAF statements name
//    source rpms — see sourceRpmStatement().
// Findings merge by vulnerability, so a statement reached under both names counts once.
struct Lookup {
  std::string name;
  bool source_rpm = false;  // an rpm's source package name
};

std::vector<Lookup> feedNames(const model::Package& package) {
  std::vector<Lookup> names;
  const std::string& source = package.source_name.empty() ? package.name : package.source_name;
  switch (package.type) {
    case model::PackageType::Apk: names.push_back({source}); break;
    case model::PackageType::Deb:
      names.push_back({source});
      if (package.name != source) names.push_back({package.name});
      break;
    case model::PackageType::Rpm:
      names.push_back({package.name});
      if (package.name != source) names.push_back({source, true});
      break;
    default: names.push_back({package.name}); break;  // language registries: one name
  }
  return names;
}

// Whether a statement found under an rpm's source package name speaks for its binaries: the
// feeds that file by source rpm do (a binary rpm has its source rpm's version); a binary-rpm
// feed's statement about a binary that shares the source's name does not.
bool sourceRpmStatement(std::string_view distro_id, std::string_view source) {
  return distro_id == "mariner" || distro_id == "azurelinux" || distro_id == "photon" ||
         source == "redhat-vex" || source == "redhat-csaf";
}

bool isCve(std::string_view id) { return id.substr(0, 4) == "CVE-"; }

int rankSource(std::string_view source) {
  // The distribution's per-CVE trackers first, then its advisories, then anything else.
  if (source == "debian-tracker" || source == "ubuntu-cve-tracker" || source == "redhat-vex") {
    return 0;
  }
  if (source.find("oval") != std::string_view::npos) return 1;
  if (source.substr(0, 12) == "alpine-secdb") return 1;
  if (source == "debian-dsa" || source == "debian-dla" || source == "redhat-csaf") return 2;
  return 3;
}

// The ecosystem a package is looked up under: its distribution release's for OS packages, its
// registry's OSV name for the others; empty when there is none.
std::string lookupEcosystem(const std::string& os_ecosystem, const model::Package& package) {
  return model::isOsPackage(package.type) ? os_ecosystem
                                          : std::string(model::ecosystemNames(package.type).osv);
}

}  // namespace

bool isAffected(const model::AffectedPackage& affected, std::string_view version, CompareFn compare,
                std::string* explanation) {
  for (const auto& listed : affected.versions) {
    if (compare(version, listed) == 0) {
      if (explanation != nullptr) *explanation = fmt::format("version {} is listed", listed);
      return true;
    }
  }
  if (affected.ranges.empty()) {
    // A statement without ranges: a fixed version alone, or "all versions" for an open issue.
    if (!affected.fixed_version.empty()) {
      const bool below = compare(version, affected.fixed_version) < 0;
      if (explanation != nullptr) {
        *explanation = fmt::format("{} {} {}", version, below ? "<" : ">=", affected.fixed_version);
      }
      return below;
    }
    if (explanation != nullptr) *explanation = "every version (no fix recorded)";
    return affected.versions.empty();
  }
  for (const auto& range : affected.ranges) {
    if (range.type == model::VersionRange::Type::Git) continue;
    // OSV evaluation: walk the events in version order; "introduced" opens, "fixed" and
    // "limit" close at their version, "last_affected" closes after its version.
    std::vector<const RangeEvent*> events;
    for (const auto& event : range.events) events.push_back(&event);
    std::stable_sort(events.begin(), events.end(), [&](const RangeEvent* a, const RangeEvent* b) {
      if (a->version == b->version) return false;
      if (a->version == "0") return true;
      if (b->version == "0") return false;
      return compare(a->version, b->version) < 0;
    });
    bool inside = false;
    const RangeEvent* opened_by = nullptr;
    for (const RangeEvent* event : events) {
      const bool zero = event->kind == RangeEvent::Kind::Introduced && event->version == "0";
      const int order = zero ? 1 : compare(version, event->version);
      if (event->kind == RangeEvent::Kind::LastAffected) {
        if (order > 0) inside = false;
        continue;
      }
      if (order < 0) break;
      if (event->kind == RangeEvent::Kind::Introduced) {
        inside = true;
        opened_by = event;
      } else {
        inside = false;  // fixed or limit at or below the installed version
      }
    }
    if (inside) {
      if (explanation != nullptr) {
        std::string upper;
        for (const RangeEvent* event : events) {
          if (event->kind == RangeEvent::Kind::Fixed && compare(version, event->version) < 0) {
            upper = event->version;
            break;
          }
        }
        *explanation =
            fmt::format("{} in [{}, {})", version, opened_by != nullptr ? opened_by->version : "0",
                        upper.empty() ? std::string("no fix") : upper);
      }
      return true;
    }
  }
  return false;
}

bool touchedBy(const model::Inventory& inventory, const vulndb::BuildChanges& changes) {
  if (changes.size() == 0) return false;
  const std::string os_ecosystem = vulndb::osEcosystem(inventory.distro);
  for (const auto& package : inventory.packages) {
    const std::string ecosystem = lookupEcosystem(os_ecosystem, package);
    if (ecosystem.empty()) continue;
    for (const auto& lookup : feedNames(package)) {
      if (changes.touches(ecosystem, lookup.name)) return true;
    }
  }
  return false;
}

core::Result<std::vector<model::Finding>> matchInventory(const vulndb::Database& database,
                                                         const model::Inventory& inventory,
                                                         core::Diagnostics& diagnostics) {
  // OS packages: the distribution release's own statements; language packages: the
  // registry's (OSV ecosystem names). Both through the same range evaluation.
  const std::string os_ecosystem = vulndb::osEcosystem(inventory.distro);
  std::vector<model::Finding> findings;
  bool os_unknown_reported = false;
  std::map<model::PackageType, bool> no_scheme_reported;
  // (package index, vulnerability id) → finding, and the rank of the source that decided it.
  struct Merged {
    model::Finding finding;
    int rank = 100;
  };
  std::map<std::pair<std::size_t, std::string>, Merged> merged;
  std::map<std::pair<std::string, std::string>, std::vector<vulndb::AffectedRecord>> cache;
  auto add_unique = [](std::vector<std::string>& list, const std::string& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
  };
  for (std::size_t i = 0; i < inventory.packages.size(); ++i) {
    const auto& package = inventory.packages[i];
    // The project itself (a package.json's own name and version) is the user's code, not a
    // registry package: a registry package of the same name and version is another thing.
    if (package.relationship == model::Relationship::Root) continue;
    const std::string ecosystem = lookupEcosystem(os_ecosystem, package);
    if (ecosystem.empty()) {
      if (!os_unknown_reported) {
        diagnostics.add("match.unknown-os", inventory.target.name,
                        "the distribution is unknown: OS packages were not matched");
        os_unknown_reported = true;
      }
      continue;
    }
    const version::SchemeInfo* scheme = schemeFor(package.type);
    if (scheme == nullptr) {
      if (!no_scheme_reported[package.type]) {
        diagnostics.add("match.no-version-scheme", inventory.target.name,
                        fmt::format("no version scheme for {} packages: they were not matched",
                                    model::toString(package.type)));
        no_scheme_reported[package.type] = true;
      }
      continue;
    }
    std::vector<const vulndb::AffectedRecord*> candidates;
    for (const auto& lookup : feedNames(package)) {
      auto key = std::make_pair(ecosystem, lookup.name);
      auto cached = cache.find(key);
      if (cached == cache.end()) {
        auto records = database.affecting(ecosystem, lookup.name);
        if (!records) return tl::unexpected(records.error());
        cached = cache.emplace(std::move(key), std::move(*records)).first;
      }
      for (const auto& record : cached->second) {
        if (lookup.source_rpm && !sourceRpmStatement(inventory.distro.id, record.source)) continue;
        candidates.push_back(&record);
      }
    }
    const std::string installed = package.fullVersion();
    const CompareFn compare = scheme->compare;
    for (const auto* candidate : candidates) {
      const auto& record = *candidate;
      const std::string& name = record.affected.name;
      const auto& affected = record.affected;
      if (affected.status == AffectedStatus::NotAffected) continue;
      if (!affected.arches.empty() && std::find(affected.arches.begin(), affected.arches.end(),
                                                package.arch) == affected.arches.end()) {
        continue;
      }
      if (!affected.module_stream.empty() &&
          package.modularity_label.rfind(affected.module_stream, 0) != 0) {
        continue;
      }
      std::string why;
      if (!isAffected(affected, installed, compare, &why)) continue;

      // One finding per CVE: a DSA naming three CVEs is three findings, each citing the DSA.
      std::vector<std::string> ids;
      if (isCve(record.advisory_id)) {
        ids.push_back(record.advisory_id);
      } else {
        for (const auto& alias : record.aliases) {
          if (isCve(alias)) ids.push_back(alias);
        }
        if (ids.empty()) ids.push_back(record.advisory_id);
      }
      const int rank = rankSource(record.source);
      for (const auto& id : ids) {
        auto& entry = merged[{i, id}];
        auto& finding = entry.finding;
        if (finding.vulnerability_id.empty()) {
          finding.vulnerability_id = id;
          finding.package_index = i;
          finding.package_name = package.name;
          finding.installed_version = installed;
        }
        if (record.advisory_id != id) add_unique(finding.aliases, record.advisory_id);
        for (const auto& alias : record.aliases) {
          if (alias != id && !isCve(alias)) add_unique(finding.aliases, alias);
        }
        add_unique(finding.data_sources, record.source);
        if (rank < entry.rank) {
          // The most authoritative statement decides status, fix, severity and explanation.
          entry.rank = rank;
          finding.status = affected.status;
          if (!affected.fixed_version.empty()) finding.fixed_version = affected.fixed_version;
          finding.urgency = affected.urgency;
          if (affected.severity != model::Severity::Unknown) {
            finding.severity = affected.severity;
            finding.severity_source = record.source;
          } else if (record.advisory_severity != model::Severity::Unknown) {
            finding.severity = record.advisory_severity;
            finding.severity_source = record.source;
          }
          finding.explanation = fmt::format(
              "{} {} says {} {} is {} ({}); installed {} ({} comparison: {})", record.source,
              record.advisory_id, ecosystem, name, model::toString(affected.status),
              affected.fixed_version.empty() ? "no fixed version"
                                             : "fixed in " + affected.fixed_version,
              installed, scheme->name, why);
        } else if (finding.fixed_version.empty() && !affected.fixed_version.empty()) {
          finding.fixed_version = affected.fixed_version;
        }
      }
    }
  }
  findings.reserve(merged.size());
  for (auto& [key, entry] : merged) {
    // A fix named by any source is a fix: the status says so even when the statement that
    // ranked first (an older tracker entry) still said "needed".
    if (!entry.finding.fixed_version.empty()) entry.finding.status = AffectedStatus::Fixed;
    findings.push_back(std::move(entry.finding));
  }
  return findings;
}

}  // namespace bulwark::match
