// Findings as the service stores them (store::FindingRecord): the key columns the API filters and
// sorts on, and `detail_json`, the finding as bulwark's JSON report renders one
// (docs/json-schema.md, "bulwark.scan/v1" findings[]) plus "package_index" (into the stored
// inventory's packages), so that a stored finding decodes back to a model::Finding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/finding.h"
#include "store/store.h"
#include "vulndb/database.h"

namespace bulwark::pipeline::service {

// The longest detail_json decoded (a finding is a few KB; references make it longer).
inline constexpr std::size_t kMaxFindingDetailBytes = 4U << 20;

// `finding.package_index` must index `inventory.packages`. first_seen is left 0 (the store sets
// it).
store::FindingRecord toFindingRecord(const model::Finding& finding,
                                     const model::Inventory& inventory);
std::vector<store::FindingRecord> toFindingRecords(const std::vector<model::Finding>& findings,
                                                   const model::Inventory& inventory);

// The finding a record holds, from its detail_json (ErrorCode::Input when corrupt). The key
// columns win over detail_json where both say something.
core::Result<model::Finding> fromFindingRecord(const store::FindingRecord& record);

// What a scan does after reading an inventory: match it against the database and complete the
// findings from the database's text side (match::matchInventory + match::enrichFindings).
// Findings are sorted as the scan sorts them.
core::Result<std::vector<model::Finding>> matchFindings(const vulndb::Database& database,
                                                        const model::Inventory& inventory,
                                                        core::Diagnostics& diagnostics);

// "debian 12" for store::ScanMetadata::os ("" when unknown).
std::string osName(const model::Distro& distro);

}  // namespace bulwark::pipeline::service
