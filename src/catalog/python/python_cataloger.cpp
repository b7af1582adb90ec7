#include "catalog/python/python_cataloger.h"

#include <array>

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
constexpr std::array<Source, 6> kInstalled = {{
    {"**/site-packages/*.dist-info/METADATA", parsePythonMetadata},
    {"**/dist-packages/*.dist-info/METADATA", parsePythonMetadata},
    {"**/site-packages/*.egg-info/PKG-INFO", parsePythonMetadata},
    {"**/dist-packages/*.egg-info/PKG-INFO", parsePythonMetadata},
    {"**/site-packages/*.egg-info", parsePythonMetadata},
    {"**/dist-packages/*.egg-info", parsePythonMetadata},
}};

constexpr std::array<Source, 5> kLockfiles = {{
    {"**/requirements.txt", parseRequirements},
    {"**/Pipfile.lock", parsePipfileLock},
    {"**/poetry.lock", parsePoetryLock},
    {"**/uv.lock", parseUvLock},
    {"**/pdm.lock", parsePdmLock},
}};

std::vector<std::string_view> patternsOf(const Source* begin, const Source* end) {
  std::vector<std::string_view> patterns;
  for (const Source* source = begin; source != end; ++source) patterns.push_back(source->pattern);
  return patterns;
}

class PythonCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "python"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override { return {}; }
  std::vector<std::string_view> installedPatterns() const override {
    return patternsOf(kInstalled.begin(), kInstalled.end());
  }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    catalogSources(fs, kInstalled.begin(), kInstalled.end(), packages, diagnostics);
  }
};

class PythonLockfileCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "python-lockfiles"; }
  std::string_view version() const override { return "1"; }
  std::vector<std::string_view> patterns() const override { return {}; }
  std::vector<std::string_view> projectPatterns() const override {
    return patternsOf(kLockfiles.begin(), kLockfiles.end());
  }
  void catalog(const image::FsView& fs, const model::Distro& /*distro*/,
               std::vector<model::Package>& packages,
               core::Diagnostics& diagnostics) const override {
    catalogSources(fs, kLockfiles.begin(), kLockfiles.end(), packages, diagnostics);
  }
};

}  // namespace

std::unique_ptr<Cataloger> makePythonCataloger() { return std::make_unique<PythonCataloger>(); }

std::unique_ptr<Cataloger> makePythonLockfileCataloger() {
  return std::make_unique<PythonLockfileCataloger>();
}

}  // namespace bulwark::catalog
