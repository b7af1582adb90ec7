// Builds tar archives in memory for tests, with libarchive's writer: regular files,
// directories, symlinks, hard links, any path (including hostile ones), and gzip/zstd filters.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <cstring>
#include <memory>
#include <string>

#include "core/sha256.h"
#include "image/stream.h"

namespace bulwark::testing {

class TarBuilder {
 public:
  enum class Filter { None, Gzip, Zstd };

  explicit TarBuilder(Filter filter = Filter::None) : archive_(archive_write_new()) {
    archive_write_set_format_pax_restricted(archive_);
    if (filter == Filter::Gzip) archive_write_add_filter_gzip(archive_);
    if (filter == Filter::Zstd) archive_write_add_filter_zstd(archive_);
    archive_write_set_bytes_in_last_block(archive_, 1);
    archive_write_open(archive_, this, nullptr, &TarBuilder::write, nullptr);
  }
  ~TarBuilder() {
    if (archive_ != nullptr) archive_write_free(archive_);
  }
  TarBuilder(const TarBuilder&) = delete;
  TarBuilder& operator=(const TarBuilder&) = delete;

  TarBuilder& file(const std::string& path, const std::string& content, int mode = 0644) {
    return add(path, AE_IFREG, mode, content, nullptr, nullptr);
  }
  TarBuilder& dir(const std::string& path) {
    return add(path, AE_IFDIR, 0755, "", nullptr, nullptr);
  }
  TarBuilder& symlink(const std::string& path, const std::string& target) {
    return add(path, AE_IFLNK, 0777, "", target.c_str(), nullptr);
  }
  TarBuilder& hardlink(const std::string& path, const std::string& target) {
    return add(path, AE_IFREG, 0644, "", nullptr, target.c_str());
  }

  std::string finish() {
    archive_write_close(archive_);
    archive_write_free(archive_);
    archive_ = nullptr;
    return out_;
  }

 private:
  TarBuilder& add(const std::string& path, unsigned type, int mode, const std::string& content,
                  const char* symlink, const char* hardlink) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, path.c_str());
    archive_entry_set_filetype(entry, type);
    archive_entry_set_perm(entry, mode);
    archive_entry_set_size(entry, static_cast<la_int64_t>(content.size()));
    if (symlink != nullptr) archive_entry_set_symlink(entry, symlink);
    if (hardlink != nullptr) {
      archive_entry_set_hardlink(entry, hardlink);
      archive_entry_set_size(entry, 0);
    }
    archive_write_header(archive_, entry);
    if (!content.empty() && hardlink == nullptr) {
      archive_write_data(archive_, content.data(), content.size());
    }
    archive_entry_free(entry);
    return *this;
  }

  static la_ssize_t write(archive*, void* self, const void* buffer, size_t length) {
    static_cast<TarBuilder*>(self)->out_.append(static_cast<const char*>(buffer), length);
    return static_cast<la_ssize_t>(length);
  }

  archive* archive_;
  std::string out_;
};

// A ByteStream over a string, returning short reads to exercise buffering.
class StringStream final : public image::ByteStream {
 public:
  explicit StringStream(std::string data, std::size_t chunk = 7919)
      : data_(std::move(data)), chunk_(chunk) {}
  core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    const std::size_t n = std::min({size, chunk_, data_.size() - pos_});
    std::memcpy(buffer, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t chunk_;
  std::size_t pos_ = 0;
};

inline std::string digestOf(const std::string& bytes) { return "sha256:" + core::sha256Hex(bytes); }

}  // namespace bulwark::testing
