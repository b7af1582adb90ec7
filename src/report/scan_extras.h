// The sections of a scan report that the scanners besides vulnerabilities fill (`--scanners
// secret,malware,config`): secrets, malware and image configuration checks, as table sections
// and JSON arrays (docs/json-schema.md). Internal to src/report.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/finding.h"
#include "report/inventory_report.h"

namespace bulwark::report::detail {

std::string secretsTable(const std::vector<model::SecretFinding>& secrets,
                         const RenderOptions& options);
std::string malwareTable(const std::vector<model::MalwareFinding>& malware,
                         const RenderOptions& options);
// Failed checks with their evidence; a count of the passed, not-applicable and not-evaluated.
std::string misconfigurationsTable(const std::vector<model::CheckResult>& results,
                                   const RenderOptions& options);

nlohmann::ordered_json secretsJson(const std::vector<model::SecretFinding>& secrets);
nlohmann::ordered_json malwareJson(const std::vector<model::MalwareFinding>& malware);
nlohmann::ordered_json checkResultJson(const model::CheckResult& result);

// Whether the report ran a scanner ("vuln", "secret", "malware", "config"). A report that
// names none ran the vulnerability scanner alone (reports made before `--scanners`).
bool ran(const model::ScanReport& report, std::string_view scanner);

}  // namespace bulwark::report::detail
