// Policy: which findings count against a target. One module that the CLI exit code (and later
// quarantine and admission control) share.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "model/finding.h"

namespace bulwark::match {

struct Policy {
  std::vector<model::Severity> severities;  // empty: every severity
  bool ignore_unfixed = false;              // drop findings without a fixed version
  int exit_code = 0;                        // returned when a counted finding remains
};

// "CRITICAL,HIGH" → {Critical, High}
core::Result<std::vector<model::Severity>> parseSeverities(std::string_view list);

struct PolicyResult {
  std::vector<bool> counted;  // per finding: passes the filters and is reported
  std::size_t failing = 0;
  int exit_code = 0;
};

PolicyResult applyPolicy(const Policy& policy, const std::vector<model::Finding>& findings);

}  // namespace bulwark::match
