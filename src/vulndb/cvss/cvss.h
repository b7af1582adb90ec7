// CVSS vectors → base scores, computed by bulwark itself (docs/dev/cvss.md).
//
// Accepted vectors (surrounding ASCII whitespace is ignored, nothing else is):
//   v2    AV:N/AC:L/Au:N/C:P/I:P/A:P             optionally wrapped in "(...)"
//   v3.x  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H    ("CVSS:3.0/..." alike)
//   v4.0  CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N
//
// Grammar (per version, metric keys and values from the specification):
//   vector  := [prefix "/"] metric ("/" metric)*
//   metric  := KEY ":" VALUE
// Every base metric must appear exactly once; temporal/threat, environmental and supplemental
// metrics are optional, validated, and at most once each. v2 and v3.x allow any order (as the
// FIRST v3 calculator and NVD do); v4.0 requires the specification's order (§7).
//
// Only the BASE score is computed. Optional metrics never change it: for v4.0 this is CVSS-B,
// i.e. the score with every threat and environmental metric at its default ("X"), even when
// the vector states them.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "model/advisory.h"

namespace bulwark::vulndb::cvss {

// The longest vector accepted; a full v4.0 vector with every optional metric is ~180 bytes.
inline constexpr std::size_t kMaxVectorLength = 512;

struct Score {
  std::string version;  // "2.0", "3.0", "3.1", "4.0"
  double base_score = 0.0;
  // The specification's qualitative rating (v3.x/v4.0: None 0.0, Low 0.1-3.9, Medium 4.0-6.9,
  // High 7.0-8.9, Critical 9.0-10.0; v2, as NVD rates it: Low 0.0-3.9, Medium, High 7.0-10.0).
  // "None" (score 0.0, any version) maps to Severity::Negligible: the model has no None.
  model::Severity severity = model::Severity::Unknown;
  // The vector in canonical form: prefix (none for v2, no parentheses), base metrics, then
  // the optional metrics that are defined (not X / ND), all in the specification's order.
  std::string vector;

  friend bool operator==(const Score&, const Score&) = default;
};

// Parses a CVSS v2, v3.0, v3.1 or v4.0 vector and computes its base score. Errors are one line
// naming the version and the problem, e.g. "CVSS:3.1: metric AC missing" (ErrorCode::Input).
core::Result<Score> parseAndScore(std::string_view vector);

// The qualitative rating of a score for a version ("2.0", "3.0", "3.1", "4.0").
model::Severity severityFor(std::string_view version, double score);

}  // namespace bulwark::vulndb::cvss
