// Kubernetes audit events on the server (docs/serve.md, "Kubernetes audit webhook"): the API
// server's audit webhook backend, or anything that speaks Falco's k8saudit webhook, POSTs to
// /k8s-audit (also /api/v1/k8s-audit) with an ingest token; the body is decoded as
// `bulwark detect -s k8s-audit-webhook:PORT` decodes it (an Event, an EventList or an array of
// them, at most events::k8s_audit::kMaxBodyBytes), every event is matched against the runtime
// rules, and the alerts are stored as POST /api/v1/alerts stores them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "core/result.h"
#include "pipeline/detect.h"
#include "server/metrics.h"
#include "server/server.h"
#include "store/store.h"

namespace bulwark::server {

struct K8sAuditOptions {
  // The compiled rules (only their k8s_audit rules ever match here); kept alive by the routes.
  std::shared_ptr<const pipeline::LoadedRules> rules;
  std::string hostname;        // the alerts' "hostname": the server's host
  Metrics* metrics = nullptr;  // counts events and alerts when given
};

// Alert ids are pipeline::alertId(rule, stageTimestamp, N) with N taken from a digest of the
// event's content (every object's members in key order, so that spacing and key order do not
// count): the same event posted again (the batch backend retries whole batches, another
// client re-encodes it) raises alerts with the same ids, which the store counts as duplicates.
// Events that share an auditID but differ (Falco's test traces have such edited copies) keep
// their own alerts.
std::uint64_t k8sAuditEventKey(simdjson::dom::element event);

// What one body raised, before it is stored.
struct K8sAuditBatch {
  std::size_t events = 0;    // matched against the rules
  std::size_t skipped = 0;   // left out: no valid stageTimestamp, or over kMaxEventBytes
  std::size_t raised = 0;    // alerts the rules raised
  std::size_t rejected = 0;  // of those, alerts POST /api/v1/alerts would refuse (their output
                             // over kMaxAlertOutputBytes, …); not stored
  std::vector<store::AlertRecord> alerts;  // the others, received at `now` from `agent`
};

// A webhook body (an Event, an EventList or an array of them) → its alerts, each as POST
// /api/v1/alerts would store the line `detect --format json` prints for it. Errors of
// events::k8s_audit::parseAuditBody: Limit (over kMaxBodyBytes, or arrays nested too deep),
// Input (not JSON; no audit shape, with kNotAuditEvent). Untrusted bytes: nothing here throws.
core::Result<K8sAuditBatch> evaluateK8sAuditBody(std::string_view body,
                                                 const rules::Ruleset& ruleset,
                                                 const std::string& hostname, store::Millis now,
                                                 std::string_view agent);

// POST /k8s-audit and POST /api/v1/k8s-audit (ingest). Input error when `options.rules` is
// null or a route is taken.
core::Status registerK8sAuditRoutes(Server& server, store::Store& store, K8sAuditOptions options);

}  // namespace bulwark::server
