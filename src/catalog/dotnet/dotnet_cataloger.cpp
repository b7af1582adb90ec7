#include "catalog/dotnet/dotnet_cataloger.h"

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

bool parseJsonObject(dom::parser& parser, const simdjson::padded_string& storage, dom::object& root,
                     std::string_view path, core::Diagnostics& diagnostics) {
  dom::element element;
  if (const auto error = parser.parse(storage).get(element); error != simdjson::SUCCESS) {
    diagnostics.add("dotnet.malformed", std::string(path),
                    fmt::format("invalid JSON: {}", simdjson::error_message(error)));
    return false;
  }
  if (element.get(root) != simdjson::SUCCESS) {
    diagnostics.add("dotnet.malformed", std::string(path), "not a JSON object");
    return false;
  }
  return true;
}

bool caseEqual(std::string_view a, std::string_view b) {
  return core::asciiLower(a) == core::asciiLower(b);
}

bool nonEmpty(dom::element target, std::string_view key) {
  dom::element value;
  if (target[key].get(value) != simdjson::SUCCESS) return false;
  dom::object object;
  if (value.get(object) == simdjson::SUCCESS) return object.size() > 0;
  dom::array array;
  if (value.get(array) == simdjson::SUCCESS) return array.size() > 0;
  return !value.is_null();
}

}  // namespace

std::vector<model::Package> parseDotnetDeps(std::string_view content, std::string_view path,
                                            core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  dom::parser parser;
  const simdjson::padded_string storage(content);
  dom::object root;
  if (!parseJsonObject(parser, storage, root, path, diagnostics)) return out;
  dom::element libraries_value;
  if (root["libraries"].get(libraries_value) != simdjson::SUCCESS) return out;  // none
  dom::object libraries;
  if (libraries_value.get(libraries) != simdjson::SUCCESS) {
    diagnostics.add("dotnet.malformed", std::string(path), "\"libraries\" is not an object");
    return out;
  }
  // The runtime target's libraries, when the file has them.
  dom::object runtime_libraries;
  bool has_runtime_target = false;
  std::string_view runtime_target;
  if (root["runtimeTarget"]["name"].get(runtime_target) == simdjson::SUCCESS) {
    has_runtime_target =
        root["targets"][runtime_target].get(runtime_libraries) == simdjson::SUCCESS;
  }
  for (const auto field : libraries) {
    const std::string_view key = field.key;
    const std::string_view type = stringAt(field.value, "type");
    if (!caseEqual(type, "package") && !caseEqual(type, "project")) continue;
    const auto slash = key.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size() ||
        key.find('/', slash + 1) != std::string_view::npos) {
      diagnostics.add("dotnet.malformed-library", fmt::format("{}:libraries", path),
                      fmt::format("library key '{}' is not 'Name/Version'", core::printable(key)));
      continue;
    }
    if (has_runtime_target) {
      dom::element target;
      if (runtime_libraries[key].get(target) != simdjson::SUCCESS) continue;
      if (!nonEmpty(target, "runtime") && !nonEmpty(target, "runtimeTargets") &&
          !nonEmpty(target, "native")) {
        continue;
      }
    }
    model::Package package;
    package.type = model::PackageType::NuGet;
    package.name = std::string(key.substr(0, slash));
    package.version = std::string(key.substr(slash + 1));
    package.location.path = std::string(path);
    out.push_back(std::move(package));
  }
  return out;
}

std::vector<model::Package> parseNugetLock(std::string_view content, std::string_view path,
                                           core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  dom::parser parser;
  const simdjson::padded_string storage(content);
  dom::object root;
  if (!parseJsonObject(parser, storage, root, path, diagnostics)) return out;
  dom::object frameworks;
  if (root["dependencies"].get(frameworks) != simdjson::SUCCESS) {
    diagnostics.add("dotnet.malformed", std::string(path), "no \"dependencies\" object");
    return out;
  }
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto framework : frameworks) {
    dom::object entries;
    if (framework.value.get(entries) != simdjson::SUCCESS) {
      diagnostics.add("dotnet.malformed", std::string(path),
                      fmt::format("target '{}' is not an object", core::printable(framework.key)));
      continue;
    }
    for (const auto entry : entries) {
      const std::string_view type = stringAt(entry.value, "type");
      if (type == "Project") continue;
      const std::string_view name = entry.key;
      const std::string_view version = stringAt(entry.value, "resolved");
      if (name.empty() || version.empty()) {
        diagnostics.add(
            "dotnet.malformed-package", fmt::format("{}:{}", path, core::printable(framework.key)),
            fmt::format("package '{}' without a resolved version", core::printable(name)));
        continue;
      }
      if (!seen.emplace(name, version).second) continue;
      model::Package package;
      package.type = model::PackageType::NuGet;
      package.name = std::string(name);
      package.version = std::string(version);
      dom::object dependencies;
      if (entry.value["dependencies"].get(dependencies) == simdjson::SUCCESS) {
        for (const auto dependency : dependencies) package.depends.emplace_back(dependency.key);
      }
      package.location.path = std::string(path);
      out.push_back(std::move(package));
    }
  }
  return out;
}

namespace {

constexpr std::string_view kDepsPattern = "**/*.deps.json";
constexpr std::string_view kLockPattern = "**/packages.lock.json";

class DotnetCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "dotnet"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override { return {kDepsPattern, kLockPattern}; }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    catalogFiles(fs, kDepsPattern, &parseDotnetDeps, packages, diagnostics);
    catalogFiles(fs, kLockPattern, &parseNugetLock, packages, diagnostics);
  }
};

}  // namespace

std::unique_ptr<Cataloger> makeDotnetCataloger() { return std::make_unique<DotnetCataloger>(); }

}  // namespace bulwark::catalog
