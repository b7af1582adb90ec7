// JavaScript (npm registry) packages: what node_modules holds and what the lockfiles of npm,
// yarn and pnpm pin. Every parser takes the file's bytes and the path it is reported under, and
// turns bad records into diagnostics ("npm.malformed", "npm.malformed-record", ...).
//
// - installed: node_modules/<name>/package.json and node_modules/@scope/<name>/package.json
//   (name, version, license: "MIT" | {"type": "MIT"} | ["MIT", {"type": ...}] | legacy
//   "licenses": [{"type": ...}]);
// - package-lock.json: v1 (nested "dependencies"), v2/v3 ("packages" keyed by node_modules paths;
//   "link": true entries resolved to their workspace target);
// - yarn.lock: v1 (yarn's own format) and berry (YAML with __metadata; "name@npm:range" keys);
// - pnpm-lock.yaml: v5 ("/name/1.0.0_peer"), v6 ("/name@1.0.0(peer)"), v9 ("name@1.0.0", dev from
//   the importers' devDependencies through the snapshot graph);
// - bun.lock: Bun 1.2's text lockfile (JSON with trailing commas), dev from the workspaces'
//   devDependencies through the packages' dependencies.
//
// Relationships (model::Relationship) come from what the lockfile says about the project:
// package-lock v2/v3's root entry, pnpm's importers, bun's workspaces, and for yarn.lock the
// package.json beside it (which also gives yarn's development packages and the Root package).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

// node_modules/**/package.json (no lockfiles): the packages actually installed.
std::unique_ptr<Cataloger> makeNpmInstalledCataloger();
// package-lock.json, yarn.lock (with the package.json beside it), pnpm-lock.yaml, bun.lock
// outside node_modules.
std::unique_ptr<Cataloger> makeNpmLockfileCataloger();

// One package's own manifest; empty when it lacks a name or a version or is not a package's
// manifest (an invalid name). At most one package.
std::vector<model::Package> parseNpmPackageJson(std::string_view content, std::string_view path,
                                                core::Diagnostics& diagnostics);
std::vector<model::Package> parsePackageLock(std::string_view content, std::string_view path,
                                             core::Diagnostics& diagnostics);
std::vector<model::Package> parseYarnLock(std::string_view content, std::string_view path,
                                          core::Diagnostics& diagnostics);
// With the project's package.json (its bytes, and the path diagnostics name): development
// packages, relationships and the project itself as the Root package.
std::vector<model::Package> parseYarnLock(std::string_view content, std::string_view path,
                                          core::Diagnostics& diagnostics,
                                          std::string_view package_json,
                                          std::string_view package_json_path);
std::vector<model::Package> parseBunLock(std::string_view content, std::string_view path,
                                         core::Diagnostics& diagnostics);
std::vector<model::Package> parsePnpmLock(std::string_view content, std::string_view path,
                                          core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
