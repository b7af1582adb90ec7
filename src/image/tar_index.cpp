#include "image/tar_index.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.h"
#include "image/fs_view.h"

namespace bulwark::image {

using core::ErrorCode;

namespace {
constexpr std::uint64_t kMaxMembers = 1'000'000;
constexpr int kMaxLinkHops = 8;
}  // namespace

core::Result<TarIndex> TarIndex::build(const std::string& path) {
  TarIndex index;
  index.path_ = path;
  auto fd = openShared(path);
  if (!fd) return tl::unexpected(fd.error());
  index.fd_ = *fd;
  struct stat st {};
  if (::fstat(*index.fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    return core::fail(ErrorCode::Input, "{}: not a regular file", path);
  }
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  // Members are read in place by offset, which a compressed archive does not allow.
  unsigned char magic[4] = {0, 0, 0, 0};
  if (::pread(*index.fd_, magic, sizeof magic, 0) == static_cast<ssize_t>(sizeof magic)) {
    const bool gzip = magic[0] == 0x1f && magic[1] == 0x8b;
    const bool zstd = magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd;
    if (gzip || zstd) {
      return core::fail(ErrorCode::Input,
                        "{}: a {}-compressed archive; decompress it first (e.g. {} -d)", path,
                        gzip ? "gzip" : "zstd", gzip ? "gzip" : "zstd");
    }
  }

  std::unique_ptr<struct archive, decltype(&archive_read_free)> archive(archive_read_new(),
                                                                        archive_read_free);
  archive_read_support_format_tar(archive.get());
  archive_read_support_format_gnutar(archive.get());
  if (archive_read_open_fd(archive.get(), *index.fd_, std::size_t{64} * 1024) != ARCHIVE_OK) {
    return core::fail(ErrorCode::Input, "{}: not a tar archive ({})", path,
                      archive_error_string(archive.get()));
  }
  struct archive_entry* entry = nullptr;
  while (true) {
    const int status = archive_read_next_header(archive.get(), &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      return core::fail(ErrorCode::Input, "{}: corrupt tar archive ({})", path,
                        archive_error_string(archive.get()));
    }
    if (archive_filter_count(archive.get()) > 1) {
      return core::fail(ErrorCode::Input,
                        "{}: compressed archives are not supported; decompress it first", path);
    }
    if (index.members_.size() >= kMaxMembers) {
      return core::fail(ErrorCode::Limit, "{}: more than {} members", path, kMaxMembers);
    }
    const char* name = archive_entry_pathname(entry);
    std::string normal;
    if (name == nullptr || !normalizePath(name, normal) || normal.empty()) continue;
    Member member;
    // The tar reader has consumed exactly the member's headers: data starts here.
    member.offset = static_cast<std::uint64_t>(archive_filter_bytes(archive.get(), 0));
    member.size =
        archive_entry_size_is_set(entry)
            ? static_cast<std::uint64_t>(std::max<la_int64_t>(0, archive_entry_size(entry)))
            : 0;
    if (const char* hard = archive_entry_hardlink(entry)) {
      normalizePath(hard, member.link);
      member.size = 0;
    } else if (archive_entry_filetype(entry) == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      const std::string_view t = target != nullptr ? target : "";
      // Relative to the member's directory.
      const auto slash = normal.rfind('/');
      const std::string joined = t.starts_with('/') || slash == std::string::npos
                                     ? std::string(t)
                                     : normal.substr(0, slash + 1) + std::string(t);
      normalizePath(joined, member.link);
      member.size = 0;
    } else if (archive_entry_filetype(entry) != AE_IFREG) {
      continue;
    }
    if (member.offset > file_size || member.size > file_size - member.offset) {
      return core::fail(ErrorCode::Input, "{}: member '{}' runs past the end of the file", path,
                        core::printable(normal));
    }
    index.members_.insert_or_assign(std::move(normal), member);
  }
  return index;
}

core::Result<const TarIndex::Member*> TarIndex::locate(std::string_view name) const {
  std::string normal;
  if (!normalizePath(name, normal)) {
    return core::fail(ErrorCode::Input, "{}: member path '{}' climbs out of the archive", path_,
                      core::printable(name));
  }
  for (int hop = 0; hop < kMaxLinkHops; ++hop) {
    const auto it = members_.find(normal);
    if (it == members_.end()) {
      return core::fail(ErrorCode::NotFound, "{}: no member '{}'", path_, core::printable(normal));
    }
    if (it->second.link.empty()) return &it->second;
    normal = it->second.link;
  }
  return core::fail(ErrorCode::Input, "{}: link loop at '{}'", path_, core::printable(name));
}

bool TarIndex::has(std::string_view member) const { return locate(member).has_value(); }

core::Result<std::unique_ptr<ByteStream>> TarIndex::open(std::string_view member) const {
  auto found = locate(member);
  if (!found) return tl::unexpected(found.error());
  return std::make_unique<FileRegionStream>(fd_, (*found)->offset, (*found)->size);
}

core::Result<std::uint64_t> TarIndex::size(std::string_view member) const {
  auto found = locate(member);
  if (!found) return tl::unexpected(found.error());
  return (*found)->size;
}

core::Result<std::string> TarIndex::read(std::string_view member, std::size_t max_bytes) const {
  auto stream = open(member);
  if (!stream) return tl::unexpected(stream.error());
  auto bytes = readAll(**stream, max_bytes);
  if (!bytes) return core::withContext(bytes.error(), path_ + ":" + std::string(member));
  return bytes;
}

}  // namespace bulwark::image
