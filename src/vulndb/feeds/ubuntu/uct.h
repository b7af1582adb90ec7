// Ubuntu CVE Tracker files (git.launchpad.net/ubuntu-cve-tracker, `{active,retired}/CVE-*`):
// RFC 822-like "Field: value" text with indented continuation lines, and one
// "<release>_<source package>: <status> (<note>)" line per release and source package.
//
// Mapping to model::Advisory (source "ubuntu-cve-tracker"), one per file:
//  - id = Candidate, published = PublicDate (as RFC 3339), summary = Description (lines joined),
//    details = Ubuntu-Description, references = the URLs of References and Bugs;
//  - Priority → a SeverityScore {type "ubuntu-priority", vector = the word, source "ubuntu"}
//    and, with per-package "Priority_<pkg>" overriding it, AffectedPackage::urgency (raw word)
//    and ::severity; CVSS "<who>: CVSS:3.x/…" lines → SeverityScore CVSS_V2/V3/V4 (source <who>);
//  - every "<release>_<pkg>" line → one AffectedPackage {osEcosystem("ubuntu", release), pkg}:
//      released (v)            → Fixed, fixed_version v, range [introduced 0, fixed v]
//      not-affected            → NotAffected (the note is not kept)
//      needs-triage            → UnderInvestigation, range [introduced 0]
//      needed, pending, active → Affected, range [introduced 0]
//      deferred                → FixDeferred, range [introduced 0]
//      ignored                 → EndOfLife when the note says "end of life", "end-of-life" or
//                                "out of standard support", otherwise WillNotFix; [introduced 0]
//      DNE                     → skipped (the package does not exist in that release)
//  - pseudo releases are skipped: "upstream", "devel", "product", "snap", and every name with a
//    '/' ("trusty/esm", "esm-infra/xenial", "vivid/ubuntu-core"): ESM and overlay statements
//    apply to packages from other archives than the release's, and bulwark matches the release.
//  - a codename that ecosystem.h cannot turn into a version is kept (ecosystem
//    "ubuntu:<codename>") and reported once per file as "feed.unevaluable";
//  - "released" without a version is kept (Fixed, no range) and reported as "feed.unevaluable";
//    an unknown status or a line that is no field becomes "uct.malformed-record" (file#line).
#pragma once

#include "vulndb/feeds/feeds.h"
