#include "catalog/npm/npm_common.h"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"

namespace bulwark::catalog::npm {

bool nestingWithinLimit(std::string_view content) {
  return core::jsonNestingWithin(content, kMaxDepth);
}

std::optional<nlohmann::json> loadJson(std::string_view content, std::string_view path,
                                       core::Diagnostics& diagnostics) {
  if (content.size() > kMaxFileBytes) {
    diagnostics.add("npm.too-large", std::string(path),
                    fmt::format("{} bytes, more than the {} read", content.size(), kMaxFileBytes));
    return std::nullopt;
  }
  if (!nestingWithinLimit(content)) {
    diagnostics.add("npm.malformed", std::string(path),
                    fmt::format("JSON nested deeper than {} levels", kMaxDepth));
    return std::nullopt;
  }
  nlohmann::json root = nlohmann::json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    diagnostics.add("npm.malformed", std::string(path), "not valid JSON");
    return std::nullopt;
  }
  if (!root.is_object()) {
    diagnostics.add("npm.malformed", std::string(path), "the document is not a JSON object");
    return std::nullopt;
  }
  return root;
}

namespace {

void addLicense(const nlohmann::json& value, std::vector<std::string>& out) {
  const nlohmann::json* text = &value;
  if (value.is_object()) {
    const auto type = value.find("type");
    if (type == value.end()) return;
    text = &*type;
  }
  if (!text->is_string()) return;
  const auto& name = text->get_ref<const std::string&>();
  if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
}

void addLicenses(const nlohmann::json& value, std::vector<std::string>& out) {
  if (value.is_array()) {
    for (const auto& item : value) addLicense(item, out);
  } else {
    addLicense(value, out);
  }
}

}  // namespace

std::vector<std::string> licensesOf(const nlohmann::json& manifest) {
  std::vector<std::string> out;
  if (!manifest.is_object()) return out;
  if (const auto license = manifest.find("license"); license != manifest.end()) {
    addLicenses(*license, out);
  }
  if (out.empty()) {
    if (const auto licenses = manifest.find("licenses"); licenses != manifest.end()) {
      addLicenses(*licenses, out);
    }
  }
  return out;
}

namespace {

bool validSegment(std::string_view segment) {
  if (segment.empty() || segment.size() > 214) return false;
  if (segment.front() == '.' || segment.front() == '_') return false;
  return std::all_of(segment.begin(), segment.end(), [](char c) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || c == '-' || c == '.' || c == '_' || c == '~' || c == '!' || c == '*' ||
           c == '\'' || c == '(' || c == ')';
  });
}

}  // namespace

bool validPackageName(std::string_view name) {
  if (name.size() > 214) return false;
  if (!name.empty() && name.front() == '@') {
    const auto slash = name.find('/');
    if (slash == std::string_view::npos) return false;
    return validSegment(name.substr(1, slash - 1)) && validSegment(name.substr(slash + 1));
  }
  return validSegment(name);
}

std::optional<NameVersion> splitNameVersion(std::string_view spec) {
  if (spec.size() < 2) return std::nullopt;
  const auto at = spec.find('@', 1);
  if (at == std::string_view::npos) return std::nullopt;
  return NameVersion{spec.substr(0, at), spec.substr(at + 1)};
}

std::string_view nameFromNodeModulesPath(std::string_view path) {
  static constexpr std::string_view kDir = "node_modules/";
  std::size_t start = std::string_view::npos;
  for (std::size_t at = path.find(kDir); at != std::string_view::npos;
       at = path.find(kDir, at + 1)) {
    if (at == 0 || path[at - 1] == '/') start = at + kDir.size();
  }
  if (start == std::string_view::npos) return {};
  return path.substr(start);
}

namespace {

void addRanges(const nlohmann::json& manifest, const char* field,
               std::vector<std::pair<std::string, std::string>>& out) {
  const auto it = manifest.find(field);
  if (it == manifest.end() || !it->is_object()) return;
  for (const auto& item : it->items()) {
    if (item.value().is_string()) out.emplace_back(item.key(), item.value().get<std::string>());
  }
}

std::string textField(const nlohmann::json& manifest, const char* field) {
  const auto it = manifest.find(field);
  return it != manifest.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Unknown < Indirect < Direct < Root: the closer relation wins when copies merge.
int closeness(model::Relationship relationship) {
  switch (relationship) {
    case model::Relationship::Root: return 3;
    case model::Relationship::Direct: return 2;
    case model::Relationship::Indirect: return 1;
    case model::Relationship::Unknown: break;
  }
  return 0;
}

// Indexes of the packages `roots` reach, roots included.
std::vector<bool> reach(const DependencyGraph& graph, const std::vector<std::size_t>& roots,
                        std::size_t count) {
  std::vector<bool> seen(count, false);
  std::vector<std::size_t> stack;
  for (const std::size_t root : roots) {
    if (root < count && !seen[root]) {
      seen[root] = true;
      stack.push_back(root);
    }
  }
  while (!stack.empty()) {
    const std::size_t at = stack.back();
    stack.pop_back();
    if (at >= graph.children.size()) continue;
    for (const std::size_t child : graph.children[at]) {
      if (child < count && !seen[child]) {
        seen[child] = true;
        stack.push_back(child);
      }
    }
  }
  return seen;
}

}  // namespace

std::optional<ProjectManifest> readProjectManifest(std::string_view content, std::string_view path,
                                                   core::Diagnostics& diagnostics) {
  const auto root = loadJson(content, path, diagnostics);
  if (!root) return std::nullopt;
  ProjectManifest manifest;
  manifest.name = textField(*root, "name");
  manifest.version = textField(*root, "version");
  addRanges(*root, "dependencies", manifest.production);
  addRanges(*root, "optionalDependencies", manifest.production);
  addRanges(*root, "devDependencies", manifest.development);
  return manifest;
}

void classifyPackages(const DependencyGraph& graph, std::vector<model::Package>& packages) {
  const std::size_t count = packages.size();
  const auto production = reach(graph, graph.production_roots, count);
  const auto development = reach(graph, graph.development_roots, count);
  for (std::size_t i = 0; i < count; ++i) {
    if (!production[i] && !development[i]) continue;
    packages[i].development = !production[i];
    packages[i].relationship = model::Relationship::Indirect;
  }
  for (const auto& roots : {graph.production_roots, graph.development_roots}) {
    for (const std::size_t root : roots) {
      if (root < count) packages[root].relationship = model::Relationship::Direct;
    }
  }
}

std::string withoutTrailingCommas(std::string_view content) {
  std::string out;
  out.reserve(content.size());
  bool in_string = false;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < content.size()) {
        out.push_back(content[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == ',') {
      const std::size_t next = content.find_first_not_of(" \t\r\n", i + 1);
      if (next != std::string_view::npos && (content[next] == '}' || content[next] == ']')) {
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

std::vector<model::Package> finishPackages(std::vector<model::Package> packages,
                                           std::string_view path) {
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  std::vector<model::Package> out;
  out.reserve(packages.size());
  for (auto& package : packages) {
    package.type = model::PackageType::Npm;
    package.location.path = std::string(path);
    std::sort(package.depends.begin(), package.depends.end());
    package.depends.erase(std::unique(package.depends.begin(), package.depends.end()),
                          package.depends.end());
    const auto [it, inserted] = index.try_emplace({package.name, package.version}, out.size());
    if (inserted) {
      out.push_back(std::move(package));
      continue;
    }
    auto& kept = out[it->second];
    kept.development = kept.development && package.development;
    if (closeness(package.relationship) > closeness(kept.relationship)) {
      kept.relationship = package.relationship;
    }
    if (kept.licenses.empty()) kept.licenses = std::move(package.licenses);
    for (auto& dep : package.depends) {
      if (std::find(kept.depends.begin(), kept.depends.end(), dep) == kept.depends.end()) {
        kept.depends.push_back(std::move(dep));
      }
    }
    std::sort(kept.depends.begin(), kept.depends.end());
  }
  std::sort(out.begin(), out.end(), model::packageLess);
  return out;
}

}  // namespace bulwark::catalog::npm
