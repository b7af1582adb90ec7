// An index of the members of an uncompressed tar file (docker save output, OCI archives), so
// that each blob inside can be read as a byte range, in parallel, without extracting anything.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "core/result.h"
#include "image/stream.h"

namespace bulwark::image {

class TarIndex {
 public:
  static core::Result<TarIndex> build(const std::string& path);

  [[nodiscard]] bool has(std::string_view member) const;
  core::Result<std::unique_ptr<ByteStream>> open(std::string_view member) const;
  core::Result<std::string> read(std::string_view member, std::size_t max_bytes) const;
  core::Result<std::uint64_t> size(std::string_view member) const;

 private:
  struct Member {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::string link;  // symlink or hard link target (normalised), empty for regular members
  };
  core::Result<const Member*> locate(std::string_view member) const;

  std::string path_;
  std::shared_ptr<const int> fd_;
  std::map<std::string, Member, std::less<>> members_;
};

}  // namespace bulwark::image
