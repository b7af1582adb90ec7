// What a check looks at: a Dockerfile, or an image (its config, the instructions its history
// records, and — when the layers were scanned — facts about the files the layers add).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checks/dockerfile/dockerfile.h"
#include "model/package.h"

namespace bulwark::checks {

// Facts about an image's layer files that checks use, collected while the layers stream
// (checks::MetadataScanner). `scanned` false: nobody looked, so file checks are not evaluated.
struct ImageFiles {
  struct File {
    std::string path;  // no leading '/'
    std::uint32_t mode = 0;
    std::string layer;  // digest
  };
  struct Cache {
    std::string directory;  // "var/lib/apt/lists"
    std::string layer;
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
  };
  bool scanned = false;
  std::vector<File> setid_files;  // setuid or setgid regular files, sorted by path, layer
  std::vector<Cache> caches;      // package-manager cache files a layer adds, by directory
};

enum class ResourceKind { Dockerfile, Image };

struct Resource {
  ResourceKind kind = ResourceKind::Dockerfile;
  std::string name;                                    // the Dockerfile path, the image name
  const dockerfile::Dockerfile* dockerfile = nullptr;  // parsed, or rebuilt from history
  const model::ImageConfig* config = nullptr;          // images only
  const ImageFiles* files = nullptr;                   // images only

  // "Dockerfile:12" for a parsed file, "history[3]" for an image's.
  [[nodiscard]] std::string where(const dockerfile::Instruction& instruction) const;
};

}  // namespace bulwark::checks
