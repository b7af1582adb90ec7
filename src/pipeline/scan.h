// The scan flow: source → inventory → matcher (vulnerability database) → findings; with
// --scanners, also secrets, malware (both while the layers stream) and image configuration
// checks (from the config, its history and the files the layers add).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/finding.h"
#include "pipeline/sbom.h"

namespace bulwark::pipeline {

enum class Scanner { Vuln, Secret, Malware, Config };

// "vuln", "secret", "malware", "config" (the names --scanners takes and reports list).
std::string_view toString(Scanner scanner);
// A comma-separated list of those names; unknown or no names are an error.
core::Result<std::vector<Scanner>> parseScanners(std::string_view list);

struct ScanOptions {
  SbomOptions sbom;
  std::string database;  // empty: vulndb::defaultDatabasePath()
  std::vector<Scanner> scanners = {Scanner::Vuln};
  std::string secret_config;            // secret rules to add, allow or disable
  std::vector<std::string> yara_rules;  // directories of the user's YARA rules
  std::string malware_hashes;           // the user's known-bad SHA-256 list

  [[nodiscard]] bool wants(Scanner scanner) const;
};

core::Result<model::ScanReport> scanTarget(std::string_view target, const ScanOptions& options);

}  // namespace bulwark::pipeline
