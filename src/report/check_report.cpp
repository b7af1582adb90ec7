#include "report/check_report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

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
  // Indexed by name: a scan of `out` per result is quadratic, and a Kubernetes report has
  // tens of thousands of resources.
  std::unordered_map<std::string_view, std::size_t> index;
  for (const auto& result : results) {
    const auto [it, added] = index.try_emplace(result.resource, out.size());
    if (added) out.emplace_back(result.resource, std::vector<const model::CheckResult*>{});
    out[it->second].second.push_back(&result);
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

std::string locationText(const model::SourceLocation& location) {
  return location.line == 0 ? location.file : fmt::format("{}:{}", location.file, location.line);
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string clusterLines(const ClusterSummary& c) {
  std::string out = fmt::format("Kubernetes {}", c.name);
  if (!c.source.empty()) out += fmt::format(" ({})", c.source);
  if (!c.server_version.empty()) out += fmt::format(", server {}", c.server_version);
  out += fmt::format(": {}, {}, {}", plural(c.namespaces, "namespace", "namespaces"),
                     plural(c.workloads, "workload", "workloads"),
                     plural(c.objects, "other object", "other objects"));
  if (c.uninspected > 0) out += fmt::format(", {} with nothing to check", c.uninspected);
  if (c.unknown_kinds > 0)
    out += fmt::format(
        ", {}", plural(c.unknown_kinds, "object of an unknown kind", "objects of unknown kinds"));
  if (c.unreadable > 0) out += fmt::format(", {} unreadable", c.unreadable);
  if (c.unreadable_lists > 0) {
    out += fmt::format(", {} unreadable", plural(c.unreadable_lists, "API list", "API lists"));
  }
  if (c.skipped_owned > 0) {
    out += fmt::format("\n  {} made by controllers not checked (their controllers' templates are)",
                       plural(c.skipped_owned, "object", "objects"));
  }
  if (c.configz_nodes > 0) {
    out += fmt::format("\n  kubelet settings of {} read through the API (/configz)",
                       plural(c.configz_nodes, "node", "nodes"));
  }
  out += fmt::format("\n  rules of Kubernetes {}", c.rules_version);
  if (!c.benchmark.empty()) {
    out += fmt::format("; {}: {} of {} meet it", c.benchmark, c.workloads_meeting,
                       plural(c.workloads, "workload", "workloads"));
    if (c.workloads_unknown > 0) out += fmt::format(" ({} unknown)", c.workloads_unknown);
  }
  return out + "\n\n";
}

// The file and line an evidence's `where` names — "Dockerfile:12", or a Kubernetes path
// ending " (deploy/web.yaml:31)" — else the result's location, else nothing.
std::pair<std::string, std::size_t> fileLineOf(std::string_view where,
                                               const std::optional<model::SourceLocation>& at) {
  std::string_view text = where;
  if (text.size() > 2 && text.back() == ')') {
    const auto open = text.rfind(" (");
    if (open != std::string_view::npos) text = text.substr(open + 2, text.size() - open - 3);
  }
  const auto colon = text.rfind(':');
  if (colon != std::string_view::npos && colon > 0 && colon + 1 < text.size() &&
      text.find_first_not_of("0123456789", colon + 1) == std::string_view::npos) {
    std::size_t line = 0;
    std::from_chars(text.data() + colon + 1, text.data() + text.size(), line);
    if (line > 0) return {std::string(text.substr(0, colon)), line};
  }
  if (at && !at->file.empty()) return {at->file, at->line};
  return {};
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

// JSON text written as it goes, laid out exactly as nlohmann's dump(2) lays out an
// ordered_json. 10,000 manifests give ~240,000 results and ~380 MB of text; building the
// tree first took seconds and more than 2 GB.
class JsonText {
 public:
  // With a sink, the text goes out in pieces of about kFlushBytes (between items), so a
  // 250 MB report never sits in memory whole.
  explicit JsonText(std::string& out, const TextSink* sink = nullptr) : out_(out), sink_(sink) {}

  void flush() {
    if (sink_ == nullptr || out_.empty()) return;
    (*sink_)(out_);
    out_.clear();
  }

  void beginObject() { open('{'); }
  void endObject() { close('}'); }
  void beginArray() { open('['); }
  void endArray() { close(']'); }

  // Keys are our own ASCII literals: nothing to escape.
  void key(std::string_view name) {
    nextItem();
    out_ += '"';
    out_ += name;
    out_ += "\": ";
  }

  void value(std::string_view text) {
    beforeValue();
    escaped(text);
  }
  void value(std::size_t number) {
    beforeValue();
    fmt::format_to(std::back_inserter(out_), "{}", number);
  }
  // nlohmann's shortest round-trip form ("68.4", "100.0"), from nlohmann itself.
  void value(double number) {
    beforeValue();
    out_ += Json(number).dump();
  }
  void value(const std::vector<std::string>& texts) {
    beginArray();
    for (const auto& text : texts) value(text);
    endArray();
  }

  template <typename T>
  void member(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

 private:
  struct Level {
    bool array;
    bool empty = true;
  };

  void open(char bracket) {
    beforeValue();
    out_ += bracket;
    levels_.push_back({bracket == '['});
  }

  void close(char bracket) {
    const bool empty = levels_.back().empty;
    levels_.pop_back();
    if (!empty) {
      out_ += '\n';
      out_.append(2 * levels_.size(), ' ');
    }
    out_ += bracket;
  }

  // Each member and element on its own line, indented two spaces a level.
  void nextItem() {
    if (sink_ != nullptr && out_.size() >= kFlushBytes) flush();
    auto& level = levels_.back();
    out_ += level.empty ? "\n" : ",\n";
    level.empty = false;
    out_.append(2 * levels_.size(), ' ');
  }

  // In an object, key() has placed the value already.
  void beforeValue() {
    if (!levels_.empty() && levels_.back().array) nextItem();
  }

  // As dump() escapes with ensure_ascii off: '"', '\\' and control characters escaped,
  // everything else as is. Text with non-ASCII bytes goes through nlohmann, so UTF-8 is
  // validated exactly as before (invalid UTF-8 throws json::type_error 316, as the tree did).
  void escaped(std::string_view text) {
    const bool ascii = std::all_of(text.begin(), text.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii) {
      out_ += Json(text).dump();
      return;
    }
    out_ += '"';
    std::size_t plain = 0;  // start of the run not yet copied
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out_.append(text, plain, i - plain);
      plain = i + 1;
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\b': out_ += "\\b"; break;
        case '\t': out_ += "\\t"; break;
        case '\n': out_ += "\\n"; break;
        case '\f': out_ += "\\f"; break;
        case '\r': out_ += "\\r"; break;
        default: fmt::format_to(std::back_inserter(out_), "\\u{:04x}", c);
      }
    }
    out_.append(text, plain, text.size() - plain);
    out_ += '"';
  }

  static constexpr std::size_t kFlushBytes = 1 << 20;

  std::string& out_;
  const TextSink* sink_;
  std::vector<Level> levels_;
};

// Roughly the report's size, so its text is allocated once: the strings plus the keys and
// indentation around them. Only a hint; the string grows if it is short.
std::size_t jsonSizeHint(const std::vector<model::CheckResult>& results) {
  constexpr std::size_t kPerResult = 480;  // keys, indentation, fixed values of one result
  constexpr std::size_t kPerEvidence = 120;
  std::size_t size = 4096;
  for (const auto& r : results) {
    size += kPerResult + r.check_id.size() + r.title.size() + r.reason.size() +
            r.remediation.size() + kPerEvidence * r.evidence.size();
    for (const auto& text : r.references) size += text.size() + 16;
    for (const auto& text : r.controls) size += text.size() + 16;
    for (const auto& e : r.evidence) size += e.observed.size() + e.where.size() + e.expected.size();
  }
  return size;
}

void writeTotals(JsonText& json, const CheckTotals& t) {
  json.beginObject();
  json.member("pass", t.pass);
  json.member("fail", t.fail);
  json.member("not-applicable", t.not_applicable);
  json.member("not-evaluated", t.not_evaluated);
  json.member("manual", t.manual);
  if (t.suppressed > 0) json.member("suppressed", t.suppressed);
  json.member("score", t.score);
  json.endObject();
}

void writeHost(JsonText& json, const HostSummary& h) {
  json.beginObject();
  json.member("resource", h.resource);
  json.member("source", h.source);
  json.member("docker_version", h.docker_version);
  json.member("api_version", h.api_version);
  json.member("os", h.os);
  json.member("kernel", h.kernel);
  json.member("images", h.images);
  json.member("containers", h.containers);
  json.member("containers_running", h.containers_running);
  json.endObject();
}

void writeCluster(JsonText& json, const ClusterSummary& c) {
  json.beginObject();
  json.member("name", c.name);
  json.member("source", c.source);
  json.member("rules_version", c.rules_version);
  json.member("namespaces", c.namespaces);
  json.member("workloads", c.workloads);
  json.member("objects", c.objects);
  json.member("uninspected", c.uninspected);
  json.member("unknown_kinds", c.unknown_kinds);
  json.member("unreadable", c.unreadable);
  json.member("unreadable_lists", c.unreadable_lists);
  json.member("skipped_owned", c.skipped_owned);
  if (c.configz_nodes > 0) json.member("configz_nodes", c.configz_nodes);
  if (!c.server_version.empty()) json.member("server_version", c.server_version);
  if (!c.benchmark.empty()) {
    json.key("benchmark");
    json.beginObject();
    json.member("name", c.benchmark);
    json.member("workloads_meeting", c.workloads_meeting);
    json.member("workloads_unknown", c.workloads_unknown);
    json.endObject();
  }
  json.endObject();
}

void writeResult(JsonText& json, const model::CheckResult& r, const CheckCatalog& catalog) {
  json.beginObject();
  json.member("id", r.check_id);
  json.member("title", r.title);
  json.member("section", metaOf(catalog, r.check_id).section);
  json.member("severity", severityName(r.severity));
  json.member("status", model::toString(r.status));
  if (!r.reason.empty()) json.member("reason", r.reason);
  if (r.status == CheckStatus::NotEvaluated && r.cause != model::NotEvaluatedCause::None) {
    json.member("cause", model::toString(r.cause));
  }
  if (r.assist) json.member("assist", model::toString(*r.assist));
  if (!r.controls.empty()) json.member("controls", r.controls);
  if (r.suppression) {
    json.key("suppression");
    json.beginObject();
    json.member("reason", r.suppression->reason);
    json.member("expires", r.suppression->expires);
    json.member("source", r.suppression->source);
    json.endObject();
  }
  json.member("references", r.references);
  json.member("remediation", r.remediation);
  json.key("evidence");
  json.beginArray();
  for (const auto& e : r.evidence) {
    json.beginObject();
    json.member("observed", e.observed);
    json.member("where", e.where);
    json.member("expected", e.expected);
    json.endObject();
  }
  json.endArray();
  json.endObject();
}

void writeResource(JsonText& json, std::string_view resource,
                   const std::vector<const model::CheckResult*>& items,
                   const CheckCatalog& catalog) {
  const auto& first = *items.front();
  json.beginObject();
  json.member("resource", resource);
  if (!first.resource_kind.empty()) json.member("kind", first.resource_kind);
  if (first.location) {
    json.key("location");
    json.beginObject();
    json.member("file", first.location->file);
    json.member("line", first.location->line);
    json.endObject();
  }
  json.key("totals");
  writeTotals(json, totalsOf(items, catalog));
  json.key("results");
  json.beginArray();
  for (const auto* r : items) writeResult(json, *r, catalog);
  json.endArray();
  json.endObject();
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
                             const CheckCatalog& catalog, const CheckReportHeader& header,
                             bool show_suppressed) {
  std::string out;
  for (const auto& cluster : header.clusters) out += clusterLines(cluster);
  const auto groups = byResource(results);
  for (const auto& [resource, items] : groups) {
    const auto& location = items.front()->location;
    out += location ? fmt::format("{}  ({})\n", resource, locationText(*location))
                    : fmt::format("{}\n", resource);
    if (const auto* host = hostOf(header.hosts, resource)) out += hostLine(*host);
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

namespace {

void writeCheckJson(const std::vector<model::CheckResult>& results, const CheckCatalog& catalog,
                    const CheckReportHeader& header, std::string& out, const TextSink* sink) {
  JsonText json(out, sink);
  json.beginObject();
  json.member("schema", "bulwark.checks/v1");
  if (!header.hosts.empty()) {
    json.key("hosts");
    json.beginArray();
    for (const auto& host : header.hosts) writeHost(json, host);
    json.endArray();
  }
  if (!header.clusters.empty()) {
    json.key("clusters");
    json.beginArray();
    for (const auto& cluster : header.clusters) writeCluster(json, cluster);
    json.endArray();
  }
  json.key("totals");
  writeTotals(json, checkTotals(results, catalog));
  json.key("resources");
  json.beginArray();
  for (const auto& [resource, items] : byResource(results)) {
    writeResource(json, resource, items, catalog);
  }
  json.endArray();
  json.endObject();
  out += '\n';
  json.flush();
}

}  // namespace

std::string renderCheckJson(const std::vector<model::CheckResult>& results,
                            const CheckCatalog& catalog, const CheckReportHeader& header) {
  std::string out;
  out.reserve(jsonSizeHint(results));
  writeCheckJson(results, catalog, header, out, nullptr);
  return out;
}

void streamCheckJson(const std::vector<model::CheckResult>& results, const CheckCatalog& catalog,
                     const CheckReportHeader& header, const TextSink& sink) {
  std::string out;
  writeCheckJson(results, catalog, header, out, &sink);
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
      const auto [file, line] = fileLineOf(e.where, r.location);
      if (line > 0 && !file.empty()) {
        location = {{"physicalLocation",
                     {{"artifactLocation", {{"uri", file}}}, {"region", {{"startLine", line}}}}}};
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
