// Renders a scan: a table grouped by package with counts by severity and a summary line, and
// bulwark's JSON (docs/json-schema.md, "bulwark.scan/v1").
#pragma once

#include <string>
#include <vector>

#include "model/finding.h"
#include "report/inventory_report.h"

namespace bulwark::report {

// `counted[i]` says whether finding i passed the policy filters (others are not shown).
std::string renderScanTable(const model::ScanReport& report, const std::vector<bool>& counted,
                            const RenderOptions& options);
std::string renderScanJson(const model::ScanReport& report, const std::vector<bool>& counted,
                           const RenderOptions& options);

}  // namespace bulwark::report
