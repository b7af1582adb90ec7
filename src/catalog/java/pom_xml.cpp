// pom.xml of a project directory: the offline part of Trivy's pom parser (see the header) — the
// project, its direct dependencies, and the parent POMs found in the same tree.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "catalog/java/java_archive_cataloger.h"
#include "core/text.h"

namespace bulwark::catalog {

namespace {

constexpr int kMaxPropertyDepth = 16;
constexpr std::size_t kMaxPropertyValueBytes = 4U << 10;
constexpr std::size_t kMaxDependencies = 100'000;

using Properties = std::map<std::string, std::string, std::less<>>;

std::string textOf(const pugi::xml_node& node, const char* child) {
  return std::string(core::trim(node.child(child).text().as_string()));
}

// ${name} references replaced by their property values (recursively, bounded); an unknown one
// becomes "" as in Trivy. `unresolved` collects the names not found.
std::string evaluate(std::string_view text, const Properties& properties, int depth,
                     std::string& unresolved) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto open = text.find("${", at);
    if (open == std::string_view::npos) break;
    const auto close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(at, open - at));
    const std::string_view name = text.substr(open + 2, close - open - 2);
    const auto found = properties.find(name);
    if (found == properties.end() || depth >= kMaxPropertyDepth) {
      if (unresolved.empty()) unresolved = std::string(name);
    } else {
      out.append(evaluate(found->second, properties, depth + 1, unresolved));
    }
    if (out.size() > kMaxPropertyValueBytes) out.resize(kMaxPropertyValueBytes);
    at = close + 1;
  }
  out.append(text.substr(std::min(at, text.size())));
  if (out.size() > kMaxPropertyValueBytes) out.resize(kMaxPropertyValueBytes);
  return std::string(core::trim(out));
}

// One <dependency>, its texts as written (properties not yet replaced).
struct RawDependency {
  std::string group, artifact, version, scope, optional;
};

// What one pom.xml says, before inheritance.
struct RawPom {
  std::string group, artifact, version;
  bool has_parent = false;
  std::string parent_group, parent_artifact, parent_version;
  // <relativePath> as written; `relative_path_given` with an empty one means "no local parent".
  std::string relative_path;
  bool relative_path_given = false;
  Properties properties;
  std::vector<RawDependency> managed;
  std::vector<RawDependency> dependencies;
};

RawDependency readDependency(const pugi::xml_node& dep) {
  return {textOf(dep, "groupId"), textOf(dep, "artifactId"), textOf(dep, "version"),
          textOf(dep, "scope"), textOf(dep, "optional")};
}

std::optional<RawPom> readPom(std::string_view content, std::string_view path,
                              core::Diagnostics& diagnostics) {
  pugi::xml_document document;
  const pugi::xml_parse_result parsed = document.load_buffer(
      content.data(), content.size(), pugi::parse_default, pugi::encoding_auto);
  if (!parsed) {
    diagnostics.add(
        "java.malformed-pom", std::string(path),
        fmt::format("not well-formed XML at byte {}: {}", parsed.offset, parsed.description()));
    return std::nullopt;
  }
  const pugi::xml_node project = document.child("project");
  if (!project) {
    diagnostics.add("java.malformed-pom", std::string(path), "no <project> element");
    return std::nullopt;
  }
  RawPom pom;
  pom.group = textOf(project, "groupId");
  pom.artifact = textOf(project, "artifactId");
  pom.version = textOf(project, "version");
  if (const pugi::xml_node parent = project.child("parent")) {
    pom.has_parent = true;
    pom.parent_group = textOf(parent, "groupId");
    pom.parent_artifact = textOf(parent, "artifactId");
    pom.parent_version = textOf(parent, "version");
    if (const pugi::xml_node relative = parent.child("relativePath")) {
      pom.relative_path_given = true;
      pom.relative_path = std::string(core::trim(relative.text().as_string()));
    }
  }
  for (const pugi::xml_node property : project.child("properties").children()) {
    if (property.type() != pugi::node_element) continue;
    pom.properties.insert_or_assign(property.name(),
                                    std::string(core::trim(property.text().as_string())));
  }
  std::size_t count = 0;
  bool capped = false;
  for (const pugi::xml_node dep :
       project.child("dependencyManagement").child("dependencies").children("dependency")) {
    if (++count > kMaxDependencies) {
      capped = true;
      break;
    }
    pom.managed.push_back(readDependency(dep));
  }
  for (const pugi::xml_node dep : project.child("dependencies").children("dependency")) {
    if (++count > kMaxDependencies) {
      capped = true;
      break;
    }
    pom.dependencies.push_back(readDependency(dep));
  }
  if (capped) {
    diagnostics.add(
        "java.malformed-pom", std::string(path),
        fmt::format("more than {} dependencies; the rest is not read", kMaxDependencies));
  }
  return pom;
}

// "a/b/../c/./pom.xml" → "a/c/pom.xml"; nullopt when ".." leaves the root.
std::optional<std::string> normalizeRelative(std::string_view path) {
  std::vector<std::string_view> parts;
  for (const auto part : core::split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const auto part : parts) {
    if (!out.empty()) out.push_back('/');
    out.append(part);
  }
  return out;
}

// Where Maven looks for `pom`'s parent first: <relativePath> (default "../pom.xml") from the
// directory of `path`; a directory means its pom.xml.
std::optional<std::string> parentPath(const RawPom& pom, std::string_view path) {
  if (pom.relative_path_given && pom.relative_path.empty()) return std::nullopt;
  std::string relative = pom.relative_path_given ? pom.relative_path : "../pom.xml";
  if (relative.starts_with('/')) return std::nullopt;  // outside the scanned tree
  if (!relative.ends_with(".xml")) {
    while (relative.ends_with('/')) relative.pop_back();
    relative += "/pom.xml";
  }
  const auto slash = path.rfind('/');
  const std::string directory =
      slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash + 1));
  return normalizeRelative(directory + relative);
}

// The parent chain of `child` (at `path`): [child, parent, grandparent, ...], as far as the
// tree holds it, at most kMaxPomParentDepth parents, never a file twice.
std::vector<RawPom> parentChain(RawPom child, std::string_view path, const PomLoader& load,
                                core::Diagnostics& diagnostics) {
  std::vector<RawPom> chain;
  chain.push_back(std::move(child));
  if (!load) return chain;
  std::set<std::string, std::less<>> visited = {std::string(path)};
  std::string current_path(path);
  while (chain.back().has_parent) {
    const RawPom& current = chain.back();
    const std::string wanted = fmt::format("{}:{}:{}", current.parent_group,
                                           current.parent_artifact, current.parent_version);
    if (chain.size() > static_cast<std::size_t>(kMaxPomParentDepth)) {
      diagnostics.add("java.parent-depth", std::string(path),
                      fmt::format("more than {} parent POMs; {} and above are not read",
                                  kMaxPomParentDepth, core::printable(wanted)));
      break;
    }
    const auto candidate = parentPath(current, current_path);
    const std::string* content = nullptr;
    if (candidate && !visited.contains(*candidate)) content = load(*candidate);
    if (content == nullptr) {
      diagnostics.add("java.parent-not-found", std::string(path),
                      fmt::format("parent {} is not in the scanned tree (parents are not fetched "
                                  "from repositories)",
                                  core::printable(wanted)));
      break;
    }
    auto parent = readPom(*content, *candidate, diagnostics);
    if (!parent) break;
    // Maven takes the file at relativePath only when it is the parent named (its groupId may
    // itself be inherited).
    const std::string& parent_group = parent->group.empty() ? parent->parent_group : parent->group;
    if (parent_group != current.parent_group || parent->artifact != current.parent_artifact) {
      diagnostics.add(
          "java.parent-not-found", std::string(path),
          fmt::format("parent {} is not in the scanned tree ({} is {}:{})", core::printable(wanted),
                      core::printable(*candidate), core::printable(parent_group),
                      core::printable(parent->artifact)));
      break;
    }
    visited.insert(*candidate);
    current_path = *candidate;
    chain.push_back(std::move(*parent));
  }
  return chain;
}

struct Managed {
  std::string version;
  std::string scope;
};

}  // namespace

std::vector<model::Package> parsePomXmlWithParents(std::string_view content, std::string_view path,
                                                   const PomLoader& load,
                                                   core::Diagnostics& diagnostics) {
  std::vector<model::Package> packages;
  auto own = readPom(content, path, diagnostics);
  if (!own) return packages;
  const std::vector<RawPom> chain = parentChain(std::move(*own), path, load, diagnostics);
  const RawPom& pom = chain.front();
  const bool has_parents = chain.size() > 1;

  // groupId and version inherit from <parent>; properties from every ancestor, the nearest
  // winning; the project.* names are this project's.
  // A missing groupId or version is the nearest ancestor's (interpolated here, as Maven
  // interpolates the inherited model), else what <parent> names.
  std::string group = pom.group;
  std::string version = pom.version;
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (group.empty()) group = chain[i].group;
    if (version.empty()) version = chain[i].version;
  }
  if (group.empty()) group = pom.parent_group;
  if (version.empty()) version = pom.parent_version;
  const std::string& artifact = pom.artifact;
  Properties properties;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (const auto& [name, value] : it->properties) properties.insert_or_assign(name, value);
  }
  const std::pair<const char*, std::string> builtins[] = {
      {"project.groupId", group},
      {"project.artifactId", artifact},
      {"project.version", version},
      {"pom.groupId", group},
      {"pom.artifactId", artifact},
      {"pom.version", version},
      {"project.parent.groupId", pom.parent_group},
      {"project.parent.artifactId", pom.parent_artifact},
      {"project.parent.version", pom.parent_version},
      {"parent.version", pom.parent_version},
  };
  for (const auto& [name, value] : builtins) properties.insert_or_assign(name, value);
  const std::string_view scope_note =
      has_parents ? "in this pom.xml or its parents" : "in this pom.xml (no parent POM read)";

  std::string unresolved;
  model::Package root;
  root.type = model::PackageType::Maven;
  root.name = fmt::format("{}:{}", evaluate(group, properties, 0, unresolved),
                          evaluate(artifact, properties, 0, unresolved));
  root.version = evaluate(version, properties, 0, unresolved);
  root.location.path = std::string(path);
  root.relationship = model::Relationship::Root;
  if (!unresolved.empty()) {
    diagnostics.add(
        "java.unresolved-property", std::string(path),
        fmt::format("${{{}}} is not defined {}", core::printable(unresolved), scope_note));
  }

  // <dependencyManagement> of this pom, then of its parents (the nearest declaration wins).
  // Imported BOMs are not read.
  std::map<std::string, Managed, std::less<>> managed;
  for (const RawPom& level : chain) {
    for (const RawDependency& dep : level.managed) {
      std::string ignored;
      const std::string name = fmt::format("{}:{}", evaluate(dep.group, properties, 0, ignored),
                                           evaluate(dep.artifact, properties, 0, ignored));
      managed.try_emplace(name, Managed{evaluate(dep.version, properties, 0, ignored),
                                        evaluate(dep.scope, properties, 0, ignored)});
    }
  }

  // <dependencies> of this pom, then those it inherits (the first declaration of a module wins).
  std::set<std::string, std::less<>> seen;
  for (const RawPom& level : chain) {
    for (const RawDependency& dep : level.dependencies) {
      std::string missing;
      const std::string dep_group = evaluate(dep.group, properties, 0, missing);
      const std::string dep_artifact = evaluate(dep.artifact, properties, 0, missing);
      if (dep_group.empty() || dep_artifact.empty()) {
        diagnostics.add("java.malformed-pom", std::string(path),
                        "a dependency without groupId or artifactId");
        continue;
      }
      const std::string name = fmt::format("{}:{}", dep_group, dep_artifact);
      if (!seen.insert(name).second) continue;
      std::string dep_version = evaluate(dep.version, properties, 0, missing);
      std::string scope = evaluate(dep.scope, properties, 0, missing);
      const auto management = managed.find(name);
      if (management != managed.end()) {
        if (dep_version.empty()) dep_version = management->second.version;
        if (scope.empty()) scope = management->second.scope;
      }
      const std::string optional = evaluate(dep.optional, properties, 0, missing);
      if ((!scope.empty() && scope != "compile" && scope != "runtime") || optional == "true") {
        continue;
      }
      if (!missing.empty()) {
        diagnostics.add(
            "java.unresolved-property", fmt::format("{}:{}", path, name),
            fmt::format("${{{}}} is not defined {}", core::printable(missing), scope_note));
      }
      model::Package package;
      package.type = model::PackageType::Maven;
      package.name = name;
      package.version = std::move(dep_version);
      package.location.path = std::string(path);
      package.relationship = model::Relationship::Direct;
      root.depends.push_back(name);
      packages.push_back(std::move(package));
    }
  }
  packages.insert(packages.begin(), std::move(root));
  return packages;
}

std::vector<model::Package> parsePomXml(std::string_view content, std::string_view path,
                                        core::Diagnostics& diagnostics) {
  return parsePomXmlWithParents(content, path, PomLoader(), diagnostics);
}

void catalogPomFiles(const image::FsView& fs, std::string_view pattern,
                     std::vector<model::Package>& packages, core::Diagnostics& diagnostics) {
  const PomLoader load = [&fs](std::string_view candidate) -> const std::string* {
    const image::FileEntry* entry = fs.find(candidate);
    if (entry == nullptr || entry->type != image::FileType::Regular) return nullptr;
    return &entry->content;
  };
  for (const auto& [path, entry] : fs.glob(pattern)) {
    for (auto& package : parsePomXmlWithParents(entry->content, path, load, diagnostics)) {
      package.location.layer_digest = entry->layer_digest;
      packages.push_back(std::move(package));
    }
  }
}

}  // namespace bulwark::catalog
