// node_modules/<name>/package.json: one installed package's own manifest.
#include <fmt/format.h>

#include "catalog/npm/npm_cataloger.h"
#include "catalog/npm/npm_common.h"
#include "core/text.h"

namespace bulwark::catalog {

std::vector<model::Package> parseNpmPackageJson(std::string_view content, std::string_view path,
                                                core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  const auto root = npm::loadJson(content, path, diagnostics);
  if (!root) return out;
  const auto name = root->find("name");
  const auto version = root->find("version");
  // Manifests without both (private roots, test fixtures shipped inside packages) are not
  // published packages.
  if (name == root->end() || version == root->end() || !name->is_string() ||
      !version->is_string()) {
    return out;
  }
  const auto& name_text = name->get_ref<const std::string&>();
  const auto& version_text = version->get_ref<const std::string&>();
  if (name_text.empty() || version_text.empty()) return out;
  if (!npm::validPackageName(name_text)) {
    diagnostics.add(
        "npm.malformed-record", std::string(path),
        fmt::format("'{}' is not a valid npm package name", core::printable(name_text)));
    return out;
  }
  model::Package package;
  package.name = name_text;
  package.version = version_text;
  package.licenses = npm::licensesOf(*root);
  for (const char* field : {"dependencies", "optionalDependencies"}) {
    const auto deps = root->find(field);
    if (deps == root->end() || !deps->is_object()) continue;
    for (const auto& item : deps->items()) package.depends.push_back(item.key());
  }
  out.push_back(std::move(package));
  return npm::finishPackages(std::move(out), path);
}

}  // namespace bulwark::catalog
