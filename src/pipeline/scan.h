// The scan flow: source → inventory → matcher (vulnerability database) → findings.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "model/finding.h"
#include "pipeline/sbom.h"

namespace bulwark::pipeline {

struct ScanOptions {
  SbomOptions sbom;
  std::string database;  // empty: vulndb::defaultDatabasePath()
};

core::Result<model::ScanReport> scanTarget(std::string_view target, const ScanOptions& options);

}  // namespace bulwark::pipeline
