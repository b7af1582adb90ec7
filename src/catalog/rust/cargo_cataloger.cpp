#include "catalog/rust/cargo_cataloger.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "catalog/common/toml_document.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

// "name", "name version" or "name version (source)".
std::pair<std::string_view, std::string_view> splitDependency(std::string_view entry) {
  const auto parts = core::split(core::trim(entry), ' ');
  if (parts.empty()) return {};
  return {parts[0], parts.size() > 1 ? parts[1] : std::string_view{}};
}

}  // namespace

namespace {

std::vector<model::Package> parseLockPackages(std::string_view content, std::string_view path,
                                              core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  const auto document = readToml(content, path, "rust", kMaxCargoLockBytes, diagnostics);
  if (!document) return out;
  const toml::array* list = (*document)["package"].as_array();
  if (list == nullptr) {
    if (document->contains("package")) {
      diagnostics.add("rust.malformed", std::string(path), "\"package\" is not an array");
    }
    return out;
  }
  std::set<std::pair<std::string, std::string>, std::less<>> seen;
  std::size_t index = 0;
  for (const toml::node& node : *list) {
    const auto where = fmt::format("{}:package[{}]", path, index++);
    const toml::table* table = node.as_table();
    const auto name = table != nullptr ? (*table)["name"].value<std::string_view>() : std::nullopt;
    const auto version =
        table != nullptr ? (*table)["version"].value<std::string_view>() : std::nullopt;
    if (!name || !version || name->empty() || version->empty()) {
      diagnostics.add("rust.malformed-package", where, "package without a name and a version");
      continue;
    }
    if (!seen.emplace(std::string(*name), std::string(*version)).second) continue;
    model::Package package;
    package.type = model::PackageType::Cargo;
    package.name = std::string(*name);
    package.version = std::string(*version);
    if (const toml::array* dependencies = (*table)["dependencies"].as_array()) {
      for (const toml::node& dependency : *dependencies) {
        if (const auto text = dependency.value<std::string_view>()) {
          // Kept as written ("memchr 2.7.4" when two versions are locked) for the dev walk.
          const auto [dep_name, dep_version] = splitDependency(*text);
          if (dep_name.empty()) continue;
          package.depends.push_back(dep_version.empty()
                                        ? std::string(dep_name)
                                        : fmt::format("{} {}", dep_name, dep_version));
        }
      }
    }
    // The workspace's own crates have no "source": they are the roots.
    if (!table->contains("source")) package.source_name = package.name;
    package.location.path = std::string(path);
    out.push_back(std::move(package));
  }
  return out;
}

// Production dependency names of a manifest: [dependencies] and [target.*.dependencies];
// a renamed dependency ({ package = "real" }) counts under its real name.
void addDependencyNames(const toml::table* table, std::set<std::string, std::less<>>& names) {
  if (table == nullptr) return;
  for (const auto& [key, value] : *table) {
    std::string_view name = key.str();
    if (const toml::table* detail = value.as_table()) {
      if (const auto renamed = (*detail)["package"].value<std::string_view>()) name = *renamed;
    }
    names.emplace(name);
  }
}

void markDevDependencies(std::vector<model::Package>& packages, std::string_view cargo_toml,
                         std::string_view path, core::Diagnostics& diagnostics) {
  const auto manifest = readToml(cargo_toml, path, "rust", kMaxCargoLockBytes, diagnostics);
  if (!manifest) return;
  const auto root_name = (*manifest)["package"]["name"].value<std::string_view>();
  if (!root_name) return;  // a virtual workspace: members are not followed
  std::set<std::string, std::less<>> direct;
  addDependencyNames((*manifest)["dependencies"].as_table(), direct);
  if (const toml::table* targets = (*manifest)["target"].as_table()) {
    for (const auto& [key, target] : *targets) {
      if (const toml::table* table = target.as_table()) {
        addDependencyNames((*table)["dependencies"].as_table(), direct);
      }
    }
  }
  // Index: name → packages, to resolve "name" and "name version".
  std::multimap<std::string, std::size_t, std::less<>> by_name;
  for (std::size_t i = 0; i < packages.size(); ++i) by_name.emplace(packages[i].name, i);
  auto resolve = [&](std::string_view entry) -> std::optional<std::size_t> {
    const auto [name, version] = splitDependency(entry);
    const auto [first, last] = by_name.equal_range(name);
    for (auto it = first; it != last; ++it) {
      if (version.empty() || packages[it->second].version == version) return it->second;
    }
    return std::nullopt;
  };
  const auto root = std::find_if(packages.begin(), packages.end(), [&](const auto& package) {
    return package.name == *root_name && !package.source_name.empty();
  });
  if (root == packages.end()) return;
  std::vector<bool> production(packages.size(), false);
  std::vector<std::size_t> stack;
  production[static_cast<std::size_t>(root - packages.begin())] = true;
  for (const auto& entry : root->depends) {
    const auto index = resolve(entry);
    if (!index || !direct.contains(splitDependency(entry).first)) continue;
    if (!production[*index]) {
      production[*index] = true;
      stack.push_back(*index);
    }
  }
  while (!stack.empty()) {  // each package enters the stack at most once
    const std::size_t current = stack.back();
    stack.pop_back();
    for (const auto& entry : packages[current].depends) {
      const auto index = resolve(entry);
      if (index && !production[*index]) {
        production[*index] = true;
        stack.push_back(*index);
      }
    }
  }
  for (std::size_t i = 0; i < packages.size(); ++i) {
    if (!production[i]) packages[i].development = true;
  }
}

}  // namespace

std::vector<model::Package> parseCargoLock(std::string_view content, std::string_view path,
                                           core::Diagnostics& diagnostics,
                                           std::string_view cargo_toml) {
  auto packages = parseLockPackages(content, path, diagnostics);
  if (!cargo_toml.empty()) {
    const std::string manifest_path =
        fmt::format("{}Cargo.toml", path.substr(0, path.rfind('/') + 1));
    markDevDependencies(packages, cargo_toml, manifest_path, diagnostics);
  }
  for (auto& package : packages) {
    // `depends` holds names; `source_name` marked the roots for the dev walk only.
    for (auto& dependency : package.depends) {
      dependency = std::string(splitDependency(dependency).first);
    }
    package.source_name.clear();
  }
  return packages;
}

namespace {

constexpr std::string_view kLockPattern = "**/Cargo.lock";
constexpr std::string_view kManifestPattern = "**/Cargo.toml";

class CargoCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "cargo"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override {
    return {kLockPattern, kManifestPattern};
  }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    for (const auto& [path, entry] : fs.glob(kLockPattern)) {
      const std::string manifest_path =
          fmt::format("{}Cargo.toml", path.substr(0, path.rfind('/') + 1));
      const image::FileEntry* manifest = fs.find(manifest_path);
      const bool has_manifest = manifest != nullptr && manifest->type == image::FileType::Regular;
      auto found = parseCargoLock(entry->content, path, diagnostics,
                                  has_manifest ? std::string_view(manifest->content) : "");
      for (auto& package : found) {
        package.location.layer_digest = entry->layer_digest;
        packages.push_back(std::move(package));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> makeCargoCataloger() { return std::make_unique<CargoCataloger>(); }

}  // namespace bulwark::catalog
