// A small posture state written through the Store API, shared by the report's data and CLI
// tests. Its figures, worked out by hand from docs/posture.md's definitions:
//
//   registry local → repository app → images i1, i2, i3; repository db → image i4
//   host web-1 → containers c1 (api), c2 (worker); c3 (old) is gone after the second run
//
//   CTL-VULN (6)    BW-REC-001 vuln:severe   i1 U, i2 H, i3 U, i4 H
//                   BW-REC-002 vuln:fixable  i1 U, i2 U, i3 H, i4 H
//                   BW-REC-003 vuln:running  c1 U, c2 not evaluated
//                   → i1 i2 i3 c1 unhealthy, i4 healthy: 6 × 1/5 = 1.2
//   CTL-PRIV (6)    BW-REC-010 BW-DKR-505    c1 U, c2 H (c3 U, gone)
//                   BW-REC-013 BW-IMG-001    i1 U, i2 H, i3 H, i4 H
//                   → c1 i1 unhealthy, c2 i2 i3 i4 healthy: 6 × 4/6 = 4
//   CTL-HOST (5)    BW-REC-020 BW-DKR-101    web-1 U, exempt (exemption 1)
//                   BW-REC-021 BW-DKR-207    web-1 H → healthy: 5
//   CTL-RUNTIME (4) BW-REC-061 sensor        web-1 H → 4
//
//   secure score = (1.2 + 4 + 5 + 4) ÷ (6 + 6 + 5 + 4) = 14.2 ÷ 21 = 67.619 %
//   potential increase of BW-REC-001, -002, -003: 6/5 × 1 ÷ 21 = 5.714 points of percent;
//   of BW-REC-010 and BW-REC-013: 6/6 × 1 ÷ 21 = 4.762
//
// Exemptions active at `now`: BW-REC-020 on web-1 (1), BW-REC-061 on the registry (2, covers
// nothing). Score history (control ""): a point 3 days before now without an applicable
// control, two on the day before (the later one is the day's), one on `now`'s day; one before
// the window and one after now. Alerts: 3 + kBulkAlerts in the window, 2 outside it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "posture/catalogue.h"
#include "posture/resource_key.h"
#include "store/store.h"

namespace bulwark::testing {

inline constexpr std::int64_t kHour = 3'600'000;
inline constexpr std::int64_t kDay = 24 * kHour;
inline constexpr std::int64_t kWindow = 7 * kDay;  // the report's since = now - kWindow
// More alerts than one store page (kMaxAlertPage) holds, so the report pages through them.
inline constexpr int kBulkAlerts = 1200;

struct Seeded {
  model::Resource registry = posture::registryResource("local");
  model::Resource app = posture::repositoryResource("local", "app");
  model::Resource db = posture::repositoryResource("local", "db");
  model::Resource i1 = posture::imageResource("local", "app", "sha256:" + std::string(64, 'a'));
  model::Resource i2 = posture::imageResource("local", "app", "sha256:" + std::string(64, 'b'));
  model::Resource i3 = posture::imageResource("local", "app", "sha256:" + std::string(64, 'c'));
  model::Resource i4 = posture::imageResource("local", "db", "sha256:" + std::string(64, 'd'));
  model::Resource host = posture::hostResource("web-1");
  model::Resource c1 = posture::dockerContainerResource("web-1", std::string(64, '1'), "api");
  model::Resource c2 = posture::dockerContainerResource("web-1", std::string(64, '2'), "worker");
  model::Resource c3 = posture::dockerContainerResource("web-1", std::string(64, '3'), "old");
  std::int64_t host_exemption = 0;
  std::int64_t registry_exemption = 0;
};

// Unwraps a store result or fails the test (ASSERT_* cannot return a value).
template <class T>
T must(core::Result<T> result) {
  if (!result) throw std::runtime_error(result.error().message);
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

inline model::Assessment assessed(const posture::Catalogue& catalogue,
                                  const model::Resource& resource, const std::string& source,
                                  model::Health status, const std::string& reason = "") {
  const posture::SourceRef ref = catalogue.source(source);
  if (ref.recommendation == nullptr) throw std::runtime_error("unmapped source " + source);
  model::Assessment a;
  a.resource_id = resource.id;
  a.source = source;
  a.kind = ref.kind;
  a.recommendation = ref.recommendation->id;
  a.control = ref.recommendation->control;
  a.status = status;
  a.severity = ref.recommendation->severity;
  a.reason = reason;
  return a;
}

inline store::AlertRecord alert(const std::string& id, std::int64_t at, int priority) {
  store::AlertRecord a;
  a.alert_id = id;
  a.time_ms = at;
  a.received_ms = at;
  a.rule = "Terminal shell in container";
  a.rule_id = "BW-RT-103";
  a.priority = priority;
  a.source = "syscall";
  a.host = "web-1";
  return a;
}

inline Seeded seedPosture(store::Store& store, const posture::Catalogue& catalogue,
                          std::int64_t now) {
  using model::Health;
  Seeded s;
  const auto& c = catalogue;

  // The registry tree: derived vulnerability sources and an image check, upserted.
  store::AssessmentBatch images;
  images.resources = {s.registry, s.app, s.db, s.i1, s.i2, s.i3, s.i4};
  images.assessments = {
      assessed(c, s.i1, "vuln:severe", Health::Unhealthy, "3 critical, 7 high"),
      assessed(c, s.i2, "vuln:severe", Health::Healthy),
      assessed(c, s.i3, "vuln:severe", Health::Unhealthy, "1 high"),
      assessed(c, s.i4, "vuln:severe", Health::Healthy),
      assessed(c, s.i1, "vuln:fixable", Health::Unhealthy, "4 fixable"),
      assessed(c, s.i2, "vuln:fixable", Health::Unhealthy, "1 fixable"),
      assessed(c, s.i3, "vuln:fixable", Health::Healthy),
      assessed(c, s.i4, "vuln:fixable", Health::Healthy),
      assessed(c, s.i1, "BW-IMG-001", Health::Unhealthy, "runs as root"),
      assessed(c, s.i2, "BW-IMG-001", Health::Healthy),
      assessed(c, s.i3, "BW-IMG-001", Health::Healthy),
      assessed(c, s.i4, "BW-IMG-001", Health::Healthy),
  };
  images.cause = "scan";
  images.at = now - 2 * kDay;
  must(store.applyAssessments(images));

  // The host: two complete runs; the second no longer sees c3.
  store::AssessmentBatch run;
  run.scope_id = s.host.id;
  run.kinds = {model::SourceKind::Check, model::SourceKind::Derived};
  run.complete = true;
  run.resources = {s.host, s.c1, s.c2, s.c3};
  run.assessments = {
      assessed(c, s.host, "BW-DKR-101", Health::Unhealthy, "41 CIS failures"),
      assessed(c, s.host, "BW-DKR-207", Health::Healthy),
      assessed(c, s.host, "sensor", Health::Healthy),
      assessed(c, s.c1, "BW-DKR-505", Health::Unhealthy, "runs privileged"),
      assessed(c, s.c1, "vuln:running", Health::Unhealthy, "3 critical, 7 high"),
      assessed(c, s.c2, "BW-DKR-505", Health::Healthy),
      assessed(c, s.c2, "vuln:running", Health::NotEvaluated, "image not scanned"),
      assessed(c, s.c3, "BW-DKR-505", Health::Unhealthy, "runs privileged"),
  };
  run.cause = "run:1";
  run.at = now - 2 * kDay;
  must(store.applyAssessments(run));
  run.resources.pop_back();
  run.assessments.pop_back();
  run.cause = "run:2";
  run.at = now - kDay;
  must(store.applyAssessments(run));

  model::Exemption exemption;
  exemption.recommendation = "BW-REC-020";
  exemption.scope_id = s.host.id;
  exemption.category = model::ExemptionCategory::Mitigated;
  exemption.reason = "hardened by the platform team's Ansible role";
  exemption.created_by = "admin";
  exemption.created_at = now - kDay;
  exemption.expires_at = now + 90 * kDay;
  s.host_exemption = must(store.addExemption(exemption)).id;
  exemption.recommendation = "BW-REC-061";
  exemption.scope_id = s.registry.id;
  exemption.category = model::ExemptionCategory::RiskAccepted;
  exemption.reason = "registries have no sensor";
  s.registry_exemption = must(store.addExemption(exemption)).id;

  const auto point = [](std::int64_t at, double score, double max) {
    return store::ScorePoint{"", at, score, max, 0, 0};
  };
  std::vector<store::ScorePoint> points = {
      point(now - kWindow - kHour, 1, 21),  // before the window
      point(now - 3 * kDay, 0, 0),          // nothing applicable yet
      point(now - kDay - 2 * kHour, 10, 21),
      point(now - kDay, 12, 21),  // the last of that day
      point(now, 14.2, 21),
      point(now + kHour, 20, 21),  // after now
      store::ScorePoint{"CTL-VULN", now, 1.2, 6, 1, 4},
  };
  must(store.appendScore(points));

  std::vector<store::AlertRecord> alerts = {
      alert("00000000-0000-4000-8000-000000000001", now - kDay, 5),         // critical
      alert("00000000-0000-4000-8000-000000000002", now - kDay - 1, 3),     // warning
      alert("00000000-0000-4000-8000-000000000003", now - 2 * kDay, 3),     // warning
      alert("00000000-0000-4000-8000-000000000004", now - kWindow - 1, 7),  // before
      alert("00000000-0000-4000-8000-000000000005", now + 1, 7),            // after
  };
  for (int i = 0; i < kBulkAlerts; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "10000000-0000-4000-8000-%012d", i);
    alerts.push_back(alert(id, now - 3 * kDay - i, 2));  // notice
  }
  must(store.addAlerts(alerts));
  must(store.setAlertResource("00000000-0000-4000-8000-000000000001", s.c1.id));
  return s;
}

}  // namespace bulwark::testing
