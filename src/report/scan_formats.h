// Renders a scan for other tools: SARIF 2.1.0 as GitHub code scanning takes it, and a CycloneDX
// 1.5 BOM with vulnerabilities. Both are deterministic (same report, same bytes) and are
// validated against their official JSON schemas in tests; docs/scan-formats.md maps every field.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/finding.h"
#include "report/inventory_report.h"
#include "report/scan_report.h"

namespace bulwark::report {

// `counted[i]` says whether finding i passed the policy filters; the others are left out, as in
// renderScanTable and renderScanJson. `counted` must have one entry per finding.

// One run; one rule per vulnerability id, one result per counted finding.
std::string renderScanSarif(const model::ScanReport& report, const std::vector<bool>& counted,
                            const RenderOptions& options);

// The inventory as `bulwark sbom -f cyclonedx` renders it, plus one `vulnerabilities` entry per
// counted finding whose `affects` points at the package's component bom-ref.
std::string renderScanCycloneDx(const model::ScanReport& report, const std::vector<bool>& counted,
                                const RenderOptions& options);

// With verdicts: the same, and with verdicts.show_suppressed the suppressed findings too — SARIF
// results with `suppressions: [{kind: "external", status: "accepted", justification}]` (SARIF
// 2.1.0 §3.35), CycloneDX entries with the suppression's `analysis`. Without show_suppressed
// the output equals the functions above.
std::string renderScanSarif(const model::ScanReport& report, const ScanVerdicts& verdicts,
                            const RenderOptions& options);
std::string renderScanCycloneDx(const model::ScanReport& report, const ScanVerdicts& verdicts,
                                const RenderOptions& options);

}  // namespace bulwark::report

namespace bulwark::report::detail {

// The page describing vulnerability `id` at the feed `source` (a model::Advisory::source such
// as "debian-tracker", "alpine-secdb:v3.19/main", "nvd"); empty when the feed has none.
std::string vulnerabilityUrl(std::string_view source, std::string_view id);

// A reference from a feed made safe for a "uri-reference" (RFC 3986; `iri` false) or
// "iri-reference" (RFC 3987; `iri` true, non-ASCII kept) field: forbidden characters (space,
// quotes, angle brackets, braces, '|', '\\', '^', '`', controls) are percent-encoded.
std::string escapeReference(std::string_view text, bool iri);

}  // namespace bulwark::report::detail
