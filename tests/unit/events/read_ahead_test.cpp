// The read-ahead of files read once (src/events/tail.h, ReadAhead): the bytes come out as
// read(2) would give them, whatever the sizes asked for, across its blocks and at the end, and
// a reader that stops early does not keep its thread waiting.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "events/tail.h"
#include "support/process.h"

namespace bulwark::events {
namespace {

namespace fs = std::filesystem;

// Bytes that differ at every offset (a block copied twice or skipped would show).
std::string pattern(std::size_t size) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    text[i] = static_cast<char>((i * 131 + i / 4099) % 251);
  }
  return text;
}

class File {
 public:
  File(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// Everything, asking for `chunk` bytes at a time.
std::string readAll(ReadAhead& ahead, std::size_t chunk) {
  std::string out;
  std::vector<char> buffer(chunk);
  bool short_read = false;
  for (;;) {
    const ssize_t n = ahead.read(buffer.data(), buffer.size());
    EXPECT_GE(n, 0);
    if (n <= 0) break;
    // As read(2) on a regular file: fewer bytes than asked only at the end.
    EXPECT_FALSE(short_read) << "bytes after a short read, at " << out.size();
    short_read = static_cast<std::size_t>(n) < chunk;
    out.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return out;
}

TEST(ReadAhead, GivesTheFileInOrderWhateverTheSizesAskedFor) {
  bulwark::testing::TempDir dir;
  // Three blocks and a bit; one exact block; a small file; an empty one.
  for (const std::size_t size :
       {3 * kTailBlockBytes + 4099, kTailBlockBytes, std::size_t{10}, std::size_t{0}}) {
    const std::string bytes = pattern(size);
    for (const std::size_t chunk :
         {std::size_t{1} << 20, std::size_t{4096}, std::size_t{777}, 2 * kTailBlockBytes + 1}) {
      if (size > kTailBlockBytes && chunk == 777) continue;  // slow, and says nothing new
      File file(dir.path() / "data", bytes);
      ASSERT_GE(file.fd(), 0);
      ReadAhead ahead(file.fd());
      const std::string got = readAll(ahead, chunk);
      EXPECT_EQ(got.size(), bytes.size()) << size << " by " << chunk;
      EXPECT_TRUE(got == bytes) << size << " by " << chunk;
      // The end stays the end.
      char byte = 0;
      EXPECT_EQ(ahead.read(&byte, 1), 0);
    }
  }
}

TEST(ReadAhead, AReaderThatStopsEarlyEndsItsThread) {
  bulwark::testing::TempDir dir;
  File file(dir.path() / "data", pattern(8 * kTailBlockBytes));
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(::lseek(file.fd(), 0, SEEK_SET), 0);
    ReadAhead ahead(file.fd());
    char byte = 0;
    ASSERT_EQ(ahead.read(&byte, 1), 1);
    // Destroyed with blocks waiting and the file not read to its end: must not hang.
  }
  ReadAhead never_read(file.fd());
}

TEST(ReadAhead, AReadErrorIsReportedAfterTheBytesBeforeIt) {
  // A directory's descriptor: read(2) fails with EISDIR at once.
  bulwark::testing::TempDir dir;
  const int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  {
    ReadAhead ahead(fd);
    char byte = 0;
    errno = 0;
    EXPECT_EQ(ahead.read(&byte, 1), -1);
    EXPECT_EQ(errno, EISDIR);
    EXPECT_EQ(ahead.read(&byte, 1), -1);
  }
  ::close(fd);
}

}  // namespace
}  // namespace bulwark::events
