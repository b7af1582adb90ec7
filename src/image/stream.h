// Byte streams: how blob bytes travel from a source (file region, HTTP body) to the layer walker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace bulwark::image {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Reads up to `size` bytes; 0 means end of stream.
  virtual core::Result<std::size_t> read(char* buffer, std::size_t size) = 0;
};

// A byte range of a regular file, read with pread so that several streams can share one file
// descriptor and be consumed from different threads.
class FileRegionStream final : public ByteStream {
 public:
  FileRegionStream(std::shared_ptr<const int> fd, std::uint64_t offset, std::uint64_t length)
      : fd_(std::move(fd)), offset_(offset), remaining_(length) {}
  core::Result<std::size_t> read(char* buffer, std::size_t size) override;

 private:
  std::shared_ptr<const int> fd_;
  std::uint64_t offset_;
  std::uint64_t remaining_;
};

// Opens a file for shared pread access; the descriptor closes with the last reference.
core::Result<std::shared_ptr<const int>> openShared(const std::string& path);

// Reads a whole stream into memory, failing with ErrorCode::Limit past `max_bytes`.
core::Result<std::string> readAll(ByteStream& stream, std::size_t max_bytes);

}  // namespace bulwark::image
