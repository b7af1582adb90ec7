// bun.lock, Bun 1.2's text lockfile: JSON that allows trailing commas.
//
//   {"lockfileVersion": 1,
//    "workspaces": {"": {"name": "app", "dependencies": {"a": "^1"}, "devDependencies": {...},
//                        "optionalDependencies": {...}, "peerDependencies": {...}},
//                   "packages/util": {"name": "@app/util", "version": "1.0.0", ...}},
//    "packages": {"a": ["a@1.2.0", "", {"dependencies": {"b": "^2"}}, "sha512-..."],
//                 "a/b": ["b@2.0.0", ...],                  <- installed under a's folder
//                 "@app/util": ["@app/util@workspace:packages/util"]}}
//
// A "packages" key is the install path (package names joined by '/'), the first array element
// the "name@version" installed there, and the first object after it the package's own
// dependencies. Workspace members, the root, git checkouts, tarballs and local folders
// (versions with a "protocol:") are not registry releases and are left out. Development and
// relationships come from a walk of the dependency graph from the workspaces' declarations.
#include <map>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "catalog/npm/npm_cataloger.h"
#include "catalog/npm/npm_common.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

using Json = nlohmann::json;

// One "packages" entry before the walk; entries that are not releases stay in the graph so
// that what they depend on is still reached.
struct BunEntry {
  std::string key;
  model::Package package;
  bool release = false;
  std::vector<std::string> dependencies;  // names, resolved from `key` upwards
};

void addNames(const Json& meta, const char* field, std::vector<std::string>& out) {
  const auto it = meta.find(field);
  if (it == meta.end() || !it->is_object()) return;
  for (const auto& item : it->items()) out.push_back(item.key());
}

// "@s/a/b/@t/c" → {"@s/a", "b", "@t/c"}.
std::vector<std::string_view> keyComponents(std::string_view key) {
  std::vector<std::string_view> out;
  const auto pieces = core::split(key, '/');
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (pieces[i].starts_with('@') && i + 1 < pieces.size()) {
      const auto* begin = pieces[i].data();
      const auto* end = pieces[i + 1].data() + pieces[i + 1].size();
      out.emplace_back(begin, static_cast<std::size_t>(end - begin));
      ++i;
    } else {
      out.push_back(pieces[i]);
    }
  }
  return out;
}

// Node's lookup: the dependency `name` of the package at `key` is the closest
// "<ancestor>/<name>" entry, else the top-level "<name>".
std::optional<std::size_t> resolveFrom(const std::map<std::string, std::size_t, std::less<>>& keys,
                                       std::string_view key, std::string_view name) {
  const auto components = keyComponents(key);
  for (std::size_t depth = components.size(); depth > 0; --depth) {
    const std::string_view prefix =
        key.substr(0, static_cast<std::size_t>(components[depth - 1].data() +
                                               components[depth - 1].size() - key.data()));
    if (const auto found = keys.find(fmt::format("{}/{}", prefix, name)); found != keys.end()) {
      return found->second;
    }
  }
  if (const auto found = keys.find(name); found != keys.end()) return found->second;
  return std::nullopt;
}

std::optional<BunEntry> readEntry(const std::string& key, const Json& value, std::string_view path,
                                  core::Diagnostics& diagnostics) {
  if (!value.is_array() || value.empty() || !value.front().is_string()) {
    diagnostics.add(
        "npm.malformed-record", std::string(path),
        fmt::format("bun package '{}' is not [\"name@version\", ...]", core::printable(key)));
    return std::nullopt;
  }
  const auto& ident = value.front().get_ref<const std::string&>();
  const auto split = npm::splitNameVersion(ident);
  if (!split || split->version.empty() || !npm::validPackageName(split->name)) {
    diagnostics.add("npm.malformed-record", std::string(path),
                    fmt::format("bun package '{}' names no package version ('{}')",
                                core::printable(key), core::printable(ident)));
    return std::nullopt;
  }
  BunEntry entry;
  entry.key = key;
  entry.package.name = std::string(split->name);
  entry.package.version = std::string(split->version);
  entry.release = entry.package.version.find(':') == std::string::npos;
  for (std::size_t i = 1; i < value.size(); ++i) {
    if (!value[i].is_object()) continue;
    addNames(value[i], "dependencies", entry.package.depends);
    addNames(value[i], "optionalDependencies", entry.package.depends);
    entry.dependencies = entry.package.depends;
    addNames(value[i], "peerDependencies", entry.dependencies);
    break;
  }
  return entry;
}

void addRoots(const Json& workspace, std::string_view workspace_name,
              const std::map<std::string, std::size_t, std::less<>>& keys,
              std::initializer_list<const char*> fields, std::vector<std::size_t>& roots) {
  for (const char* field : fields) {
    const auto it = workspace.find(field);
    if (it == workspace.end() || !it->is_object()) continue;
    for (const auto& item : it->items()) {
      std::optional<std::size_t> found;
      if (!workspace_name.empty()) {
        if (const auto own = keys.find(fmt::format("{}/{}", workspace_name, item.key()));
            own != keys.end()) {
          found = own->second;
        }
      }
      if (!found) {
        if (const auto top = keys.find(item.key()); top != keys.end()) found = top->second;
      }
      if (found) roots.push_back(*found);
    }
  }
}

}  // namespace

std::vector<model::Package> parseBunLock(std::string_view content, std::string_view path,
                                         core::Diagnostics& diagnostics) {
  if (content.size() > npm::kMaxFileBytes) {
    diagnostics.add(
        "npm.too-large", std::string(path),
        fmt::format("{} bytes, more than the {} read", content.size(), npm::kMaxFileBytes));
    return {};
  }
  const auto root = npm::loadJson(npm::withoutTrailingCommas(content), path, diagnostics);
  if (!root) return {};
  const auto packages = root->find("packages");
  if (packages == root->end()) return {};
  if (!packages->is_object()) {
    diagnostics.add("npm.malformed", std::string(path), "\"packages\" is not an object");
    return {};
  }
  std::vector<BunEntry> entries;
  std::map<std::string, std::size_t, std::less<>> keys;
  for (const auto& item : packages->items()) {
    auto entry = readEntry(item.key(), item.value(), path, diagnostics);
    if (!entry) continue;
    keys.emplace(entry->key, entries.size());
    entries.push_back(std::move(*entry));
  }

  npm::DependencyGraph graph;
  graph.children.resize(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    for (const auto& name : entries[i].dependencies) {
      if (const auto child = resolveFrom(keys, entries[i].key, name)) {
        graph.children[i].push_back(*child);
      }
    }
  }
  if (const auto workspaces = root->find("workspaces");
      workspaces != root->end() && workspaces->is_object()) {
    for (const auto& item : workspaces->items()) {
      const Json& workspace = item.value();
      if (!workspace.is_object()) continue;
      std::string name;
      if (const auto it = workspace.find("name"); it != workspace.end() && it->is_string()) {
        name = it->get<std::string>();
      }
      addRoots(workspace, item.key().empty() ? std::string_view{} : std::string_view(name), keys,
               {"dependencies", "optionalDependencies", "peerDependencies"},
               graph.production_roots);
      addRoots(workspace, item.key().empty() ? std::string_view{} : std::string_view(name), keys,
               {"devDependencies"}, graph.development_roots);
    }
  }
  std::vector<model::Package> all;
  all.reserve(entries.size());
  for (auto& entry : entries) all.push_back(std::move(entry.package));
  npm::classifyPackages(graph, all);

  std::vector<model::Package> out;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (entries[i].release) out.push_back(std::move(all[i]));
  }
  return npm::finishPackages(std::move(out), path);
}

}  // namespace bulwark::catalog
