#include "image/stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bulwark::image {

core::Result<std::size_t> FileRegionStream::read(char* buffer, std::size_t size) {
  if (remaining_ == 0 || size == 0) return 0;
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, remaining_));
  while (true) {
    const ssize_t got = ::pread(*fd_, buffer, want, static_cast<off_t>(offset_));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return core::fail(core::ErrorCode::Io, "read failed: {}", std::strerror(errno));
    if (got == 0) {
      return core::fail(core::ErrorCode::Input, "unexpected end of file ({} bytes missing)",
                        remaining_);
    }
    offset_ += static_cast<std::uint64_t>(got);
    remaining_ -= static_cast<std::uint64_t>(got);
    return static_cast<std::size_t>(got);
  }
}

core::Result<std::shared_ptr<const int>> openShared(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const auto code = errno == ENOENT ? core::ErrorCode::NotFound : core::ErrorCode::Io;
    return core::fail(code, "{}: {}", path, std::strerror(errno));
  }
  return std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
}

core::Result<std::string> readAll(ByteStream& stream, std::size_t max_bytes) {
  std::string out;
  char buffer[64 * 1024];
  while (true) {
    auto got = stream.read(buffer, sizeof buffer);
    if (!got) return tl::unexpected(got.error());
    if (*got == 0) break;
    if (out.size() + *got > max_bytes) {
      return core::fail(core::ErrorCode::Limit, "larger than the {} byte limit", max_bytes);
    }
    out.append(buffer, *got);
  }
  return out;
}

}  // namespace bulwark::image
