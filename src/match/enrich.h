// Completes matched findings from the database's text side: title, references, the CVSS
// vector and base score, severity when the distribution gave none (NVD as the fallback), and
// the remediation sentence. Kept apart from matching so that matching reads only what it needs.
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
