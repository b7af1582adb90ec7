// CycloneDX 1.5 of a scan: the inventory's BOM plus its vulnerabilities (docs/scan-formats.md).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/sbom_ids.h"
#include "report/scan_formats.h"
#include "report/scan_report.h"

namespace bulwark::report {

namespace detail {

std::string escapeReference(std::string_view text, bool iri) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool forbidden = u <= 0x20 || u == 0x7f || (u >= 0x80 && !iri) ||
                           std::string_view("\"<>{}|\\^`").find(c) != std::string_view::npos;
    if (forbidden) {
      out += fmt::format("%{:02X}", u);
    } else {
      out += c;
    }
  }
  return out;
}

std::string vulnerabilityUrl(std::string_view source, std::string_view id) {
  const std::string vuln = escapeReference(id, false);
  const bool cve = id.starts_with("CVE-");
  auto from = [&](std::string_view prefix) { return source.starts_with(prefix); };
  if (from("debian-")) return "https://security-tracker.debian.org/tracker/" + vuln;
  if (from("ubuntu") && cve) return "https://ubuntu.com/security/" + vuln;
  if (from("alpine-secdb") && cve) return "https://security.alpinelinux.org/vuln/" + vuln;
  if (from("redhat-") && cve) return "https://access.redhat.com/security/cve/" + vuln;
  if (from("suse-") && cve) return "https://www.suse.com/security/cve/" + vuln;
  if (from("osv")) return "https://osv.dev/vulnerability/" + vuln;
  if ((from("nvd") || from("cve5")) && cve) return "https://nvd.nist.gov/vuln/detail/" + vuln;
  return {};
}

}  // namespace detail

namespace {

using Json = nlohmann::ordered_json;

std::string_view cdxSeverity(model::Severity severity) {
  switch (severity) {
    case model::Severity::Critical: return "critical";
    case model::Severity::High: return "high";
    case model::Severity::Medium: return "medium";
    case model::Severity::Low: return "low";
    case model::Severity::Negligible: return "info";
    case model::Severity::Unknown: break;
  }
  return "unknown";
}

// The CVSS qualitative rating of a base score (v3 and v4 share the bands; v2 has none of its
// own, and the v3 bands are what NVD shows next to v2 scores).
std::string_view cvssSeverity(double score) {
  if (score >= 9.0) return "critical";
  if (score >= 7.0) return "high";
  if (score >= 4.0) return "medium";
  if (score > 0.0) return "low";
  return "none";
}

// The scoring method of a canonical vector (vulndb::cvss: v2 vectors carry no prefix).
std::string_view cvssMethod(std::string_view vector) {
  if (vector.starts_with("CVSS:4.0/")) return "CVSSv4";
  if (vector.starts_with("CVSS:3.1/")) return "CVSSv31";
  if (vector.starts_with("CVSS:3.0/")) return "CVSSv3";
  if (vector.find("Au:") != std::string_view::npos) return "CVSSv2";
  return "other";
}

// Who publishes an alias, from its prefix: the `references` entries need a source.
Json aliasSource(const std::string& alias, const std::string& fallback_source) {
  const std::string escaped = detail::escapeReference(alias, false);
  auto source = [](std::string_view name, const std::string& url) {
    Json s{{"name", name}};
    if (!url.empty()) s["url"] = url;
    return s;
  };
  if (alias.starts_with("CVE-")) {
    return source("nvd", "https://nvd.nist.gov/vuln/detail/" + escaped);
  }
  if (alias.starts_with("DSA-") || alias.starts_with("DLA-")) {
    return source("debian", "https://security-tracker.debian.org/tracker/" + escaped);
  }
  if (alias.starts_with("USN-")) {
    return source("ubuntu", "https://ubuntu.com/security/notices/" + escaped);
  }
  if (alias.starts_with("RHSA-") || alias.starts_with("RHBA-") || alias.starts_with("RHEA-")) {
    return source("redhat", "https://access.redhat.com/errata/" + escaped);
  }
  if (alias.starts_with("GHSA-")) return source("ghsa", "https://github.com/advisories/" + escaped);
  return source(fallback_source.empty() ? "unknown" : fallback_source,
                detail::vulnerabilityUrl(fallback_source, alias));
}

// A VEX justification in CycloneDX's words (analysis.justification), or "" where CycloneDX has
// none for it. CycloneDX's own values pass; OpenVEX / CSAF labels map as CISA's status
// justifications do; "vulnerable_code_cannot_be_controlled_by_adversary" has no counterpart
// and stays in the detail text only.
std::string_view cdxJustification(std::string_view justification) {
  static constexpr std::string_view kCycloneDx[] = {
      "code_not_present",     "code_not_reachable",     "requires_configuration",
      "requires_dependency",  "requires_environment",   "protected_by_compiler",
      "protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control",
  };
  for (const auto value : kCycloneDx) {
    if (value == justification) return value;
  }
  if (justification == "component_not_present" || justification == "vulnerable_code_not_present") {
    return "code_not_present";
  }
  if (justification == "vulnerable_code_not_in_execute_path") return "code_not_reachable";
  if (justification == "inline_mitigations_already_exist") return "protected_by_mitigating_control";
  return {};
}

// The distribution's decision, where CycloneDX has a word for it (see docs/scan-formats.md),
// and for a suppressed finding shown with --show-suppressed, the suppression: a VEX
// "not_affected" and every ignore-file entry → state "not_affected" (what VEX consumers such as
// Dependency-Track read as "does not count"; the detail says it was an ignore-file entry), a
// VEX "fixed" → "resolved"; the justification mapped by cdxJustification(). Null when there is
// nothing to say. The status itself is always in the properties.
Json analysisOf(const model::Finding& f, const model::Suppression* why) {
  std::string state;
  Json response;
  switch (f.status) {
    case model::AffectedStatus::Fixed: response = Json::array({"update"}); break;
    case model::AffectedStatus::WillNotFix: response = Json::array({"will_not_fix"}); break;
    case model::AffectedStatus::EndOfLife: response = Json::array({"can_not_fix"}); break;
    case model::AffectedStatus::UnderInvestigation: state = "in_triage"; break;
    case model::AffectedStatus::NotAffected: state = "not_affected"; break;
    case model::AffectedStatus::Affected:
    case model::AffectedStatus::FixDeferred: break;
  }
  if (why == nullptr && state.empty() && response.is_null()) return nullptr;
  std::string detail;
  std::string_view justification;
  if (why != nullptr) {
    state = why->status == "fixed" ? "resolved" : "not_affected";
    if (state == "not_affected") justification = cdxJustification(why->justification);
    if (why->by == "ignorefile") {
      detail = "ignored by " + why->where;
    } else {
      detail = why->status + (why->justification.empty() ? "" : " (" + why->justification + ")") +
               " according to " + why->where;
    }
    if (!why->reason.empty()) detail += ": " + why->reason;
    detail += "; distribution ";
  }
  detail += "status " + std::string(model::toString(f.status));
  if (!f.fixed_version.empty()) detail += ", fixed in " + f.fixed_version;
  if (!f.urgency.empty()) detail += ", urgency " + f.urgency;
  if (!f.data_sources.empty()) detail += " (" + f.data_sources.front() + ")";
  Json analysis;
  if (!state.empty()) analysis["state"] = state;
  if (!justification.empty()) analysis["justification"] = justification;
  if (!response.is_null()) analysis["response"] = std::move(response);
  analysis["detail"] = detail;
  return analysis;
}

// "CWE-79" → 79 (ids are normalised when stored: "CWE-" and up to nine digits).
std::optional<std::int64_t> cweNumber(std::string_view id) {
  if (!id.starts_with("CWE-") || id.size() == 4 || id.size() > 13) return std::nullopt;
  std::int64_t number = 0;
  for (const char c : id.substr(4)) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + (c - '0');
  }
  return number;
}

Json vulnerabilityOf(const model::Finding& f, const model::Suppression* why,
                     const std::string& component_ref, const std::string& bom_ref) {
  Json v;
  v["bom-ref"] = bom_ref;
  v["id"] = f.vulnerability_id;
  const std::string primary_source = f.data_sources.empty() ? "" : f.data_sources.front();
  if (!primary_source.empty()) {
    v["source"]["name"] = primary_source;
    const auto url = detail::vulnerabilityUrl(primary_source, f.vulnerability_id);
    if (!url.empty()) v["source"]["url"] = url;
  }
  if (!f.aliases.empty()) {
    Json references = Json::array();
    for (const auto& alias : f.aliases) {
      references.push_back(Json{{"id", alias}, {"source", aliasSource(alias, primary_source)}});
    }
    v["references"] = std::move(references);
  }
  Json ratings = Json::array();
  Json verdict;  // bulwark's severity and who it came from
  if (!f.severity_source.empty()) verdict["source"]["name"] = f.severity_source;
  verdict["severity"] = cdxSeverity(f.severity);
  verdict["method"] = "other";
  ratings.push_back(std::move(verdict));
  if (f.score) {
    Json cvss;
    cvss["score"] = *f.score;
    cvss["severity"] = cvssSeverity(*f.score);
    cvss["method"] = cvssMethod(f.vector);
    if (!f.vector.empty()) cvss["vector"] = f.vector;
    ratings.push_back(std::move(cvss));
  }
  v["ratings"] = std::move(ratings);
  Json cwes = Json::array();
  for (const auto& id : f.cwes) {
    if (const auto number = cweNumber(id)) cwes.push_back(*number);
  }
  if (!cwes.empty()) v["cwes"] = std::move(cwes);
  if (!f.title.empty()) v["description"] = f.title;
  if (!f.remediation.empty()) v["recommendation"] = f.remediation;
  if (!f.references.empty()) {
    Json advisories = Json::array();
    for (const auto& ref : f.references)
      advisories.push_back(Json{{"url", detail::escapeReference(ref, true)}});
    v["advisories"] = std::move(advisories);
  }
  if (Json analysis = analysisOf(f, why); !analysis.is_null()) v["analysis"] = std::move(analysis);
  // A suppression says the target is not affected (or has the fix): bulwark's verdict.
  const std::string_view version_status =
      f.status == model::AffectedStatus::NotAffected || why != nullptr ? "unaffected" : "affected";
  v["affects"] = Json::array({Json{{"ref", component_ref},
                                   {"versions", Json::array({Json{{"version", f.installed_version},
                                                                  {"status", version_status}}})}}});
  Json properties = Json::array();
  auto prop = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) properties.push_back(Json{{"name", name}, {"value", value}});
  };
  prop("bulwark:status", std::string(model::toString(f.status)));
  prop("bulwark:fixed_version", f.fixed_version);
  prop("bulwark:urgency", f.urgency);
  prop("bulwark:severity", std::string(model::toString(f.severity)));
  prop("bulwark:severity_source", f.severity_source);
  for (const auto& source : f.data_sources) prop("bulwark:data_source", source);
  prop("bulwark:explanation", f.explanation);
  if (why != nullptr) {
    prop("bulwark:suppressed_by", why->by);
    prop("bulwark:suppression_rule", why->where);
  }
  v["properties"] = std::move(properties);
  return v;
}

}  // namespace

std::string renderScanCycloneDx(const model::ScanReport& report, const ScanVerdicts& verdicts,
                                const RenderOptions& options) {
  const auto& inventory = report.inventory;
  const auto& counted = verdicts.counted;
  // The inventory's BOM exactly as `bulwark sbom -f cyclonedx` writes it, then extended.
  Json doc = Json::parse(renderCycloneDx(inventory, options));
  const std::size_t n = std::min(counted.size(), report.findings.size());
  const bool show_suppressed =
      verdicts.show_suppressed && verdicts.suppressions.size() == report.findings.size();

  std::string seed = detail::contentSeed(inventory) + "vulnerabilities\n" + report.db_build_id;
  Json vulnerabilities = Json::array();
  std::set<std::string> bom_refs;
  for (std::size_t i = 0; i < n; ++i) {
    const model::Suppression* why = nullptr;
    if (!counted[i]) {
      if (!show_suppressed || !verdicts.suppressions[i].suppressed) continue;
      why = &verdicts.suppressions[i];
    }
    const auto& f = report.findings[i];
    if (f.package_index >= inventory.packages.size()) continue;
    const std::string component_ref =
        detail::cycloneDxBomRef(inventory.packages[f.package_index], inventory.distro);
    std::string bom_ref = "vulnerability:" + f.vulnerability_id + ":" + component_ref;
    // Two findings of one id in one component (two feeds that disagree): both stay, apart.
    for (std::size_t k = 2; bom_refs.contains(bom_ref); ++k) {
      bom_ref = fmt::format("vulnerability:{}:{}:{}", f.vulnerability_id, component_ref, k);
    }
    bom_refs.insert(bom_ref);
    seed += "\n" + bom_ref + "\t" + f.fixed_version + "\t" + std::string(model::toString(f.status));
    vulnerabilities.push_back(vulnerabilityOf(f, why, component_ref, bom_ref));
  }
  // A scan is another document than the inventory's BOM: its own serial number.
  doc["serialNumber"] = "urn:uuid:" + detail::stableUuid(seed);
  Json properties = Json::array();
  if (!report.db_build_id.empty()) {
    properties.push_back(
        Json{{"name", "bulwark:database:build_id"}, {"value", report.db_build_id}});
  }
  if (!report.db_built_at.empty()) {
    properties.push_back(
        Json{{"name", "bulwark:database:built_at"}, {"value", report.db_built_at}});
  }
  if (!properties.empty()) doc["metadata"]["properties"] = std::move(properties);
  doc["vulnerabilities"] = std::move(vulnerabilities);
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string renderScanCycloneDx(const model::ScanReport& report, const std::vector<bool>& counted,
                                const RenderOptions& options) {
  const std::vector<model::Suppression> none;
  return renderScanCycloneDx(report, ScanVerdicts{counted, none, false}, options);
}

}  // namespace bulwark::report
