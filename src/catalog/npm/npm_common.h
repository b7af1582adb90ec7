// Pieces the npm, yarn and pnpm parsers share: JSON loading with limits, license fields, name
// checks, "name@version" splitting and the final clean-up of a parsed list.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
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

// Sets type and location path, removes duplicate (name, version) records (a package is
// development only when every copy is), sorts depends, and orders the list.
std::vector<model::Package> finishPackages(std::vector<model::Package> packages,
                                           std::string_view path);

}  // namespace bulwark::catalog::npm
