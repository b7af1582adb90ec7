#include "pipeline/scan.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include "checks/evaluate.h"
#include "checks/metadata_scanner.h"
#include "core/text.h"
#include "malware/scanner.h"
#include "match/enrich.h"
#include "match/matcher.h"
#include "secrets/scanner.h"
#include "vulndb/database.h"

namespace bulwark::pipeline {

namespace {

constexpr std::array<std::pair<Scanner, std::string_view>, 4> kScannerNames = {{
    {Scanner::Vuln, "vuln"},
    {Scanner::Secret, "secret"},
    {Scanner::Malware, "malware"},
    {Scanner::Config, "config"},
}};

}  // namespace

std::string_view toString(Scanner scanner) {
  for (const auto& [value, name] : kScannerNames) {
    if (value == scanner) return name;
  }
  return "vuln";
}

core::Result<std::vector<Scanner>> parseScanners(std::string_view list) {
  std::vector<Scanner> out;
  for (auto name : core::split(list, ',')) {
    name = core::trim(name);
    if (name.empty()) continue;
    const auto it = std::find_if(kScannerNames.begin(), kScannerNames.end(),
                                 [&](const auto& entry) { return entry.second == name; });
    if (it == kScannerNames.end()) {
      return core::fail(core::ErrorCode::Usage,
                        "unknown scanner '{}' (vuln, secret, malware, config)",
                        core::printable(name));
    }
    if (std::find(out.begin(), out.end(), it->first) == out.end()) out.push_back(it->first);
  }
  if (out.empty()) {
    return core::fail(core::ErrorCode::Usage,
                      "--scanners names none of vuln, secret, malware, config");
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool ScanOptions::wants(Scanner scanner) const {
  return std::find(scanners.begin(), scanners.end(), scanner) != scanners.end();
}

core::Result<model::ScanReport> scanTarget(std::string_view target, const ScanOptions& options) {
  model::ScanReport report;
  for (const auto scanner : options.scanners) report.scanners.emplace_back(toString(scanner));
  const bool vuln = options.wants(Scanner::Vuln);
  const bool others = options.scanners.size() > (vuln ? 1U : 0U);

  // Everything that can fail on its own fails before any image work: the database, the
  // user's rules and lists.
  std::optional<vulndb::Database> database;
  if (vuln) {
    auto opened = vulndb::Database::open(options.database.empty() ? vulndb::defaultDatabasePath()
                                                                  : options.database);
    if (!opened) return tl::unexpected(opened.error());
    database.emplace(std::move(*opened));
  }
  if (others && target.starts_with("sbom:")) {
    return core::fail(core::ErrorCode::Usage,
                      "an SBOM has no files or config: only --scanners vuln applies to {}",
                      core::printable(target));
  }
  std::shared_ptr<const secrets::RuleSet> secret_rules;
  std::unique_ptr<secrets::Scanner> secret_scanner;
  if (options.wants(Scanner::Secret)) {
    auto rules = secrets::loadRules(options.secret_config);
    if (!rules) return tl::unexpected(rules.error());
    secret_rules = std::move(*rules);
    secret_scanner = std::make_unique<secrets::Scanner>(secret_rules);
  }
  core::Diagnostics diagnostics;
  std::unique_ptr<malware::Scanner> malware_scanner;
  if (options.wants(Scanner::Malware)) {
    malware::Options malware_options;
    malware_options.yara_dirs = options.yara_rules;
    malware_options.hashes_file = options.malware_hashes;
    auto created = malware::Scanner::create(malware_options, diagnostics);
    if (!created) return tl::unexpected(created.error());
    malware_scanner = std::move(*created);
  }
  std::optional<checks::CheckSet> image_checks;
  std::unique_ptr<checks::MetadataScanner> image_files;
  if (options.wants(Scanner::Config)) {
    auto loaded = checks::loadBuiltinChecks();
    if (!loaded) return tl::unexpected(loaded.error());
    image_checks.emplace(std::move(*loaded));
    image_files = std::make_unique<checks::MetadataScanner>();
  }

  std::vector<image::ContentScanner*> scanners;
  if (secret_scanner) scanners.push_back(secret_scanner.get());
  if (malware_scanner) scanners.push_back(malware_scanner.get());
  if (image_files) scanners.push_back(image_files.get());

  core::Result<model::Inventory> inventory;
  if (target.starts_with("sbom:")) {
    inventory = buildInventory(target, options.sbom);
  } else {
    auto image = image::openImage(target, options.sbom.source);
    if (!image) return tl::unexpected(image.error());
    inventory = inventoryOf(**image, options.sbom, std::move(scanners));
  }
  if (!inventory) return tl::unexpected(inventory.error());

  if (database) {
    auto findings = match::matchInventory(*database, *inventory, diagnostics);
    if (!findings) return tl::unexpected(findings.error());
    if (auto ok = match::enrichFindings(*database, *inventory, *findings); !ok) {
      return tl::unexpected(ok.error());
    }
    if (auto stats = database->metadata()) {
      report.db_build_id = stats->build_id;
      report.db_built_at = stats->built_at;
    }
    report.findings = std::move(*findings);
  }
  if (secret_scanner) {
    report.secrets = secret_scanner->findings();
    auto from_config = secrets::scanImageConfig(*secret_rules, inventory->target.config);
    report.secrets.insert(report.secrets.end(), std::make_move_iterator(from_config.begin()),
                          std::make_move_iterator(from_config.end()));
    secrets::sortAndDeduplicate(report.secrets);
  }
  if (malware_scanner) {
    report.malware = malware_scanner->findings();
    malware::dropPackageOwned(report.malware, *inventory);
  }
  if (image_checks) {
    report.misconfigurations =
        checks::evaluateImage(*image_checks, inventory->target, image_files->results());
  }
  report.inventory = std::move(*inventory);
  report.diagnostics = diagnostics.sorted();
  return report;
}

}  // namespace bulwark::pipeline
