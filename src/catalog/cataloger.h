// A cataloger reads one kind of package database from an FsView and adds packages to an
// inventory. It is a name, a version (part of any cache key), the paths it wants, and one
// catalog() function (STYLE.md "Shape of the code"). Register it in catalogers.def.
#pragma once

#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "image/fs_view.h"
#include "model/package.h"

namespace bulwark::catalog {

class Cataloger {
 public:
  virtual ~Cataloger() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  [[nodiscard]] virtual std::string_view version() const = 0;
  // Glob patterns (core::globMatch) of the files this cataloger reads, relative to the root.
  [[nodiscard]] virtual std::vector<std::string_view> patterns() const = 0;
  // Trivy's split between `trivy image`/`trivy rootfs` (what is installed: package metadata,
  // binaries, archives) and `trivy fs` (a project before it is built: its lockfiles). patterns()
  // and extractors() are read in both; these only in one:
  //  - installedPatterns(): images and installed systems (`rootfs:DIR`, a directory with an OS);
  //  - projectPatterns(): project directories (`dir:DIR`, a directory without an OS).
  // Extractors run only on installed systems.
  [[nodiscard]] virtual std::vector<std::string_view> installedPatterns() const { return {}; }
  [[nodiscard]] virtual std::vector<std::string_view> projectPatterns() const { return {}; }
  // Summarizers for files it cannot ask to keep whole (image::Extractor); their summaries are
  // found with FsView::extracted(name).
  [[nodiscard]] virtual std::vector<image::Extractor> extractors() const { return {}; }
  // Appends what it finds to `packages`; malformed records become diagnostics, never a crash.
  virtual void catalog(const image::FsView& fs, const model::Distro& distro,
                       std::vector<model::Package>& packages,
                       core::Diagnostics& diagnostics) const = 0;
};

}  // namespace bulwark::catalog
