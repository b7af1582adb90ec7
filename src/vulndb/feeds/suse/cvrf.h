// SUSE and openSUSE security advisories in CVRF 1.2 XML (https://ftp.suse.com/pub/projects/
// security/cvrf/, and the copies Trivy's vuln-list keeps): one file per SUSE-SU-… or
// openSUSE-SU-… update → source "suse-cvrf".
//
// Model, as bulwark keeps RHSA (OVAL and CSAF) and as Trivy's SUSE CVRF source does: one
// advisory per document, id DocumentTracking/Identification/ID ("SUSE-SU-2019:3294-1"), the
// CVEs of its <Vulnerability> elements as aliases (the matcher reports one finding per CVE,
// citing the SU id). Title: DocumentTitle; details: the "Details" note (else "Topic");
// published / modified: InitialReleaseDate / CurrentReleaseDate; references: the document's,
// each vulnerability's and its remediations' URLs.
//
// Packages come from ProductTree <Relationship> elements: ProductReference
// "python-Pillow-2.8.1-3.3.1" (an rpm NAME-VERSION-RELEASE, an architecture suffix such as
// ".x86_64" dropped) as a component of RelatesToProductReference, the platform, whose name gives
// the release key through vulndb::suseEcosystem ("SUSE Linux Enterprise Server 15 SP3" →
// sles:15.3, "openSUSE Leap 15.5" → opensuse-leap:15.5, "openSUSE Tumbleweed" →
// opensuse-tumbleweed). The relationship's FullProductName ProductID is what <ProductStatuses>
// lists. Statuses: "Fixed" and "First Fixed" → Fixed in VERSION-RELEASE (range [0, fix));
// "Known Affected" → Affected; "Known Not Affected" → NotAffected; "Under Investigation" →
// UnderInvestigation. A relationship no status lists is Fixed (an update document ships what it
// names, as Trivy reads it). Statements are grouped per (release, rpm name, status); when one
// release gets several fixed versions of a package (a module and its LTSS variant), the lowest
// is kept, since either build fixes the vulnerabilities for that release.
//
// Severity: each vulnerability's Threats/Threat[@Type="Impact"] word (low, moderate, important,
// critical). A package's severity and urgency are the highest of the vulnerabilities whose
// statuses name it (all of them when none does); the advisory gets that maximum as a
// "suse-severity" score. CVSS score sets are per CVE and are not stored: the CVE ids are
// aliases, and NVD's records give their CVSS.
//
// Real files' defects are tolerated: bytes that are not UTF-8 (a file that declares UTF-8 but
// is Latin-1) are read as Latin-1 and reported "suse-cvrf.encoding"; a status that lists no
// product or a product id no relationship defines becomes "suse-cvrf.malformed-record";
// platforms without a release key (SUSE Manager, Enterprise Storage, ...) are counted and
// listed in one "feed.unevaluable" diagnostic per file; a document with no package statement
// is still delivered and reported "feed.unevaluable". XML cut short keeps what was read and adds
// "suse-cvrf.malformed-xml"; input without a cvrfdoc root or a tracking id is an error.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "vulndb/feeds/feeds.h"

namespace bulwark::vulndb::feeds {

inline constexpr std::size_t kMaxSuseCvrfDiagnostics = 100;  // per file; the rest are counted

struct SuseCvrfSummary {
  std::size_t vulnerabilities = 0;         // <Vulnerability> elements
  std::size_t relationships = 0;           // <Relationship> elements
  std::size_t statements = 0;              // relationships with a release key and an rpm
  std::size_t unevaluable_platforms = 0;   // relationships to platforms without a release key
  std::size_t unlisted_relationships = 0;  // relationships no status names (taken as Fixed)
  std::size_t malformed = 0;               // bad statuses, product ids, package names
  std::size_t latin1_bytes = 0;            // bytes read as Latin-1
  std::size_t packages = 0;                // AffectedPackages delivered
};

// parseSuseCvrf (feeds.def) with counts, for import reports and tests.
core::Result<SuseCvrfSummary> parseSuseCvrfDocument(std::string_view bytes, std::string_view where,
                                                    const AdvisorySink& sink,
                                                    core::Diagnostics& diagnostics);

// "python-Pillow-2.8.1-3.3.1.x86_64" → {"python-Pillow", "2.8.1-3.3.1"}; {"", ""} when the
// reference has no NAME-VERSION-RELEASE shape.
std::pair<std::string, std::string> splitSuseRpmReference(std::string_view reference);

}  // namespace bulwark::vulndb::feeds
