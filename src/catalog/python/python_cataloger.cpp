#include "catalog/python/python_cataloger.h"

#include <array>
#include <string>

#include <fmt/format.h>

#include "core/text.h"

namespace bulwark::catalog {

namespace {

using ParseFn = std::vector<model::Package> (*)(std::string_view, std::string_view,
                                                core::Diagnostics&);

struct Source {
  std::string_view pattern;
  ParseFn parse;
};

void catalogSources(const image::FsView& fs, const Source* begin, const Source* end,
                    std::vector<model::Package>& packages, core::Diagnostics& diagnostics) {
  for (const Source* source = begin; source != end; ++source) {
    for (const auto& [path, entry] : fs.glob(source->pattern)) {
      for (auto& package : source->parse(entry->content, path, diagnostics)) {
        package.location = {entry->layer_digest, std::string(path)};
        packages.push_back(std::move(package));
      }
    }
  }
}

// Debian's python3 packages install to dist-packages, pip and other distributions to
// site-packages. Wheels leave NAME-VERSION.dist-info/METADATA; setuptools leaves
// NAME.egg-info/PKG-INFO or a single NAME.egg-info file (distutils, Debian's python3-*).
// An egg unpacked as a directory ("foo-1.0-py3.9.egg/EGG-INFO/PKG-INFO"); zipped eggs go
// through the python-egg extractor.
constexpr std::array<Source, 8> kInstalled = {{
    {"**/site-packages/*.egg/EGG-INFO/PKG-INFO", parsePythonMetadata},
    {"**/dist-packages/*.egg/EGG-INFO/PKG-INFO", parsePythonMetadata},
    {"**/site-packages/*.dist-info/METADATA", parsePythonMetadata},
    {"**/dist-packages/*.dist-info/METADATA", parsePythonMetadata},
    {"**/site-packages/*.egg-info/PKG-INFO", parsePythonMetadata},
    {"**/dist-packages/*.egg-info/PKG-INFO", parsePythonMetadata},
    {"**/site-packages/*.egg-info", parsePythonMetadata},
    {"**/dist-packages/*.egg-info", parsePythonMetadata},
}};

// poetry.lock and pylock.toml are read with the pyproject.toml beside them (catalogWithPyProject).
constexpr std::array<Source, 4> kLockfiles = {{
    {"**/requirements.txt", parseRequirements},
    {"**/Pipfile.lock", parsePipfileLock},
    {"**/uv.lock", parseUvLock},
    {"**/pdm.lock", parsePdmLock},
}};
constexpr std::string_view kPoetryPattern = "**/poetry.lock";
constexpr std::array<std::string_view, 2> kPylockPatterns = {"**/pylock.toml", "**/pylock.*.toml"};
constexpr std::string_view kPyProjectPattern = "**/pyproject.toml";

using ApplyFn = void (*)(std::vector<model::Package>&, const PyProject&);

// A lockfile and, when one lies beside it, the pyproject.toml that says which of its packages
// the project declares (Trivy's post-analyzers for poetry and pylock).
void catalogWithPyProject(const image::FsView& fs, std::string_view pattern, ParseFn parse,
                          ApplyFn apply, std::vector<model::Package>& packages,
                          core::Diagnostics& diagnostics) {
  for (const auto& [path, entry] : fs.glob(pattern)) {
    if (parse == parsePylock && !isPylockName(path)) continue;
    auto found = parse(entry->content, path, diagnostics);
    const std::string manifest_path =
        fmt::format("{}pyproject.toml", path.substr(0, path.rfind('/') + 1));
    const image::FileEntry* manifest = fs.find(manifest_path);
    if (manifest != nullptr && manifest->type == image::FileType::Regular) {
      if (const auto project = parsePyProject(manifest->content, manifest_path, diagnostics)) {
        apply(found, *project);
      }
    }
    for (auto& package : found) {
      package.location = {entry->layer_digest, std::string(path)};
      packages.push_back(std::move(package));
    }
  }
}

std::vector<std::string_view> patternsOf(const Source* begin, const Source* end) {
  std::vector<std::string_view> patterns;
  for (const Source* source = begin; source != end; ++source) patterns.push_back(source->pattern);
  return patterns;
}

// A zip starts with a local file header (or, empty, the end-of-central-directory record).
bool zipHead(std::string_view head) noexcept {
  return head.starts_with("PK\x03\x04") || head.starts_with("PK\x05\x06");
}

class PythonCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "python"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override { return {}; }
  std::vector<std::string_view> installedPatterns() const override {
    return patternsOf(kInstalled.begin(), kInstalled.end());
  }
  std::vector<image::Extractor> extractors() const override {
    return {image::Extractor{kPythonEggExtractor, &wantsPythonEgg, &summarizePythonEgg,
                             kMaxPythonEggFileBytes, &zipHead}};
  }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    catalogSources(fs, kInstalled.begin(), kInstalled.end(), packages, diagnostics);
    for (const auto& [path, entry] : fs.extracted(kPythonEggExtractor)) {
      for (auto& package : parsePythonEggSummary(entry->content, path, diagnostics)) {
        package.location = {entry->layer_digest, std::string(path)};
        packages.push_back(std::move(package));
      }
    }
  }
};

class PythonLockfileCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "python-lockfiles"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override { return {}; }
  std::vector<std::string_view> projectPatterns() const override {
    auto patterns = patternsOf(kLockfiles.begin(), kLockfiles.end());
    patterns.push_back(kPoetryPattern);
    patterns.insert(patterns.end(), kPylockPatterns.begin(), kPylockPatterns.end());
    patterns.push_back(kPyProjectPattern);
    return patterns;
  }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    catalogSources(fs, kLockfiles.begin(), kLockfiles.end(), packages, diagnostics);
    catalogWithPyProject(fs, kPoetryPattern, parsePoetryLock, applyPyProjectToPoetry, packages,
                         diagnostics);
    for (const auto pattern : kPylockPatterns) {
      catalogWithPyProject(fs, pattern, parsePylock, applyPyProjectToPylock, packages, diagnostics);
    }
  }
};

}  // namespace

std::unique_ptr<Cataloger> makePythonCataloger() { return std::make_unique<PythonCataloger>(); }

std::unique_ptr<Cataloger> makePythonLockfileCataloger() {
  return std::make_unique<PythonLockfileCataloger>();
}

}  // namespace bulwark::catalog
