#include "report/scan_report.h"

#include <algorithm>
#include <array>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "model/purl.h"
#include "report/scan_extras.h"

namespace bulwark::report {

namespace {

constexpr std::array<model::Severity, 6> kOrder = {
    model::Severity::Critical, model::Severity::High,       model::Severity::Medium,
    model::Severity::Low,      model::Severity::Negligible, model::Severity::Unknown};

const char* colorOf(model::Severity severity) {
  switch (severity) {
    case model::Severity::Critical: return "\033[1;31m";
    case model::Severity::High: return "\033[31m";
    case model::Severity::Medium: return "\033[33m";
    case model::Severity::Low: return "\033[36m";
    default: return "\033[2m";
  }
}

std::string counts(const std::map<model::Severity, std::size_t>& by_severity) {
  std::string out;
  for (const auto severity : kOrder) {
    const auto it = by_severity.find(severity);
    if (it == by_severity.end()) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", it->second, model::toString(severity));
  }
  return out.empty() ? "none" : out;
}

using Json = nlohmann::ordered_json;

// A finding of `inventory`; a package index out of range (a stored finding decoded without its
// inventory) keeps only what the finding itself says of the package.
Json findingJson(const model::Inventory& inventory, const model::Finding& f) {
  Json j;
  j["id"] = f.vulnerability_id;
  j["aliases"] = f.aliases;
  if (f.package_index < inventory.packages.size()) {
    const auto& p = inventory.packages[f.package_index];
    j["package"] = {{"name", p.name},
                    {"type", model::toString(p.type)},
                    {"source_name", p.source_name},
                    {"installed_version", f.installed_version},
                    {"purl", model::purl(p, inventory.distro)},
                    {"location", {{"layer", p.location.layer_digest}, {"path", p.location.path}}}};
  } else {
    j["package"] = {{"name", f.package_name}, {"installed_version", f.installed_version}};
  }
  j["status"] = model::toString(f.status);
  if (!f.fixed_version.empty()) j["fixed_version"] = f.fixed_version;
  j["severity"] = model::toString(f.severity);
  if (!f.severity_source.empty()) j["severity_source"] = f.severity_source;
  if (!f.urgency.empty()) j["urgency"] = f.urgency;
  if (f.score) j["cvss"] = {{"score", *f.score}, {"vector", f.vector}};
  if (!f.title.empty()) j["title"] = f.title;
  j["data_sources"] = f.data_sources;
  j["explanation"] = f.explanation;
  j["remediation"] = f.remediation;
  if (!f.references.empty()) j["references"] = f.references;
  if (!f.cwes.empty()) j["cwes"] = f.cwes;
  return j;
}

std::size_t suppressedCount(const ScanVerdicts& verdicts, std::size_t findings) {
  if (verdicts.suppressions.size() != findings) return 0;
  return static_cast<std::size_t>(
      std::count_if(verdicts.suppressions.begin(), verdicts.suppressions.end(),
                    [](const model::Suppression& s) { return s.suppressed; }));
}

// The "Suppressed" section of the table: each suppressed finding, grouped by package, with the
// rule that suppressed it and its reason.
std::string suppressedTable(const model::ScanReport& report, const ScanVerdicts& verdicts,
                            const RenderOptions& options) {
  std::string out = fmt::format("\n{}Suppressed{} ({})\n", options.color ? "\033[1m" : "",
                                options.color ? "\033[0m" : "",
                                suppressedCount(verdicts, report.findings.size()));
  std::size_t last_package = static_cast<std::size_t>(-1);
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    const auto& why = verdicts.suppressions[i];
    if (!why.suppressed) continue;
    const auto& f = report.findings[i];
    if (f.package_index != last_package) {
      const auto& p = report.inventory.packages[f.package_index];
      out += fmt::format("  {} {}\n", core::printable(p.name), core::printable(p.fullVersion()));
      last_package = f.package_index;
    }
    std::string rule = core::printable(why.where.empty() ? why.by : why.where);
    if (!why.justification.empty()) rule += ", " + core::printable(why.justification);
    out += fmt::format(
        "    {:<10} {:<18} {} ({}){}\n", model::toString(f.severity),
        core::printable(f.vulnerability_id), why.status, rule,
        why.reason.empty() ? std::string() : ": " + core::printable(why.reason.substr(0, 120)));
  }
  return out;
}

}  // namespace

std::string renderScanTable(const model::ScanReport& report, const std::vector<bool>& counted,
                            const RenderOptions& options) {
  const std::vector<model::Suppression> none;
  return renderScanTable(report, ScanVerdicts{counted, none, false}, options);
}

std::string renderScanTable(const model::ScanReport& report, const ScanVerdicts& verdicts,
                            const RenderOptions& options) {
  const auto& counted = verdicts.counted;
  const auto& inventory = report.inventory;
  std::string out = fmt::format("{} ({}), {} {}: {} packages\n",
                                core::printable(inventory.target.name), inventory.target.kind,
                                inventory.distro.id.empty() ? "unknown OS" : inventory.distro.id,
                                inventory.distro.version_id, inventory.packages.size());
  std::string extras;
  if (detail::ran(report, "secret")) extras += detail::secretsTable(report.secrets, options);
  if (detail::ran(report, "malware")) extras += detail::malwareTable(report.malware, options);
  if (detail::ran(report, "config")) {
    extras += detail::misconfigurationsTable(report.misconfigurations, options);
  }
  if (!detail::ran(report, "vuln")) return out + extras;
  std::map<model::Severity, std::size_t> total;
  std::size_t shown = 0;
  std::size_t fixable = 0;
  std::size_t i = 0;
  while (i < report.findings.size()) {
    const std::size_t package = report.findings[i].package_index;
    std::size_t end = i;
    std::map<model::Severity, std::size_t> by_severity;
    while (end < report.findings.size() && report.findings[end].package_index == package) {
      if (counted[end]) ++by_severity[report.findings[end].severity];
      ++end;
    }
    if (!by_severity.empty()) {
      const auto& p = inventory.packages[package];
      out += fmt::format("\n{}{} {}{}  ({})\n", options.color ? "\033[1m" : "",
                         core::printable(p.name), core::printable(p.fullVersion()),
                         options.color ? "\033[0m" : "", counts(by_severity));
      for (std::size_t k = i; k < end; ++k) {
        if (!counted[k]) continue;
        const auto& f = report.findings[k];
        ++shown;
        fixable += f.fixed_version.empty() ? 0 : 1;
        ++total[f.severity];
        const std::string severity(model::toString(f.severity));
        out +=
            fmt::format("  {}{:<10}{} {:<18} {:<20} {}\n", options.color ? colorOf(f.severity) : "",
                        severity, options.color ? "\033[0m" : "", f.vulnerability_id,
                        f.fixed_version.empty() ? std::string(model::toString(f.status))
                                                : "fixed " + core::printable(f.fixed_version),
                        core::printable(f.title.substr(0, 80)));
      }
    }
    i = end;
  }
  const std::size_t suppressed = suppressedCount(verdicts, report.findings.size());
  if (verdicts.show_suppressed && suppressed > 0) out += suppressedTable(report, verdicts, options);
  out += extras;
  out += fmt::format("\n{} vulnerabilities ({}), {} with a fix{}; database {} built {}\n", shown,
                     counts(total), fixable,
                     suppressed > 0 ? fmt::format(", {} suppressed", suppressed) : std::string(),
                     report.db_build_id, report.db_built_at);
  return out;
}

std::string renderScanJson(const model::ScanReport& report, const std::vector<bool>& counted,
                           const RenderOptions& options) {
  const std::vector<model::Suppression> none;
  return renderScanJson(report, ScanVerdicts{counted, none, false}, options);
}

std::string renderScanJson(const model::ScanReport& report, const ScanVerdicts& verdicts,
                           const RenderOptions& options) {
  const auto& counted = verdicts.counted;
  const auto inventory_json = Json::parse(renderJson(report.inventory, options));
  Json doc;
  doc["schema"] = "bulwark.scan/v1";
  doc["bulwark_version"] = options.tool_version;
  if (!report.scanners.empty()) doc["scanners"] = report.scanners;
  doc["database"] = {{"build_id", report.db_build_id}, {"built_at", report.db_built_at}};
  doc["target"] = inventory_json["target"];
  doc["distro"] = inventory_json["distro"];
  Json findings = Json::array();
  for (std::size_t i = 0; i < report.findings.size(); ++i) {
    if (counted[i]) findings.push_back(findingJson(report.inventory, report.findings[i]));
  }
  doc["findings"] = std::move(findings);
  if (verdicts.show_suppressed && suppressedCount(verdicts, report.findings.size()) > 0) {
    Json suppressed = Json::array();
    for (std::size_t i = 0; i < report.findings.size(); ++i) {
      const auto& why = verdicts.suppressions[i];
      if (!why.suppressed) continue;
      Json j = findingJson(report.inventory, report.findings[i]);
      Json suppression;
      suppression["by"] = why.by;
      suppression["status"] = why.status;
      if (!why.justification.empty()) suppression["justification"] = why.justification;
      if (!why.reason.empty()) suppression["reason"] = why.reason;
      suppression["rule"] = why.where;
      j["suppression"] = std::move(suppression);
      suppressed.push_back(std::move(j));
    }
    doc["suppressed"] = std::move(suppressed);
  }
  if (detail::ran(report, "secret")) doc["secrets"] = detail::secretsJson(report.secrets);
  if (detail::ran(report, "malware")) doc["malware"] = detail::malwareJson(report.malware);
  if (detail::ran(report, "config")) {
    Json results = Json::array();
    for (const auto& r : report.misconfigurations) results.push_back(detail::checkResultJson(r));
    doc["misconfigurations"] = std::move(results);
  }
  Json diagnostics = inventory_json["diagnostics"];
  for (const auto& d : report.diagnostics) {
    diagnostics.push_back(Json{{"kind", d.kind}, {"where", d.where}, {"detail", d.detail}});
  }
  doc["diagnostics"] = std::move(diagnostics);
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string findingJsonText(const model::Finding& finding, const model::Inventory& inventory,
                            bool with_package_index) {
  Json j = findingJson(inventory, finding);
  if (with_package_index) j["package_index"] = finding.package_index;
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace bulwark::report
