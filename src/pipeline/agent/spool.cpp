#include "pipeline/agent/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace bulwark::pipeline::agent {

namespace {

namespace fs = std::filesystem;

// The server takes request bodies up to 4 MiB (kMaxAlertBodyBytes): a longer line could never
// be delivered, so it is refused here rather than stored.
constexpr std::size_t kMaxLineBytes = (std::size_t{4} << 20) - 1;
constexpr std::size_t kChunk = 64 << 10;
constexpr std::string_view kSuffix = ".ndjson";
constexpr std::size_t kNumberDigits = 20;

core::Error ioError(std::string_view what, const fs::path& path) {
  return core::Error{core::ErrorCode::Io,
                     fmt::format("spool: {} {}: {}", what, path.string(), std::strerror(errno))};
}

// A closing file descriptor.
struct Fd {
  int fd = -1;
  explicit Fd(int value) : fd(value) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// "00000000000000000042.ndjson" → 42.
bool segmentNumber(const std::string& name, std::uint64_t& number) {
  if (name.size() != kNumberDigits + kSuffix.size() || !name.ends_with(kSuffix)) return false;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + kNumberDigits, number);
  return ec == std::errc() && end == name.data() + kNumberDigits && number != 0;
}

core::Result<std::size_t> preadFull(int fd, char* data, std::size_t size, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return core::fail(core::ErrorCode::Io, "read: {}", std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

// The offset just after the file's last '\n' below `size` (0: none).
core::Result<std::uint64_t> lastLineEnd(int fd, std::uint64_t size) {
  std::array<char, kChunk> buffer{};
  std::uint64_t end = size;
  while (end > 0) {
    const std::uint64_t start = end > kChunk ? end - kChunk : 0;
    auto got = preadFull(fd, buffer.data(), end - start, start);
    if (!got) return tl::unexpected(got.error());
    for (std::size_t i = *got; i > 0; --i) {
      if (buffer[i - 1] == '\n') return start + i;
    }
    end = start;
  }
  return 0;
}

// The number of '\n' in [from, to) of the file.
core::Result<std::uint64_t> countLines(const fs::path& path, std::uint64_t from, std::uint64_t to) {
  Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.fd < 0) return tl::unexpected(ioError("cannot open", path));
  std::array<char, kChunk> buffer{};
  std::uint64_t lines = 0;
  for (std::uint64_t offset = from; offset < to;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, to - offset));
    auto got = preadFull(file.fd, buffer.data(), want, offset);
    if (!got) return tl::unexpected(got.error());
    if (*got == 0) break;
    lines += static_cast<std::uint64_t>(std::count(buffer.data(), buffer.data() + *got, '\n'));
    offset += *got;
  }
  return lines;
}

}  // namespace

core::Result<std::unique_ptr<Spool>> Spool::open(const Options& options) {
  if (options.dir.empty()) return core::fail(core::ErrorCode::Usage, "spool: no directory");
  if (options.max_bytes < (std::uint64_t{1} << 20)) {
    return core::fail(core::ErrorCode::Usage, "spool: the size limit must be at least 1 MiB");
  }
  std::unique_ptr<Spool> spool(new Spool(options));
  // Four segments or more fit in the limit, so trimming drops a fraction of it at a time.
  spool->options_.segment_bytes =
      std::clamp<std::uint64_t>(options.segment_bytes, 64 << 10, options.max_bytes / 4);
  std::error_code error;
  fs::create_directories(options.dir, error);
  if (error) {
    return core::fail(core::ErrorCode::Io, "spool: cannot create {}: {}", options.dir.string(),
                      error.message());
  }
  fs::permissions(options.dir, fs::perms::owner_all, fs::perm_options::replace, error);

  std::vector<Segment> found;
  for (const auto& entry : fs::directory_iterator(options.dir, error)) {
    std::uint64_t number = 0;
    if (!entry.is_regular_file() || !segmentNumber(entry.path().filename().string(), number)) {
      continue;
    }
    found.push_back({number, 0});
  }
  if (error) {
    return core::fail(core::ErrorCode::Io, "spool: cannot list {}: {}", options.dir.string(),
                      error.message());
  }
  std::sort(found.begin(), found.end(),
            [](const Segment& a, const Segment& b) { return a.number < b.number; });

  // Cut off a line a crash left half-written; forget empty segments.
  for (auto& segment : found) {
    const fs::path path = spool->segmentPath(segment.number);
    Fd file(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (file.fd < 0) return tl::unexpected(ioError("cannot open", path));
    struct stat info {};
    if (::fstat(file.fd, &info) != 0) return tl::unexpected(ioError("cannot stat", path));
    auto end = lastLineEnd(file.fd, static_cast<std::uint64_t>(info.st_size));
    if (!end) return tl::unexpected(end.error());
    if (*end != static_cast<std::uint64_t>(info.st_size)) {
      if (::ftruncate(file.fd, static_cast<off_t>(*end)) != 0) {
        return tl::unexpected(ioError("cannot truncate", path));
      }
      ++spool->stats_.torn;
    }
    segment.size = *end;
  }

  // The cursor: "v1 SEGMENT OFFSET"; missing or unreadable means "from the oldest segment".
  SpoolPosition cursor{found.empty() ? 0 : found.front().number, 0};
  {
    std::ifstream in(options.dir / "cursor");
    std::string version;
    SpoolPosition saved;
    if (in >> version >> saved.segment >> saved.offset && version == "v1") cursor = saved;
  }
  for (const auto& segment : found) {
    // Acknowledged before, or empty (each start begins a segment: a restart loop while the
    // server is away must not pile up files).
    if (segment.number < cursor.segment || segment.size == 0) {
      fs::remove(spool->segmentPath(segment.number), error);
      continue;
    }
    if (segment.number > cursor.segment) {
      if (spool->segments_.empty()) cursor = {segment.number, 0};
    } else if (cursor.offset > segment.size) {
      cursor.offset = segment.size;
    }
    spool->segments_.push_back(segment);
  }
  if (spool->segments_.empty()) cursor = {0, 0};
  // A cursor inside a line (an edited or damaged file) moves to the next line.
  if (cursor.offset > 0 && !spool->segments_.empty()) {
    const fs::path path = spool->segmentPath(cursor.segment);
    Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.fd < 0) return tl::unexpected(ioError("cannot open", path));
    const std::uint64_t size = spool->segments_.front().size;
    for (std::uint64_t at = cursor.offset - 1; at < size;) {
      std::array<char, kChunk> buffer{};
      auto got = preadFull(file.fd, buffer.data(), buffer.size(), at);
      if (!got) return tl::unexpected(got.error());
      if (*got == 0) break;
      const char* newline = static_cast<const char*>(std::memchr(buffer.data(), '\n', *got));
      if (newline != nullptr) {
        cursor.offset = at + static_cast<std::uint64_t>(newline - buffer.data()) + 1;
        break;
      }
      at += *got;
      cursor.offset = at;
    }
  }
  std::lock_guard lock(spool->mutex_);
  spool->cursor_ = cursor;
  if (auto started = spool->startSegment(); !started) return tl::unexpected(started.error());
  spool->skipFinished();  // empty and finished segments in front of the cursor
  if (auto saved = spool->saveCursor(); !saved) return tl::unexpected(saved.error());
  return spool;
}

Spool::~Spool() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
}

fs::path Spool::segmentPath(std::uint64_t number) const {
  return options_.dir / fmt::format("{:020}{}", number, kSuffix);
}

core::Status Spool::startSegment() {
  const std::uint64_t number =
      segments_.empty() ? cursor_.segment + 1 : segments_.back().number + 1;
  const fs::path path = segmentPath(number);
  // The new segment opens before the old one closes: should it fail (a full disk, no file
  // descriptors), the old one stays open and the next append tries again.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return tl::unexpected(ioError("cannot create", path));
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
  fd_ = fd;
  if (segments_.empty()) cursor_ = {number, 0};
  segments_.push_back({number, 0});
  // An uploader that had caught up waits at the end of the old segment: it goes on here.
  if (skipFinished()) return saveCursor();
  return {};
}

core::Status Spool::append(std::string_view line) {
  if (line.find('\n') != std::string_view::npos) {
    return core::fail(core::ErrorCode::Input, "spool: a line must not contain a newline");
  }
  if (line.size() > kMaxLineBytes) {
    return core::fail(core::ErrorCode::Limit, "spool: a line of {} bytes is longer than {}",
                      line.size(), kMaxLineBytes);
  }
  std::lock_guard lock(mutex_);
  if (fd_ < 0) return core::fail(core::ErrorCode::Io, "spool: no segment is open");
  Segment* last = &segments_.back();
  if (last->size > 0 && last->size + line.size() + 1 > options_.segment_bytes) {
    if (auto started = startSegment(); !started) return started;
    last = &segments_.back();
  }
  std::array<iovec, 2> parts{iovec{const_cast<char*>(line.data()), line.size()},
                             iovec{const_cast<char*>("\n"), 1}};
  std::size_t written = 0;
  const std::size_t total = line.size() + 1;
  while (written < total) {
    // Skip what the previous, partial writev() wrote.
    std::array<iovec, 2> rest = parts;
    int first = 0;
    std::size_t skip = written;
    if (skip >= rest[0].iov_len) {
      skip -= rest[0].iov_len;
      first = 1;
    }
    rest[first].iov_base = static_cast<char*>(rest[first].iov_base) + skip;
    rest[first].iov_len -= skip;
    const ssize_t n = ::writev(fd_, rest.data() + first, 2 - first);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const core::Error failed = ioError("cannot write", segmentPath(last->number));
      // Leave no half line behind for the next append to extend; should that fail too, the
      // torn line is cut off when the spool is opened again.
      if (written > 0) {
        [[maybe_unused]] const int ignored = ::ftruncate(fd_, static_cast<off_t>(last->size));
      }
      return tl::unexpected(failed);
    }
    written += static_cast<std::size_t>(n);
  }
  last->size += total;
  ++stats_.appended;
  if (auto trimmed = trim(); !trimmed) return trimmed;
  data_.notify_all();
  return {};
}

core::Status Spool::sync() {
  std::lock_guard lock(mutex_);
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) {
    return tl::unexpected(ioError("cannot sync", segmentPath(segments_.back().number)));
  }
  return {};
}

core::Status Spool::trim() {
  std::error_code error;
  while (segments_.size() > 1 && pendingLocked() > options_.max_bytes) {
    const Segment oldest = segments_.front();
    auto lines = countLines(segmentPath(oldest.number), cursor_.offset, oldest.size);
    stats_.dropped += lines ? *lines : 0;
    fs::remove(segmentPath(oldest.number), error);
    segments_.pop_front();
    cursor_ = {segments_.front().number, 0};
    if (auto saved = saveCursor(); !saved) return saved;
  }
  if (skipFinished()) return saveCursor();
  return {};
}

core::Status Spool::saveCursor() {
  // Not synced: a cursor lost in a crash only resends alerts, which the server deduplicates.
  const fs::path path = options_.dir / "cursor";
  const fs::path temporary = options_.dir / "cursor.tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << "v1 " << cursor_.segment << ' ' << cursor_.offset << '\n';
    if (!out.flush()) {
      return core::fail(core::ErrorCode::Io, "spool: cannot write {}", temporary.string());
    }
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    return core::fail(core::ErrorCode::Io, "spool: cannot write {}: {}", path.string(),
                      error.message());
  }
  return {};
}

std::uint64_t Spool::pendingLocked() const {
  std::uint64_t total = 0;
  for (const auto& segment : segments_) total += segment.size;
  return total - cursor_.offset;
}

bool Spool::skipFinished() {
  bool moved = false;
  std::error_code error;
  while (segments_.size() > 1 && cursor_.offset == segments_.front().size) {
    fs::remove(segmentPath(segments_.front().number), error);
    segments_.pop_front();
    cursor_ = {segments_.front().number, 0};
    moved = true;
  }
  return moved;
}

core::Result<Spool::Batch> Spool::peek(std::size_t max_lines, std::size_t max_bytes) {
  std::lock_guard lock(mutex_);
  if (skipFinished()) {
    if (auto saved = saveCursor(); !saved) return tl::unexpected(saved.error());
  }
  Batch batch;
  batch.end = cursor_;
  const Segment& front = segments_.front();
  const std::uint64_t available = front.size - cursor_.offset;
  if (available == 0 || max_lines == 0) return batch;
  const fs::path path = segmentPath(front.number);
  Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.fd < 0) return tl::unexpected(ioError("cannot open", path));
  // Read up to max_bytes; a first line longer than that is read whole.
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(available, max_bytes));
  for (;;) {
    batch.body.resize(want);
    auto got = preadFull(file.fd, batch.body.data(), want, cursor_.offset);
    if (!got) return tl::unexpected(got.error());
    batch.body.resize(*got);
    if (batch.body.find('\n') != std::string::npos || want >= available) break;
    want = static_cast<std::size_t>(std::min<std::uint64_t>(available, want * 2));
  }
  std::size_t cut = 0;
  for (std::size_t at = 0; batch.lines < max_lines;) {
    const std::size_t newline = batch.body.find('\n', at);
    // Whole lines within max_bytes; the first one whatever its length.
    if (newline == std::string::npos || (cut > 0 && newline + 1 > max_bytes)) break;
    cut = newline + 1;
    at = cut;
    ++batch.lines;
  }
  batch.body.resize(cut);
  batch.end.offset = cursor_.offset + cut;
  return batch;
}

core::Status Spool::acknowledge(const SpoolPosition& end) {
  std::lock_guard lock(mutex_);
  if (end.segment != cursor_.segment || end.offset < cursor_.offset ||
      end.offset > segments_.front().size) {
    // The batch was dropped meanwhile (the spool was full); nothing to move.
    return {};
  }
  auto lines = countLines(segmentPath(cursor_.segment), cursor_.offset, end.offset);
  stats_.acknowledged += lines ? *lines : 0;
  cursor_.offset = end.offset;
  skipFinished();
  return saveCursor();
}

bool Spool::waitForData(std::chrono::milliseconds timeout) {
  return waitForBytes(1, std::chrono::steady_clock::now() + timeout) > 0;
}

std::uint64_t Spool::waitForBytes(std::uint64_t bytes,
                                  std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  data_.wait_until(lock, deadline, [&] { return woken_ || pendingLocked() >= bytes; });
  woken_ = false;
  return pendingLocked();
}

void Spool::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  data_.notify_all();
}

std::uint64_t Spool::pendingBytes() const {
  std::lock_guard lock(mutex_);
  return pendingLocked();
}

SpoolStats Spool::stats() const {
  std::lock_guard lock(mutex_);
  SpoolStats out = stats_;
  out.pending_bytes = pendingLocked();
  out.segments = segments_.size();
  return out;
}

}  // namespace bulwark::pipeline::agent
