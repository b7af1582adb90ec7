// Red Hat CSAF 2.0 documents (https://security.access.redhat.com/data/csaf/v2/):
//  - VEX files, document.category "csaf_vex", one per CVE → source "redhat-vex", advisory id
//    the CVE; every product status (fixed, known_affected, known_not_affected,
//    under_investigation) becomes an AffectedPackage; the vulnerability's cwe.id → cwes;
//  - security advisories, category "csaf_security_advisory", one per RHSA/RHBA/RHEA → source
//    "redhat-csaf", advisory id the tracking id, the CVEs as aliases; their "fixed" products.
//    No cwes: an erratum fixes several CVEs and each CVE's weakness belongs to that CVE (the VEX
//    file of the CVE, or NVD, supplies it).
//
// A product status names a full product id "PLATFORM:COMPONENT" that a product_tree
// relationship defines (component COMPONENT is a default_component_of PLATFORM). The platform's
// CPE gives the ecosystem: cpe:/o:redhat:enterprise_linux:8::baseos,
// cpe:/a:redhat:enterprise_linux:8::appstream, cpe:/o:redhat:enterprise_linux:7 → "rhel:8" /
// "rhel:7" (vulndb/ecosystem.h, as the Red Hat OVAL parser keys them). Every other platform
// (EUS/AUS/TUS/E4S/ELS streams, layered products such as Satellite, JBoss, OpenShift) is
// counted in CsafSummary and not stored: bulwark keys RHEL by major release only and cannot
// tell those streams apart.
//
// The component's purl gives the package: pkg:rpm/redhat/NAME@VERSION?arch=A&epoch=E&rpmmod=M
// → rpm name NAME, EVR "E:VERSION" ("0:" dropped, as OVAL's), module stream "name:stream" from
// rpmmod. Components without a purl are read from the product id: "NAME" or "MODULE:STREAM/NAME".
// Non-rpm components (containers, Maven, ...) are counted and skipped.
//
// Statuses (remediations are matched by product id):
//   fixed, first_fixed                              → Fixed, range [0, EVR)
//   known_affected + no_fix_planned "Will not fix"  → WillNotFix
//   known_affected + "Out of support scope"         → EndOfLife
//   known_affected + none_available "Deferred"      → FixDeferred
//   known_affected otherwise ("Affected")           → Affected, range [0, ∞)
//   known_not_affected                              → NotAffected (no range)
//   under_investigation                             → UnderInvestigation, range [0, ∞)
// Statements are grouped per (release, module stream, name, status, fixed EVR): one
// AffectedPackage each, whose arches are the union of its components' architectures, or empty
// (every architecture) when one of them is the source rpm or has no architecture. Severity: the
// product's "impact" threat, else the document's aggregate severity (kept as ::urgency too).
//
// A document whose tracking status is "deleted" is delivered withdrawn. A VEX document with no
// RHEL rpm statement is still delivered and reported "feed.unevaluable". Bad statements and
// relationships become "csaf.malformed-record" diagnostics (at most kMaxCsafDiagnostics per
// file); input that is not a CSAF VEX/advisory JSON object is an error.
#pragma once

#include <cstddef>

#include "vulndb/feeds/feeds.h"

namespace bulwark::vulndb::feeds {

inline constexpr std::size_t kMaxCsafDiagnostics = 100;  // per file; the rest are summarised

struct CsafSummary {
  std::size_t vulnerabilities = 0;  // entries of vulnerabilities[]
  std::size_t statements = 0;       // product ids read from product_status lists
  std::size_t rhel_statements = 0;  // of those, the ones stored under a "rhel:N" ecosystem
  std::size_t other_platforms = 0;  // statements about platforms that are not RHEL mainline
  std::size_t non_rpm = 0;          // statements about containers, Maven artifacts, ...
  std::size_t malformed = 0;        // statements that could not be resolved
  std::size_t advisories = 0;       // delivered to the sink
};

// parseCsaf (feeds.def) with counts, for import reports and tests.
core::Result<CsafSummary> parseCsafDocument(std::string_view bytes, std::string_view where,
                                            const AdvisorySink& sink,
                                            core::Diagnostics& diagnostics);

}  // namespace bulwark::vulndb::feeds
