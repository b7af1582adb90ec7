// The posture report as JSON, HTML and PDF (posture_report.h).
#include "report/posture_report.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <system_error>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/date.h"
#include "core/subprocess.h"
#include "core/text.h"
#include "report/svg_chart.h"

namespace bulwark::report {

namespace {

using Json = nlohmann::ordered_json;

// --- order -------------------------------------------------------------------------------

// Falco's priorities, most urgent first; other names after them, by name.
int priorityRank(std::string_view priority) {
  static constexpr std::array<std::string_view, 8> kOrder = {
      "emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"};
  const std::string lower = core::asciiLower(priority);
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    if (kOrder[i] == lower) return static_cast<int>(i);
  }
  return lower == "info" ? 6 : static_cast<int>(kOrder.size());
}

// Unhealthy, not evaluated, healthy, not applicable.
int statusRank(model::Health status) {
  switch (status) {
    case model::Health::Unhealthy: return 0;
    case model::Health::NotEvaluated: return 1;
    case model::Health::Healthy: return 2;
    case model::Health::NotApplicable: return 3;
  }
  return 4;
}

PostureReportData sorted(const PostureReportData& input) {
  PostureReportData data = input;
  std::stable_sort(data.trend.begin(), data.trend.end(),
                   [](const auto& a, const auto& b) { return a.at < b.at; });
  std::sort(data.recommendations.begin(), data.recommendations.end(),
            [](const auto& a, const auto& b) {
              return std::tie(b.potential_increase, b.severity, a.id) <
                     std::tie(a.potential_increase, a.severity, b.id);
            });
  for (auto& recommendation : data.recommendations) {
    std::sort(recommendation.affected.begin(), recommendation.affected.end(),
              [](const PostureAffected& a, const PostureAffected& b) {
                return std::tuple(statusRank(a.status), a.name, a.id) <
                       std::tuple(statusRank(b.status), b.name, b.id);
              });
  }
  std::stable_sort(data.resources.begin(), data.resources.end(),
                   [](const auto& a, const auto& b) { return a.type < b.type; });
  std::sort(data.alerts_by_priority.begin(), data.alerts_by_priority.end(),
            [](const auto& a, const auto& b) {
              return std::tuple(priorityRank(a.priority), a.priority, a.count) <
                     std::tuple(priorityRank(b.priority), b.priority, b.count);
            });
  std::sort(data.alerts_by_day.begin(), data.alerts_by_day.end(), [](const auto& a, const auto& b) {
    return std::tie(a.day, a.count) < std::tie(b.day, b.count);
  });
  std::sort(data.exemptions.begin(), data.exemptions.end(), [](const auto& a, const auto& b) {
    return std::tie(a.exemption.recommendation, a.exemption.scope_id, a.exemption.source,
                    a.exemption.id) < std::tie(b.exemption.recommendation, b.exemption.scope_id,
                                               b.exemption.source, b.exemption.id);
  });
  return data;
}

// --- shared formatting ---------------------------------------------------------------------

std::string severityName(model::Severity severity) {
  return core::asciiLower(model::toString(severity));
}

std::string timeText(std::int64_t at_ms) {
  return core::utcText(static_cast<std::time_t>(at_ms / 1000));
}

double rounded(double value, double scale) { return std::round(value * scale) / scale; }

// "19.5", "32": at most one decimal, none when it is zero.
std::string shortNumber(double value) {
  const double one = rounded(value, 10);
  if (one == std::floor(one)) return fmt::format("{:.0f}", one);
  return fmt::format("{:.1f}", one);
}

// --- JSON ---------------------------------------------------------------------------------

Json optionalNumber(std::optional<double> value, double scale) {
  if (!value) return nullptr;
  return rounded(*value, scale);
}

}  // namespace

std::string renderPostureJson(const PostureReportData& input) {
  const PostureReportData data = sorted(input);
  Json doc;
  doc["schema"] = "bulwark.posture/v1";
  doc["bulwark_version"] = data.tool_version;
  doc["generated_at"] = timeText(data.generated_at);
  doc["since"] = timeText(data.since);
  if (data.scope_id.empty()) {
    doc["scope"] = nullptr;
  } else {
    doc["scope"] = Json{{"id", data.scope_id}, {"name", data.scope_name}};
  }
  Json score;
  score["percent"] = optionalNumber(data.score.percent, 1000);
  score["points"] = rounded(data.score.points, 1000);
  score["max"] = rounded(data.score.max, 1000);
  score["controls"] = Json::array();
  for (const auto& control : data.score.controls) {
    score["controls"].push_back(Json{{"id", control.id},
                                     {"title", control.title},
                                     {"max", rounded(control.max, 1000)},
                                     {"score", rounded(control.score, 1000)},
                                     {"applicable", control.applicable},
                                     {"healthy", control.healthy},
                                     {"unhealthy", control.unhealthy},
                                     {"not_evaluated", control.not_evaluated},
                                     {"exempt", control.exempt}});
  }
  doc["score"] = std::move(score);
  Json trend = Json::array();
  for (const auto& point : data.trend) {
    trend.push_back(Json{{"at", timeText(point.at)},
                         {"percent", optionalNumber(point.percent, 1000)},
                         {"points", rounded(point.points, 1000)},
                         {"max", rounded(point.max, 1000)}});
  }
  doc["trend"] = std::move(trend);
  Json recommendations = Json::array();
  for (const auto& recommendation : data.recommendations) {
    Json affected = Json::array();
    for (const auto& resource : recommendation.affected) {
      affected.push_back(Json{{"id", resource.id},
                              {"key", resource.key},
                              {"name", resource.name},
                              {"type", model::toString(resource.type)},
                              {"status", model::toString(resource.status)},
                              {"exempt", resource.exempt},
                              {"reason", resource.reason}});
    }
    recommendations.push_back(
        Json{{"id", recommendation.id},
             {"title", recommendation.title},
             {"control", recommendation.control},
             {"severity", severityName(recommendation.severity)},
             {"description", recommendation.description},
             {"remediation", recommendation.remediation},
             {"healthy", recommendation.healthy},
             {"unhealthy", recommendation.unhealthy},
             {"not_evaluated", recommendation.not_evaluated},
             {"not_applicable", recommendation.not_applicable},
             {"exempt", recommendation.exempt},
             {"potential_increase", rounded(recommendation.potential_increase, 1000)},
             {"affected", std::move(affected)}});
  }
  doc["recommendations"] = std::move(recommendations);
  Json resources = Json::array();
  for (const auto& count : data.resources) {
    resources.push_back(Json{{"type", model::toString(count.type)},
                             {"healthy", count.healthy},
                             {"unhealthy", count.unhealthy},
                             {"not_evaluated", count.not_evaluated},
                             {"not_applicable", count.not_applicable}});
  }
  doc["resources"] = std::move(resources);
  Json alerts;
  std::int64_t total = 0;
  alerts["by_priority"] = Json::array();
  for (const auto& count : data.alerts_by_priority) {
    alerts["by_priority"].push_back(Json{{"priority", count.priority}, {"count", count.count}});
    total += count.count;
  }
  alerts["by_day"] = Json::array();
  for (const auto& day : data.alerts_by_day) {
    alerts["by_day"].push_back(Json{{"day", day.day}, {"count", day.count}});
  }
  alerts["total"] = total;
  doc["alerts"] = std::move(alerts);
  Json exemptions = Json::array();
  for (const auto& row : data.exemptions) {
    const auto& exemption = row.exemption;
    exemptions.push_back(Json{{"id", exemption.id},
                              {"recommendation", exemption.recommendation},
                              {"scope_id", exemption.scope_id},
                              {"scope_name", row.scope_name},
                              {"source", exemption.source},
                              {"category", model::toString(exemption.category)},
                              {"reason", exemption.reason},
                              {"created_by", exemption.created_by},
                              {"created_at", timeText(exemption.created_at)},
                              {"expires_at", timeText(exemption.expires_at)}});
  }
  doc["exemptions"] = std::move(exemptions);
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

// --- HTML ---------------------------------------------------------------------------------

namespace {

constexpr std::string_view kHealthy = "#1e6b34";
constexpr std::string_view kUnhealthy = "#a4161a";
constexpr std::string_view kNotEvaluated = "#6b6b6b";
constexpr std::string_view kNotApplicable = "#b3b3b3";

constexpr std::string_view kStyle = R"(@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { margin: 0; color: #1a1a1a; background: #ffffff;
  font: 10.5pt/1.45 "DejaVu Sans", Arial, sans-serif; }
main { max-width: 190mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 20pt; margin: 0 0 4pt; }
h2 { font-size: 15pt; margin: 0 0 8pt; border-bottom: 2px solid #1f5f99; padding-bottom: 2pt; }
h3 { font-size: 12pt; margin: 14pt 0 4pt; }
h4 { font-size: 10.5pt; margin: 8pt 0 2pt; }
p.meta, p.note { color: #4a4a4a; }
section { margin-top: 18pt; }
section + section { break-before: page; page-break-before: always; }
article { break-inside: avoid-page; }
.chart { margin: 6pt 0 10pt; }
.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0 10pt; font-size: 9.5pt; }
caption { text-align: left; font-weight: bold; padding-bottom: 3pt; }
th, td { border: 1px solid #8c8c8c; padding: 2pt 5pt; text-align: left; vertical-align: top; }
th { background: #e8eef5; }
td.num, th.num { text-align: right; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; overflow-wrap: anywhere; }
)";

// Escaped, with control characters and invalid UTF-8 made visible (\xNN): names and reasons
// come from images, hosts and clusters, not from us.
std::string text(std::string_view value) { return svg::escapeMarkup(core::printable(value)); }

std::string percentText(std::optional<double> percent) {
  return percent ? fmt::format("{:.1f} %", *percent) : std::string("—");
}

std::string healthText(model::Health health) {
  switch (health) {
    case model::Health::Unhealthy: return "unhealthy";
    case model::Health::Healthy: return "healthy";
    case model::Health::NotEvaluated: return "not evaluated";
    case model::Health::NotApplicable: return "not applicable";
  }
  return "unknown";
}

std::string tableHead(std::initializer_list<std::string_view> columns,
                      std::initializer_list<std::string_view> numeric = {}) {
  std::string head = "<thead><tr>";
  for (const auto column : columns) {
    const bool is_number = std::find(numeric.begin(), numeric.end(), column) != numeric.end();
    head += fmt::format("<th scope=\"col\"{}>{}</th>", is_number ? " class=\"num\"" : "",
                        svg::escapeMarkup(column));
  }
  return head + "</tr></thead>\n";
}

std::string num(std::int64_t value) { return fmt::format("<td class=\"num\">{}</td>", value); }

void scoreSection(const PostureReportData& data, std::string& html) {
  const auto& score = data.score;
  std::int64_t applicable = 0;
  for (const auto& control : score.controls) applicable += control.applicable ? 1 : 0;
  const std::string caption =
      fmt::format("{} of {} points", shortNumber(score.points), shortNumber(score.max));
  html += "<section aria-labelledby=\"score\">\n<h2 id=\"score\">Secure score</h2>\n";
  html += "<div class=\"chart\">";
  html += svg::scoreRing(score.percent, caption,
                         score.percent
                             ? fmt::format("Secure score {:.1f} %, {}", *score.percent, caption)
                             : std::string("Secure score not available"));
  html += "</div>\n";
  if (score.percent) {
    html += fmt::format(
        "<p>The secure score is <strong>{}</strong>: {} over {} applicable control{}.</p>\n",
        percentText(score.percent), caption, applicable, applicable == 1 ? "" : "s");
  } else {
    html +=
        "<p>The secure score is <strong>not available</strong>: no control has a counted "
        "resource yet.</p>\n";
  }
  html += "<table>\n<caption>Controls</caption>\n";
  html += tableHead(
      {"Control", "Title", "Max", "Score", "Healthy", "Unhealthy", "Not evaluated", "Exempt"},
      {"Max", "Score", "Healthy", "Unhealthy", "Not evaluated", "Exempt"});
  html += "<tbody>\n";
  for (const auto& control : score.controls) {
    html += fmt::format(
        "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td>{}{}{}{}</tr>\n",
        text(control.id), text(control.title), shortNumber(control.max),
        control.applicable ? fmt::format("{:.2f}", control.score) : std::string("not applicable"),
        num(control.healthy), num(control.unhealthy), num(control.not_evaluated),
        num(control.exempt));
  }
  html += "</tbody>\n</table>\n</section>\n";
}

void trendSection(const PostureReportData& data, std::string& html) {
  html += "<section aria-labelledby=\"trend\">\n<h2 id=\"trend\">Score trend</h2>\n";
  std::vector<svg::TrendPoint> points;
  for (const auto& point : data.trend) {
    if (point.percent) points.push_back({point.at, *point.percent});
  }
  html += "<div class=\"chart\">";
  html += svg::trendLine(points, fmt::format("Secure score since {}", timeText(data.since)));
  html += "</div>\n";
  if (data.trend.empty()) {
    html += "<p class=\"note\">No score history yet.</p>\n</section>\n";
    return;
  }
  html += "<table>\n<caption>Score history</caption>\n";
  html += tableHead({"Time (UTC)", "Score", "Points"}, {"Score", "Points"});
  html += "<tbody>\n";
  for (const auto& point : data.trend) {
    html += fmt::format(
        "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        timeText(point.at), percentText(point.percent),
        point.percent ? fmt::format("{} of {}", shortNumber(point.points), shortNumber(point.max))
                      : std::string("—"));
  }
  html += "</tbody>\n</table>\n</section>\n";
}

std::string_view severityColour(model::Severity severity) {
  switch (severity) {
    case model::Severity::Critical: return "#7f1d1d";
    case model::Severity::High: return "#b23c17";
    case model::Severity::Medium: return "#8a6100";
    case model::Severity::Low: return "#2b5c8a";
    default: return "#6b6b6b";
  }
}

void recommendationsSection(const PostureReportData& data, std::string& html) {
  html +=
      "<section aria-labelledby=\"recommendations\">\n<h2 "
      "id=\"recommendations\">Recommendations</h2>\n";
  if (data.recommendations.empty()) {
    html += "<p class=\"note\">No recommendation applies to these resources.</p>\n</section>\n";
    return;
  }
  // Unhealthy resources summed over the recommendations of each severity (a resource counts
  // once per recommendation), most severe first.
  std::map<model::Severity, std::int64_t, std::greater<>> by_severity = {
      {model::Severity::Critical, 0},
      {model::Severity::High, 0},
      {model::Severity::Medium, 0},
      {model::Severity::Low, 0}};
  for (const auto& recommendation : data.recommendations) {
    by_severity[recommendation.severity] += recommendation.unhealthy;
  }
  std::vector<svg::BarRow> rows;
  rows.reserve(by_severity.size());
  for (const auto& [severity, count] : by_severity) {
    rows.push_back(
        {severityName(severity),
         {{"unhealthy", static_cast<double>(count), std::string(severityColour(severity))}}});
  }
  html += "<div class=\"chart\">";
  html += svg::barChart(rows, "Unhealthy resources per recommendation, by severity");
  html +=
      "</div>\n<table>\n<caption>Unhealthy resources per recommendation, by severity</caption>\n";
  html += tableHead({"Severity", "Unhealthy resources"}, {"Unhealthy resources"});
  html += "<tbody>\n";
  for (const auto& [severity, count] : by_severity) {
    html +=
        fmt::format("<tr><th scope=\"row\">{}</th>{}</tr>\n", severityName(severity), num(count));
  }
  html += "</tbody>\n</table>\n";

  html += "<table>\n<caption>All recommendations</caption>\n";
  html += tableHead({"Recommendation", "Title", "Severity", "Control", "Unhealthy", "Healthy",
                     "Not evaluated", "Exempt", "Potential"},
                    {"Unhealthy", "Healthy", "Not evaluated", "Exempt", "Potential"});
  html += "<tbody>\n";
  for (const auto& recommendation : data.recommendations) {
    html += fmt::format(
        "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td><code>{}</code></td>"
        "{}{}{}{}<td class=\"num\">+{:.1f}</td></tr>\n",
        text(recommendation.id), text(recommendation.title), severityName(recommendation.severity),
        text(recommendation.control), num(recommendation.unhealthy), num(recommendation.healthy),
        num(recommendation.not_evaluated), num(recommendation.exempt),
        recommendation.potential_increase);
  }
  html += "</tbody>\n</table>\n";
  html +=
      "<p class=\"note\">Potential: the points of percent the secure score gains when the "
      "recommendation's unhealthy resources are fixed.</p>\n";

  for (const auto& recommendation : data.recommendations) {
    if (recommendation.unhealthy == 0) continue;
    html += "<article>\n";
    html += fmt::format("<h3><code>{}</code> {}</h3>\n", text(recommendation.id),
                        text(recommendation.title));
    html += fmt::format(
        "<p class=\"meta\">Severity {} · control <code>{}</code> · {} unhealthy, {} healthy, {} "
        "not evaluated, {} exempt · potential +{:.1f} points of percent</p>\n",
        severityName(recommendation.severity), text(recommendation.control),
        recommendation.unhealthy, recommendation.healthy, recommendation.not_evaluated,
        recommendation.exempt, recommendation.potential_increase);
    if (!recommendation.description.empty()) {
      html += fmt::format("<p>{}</p>\n", text(recommendation.description));
    }
    if (!recommendation.remediation.empty()) {
      html += "<h4>Remediation</h4>\n<ol>\n";
      for (const auto& step : recommendation.remediation) {
        html += fmt::format("<li>{}</li>\n", text(step));
      }
      html += "</ol>\n";
    }
    if (!recommendation.affected.empty()) {
      html += "<h4>Affected resources</h4>\n<table>\n";
      html += tableHead({"Name", "Type", "Status", "Reason", "Id"});
      html += "<tbody>\n";
      for (const auto& resource : recommendation.affected) {
        html += fmt::format(
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}{}</td><td>{}</td><td><code>{}</code>"
            "</td></tr>\n",
            text(resource.name), model::toString(resource.type), healthText(resource.status),
            resource.exempt ? " (exempt)" : "", text(resource.reason), text(resource.id));
      }
      html += "</tbody>\n</table>\n";
      if (std::cmp_less(recommendation.affected.size(), recommendation.unhealthy)) {
        html += fmt::format("<p class=\"note\">The first {} of {} unhealthy resources.</p>\n",
                            recommendation.affected.size(), recommendation.unhealthy);
      }
    }
    html += "</article>\n";
  }
  html += "</section>\n";
}

void resourcesSection(const PostureReportData& data, std::string& html) {
  html += "<section aria-labelledby=\"resources\">\n<h2 id=\"resources\">Resources</h2>\n";
  if (data.resources.empty()) {
    html += "<p class=\"note\">No resources yet.</p>\n</section>\n";
    return;
  }
  std::vector<svg::BarRow> rows;
  rows.reserve(data.resources.size());
  for (const auto& count : data.resources) {
    rows.push_back(
        {std::string(model::toString(count.type)),
         {{"unhealthy", static_cast<double>(count.unhealthy), std::string(kUnhealthy)},
          {"healthy", static_cast<double>(count.healthy), std::string(kHealthy)},
          {"not evaluated", static_cast<double>(count.not_evaluated), std::string(kNotEvaluated)},
          {"not applicable", static_cast<double>(count.not_applicable),
           std::string(kNotApplicable)}}});
  }
  html += "<div class=\"chart\">";
  html += svg::barChart(rows, "Resources by type and health");
  html += "</div>\n<table>\n<caption>Resources by type and health</caption>\n";
  html += tableHead({"Type", "Unhealthy", "Healthy", "Not evaluated", "Not applicable", "Total"},
                    {"Unhealthy", "Healthy", "Not evaluated", "Not applicable", "Total"});
  html += "<tbody>\n";
  for (const auto& count : data.resources) {
    html += fmt::format(
        "<tr><th scope=\"row\">{}</th>{}{}{}{}{}</tr>\n", model::toString(count.type),
        num(count.unhealthy), num(count.healthy), num(count.not_evaluated),
        num(count.not_applicable),
        num(count.unhealthy + count.healthy + count.not_evaluated + count.not_applicable));
  }
  html += "</tbody>\n</table>\n</section>\n";
}

void alertsSection(const PostureReportData& data, std::string& html) {
  html += "<section aria-labelledby=\"alerts\">\n<h2 id=\"alerts\">Alerts</h2>\n";
  std::int64_t total = 0;
  for (const auto& count : data.alerts_by_priority) total += count.count;
  html += fmt::format("<p>{} alert{} since {}.</p>\n", total, total == 1 ? "" : "s",
                      timeText(data.since));
  if (!data.alerts_by_priority.empty()) {
    std::vector<svg::BarRow> rows;
    rows.reserve(data.alerts_by_priority.size());
    for (const auto& count : data.alerts_by_priority) {
      const int rank = priorityRank(count.priority);
      const std::string_view colour = rank <= 2   ? severityColour(model::Severity::Critical)
                                      : rank == 3 ? severityColour(model::Severity::High)
                                      : rank == 4 ? severityColour(model::Severity::Medium)
                                                  : severityColour(model::Severity::Low);
      rows.push_back(
          {count.priority, {{"alerts", static_cast<double>(count.count), std::string(colour)}}});
    }
    html += "<div class=\"chart\">";
    html += svg::barChart(rows, "Alerts by priority");
    html += "</div>\n<table>\n<caption>Alerts by priority</caption>\n";
    html += tableHead({"Priority", "Alerts"}, {"Alerts"});
    html += "<tbody>\n";
    for (const auto& count : data.alerts_by_priority) {
      html += fmt::format("<tr><th scope=\"row\">{}</th>{}</tr>\n", text(count.priority),
                          num(count.count));
    }
    html += "</tbody>\n</table>\n";
  }
  if (!data.alerts_by_day.empty()) {
    std::vector<svg::BarRow> rows;
    rows.reserve(data.alerts_by_day.size());
    for (const auto& day : data.alerts_by_day) {
      rows.push_back({day.day, {{"alerts", static_cast<double>(day.count), "#1f5f99"}}});
    }
    html += "<div class=\"chart\">";
    html += svg::barChart(rows, "Alerts per day (UTC)");
    html += "</div>\n<table>\n<caption>Alerts per day (UTC)</caption>\n";
    html += tableHead({"Day", "Alerts"}, {"Alerts"});
    html += "<tbody>\n";
    for (const auto& day : data.alerts_by_day) {
      html += fmt::format("<tr><th scope=\"row\">{}</th>{}</tr>\n", text(day.day), num(day.count));
    }
    html += "</tbody>\n</table>\n";
  }
  html += "</section>\n";
}

void exemptionsSection(const PostureReportData& data, std::string& html) {
  html += "<section aria-labelledby=\"exemptions\">\n<h2 id=\"exemptions\">Exemptions</h2>\n";
  if (data.exemptions.empty()) {
    html += "<p class=\"note\">No exemptions.</p>\n</section>\n";
    return;
  }
  html += "<table>\n<caption>Active exemptions</caption>\n";
  html += tableHead({"Recommendation", "Scope", "Source", "Category", "Reason", "By", "Expires"});
  html += "<tbody>\n";
  for (const auto& row : data.exemptions) {
    const auto& exemption = row.exemption;
    html += fmt::format(
        "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td></tr>\n",
        text(exemption.recommendation),
        text(row.scope_name.empty() ? exemption.scope_id : row.scope_name),
        exemption.source.empty() ? std::string("all") : text(exemption.source),
        model::toString(exemption.category), text(exemption.reason), text(exemption.created_by),
        timeText(exemption.expires_at));
  }
  html += "</tbody>\n</table>\n</section>\n";
}

}  // namespace

std::string renderPostureHtml(const PostureReportData& input) {
  const PostureReportData data = sorted(input);
  std::string html;
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html +=
      fmt::format("<meta name=\"generator\" content=\"bulwark {}\">\n", text(data.tool_version));
  html += "<title>Security posture report — bulwark</title>\n<style>\n";
  html += kStyle;
  html += "</style>\n</head>\n<body>\n<main>\n<header>\n<h1>Security posture report</h1>\n";
  html += fmt::format(
      "<p class=\"meta\">Generated {} by bulwark {} for {}. Trend and alerts since {}.</p>\n",
      timeText(data.generated_at), text(data.tool_version),
      data.scope_id.empty()
          ? std::string("all resources")
          : fmt::format("{} (<code>{}</code>)", text(data.scope_name), text(data.scope_id)),
      timeText(data.since));
  html += "</header>\n";
  scoreSection(data, html);
  trendSection(data, html);
  recommendationsSection(data, html);
  resourcesSection(data, html);
  alertsSection(data, html);
  exemptionsSection(data, html);
  html += "</main>\n</body>\n</html>\n";
  return html;
}

// --- PDF ----------------------------------------------------------------------------------

namespace {

constexpr std::size_t kMaxStderr = std::size_t{64} * 1024;

// The last lines of chromium's output, printable, at most 600 bytes.
std::string tail(std::string_view output) {
  output = core::trim(output);
  if (output.size() > 600) output = output.substr(output.size() - 600);
  return core::printable(output);
}

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = (base != nullptr && *base != '\0') ? base : "/tmp";
    pattern += "/bulwark-report-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

core::Status renderPosturePdf(std::string_view html, const std::filesystem::path& chromium,
                              const std::filesystem::path& out, std::chrono::seconds timeout) {
  std::error_code error;
  if (chromium.empty() || !std::filesystem::is_regular_file(chromium, error) ||
      ::access(chromium.c_str(), X_OK) != 0) {
    return core::fail(core::ErrorCode::NotFound, std::string(kChromiumMissing));
  }
  const TempDir dir;
  if (dir.path().empty()) {
    return core::fail(core::ErrorCode::Io, "report: cannot create a temporary directory: {}",
                      std::generic_category().message(errno));
  }
  const std::filesystem::path page = dir.path() / "report.html";
  {
    std::ofstream file(page, std::ios::binary);
    file << html;
    if (!file.flush()) {
      return core::fail(core::ErrorCode::Io, "report: cannot write {}", page.string());
    }
  }
  const std::filesystem::path target = std::filesystem::absolute(out, error);
  if (error) {
    return core::fail(core::ErrorCode::Io, "report: {}: {}", out.string(), error.message());
  }
  std::filesystem::remove(target, error);
  core::CaptureOptions capture;
  capture.timeout = timeout;
  capture.max_output = kMaxStderr;
  capture.keep_tail = true;  // chromium's last lines say why it failed
  capture.own_group = true;  // chromium starts helpers: a timeout kills them too
  const core::CapturedRun ran =
      core::runCaptured({chromium.string(), "--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--no-pdf-header-footer",
                         "--user-data-dir=" + (dir.path() / "profile").string(),
                         "--print-to-pdf=" + target.string(), "file://" + page.string()},
                        capture);
  if (!ran.started) {
    return core::fail(core::ErrorCode::Io, "report: cannot run {}: {}", chromium.string(),
                      std::generic_category().message(ran.spawn_error));
  }
  if (ran.timed_out) {
    return core::fail(core::ErrorCode::Io, "report: {} did not print the PDF within {} s",
                      chromium.string(), timeout.count());
  }
  if (ran.exit_code != 0) {
    return core::fail(core::ErrorCode::Io, "report: {} failed ({}): {}", chromium.string(),
                      ran.signal != 0 ? fmt::format("signal {}", ran.signal)
                                      : fmt::format("exit code {}", ran.exit_code),
                      tail(ran.output));
  }
  std::ifstream pdf(target, std::ios::binary);
  std::array<char, 5> magic{};
  if (!pdf.read(magic.data(), magic.size()) ||
      std::string_view(magic.data(), magic.size()) != "%PDF-") {
    return core::fail(core::ErrorCode::Io, "report: {} wrote no PDF to {}: {}", chromium.string(),
                      target.string(), tail(ran.output));
  }
  return {};
}

}  // namespace bulwark::report
