// The loop most lockfile catalogers share: every file matching a pattern, parsed by a function
// over bytes, its packages stamped with the layer that wrote the file.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "image/fs_view.h"
#include "model/package.h"

namespace bulwark::catalog {

// The most packages one lockfile may list; real ones list a few thousand. A file that lists more
// (a generated 60 MB requirements.txt names two million) keeps the first ones and says so,
// so that memory stays bounded by this count rather than by the file.
inline constexpr std::size_t kMaxPackagesPerLockfile = 100'000;

// A parse function over one file's bytes (`path` names it in packages and diagnostics).
using ParseFile = std::vector<model::Package> (*)(std::string_view content, std::string_view path,
                                                  core::Diagnostics& diagnostics);

// Appends parse(file) for every regular file of `fs` matching `pattern`, in path order.
inline void catalogFiles(const image::FsView& fs, std::string_view pattern, ParseFile parse,
                         std::vector<model::Package>& packages, core::Diagnostics& diagnostics) {
  for (const auto& [path, entry] : fs.glob(pattern)) {
    for (auto& package : parse(entry->content, path, diagnostics)) {
      package.location.layer_digest = entry->layer_digest;
      packages.push_back(std::move(package));
    }
  }
}

}  // namespace bulwark::catalog
