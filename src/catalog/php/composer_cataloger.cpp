#include "catalog/php/composer_cataloger.h"

#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <simdjson.h>

#include "catalog/common/lockfile_files.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

namespace dom = simdjson::dom;

std::string_view stringAt(dom::element element, std::string_view key) {
  std::string_view value;
  if (element[key].get(value) != simdjson::SUCCESS) return {};
  return value;
}

// Composer "license" is a list of SPDX ids; some old packages write a single string.
std::vector<std::string> licensesOf(dom::element package) {
  std::vector<std::string> out;
  dom::element license;
  if (package["license"].get(license) != simdjson::SUCCESS) return out;
  std::string_view single;
  if (license.get(single) == simdjson::SUCCESS) {
    if (!single.empty()) out.emplace_back(single);
    return out;
  }
  dom::array list;
  if (license.get(list) != simdjson::SUCCESS) return out;
  for (const dom::element item : list) {
    std::string_view value;
    if (item.get(value) == simdjson::SUCCESS && !value.empty()) out.emplace_back(value);
  }
  return out;
}

// "require" names, without the PHP platform ("php", "ext-json", "lib-icu", "composer-*").
std::vector<std::string> requiresOf(dom::element package) {
  std::vector<std::string> out;
  dom::object require;
  if (package["require"].get(require) != simdjson::SUCCESS) return out;
  for (const auto field : require) {
    const std::string_view name = field.key;
    if (name == "php" || name.starts_with("ext-") || name.starts_with("lib-") ||
        name.starts_with("composer-") || name.find('/') == std::string_view::npos) {
      continue;
    }
    out.emplace_back(name);
  }
  return out;
}

void readPackageList(dom::array list, bool development, std::string_view path,
                     std::string_view section, const std::set<std::string, std::less<>>& dev_names,
                     std::vector<model::Package>& out, core::Diagnostics& diagnostics) {
  std::size_t index = 0;
  for (const dom::element item : list) {
    const auto where = fmt::format("{}:{}[{}]", path, section, index++);
    const std::string_view name = stringAt(item, "name");
    const std::string_view version = stringAt(item, "version");
    if (name.empty() || version.empty()) {
      diagnostics.add("php.malformed-package", where,
                      name.empty()
                          ? "package without a name"
                          : fmt::format("package '{}' without a version", core::printable(name)));
      continue;
    }
    model::Package package;
    package.type = model::PackageType::Composer;
    package.name = std::string(name);
    package.version = std::string(version);
    package.licenses = licensesOf(item);
    package.depends = requiresOf(item);
    package.development = development || dev_names.contains(name);
    package.location.path = std::string(path);
    out.push_back(std::move(package));
  }
}

// Keeps only dependencies that the same file lists (as Trivy's DependsOn).
void pruneDepends(std::vector<model::Package>& packages) {
  std::set<std::string, std::less<>> names;
  for (const auto& package : packages) names.insert(package.name);
  for (auto& package : packages) {
    std::erase_if(package.depends, [&](const std::string& name) { return !names.contains(name); });
  }
}

bool parseJson(dom::parser& parser, const simdjson::padded_string& storage, dom::element& root,
               std::string_view path, core::Diagnostics& diagnostics) {
  if (const auto error = parser.parse(storage).get(root); error != simdjson::SUCCESS) {
    diagnostics.add("php.malformed", std::string(path),
                    fmt::format("invalid JSON: {}", simdjson::error_message(error)));
    return false;
  }
  return true;
}

}  // namespace

std::vector<model::Package> parseComposerLock(std::string_view content, std::string_view path,
                                              core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  dom::parser parser;
  const simdjson::padded_string storage(content);
  dom::element root;
  if (!parseJson(parser, storage, root, path, diagnostics)) return out;
  if (!root.is_object()) {
    diagnostics.add("php.malformed", std::string(path), "composer.lock is not a JSON object");
    return out;
  }
  const std::set<std::string, std::less<>> none;
  bool any = false;
  for (const auto& [section, development] :
       {std::pair<std::string_view, bool>{"packages", false}, {"packages-dev", true}}) {
    dom::element value;
    if (root[section].get(value) != simdjson::SUCCESS || value.is_null()) continue;
    dom::array list;
    if (value.get(list) != simdjson::SUCCESS) {
      diagnostics.add("php.malformed", std::string(path),
                      fmt::format("\"{}\" is not an array", section));
      continue;
    }
    any = true;
    readPackageList(list, development, path, section, none, out, diagnostics);
  }
  if (!any) diagnostics.add("php.malformed", std::string(path), "no \"packages\" array");
  pruneDepends(out);
  return out;
}

std::vector<model::Package> parseComposerInstalled(std::string_view content, std::string_view path,
                                                   core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  dom::parser parser;
  const simdjson::padded_string storage(content);
  dom::element root;
  if (!parseJson(parser, storage, root, path, diagnostics)) return out;
  dom::array list;
  std::set<std::string, std::less<>> dev_names;
  if (root.get(list) == simdjson::SUCCESS) {
    // Composer 1: the file is the package array.
  } else if (root["packages"].get(list) == simdjson::SUCCESS) {
    dom::array names;
    if (root["dev-package-names"].get(names) == simdjson::SUCCESS) {
      for (const dom::element item : names) {
        std::string_view name;
        if (item.get(name) == simdjson::SUCCESS) dev_names.emplace(name);
      }
    }
  } else {
    diagnostics.add("php.malformed", std::string(path),
                    "installed.json is neither a package array nor {\"packages\": [...]}");
    return out;
  }
  readPackageList(list, false, path, "packages", dev_names, out, diagnostics);
  pruneDepends(out);
  return out;
}

namespace {

constexpr std::string_view kLockPattern = "**/composer.lock";
constexpr std::string_view kInstalledPattern = "**/vendor/composer/installed.json";

class ComposerCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "composer"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override { return {}; }
  std::vector<std::string_view> installedPatterns() const override { return {kInstalledPattern}; }
  std::vector<std::string_view> projectPatterns() const override { return {kLockPattern}; }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    catalogFiles(fs, kLockPattern, &parseComposerLock, packages, diagnostics);
    catalogFiles(fs, kInstalledPattern, &parseComposerInstalled, packages, diagnostics);
  }
};

}  // namespace

std::unique_ptr<Cataloger> makeComposerCataloger() { return std::make_unique<ComposerCataloger>(); }

}  // namespace bulwark::catalog
