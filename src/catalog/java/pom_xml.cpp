// pom.xml of a project directory: the simple, offline part of Trivy's pom parser (see the header).
#include <map>
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

struct Managed {
  std::string version;
  std::string scope;
};

}  // namespace

std::vector<model::Package> parsePomXml(std::string_view content, std::string_view path,
                                        core::Diagnostics& diagnostics) {
  std::vector<model::Package> packages;
  pugi::xml_document document;
  const pugi::xml_parse_result parsed = document.load_buffer(
      content.data(), content.size(), pugi::parse_default, pugi::encoding_auto);
  if (!parsed) {
    diagnostics.add(
        "java.malformed-pom", std::string(path),
        fmt::format("not well-formed XML at byte {}: {}", parsed.offset, parsed.description()));
    return packages;
  }
  const pugi::xml_node project = document.child("project");
  if (!project) {
    diagnostics.add("java.malformed-pom", std::string(path), "no <project> element");
    return packages;
  }
  const pugi::xml_node parent = project.child("parent");
  std::string group = textOf(project, "groupId");
  if (group.empty()) group = textOf(parent, "groupId");
  const std::string artifact = textOf(project, "artifactId");
  std::string version = textOf(project, "version");
  if (version.empty()) version = textOf(parent, "version");

  Properties properties;
  for (const pugi::xml_node property : project.child("properties").children()) {
    if (property.type() != pugi::node_element) continue;
    properties.insert_or_assign(property.name(),
                                std::string(core::trim(property.text().as_string())));
  }
  const std::pair<const char*, std::string> builtins[] = {
      {"project.groupId", group},
      {"project.artifactId", artifact},
      {"project.version", version},
      {"pom.groupId", group},
      {"pom.artifactId", artifact},
      {"pom.version", version},
      {"project.parent.groupId", textOf(parent, "groupId")},
      {"project.parent.artifactId", textOf(parent, "artifactId")},
      {"project.parent.version", textOf(parent, "version")},
      {"parent.version", textOf(parent, "version")},
  };
  for (const auto& [name, value] : builtins) properties.insert_or_assign(name, value);

  std::string unresolved;
  model::Package root;
  root.type = model::PackageType::Maven;
  root.name = fmt::format("{}:{}", evaluate(group, properties, 0, unresolved),
                          evaluate(artifact, properties, 0, unresolved));
  root.version = evaluate(version, properties, 0, unresolved);
  root.location.path = std::string(path);
  if (!unresolved.empty()) {
    diagnostics.add("java.unresolved-property", std::string(path),
                    fmt::format("${{{}}} is not defined in this pom.xml (parents are not read)",
                                core::printable(unresolved)));
  }

  // This pom's own <dependencyManagement> (parents and imported BOMs are not read).
  std::map<std::string, Managed, std::less<>> managed;
  for (const pugi::xml_node dep :
       project.child("dependencyManagement").child("dependencies").children("dependency")) {
    std::string ignored;
    const std::string name =
        fmt::format("{}:{}", evaluate(textOf(dep, "groupId"), properties, 0, ignored),
                    evaluate(textOf(dep, "artifactId"), properties, 0, ignored));
    managed.try_emplace(name, Managed{evaluate(textOf(dep, "version"), properties, 0, ignored),
                                      evaluate(textOf(dep, "scope"), properties, 0, ignored)});
  }

  std::size_t count = 0;
  std::set<std::string, std::less<>> seen;
  for (const pugi::xml_node dep : project.child("dependencies").children("dependency")) {
    if (++count > kMaxDependencies) {
      diagnostics.add(
          "java.malformed-pom", std::string(path),
          fmt::format("more than {} dependencies; the rest is not read", kMaxDependencies));
      break;
    }
    std::string missing;
    const std::string dep_group = evaluate(textOf(dep, "groupId"), properties, 0, missing);
    const std::string dep_artifact = evaluate(textOf(dep, "artifactId"), properties, 0, missing);
    if (dep_group.empty() || dep_artifact.empty()) {
      diagnostics.add("java.malformed-pom", std::string(path),
                      "a dependency without groupId or artifactId");
      continue;
    }
    const std::string name = fmt::format("{}:{}", dep_group, dep_artifact);
    if (!seen.insert(name).second) continue;  // the first declaration wins
    std::string dep_version = evaluate(textOf(dep, "version"), properties, 0, missing);
    std::string scope = evaluate(textOf(dep, "scope"), properties, 0, missing);
    const auto management = managed.find(name);
    if (management != managed.end()) {
      if (dep_version.empty()) dep_version = management->second.version;
      if (scope.empty()) scope = management->second.scope;
    }
    const std::string optional = evaluate(textOf(dep, "optional"), properties, 0, missing);
    if ((!scope.empty() && scope != "compile" && scope != "runtime") || optional == "true") {
      continue;
    }
    if (!missing.empty()) {
      diagnostics.add("java.unresolved-property", fmt::format("{}:{}", path, name),
                      fmt::format("${{{}}} is not defined in this pom.xml (parents are not read)",
                                  core::printable(missing)));
    }
    model::Package package;
    package.type = model::PackageType::Maven;
    package.name = name;
    package.version = std::move(dep_version);
    package.location.path = std::string(path);
    root.depends.push_back(name);
    packages.push_back(std::move(package));
  }
  packages.insert(packages.begin(), std::move(root));
  return packages;
}

}  // namespace bulwark::catalog
