#include "catalog/npm/npm_cataloger.h"

#include <set>
#include <string>

#include <fmt/format.h>

#include "catalog/npm/npm_common.h"

namespace bulwark::catalog {

namespace {

constexpr std::string_view kUnscopedManifest = "**/node_modules/*/package.json";
constexpr std::string_view kScopedManifest = "**/node_modules/@*/*/package.json";

bool hasSegment(std::string_view path, std::string_view segment) {
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (path.substr(start, end - start) == segment) return true;
    start = end + 1;
  }
  return false;
}

// node_modules/<name>/package.json or node_modules/@scope/<name>/package.json where the folder
// is a package's own (not ".bin", ".cache", a bare scope folder, ...).
bool ownManifest(std::string_view path) {
  std::string_view folder = npm::nameFromNodeModulesPath(path);
  if (!folder.ends_with("/package.json")) return false;
  folder.remove_suffix(std::string_view("/package.json").size());
  const auto slash = folder.find('/');
  if (folder.empty() || folder.front() == '.') return false;
  if (folder.front() == '@') {
    return slash != std::string_view::npos && slash + 1 < folder.size() &&
           folder[slash + 1] != '.' && folder.find('/', slash + 1) == std::string_view::npos;
  }
  return slash == std::string_view::npos;
}

void addAll(std::vector<model::Package> found, const image::FileEntry& entry,
            std::vector<model::Package>& packages) {
  for (auto& package : found) {
    package.location.layer_digest = entry.layer_digest;
    packages.push_back(std::move(package));
  }
}

class NpmInstalledCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "npm-installed"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override { return {}; }
  std::vector<std::string_view> installedPatterns() const override {
    return {kUnscopedManifest, kScopedManifest};
  }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    std::set<std::string_view> seen;
    for (const std::string_view pattern : {kUnscopedManifest, kScopedManifest}) {
      for (const auto& [path, entry] : fs.glob(pattern)) {
        if (!ownManifest(path) || !seen.insert(path).second) continue;
        addAll(parseNpmPackageJson(entry->content, path, diagnostics), *entry, packages);
      }
    }
  }
};

using LockParser = std::vector<model::Package> (*)(std::string_view, std::string_view,
                                                   core::Diagnostics&);

struct Lockfile {
  std::string_view pattern;
  LockParser parse;  // nullptr for yarn.lock, which reads the package.json beside it too
};

constexpr Lockfile kLockfiles[] = {
    {"**/package-lock.json", parsePackageLock},
    {"**/npm-shrinkwrap.json", parsePackageLock},
    {"**/yarn.lock", nullptr},
    {"**/pnpm-lock.yaml", parsePnpmLock},
    {"**/bun.lock", parseBunLock},
};

// The project manifests that yarn.lock files need (their siblings).
constexpr std::string_view kProjectManifest = "**/package.json";

std::vector<model::Package> parseYarnProject(const image::FsView& fs, const image::FileEntry& lock,
                                             std::string_view path,
                                             core::Diagnostics& diagnostics) {
  const std::string manifest_path =
      fmt::format("{}package.json", path.substr(0, path.rfind('/') + 1));
  const image::FileEntry* manifest = fs.find(manifest_path);
  if (manifest == nullptr || manifest->type != image::FileType::Regular) {
    return parseYarnLock(lock.content, path, diagnostics);
  }
  return parseYarnLock(lock.content, path, diagnostics, manifest->content, manifest_path);
}

class NpmLockfileCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "npm-lockfile"; }
  std::string_view version() const override { return "2"; }
  std::vector<std::string_view> patterns() const override { return {}; }
  std::vector<std::string_view> projectPatterns() const override {
    std::vector<std::string_view> out;
    for (const auto& lockfile : kLockfiles) out.push_back(lockfile.pattern);
    out.push_back(kProjectManifest);
    return out;
  }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    for (const auto& lockfile : kLockfiles) {
      for (const auto& [path, entry] : fs.glob(lockfile.pattern)) {
        // Lockfiles shipped inside installed packages describe their authors' trees.
        if (hasSegment(path, "node_modules")) continue;
        addAll(lockfile.parse == nullptr ? parseYarnProject(fs, *entry, path, diagnostics)
                                         : lockfile.parse(entry->content, path, diagnostics),
               *entry, packages);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> makeNpmInstalledCataloger() {
  return std::make_unique<NpmInstalledCataloger>();
}

std::unique_ptr<Cataloger> makeNpmLockfileCataloger() {
  return std::make_unique<NpmLockfileCataloger>();
}

}  // namespace bulwark::catalog
