// pnpm-lock.yaml. The "packages" map is keyed by what pnpm installed:
//   v5: "/name/1.0.0", "/@scope/name/1.0.0_peer@2.0.0+other@1.0.0"
//   v6: "/name@1.0.0", "/@scope/name@1.0.0(peer@2.0.0)"
//   v9: "name@1.0.0" (peer variants live in "snapshots": "name@1.0.0(peer@2.0.0)")
// Tarball and git dependencies carry their own "name" and "version" fields; local folders and
// files ("file:", "link:") are the project's own code and are left out. v5/v6 mark development
// packages with "dev: true"; v9 does not, so a v9 package is development when only the
// importers' devDependencies reach it through the snapshot graph. What the project declares
// (the top-level dependency maps of v5/v6, the "importers" of workspaces and v9) is Direct,
// every other package Indirect.
#include <yaml-cpp/yaml.h>

#include <deque>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "catalog/npm/npm_cataloger.h"
#include "catalog/npm/npm_common.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

std::string scalar(const YAML::Node& node, const char* key) {
  if (!node.IsMap()) return {};
  const YAML::Node value = node[key];
  if (!value || !value.IsScalar()) return {};
  return value.Scalar();
}

// "1.0.0(peer@2)(other@3)" → "1.0.0".
std::string_view withoutPeers(std::string_view text) { return text.substr(0, text.find('(')); }

bool localSpec(std::string_view text) {
  return text.starts_with("file:") || text.starts_with("link:") || text.starts_with("workspace:") ||
         text.find("@file:") != std::string_view::npos ||
         text.find("@link:") != std::string_view::npos;
}

// The (name, version) a v5 key names: "/@scope/name/1.0.0_peer" → ("@scope/name", "1.0.0").
std::optional<npm::NameVersion> splitV5Key(std::string_view key) {
  key.remove_prefix(1);
  std::size_t slash = key.find('/');
  if (!key.empty() && key.front() == '@' && slash != std::string_view::npos) {
    slash = key.find('/', slash + 1);
  }
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view version = key.substr(slash + 1);
  version = version.substr(0, version.find('_'));
  version = withoutPeers(version);
  if (version.empty()) return std::nullopt;
  return npm::NameVersion{key.substr(0, slash), version};
}

// The (name, version) of a "packages" key; nullopt for keys that name no registry release.
std::optional<npm::NameVersion> splitKey(std::string_view key, int major) {
  if (major < 6 && key.starts_with('/')) return splitV5Key(key);
  if (key.starts_with('/')) key.remove_prefix(1);
  const auto split = npm::splitNameVersion(withoutPeers(key));
  if (!split || split->version.empty() || split->version.find(':') != std::string_view::npos) {
    return std::nullopt;
  }
  return split;
}

void addDependencyNames(const YAML::Node& entry, std::vector<std::string>& out) {
  for (const char* field : {"dependencies", "optionalDependencies"}) {
    const YAML::Node deps = entry[field];
    if (!deps || !deps.IsMap()) continue;
    for (const auto& dep : deps) {
      if (dep.first.IsScalar()) out.push_back(dep.first.Scalar());
    }
  }
}

// Snapshot ids ("name@version(peers)") an importer or snapshot entry depends on.
void childIds(const YAML::Node& node, std::initializer_list<const char*> fields,
              std::vector<std::string>& out) {
  for (const char* field : fields) {
    const YAML::Node deps = node[field];
    if (!deps || !deps.IsMap()) continue;
    for (const auto& dep : deps) {
      if (!dep.first.IsScalar()) continue;
      std::string version =
          dep.second.IsScalar() ? dep.second.Scalar() : scalar(dep.second, "version");
      if (version.empty() || localSpec(version)) continue;
      // An alias resolves to "real-name@1.0.0"; otherwise the key is the dependency's name.
      const auto alias = npm::splitNameVersion(withoutPeers(version));
      out.push_back(alias && npm::validPackageName(alias->name)
                        ? version
                        : dep.first.Scalar() + "@" + version);
    }
  }
}

// v9's snapshot graph, indexed once (yaml-cpp looks map keys up linearly).
struct SnapshotGraph {
  std::map<std::string, std::vector<std::string>, std::less<>> children;  // id → child ids
  std::map<std::string, std::vector<std::string>, std::less<>> names;     // "name@1.0.0" → deps
};

SnapshotGraph indexSnapshots(const YAML::Node& snapshots) {
  SnapshotGraph graph;
  if (!snapshots || !snapshots.IsMap()) return graph;
  for (const auto& snapshot : snapshots) {
    if (!snapshot.first.IsScalar() || !snapshot.second.IsMap()) continue;
    const std::string& id = snapshot.first.Scalar();
    childIds(snapshot.second, {"dependencies", "optionalDependencies"}, graph.children[id]);
    addDependencyNames(snapshot.second, graph.names[std::string(withoutPeers(id))]);
  }
  return graph;
}

// The packages (as "name@version", peers dropped) reachable from `roots`; each snapshot is
// visited once.
std::set<std::string, std::less<>> reachable(const SnapshotGraph& graph,
                                             std::vector<std::string> roots) {
  std::set<std::string, std::less<>> seen_ids;
  std::set<std::string, std::less<>> packages;
  std::deque<std::string> queue(roots.begin(), roots.end());
  while (!queue.empty()) {
    std::string id = std::move(queue.front());
    queue.pop_front();
    if (!seen_ids.insert(id).second) continue;
    packages.insert(std::string(withoutPeers(id)));
    const auto found = graph.children.find(id);
    if (found == graph.children.end()) continue;
    for (const auto& child : found->second) {
      if (!seen_ids.contains(child)) queue.push_back(child);
    }
  }
  return packages;
}

// "name@version" of every package the project (or a workspace member) declares, peers
// dropped; nullopt when the lockfile has no declarations at all.
std::optional<std::set<std::string, std::less<>>> directIds(const YAML::Node& document, int major) {
  std::vector<std::string> ids;
  bool declared = false;
  const auto collect = [&](const YAML::Node& node) {
    if (!node.IsMap()) return;
    for (const char* field : {"dependencies", "optionalDependencies", "devDependencies"}) {
      if (node[field]) declared = true;
    }
    childIds(node, {"dependencies", "optionalDependencies", "devDependencies"}, ids);
  };
  collect(document);
  if (const YAML::Node importers = document["importers"]; importers && importers.IsMap()) {
    for (const auto& importer : importers) collect(importer.second);
  }
  if (!declared) return std::nullopt;
  std::set<std::string, std::less<>> out;
  for (const auto& id : ids) {
    std::string_view plain = withoutPeers(id);
    if (major < 6) {
      const auto at = plain.find('@', 1);
      if (at != std::string_view::npos) plain = plain.substr(0, plain.find('_', at));
    }
    out.emplace(plain);
  }
  return out;
}

int majorVersion(const YAML::Node& document) {
  const std::string text = scalar(document, "lockfileVersion");
  int major = 0;
  for (const char c : text) {
    if (c < '0' || c > '9' || major > 1000) break;
    major = major * 10 + (c - '0');
  }
  return major;
}

void parseDocument(const YAML::Node& document, std::string_view path,
                   std::vector<model::Package>& out, core::Diagnostics& diagnostics) {
  const int major = majorVersion(document);
  const YAML::Node packages = document["packages"];
  if (!packages) return;
  if (!packages.IsMap()) {
    diagnostics.add("npm.malformed", std::string(path), "\"packages\" is not a map");
    return;
  }
  const auto direct = directIds(document, major);
  SnapshotGraph graph;
  std::set<std::string, std::less<>> production;
  std::set<std::string, std::less<>> development;
  if (major >= 9) {
    graph = indexSnapshots(document["snapshots"]);
    std::vector<std::string> prod_roots;
    std::vector<std::string> dev_roots;
    if (const YAML::Node importers = document["importers"]; importers && importers.IsMap()) {
      for (const auto& importer : importers) {
        if (!importer.second.IsMap()) continue;
        childIds(importer.second, {"dependencies", "optionalDependencies"}, prod_roots);
        childIds(importer.second, {"devDependencies"}, dev_roots);
      }
    }
    production = reachable(graph, std::move(prod_roots));
    development = reachable(graph, std::move(dev_roots));
  }
  for (const auto& item : packages) {
    if (!item.first.IsScalar()) continue;
    const std::string& key = item.first.Scalar();
    const YAML::Node& entry = item.second;
    if (!entry.IsMap()) {
      diagnostics.add("npm.malformed-record", std::string(path),
                      fmt::format("pnpm package '{}' is not a map", core::printable(key)));
      continue;
    }
    if (localSpec(key)) continue;
    if (const YAML::Node resolution = entry["resolution"];
        resolution && resolution.IsMap() && resolution["directory"]) {
      continue;  // a local folder
    }
    std::string name = scalar(entry, "name");
    std::string version = scalar(entry, "version");
    if (name.empty() || version.empty()) {
      const auto split = splitKey(key, major);
      if (!split) {
        // v9 tarball keys ("name@https://...") carry only "version".
        const auto loose = npm::splitNameVersion(key);
        if (loose && !version.empty()) {
          name = std::string(loose->name);
        } else {
          diagnostics.add(
              "npm.malformed-record", std::string(path),
              fmt::format("pnpm package key '{}' names no package version", core::printable(key)));
          continue;
        }
      } else {
        if (name.empty()) name = std::string(split->name);
        if (version.empty()) version = std::string(split->version);
      }
    }
    if (!npm::validPackageName(name)) {
      diagnostics.add("npm.malformed-record", std::string(path),
                      fmt::format("'{}' is not a valid npm package name", core::printable(name)));
      continue;
    }
    model::Package package;
    package.name = name;
    package.version = version;
    if (direct) {
      package.relationship = direct->contains(fmt::format("{}@{}", name, version))
                                 ? model::Relationship::Direct
                                 : model::Relationship::Indirect;
    }
    if (major >= 9) {
      const std::string id = std::string(withoutPeers(key));
      package.development = !production.contains(id) && development.contains(id);
      if (const auto deps = graph.names.find(id); deps != graph.names.end()) {
        package.depends = deps->second;
      }
    } else {
      package.development = scalar(entry, "dev") == "true";
      addDependencyNames(entry, package.depends);
    }
    out.push_back(std::move(package));
  }
}

}  // namespace

std::vector<model::Package> parsePnpmLock(std::string_view content, std::string_view path,
                                          core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  if (content.size() > npm::kMaxFileBytes) {
    diagnostics.add(
        "npm.too-large", std::string(path),
        fmt::format("{} bytes, more than the {} read", content.size(), npm::kMaxFileBytes));
    return out;
  }
  if (!npm::nestingWithinLimit(content)) {
    diagnostics.add("npm.malformed", std::string(path), "YAML nested too deeply");
    return out;
  }
  // Documents are split here and loaded one by one: yaml-cpp 0.7's LoadAll can loop forever
  // on a malformed directive ("%:"), found by the fuzzer.
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  core::forEachLine(content, [&](std::string_view line, std::size_t /*number*/) {
    const auto offset = static_cast<std::size_t>(line.data() - content.data());
    if (line == "---" || line.starts_with("--- ")) {
      pieces.push_back(content.substr(start, offset - start));
      start = offset;
    }
  });
  pieces.push_back(content.substr(start));
  // pnpm 9 may put the package manager's own lockfile first; the project's is the last
  // document with a lockfileVersion.
  YAML::Node last;
  const YAML::Node* project = nullptr;
  for (const auto piece : pieces) {
    try {
      YAML::Node document = YAML::Load(std::string(piece));
      if (document.IsMap() && document["lockfileVersion"]) {
        last = document;
        project = &last;
      }
    } catch (const std::exception& error) {  // syntax errors, yaml-cpp's depth guard
      diagnostics.add("npm.malformed", std::string(path),
                      fmt::format("not valid YAML: {}", core::printable(error.what())));
      return out;
    }
  }
  if (project == nullptr) {
    diagnostics.add("npm.malformed", std::string(path), "no document with a lockfileVersion");
    return out;
  }
  try {
    parseDocument(*project, path, out, diagnostics);
  } catch (const std::exception& error) {  // yaml-cpp throws on some node conversions
    diagnostics.add("npm.malformed", std::string(path),
                    fmt::format("unexpected YAML shape: {}", core::printable(error.what())));
  }
  return npm::finishPackages(std::move(out), path);
}

}  // namespace bulwark::catalog
