// Python: installed distributions (core metadata in site-packages/dist-packages: *.dist-info/
// METADATA, *.egg-info/PKG-INFO, *.egg-info files, unpacked *.egg directories; zipped .egg files
// anywhere) and the lockfiles of a project directory (requirements.txt pins, Pipfile.lock,
// poetry.lock, uv.lock, pdm.lock, pylock.toml; pyproject.toml beside poetry.lock or pylock.toml).
//
// Names stay as the metadata or lockfile writes them ("Flask", "python-gitlab"); matching
// normalises them (PEP 503) itself. Each parse function is pure over bytes: `where` names the
// file in diagnostics, and bad records become diagnostics (kinds "python.*"), never a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

// Installed distributions in site-packages and dist-packages (images and root filesystems).
std::unique_ptr<Cataloger> makePythonCataloger();
// Lockfiles of a project directory: requirements.txt, Pipfile.lock, poetry.lock, uv.lock,
// pdm.lock, pylock.toml / pylock.<name>.toml (by file name anywhere below the root); the
// pyproject.toml beside a poetry.lock or pylock.toml refines them (applyPyProjectTo*).
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

// pylock.toml (PEP 751, lock-version 1.x): every [[packages]] entry with a name and a version
// (directory and VCS entries without a version are skipped; pip's project entry, a directory
// package, is the root). A package whose `marker` is only "'<group>' in dependency_groups"
// terms for groups outside `default-groups` (and not "main"/"default") is a development
// dependency; `dependencies` give `depends`.
std::vector<model::Package> parsePylock(std::string_view content, std::string_view where,
                                        core::Diagnostics& diagnostics);
// pylock.toml or pylock.<identifier>.toml (the identifier without dots), PEP 751's names.
bool isPylockName(std::string_view path) noexcept;

// pyproject.toml as Trivy reads it beside poetry.lock and pylock.toml. Alone it lists nothing
// (its requirements are ranges, not pins), as in Trivy.
struct PyProject {
  // PEP 503-normalized names. `main`: [project] dependencies plus every optional-dependencies
  // extra when [project] has either, else [tool.poetry.dependencies] ("python" left out).
  std::set<std::string, std::less<>> main;
  // `main` plus every [tool.poetry.group.<name>.dependencies].
  std::set<std::string, std::less<>> direct;
  // [project] dynamic = ["dependencies", ...]: the build backend computes them.
  bool dynamic = false;
};
// nullopt (and a diagnostic) when the file is not TOML; bad entries are diagnostics.
std::optional<PyProject> parsePyProject(std::string_view content, std::string_view where,
                                        core::Diagnostics& diagnostics);
// poetry.lock beside a pyproject.toml (Trivy's rules): packages declared in `direct` are Direct,
// the rest Indirect; packages not reachable from `main` through `depends` are development
// (unless `main` is empty or dynamic: the lock's own categories stand then).
void applyPyProjectToPoetry(std::vector<model::Package>& packages, const PyProject& project);
// pylock.toml beside a pyproject.toml: Direct when in `main`, else Indirect (the root stays).
void applyPyProjectToPylock(std::vector<model::Package>& packages, const PyProject& project);

// Files above this size are not parsed as JSON/TOML lockfiles (a diagnostic says so).
inline constexpr std::size_t kMaxPythonLockfileBytes = std::size_t{64} << 20U;

// ---- .egg files (egg.cpp): zip archives whose EGG-INFO/PKG-INFO member is the distribution's
// core metadata. Images stream their layers once, so an egg is reduced while its layer passes
// (the "python-egg" image::Extractor) to a summary: records of one kind byte, a 4-byte
// little-endian length and that many bytes — 'P' the PKG-INFO content (its first
// kMaxPythonEggMetadataBytes), 'D' "<diagnostic kind>\n<detail>". Bounds: eggs over
// kMaxPythonEggFileBytes are skipped, at most kMaxPythonEggEntries members are looked at, and a
// PKG-INFO that inflates beyond kMaxPythonEggMetadataBytes (a zip bomb) is cut there with a
// "python.egg-limit" diagnostic.
inline constexpr std::string_view kPythonEggExtractor = "python-egg";
inline constexpr std::uint64_t kMaxPythonEggFileBytes = 256ULL << 20U;
inline constexpr std::uint64_t kMaxPythonEggEntries = 100'000;
inline constexpr std::size_t kMaxPythonEggMetadataBytes = std::size_t{1} << 20U;

// Whether `path` ends in ".egg" (Trivy's test: the extension, anywhere in the tree).
bool isPythonEggName(std::string_view path) noexcept;
// The Extractor's `wants`: an egg of at most kMaxPythonEggFileBytes.
bool wantsPythonEgg(std::string_view path, std::uint32_t mode, std::uint64_t size) noexcept;
// The Extractor's `extract` (never throws; "" for an egg without metadata).
std::string summarizePythonEgg(std::string_view path, std::string_view content);
// The package a summary describes (parsePythonMetadata over its PKG-INFO) and its diagnostics.
std::vector<model::Package> parsePythonEggSummary(std::string_view summary, std::string_view path,
                                                  core::Diagnostics& diagnostics);
// summarize + parse, for callers that hold the whole egg (tests, fuzzing).
std::vector<model::Package> parsePythonEgg(std::string_view content, std::string_view path,
                                           core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
