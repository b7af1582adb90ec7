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
#include <yaml-cpp/yaml.h>

#include <algorithm>

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

struct ClassicEntry {
  std::size_t line = 0;
  bool open = false;
  bool skip = false;
  bool in_dependencies = false;
  std::string name;
  std::string version;
  std::vector<std::string> depends;
};

void finishClassic(ClassicEntry& entry, std::string_view path, std::vector<model::Package>& out,
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
  out.push_back(std::move(package));
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
  }
  if (entry.name.empty() || !npm::validPackageName(entry.name)) {
    entry.skip = true;
    diagnostics.add("npm.malformed-record", fmt::format("{}:{}", path, number),
                    fmt::format("'{}' names no npm package", core::printable(header)));
  }
}

void parseClassic(std::string_view content, std::string_view path, std::vector<model::Package>& out,
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
      if (dep.starts_with('"')) {
        const auto close = dep.find('"', 1);
        dep = close == std::string_view::npos ? std::string_view{} : dep.substr(1, close - 1);
      } else {
        dep = dep.substr(0, dep.find(' '));
      }
      if (!dep.empty()) entry.depends.emplace_back(dep);
    }
  });
  finishClassic(entry, path, out, diagnostics);
}

std::string scalar(const YAML::Node& node, const char* key) {
  const YAML::Node value = node[key];
  if (!value || !value.IsScalar()) return {};
  return value.Scalar();
}

void parseBerry(std::string_view content, std::string_view path, std::vector<model::Package>& out,
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
    for (const char* field : {"dependencies", "optionalDependencies"}) {
      const YAML::Node deps = entry[field];
      if (!deps || !deps.IsMap()) continue;
      for (const auto& dep : deps) {
        if (dep.first.IsScalar()) package.depends.push_back(dep.first.Scalar());
      }
    }
    out.push_back(std::move(package));
  }
}

bool isBerry(std::string_view content) {
  bool berry = false;
  core::forEachLine(content, [&](std::string_view line, std::size_t /*number*/) {
    if (line.starts_with("__metadata:")) berry = true;
  });
  return berry;
}

}  // namespace

std::vector<model::Package> parseYarnLock(std::string_view content, std::string_view path,
                                          core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  if (content.size() > npm::kMaxFileBytes) {
    diagnostics.add(
        "npm.too-large", std::string(path),
        fmt::format("{} bytes, more than the {} read", content.size(), npm::kMaxFileBytes));
    return out;
  }
  if (isBerry(content)) {
    if (!npm::nestingWithinLimit(content)) {
      diagnostics.add("npm.malformed", std::string(path), "YAML nested too deeply");
      return out;
    }
    parseBerry(content, path, out, diagnostics);
  } else {
    parseClassic(content, path, out, diagnostics);
  }
  return npm::finishPackages(std::move(out), path);
}

}  // namespace bulwark::catalog
