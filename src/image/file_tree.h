// A read-only tree of named files: a directory on disk or the members of a tar archive.
// OCI layouts and docker-archive contents are read through it the same way in both forms.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "image/stream.h"
#include "image/tar_index.h"

namespace bulwark::image {

class FileTree {
 public:
  virtual ~FileTree() = default;
  virtual core::Result<std::unique_ptr<ByteStream>> open(std::string_view path) const = 0;
  virtual core::Result<std::uint64_t> size(std::string_view path) const = 0;
  [[nodiscard]] virtual bool has(std::string_view path) const = 0;
  [[nodiscard]] virtual std::string describe(std::string_view path) const = 0;
  core::Result<std::string> read(std::string_view path, std::size_t max_bytes) const;
};

core::Result<std::shared_ptr<FileTree>> openDirectoryTree(const std::string& dir);
core::Result<std::shared_ptr<FileTree>> openTarTree(const std::string& archive);

}  // namespace bulwark::image
