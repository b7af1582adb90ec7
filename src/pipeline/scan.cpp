#include "pipeline/scan.h"

#include "match/enrich.h"
#include "match/matcher.h"
#include "vulndb/database.h"

namespace bulwark::pipeline {

core::Result<model::ScanReport> scanTarget(std::string_view target, const ScanOptions& options) {
  // Open the database first: a missing or unusable one fails before any image work.
  auto database = vulndb::Database::open(options.database.empty() ? vulndb::defaultDatabasePath()
                                                                  : options.database);
  if (!database) return tl::unexpected(database.error());
  auto inventory = buildInventory(target, options.sbom);
  if (!inventory) return tl::unexpected(inventory.error());
  model::ScanReport report;
  core::Diagnostics diagnostics;
  auto findings = match::matchInventory(*database, *inventory, diagnostics);
  if (!findings) return tl::unexpected(findings.error());
  if (auto ok = match::enrichFindings(*database, *inventory, *findings); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto stats = database->metadata()) {
    report.db_build_id = stats->build_id;
    report.db_built_at = stats->built_at;
  }
  report.inventory = std::move(*inventory);
  report.findings = std::move(*findings);
  report.diagnostics = diagnostics.sorted();
  return report;
}

}  // namespace bulwark::pipeline
