#include "pipeline/sbom.h"

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>

#include "catalog/os/os_release.h"
#include "catalog/registry.h"
#include "catalog/sbom/sbom_reader.h"

namespace bulwark::pipeline {

namespace {

// A language package read from a file an OS package installed (Debian's python3-yaml owns
// its dist-info METADATA) belongs to the OS package: the distribution's advisories speak for
// it, so it is not reported or matched twice. Development-only dependencies are left out, as
// Trivy leaves them out by default, unless `include_dev_deps`.
void keepOnePerInstall(std::vector<model::Package>& packages, bool include_dev_deps) {
  const bool any_language = std::any_of(packages.begin(), packages.end(),
                                        [](const auto& p) { return !model::isOsPackage(p.type); });
  if (!any_language) return;
  std::unordered_set<std::string> owned;  // copies: erase_if below moves packages
  for (const auto& package : packages) {
    if (!model::isOsPackage(package.type)) continue;
    for (std::string_view file : package.files) {
      while (!file.empty() && file.front() == '/') file.remove_prefix(1);
      owned.emplace(file);
    }
  }
  std::erase_if(packages, [&](const model::Package& package) {
    if (model::isOsPackage(package.type)) return false;
    // A package inside a nested archive is owned when its outermost archive is.
    const std::string_view path = package.location.path;
    return (package.development && !include_dev_deps) ||
           owned.contains(std::string(path.substr(0, path.find("!/"))));
  });
}

// A cataloger runs only where it reads something: in a project directory one that declares no
// patterns() and no projectPatterns() (it reads installed packages) is skipped, so that files
// another cataloger asked for (yarn's package.json beside yarn.lock) are not taken for
// installed packages (node_modules/*/package.json); on an installed system one that reads only
// projects' lockfiles is skipped likewise.
bool runsOn(const catalog::Cataloger& cataloger, bool project) {
  if (!cataloger.patterns().empty()) return true;
  if (project) return !cataloger.projectPatterns().empty();
  return !cataloger.installedPatterns().empty() || !cataloger.extractors().empty();
}

}  // namespace

bool isProjectDirectory(const model::Target& target) {
  if (target.kind != "rootfs" || target.name.starts_with("rootfs:")) return false;
  if (target.name.starts_with("dir:")) return true;
  // A bare directory with an operating system in it is an installed system (an unpacked image,
  // a host's "/"); without one, a project.
  std::error_code error;
  const std::filesystem::path root(target.name);
  return !std::filesystem::exists(root / "etc/os-release", error) &&
         !std::filesystem::exists(root / "usr/lib/os-release", error);
}

core::Result<model::Inventory> inventoryOf(image::Image& image, bool progress,
                                           std::vector<image::ContentScanner*> scanners) {
  SbomOptions options;
  options.progress = progress;
  return inventoryOf(image, options, std::move(scanners));
}

core::Result<model::Inventory> inventoryOf(image::Image& image, const SbomOptions& options,
                                           std::vector<image::ContentScanner*> scanners) {
  const auto catalogers = catalog::allCatalogers();
  const bool project = isProjectDirectory(image.target());
  std::vector<std::string> patterns;
  for (const auto pattern : catalog::osReleasePatterns()) patterns.emplace_back(pattern);
  for (const auto& cataloger : catalogers) {
    for (const auto pattern : cataloger->patterns()) patterns.emplace_back(pattern);
    for (const auto pattern :
         project ? cataloger->projectPatterns() : cataloger->installedPatterns()) {
      patterns.emplace_back(pattern);
    }
  }
  std::sort(patterns.begin(), patterns.end());
  patterns.erase(std::unique(patterns.begin(), patterns.end()), patterns.end());

  core::Diagnostics diagnostics;
  std::vector<image::Extractor> extractors;
  for (const auto& cataloger : catalogers) {
    if (project) break;  // binaries and archives are what a build produced: installed only
    for (const auto& extractor : cataloger->extractors()) extractors.push_back(extractor);
  }
  auto view = image.readFiles(
      image::PathFilter(std::move(patterns), std::move(extractors), std::move(scanners)),
      diagnostics, options.progress);
  if (!view) return tl::unexpected(view.error());

  model::Inventory inventory;
  inventory.target = image.target();
  inventory.distro = catalog::detectDistro(*view, diagnostics);
  for (const auto& cataloger : catalogers) {
    if (!runsOn(*cataloger, project)) continue;
    cataloger->catalog(*view, inventory.distro, inventory.packages, diagnostics);
  }
  keepOnePerInstall(inventory.packages, options.include_dev_deps);
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
  return inventoryOf(**image, options);
}

}  // namespace bulwark::pipeline
