// A small hand-built posture report: the secure score of docs/posture.md's worked example
// (60.9 %), three recommendations (titles as data/posture/catalogue.yaml has them), three resource
// types, alerts on three days and one exemption. posture_report_test renders it against the goldens
// in tests/golden/posture/.
#pragma once

#include <cstdint>

#include "report/posture_report.h"

namespace bulwark::testing {

inline constexpr std::int64_t kDay = 24LL * 3600 * 1000;
inline constexpr std::int64_t kGeneratedAt = 1795000000000;  // 2026-11-18T11:06:40Z

inline posture::ControlScore control(const char* id, const char* title, double max,
                                     std::int64_t healthy, std::int64_t unhealthy) {
  posture::ControlScore row;
  row.id = id;
  row.title = title;
  row.max = max;
  row.healthy = healthy;
  row.unhealthy = unhealthy;
  row.applicable = healthy + unhealthy > 0;
  row.score = row.applicable
                  ? max * static_cast<double>(healthy) / static_cast<double>(healthy + unhealthy)
                  : 0;
  return row;
}

inline report::PostureReportData workedExample() {
  report::PostureReportData data;
  data.tool_version = "0.1.0";
  data.generated_at = kGeneratedAt;
  data.since = kGeneratedAt - 30 * kDay;
  auto& score = data.score;
  score.controls = {control("CTL-VULN", "Remediate vulnerabilities", 6, 8, 6),
                    control("CTL-PRIV", "Restrict container privileges", 6, 10, 4),
                    control("CTL-HOST", "Harden hosts and nodes", 5, 0, 1),
                    control("CTL-ACCESS", "Manage access and permissions", 4, 1, 0),
                    control("CTL-NET", "Restrict network exposure", 4, 13, 1),
                    control("CTL-CONF", "Remediate security configurations", 3, 4, 10),
                    control("CTL-RUNTIME", "Detect and respond to threats", 4, 4, 1)};
  score.controls[0].not_evaluated = 1;
  for (const auto& row : score.controls) {
    if (!row.applicable) continue;
    score.points += row.score;
    score.max += row.max;
  }
  score.percent = 100 * score.points / score.max;

  // Given out of order: the renderers sort by time.
  data.trend = {{kGeneratedAt - 10 * kDay, 55.25, 17.68, 32},
                {kGeneratedAt - 20 * kDay, 40, 12.8, 32},
                {kGeneratedAt, score.percent, score.points, score.max},
                {kGeneratedAt - 29 * kDay, std::nullopt, 0, 0}};

  report::PostureRecommendation privileged;
  privileged.id = "BW-REC-010";
  privileged.title = "Privileged containers should be avoided";
  privileged.control = "CTL-PRIV";
  privileged.severity = model::Severity::Critical;
  privileged.description = "A privileged container can do almost anything its host can.";
  privileged.remediation = {"Remove --privileged.", "Add only the capabilities it needs."};
  privileged.healthy = 3;
  privileged.unhealthy = 1;
  privileged.potential_increase = 6.0 / 14 * 1 / 32 * 100;
  privileged.affected = {
      {"a1b2c3d4e5f60718", "container:docker/web-1/0123", "web-1", model::ResourceType::Container,
       model::Health::Unhealthy, "runs privileged", false},
      {"0f1e2d3c4b5a6978", "container:docker/db-1/4567", "db-1", model::ResourceType::Container,
       model::Health::Healthy, "", false}};

  report::PostureRecommendation cis;
  cis.id = "BW-REC-020";
  cis.title = "Container hosts should be configured securely";
  cis.control = "CTL-HOST";
  cis.severity = model::Severity::High;
  cis.description = "The host's Docker daemon and files should be configured as CIS advises.";
  cis.remediation = {"Fix the failed BW-DKR checks of the host."};
  cis.unhealthy = 1;
  cis.potential_increase = 5.0 / 1 * 1 / 32 * 100;
  cis.affected = {{"9a8b7c6d5e4f3a2b", "host:docker/build-7", "build-7", model::ResourceType::Host,
                   model::Health::Unhealthy, "41 CIS failures", false}};

  report::PostureRecommendation healthcheck;
  healthcheck.id = "BW-REC-050";
  healthcheck.title = "Containers should have resource limits and health checks";
  healthcheck.control = "CTL-CONF";
  healthcheck.severity = model::Severity::Low;
  healthcheck.healthy = 4;
  healthcheck.not_evaluated = 2;
  data.recommendations = {healthcheck, privileged, cis};

  data.resources = {{model::ResourceType::Image, 6, 4, 0, 0},
                    {model::ResourceType::Host, 0, 1, 0, 0},
                    {model::ResourceType::Container, 2, 2, 0, 0}};
  data.alerts_by_priority = {{"warning", 3}, {"critical", 1}};
  data.alerts_by_day = {{"2026-11-17", 3}, {"2026-11-15", 1}};

  report::PostureExemption exemption;
  exemption.exemption.id = 7;
  exemption.exemption.recommendation = "BW-REC-032";
  exemption.exemption.scope_id = "9a8b7c6d5e4f3a2b";
  exemption.exemption.category = model::ExemptionCategory::Mitigated;
  exemption.exemption.reason = "hardened by the platform team's Ansible role";
  exemption.exemption.created_by = "admin";
  exemption.exemption.created_at = kGeneratedAt - kDay;
  exemption.exemption.expires_at = kGeneratedAt + 89 * kDay;
  exemption.scope_name = "build-7";
  data.exemptions = {exemption};
  return data;
}

}  // namespace bulwark::testing
