// yarn.lock. Classic (v1) is yarn's own format:
//
//   "@scope/a@^1.0.0", "@scope/a@^1.1.0":      <- entry: the ranges it satisfies
//     version "1.2.0"                          <- fields, indented two spaces
//     dependencies:
//       b "^2.0.0"                             <- a dependency, indented four spaces
//
// Berry (yarn 2+) is YAML with a "__metadata" entry, keys "a@npm:^1.0.0" and a "resolution"
// ("a@npm:1.2.0") naming what was picked. Workspaces, patches, local folders and git checkouts
// are not registry releases and are left out.
//
// Neither format says which packages only development needs. With the project's package.json
// beside the lockfile, the dependencies it declares are found by their "name@range" keys and the
// graph is walked from them (npm::classifyPackages), as Trivy does; the project itself becomes
// the Root package.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "catalog/npm/npm_cataloger.h"
#include "catalog/npm/npm_common.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

std::string_view unquote(std::string_view text) {
  text = core::trim(text);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  return text;
}

// "npm", "workspace", "git+https", ... when `range` starts with "<protocol>:"; empty otherwise.
std::string_view protocolOf(std::string_view range) {
  for (std::size_t i = 0; i < range.size(); ++i) {
    const char c = range[i];
    if (c == ':') return range.substr(0, i);
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-';
    if (!ok) return {};
  }
  return {};
}

// Resolves a "name@range" spec to the registry package it names: "a@npm:b@^1" is an alias of
// b. nullopt for specs that name no registry release (workspace:, patch:, file:, git, ...).
std::optional<std::string_view> registryName(std::string_view spec) {
  const auto split = npm::splitNameVersion(spec);
  if (!split) return std::nullopt;
  const std::string_view protocol = protocolOf(split->version);
  if (protocol.empty() || protocol == "http" || protocol == "https") return split->name;
  if (protocol != "npm") return std::nullopt;
  const std::string_view range = split->version.substr(4);
  if (const auto alias = npm::splitNameVersion(range); alias && protocolOf(range).empty()) {
    if (npm::validPackageName(alias->name)) return alias->name;
  }
  return split->name;
}

// The parsed lockfile before packages merge: per package, the "name@range" keys it answers and
// the "name@range" specs of its dependencies, for the walk from package.json.
struct YarnGraph {
  std::vector<model::Package> packages;
  std::vector<std::vector<std::string>> keys;
  std::vector<std::vector<std::string>> dependency_specs;

  void add(model::Package package, std::vector<std::string> entry_keys,
           std::vector<std::string> specs) {
    packages.push_back(std::move(package));
    keys.push_back(std::move(entry_keys));
    dependency_specs.push_back(std::move(specs));
  }
};

struct ClassicEntry {
  std::size_t line = 0;
  bool open = false;
  bool skip = false;
  bool in_dependencies = false;
  std::string name;
  std::string version;
  std::vector<std::string> depends;
  std::vector<std::string> keys;
  std::vector<std::string> dependency_specs;
};

void finishClassic(ClassicEntry& entry, std::string_view path, YarnGraph& out,
                   core::Diagnostics& diagnostics) {
  if (!entry.open || entry.skip) return;
  if (entry.version.empty()) {
    diagnostics.add("npm.malformed-record", fmt::format("{}:{}", path, entry.line),
                    fmt::format("yarn entry '{}' without a version", core::printable(entry.name)));
    return;
  }
  model::Package package;
  package.name = std::move(entry.name);
  package.version = std::move(entry.version);
  package.depends = std::move(entry.depends);
  out.add(std::move(package), std::move(entry.keys), std::move(entry.dependency_specs));
}

void startClassic(std::string_view header, std::size_t number, ClassicEntry& entry,
                  std::string_view path, core::Diagnostics& diagnostics) {
  entry = ClassicEntry{};
  entry.open = true;
  entry.line = number;
  header = core::trim(header);
  if (header.empty() || header.back() != ':') {
    entry.skip = true;
    diagnostics.add("npm.malformed-record", fmt::format("{}:{}", path, number),
                    "yarn entry header does not end in ':'");
    return;
  }
  header.remove_suffix(1);
  for (const auto piece : core::split(header, ',')) {
    const std::string_view spec = unquote(piece);
    const auto name = registryName(spec);
    if (!name) {
      entry.skip = true;  // a local, linked or git dependency: not a registry release
      return;
    }
    if (entry.name.empty()) entry.name = std::string(*name);
    entry.keys.emplace_back(spec);
  }
  if (entry.name.empty() || !npm::validPackageName(entry.name)) {
    entry.skip = true;
    diagnostics.add("npm.malformed-record", fmt::format("{}:{}", path, number),
                    fmt::format("'{}' names no npm package", core::printable(header)));
  }
}

void parseClassic(std::string_view content, std::string_view path, YarnGraph& out,
                  core::Diagnostics& diagnostics) {
  ClassicEntry entry;
  core::forEachLine(content, [&](std::string_view line, std::size_t number) {
    if (core::trim(line).empty() || line.front() == '#') return;
    const std::size_t indent = line.find_first_not_of(' ');
    if (indent == 0) {
      finishClassic(entry, path, out, diagnostics);
      startClassic(line, number, entry, path, diagnostics);
      return;
    }
    if (!entry.open || entry.skip) return;
    const std::string_view body = line.substr(indent);
    if (indent <= 2) {
      entry.in_dependencies = body == "dependencies:" || body == "optionalDependencies:" ||
                              body == "\"dependencies\":" || body == "\"optionalDependencies\":";
      if (body.starts_with("version ") || body.starts_with("\"version\" ")) {
        entry.version = std::string(unquote(body.substr(body.find(' ') + 1)));
      }
      return;
    }
    if (entry.in_dependencies) {
      std::string_view dep = body;
      std::string_view range;
      if (dep.starts_with('"')) {
        const auto close = dep.find('"', 1);
        if (close == std::string_view::npos) {
          dep = {};
        } else {
          range = dep.substr(close + 1);
          dep = dep.substr(1, close - 1);
        }
      } else {
        const auto space = dep.find(' ');
        range = space == std::string_view::npos ? std::string_view{} : dep.substr(space);
        dep = dep.substr(0, space);
      }
      if (!dep.empty()) {
        entry.depends.emplace_back(dep);
        entry.dependency_specs.push_back(fmt::format("{}@{}", dep, unquote(range)));
      }
    }
  });
  finishClassic(entry, path, out, diagnostics);
}

std::string scalar(const YAML::Node& node, const char* key) {
  const YAML::Node value = node[key];
  if (!value || !value.IsScalar()) return {};
  return value.Scalar();
}

void parseBerry(std::string_view content, std::string_view path, YarnGraph& out,
                core::Diagnostics& diagnostics) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(content));
  } catch (const std::exception& error) {  // syntax errors, yaml-cpp's depth guard
    diagnostics.add("npm.malformed", std::string(path),
                    fmt::format("not valid YAML: {}", core::printable(error.what())));
    return;
  }
  if (!root.IsMap()) {
    diagnostics.add("npm.malformed", std::string(path), "the yarn.lock document is not a map");
    return;
  }
  for (const auto& item : root) {
    if (!item.first.IsScalar() || item.first.Scalar() == "__metadata") continue;
    const std::string& key = item.first.Scalar();
    const YAML::Node& entry = item.second;
    if (!entry.IsMap()) {
      diagnostics.add("npm.malformed-record", std::string(path),
                      fmt::format("yarn entry '{}' is not a map", core::printable(key)));
      continue;
    }
    std::string resolution = scalar(entry, "resolution");
    if (resolution.empty()) resolution = std::string(unquote(core::split(key, ',').front()));
    const auto split = npm::splitNameVersion(resolution);
    if (!split || protocolOf(split->version) != "npm") continue;  // workspace, patch, git, ...
    const std::string version = scalar(entry, "version");
    if (version.empty() || !npm::validPackageName(split->name)) {
      diagnostics.add(
          "npm.malformed-record", std::string(path),
          fmt::format("yarn entry '{}' without a usable name and version", core::printable(key)));
      continue;
    }
    model::Package package;
    package.name = std::string(split->name);
    package.version = version;
    std::vector<std::string> specs;
    for (const char* field : {"dependencies", "optionalDependencies"}) {
      const YAML::Node deps = entry[field];
      if (!deps || !deps.IsMap()) continue;
      for (const auto& dep : deps) {
        if (!dep.first.IsScalar()) continue;
        package.depends.push_back(dep.first.Scalar());
        const std::string range = dep.second.IsScalar() ? dep.second.Scalar() : std::string();
        specs.push_back(dep.first.Scalar() + "@" + range);
      }
    }
    std::vector<std::string> keys;
    for (const auto piece : core::split(key, ',')) keys.emplace_back(unquote(piece));
    out.add(std::move(package), std::move(keys), std::move(specs));
  }
}

bool isBerry(std::string_view content) {
  bool berry = false;
  core::forEachLine(content, [&](std::string_view line, std::size_t /*number*/) {
    if (line.starts_with("__metadata:")) berry = true;
  });
  return berry;
}

// The package a "name@range" spec resolves to: the entry listing that key (berry writes
// registry ranges as "name@npm:range"), else the only package of that name; nullopt otherwise.
class SpecIndex {
 public:
  explicit SpecIndex(const YarnGraph& graph) {
    for (std::size_t i = 0; i < graph.packages.size(); ++i) {
      for (const auto& key : graph.keys[i]) by_key_.emplace(key, i);
      const auto [it, inserted] = by_name_.emplace(graph.packages[i].name, i);
      if (!inserted && it->second != kAmbiguous &&
          graph.packages[it->second].version != graph.packages[i].version) {
        it->second = kAmbiguous;
      }
    }
  }

  [[nodiscard]] std::optional<std::size_t> resolve(std::string_view name,
                                                   std::string_view range) const {
    for (const auto& key :
         {fmt::format("{}@{}", name, range), fmt::format("{}@npm:{}", name, range)}) {
      if (const auto found = by_key_.find(key); found != by_key_.end()) return found->second;
    }
    if (const auto found = by_name_.find(name);
        found != by_name_.end() && found->second != kAmbiguous) {
      return found->second;
    }
    return std::nullopt;
  }

  [[nodiscard]] std::optional<std::size_t> resolve(std::string_view spec) const {
    const auto split = npm::splitNameVersion(spec);
    if (!split) return std::nullopt;
    return resolve(split->name, split->version);
  }

 private:
  static constexpr std::size_t kAmbiguous = static_cast<std::size_t>(-1);
  std::map<std::string, std::size_t, std::less<>> by_key_;
  std::map<std::string, std::size_t, std::less<>> by_name_;
};

// Walks the lockfile's graph from the dependencies package.json declares and adds the project
// itself (when it has a name and a version) as the Root package.
void applyManifest(YarnGraph& graph, const npm::ProjectManifest& manifest) {
  const SpecIndex index(graph);
  npm::DependencyGraph walk;
  walk.children.resize(graph.packages.size());
  for (std::size_t i = 0; i < graph.packages.size(); ++i) {
    for (const auto& spec : graph.dependency_specs[i]) {
      if (const auto child = index.resolve(spec)) walk.children[i].push_back(*child);
    }
  }
  for (const auto& [name, range] : manifest.production) {
    if (const auto root = index.resolve(name, range)) walk.production_roots.push_back(*root);
  }
  for (const auto& [name, range] : manifest.development) {
    if (const auto root = index.resolve(name, range)) walk.development_roots.push_back(*root);
  }
  npm::classifyPackages(walk, graph.packages);
  if (manifest.name.empty() || manifest.version.empty() || !npm::validPackageName(manifest.name)) {
    return;
  }
  model::Package project;
  project.name = manifest.name;
  project.version = manifest.version;
  project.relationship = model::Relationship::Root;
  for (const auto& dependencies : {manifest.production, manifest.development}) {
    for (const auto& dependency : dependencies) project.depends.push_back(dependency.first);
  }
  graph.packages.push_back(std::move(project));
}

}  // namespace

std::vector<model::Package> parseYarnLock(std::string_view content, std::string_view path,
                                          core::Diagnostics& diagnostics) {
  return parseYarnLock(content, path, diagnostics, {}, {});
}

std::vector<model::Package> parseYarnLock(std::string_view content, std::string_view path,
                                          core::Diagnostics& diagnostics,
                                          std::string_view package_json,
                                          std::string_view package_json_path) {
  YarnGraph graph;
  if (content.size() > npm::kMaxFileBytes) {
    diagnostics.add(
        "npm.too-large", std::string(path),
        fmt::format("{} bytes, more than the {} read", content.size(), npm::kMaxFileBytes));
    return {};
  }
  if (isBerry(content)) {
    if (!npm::nestingWithinLimit(content)) {
      diagnostics.add("npm.malformed", std::string(path), "YAML nested too deeply");
      return {};
    }
    parseBerry(content, path, graph, diagnostics);
  } else {
    parseClassic(content, path, graph, diagnostics);
  }
  if (!package_json.empty()) {
    const auto manifest = npm::readProjectManifest(package_json, package_json_path, diagnostics);
    if (manifest) applyManifest(graph, *manifest);
  }
  return npm::finishPackages(std::move(graph.packages), path);
}

}  // namespace bulwark::catalog
