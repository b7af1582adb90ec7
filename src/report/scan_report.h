// Renders a scan: a table grouped by package with counts by severity and a summary line, and
// bulwark's JSON (docs/json-schema.md, "bulwark.scan/v1").
#pragma once

#include <string>
#include <vector>

#include "model/finding.h"
#include "report/inventory_report.h"

namespace bulwark::report {

// What the policy decided, as the renderers need it (match::PolicyResult provides the parts).
struct ScanVerdicts {
  const std::vector<bool>& counted;  // finding i passed the policy and is reported
  // Per finding, or empty: why a finding the filters kept does not count.
  const std::vector<model::Suppression>& suppressions;
  bool show_suppressed = false;  // list suppressed findings apart, with their reason
};

// One finding as the JSON report writes it, as compact text (invalid UTF-8 replaced); with
// `with_package_index`, "package_index" follows (the service stores findings this way).
std::string findingJsonText(const model::Finding& finding, const model::Inventory& inventory,
                            bool with_package_index = false);

// `counted[i]` says whether finding i passed the policy filters (others are not shown).
std::string renderScanTable(const model::ScanReport& report, const std::vector<bool>& counted,
                            const RenderOptions& options);
std::string renderScanJson(const model::ScanReport& report, const std::vector<bool>& counted,
                           const RenderOptions& options);

// The same, with suppressions: the table's summary line counts them and, with
// show_suppressed, a "Suppressed" section lists them; the JSON gains a "suppressed" array
// (docs/json-schema.md). Without any suppression the output equals the functions above.
std::string renderScanTable(const model::ScanReport& report, const ScanVerdicts& verdicts,
                            const RenderOptions& options);
std::string renderScanJson(const model::ScanReport& report, const ScanVerdicts& verdicts,
                           const RenderOptions& options);

}  // namespace bulwark::report
