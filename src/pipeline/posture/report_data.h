// The posture report's data from the store (docs/dev/posture-design.md §6.2): what
// `bulwark report` hands to report::renderPostureJson/Html/Pdf.
//
//   score            posture::computeScore over the store's controlCounts (a scope: the same
//                    count, posture::countControls, over the scope's current assessments)
//   trend            scoreHistory's total points with since <= at <= now, the last of each UTC
//                    day; none for a scope (the history is the whole store's)
//   recommendations  every one of the catalogue with its counts, potential increase and at most
//                    `top` affected resources
//   resources        current (not gone) resources by type and their own health
//   alerts           alerts with since <= time_ms <= now by priority and by UTC day (a scope:
//                    those resolved to a resource of its subtree)
//   exemptions       those active at `now` with their scope's name (a scope: those whose scope
//                    is in its subtree or above it)
//
// Every list is read whole through the store's pages, so the result does not depend on page
// sizes; the renderers sort what they print.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "posture/catalogue.h"
#include "report/posture_report.h"
#include "store/store.h"

namespace bulwark::pipeline {

struct PostureReportOptions {
  std::string scope_id;     // "": every resource; else a resource id (it and its descendants)
  store::Millis since = 0;  // the start of the trend and alert window
  store::Millis now = 0;    // 0: store::nowMillis() (tests inject it)
  std::size_t top = 50;     // affected resources kept per recommendation
  std::string tool_version;
};

// Affected resources of one recommendation are chosen, when more than `top` are, in this order:
// not exempt before exempt; then unhealthy, not evaluated, healthy, not applicable; then by name
// and id. A resource's status for the recommendation is the worst of its non-exempt sources'
// (all of them when every one is exempt: then it is marked exempt), its reason the reason of
// the first source with that status.
//
// Errors: Input when the scope is not a resource id, NotFound when no resource has it; the
// store's errors as they come.
core::Result<report::PostureReportData> postureReportData(store::Store& store,
                                                          const posture::Catalogue& catalogue,
                                                          const PostureReportOptions& options);

}  // namespace bulwark::pipeline
