// package-lock.json (and npm-shrinkwrap.json's layout): lockfileVersion 1 keeps a tree of
// "dependencies"; 2 and 3 keep a flat "packages" object keyed by install paths
// ("node_modules/a/node_modules/b"), where "link": true entries point at workspace folders.
// There the root entry ("") names the project's own dependencies: a package installed at
// node_modules/<one of them> is Direct, any other Indirect (Trivy's rule); v1 does not say.
#include <optional>
#include <set>
#include <string>

#include <fmt/format.h>

#include "catalog/npm/npm_cataloger.h"
#include "catalog/npm/npm_common.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

using Json = nlohmann::json;

bool flag(const Json& entry, const char* key) {
  const auto it = entry.find(key);
  return it != entry.end() && it->is_boolean() && it->get<bool>();
}

std::string_view text(const Json& entry, const char* key) {
  const auto it = entry.find(key);
  if (it == entry.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

void addKeys(const Json& entry, const char* key, std::vector<std::string>& out) {
  const auto it = entry.find(key);
  if (it == entry.end() || !it->is_object()) return;
  for (const auto& item : it->items()) out.push_back(item.key());
}

// Versions that name no registry release: local folders and links.
bool localVersion(std::string_view version) {
  return version.starts_with("file:") || version.starts_with("link:");
}

// v1: {"name": {"version", "dev", "requires": {...}, "dependencies": {...nested...}}}. The
// nesting depth is bounded by npm::kMaxDepth, checked before parsing.
void walkV1(const Json& dependencies, std::string_view path, std::vector<model::Package>& out,
            core::Diagnostics& diagnostics) {
  for (const auto& item : dependencies.items()) {
    const Json& entry = item.value();
    if (!entry.is_object()) {
      diagnostics.add("npm.malformed-record", std::string(path),
                      fmt::format("dependency '{}' is not an object", core::printable(item.key())));
      continue;
    }
    std::string_view name = item.key();
    std::string_view version = text(entry, "version");
    if (version.empty()) {
      diagnostics.add("npm.malformed-record", std::string(path),
                      fmt::format("dependency '{}' without a version", core::printable(name)));
    } else if (version.starts_with("npm:")) {
      // An alias: "string-width-cjs": {"version": "npm:string-width@4.2.3"}.
      const auto real = npm::splitNameVersion(version.substr(4));
      if (real) {
        name = real->name;
        version = real->version;
      }
    }
    if (!version.empty() && !localVersion(version)) {
      model::Package package;
      package.name = std::string(name);
      package.version = std::string(version);
      package.development = flag(entry, "dev");
      addKeys(entry, "requires", package.depends);
      out.push_back(std::move(package));
    }
    if (const auto nested = entry.find("dependencies");
        nested != entry.end() && nested->is_object()) {
      walkV1(*nested, path, out, diagnostics);
    }
  }
}

model::Package fromV2Entry(std::string_view name, const Json& entry) {
  model::Package package;
  package.name = std::string(name);
  package.version = std::string(text(entry, "version"));
  package.licenses = npm::licensesOf(entry);
  package.development = flag(entry, "dev");
  addKeys(entry, "dependencies", package.depends);
  addKeys(entry, "optionalDependencies", package.depends);
  return package;
}

// The install paths of the root entry's dependencies ("node_modules/<name>"); nullopt when the
// lockfile has no root entry.
std::optional<std::set<std::string, std::less<>>> directPaths(const Json& packages) {
  const auto root = packages.find("");
  if (root == packages.end() || !root->is_object()) return std::nullopt;
  std::vector<std::string> names;
  for (const char* field :
       {"dependencies", "optionalDependencies", "devDependencies", "peerDependencies"}) {
    addKeys(*root, field, names);
  }
  std::set<std::string, std::less<>> out;
  for (const auto& name : names) out.insert("node_modules/" + name);
  return out;
}

void readV2(const Json& packages, std::string_view path, std::vector<model::Package>& out,
            core::Diagnostics& diagnostics) {
  const auto direct = directPaths(packages);
  for (const auto& item : packages.items()) {
    const std::string& key = item.key();
    const Json& entry = item.value();
    if (key.empty()) continue;  // the project itself
    if (!entry.is_object()) {
      diagnostics.add("npm.malformed-record", std::string(path),
                      fmt::format("package '{}' is not an object", core::printable(key)));
      continue;
    }
    const std::string_view installed_name = npm::nameFromNodeModulesPath(key);
    // Folders outside node_modules are workspace members; they count through their links.
    if (installed_name.empty()) continue;
    const Json* source = &entry;
    if (flag(entry, "link")) {
      const std::string_view target = text(entry, "resolved");
      const auto found = target.empty() ? packages.end() : packages.find(std::string(target));
      if (found == packages.end() || !found->is_object() || flag(*found, "link")) {
        continue;  // a broken link: nothing is installed there
      }
      source = &*found;
    }
    std::string_view name = text(*source, "name");
    if (name.empty()) name = installed_name;
    const std::string_view version = text(*source, "version");
    if (version.empty()) {
      // Workspace members without a version are the project's own code, not a release.
      if (source == &entry) {
        diagnostics.add("npm.malformed-record", std::string(path),
                        fmt::format("package '{}' without a version", core::printable(key)));
      }
      continue;
    }
    if (localVersion(version)) continue;
    if (!npm::validPackageName(name)) {
      diagnostics.add("npm.malformed-record", std::string(path),
                      fmt::format("'{}' is not a valid npm package name", core::printable(name)));
      continue;
    }
    auto package = fromV2Entry(name, *source);
    package.development = flag(entry, "dev") || flag(*source, "dev");
    if (direct) {
      // Top-level links are workspace members, which the project depends on.
      const bool top_link = source != &entry && key.rfind("node_modules/") == 0;
      package.relationship = direct->contains(key) || top_link ? model::Relationship::Direct
                                                               : model::Relationship::Indirect;
    }
    out.push_back(std::move(package));
  }
}

}  // namespace

std::vector<model::Package> parsePackageLock(std::string_view content, std::string_view path,
                                             core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  const auto root = npm::loadJson(content, path, diagnostics);
  if (!root) return out;
  if (const auto packages = root->find("packages"); packages != root->end()) {
    if (!packages->is_object()) {
      diagnostics.add("npm.malformed", std::string(path), "\"packages\" is not an object");
      return out;
    }
    readV2(*packages, path, out, diagnostics);
  } else if (const auto deps = root->find("dependencies"); deps != root->end()) {
    if (!deps->is_object()) {
      diagnostics.add("npm.malformed", std::string(path), "\"dependencies\" is not an object");
      return out;
    }
    walkV1(*deps, path, out, diagnostics);
  }
  return npm::finishPackages(std::move(out), path);
}

}  // namespace bulwark::catalog
