// Native advisory formats of two language ecosystems:
//
// RubyGems: ruby-advisory-db YAML (`gems/<gem>/<id>.yml`; source "rubysec"). id = "CVE-<cve>",
// else "GHSA-<ghsa>", else "OSVDB-<osvdb>"; the others become aliases. published = date,
// summary = title, details = description, references = url + related.url, cvss_v2/v3/v4
// (scores only) → SeverityScore {CVSS_V*, score, severity from the score, source "rubysec"}.
// One AffectedPackage {"RubyGems", gem}: a version is vulnerable when it satisfies none of
// patched_versions and unaffected_versions. Each of those entries is read as one interval:
//   ">= A" → [A, ∞)   "~> A" → [A, bump(A))   "~> A, >= B" → [B, bump(A))   ">= A, < B" → [A, B)
//   "< B" → [0, B)
// and the ECOSYSTEM range is their complement, in feed order: introduced 0 (or the end of a
// leading [0, B)), then fixed <lower> / introduced <upper> per interval — OSV evaluates events
// in version order, which is the order rubysec lists them. Any other constraint ("> A",
// "<= A", "= A", "!= A") leaves the package without ranges and is reported as
// "feed.unevaluable" (the constraint is named).
//
// npm: Node.js security-wg JSON (`vuln/npm/<n>.json`; source "nodejs-security-wg"). id =
// "NSWG-ECO-<id>", aliases = cves, published = publish_date, modified = updated_at, summary =
// title, details = overview, references, cvss_vector/cvss_score → SeverityScore. One
// AffectedPackage {"npm", module_name} with SEMVER ranges from vulnerable_versions: each
// "||" alternative of "<B", "<=B", ">=A", ">=A <B", ">=A <=B", "*" or an exact "A" (→ versions)
// becomes one range (introduced/fixed/last_affected); anything else ("^", "~", "> A", hyphen
// and x-ranges) is reported as "feed.unevaluable". When vulnerable_versions is absent a single
// ">= F" in patched_versions gives [0, F).
#pragma once

#include "vulndb/feeds/feeds.h"
