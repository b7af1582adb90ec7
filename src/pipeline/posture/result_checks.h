// The image configuration checks of a scanned digest as the store keeps them (result_checks,
// docs/dev/posture-design.md §1.4): what the scan worker writes beside the findings, and what
// the posture sync reads back to assess each registry image on them.
#pragma once

#include <span>
#include <vector>

#include "model/check.h"
#include "store/store.h"

namespace bulwark::pipeline {

// One row per result; detail_json keeps what an assessment shows (title, reason, cause,
// assist, evidence, remediation).
std::vector<store::ResultCheck> toResultChecks(std::span<const model::CheckResult> results);

// The result back; a detail that does not parse leaves those fields empty.
model::CheckResult fromResultCheck(const store::ResultCheck& row);

}  // namespace bulwark::pipeline
