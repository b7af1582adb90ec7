// Matching: an Inventory against the vulnerability database → Findings.
// OS packages are matched only against their distribution's own statements, keyed by source
// package (dpkg), origin (apk) or name (rpm) under the release's ecosystem key
// (vulndb/ecosystem.h) — never by upstream or NVD ranges. NVD only contributes CVSS and text.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "model/finding.h"
#include "vulndb/database.h"

namespace bulwark::match {

core::Result<std::vector<model::Finding>> matchInventory(const vulndb::Database& database,
                                                         const model::Inventory& inventory,
                                                         core::Diagnostics& diagnostics);

// Whether matching `inventory` against a build of the database could give other findings than
// against the build `changes` were computed from (vulndb::Database::changesSince): true when it
// asks the database about any package in `changes`. False means the same findings.
bool touchedBy(const model::Inventory& inventory, const vulndb::BuildChanges& changes);

// Whether `version` lies in the OSV-style ranges / versions of `affected`, compared with
// `compare` (the package's version scheme). Exposed for tests.
using CompareFn = int (*)(std::string_view, std::string_view) noexcept;
bool isAffected(const model::AffectedPackage& affected, std::string_view version, CompareFn compare,
                std::string* explanation);

}  // namespace bulwark::match
