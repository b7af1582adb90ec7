// Policy: which findings count against a target. One module that the CLI exit code (and later
// quarantine and admission control) share.
//
// A finding counts when it passes the filters (severity, --ignore-unfixed) and no suppression
// applies to it. Suppressions are checked in a fixed order and the first that applies is
// recorded: the ignore file, then each VEX document in the order given (docs/suppression.md).
// Suppressions are only looked for among findings the filters keep, so that
// `--show-suppressed` lists what would otherwise have been reported.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "match/ignore.h"
#include "match/suppression.h"
#include "match/vex.h"
#include "model/finding.h"

namespace bulwark::match {

struct Policy {
  std::vector<model::Severity> severities;  // empty: every severity
  bool ignore_unfixed = false;              // drop findings without a fixed version
  int exit_code = 0;                        // returned when a counted finding remains
  IgnoreFile ignore;                        // no rules: nothing ignored
  std::vector<VexDocument> vex;             // in the order given on the command line
  // The date ignore-file expiry is judged against; empty: today in UTC. Tests set it.
  std::optional<std::chrono::year_month_day> today;
};

// "CRITICAL,HIGH" → {Critical, High}
core::Result<std::vector<model::Severity>> parseSeverities(std::string_view list);

struct PolicyResult {
  std::vector<bool> counted;              // per finding: passes the filters, not suppressed
  std::vector<Suppression> suppressions;  // per finding; `suppressed` set for kept findings only
  std::size_t failing = 0;                // counted findings
  std::size_t suppressed = 0;             // findings the filters kept but a rule suppressed
  int exit_code = 0;
  std::vector<std::string> warnings;  // for people: expired ignore entries, …
};

// With the scan's inventory: rules see each package's purl, location and the target.
PolicyResult applyPolicy(const Policy& policy, const model::ScanReport& report);
// Findings alone: rules see ids and package names only (purl and path scopes never match).
PolicyResult applyPolicy(const Policy& policy, const std::vector<model::Finding>& findings);

}  // namespace bulwark::match
