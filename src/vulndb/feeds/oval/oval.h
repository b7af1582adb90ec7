// OVAL definitions (oval-definitions-5) as distributions publish them:
//  - Ubuntu CVE OVAL (com.ubuntu.<series>.cve.oval.xml[.bz2], dpkginfo tests) → source
//    "ubuntu-oval", ecosystem osEcosystem("ubuntu", series from the definition id);
//  - Debian OVAL (oval-definitions-<codename>.xml, dpkginfo tests) → "debian-oval",
//    ecosystem from the <platform> "Debian GNU/Linux N";
//  - Red Hat OVAL v2 (rpminfo tests, RHSA/RHBA/RHEA patch definitions and unpatched CVE
//    definitions, "Module X:Y is enabled" checks) → "redhat-oval", ecosystem "rhel:N" from the
//    redhat-release check (rpmverifyfile_state version "^N[^\d]") or the platform;
//  - CBL-Mariner / Azure Linux OVAL (rpminfo tests) → "mariner-oval", ecosystem
//    "mariner:X.Y" / "azurelinux:X.Y" with X.Y taken from the file name (the files carry no
//    release).
//
// The criteria tree is resolved structurally: criterion test_ref → test → object (package
// names, directly or through a constant_variable) + state (evr with its operation). In an AND
// node the package constraints on one name are combined into one range ("greater than" →
// introduced, "less than" → fixed, "less than or equal" → last_affected); a package test with
// no evr state ("is installed", Ubuntu "needs fixing") is Affected with no fix; signature,
// architecture and release checks are not package constraints. Module checks (a
// textfilecontent54 test on /etc/dnf/modules.d/NAME.module whose state matches "stream = S")
// set AffectedPackage::module_stream "NAME:S" for the packages of the same AND node. A leading
// "0:" epoch is dropped from versions.
//
// Advisories: Ubuntu, Debian, Mariner: one per CVE (the definition's CVE reference or title),
// merged across definitions; Red Hat: one per RHSA/RHBA/RHEA (CVE ids as aliases), or per CVE
// for unpatched definitions. All are delivered at the end, sorted by id. Ubuntu priorities and
// the vendors' severities are kept as AffectedPackage::urgency (raw word) and ::severity.
//
// Input may be bzip2-compressed (decompressed with libbz2, at most kMaxFeedFileBytes). Real
// files' defects are tolerated: CRLF line ends, and raw markup such as `<url "https://…" />`
// inside descriptions (escaped to text before parsing, so nothing is lost). XML that is cut
// short keeps the definitions read so far and adds a diagnostic "oval.malformed-xml"; input
// with no definitions element is an error.
#pragma once

#include "vulndb/feeds/feeds.h"

#include <cstddef>

namespace bulwark::vulndb::feeds {

struct OvalSummary {
  std::size_t definitions = 0;                // every <definition>, inventory ones included
  std::size_t vulnerability_definitions = 0;  // class "vulnerability" or "patch"
  std::size_t used_definitions = 0;           // of those, the ones that became advisories
  std::size_t advisories = 0;                 // after merging definitions of the same id
};

// parseOval (feeds.def) with counts, for import reports and tests.
core::Result<OvalSummary> parseOvalDocument(std::string_view bytes, std::string_view where,
                                            const AdvisorySink& sink,
                                            core::Diagnostics& diagnostics);

}  // namespace bulwark::vulndb::feeds
