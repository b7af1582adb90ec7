// Posture: the resources bulwark watches (registry → repository → image; host → container;
// cluster → namespace → workload → container), the assessments every finding, check result and
// alert becomes, and the exemptions users grant (docs/posture.md, docs/dev/posture-design.md).
// Plain types; src/posture/ computes them, the store keeps them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/advisory.h"
#include "model/check.h"

namespace bulwark::model {

enum class ResourceType : std::uint8_t {
  Registry,
  Repository,
  Image,
  Host,
  Container,
  Cluster,
  Node,
  Namespace,
  Workload,
  K8sObject
};

// "registry", "repository", "image", "host", "container", "cluster", "node", "namespace",
// "workload", "k8s-object".
std::string_view toString(ResourceType type);
std::optional<ResourceType> parseResourceType(std::string_view text);

// Ordered so that a roll-up is std::max: unhealthy beats healthy beats not-evaluated beats
// not-applicable.
enum class Health : std::uint8_t { NotApplicable, NotEvaluated, Healthy, Unhealthy };

// "not-applicable", "not-evaluated", "healthy", "unhealthy".
std::string_view toString(Health health);
std::optional<Health> parseHealth(std::string_view text);

struct Resource {
  std::string id;   // 16 lower-case hex: the first 8 bytes of SHA-256(key)
  std::string key;  // canonical and unique: "image:local/library/debian@sha256:…"
  ResourceType type = ResourceType::Registry;
  std::string parent_id;  // "" for roots: registry, host, cluster
  std::string name;       // for display: "library/debian", "web-1", "Deployment/api"
  std::map<std::string, std::string> labels;  // image tags as tag=…, Docker and k8s labels
  std::map<std::string, std::string> attrs;   // per type: digest, docker_version, …
  std::int64_t first_seen = 0;                // Unix ms
  std::int64_t last_seen = 0;
  std::optional<std::int64_t> gone_at;  // absent from a complete run of its parent
};

// Where an assessment's verdict comes from: a check, a runtime rule, or a source bulwark
// derives itself (vulnerability counts, scan state, alerts, sensor heartbeats).
enum class SourceKind : std::uint8_t { Check, Rule, Derived };

std::string_view toString(SourceKind kind);  // "check", "rule", "derived"

// One resource judged by one source. Evidence reuses the check results' type: for alerts it
// holds alert ids, for findings the counts.
struct Assessment {
  std::string resource_id;
  std::string source;  // "BW-DKR-505", "BW-RT-207", "vuln:severe", "scan", "runtime", "sensor"
  SourceKind kind = SourceKind::Check;
  std::string recommendation;  // "BW-REC-010"
  std::string control;         // "CTL-PRIV"
  Health status = Health::NotEvaluated;
  Severity severity = Severity::Unknown;  // the check's or rule's, or the worst finding's
  std::string reason;                     // "3 critical, 7 high", "2 open alerts"
  // Not-evaluated: why, for machines ("missing-input", "manual"; NotEvaluatedCause's names).
  std::string cause;
  std::vector<Evidence> evidence;
  std::int64_t run_id = 0;        // the bench run; 0 for derived sources
  std::int64_t assessed_at = 0;   // Unix ms
  std::int64_t status_since = 0;  // Unix ms; kept by the store across runs
  std::int64_t exempt_id = 0;     // the covering exemption; 0: none
};

enum class ExemptionCategory : std::uint8_t { Mitigated, RiskAccepted, FalsePositive };

// "mitigated", "risk-accepted", "false-positive".
std::string_view toString(ExemptionCategory category);
std::optional<ExemptionCategory> parseExemptionCategory(std::string_view text);

// A recommendation waived for a resource and everything below it, for one source or all.
struct Exemption {
  std::int64_t id = 0;
  std::string recommendation;  // "BW-REC-010"
  std::string scope_id;        // a resource id: it and all its descendants
  std::string source;          // "": every source of the recommendation; else one ("BW-DKR-510")
  ExemptionCategory category = ExemptionCategory::RiskAccepted;
  std::string reason;  // required
  std::string created_by;
  std::int64_t created_at = 0;  // Unix ms
  std::int64_t expires_at = 0;  // Unix ms; required
  std::optional<std::int64_t> revoked_at;
};

// The status of a runtime alert as people triage it.
enum class AlertStatus : std::uint8_t { New, Active, Dismissed, Resolved };

std::string_view toString(AlertStatus status);  // "new", "active", "dismissed", "resolved"
std::optional<AlertStatus> parseAlertStatus(std::string_view text);

}  // namespace bulwark::model
