// Exceptions to checks: results a person has decided to accept, each with a scope (check id ×
// resources), a reason and an expiry date. They live in the `misconfigurations:` section of the
// ignore file (.bulwarkignore.yaml / --ignorefile; docs/suppression.md):
//
//   misconfigurations:
//     - id: BW-DKR-510                 # a check id or a glob (BW-DKR-5*)
//       resources: ["container:node-exporter", "container:monitoring-*"]  # globs; omitted: all
//       reason: node-exporter reads host network counters   # also `statement`
//       expires: 2027-03-31            # required; also `expired_at`; from this day it stops
//
// A covered result keeps its status and gains `suppression`: suppressed results stay visible.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.h"
#include "core/diagnostic.h"
#include "core/result.h"
#include "model/check.h"

namespace bulwark::checks {

struct Exception {
  std::string check;                   // id or glob
  std::vector<std::string> resources;  // globs on CheckResult::resource; empty: every resource
  std::string reason;
  std::optional<std::chrono::year_month_day> expires;
  std::string source;  // "FILE:LINE"

  // Does the exception's scope cover the result? (Expiry is the caller's business.)
  [[nodiscard]] bool covers(const model::CheckResult& result) const;
  // From the start of its expiry date on, an exception no longer applies.
  [[nodiscard]] bool expiredOn(std::chrono::year_month_day today) const;
};

// Parses the `misconfigurations:` section of an ignore file (other sections are match/ignore's
// business and skipped here). Every bad entry is reported ("PATH:LINE: what"), not only the
// first; an unknown key is an error, since a misspelt scope would widen the exception.
core::Result<std::vector<Exception>> parseExceptions(std::string_view text, std::string_view path);

// Every exception's `id` must match a check of `set` (a misspelt id would suppress nothing
// silently): a usage error naming the first that matches none.
core::Status checkExceptionIds(std::span<const Exception> exceptions, const CheckSet& set);

// Marks every result the first unexpired covering exception covers; each expired exception
// gives one warning "FILE:LINE: exception for ID expired on DATE" (kind
// "checks.exception-expired") and does not apply.
void applyExceptions(std::vector<model::CheckResult>& results,
                     std::span<const Exception> exceptions, std::chrono::year_month_day today,
                     core::Diagnostics& diagnostics);

}  // namespace bulwark::checks
