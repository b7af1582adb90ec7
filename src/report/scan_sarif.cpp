// SARIF 2.1.0 of a scan, in the subset GitHub code scanning reads (docs/scan-formats.md).
#include <algorithm>
#include <cstddef>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "model/purl.h"
#include "report/scan_formats.h"
#include "report/scan_report.h"

namespace bulwark::report {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kSarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";
// bulwark has no public home page yet: a reserved name, never resolved.
constexpr std::string_view kInformationUri = "https://bulwark.invalid/docs/scan-formats.md";
constexpr std::string_view kFingerprintKey = "bulwarkFindingHash/v1";

// GitHub: critical and high are errors, medium a warning, the rest notes.
std::string_view levelOf(model::Severity severity) {
  switch (severity) {
    case model::Severity::Critical:
    case model::Severity::High: return "error";
    case model::Severity::Medium: return "warning";
    default: return "note";
  }
}

// The CVSS v3/v4 qualitative band a score falls in.
model::Severity bandOf(double score) {
  if (score >= 9.0) return model::Severity::Critical;
  if (score >= 7.0) return model::Severity::High;
  if (score >= 4.0) return model::Severity::Medium;
  if (score > 0.0) return model::Severity::Low;
  return model::Severity::Negligible;
}

// GitHub reads `security-severity` (0.0-10.0) to rank alerts critical (>= 9.0), high (>= 7.0),
// medium (>= 4.0) or low. It says bulwark's severity: the CVSS score when the score lies in
// that severity's band (the usual case), else a score in the middle of the band, so that GitHub
// never ranks an alert differently from `bulwark scan`. Unknown severity: no value.
std::optional<double> securitySeverity(const model::Finding& f) {
  if (f.score && bandOf(*f.score) == f.severity) return *f.score;
  switch (f.severity) {
    case model::Severity::Critical: return 9.5;
    case model::Severity::High: return 8.0;
    case model::Severity::Medium: return 5.5;
    case model::Severity::Low: return 2.0;
    case model::Severity::Negligible: return 0.1;
    case model::Severity::Unknown: break;
  }
  return std::nullopt;
}

// Relative URI reference of a path inside the image root (RFC 3986: unreserved characters and
// '/' stay, everything else is percent-encoded, ':' too so no segment reads as a scheme).
std::string uriOfPath(std::string_view path) {
  std::string out;
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    const bool keep = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

// Text for GitHub's markdown: characters with a meaning there are escaped, line breaks become
// spaces (a cell of a table must stay on one line).
std::string markdownEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    if (std::string_view("\\`*_[]<>|~").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string fixedOrStatus(const model::Finding& f) {
  return f.fixed_version.empty() ? "none (" + std::string(model::toString(f.status)) + ")"
                                 : f.fixed_version;
}

// CWE ids in number order: "CWE-" then a number without leading zeros (normalizeCwes), so
// shorter is smaller and equal lengths compare as text.
struct CweOrder {
  bool operator()(const std::string& a, const std::string& b) const {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  }
};

// One rule per vulnerability id, from the reported findings (counted, and suppressed ones when
// they are shown) that carry it.
struct Rule {
  std::string id;
  std::string title;
  std::set<std::string> aliases;
  std::set<std::string, CweOrder> cwes;
  std::vector<std::string> references;  // in the findings' order, each once
  std::set<std::string> seen_references;
  model::Severity severity = model::Severity::Unknown;
  std::optional<double> security_severity;
  std::vector<const model::Finding*> findings;
};

std::string helpText(const Rule& rule, const model::Inventory& inventory) {
  std::string text = rule.id + (rule.title.empty() ? "" : ": " + rule.title) + "\n";
  if (!rule.aliases.empty()) {
    text += "Also known as:";
    for (const auto& alias : rule.aliases) text += " " + alias;
    text += "\n";
  }
  text += fmt::format("Severity: {}\n\nAffected packages and remediation:\n",
                      model::toString(rule.severity));
  for (const auto* f : rule.findings) {
    const auto& p = inventory.packages[f->package_index];
    text += fmt::format("- {} {} ({}), fixed version {}: {}\n", p.name, f->installed_version,
                        p.location.path, fixedOrStatus(*f), f->remediation);
  }
  if (!rule.references.empty()) {
    text += "\nReferences:\n";
    for (const auto& ref : rule.references) text += "- " + ref + "\n";
  }
  return text;
}

std::string helpMarkdown(const Rule& rule, const model::Inventory& inventory) {
  std::string md = "**" + markdownEscape(rule.id) + "**" +
                   (rule.title.empty() ? "" : " " + markdownEscape(rule.title)) + "\n\n";
  if (!rule.aliases.empty()) {
    md += "Also known as:";
    for (const auto& alias : rule.aliases) md += " " + markdownEscape(alias);
    md += "\n\n";
  }
  md += "| Package | Installed version | Fixed version | Severity | Remediation |\n";
  md += "| --- | --- | --- | --- | --- |\n";
  for (const auto* f : rule.findings) {
    const auto& p = inventory.packages[f->package_index];
    md += fmt::format("| {} | {} | {} | {} | {} |\n", markdownEscape(p.name),
                      markdownEscape(f->installed_version), markdownEscape(fixedOrStatus(*f)),
                      model::toString(f->severity), markdownEscape(f->remediation));
  }
  if (!rule.references.empty()) {
    md += "\nReferences:\n";
    for (const auto& ref : rule.references) {
      // Autolinks take no backslash escapes: a web reference goes in percent-encoded.
      const bool web = ref.starts_with("https://") || ref.starts_with("http://");
      md += "- " + (web ? "<" + detail::escapeReference(ref, true) + ">" : markdownEscape(ref)) +
            "\n";
    }
  }
  return md;
}

std::string resultMessage(const model::Finding& f, const model::Package& p) {
  std::string text = fmt::format("Package: {}\nInstalled version: {}\nVulnerability: {}\n", p.name,
                                 f.installed_version, f.vulnerability_id);
  text += fmt::format("Severity: {}\nStatus: {}\nFixed version: {}\n", model::toString(f.severity),
                      model::toString(f.status), fixedOrStatus(f));
  if (!f.remediation.empty()) text += f.remediation + "\n";
  return text;
}

std::string scoreText(double score) { return fmt::format("{:.1f}", score); }

// The scanners besides vulnerabilities (`--scanners secret,malware,config`): one rule per
// secret rule, malware rule and check, one result per secret, malware finding and failed
// check, located at the file (and line) where it is.
struct ExtraRule {
  std::string id;  // "secret/aws-access-key-id", "malware/xmrig-config", "config/BW-IMG-001"
  std::string title;
  model::Severity severity = model::Severity::Unknown;
  std::string tag;  // "secret", "malware", "misconfiguration"
  std::string help;
};

Json extraLocation(std::string_view path, std::uint32_t line, std::string_view layer,
                   const Json& logical_target) {
  Json location;
  location["physicalLocation"]["artifactLocation"]["uri"] = uriOfPath(path);
  location["physicalLocation"]["region"]["startLine"] = std::max<std::uint32_t>(line, 1);
  if (!layer.empty()) location["message"]["text"] = fmt::format("in layer {}", layer);
  location["logicalLocations"] = Json::array({logical_target});
  return location;
}

void appendExtras(const model::ScanReport& report, const Json& logical_target, Json& rules_json,
                  Json& results) {
  std::map<std::string, ExtraRule> rules;
  std::vector<std::pair<std::string, Json>> pending;  // rule id, result without ruleIndex
  for (const auto& s : report.secrets) {
    const std::string id = "secret/" + s.rule_id;
    rules.emplace(id, ExtraRule{id, s.title, s.severity, "secret",
                                fmt::format("{} ({}). Remove it from the image and rotate it: "
                                            "whoever pulls the image has it.",
                                            s.title, s.category)});
    Json result;
    result["level"] = levelOf(s.severity);
    result["message"]["text"] = fmt::format("{}: {}", s.title, s.match);
    result["locations"] =
        Json::array({extraLocation(s.path, s.line, s.layer_digest, logical_target)});
    result["partialFingerprints"][std::string(kFingerprintKey)] =
        core::sha256Hex(id + '\n' + s.path + '\n' + std::to_string(s.line) + '\n' + s.match);
    pending.emplace_back(id, std::move(result));
  }
  for (const auto& m : report.malware) {
    const std::string id = "malware/" + m.rule_id;
    rules.emplace(id, ExtraRule{id, m.title, m.severity, "malware",
                                m.title + ". Rebuild the image from trusted sources and find "
                                          "how the file got in."});
    Json result;
    result["level"] = levelOf(m.severity);
    std::string text = m.title;
    for (const auto& e : m.evidence) text += "\n" + e;
    result["message"]["text"] = text;
    result["locations"] = Json::array({extraLocation(m.path, 1, m.layer_digest, logical_target)});
    result["partialFingerprints"][std::string(kFingerprintKey)] =
        core::sha256Hex(id + '\n' + m.path + '\n' + m.sha256);
    pending.emplace_back(id, std::move(result));
  }
  for (const auto& c : report.misconfigurations) {
    if (c.status != model::CheckStatus::Fail) continue;
    const std::string id = "config/" + c.check_id;
    rules.emplace(id, ExtraRule{id, c.title, c.severity, "misconfiguration", c.remediation});
    Json result;
    result["level"] = levelOf(c.severity);
    std::string text = c.title;
    for (const auto& e : c.evidence) {
      text += fmt::format("\n{}{}", e.observed, e.where.empty() ? "" : " (" + e.where + ")");
    }
    result["message"]["text"] = text;
    result["locations"] = Json::array({extraLocation(c.resource, 1, "", logical_target)});
    result["partialFingerprints"][std::string(kFingerprintKey)] =
        core::sha256Hex(id + '\n' + c.resource);
    pending.emplace_back(id, std::move(result));
  }
  std::map<std::string, std::size_t> index;
  for (const auto& [id, rule] : rules) {
    index[id] = rules_json.size();
    Json r;
    r["id"] = id;
    r["name"] = rule.tag == "secret"    ? "Secret"
                : rule.tag == "malware" ? "Malware"
                                        : "Misconfiguration";
    r["shortDescription"]["text"] = rule.title.empty() ? id : rule.title;
    r["fullDescription"]["text"] = rule.title.empty() ? id : rule.title;
    r["defaultConfiguration"]["level"] = levelOf(rule.severity);
    r["help"]["text"] = rule.help.empty() ? rule.title : rule.help;
    r["help"]["markdown"] = markdownEscape(rule.help.empty() ? rule.title : rule.help);
    r["properties"]["precision"] = "high";
    r["properties"]["tags"] = Json::array({rule.tag, "security", model::toString(rule.severity)});
    rules_json.push_back(std::move(r));
  }
  for (auto& [id, result] : pending) {
    result["ruleId"] = id;
    result["ruleIndex"] = index.at(id);
    results.push_back(std::move(result));
  }
}

// SARIF 2.1.0 §3.35: a suppressed finding shown with --show-suppressed is a result with an
// external suppression that was accepted; its justification says who suppressed it and why.
Json suppressionsOf(const model::Suppression& why) {
  std::string justification;
  if (why.by == "ignorefile") {
    justification = "ignored by " + why.where;
  } else {
    justification = why.status + (why.justification.empty() ? "" : " (" + why.justification + ")") +
                    " according to " + why.where;
  }
  if (!why.reason.empty()) justification += ": " + why.reason;
  Json suppression;
  suppression["kind"] = "external";
  suppression["status"] = "accepted";
  suppression["justification"] = justification;
  Json properties;
  properties["by"] = why.by;
  properties["status"] = why.status;
  if (!why.justification.empty()) properties["justification"] = why.justification;
  properties["rule"] = why.where;
  suppression["properties"] = std::move(properties);
  return Json::array({std::move(suppression)});
}

}  // namespace

std::string renderScanSarif(const model::ScanReport& report, const ScanVerdicts& verdicts,
                            const RenderOptions& options) {
  const auto& inventory = report.inventory;
  const auto& target = inventory.target;
  const auto& counted = verdicts.counted;
  const std::size_t n = std::min(counted.size(), report.findings.size());
  // The suppression shown with finding i, or nullptr when it is not a shown suppressed finding.
  const bool show_suppressed =
      verdicts.show_suppressed && verdicts.suppressions.size() == report.findings.size();
  const auto shown_suppression = [&](std::size_t i) -> const model::Suppression* {
    if (!show_suppressed || counted[i] || !verdicts.suppressions[i].suppressed) return nullptr;
    return &verdicts.suppressions[i];
  };
  const auto reported = [&](std::size_t i) {
    return (counted[i] || shown_suppression(i) != nullptr) &&
           report.findings[i].package_index < inventory.packages.size();
  };

  std::map<std::string, Rule> rules;  // by id: rules come out sorted
  for (std::size_t i = 0; i < n; ++i) {
    if (!reported(i)) continue;
    const auto& f = report.findings[i];
    Rule& rule = rules[f.vulnerability_id];
    rule.id = f.vulnerability_id;
    if (rule.title.empty()) rule.title = f.title;
    rule.aliases.insert(f.aliases.begin(), f.aliases.end());
    rule.cwes.insert(f.cwes.begin(), f.cwes.end());
    for (const auto& ref : f.references) {
      if (rule.seen_references.insert(ref).second) rule.references.push_back(ref);
    }
    rule.severity = std::max(rule.severity, f.severity);
    if (const auto value = securitySeverity(f)) {
      rule.security_severity = std::max(rule.security_severity.value_or(0.0), *value);
    }
    rule.findings.push_back(&f);
  }

  Json driver;
  driver["name"] = "bulwark";
  if (!options.tool_version.empty()) {
    driver["version"] = options.tool_version;
    driver["semanticVersion"] = options.tool_version;
  }
  driver["informationUri"] = kInformationUri;
  Json rules_json = Json::array();
  std::map<std::string, std::size_t> rule_index;
  for (const auto& [id, rule] : rules) {
    rule_index[id] = rules_json.size();
    Json r;
    r["id"] = id;
    r["name"] = "OsPackageVulnerability";
    r["shortDescription"]["text"] = rule.title.empty() ? id : rule.title;
    std::string full = id + (rule.title.empty() ? "" : ": " + rule.title);
    if (!rule.aliases.empty()) {
      full += " (also";
      for (const auto& alias : rule.aliases) full += " " + alias;
      full += ")";
    }
    r["fullDescription"]["text"] = full;
    r["defaultConfiguration"]["level"] = levelOf(rule.severity);
    std::string help_uri;  // an absolute URI: the first web reference, else the feed's page
    for (const auto& ref : rule.references) {
      if (ref.starts_with("https://") || ref.starts_with("http://")) {
        help_uri = detail::escapeReference(ref, false);
        break;
      }
    }
    for (std::size_t k = 0; help_uri.empty() && k < rule.findings.size(); ++k) {
      for (const auto& source : rule.findings[k]->data_sources) {
        help_uri = detail::vulnerabilityUrl(source, id);
        if (!help_uri.empty()) break;
      }
    }
    if (!help_uri.empty()) r["helpUri"] = help_uri;
    r["help"]["text"] = helpText(rule, inventory);
    r["help"]["markdown"] = helpMarkdown(rule, inventory);
    Json properties;
    properties["precision"] = "very-high";
    if (rule.security_severity) {
      properties["security-severity"] = scoreText(*rule.security_severity);
    }
    Json tags = Json::array({"vulnerability", "security", model::toString(rule.severity)});
    for (const auto& cwe : rule.cwes) tags.push_back(cwe);  // "CWE-79", as Trivy tags them
    properties["tags"] = std::move(tags);
    r["properties"] = std::move(properties);
    rules_json.push_back(std::move(r));
  }
  driver["rules"] = std::move(rules_json);

  Json logical_target;
  logical_target["name"] = target.name;
  logical_target["fullyQualifiedName"] =
      target.manifest_digest.empty() ? target.name : target.name + "@" + target.manifest_digest;

  Json results = Json::array();
  for (std::size_t i = 0; i < n; ++i) {
    if (!reported(i)) continue;
    const auto& f = report.findings[i];
    const auto& p = inventory.packages[f.package_index];
    Json result;
    result["ruleId"] = f.vulnerability_id;
    result["ruleIndex"] = rule_index.at(f.vulnerability_id);
    result["level"] = levelOf(f.severity);
    result["message"]["text"] = resultMessage(f, p);
    Json location;
    location["physicalLocation"]["artifactLocation"]["uri"] =
        uriOfPath(p.location.path.empty() ? target.name : p.location.path);
    location["physicalLocation"]["region"]["startLine"] = 1;
    location["message"]["text"] = fmt::format(
        "{} {} recorded in {}{} of {}", p.name, f.installed_version, p.location.path,
        p.location.layer_digest.empty() ? "" : " (layer " + p.location.layer_digest + ")",
        target.name);
    location["logicalLocations"] = Json::array({logical_target});
    result["locations"] = Json::array({std::move(location)});
    // Stable across runs and images: the same vulnerability in the same package build.
    result["partialFingerprints"][std::string(kFingerprintKey)] = core::sha256Hex(
        f.vulnerability_id + '\n' + p.name + '\n' + f.installed_version + '\n' + p.arch);
    Json properties;
    properties["package"] = p.name;
    properties["installedVersion"] = f.installed_version;
    if (!f.fixed_version.empty()) properties["fixedVersion"] = f.fixed_version;
    properties["status"] = model::toString(f.status);
    properties["severity"] = model::toString(f.severity);
    if (!f.severity_source.empty()) properties["severitySource"] = f.severity_source;
    if (f.score) {
      properties["cvssScore"] = scoreText(*f.score);
      properties["cvssVector"] = f.vector;
    }
    if (!f.urgency.empty()) properties["urgency"] = f.urgency;
    properties["purl"] = model::purl(p, inventory.distro);
    if (!p.location.layer_digest.empty()) properties["layer"] = p.location.layer_digest;
    if (!f.aliases.empty()) properties["aliases"] = f.aliases;
    properties["dataSources"] = f.data_sources;
    properties["explanation"] = f.explanation;
    properties["remediation"] = f.remediation;
    result["properties"] = std::move(properties);
    if (const auto* why = shown_suppression(i)) result["suppressions"] = suppressionsOf(*why);
    results.push_back(std::move(result));
  }

  appendExtras(report, logical_target, driver["rules"], results);

  Json run;
  run["tool"]["driver"] = std::move(driver);
  run["results"] = std::move(results);
  run["columnKind"] = "utf16CodeUnits";
  Json run_properties;
  run_properties["target"] = {{"name", target.name}, {"kind", target.kind}};
  if (!target.manifest_digest.empty()) {
    run_properties["target"]["manifestDigest"] = target.manifest_digest;
  }
  if (inventory.distro.known()) {
    run_properties["distro"] = {{"id", inventory.distro.id},
                                {"versionId", inventory.distro.version_id}};
  }
  run_properties["database"] = {{"buildId", report.db_build_id}, {"builtAt", report.db_built_at}};
  run["properties"] = std::move(run_properties);

  Json doc;
  doc["$schema"] = kSarifSchema;
  doc["version"] = "2.1.0";
  doc["runs"] = Json::array({std::move(run)});
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string renderScanSarif(const model::ScanReport& report, const std::vector<bool>& counted,
                            const RenderOptions& options) {
  const std::vector<model::Suppression> none;
  return renderScanSarif(report, ScanVerdicts{counted, none, false}, options);
}

}  // namespace bulwark::report
