// The quarantine decision: an image pushed to a quarantine repository (a mapping such as
// `quarantine/*` → `release/*`) is promoted only when its stored scan passes the policy — the
// same match::Policy as `scan --exit-code` (severity threshold, fixable only, ignore file, VEX) —
// and the scan is recent enough. A failing image stays where it is; the reason names the
// findings that count ("2 findings fail the policy: CVE-2024-1 (CRITICAL, openssl), …").
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "match/policy.h"
#include "pipeline/service/service_config.h"
#include "store/store.h"

namespace bulwark::pipeline::service {

struct QuarantineConfig {
  std::vector<QuarantineMapping> mappings;  // first match wins
  match::Policy policy;
  std::chrono::milliseconds max_scan_age{0};  // 0: any age
};

// From the service configuration: reads the ignore file and VEX documents it names.
core::Result<QuarantineConfig> quarantineConfig(const std::vector<QuarantineMapping>& mappings,
                                                const PolicyConfig& policy);

// Where an image of `repository` in `registry` is promoted to, or nullopt when no mapping
// applies: the first mapping of the registry (or of every registry) that mapQuarantine
// (promote.h) maps ("quarantine/team/app" → "release/team/app").
std::optional<std::string> releaseRepository(const std::vector<QuarantineMapping>& mappings,
                                             std::string_view registry,
                                             std::string_view repository);

struct QuarantineVerdict {
  bool promote = false;
  std::string reason;       // "policy passed", or why the image stays
  std::size_t failing = 0;  // findings that count against the policy
  std::size_t suppressed = 0;
};

// Judges a stored result: decodes its inventory (so ignore rules and VEX statements see purls
// and paths) and findings, applies the policy, and checks the scan's age against `now`.
// Unreadable stored data never promotes.
QuarantineVerdict decide(const QuarantineConfig& config, const store::ScanResult& result,
                         store::Millis now);

}  // namespace bulwark::pipeline::service
