// Pieces the npm, yarn and pnpm parsers share: JSON loading with limits, license fields, name
// checks, "name@version" splitting and the final clean-up of a parsed list.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/diagnostic.h"
#include "model/package.h"

namespace bulwark::catalog::npm {

// Larger manifests or lockfiles are reported and skipped; deeper nesting is refused before a
// parser (or our own walk of v1 lockfiles) could recurse through it.
inline constexpr std::size_t kMaxFileBytes = std::size_t{64} << 20;
inline constexpr int kMaxDepth = 200;

// Parses `content` as JSON; nullopt (and an "npm.malformed" diagnostic) when it is too large,
// too deep or not JSON.
std::optional<nlohmann::json> loadJson(std::string_view content, std::string_view path,
                                       core::Diagnostics& diagnostics);
// Whether brackets of `content` nest at most kMaxDepth deep (quoted strings skipped).
bool nestingWithinLimit(std::string_view content);

// "license": "MIT" | {"type": "MIT"} | ["MIT", {"type": "MIT"}]; "licenses": [...] when
// "license" says nothing. Empty and non-string entries are left out.
std::vector<std::string> licensesOf(const nlohmann::json& manifest);

// npm's rules for a package name, loosely: optional "@scope/", then one path segment of
// URL-safe characters, not starting with '.' or '_'.
bool validPackageName(std::string_view name);

// "@scope/name@1.0.0" → {"@scope/name", "1.0.0"}: splits at the last '@' that is not the first
// character. nullopt when there is none.
struct NameVersion {
  std::string_view name;
  std::string_view version;
};
std::optional<NameVersion> splitNameVersion(std::string_view spec);

// The package name after the last "node_modules/" of a lockfile path
// ("node_modules/a/node_modules/@s/b" → "@s/b"); empty when the path has none.
std::string_view nameFromNodeModulesPath(std::string_view path);

// What a project's own package.json declares: its name and version, and the dependencies it
// names (name → range as written), production (dependencies, optionalDependencies) apart from
// development (devDependencies).
struct ProjectManifest {
  std::string name;
  std::string version;
  std::vector<std::pair<std::string, std::string>> production;
  std::vector<std::pair<std::string, std::string>> development;
};
// nullopt (and a diagnostic) when `content` is not a JSON object.
std::optional<ProjectManifest> readProjectManifest(std::string_view content, std::string_view path,
                                                   core::Diagnostics& diagnostics);

// A lockfile's dependency graph over a parsed package list (indexes into it) and the project's
// declared dependencies, where the walk starts.
struct DependencyGraph {
  std::vector<std::vector<std::size_t>> children;  // one entry per package
  std::vector<std::size_t> production_roots;
  std::vector<std::size_t> development_roots;
};
// Marks what the roots reach: roots are Direct and what they reach Indirect; a package that
// only development roots reach is development, one production roots reach is not. Packages no
// root reaches keep their flags. Each package is visited once per walk.
void classifyPackages(const DependencyGraph& graph, std::vector<model::Package>& packages);

// JSON with trailing commas (bun.lock, tsconfig-style JSONC) → strict JSON: drops every ','
// that only whitespace separates from the next '}' or ']', outside strings.
std::string withoutTrailingCommas(std::string_view content);

// Sets type and location path, removes duplicate (name, version) records (a package is
// development only when every copy is; the closest relationship wins), sorts depends, and
// orders the list.
std::vector<model::Package> finishPackages(std::vector<model::Package> packages,
                                           std::string_view path);

}  // namespace bulwark::catalog::npm
