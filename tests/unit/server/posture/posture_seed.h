// What the posture route tests share: a server over a SQLite store seeded through the Store API
// with a small estate whose secure score is worked out by hand below, and calls (PUT included)
// whose answers are checked against docs/openapi.yaml. Header-only.
//
//   registry r1 → repository app → image (vuln:severe healthy: CTL-VULN)
//   host web-1, label env=prod (BW-DKR-101 unhealthy: BW-REC-020, CTL-HOST; BW-DKR-207 healthy:
//   BW-REC-021;
//               BW-DKR-102 unhealthy at t0, healthy at t1: BW-REC-032, CTL-ACCESS)
//     container c1, labels app=web, tier=front=end (BW-DKR-505 unhealthy: BW-REC-010, CTL-PRIV;
//     BW-DKR-511 healthy: CTL-CONF) container c2, label app=db (BW-DKR-505 healthy; BW-DKR-511
//     unhealthy: BW-REC-050) container c3 (BW-DKR-505 not-evaluated)
//
// CTL-VULN 6 × 1/1 = 6, CTL-PRIV 6 × 1/2 = 3, CTL-HOST 5 × 0/1 = 0, CTL-ACCESS 4 × 1/1 = 4,
// CTL-CONF 3 × 1/2 = 1.5; CTL-NET and CTL-RUNTIME not applicable: 14.5 of 24 = 60.42 %.
// Exempting BW-REC-020 for the host leaves it healthy in CTL-HOST through BW-REC-021: 5 points
// more, 19.5 of 24 = 81.25 %.
#pragma once

#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "../api_harness.h"
#include "pipeline/service/inventory_codec.h"
#include "posture/resource_key.h"
#include "store/store.h"

namespace bulwark::testing {

constexpr std::int64_t kSeedDayMs = std::int64_t{24} * 3600 * 1000;

struct PostureSeed {
  model::Resource registry, repository, image, host, c1, c2, c3;
  store::Millis now = 0, t0 = 0, t1 = 0;
  std::int64_t docker_run = 0, sync_run = 0;
  std::vector<std::string> alert_ids;  // Warning 1 h ago, Critical 2 h ago, simulated 3 h ago
  std::string digest = "sha256:" + std::string(64, 'a');
  std::string openssl_layer = "sha256:" + std::string(64, 'e');
};

inline model::Assessment seedAssessment(const model::Resource& resource, const std::string& source,
                                        const std::string& recommendation,
                                        const std::string& control, model::Health status,
                                        model::Severity severity = model::Severity::High,
                                        model::SourceKind kind = model::SourceKind::Check) {
  model::Assessment out;
  out.resource_id = resource.id;
  out.source = source;
  out.kind = kind;
  out.recommendation = recommendation;
  out.control = control;
  out.status = status;
  out.severity = severity;
  out.reason = source + " says " + std::string(model::toString(status));
  out.evidence.push_back({"observed " + source, "where " + resource.name, "expected"});
  return out;
}

inline void must(const core::Status& status, const char* what) {
  if (!status) throw std::runtime_error(std::string(what) + ": " + status.error().message);
}

inline PostureSeed seedPosture(store::Store& store) {
  using model::Health;
  PostureSeed seed;
  seed.now = store::nowMillis();
  seed.t0 = seed.now - 2 * kSeedDayMs;
  seed.t1 = seed.now - kSeedDayMs;
  seed.registry = posture::registryResource("r1");
  seed.repository = posture::repositoryResource("r1", "app");
  seed.image = posture::imageResource("r1", "app", seed.digest);
  seed.host = posture::hostResource("web-1");
  seed.c1 = posture::dockerContainerResource("web-1", std::string(64, '1'), "c1");
  seed.c2 = posture::dockerContainerResource("web-1", std::string(64, '2'), "c2");
  seed.c3 = posture::dockerContainerResource("web-1", std::string(64, '3'), "c3");
  seed.host.labels["env"] = "prod";
  seed.c1.labels = {{"app", "web"}, {"tier", "front=end"}};
  seed.c2.labels = {{"app", "db"}};

  store::AssessmentBatch first;
  first.resources = {seed.registry, seed.repository, seed.image, seed.host,
                     seed.c1,       seed.c2,         seed.c3};
  first.assessments = {
      seedAssessment(seed.image, "vuln:severe", "BW-REC-001", "CTL-VULN", Health::Healthy,
                     model::Severity::Unknown, model::SourceKind::Derived),
      seedAssessment(seed.host, "BW-DKR-101", "BW-REC-020", "CTL-HOST", Health::Unhealthy),
      seedAssessment(seed.host, "BW-DKR-207", "BW-REC-021", "CTL-HOST", Health::Healthy),
      seedAssessment(seed.host, "BW-DKR-102", "BW-REC-032", "CTL-ACCESS", Health::Unhealthy),
      seedAssessment(seed.c1, "BW-DKR-505", "BW-REC-010", "CTL-PRIV", Health::Unhealthy,
                     model::Severity::Critical),
      seedAssessment(seed.c1, "BW-DKR-511", "BW-REC-050", "CTL-CONF", Health::Healthy),
      seedAssessment(seed.c2, "BW-DKR-505", "BW-REC-010", "CTL-PRIV", Health::Healthy),
      seedAssessment(seed.c2, "BW-DKR-511", "BW-REC-050", "CTL-CONF", Health::Unhealthy,
                     model::Severity::Medium),
      seedAssessment(seed.c3, "BW-DKR-505", "BW-REC-010", "CTL-PRIV", Health::NotEvaluated)};
  first.cause = "run:1";
  first.at = seed.t0;
  auto applied = store.applyAssessments(first);
  if (!applied) throw std::runtime_error("applyAssessments: " + applied.error().message);

  store::AssessmentBatch second;
  second.assessments = {
      seedAssessment(seed.host, "BW-DKR-102", "BW-REC-032", "CTL-ACCESS", Health::Healthy)};
  second.cause = "run:2";
  second.at = seed.t1;
  applied = store.applyAssessments(second);
  if (!applied) throw std::runtime_error("applyAssessments: " + applied.error().message);

  // Score history: two points on t0's day (the later one wins a day bucket), one on t1's.
  const store::Millis day0 = seed.t0 - seed.t0 % kSeedDayMs;
  const store::Millis day1 = seed.t1 - seed.t1 % kSeedDayMs;
  const std::vector<store::ScorePoint> points = {{"", day0 + 3600 * 1000, 10, 24, 4, 6},
                                                 {"", day0 + 2 * 3600 * 1000, 12, 24, 5, 5},
                                                 {"CTL-PRIV", day0 + 3600 * 1000, 3, 6, 1, 1},
                                                 {"", day1 + 3600 * 1000, 14.5, 24, 6, 4}};
  must(store.appendScore(points), "appendScore");

  store::PostureRun run;
  run.kind = "docker";
  run.target_key = seed.host.key;
  run.source = "serve";
  run.started_at = seed.t0;
  auto started = store.startRun(run);
  if (!started) throw std::runtime_error("startRun: " + started.error().message);
  started->finished_at = seed.t0 + 1000;
  started->status = "done";
  started->results = 6;
  started->summary_json = R"({"containers":3})";
  must(store.finishRun(*started), "finishRun");
  seed.docker_run = started->id;
  run.kind = "sync";
  run.target_key = "sync";
  run.started_at = seed.t1;
  started = store.startRun(run);
  if (!started) throw std::runtime_error("startRun: " + started.error().message);
  seed.sync_run = started->id;
  must(store.putSchedule({seed.host.key, seed.now + 3600 * 1000, seed.docker_run}), "putSchedule");

  // The image's scan: two findings, one fixable.
  must(store.recordPush("r1", "app", seed.digest, "latest", seed.t0), "recordPush");
  store::ScanResult scan;
  scan.digest = seed.digest;
  model::Inventory inventory;
  inventory.target.layers = {{"sha256:" + std::string(64, 'd'), "", 100, "", "ADD rootfs.tar /"},
                             {seed.openssl_layer, "", 1234, "", "RUN apt-get install openssl"}};
  scan.inventory_json = pipeline::service::encodeInventory(inventory);
  scan.metadata.db_build_id = "db-1";
  scan.metadata.scanned_at = seed.t0;
  scan.metadata.evaluated_at = seed.t0;
  for (const auto& [id, package, severity, fixed] :
       {std::tuple{"CVE-2026-0001", "openssl", model::Severity::Critical, "3.0.12"},
        std::tuple{"CVE-2026-0002", "curl", model::Severity::Low, ""}}) {
    store::FindingRecord finding;
    finding.vulnerability_id = id;
    finding.package_name = package;
    finding.installed_version = "1.0";
    finding.fixed_version = fixed;
    finding.severity = severity;
    // The package's layer, as the scan's finding encoding records it (report/scan_report.cpp).
    finding.detail_json =
        std::string(package) == "openssl"
            ? nlohmann::json{{"package", {{"location", {{"layer", seed.openssl_layer}}}}}}.dump()
            : "{}";
    scan.findings.push_back(finding);
  }
  auto saved = store.saveResult(scan);
  if (!saved) throw std::runtime_error("saveResult: " + saved.error().message);

  std::vector<store::AlertRecord> alerts;
  for (int i = 0; i < 3; ++i) {
    store::AlertRecord alert;
    alert.alert_id = "6f1c2a3b-0000-4abc-9def-00000000000" + std::to_string(i + 1);
    alert.time_ms = seed.now - (i + 1) * 3600 * 1000;
    alert.received_ms = alert.time_ms;
    alert.rule = "Terminal shell";
    alert.rule_id = "BW-RT-201";
    alert.priority = i == 1 ? 5 : 3;  // Critical, else Warning (Falco's levels, 7 = Emergency)
    alert.source = "syscall";
    alert.host = "web-1";
    alert.output = "a shell";
    alert.simulated = i == 2;
    seed.alert_ids.push_back(alert.alert_id);
    alerts.push_back(std::move(alert));
  }
  auto added = store.addAlerts(alerts);
  if (!added) throw std::runtime_error("addAlerts: " + added.error().message);
  must(store.setAlertResource(seed.alert_ids[0], seed.c1.id), "setAlertResource");
  return seed;
}

// A server with the seeded store, started; without the per-client rate limit: the misuse table
// alone sends more requests than a client's burst.
inline server::ServerOptions unlimitedOptions() {
  server::ServerOptions options;
  options.requests_per_second = 0;
  return options;
}

class PostureServer : public TestServer {
 public:
  explicit PostureServer(const std::string& name) : TestServer(name, unlimitedOptions()) {
    seed_ = seedPosture(store());
    start();
  }
  [[nodiscard]] const PostureSeed& seed() const { return seed_; }

  ApiCall call(const std::string& method, const std::string& target, const std::string& secret,
               const std::string& body = "") {
    auto client = this->client();
    if (method != "PUT") return callApi(client, method, target, secret, body);
    // callApi has no PUT: the same checks by hand.
    httplib::Headers headers{{"Authorization", "Bearer " + secret}};
    httplib::Result result = client.Put(target, headers, body, "application/json");
    ApiCall out;
    if (!result) {
      ADD_FAILURE() << "PUT " << target << ": " << httplib::to_string(result.error());
      return out;
    }
    out.status = result->status;
    out.text = result->body;
    out.body = nlohmann::json::parse(result->body, nullptr, false);
    for (const auto& problem :
         projectOpenApi().checkResponse("PUT", target.substr(0, target.find('?')), result->status,
                                        result->get_header_value("Content-Type"), result->body)) {
      ADD_FAILURE() << problem << "\n  body: " << out.text;
    }
    return out;
  }

 private:
  PostureSeed seed_;
};

}  // namespace bulwark::testing
