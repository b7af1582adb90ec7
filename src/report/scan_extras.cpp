#include "report/scan_extras.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "core/text.h"

namespace bulwark::report::detail {

namespace {

using Json = nlohmann::ordered_json;

std::string bold(const RenderOptions& options, std::string_view text) {
  return options.color ? fmt::format("\033[1m{}\033[0m", text) : std::string(text);
}

// "layer sha256:0123456789ab" for a file of a layer; nothing for config and directories.
std::string layerNote(std::string_view layer) {
  if (layer.empty()) return {};
  const auto colon = layer.find(':');
  const std::string_view hex = colon == std::string_view::npos ? layer : layer.substr(colon + 1);
  return fmt::format("  (layer {})", hex.substr(0, 12));
}

std::string shortText(std::string_view text, std::size_t width) {
  std::string out = core::printable(text);
  if (out.size() > width) out = out.substr(0, width - 3) + "...";
  return out;
}

}  // namespace

bool ran(const model::ScanReport& report, std::string_view scanner) {
  if (report.scanners.empty()) return scanner == "vuln";
  return std::find(report.scanners.begin(), report.scanners.end(), scanner) !=
         report.scanners.end();
}

std::string secretsTable(const std::vector<model::SecretFinding>& secrets,
                         const RenderOptions& options) {
  std::string out = "\n" + bold(options, fmt::format("Secrets ({})", secrets.size())) + "\n";
  std::string_view last_path;
  std::string_view last_layer;
  for (const auto& s : secrets) {
    if (s.path != last_path || s.layer_digest != last_layer) {
      out += fmt::format("  {}{}\n", core::printable(s.path), layerNote(s.layer_digest));
      last_path = s.path;
      last_layer = s.layer_digest;
    }
    out += fmt::format("    {:<10} {:<28} {}{}\n", model::toString(s.severity),
                       core::printable(s.rule_id),
                       s.line > 0 ? fmt::format("line {}: ", s.line) : std::string(),
                       shortText(s.excerpt.empty() ? s.match : s.excerpt, 90));
  }
  return out;
}

std::string malwareTable(const std::vector<model::MalwareFinding>& malware,
                         const RenderOptions& options) {
  std::string out = "\n" + bold(options, fmt::format("Malware ({})", malware.size())) + "\n";
  for (const auto& m : malware) {
    out +=
        fmt::format("  {:<10} {:<9} {:<32} {}{}\n", model::toString(m.severity), m.kind,
                    core::printable(m.rule_id), core::printable(m.path), layerNote(m.layer_digest));
    if (!m.title.empty()) out += fmt::format("             {}\n", shortText(m.title, 100));
  }
  return out;
}

std::string misconfigurationsTable(const std::vector<model::CheckResult>& results,
                                   const RenderOptions& options) {
  std::map<model::CheckStatus, std::size_t> by_status;
  for (const auto& r : results) ++by_status[r.status];
  std::string out = "\n" +
                    bold(options, fmt::format("Image configuration ({} failed, {} passed, {} not "
                                              "applicable, {} not evaluated)",
                                              by_status[model::CheckStatus::Fail],
                                              by_status[model::CheckStatus::Pass],
                                              by_status[model::CheckStatus::NotApplicable],
                                              by_status[model::CheckStatus::NotEvaluated])) +
                    "\n";
  for (const auto& r : results) {
    if (r.status != model::CheckStatus::Fail) continue;
    out += fmt::format("  {:<10} {:<12} {}\n", model::toString(r.severity),
                       core::printable(r.check_id), shortText(r.title, 90));
    for (const auto& e : r.evidence) {
      out += fmt::format(
          "             {}{}\n", shortText(e.observed, 80),
          e.where.empty() ? std::string() : fmt::format(" ({})", shortText(e.where, 40)));
    }
  }
  return out;
}

Json secretsJson(const std::vector<model::SecretFinding>& secrets) {
  Json out = Json::array();
  for (const auto& s : secrets) {
    Json j;
    j["rule_id"] = s.rule_id;
    j["category"] = s.category;
    j["title"] = s.title;
    j["severity"] = model::toString(s.severity);
    j["path"] = s.path;
    if (!s.layer_digest.empty()) j["layer"] = s.layer_digest;
    if (s.line > 0) j["line"] = s.line;
    j["match"] = s.match;
    j["excerpt"] = s.excerpt;
    out.push_back(std::move(j));
  }
  return out;
}

Json malwareJson(const std::vector<model::MalwareFinding>& malware) {
  Json out = Json::array();
  for (const auto& m : malware) {
    Json j;
    j["rule_id"] = m.rule_id;
    j["kind"] = m.kind;
    j["title"] = m.title;
    j["severity"] = model::toString(m.severity);
    j["path"] = m.path;
    if (!m.layer_digest.empty()) j["layer"] = m.layer_digest;
    if (!m.sha256.empty()) j["sha256"] = m.sha256;
    j["evidence"] = m.evidence;
    out.push_back(std::move(j));
  }
  return out;
}

Json checkResultJson(const model::CheckResult& r) {
  Json j;
  j["id"] = r.check_id;
  j["title"] = r.title;
  j["severity"] = model::toString(r.severity);
  j["status"] = model::toString(r.status);
  if (!r.reason.empty()) j["reason"] = r.reason;
  j["references"] = r.references;
  if (!r.remediation.empty()) j["remediation"] = r.remediation;
  j["resource"] = r.resource;
  Json evidence = Json::array();
  for (const auto& e : r.evidence) {
    evidence.push_back(
        Json{{"observed", e.observed}, {"where", e.where}, {"expected", e.expected}});
  }
  j["evidence"] = std::move(evidence);
  return j;
}

}  // namespace bulwark::report::detail
