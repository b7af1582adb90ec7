// Prometheus metrics of the service, served at /metrics in the text exposition format:
//   http_requests_total{method,route,status}       counter
//   http_request_duration_seconds{route}           histogram
//   scans_total{result}                            counter (result: "ok", "failed", …)
//   scan_duration_seconds                          histogram
//   jobs{state}                                    gauge, read from the store at each scrape
//   k8s_audit_events_total{result}                 counter (result: "evaluated", "skipped")
//   k8s_audit_alerts_total                         counter: alerts the rules raised on them
// One Metrics object per process; the server counts requests, workers count scans. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/store.h"

namespace bulwark::server {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One HTTP request answered; `route` is the route's pattern ("/api/v1/jobs/{id}"), or
  // "unmatched" — never the raw path, so the label set stays bounded.
  void countRequest(std::string_view method, std::string_view route, int status, double seconds);
  // One scan finished (`result`: "ok", "failed", "dead"; keep the set small).
  void countScan(std::string_view result, double seconds);
  // One POST /k8s-audit body: events matched against the rules, events left out (no valid
  // stageTimestamp, or too large) and the alerts raised (duplicates of stored ones included).
  void countK8sAudit(std::uint64_t evaluated, std::uint64_t skipped, std::uint64_t alerts);
  // The job gauge, set from Store::countJobs() before serializing.
  void setJobCounts(const std::vector<std::pair<store::JobState, std::int64_t>>& counts);

  // The text exposition format (Content-Type: text/plain; version=0.0.4).
  [[nodiscard]] std::string serialize() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bulwark::server
