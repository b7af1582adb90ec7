// Assessments from checks, findings, scans, alerts and sensors (assess.h documents each).
#include "posture/assess.h"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace bulwark::posture {

namespace {

// At most this many alert ids are kept as an assessment's evidence (the newest).
constexpr std::size_t kMaxAlertEvidence = 20;

// An assessment of `source` with its recommendation, control and times set; nullopt when the
// catalogue maps no recommendation for it.
std::optional<model::Assessment> start(const Catalogue& catalogue, std::string_view resource_id,
                                       std::string_view source, const AssessContext& context) {
  const SourceRef ref = catalogue.source(source);
  if (ref.recommendation == nullptr) return std::nullopt;
  model::Assessment assessment;
  assessment.resource_id = std::string(resource_id);
  assessment.source = std::string(source);
  assessment.kind = ref.kind;
  assessment.recommendation = ref.recommendation->id;
  assessment.control = ref.recommendation->control;
  assessment.assessed_at = context.now_ms;
  if (ref.kind == model::SourceKind::Check) assessment.run_id = context.run_id;
  return assessment;
}

model::Health healthOf(model::CheckStatus status) {
  switch (status) {
    case model::CheckStatus::Pass: return model::Health::Healthy;
    case model::CheckStatus::Fail: return model::Health::Unhealthy;
    case model::CheckStatus::NotApplicable: return model::Health::NotApplicable;
    case model::CheckStatus::NotEvaluated:
    case model::CheckStatus::Manual: return model::Health::NotEvaluated;
  }
  return model::Health::NotEvaluated;
}

model::Severity worstSeverity(const VulnCounts& counts) {
  if (counts.critical > 0) return model::Severity::Critical;
  if (counts.high > 0) return model::Severity::High;
  if (counts.medium > 0) return model::Severity::Medium;
  if (counts.low > 0) return model::Severity::Low;
  if (counts.negligible > 0) return model::Severity::Negligible;
  return model::Severity::Unknown;
}

// "3 critical, 7 high, 1 medium" (zero counts left out); "no vulnerabilities".
std::string describe(const VulnCounts& counts) {
  const std::pair<std::int64_t, std::string_view> parts[] = {
      {counts.critical, "critical"},     {counts.high, "high"},
      {counts.medium, "medium"},         {counts.low, "low"},
      {counts.negligible, "negligible"}, {counts.unknown, "unknown"}};
  std::string out;
  for (const auto& [count, name] : parts) {
    if (count == 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", count, name);
  }
  return out.empty() ? "no vulnerabilities" : out;
}

// vuln:severe and vuln:running share this verdict.
void judgeSevere(model::Assessment& assessment, const std::optional<VulnCounts>& counts,
                 std::string_view unscanned) {
  if (!counts) {
    assessment.status = model::Health::NotEvaluated;
    assessment.reason = std::string(unscanned);
    assessment.cause = std::string(model::toString(model::NotEvaluatedCause::MissingInput));
    return;
  }
  const std::int64_t severe = counts->critical + counts->high;
  assessment.status = severe > 0 ? model::Health::Unhealthy : model::Health::Healthy;
  assessment.severity = worstSeverity(*counts);
  assessment.reason = severe > 0
                          ? fmt::format("{} critical, {} high", counts->critical, counts->high)
                          : "no critical or high vulnerabilities";
  assessment.evidence.push_back(
      {describe(*counts), "scan result", "no critical or high vulnerabilities"});
}

void notEvaluated(model::Assessment& assessment, std::string reason) {
  assessment.status = model::Health::NotEvaluated;
  assessment.reason = std::move(reason);
  assessment.cause = std::string(model::toString(model::NotEvaluatedCause::MissingInput));
}

// "3 d", "5 h", "12 min": an age for people.
std::string age(std::int64_t ms) {
  ms = std::max<std::int64_t>(ms, 0);
  if (ms >= kDayMs) return fmt::format("{} d", ms / kDayMs);
  if (ms >= kHourMs) return fmt::format("{} h", ms / kHourMs);
  return fmt::format("{} min", ms / kMinuteMs);
}

// The rule's recommendation collects alerts into the derived `runtime` assessment.
bool isRuntimeRecommendation(const Recommendation& recommendation) {
  return std::find(recommendation.derived.begin(), recommendation.derived.end(), kSourceRuntime) !=
         recommendation.derived.end();
}

// Open count, worst severity (of the open alerts, else of all) and the newest alert ids.
void judgeAlerts(model::Assessment& assessment, std::vector<const AlertInput*> alerts,
                 const AssessContext& context) {
  std::sort(alerts.begin(), alerts.end(), [](const AlertInput* a, const AlertInput* b) {
    return a->time_ms != b->time_ms ? a->time_ms > b->time_ms : a->alert_id < b->alert_id;
  });
  std::size_t open = 0;
  int worst_open = -1;
  int worst = -1;
  for (const AlertInput* alert : alerts) {
    worst = std::max(worst, alert->priority);
    if (alertOpen(*alert, context)) {
      ++open;
      worst_open = std::max(worst_open, alert->priority);
    }
  }
  if (open > 0) {
    assessment.status = model::Health::Unhealthy;
    assessment.severity = severityOfPriority(worst_open);
    assessment.reason = fmt::format("{} open alert{}", open, open == 1 ? "" : "s");
  } else {
    assessment.status = model::Health::Healthy;
    if (worst >= 0) assessment.severity = severityOfPriority(worst);
    assessment.reason = "no open alert";
  }
  for (const AlertInput* alert : alerts) {
    if (assessment.evidence.size() == kMaxAlertEvidence) break;
    const bool is_open = alertOpen(*alert, context);
    if (open > 0 && !is_open) continue;  // unhealthy: the open ones are the evidence
    assessment.evidence.push_back(
        {alert->alert_id, is_open ? "open alert" : "alert", "dismissed or resolved"});
  }
}

}  // namespace

std::optional<model::Assessment> assessCheck(const Catalogue& catalogue,
                                             std::string_view resource_id,
                                             const model::CheckResult& result,
                                             const AssessContext& context) {
  auto assessment = start(catalogue, resource_id, result.check_id, context);
  if (!assessment || assessment->kind != model::SourceKind::Check) return std::nullopt;
  assessment->status = healthOf(result.status);
  assessment->severity = result.severity;
  assessment->reason = result.reason;
  assessment->evidence = result.evidence;
  if (result.status == model::CheckStatus::NotEvaluated) {
    assessment->cause = std::string(model::toString(result.cause));
  } else if (result.status == model::CheckStatus::Manual) {
    assessment->cause = "manual";
    if (assessment->reason.empty()) assessment->reason = "manual check: review it by hand";
    if (result.assist) {
      assessment->evidence.push_back(
          {fmt::format("the automated part suggests {}", model::toString(*result.assist)), "assist",
           ""});
    }
  }
  return assessment;
}

VulnCounts countFindings(std::span<const model::Finding> findings) {
  VulnCounts counts;
  for (const auto& finding : findings) {
    switch (finding.severity) {
      case model::Severity::Critical: ++counts.critical; break;
      case model::Severity::High: ++counts.high; break;
      case model::Severity::Medium: ++counts.medium; break;
      case model::Severity::Low: ++counts.low; break;
      case model::Severity::Negligible: ++counts.negligible; break;
      case model::Severity::Unknown: ++counts.unknown; break;
    }
    if (finding.severity >= model::Severity::Low && !finding.fixed_version.empty()) {
      ++counts.fixable;
    }
  }
  return counts;
}

std::vector<model::Assessment> assessImageVulnerabilities(const Catalogue& catalogue,
                                                          std::string_view resource_id,
                                                          const std::optional<VulnCounts>& counts,
                                                          const AssessContext& context) {
  std::vector<model::Assessment> out;
  if (auto severe = start(catalogue, resource_id, kSourceVulnSevere, context)) {
    judgeSevere(*severe, counts, "not scanned yet");
    out.push_back(std::move(*severe));
  }
  if (auto fixable = start(catalogue, resource_id, kSourceVulnFixable, context)) {
    if (!counts) {
      notEvaluated(*fixable, "not scanned yet");
    } else {
      fixable->status = counts->fixable > 0 ? model::Health::Unhealthy : model::Health::Healthy;
      fixable->severity = worstSeverity(*counts);
      fixable->reason = counts->fixable > 0
                            ? fmt::format("{} with a fixed version", counts->fixable)
                            : "no vulnerability with a fix";
      fixable->evidence.push_back(
          {fmt::format("{} fixable of {}", counts->fixable, describe(*counts)), "scan result",
           "no vulnerability with an available fix"});
    }
    out.push_back(std::move(*fixable));
  }
  return out;
}

std::optional<model::Assessment> assessRunningImage(const Catalogue& catalogue,
                                                    std::string_view resource_id,
                                                    const std::optional<VulnCounts>& counts,
                                                    const AssessContext& context) {
  auto assessment = start(catalogue, resource_id, kSourceVulnRunning, context);
  if (assessment) {
    judgeSevere(*assessment, counts, "the image is not in a monitored registry or not scanned");
  }
  return assessment;
}

std::optional<model::Assessment> assessScan(const Catalogue& catalogue,
                                            std::string_view resource_id, const ScanState& state,
                                            const AssessContext& context) {
  auto assessment = start(catalogue, resource_id, kSourceScan, context);
  if (!assessment) return assessment;
  assessment->severity = catalogue.recommendation(assessment->recommendation)->severity;
  auto unhealthy = [&](std::string reason) {
    assessment->status = model::Health::Unhealthy;
    assessment->reason = std::move(reason);
  };
  if (state.newest_job_dead) {
    unhealthy("the last scan job failed");
  } else if (!state.scanned_at) {
    if (!state.pushed_at) {
      unhealthy("never scanned: not pushed to a monitored registry");
    } else if (context.now_ms - *state.pushed_at > context.scan_grace_ms) {
      unhealthy(
          fmt::format("not scanned {} after the push", age(context.now_ms - *state.pushed_at)));
    } else {
      notEvaluated(*assessment, "scan pending");
    }
  } else if (context.now_ms - *state.scanned_at > context.scan_max_age_ms) {
    unhealthy(fmt::format("last scanned {} ago", age(context.now_ms - *state.scanned_at)));
  } else {
    assessment->status = model::Health::Healthy;
    assessment->reason = fmt::format("scanned {} ago", age(context.now_ms - *state.scanned_at));
  }
  return assessment;
}

model::Severity severityOfPriority(int priority) {
  if (priority >= 5) return model::Severity::Critical;
  if (priority == 4) return model::Severity::High;
  if (priority == 3) return model::Severity::Medium;
  return model::Severity::Low;
}

bool alertOpen(const AlertInput& alert, const AssessContext& context) {
  const bool active =
      alert.status == model::AlertStatus::New || alert.status == model::AlertStatus::Active;
  return active && !alert.simulated && alert.time_ms >= context.now_ms - context.alert_window_ms;
}

std::vector<model::Assessment> assessAlertRules(const Catalogue& catalogue,
                                                std::string_view resource_id,
                                                std::span<const AlertInput> alerts,
                                                const AssessContext& context) {
  std::map<std::string_view, std::vector<const AlertInput*>> by_rule;
  for (const auto& alert : alerts) {
    if (alert.simulated) continue;
    const SourceRef ref = catalogue.source(alert.rule_id);
    if (ref.recommendation == nullptr || ref.kind != model::SourceKind::Rule ||
        isRuntimeRecommendation(*ref.recommendation)) {
      continue;
    }
    by_rule[alert.rule_id].push_back(&alert);
  }
  std::vector<model::Assessment> out;
  for (auto& [rule, group] : by_rule) {
    auto assessment = start(catalogue, resource_id, rule, context);
    judgeAlerts(*assessment, std::move(group), context);
    out.push_back(std::move(*assessment));
  }
  return out;
}

std::optional<model::Assessment> assessRuntime(const Catalogue& catalogue,
                                               std::string_view resource_id,
                                               std::span<const AlertInput> alerts, bool sensor_live,
                                               const AssessContext& context) {
  auto assessment = start(catalogue, resource_id, kSourceRuntime, context);
  if (!assessment) return assessment;
  std::vector<const AlertInput*> relevant;
  for (const auto& alert : alerts) {
    if (alert.simulated) continue;
    const SourceRef ref = catalogue.source(alert.rule_id);
    if (ref.recommendation != nullptr && ref.kind == model::SourceKind::Rule &&
        ref.recommendation->id == assessment->recommendation) {
      relevant.push_back(&alert);
    }
  }
  const bool any_open = std::any_of(relevant.begin(), relevant.end(),
                                    [&](const AlertInput* a) { return alertOpen(*a, context); });
  if (!any_open && !sensor_live) {
    notEvaluated(*assessment, "no live runtime sensor watches it");
    return assessment;
  }
  judgeAlerts(*assessment, std::move(relevant), context);
  return assessment;
}

bool sensorLive(const std::optional<std::int64_t>& last_seen_ms, const AssessContext& context) {
  return last_seen_ms && context.now_ms - *last_seen_ms <= context.sensor_timeout_ms;
}

std::optional<model::Assessment> assessSensor(const Catalogue& catalogue,
                                              std::string_view resource_id,
                                              const std::optional<std::int64_t>& last_seen_ms,
                                              const AssessContext& context) {
  auto assessment = start(catalogue, resource_id, kSourceSensor, context);
  if (!assessment) return assessment;
  assessment->severity = catalogue.recommendation(assessment->recommendation)->severity;
  if (sensorLive(last_seen_ms, context)) {
    assessment->status = model::Health::Healthy;
    assessment->reason =
        fmt::format("a sensor reported {} ago", age(context.now_ms - *last_seen_ms));
  } else {
    assessment->status = model::Health::Unhealthy;
    assessment->reason =
        last_seen_ms ? fmt::format("no sensor report for {}", age(context.now_ms - *last_seen_ms))
                     : "no sensor has reported";
  }
  return assessment;
}

}  // namespace bulwark::posture
