// Completes matched findings from the database's text side: title, references, weaknesses
// (CWE ids), the CVSS vector and base score, severity when the distribution gave none (NVD as the
// fallback), and the remediation sentence. Kept apart from matching so that matching reads only
// what it needs.
//
// Every record stored under the finding's id or with it as an alias is read, in this order: the
// distributions' and OSV's own records, then NVD and CVE JSON 5, then OVAL definitions, then the
// Debian DSA/DLA lists. The title and the CWE ids are those of the first record in that order
// that has any (so a Red Hat VEX or GHSA record's CWEs win, and NVD's or the CNA's fill in when
// the matched distribution record names none); references are the union of all records.
#pragma once

#include "core/result.h"
#include "model/finding.h"
#include "vulndb/database.h"

namespace bulwark::match {

// The severity rule, in order: the distribution's statement for the package (Debian urgency,
// Ubuntu priority, Red Hat/Mariner severity); the matched advisory's own severity; NVD's CVSS
// (v4.0, then v3.1/v3.0, then v2); any other source's CVSS. `severity_source` names which.
core::Status enrichFindings(const vulndb::Database& database, const model::Inventory& inventory,
                            std::vector<model::Finding>& findings);

}  // namespace bulwark::match
