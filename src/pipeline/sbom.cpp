#include "pipeline/sbom.h"

#include <algorithm>

#include "catalog/os/os_release.h"
#include "catalog/registry.h"
#include "catalog/sbom/sbom_reader.h"

namespace bulwark::pipeline {

core::Result<model::Inventory> inventoryOf(image::Image& image, bool progress) {
  const auto catalogers = catalog::allCatalogers();
  std::vector<std::string> patterns;
  for (const auto pattern : catalog::osReleasePatterns()) patterns.emplace_back(pattern);
  for (const auto& cataloger : catalogers) {
    for (const auto pattern : cataloger->patterns()) patterns.emplace_back(pattern);
  }
  std::sort(patterns.begin(), patterns.end());
  patterns.erase(std::unique(patterns.begin(), patterns.end()), patterns.end());

  core::Diagnostics diagnostics;
  auto view = image.readFiles(image::PathFilter(std::move(patterns)), diagnostics, progress);
  if (!view) return tl::unexpected(view.error());

  model::Inventory inventory;
  inventory.target = image.target();
  inventory.distro = catalog::detectDistro(*view, diagnostics);
  for (const auto& cataloger : catalogers) {
    cataloger->catalog(*view, inventory.distro, inventory.packages, diagnostics);
  }
  std::sort(inventory.packages.begin(), inventory.packages.end(), model::packageLess);
  inventory.diagnostics = diagnostics.sorted();
  return inventory;
}

core::Result<model::Inventory> buildInventory(std::string_view target, const SbomOptions& options) {
  // sbom:FILE — a CycloneDX or SPDX JSON document instead of an image.
  if (constexpr std::string_view kSbom = "sbom:"; target.substr(0, kSbom.size()) == kSbom) {
    core::Diagnostics diagnostics;
    auto inventory = catalog::readSbomFile(std::string(target.substr(kSbom.size())), diagnostics);
    if (inventory) inventory->target.name = std::string(target);
    return inventory;
  }
  auto image = image::openImage(target, options.source);
  if (!image) return tl::unexpected(image.error());
  return inventoryOf(**image, options.progress);
}

}  // namespace bulwark::pipeline
