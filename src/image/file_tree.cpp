#include "image/file_tree.h"

#include <sys/stat.h>

#include "core/text.h"
#include "image/fs_view.h"

namespace bulwark::image {

using core::ErrorCode;

core::Result<std::string> FileTree::read(std::string_view path, std::size_t max_bytes) const {
  auto stream = open(path);
  if (!stream) return tl::unexpected(stream.error());
  auto bytes = readAll(**stream, max_bytes);
  if (!bytes) return core::withContext(bytes.error(), describe(path));
  return bytes;
}

namespace {

class DirectoryTree final : public FileTree {
 public:
  explicit DirectoryTree(std::string root) : root_(std::move(root)) {}

  core::Result<std::unique_ptr<ByteStream>> open(std::string_view path) const override {
    auto full = join(path);
    if (!full) return tl::unexpected(full.error());
    auto fd = openShared(*full);
    if (!fd) return tl::unexpected(fd.error());
    struct stat st {};
    if (::fstat(**fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      return core::fail(ErrorCode::Input, "{}: not a regular file", *full);
    }
    return std::make_unique<FileRegionStream>(*fd, 0, static_cast<std::uint64_t>(st.st_size));
  }
  core::Result<std::uint64_t> size(std::string_view path) const override {
    auto full = join(path);
    if (!full) return tl::unexpected(full.error());
    struct stat st {};
    if (::stat(full->c_str(), &st) != 0) {
      return core::fail(ErrorCode::NotFound, "{}: no such file", *full);
    }
    return static_cast<std::uint64_t>(st.st_size);
  }
  bool has(std::string_view path) const override {
    auto full = join(path);
    struct stat st {};
    return full && ::stat(full->c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }
  std::string describe(std::string_view path) const override {
    return root_ + "/" + std::string(path);
  }

 private:
  core::Result<std::string> join(std::string_view path) const {
    std::string normal;
    if (!normalizePath(path, normal) || normal.empty()) {
      return core::fail(ErrorCode::Input, "{}: path '{}' leaves the directory", root_,
                        core::printable(path));
    }
    return root_ + "/" + normal;
  }
  std::string root_;
};

class TarTree final : public FileTree {
 public:
  TarTree(std::string archive, TarIndex index)
      : archive_(std::move(archive)), index_(std::move(index)) {}
  core::Result<std::unique_ptr<ByteStream>> open(std::string_view path) const override {
    return index_.open(path);
  }
  core::Result<std::uint64_t> size(std::string_view path) const override {
    return index_.size(path);
  }
  bool has(std::string_view path) const override { return index_.has(path); }
  std::string describe(std::string_view path) const override {
    return archive_ + ":" + std::string(path);
  }

 private:
  std::string archive_;
  TarIndex index_;
};

}  // namespace

core::Result<std::shared_ptr<FileTree>> openDirectoryTree(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return core::fail(ErrorCode::NotFound, "{}: not a directory", dir);
  }
  return std::make_shared<DirectoryTree>(dir);
}

core::Result<std::shared_ptr<FileTree>> openTarTree(const std::string& archive) {
  auto index = TarIndex::build(archive);
  if (!index) return tl::unexpected(index.error());
  return std::make_shared<TarTree>(archive, std::move(*index));
}

}  // namespace bulwark::image
