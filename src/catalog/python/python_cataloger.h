// Python: installed distributions (core metadata in site-packages/dist-packages: *.dist-info/
// METADATA, *.egg-info/PKG-INFO, *.egg-info files) and the lockfiles of a project directory
// (requirements.txt pins, Pipfile.lock, poetry.lock, uv.lock, pdm.lock).
//
// Names stay as the metadata or lockfile writes them ("Flask", "python-gitlab"); matching
// normalises them (PEP 503) itself. Each parse function is pure over bytes: `where` names the
// file in diagnostics, and bad records become diagnostics (kinds "python.*"), never a crash.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

// Installed distributions in site-packages and dist-packages (images and root filesystems).
std::unique_ptr<Cataloger> makePythonCataloger();
// Lockfiles of a project directory: requirements.txt, Pipfile.lock, poetry.lock, uv.lock,
// pdm.lock (by exact file name anywhere below the root).
std::unique_ptr<Cataloger> makePythonLockfileCataloger();

// Core metadata (METADATA, PKG-INFO, a file-form *.egg-info): RFC 822-style headers up to the
// first blank line. Name, Version; licenses from License-Expression, else License, else the
// "License :: ..." classifiers; depends from Requires-Dist entries that no extra guards.
std::vector<model::Package> parsePythonMetadata(std::string_view content, std::string_view where,
                                                core::Diagnostics& diagnostics);

// requirements.txt: only exact pins ("name==version", extras, markers, hashes and comments
// allowed around them); option lines (-r, -e, --index-url, ...) and ranges are skipped.
// UTF-8 (with or without BOM) and UTF-16 with a BOM.
std::vector<model::Package> parseRequirements(std::string_view content, std::string_view where,
                                              core::Diagnostics& diagnostics);

// Pipfile.lock (JSON): "default" packages are runtime, "develop" packages development.
std::vector<model::Package> parsePipfileLock(std::string_view content, std::string_view where,
                                             core::Diagnostics& diagnostics);

// poetry.lock v1 (category = "dev") and v2 (groups without "main") mark development packages.
std::vector<model::Package> parsePoetryLock(std::string_view content, std::string_view where,
                                            core::Diagnostics& diagnostics);

// uv.lock: packages reachable from the root project (source virtual/editable ".") through
// dependencies and optional-dependencies are runtime; the rest (dev groups) development.
std::vector<model::Package> parseUvLock(std::string_view content, std::string_view where,
                                        core::Diagnostics& diagnostics);

// pdm.lock: every [[package]] with a name and version (groups are not classified).
std::vector<model::Package> parsePdmLock(std::string_view content, std::string_view where,
                                         core::Diagnostics& diagnostics);

// Files above this size are not parsed as JSON/TOML lockfiles (a diagnostic says so).
inline constexpr std::size_t kMaxPythonLockfileBytes = std::size_t{64} << 20U;

}  // namespace bulwark::catalog
