// pyproject.toml (PEP 621's [project] and Poetry's [tool.poetry]) read the way Trivy reads it
// beside a lockfile, and pylock.toml (PEP 751). Both through readToml (toml++).
#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "catalog/common/toml_document.h"
#include "catalog/python/python_cataloger.h"
#include "catalog/python/python_text.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

constexpr std::size_t kMaxDeclaredDependencies = 100'000;

std::string stringOf(const toml::table& table, std::string_view key) {
  if (const auto* value = table.get_as<std::string>(key)) return value->get();
  return {};
}

// A dependency list as PEP 621 ("Flask (>=1.0)", "pluggy[tox]==0.13") or Poetry (a table keyed
// by name, or in Poetry 2 the PEP 621 strings) writes it: the normalized names are added to
// `names`. Returns whether the list was there at all.
bool collectNames(const toml::node* node, std::set<std::string, std::less<>>& names,
                  std::string_view where, std::string_view what, core::Diagnostics& diagnostics) {
  if (node == nullptr) return false;
  if (const auto* table = node->as_table()) {
    for (const auto& [key, value] : *table) {
      if (names.size() >= kMaxDeclaredDependencies) break;
      names.insert(python::normalizeName(key.str()));
    }
    return true;
  }
  if (const auto* array = node->as_array()) {
    for (const auto& item : *array) {
      if (names.size() >= kMaxDeclaredDependencies) break;
      const auto* text = item.as_string();
      if (text == nullptr) {
        diagnostics.add("python.malformed-record", std::string(where),
                        fmt::format("pyproject.toml {}: an entry is not a string", what));
        continue;
      }
      const std::string_view name = python::leadingName(text->get());
      if (!name.empty()) names.insert(python::normalizeName(name));
    }
    return true;
  }
  diagnostics.add("python.malformed-record", std::string(where),
                  fmt::format("pyproject.toml {} is neither a table nor an array", what));
  return false;
}

// `marker` is only "'<group>' in dependency_groups" terms joined by "or" (what pip and uv
// write for a package only dependency groups need), none of them a default group.
bool onlyNonDefaultGroups(std::string_view marker,
                          const std::set<std::string, std::less<>>& default_groups) {
  bool any = false;
  std::size_t at = 0;
  while (at <= marker.size()) {
    auto next = marker.find(" or ", at);
    if (next == std::string_view::npos) next = marker.size();
    std::string_view term = core::trim(marker.substr(at, next - at));
    at = next + 4;
    if (term.size() < 2 || (term.front() != '\'' && term.front() != '"')) return false;
    const char quote = term.front();
    const auto close = term.find(quote, 1);
    if (close == std::string_view::npos) return false;
    const std::string_view group = term.substr(1, close - 1);
    if (core::trim(term.substr(close + 1)) != "in dependency_groups") return false;
    if (default_groups.count(python::normalizeName(group)) != 0 || group == "main" ||
        group == "default") {
      return false;
    }
    any = true;
  }
  return any;
}

}  // namespace

std::optional<PyProject> parsePyProject(std::string_view content, std::string_view where,
                                        core::Diagnostics& diagnostics) {
  const auto document = readToml(content, where, "python", kMaxPythonLockfileBytes, diagnostics);
  if (!document) return std::nullopt;
  PyProject project;
  // Trivy's MainDeps: [project] dependencies and every optional-dependencies extra when either
  // is there, else [tool.poetry.dependencies].
  bool pep621 = false;
  if (const auto* pep = document->get_as<toml::table>("project")) {
    pep621 = collectNames(pep->get("dependencies"), project.main, where, "project.dependencies",
                          diagnostics);
    if (const auto* node = pep->get("optional-dependencies")) {
      if (const auto* extras = node->as_table()) {
        pep621 = true;
        for (const auto& [extra, list] : *extras) {
          collectNames(&list, project.main, where, "project.optional-dependencies", diagnostics);
        }
      }
    }
    if (const auto* dynamic = pep->get_as<toml::array>("dynamic")) {
      for (const auto& item : *dynamic) {
        if (const auto* text = item.as_string(); text != nullptr && text->get() == "dependencies") {
          project.dynamic = true;
        }
      }
    }
  }
  const toml::table* poetry = nullptr;
  if (const auto* tool = document->get_as<toml::table>("tool")) {
    poetry = tool->get_as<toml::table>("poetry");
  }
  if (!pep621 && poetry != nullptr) {
    collectNames(poetry->get("dependencies"), project.main, where, "tool.poetry.dependencies",
                 diagnostics);
  }
  project.direct = project.main;
  if (poetry != nullptr) {
    if (const auto* groups = poetry->get_as<toml::table>("group")) {
      for (const auto& [group, node] : *groups) {
        if (const auto* table = node.as_table()) {
          collectNames(table->get("dependencies"), project.direct, where,
                       "tool.poetry.group.*.dependencies", diagnostics);
        }
      }
    }
  }
  // "python = '^3.9'" is Poetry's interpreter constraint, not a package.
  project.main.erase("python");
  project.direct.erase("python");
  return project;
}

void applyPyProjectToPoetry(std::vector<model::Package>& packages, const PyProject& project) {
  // Direct: declared in the main dependencies or a Poetry group. Runtime: reachable from a main
  // dependency. A pyproject that names no main dependency (dynamic ones, or none) tells nothing
  // about runtime, so the lock's own categories stand then.
  std::multimap<std::string, std::size_t, std::less<>> by_name;
  for (std::size_t i = 0; i < packages.size(); ++i) {
    by_name.emplace(python::normalizeName(packages[i].name), i);
  }
  std::vector<bool> runtime(packages.size(), false);
  std::deque<std::size_t> queue;
  for (std::size_t i = 0; i < packages.size(); ++i) {
    const std::string name = python::normalizeName(packages[i].name);
    packages[i].relationship = project.direct.count(name) != 0 ? model::Relationship::Direct
                                                               : model::Relationship::Indirect;
    if (project.main.count(name) != 0) {
      runtime[i] = true;
      queue.push_back(i);
    }
  }
  while (!queue.empty()) {
    const std::size_t current = queue.front();
    queue.pop_front();
    for (const auto& dependency : packages[current].depends) {
      const auto [first, last] = by_name.equal_range(python::normalizeName(dependency));
      for (auto it = first; it != last; ++it) {
        if (runtime[it->second]) continue;
        runtime[it->second] = true;
        queue.push_back(it->second);
      }
    }
  }
  if (project.main.empty() || project.dynamic) return;
  for (std::size_t i = 0; i < packages.size(); ++i) {
    if (!runtime[i]) packages[i].development = true;
  }
}

void applyPyProjectToPylock(std::vector<model::Package>& packages, const PyProject& project) {
  for (auto& package : packages) {
    if (package.relationship == model::Relationship::Root) continue;
    package.relationship = project.main.count(python::normalizeName(package.name)) != 0
                               ? model::Relationship::Direct
                               : model::Relationship::Indirect;
  }
}

bool isPylockName(std::string_view path) noexcept {
  const auto slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (base == "pylock.toml") return true;
  // PEP 751: pylock.<identifier>.toml, the identifier without dots.
  if (!base.starts_with("pylock.") || !base.ends_with(".toml")) return false;
  base.remove_prefix(7);
  base.remove_suffix(5);
  return !base.empty() && base.find('.') == std::string_view::npos &&
         base.find('/') == std::string_view::npos;
}

std::vector<model::Package> parsePylock(std::string_view content, std::string_view where,
                                        core::Diagnostics& diagnostics) {
  std::vector<model::Package> out;
  const auto document = readToml(content, where, "python", kMaxPythonLockfileBytes, diagnostics);
  if (!document) return out;
  const std::string lock_version = stringOf(*document, "lock-version");
  if (!lock_version.empty() && lock_version != "1" && !lock_version.starts_with("1.")) {
    // PEP 751: a tool must not read a lock-version whose major version it does not know.
    diagnostics.add("python.unsupported", std::string(where),
                    fmt::format("pylock.toml lock-version {} (only 1.x is read)",
                                core::printable(lock_version)));
    return out;
  }
  std::set<std::string, std::less<>> default_groups;
  if (const auto* groups = document->get_as<toml::array>("default-groups")) {
    for (const auto& group : *groups) {
      if (const auto* text = group.as_string()) {
        default_groups.insert(python::normalizeName(text->get()));
      }
    }
  }
  const auto* array = document->get_as<toml::array>("packages");
  if (array == nullptr) return out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& node : *array) {
    const auto* table = node.as_table();
    if (table == nullptr) {
      diagnostics.add("python.malformed-record", std::string(where),
                      "pylock.toml [[packages]] entry is not a table");
      continue;
    }
    std::string name = stringOf(*table, "name");
    std::string version = stringOf(*table, "version");
    bool root = false;
    if (const auto* directory = table->get_as<toml::table>("directory")) {
      // pip lists the project itself as a directory package (Trivy: the root).
      root = !stringOf(*directory, "path").empty();
    }
    if (name.empty()) {
      diagnostics.add("python.malformed-record", std::string(where),
                      "pylock.toml package without a name");
      continue;
    }
    // Directory and VCS packages may carry no version: nothing to match.
    if (version.empty()) {
      const bool sourced =
          table->contains("directory") || table->contains("vcs") || table->contains("archive");
      if (!sourced) {
        diagnostics.add(
            "python.malformed-record", std::string(where),
            fmt::format("pylock.toml package '{}' without a version", core::printable(name)));
      }
      continue;
    }
    // Several environments may lock the same package twice (with different markers).
    if (!seen.emplace(name, version).second) continue;
    model::Package package;
    package.type = model::PackageType::Python;
    package.name = std::move(name);
    package.version = std::move(version);
    package.location.path = std::string(where);
    if (root) package.relationship = model::Relationship::Root;
    package.development = onlyNonDefaultGroups(stringOf(*table, "marker"), default_groups);
    if (const auto* dependencies = table->get_as<toml::array>("dependencies")) {
      for (const auto& item : *dependencies) {
        if (const auto* dependency = item.as_table()) {
          const std::string dependency_name = stringOf(*dependency, "name");
          if (!dependency_name.empty() && std::find(package.depends.begin(), package.depends.end(),
                                                    dependency_name) == package.depends.end()) {
            package.depends.push_back(dependency_name);
          }
        }
      }
    }
    out.push_back(std::move(package));
  }
  return out;
}

}  // namespace bulwark::catalog
