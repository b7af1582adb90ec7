#include "report/check_report.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace bulwark::report {

namespace {

using Json = nlohmann::ordered_json;
using model::CheckStatus;

constexpr std::string_view kSarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr std::string_view kInformationUri = "https://bulwark.invalid/docs/checks.md";

const CheckMeta& metaOf(const CheckCatalog& catalog, std::string_view id) {
  static const CheckMeta kOther{"Other", true};
  const auto it = catalog.find(id);
  return it == catalog.end() ? kOther : it->second;
}

std::string_view severityName(model::Severity severity) {
  switch (severity) {
    case model::Severity::Critical: return "critical";
    case model::Severity::High: return "high";
    case model::Severity::Medium: return "medium";
    case model::Severity::Low: return "low";
    case model::Severity::Negligible: return "negligible";
    case model::Severity::Unknown: break;
  }
  return "unknown";
}

std::string_view statusLabel(CheckStatus status) {
  switch (status) {
    case CheckStatus::Pass: return "PASS";
    case CheckStatus::Fail: return "FAIL";
    case CheckStatus::NotApplicable: return "N/A ";
    case CheckStatus::NotEvaluated: return "N/E ";
    case CheckStatus::Manual: return "MAN ";
  }
  return "N/E ";
}

// Resources in first-seen order, each with its results.
std::vector<std::pair<std::string, std::vector<const model::CheckResult*>>> byResource(
    const std::vector<model::CheckResult>& results) {
  std::vector<std::pair<std::string, std::vector<const model::CheckResult*>>> out;
  for (const auto& result : results) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& entry) { return entry.first == result.resource; });
    if (it == out.end()) {
      out.emplace_back(result.resource, std::vector<const model::CheckResult*>{});
      it = out.end() - 1;
    }
    it->second.push_back(&result);
  }
  return out;
}

CheckTotals totalsOf(const std::vector<const model::CheckResult*>& results,
                     const CheckCatalog& catalog) {
  CheckTotals totals;
  std::size_t scored_pass = 0;
  std::size_t scored_decided = 0;
  for (const auto* r : results) {
    totals.suppressed_fail += r->suppression && r->status == CheckStatus::Fail;
    const bool scored = metaOf(catalog, r->check_id).scored && !r->suppression;
    totals.suppressed += r->suppression.has_value();
    switch (r->status) {
      case CheckStatus::Pass:
        ++totals.pass;
        scored_pass += scored;
        scored_decided += scored;
        break;
      case CheckStatus::Fail:
        ++totals.fail;
        scored_decided += scored;
        break;
      case CheckStatus::NotApplicable: ++totals.not_applicable; break;
      case CheckStatus::NotEvaluated: ++totals.not_evaluated; break;
      case CheckStatus::Manual: ++totals.manual; break;
    }
  }
  if (scored_decided > 0) {
    totals.score = std::round(1000.0 * static_cast<double>(scored_pass) /
                              static_cast<double>(scored_decided)) /
                   10.0;
  }
  return totals;
}

std::string totalsLine(const CheckTotals& t) {
  return fmt::format("{} pass, {} fail, {} not applicable, {} not evaluated{}{} — score {:.1f}%",
                     t.pass, t.fail, t.not_applicable, t.not_evaluated,
                     t.manual > 0 ? fmt::format(", {} manual", t.manual) : "",
                     t.suppressed > 0 ? fmt::format(", {} suppressed", t.suppressed) : "", t.score);
}

Json totalsJson(const CheckTotals& t) {
  Json totals{{"pass", t.pass},
              {"fail", t.fail},
              {"not-applicable", t.not_applicable},
              {"not-evaluated", t.not_evaluated},
              {"manual", t.manual}};
  if (t.suppressed > 0) totals["suppressed"] = t.suppressed;
  totals["score"] = t.score;
  return totals;
}

const HostSummary* hostOf(std::span<const HostSummary> hosts, std::string_view resource) {
  for (const auto& host : hosts) {
    if (host.resource == resource) return &host;
  }
  return nullptr;
}

std::string hostLine(const HostSummary& h) {
  std::string line =
      fmt::format("  Docker {} (API {})", h.docker_version.empty() ? "?" : h.docker_version,
                  h.api_version.empty() ? "?" : h.api_version);
  if (!h.os.empty()) line += fmt::format(" on {}", h.os);
  if (!h.kernel.empty()) line += fmt::format(", kernel {}", h.kernel);
  line +=
      fmt::format("; {} image{}, {} of {} container{} running", h.images, h.images == 1 ? "" : "s",
                  h.containers_running, h.containers, h.containers == 1 ? "" : "s");
  if (!h.source.empty()) line += fmt::format("\n  from {}", h.source);
  return line + "\n";
}

Json hostJson(const HostSummary& h) {
  return Json{{"resource", h.resource},
              {"source", h.source},
              {"docker_version", h.docker_version},
              {"api_version", h.api_version},
              {"os", h.os},
              {"kernel", h.kernel},
              {"images", h.images},
              {"containers", h.containers},
              {"containers_running", h.containers_running}};
}

// The parenthesised line under a result that is neither pass nor fail.
std::string reasonLine(const model::CheckResult& r) {
  std::string line = r.reason;
  if (r.status == CheckStatus::NotEvaluated && r.cause != model::NotEvaluatedCause::None &&
      r.cause != model::NotEvaluatedCause::Undetermined) {
    line = fmt::format("{}: {}", model::toString(r.cause), line);
  }
  if (r.status == CheckStatus::Manual && r.assist) {
    line = fmt::format("automated part: {}; {}", model::toString(*r.assist), line);
  }
  return line;
}

std::string xmlEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string evidenceLine(const model::Evidence& e) {
  std::string line = e.observed;
  if (!e.where.empty()) line += fmt::format(" at {}", e.where);
  if (!e.expected.empty()) line += fmt::format("; expected {}", e.expected);
  return line;
}

}  // namespace

CheckTotals checkTotals(const std::vector<model::CheckResult>& results,
                        const CheckCatalog& catalog) {
  std::vector<const model::CheckResult*> all;
  all.reserve(results.size());
  for (const auto& r : results) all.push_back(&r);
  return totalsOf(all, catalog);
}

std::string renderCheckTable(const std::vector<model::CheckResult>& results,
                             const CheckCatalog& catalog, std::span<const HostSummary> hosts,
                             bool show_suppressed) {
  std::string out;
  const auto groups = byResource(results);
  for (const auto& [resource, items] : groups) {
    out += fmt::format("{}\n", resource);
    if (const auto* host = hostOf(hosts, resource)) out += hostLine(*host);
    // Sections in the order of their first check id (the benchmark's own order).
    std::map<std::string, std::string, std::less<>> first_id;
    for (const auto* r : items) {
      auto [it, added] = first_id.try_emplace(metaOf(catalog, r->check_id).section, r->check_id);
      if (!added && r->check_id < it->second) it->second = r->check_id;
    }
    std::vector<std::string> sections;
    sections.reserve(first_id.size());
    for (const auto& [section, id] : first_id) sections.push_back(section);
    std::sort(sections.begin(), sections.end(), [&](const auto& a, const auto& b) {
      return std::tie(first_id.at(a), a) < std::tie(first_id.at(b), b);
    });
    for (const auto& section : sections) {
      out += fmt::format("\n  {}\n", section);
      for (const auto* r : items) {
        if (metaOf(catalog, r->check_id).section != section) continue;
        if (r->suppression && !show_suppressed) continue;
        out +=
            fmt::format("  {}  {:<11} {:<8} {}{}\n", statusLabel(r->status), r->check_id,
                        severityName(r->severity), r->title, r->suppression ? " [suppressed]" : "");
        if (r->status == CheckStatus::Fail) {
          for (const auto& e : r->evidence) out += fmt::format("        - {}\n", evidenceLine(e));
        } else if (!r->reason.empty() && r->status != CheckStatus::Pass) {
          out += fmt::format("        ({})\n", reasonLine(*r));
        }
        if (r->suppression) {
          out += fmt::format("        suppressed: {}{}\n", r->suppression->reason,
                             r->suppression->expires.empty()
                                 ? ""
                                 : fmt::format(" (until {})", r->suppression->expires));
        }
      }
    }
    out += fmt::format("\n  Totals: {}\n\n", totalsLine(totalsOf(items, catalog)));
  }
  if (groups.size() > 1) out += fmt::format("All: {}\n", totalsLine(checkTotals(results, catalog)));
  return out;
}

std::string renderCheckJson(const std::vector<model::CheckResult>& results,
                            const CheckCatalog& catalog, std::span<const HostSummary> hosts) {
  Json resources = Json::array();
  for (const auto& [resource, items] : byResource(results)) {
    Json list = Json::array();
    for (const auto* r : items) {
      Json evidence = Json::array();
      for (const auto& e : r->evidence) {
        evidence.push_back(
            Json{{"observed", e.observed}, {"where", e.where}, {"expected", e.expected}});
      }
      Json item{{"id", r->check_id},
                {"title", r->title},
                {"section", metaOf(catalog, r->check_id).section},
                {"severity", severityName(r->severity)},
                {"status", model::toString(r->status)}};
      if (!r->reason.empty()) item["reason"] = r->reason;
      if (r->status == CheckStatus::NotEvaluated && r->cause != model::NotEvaluatedCause::None) {
        item["cause"] = model::toString(r->cause);
      }
      if (r->assist) item["assist"] = model::toString(*r->assist);
      if (!r->controls.empty()) item["controls"] = r->controls;
      if (r->suppression) {
        item["suppression"] = Json{{"reason", r->suppression->reason},
                                   {"expires", r->suppression->expires},
                                   {"source", r->suppression->source}};
      }
      item["references"] = r->references;
      item["remediation"] = r->remediation;
      item["evidence"] = std::move(evidence);
      list.push_back(std::move(item));
    }
    Json entry{{"resource", resource}};
    if (!items.front()->resource_kind.empty()) entry["kind"] = items.front()->resource_kind;
    entry["totals"] = totalsJson(totalsOf(items, catalog));
    entry["results"] = std::move(list);
    resources.push_back(std::move(entry));
  }
  Json doc{{"schema", "bulwark.checks/v1"}};
  if (!hosts.empty()) {
    Json list = Json::array();
    for (const auto& host : hosts) list.push_back(hostJson(host));
    doc["hosts"] = std::move(list);
  }
  doc["totals"] = totalsJson(checkTotals(results, catalog));
  doc["resources"] = std::move(resources);
  return doc.dump(2) + "\n";
}

std::string renderCheckSarif(const std::vector<model::CheckResult>& results,
                             const CheckCatalog& catalog, std::string_view tool_version) {
  std::vector<const model::CheckResult*> rules;
  std::set<std::string, std::less<>> seen;
  for (const auto& r : results) {
    if (seen.insert(r.check_id).second) rules.push_back(&r);
  }
  std::sort(rules.begin(), rules.end(),
            [](const auto* a, const auto* b) { return a->check_id < b->check_id; });
  Json rule_list = Json::array();
  std::map<std::string, std::size_t, std::less<>> rule_index;
  for (const auto* r : rules) {
    rule_index[r->check_id] = rule_list.size();
    Json rule{{"id", r->check_id},
              {"name", r->check_id},
              {"shortDescription", {{"text", r->title}}},
              {"help", {{"text", r->remediation.empty() ? r->title : r->remediation}}},
              {"properties",
               {{"tags", r->references},
                {"section", metaOf(catalog, r->check_id).section},
                {"severity", severityName(r->severity)}}}};
    rule_list.push_back(std::move(rule));
  }
  const auto level = [](model::Severity s) {
    return s == model::Severity::Critical || s == model::Severity::High ? "error"
           : s == model::Severity::Medium                               ? "warning"
                                                                        : "note";
  };
  Json sarif_results = Json::array();
  for (const auto& r : results) {
    if (r.status != CheckStatus::Fail) continue;
    for (const auto& e : r.evidence) {
      if (e.where.empty()) continue;
      Json location;
      const auto colon = e.where.rfind(':');
      std::size_t line = 0;
      if (colon != std::string::npos && colon + 1 < e.where.size() &&
          e.where.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
        line = std::stoul(e.where.substr(colon + 1));
      }
      if (line > 0 && colon > 0) {
        location = {{"physicalLocation",
                     {{"artifactLocation", {{"uri", e.where.substr(0, colon)}}},
                      {"region", {{"startLine", line}}}}}};
      } else {
        location = {{"logicalLocations",
                     Json::array({{{"name", e.where},
                                   {"fullyQualifiedName", r.resource + " " + e.where}}})}};
      }
      Json item{{"ruleId", r.check_id},
                {"ruleIndex", rule_index[r.check_id]},
                {"level", level(r.severity)},
                {"message", {{"text", fmt::format("{}: {}", r.title, evidenceLine(e))}}},
                {"locations", Json::array({location})}};
      if (r.suppression) {
        item["suppressions"] =
            Json::array({{{"kind", "external"}, {"justification", r.suppression->reason}}});
      }
      sarif_results.push_back(std::move(item));
    }
  }
  Json doc{{"$schema", kSarifSchema},
           {"version", "2.1.0"},
           {"runs", Json::array({{{"tool",
                                   {{"driver",
                                     {{"name", "bulwark"},
                                      {"version", tool_version},
                                      {"informationUri", kInformationUri},
                                      {"rules", std::move(rule_list)}}}}},
                                  {"results", std::move(sarif_results)}}})}};
  return doc.dump(2) + "\n";
}

std::string renderCheckJunit(const std::vector<model::CheckResult>& results,
                             const CheckCatalog& catalog) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const auto groups = byResource(results);
  const CheckTotals all = checkTotals(results, catalog);
  out += fmt::format(
      "<testsuites name=\"bulwark checks\" tests=\"{}\" failures=\"{}\" "
      "skipped=\"{}\">\n",
      results.size(), all.fail - all.suppressed_fail,
      all.not_applicable + all.not_evaluated + all.manual + all.suppressed_fail);
  for (const auto& [resource, items] : groups) {
    const CheckTotals t = totalsOf(items, catalog);
    out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
                       xmlEscape(resource), items.size(), t.fail - t.suppressed_fail,
                       t.not_applicable + t.not_evaluated + t.manual + t.suppressed_fail);
    for (const auto* r : items) {
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\"",
                         xmlEscape(metaOf(catalog, r->check_id).section),
                         xmlEscape(r->check_id + " " + r->title));
      if (r->status == CheckStatus::Pass) {
        out += "/>\n";
        continue;
      }
      out += ">\n";
      if (r->status == CheckStatus::Fail && r->suppression) {
        out += fmt::format("      <skipped message=\"{}\"/>\n",
                           xmlEscape(fmt::format("suppressed: {}", r->suppression->reason)));
      } else if (r->status == CheckStatus::Fail) {
        std::string body;
        for (const auto& e : r->evidence) body += evidenceLine(e) + "\n";
        out += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                           xmlEscape(r->title), severityName(r->severity), xmlEscape(body));
      } else {
        out += fmt::format("      <skipped message=\"{}\"/>\n",
                           xmlEscape(fmt::format("{}: {}", model::toString(r->status), r->reason)));
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace bulwark::report
