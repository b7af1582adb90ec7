// The posture report (docs/posture.md "Reports"; docs/dev/posture-design.md §6.2): the secure
// score, its trend, the recommendations with their most affected resources, resources by type
// and health, alerts and exemptions, as the `bulwark.posture/v1` JSON document, one
// self-contained HTML file (inline CSS and SVG, no script, no external URL, printable on A4) or
// a PDF of that HTML printed by headless chromium.
//
// The input is a plain struct that src/pipeline/posture/report_data fills from the store; the
// renderers sort what they print (below), so the same data gives the same bytes whatever order
// it came in.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/advisory.h"
#include "model/posture.h"
#include "posture/score.h"

namespace bulwark::report {

struct PostureTrendPoint {
  std::int64_t at = 0;            // Unix ms
  std::optional<double> percent;  // none: no control applicable at that time
  double points = 0;
  double max = 0;
};

// A resource a recommendation affects, with its health for the recommendation.
struct PostureAffected {
  std::string id;
  std::string key;
  std::string name;
  model::ResourceType type = model::ResourceType::Image;
  model::Health status = model::Health::Unhealthy;
  std::string reason;  // "3 critical, 7 high"
  bool exempt = false;
};

struct PostureRecommendation {
  std::string id;  // "BW-REC-010"
  std::string title;
  std::string control;  // "CTL-PRIV"
  model::Severity severity = model::Severity::Medium;
  std::string description;
  std::vector<std::string> remediation;  // steps
  // Resources by their health for the recommendation (posture::RecommendationCount).
  std::int64_t healthy = 0;
  std::int64_t unhealthy = 0;
  std::int64_t not_evaluated = 0;
  std::int64_t not_applicable = 0;
  std::int64_t exempt = 0;
  double potential_increase = 0;  // points of percent (posture::potentialIncrease)
  // The most affected resources (report_data keeps at most 50), sorted by the renderers:
  // unhealthy first, then not evaluated, healthy, not applicable; then by name and id.
  std::vector<PostureAffected> affected;
};

// Current (not gone) resources of one type by their rolled-up health.
struct PostureResourceCount {
  model::ResourceType type = model::ResourceType::Image;
  std::int64_t healthy = 0;
  std::int64_t unhealthy = 0;
  std::int64_t not_evaluated = 0;
  std::int64_t not_applicable = 0;
};

// Alerts of the report's window by priority ("critical", "warning", …; Falco's names) and by
// UTC day ("2026-11-20").
struct PostureAlertCount {
  std::string priority;
  std::int64_t count = 0;
};
struct PostureAlertDay {
  std::string day;
  std::int64_t count = 0;
};

struct PostureExemption {
  model::Exemption exemption;
  std::string scope_name;  // the scope resource's name, for display
};

struct PostureReportData {
  std::string tool_version;       // bulwark's version
  std::int64_t generated_at = 0;  // Unix ms
  std::string scope_id;           // "": every resource
  std::string scope_name;
  std::int64_t since = 0;      // Unix ms: the start of the trend and alert window
  posture::SecureScore score;  // controls in the catalogue's order (kept as given)
  // The renderers sort these: the trend by time; recommendations by potential increase and
  // severity (both descending), then id; resources by type; alerts by priority (most urgent
  // first) and by day; exemptions by recommendation, scope, source and id.
  std::vector<PostureTrendPoint> trend;
  std::vector<PostureRecommendation> recommendations;
  std::vector<PostureResourceCount> resources;
  std::vector<PostureAlertCount> alerts_by_priority;
  std::vector<PostureAlertDay> alerts_by_day;
  std::vector<PostureExemption> exemptions;
};

// The `bulwark.posture/v1` document (docs/json-schema.md), two-space indented, ending in a
// newline; invalid UTF-8 in names and reasons is replaced.
std::string renderPostureJson(const PostureReportData& data);

// One self-contained HTML file; every text from the data is escaped.
std::string renderPostureHtml(const PostureReportData& data);

inline constexpr std::chrono::seconds kPdfTimeout{60};
inline constexpr std::string_view kChromiumMissing =
    "report: --format pdf needs chromium (apt-get install chromium)";

// Writes `html` into a private temporary directory and prints it to `out` with
// `chromium --headless --no-sandbox --disable-gpu --disable-background-networking
// --no-pdf-header-footer --print-to-pdf=OUT file://…` (killed after `timeout`; its stderr
// is in the error). A `chromium` that is not an executable file is kChromiumMissing.
core::Status renderPosturePdf(std::string_view html, const std::filesystem::path& chromium,
                              const std::filesystem::path& out,
                              std::chrono::seconds timeout = kPdfTimeout);

}  // namespace bulwark::report
