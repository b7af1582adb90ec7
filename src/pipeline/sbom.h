// The scan flow's first half: source → layers → FsView → catalogers → Inventory.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "image/source.h"
#include "model/package.h"

namespace bulwark::pipeline {

struct SbomOptions {
  image::SourceOptions source;
  bool progress = false;  // a progress bar on a TTY
  // Keep language packages that only development needs (`--include-dev-deps`, as Trivy's);
  // they carry Package::development.
  bool include_dev_deps = false;
};

core::Result<model::Inventory> buildInventory(std::string_view target, const SbomOptions& options);

// The inventory of an already opened image (tests and the server reuse an Image). `scanners`
// see every file of every layer while the image streams (image::ContentScanner).
core::Result<model::Inventory> inventoryOf(image::Image& image, const SbomOptions& options,
                                           std::vector<image::ContentScanner*> scanners = {});
// The same with default options but `progress`.
core::Result<model::Inventory> inventoryOf(image::Image& image, bool progress,
                                           std::vector<image::ContentScanner*> scanners = {});

// Whether a target is a project directory (`dir:DIR`, or a bare DIR without etc/os-release or
// usr/lib/os-release), whose lockfiles are read (Cataloger::projectPatterns), rather than an
// installed system (an image, `rootfs:DIR`, a bare DIR with an OS), whose installed package
// metadata, binaries and archives are (installedPatterns, extractors).
bool isProjectDirectory(const model::Target& target);

}  // namespace bulwark::pipeline
