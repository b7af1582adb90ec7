// Assessments (docs/dev/posture-design.md §2.1): what check results, vulnerability findings,
// scan state, runtime alerts and sensor heartbeats say about one resource, each as one
// model::Assessment per (resource, source) with its recommendation and control from the
// catalogue. Pure functions: the caller resolves which resource an input concerns (§1.2) and
// the store keeps history (status_since).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/check.h"
#include "model/finding.h"
#include "model/posture.h"
#include "posture/catalogue.h"

namespace bulwark::posture {

inline constexpr std::int64_t kMinuteMs = std::int64_t{60} * 1000;
inline constexpr std::int64_t kHourMs = 60 * kMinuteMs;
inline constexpr std::int64_t kDayMs = 24 * kHourMs;

// When the assessments are made and the windows of serve's `posture:` configuration.
struct AssessContext {
  std::int64_t now_ms = 0;                    // assessed_at of every assessment
  std::int64_t run_id = 0;                    // check results: the bench run
  std::int64_t alert_window_ms = 7 * kDayMs;  // open alerts older than this stop counting
  std::int64_t sensor_timeout_ms = 10 * kMinuteMs;
  std::int64_t scan_max_age_ms = 30 * kDayMs;  // an older scan is stale (BW-REC-004)
  std::int64_t scan_grace_ms = kHourMs;        // time a pushed image has to be scanned
};

// A check result → its assessment: pass → healthy, fail → unhealthy, not-applicable →
// not-applicable, not-evaluated → not-evaluated (reason and cause kept), manual → not-evaluated
// with cause "manual" (its `assist` becomes evidence, never a verdict). Nullopt when the check
// is unmapped or unknown to the catalogue (Catalogue::source tells which).
std::optional<model::Assessment> assessCheck(const Catalogue& catalogue,
                                             std::string_view resource_id,
                                             const model::CheckResult& result,
                                             const AssessContext& context);

// A scan result's findings, counted by severity (what the store's `results` row holds).
struct VulnCounts {
  std::int64_t critical = 0, high = 0, medium = 0, low = 0, negligible = 0, unknown = 0;
  std::int64_t fixable = 0;  // findings of severity low or worse with a fixed version
};

VulnCounts countFindings(std::span<const model::Finding> findings);

// An image's `vuln:severe` (unhealthy when critical + high > 0) and `vuln:fixable` (unhealthy
// when fixable > 0); both not-evaluated when the digest has no scan result (nullopt). Only the
// sources the catalogue maps are returned.
std::vector<model::Assessment> assessImageVulnerabilities(const Catalogue& catalogue,
                                                          std::string_view resource_id,
                                                          const std::optional<VulnCounts>& counts,
                                                          const AssessContext& context);

// A container's `vuln:running`: as `vuln:severe` for the digest it runs; not-evaluated when
// that image is not in a monitored registry or not scanned (nullopt).
std::optional<model::Assessment> assessRunningImage(const Catalogue& catalogue,
                                                    std::string_view resource_id,
                                                    const std::optional<VulnCounts>& counts,
                                                    const AssessContext& context);

// What is known of the scans of an image (or of the image a container runs).
struct ScanState {
  bool newest_job_dead = false;            // the newest scan job gave up
  std::optional<std::int64_t> pushed_at;   // last push seen (Unix ms)
  std::optional<std::int64_t> scanned_at;  // last successful scan (Unix ms)
};

// `scan`: unhealthy when the newest job is dead, when never scanned and pushed more than
// scan_grace ago (or never pushed to a monitored registry), or when the last scan is older than
// scan_max_age; not-evaluated while a fresh push waits for its scan; healthy otherwise.
std::optional<model::Assessment> assessScan(const Catalogue& catalogue,
                                            std::string_view resource_id, const ScanState& state,
                                            const AssessContext& context);

// One runtime alert as posture needs it (store::AlertRecord has these and more).
struct AlertInput {
  std::string alert_id;
  std::string rule_id;  // bulwark.id: "BW-RT-207"; "" for rules without one
  int priority = 0;     // Falco's, more is worse: Debug 0 … Warning 3, Error 4 … Emergency 7
  std::int64_t time_ms = 0;
  model::AlertStatus status = model::AlertStatus::New;
  bool simulated = false;
};

// Emergency, Alert, Critical → critical; Error → high; Warning → medium; else low.
model::Severity severityOfPriority(int priority);

// Whether an alert makes its resource unhealthy: new or active, not simulated, and within the
// alert window (or later than now).
bool alertOpen(const AlertInput& alert, const AssessContext& context);

// One assessment per rule id among `alerts` (all of one resource) whose rule feeds a
// recommendation of its own (BW-RT-207 → BW-REC-010): unhealthy while one of them is open,
// healthy after. Simulated alerts, unmapped rules (the test rule) and the rules of the
// recommendation with the derived `runtime` source are left out. Sorted by rule id.
std::vector<model::Assessment> assessAlertRules(const Catalogue& catalogue,
                                                std::string_view resource_id,
                                                std::span<const AlertInput> alerts,
                                                const AssessContext& context);

// The `runtime` assessment of a host, container, workload or cluster from the alerts of the
// runtime recommendation's rules: unhealthy while one is open; else healthy when a live sensor
// watches the resource; else not-evaluated.
std::optional<model::Assessment> assessRuntime(const Catalogue& catalogue,
                                               std::string_view resource_id,
                                               std::span<const AlertInput> alerts, bool sensor_live,
                                               const AssessContext& context);

// Whether a sensor whose last heartbeat was `last_seen_ms` is live now.
bool sensorLive(const std::optional<std::int64_t>& last_seen_ms, const AssessContext& context);

// `sensor` of a host or cluster: healthy when an agent or the audit webhook reported within
// sensor_timeout, unhealthy otherwise.
std::optional<model::Assessment> assessSensor(const Catalogue& catalogue,
                                              std::string_view resource_id,
                                              const std::optional<std::int64_t>& last_seen_ms,
                                              const AssessContext& context);

}  // namespace bulwark::posture
