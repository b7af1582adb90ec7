// The JSON and TOML lockfiles of Python projects: Pipfile.lock (pipenv), poetry.lock, uv.lock,
// pdm.lock. Parsed with nlohmann_json and toml++; a file that does not parse is one diagnostic.
#include <deque>
#include <exception>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "catalog/common/toml_document.h"
#include "catalog/python/python_cataloger.h"
#include "catalog/python/python_text.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

bool tooLarge(std::string_view content, std::string_view where, std::string_view format,
              core::Diagnostics& diagnostics) {
  if (content.size() <= kMaxPythonLockfileBytes) return false;
  diagnostics.add("python.too-large", std::string(where),
                  fmt::format("{} of {} bytes exceeds the {} byte limit; not parsed", format,
                              content.size(), kMaxPythonLockfileBytes));
  return true;
}

std::string stringOf(const toml::table& table, std::string_view key) {
  if (const auto* value = table.get_as<std::string>(key)) return value->get();
  return {};
}

model::Package makePackage(std::string name, std::string version, std::string_view where) {
  model::Package package;
  package.type = model::PackageType::Python;
  package.name = std::move(name);
  package.version = std::move(version);
  package.location.path = std::string(where);
  return package;
}

void addUnique(std::vector<std::string>& list, std::string_view value) {
  if (value.empty()) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.emplace_back(value);
}

// The [[package]] tables of a TOML lockfile; a non-table entry is a diagnostic.
std::vector<const toml::table*> packageTables(const toml::table& document, std::string_view where,
                                              std::string_view format,
                                              core::Diagnostics& diagnostics) {
  std::vector<const toml::table*> tables;
  const auto* array = document.get_as<toml::array>("package");
  if (array == nullptr) return tables;
  for (const auto& node : *array) {
    if (const auto* table = node.as_table()) {
      tables.push_back(table);
    } else {
      diagnostics.add("python.malformed-record", std::string(where),
                      fmt::format("{} [[package]] entry is not a table", format));
    }
  }
  return tables;
}

bool missingNameOrVersion(const std::string& name, const std::string& version,
                          std::string_view where, std::string_view format,
                          core::Diagnostics& diagnostics) {
  if (!name.empty() && !version.empty()) return false;
  diagnostics.add("python.malformed-record", std::string(where),
                  name.empty() ? fmt::format("{} package without a name", format)
                               : fmt::format("{} package '{}' without a version", format,
                                             core::printable(name)));
  return true;
}

// uv and pdm dependency arrays: [{ name = "x", ... }, ...] or ["x>=1", ...].
void collectDependencyNames(const toml::node* node, std::vector<std::string>& names) {
  const auto* array = node != nullptr ? node->as_array() : nullptr;
  if (array == nullptr) return;
  for (const auto& item : *array) {
    if (const auto* table = item.as_table()) {
      addUnique(names, stringOf(*table, "name"));
    } else if (const auto* text = item.as_string()) {
      addUnique(names, python::leadingName(text->get()));
    }
  }
}

}  // namespace

std::vector<model::Package> parsePipfileLock(std::string_view content, std::string_view where,
                                             core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  if (tooLarge(content, where, "Pipfile.lock", diagnostics)) return out;
  const auto document = nlohmann::json::parse(content.begin(), content.end(), nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    diagnostics.add("python.malformed", std::string(where), "Pipfile.lock is not a JSON object");
    return out;
  }
  std::set<std::pair<std::string, std::string>> runtime;
  for (const bool development : {false, true}) {
    const auto section = document.find(development ? "develop" : "default");
    if (section == document.end()) continue;
    if (!section->is_object()) {
      diagnostics.add(
          "python.malformed", std::string(where),
          fmt::format("Pipfile.lock \"{}\" is not an object", development ? "develop" : "default"));
      continue;
    }
    for (const auto& [name, entry] : section->items()) {
      if (!entry.is_object()) {
        diagnostics.add(
            "python.malformed-record", std::string(where),
            fmt::format("Pipfile.lock entry '{}' is not an object", core::printable(name)));
        continue;
      }
      const auto version_it = entry.find("version");
      // VCS, path and editable entries carry no version: nothing to match.
      if (version_it == entry.end() || !version_it->is_string()) continue;
      std::string_view version = version_it->get_ref<const std::string&>();
      while (version.starts_with('=')) version.remove_prefix(1);
      if (name.empty() || version.empty()) continue;
      if (development && runtime.count({name, std::string(version)}) != 0) continue;
      if (!development) runtime.emplace(name, std::string(version));
      auto package = makePackage(name, std::string(version), where);
      package.development = development;
      out.push_back(std::move(package));
    }
  }
  return out;
}

std::vector<model::Package> parsePoetryLock(std::string_view content, std::string_view where,
                                            core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  const auto document = readToml(content, where, "python", kMaxPythonLockfileBytes, diagnostics);
  if (!document) return out;
  for (const auto* table : packageTables(*document, where, "poetry.lock", diagnostics)) {
    std::string name = stringOf(*table, "name");
    std::string version = stringOf(*table, "version");
    if (missingNameOrVersion(name, version, where, "poetry.lock", diagnostics)) continue;
    auto package = makePackage(std::move(name), std::move(version), where);
    // Lock format 1.x: category = "main" | "dev". 2.1: groups = ["main", "dev", ...].
    bool development = stringOf(*table, "category") == "dev";
    if (const auto* groups = table->get_as<toml::array>("groups"); groups != nullptr) {
      bool main = groups->empty();
      for (const auto& group : *groups) {
        if (const auto* text = group.as_string(); text != nullptr && text->get() == "main") {
          main = true;
        }
      }
      development = development || !main;
    }
    package.development = development;
    if (const auto* dependencies = table->get_as<toml::table>("dependencies")) {
      for (const auto& [key, value] : *dependencies) addUnique(package.depends, key.str());
    }
    out.push_back(std::move(package));
  }
  return out;
}

std::vector<model::Package> parseUvLock(std::string_view content, std::string_view where,
                                        core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  const auto document = readToml(content, where, "python", kMaxPythonLockfileBytes, diagnostics);
  if (!document) return out;

  struct Entry {
    model::Package package;
    std::vector<std::string> runtime_edges;  // dependencies + optional-dependencies
    std::vector<std::string> dev_edges;      // dev-dependencies (roots only)
    bool root = false;
  };
  std::vector<Entry> entries;
  std::multimap<std::string, std::size_t, std::less<>> by_name;
  for (const auto* table : packageTables(*document, where, "uv.lock", diagnostics)) {
    std::string name = stringOf(*table, "name");
    std::string version = stringOf(*table, "version");
    Entry entry;
    if (const auto* source = table->get_as<toml::table>("source")) {
      // uv's own test for the project itself: source { virtual = "." } or { editable = "." }.
      entry.root = stringOf(*source, "virtual") == "." || stringOf(*source, "editable") == ".";
    }
    // A workspace member may have a dynamic version and then none in the lock.
    if (entry.root && !name.empty() && version.empty()) continue;
    if (missingNameOrVersion(name, version, where, "uv.lock", diagnostics)) continue;
    entry.package = makePackage(std::move(name), std::move(version), where);
    collectDependencyNames(table->get("dependencies"), entry.package.depends);
    entry.runtime_edges = entry.package.depends;
    if (const auto* optional = table->get_as<toml::table>("optional-dependencies")) {
      for (const auto& [extra, list] : *optional) {
        collectDependencyNames(&list, entry.runtime_edges);
        collectDependencyNames(&list, entry.package.depends);
      }
    }
    if (entry.root) {
      if (const auto* dev = table->get_as<toml::table>("dev-dependencies")) {
        for (const auto& [group, list] : *dev) collectDependencyNames(&list, entry.dev_edges);
      }
    }
    by_name.emplace(entry.package.name, entries.size());
    entries.push_back(std::move(entry));
  }

  // Runtime = reachable from a root without going through a dev group. Without a root nothing
  // tells development from runtime, so everything counts as runtime.
  std::vector<bool> reached(entries.size(), false);
  std::deque<std::size_t> queue;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].root) {
      reached[i] = true;
      queue.push_back(i);
    }
  }
  const bool any_root = !queue.empty();
  while (!queue.empty()) {
    const std::size_t current = queue.front();
    queue.pop_front();
    for (const auto& dependency : entries[current].runtime_edges) {
      const auto [first, last] = by_name.equal_range(dependency);
      for (auto it = first; it != last; ++it) {
        if (reached[it->second]) continue;
        reached[it->second] = true;
        queue.push_back(it->second);
      }
    }
  }
  // Relationships as Trivy's uv parser gives them: the roots, what a root declares (runtime,
  // optional or dev) direct, the rest indirect.
  std::set<std::string, std::less<>> direct;
  for (const auto& entry : entries) {
    if (!entry.root) continue;
    direct.insert(entry.runtime_edges.begin(), entry.runtime_edges.end());
    direct.insert(entry.dev_edges.begin(), entry.dev_edges.end());
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto& package = entries[i].package;
    package.development = any_root && !reached[i];
    if (any_root) {
      package.relationship = entries[i].root                   ? model::Relationship::Root
                             : direct.count(package.name) != 0 ? model::Relationship::Direct
                                                               : model::Relationship::Indirect;
    }
    out.push_back(std::move(package));
  }
  return out;
}

std::vector<model::Package> parsePdmLock(std::string_view content, std::string_view where,
                                         core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  const auto document = readToml(content, where, "python", kMaxPythonLockfileBytes, diagnostics);
  if (!document) return out;
  // pdm locks "coverage" and "coverage[toml]" as two entries of the same name and version.
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto* table : packageTables(*document, where, "pdm.lock", diagnostics)) {
    std::string name = stringOf(*table, "name");
    std::string version = stringOf(*table, "version");
    if (missingNameOrVersion(name, version, where, "pdm.lock", diagnostics)) continue;
    if (!seen.emplace(name, version).second) continue;
    auto package = makePackage(std::move(name), std::move(version), where);
    collectDependencyNames(table->get("dependencies"), package.depends);
    out.push_back(std::move(package));
  }
  return out;
}

}  // namespace bulwark::catalog
