// The file tail (tail.h).
#include "events/tail.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <fmt/format.h>

namespace bulwark::events {

namespace {

// While following, the stop flag is looked at least this often: it is set by a signal-handling
// thread that cannot wake us otherwise.
constexpr std::chrono::milliseconds kStopCheck{100};

// read(2) until `size` bytes or the end of the file (or, on a FIFO opened non-blocking, of what
// was written so far); the count read, or -1 with errno.
ssize_t readFully(int fd, char* out, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return -1;
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

// Following, a FIFO is opened and read without blocking: open(2) would wait for a writer and
// read(2) for data, and the stop flag would go unseen. Read once, it is read as cat(1) reads
// it: to its end (no writer left). Regular files ignore O_NONBLOCK.
int openFlags(const FollowOptions& options) {
  return O_RDONLY | O_CLOEXEC | (options.follow ? O_NONBLOCK : 0);
}

bool stopped(const std::atomic<bool>* stop) {
  return stop != nullptr && stop->load(std::memory_order_relaxed);
}

// A file, whatever its names: the path naming another one is a rotation. The open descriptor
// keeps the old inode alive, so its number cannot be reused by a re-created file.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  explicit FileId(const struct stat& info) : dev(info.st_dev), ino(info.st_ino) {}
  FileId() = default;
  friend bool operator==(const FileId&, const FileId&) = default;
};

// One run over an open file. Each round with follow: stat the path, read the open file to its
// end, then switch to a new file at the path (rotation) or start again after a truncation, or
// else wait for inotify, the poll timeout or stop.
class Tailer {
 public:
  Tailer(const std::string& path, const FollowOptions& options, const TailNames& names,
         LineBuffer& buffer, LineSink& sink, int fd, const struct stat& info)
      : path_(path),
        options_(options),
        names_(names),
        buffer_(buffer),
        sink_(sink),
        fd_(fd),
        id_(info),
        regular_(S_ISREG(info.st_mode)) {}
  Tailer(const Tailer&) = delete;
  Tailer& operator=(const Tailer&) = delete;
  ~Tailer() {
    if (fd_ >= 0) ::close(fd_);
    if (inotify_ >= 0) ::close(inotify_);
  }

  // To the end of the file, once; a regular file is read ahead on a thread of its own.
  core::Status readOnce(core::Diagnostics& diagnostics, const std::atomic<bool>* stop) {
    std::optional<ReadAhead> ahead;
    if (regular_) ahead.emplace(fd_);
    if (auto status = drain(diagnostics, stop, ahead ? &*ahead : nullptr); !status) return status;
    if (!stopped(stop)) finishFile(diagnostics);
    return {};
  }

  core::Status follow(core::Diagnostics& diagnostics, const std::atomic<bool>* stop) {
    if (options_.from_end && regular_) startAtEnd();
    watch();
    if (options_.on_ready) options_.on_ready();
    last_data_ = Clock::now();
    while (!stopped(stop)) {
      // The path first, the file second: whatever was written to the old file before the new
      // one appeared is read before switching.
      struct stat named {};
      const bool present = ::stat(path_.c_str(), &named) == 0;
      if (auto status = drain(diagnostics, stop); !status) return status;
      if (stopped(stop)) break;
      if (present && FileId(named) != id_) {
        if (switchFile(diagnostics)) continue;
      } else if (regular_) {
        auto shrank = checkTruncation(diagnostics);
        if (!shrank) return tl::unexpected(shrank.error());
        if (*shrank) continue;
      }
      wait(diagnostics, stop);
    }
    return {};
  }

  [[nodiscard]] TailStats stats() const { return stats_; }

 private:
  using Clock = std::chrono::steady_clock;

  // from_end: skip what is there; when the last line is still being written, its rest too.
  void startAtEnd() {
    const off_t end = ::lseek(fd_, 0, SEEK_END);
    if (end <= 0) return;
    offset_ = static_cast<std::uint64_t>(end);
    char last = '\n';
    if (::pread(fd_, &last, 1, end - 1) == 1 && last != '\n') sink_.skipToNextLine();
  }

  // Reads the open file (through `ahead` when given) to its end; lines without their '\n' yet
  // stay in the buffer.
  core::Status drain(core::Diagnostics& diagnostics, const std::atomic<bool>* stop,
                     ReadAhead* ahead = nullptr) {
    while (true) {
      const ssize_t n = ahead != nullptr ? buffer_.fill(*ahead) : buffer_.fill(fd_);
      if (n < 0) return tl::unexpected(tailError(names_.file, path_, "cannot read", errno));
      if (n > 0) last_data_ = Clock::now();
      offset_ += static_cast<std::uint64_t>(n);
      const bool at_end = !buffer_.full();
      buffer_.consume(sink_.feed(buffer_.view(), false, diagnostics));
      if (at_end || stopped(stop)) break;
      if (buffer_.full()) {
        if (buffer_.canGrow()) {
          buffer_.grow();
        } else {
          // A sink that does not skip a line over its limit: never spin on a full buffer.
          buffer_.clear();
          sink_.skipToNextLine();
        }
      }
    }
    buffer_.shrink();
    return {};
  }

  // The open file is left for good (rotated away, or truncated), or read once to its end: its
  // last line will get no '\n' any more, so it is decoded as it is.
  void finishFile(core::Diagnostics& diagnostics) {
    sink_.feed(buffer_.view(), true, diagnostics);
    buffer_.clear();
    buffer_.shrink();
  }

  // A new file at the path: true once it is open (and the old one finished), false to wait
  // (gone again, a directory for now, or not readable).
  bool switchFile(core::Diagnostics& diagnostics) {
    const int fd = ::open(path_.c_str(), openFlags(options_));
    if (fd < 0) {
      const int error = errno;
      struct stat named {};
      if (error != ENOENT && ::stat(path_.c_str(), &named) == 0 && FileId(named) != unreadable_) {
        // Once per file: a rotation that created it with the wrong owner stalls the source.
        unreadable_ = FileId(named);
        diagnostics.add(
            fmt::format("{}.unreadable", names_.kind), path_,
            fmt::format("the new file cannot be opened: {}; waiting", std::strerror(error)));
      }
      return false;
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
      ::close(fd);
      return false;
    }
    finishFile(diagnostics);
    sink_.startFile();
    ::close(fd_);
    fd_ = fd;
    id_ = FileId(info);
    regular_ = S_ISREG(info.st_mode);
    offset_ = 0;
    ++stats_.rotations;
    watchFile();
    return true;
  }

  // copytruncate: the file is shorter than what was read from it. True when it was.
  core::Result<bool> checkTruncation(core::Diagnostics& diagnostics) {
    struct stat info {};
    if (::fstat(fd_, &info) != 0) {
      return tl::unexpected(tailError(names_.file, path_, "cannot stat", errno));
    }
    const auto size = static_cast<std::uint64_t>(info.st_size);
    if (size >= offset_) return false;
    if (::lseek(fd_, 0, SEEK_SET) != 0) {
      return tl::unexpected(tailError(names_.file, path_, "cannot seek", errno));
    }
    finishFile(diagnostics);
    sink_.startFile();
    diagnostics.add(fmt::format("{}.truncated", names_.kind), path_,
                    fmt::format("the file shrank from {} to {} bytes (copytruncate rotation?); "
                                "reading it again from the start",
                                offset_, size));
    offset_ = 0;
    ++stats_.truncations;
    return true;
  }

  // inotify on the directory (a file created or moved in at the path) and on the file. Without
  // inotify (none, or out of watches) the poll timeout alone paces the rounds.
  void watch() {
    inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_ < 0) return;
    auto dir = std::filesystem::path(path_).parent_path();
    if (dir.empty()) dir = ".";
    ::inotify_add_watch(inotify_, dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
    watchFile();
  }

  void watchFile() {
    if (inotify_ < 0) return;
    if (file_watch_ >= 0) ::inotify_rm_watch(inotify_, file_watch_);  // fails once gone: fine
    file_watch_ = ::inotify_add_watch(inotify_, path_.c_str(),
                                      IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF | IN_ATTRIB);
  }

  // Until inotify reports anything, the poll timeout passes, or stop is set. What inotify
  // reports does not matter: the next round looks at the path and the file anyway. The sink
  // hears how long the file has been quiet before every step of the wait.
  void wait(core::Diagnostics& diagnostics, const std::atomic<bool>* stop) {
    const auto deadline = Clock::now() + std::max(options_.poll, std::chrono::milliseconds{1});
    while (!stopped(stop)) {
      const auto now = Clock::now();
      sink_.idle(now - last_data_, diagnostics);
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
      if (left.count() <= 0) return;
      pollfd ready{inotify_, POLLIN, 0};  // a negative descriptor is ignored: a sleep
      if (::poll(&ready, 1, static_cast<int>(std::min(left, kStopCheck).count())) > 0) {
        alignas(inotify_event) char events[4096];
        while (::read(inotify_, events, sizeof events) > 0) {
        }
        return;
      }
    }
  }

  const std::string& path_;
  const FollowOptions& options_;
  const TailNames& names_;
  LineBuffer& buffer_;
  LineSink& sink_;
  int fd_ = -1;
  FileId id_;
  bool regular_ = false;
  std::uint64_t offset_ = 0;  // bytes read from fd_: its read position
  int inotify_ = -1;
  int file_watch_ = -1;
  FileId unreadable_;  // the last new file that could not be opened (reported once)
  Clock::time_point last_data_;
  TailStats stats_;
};

}  // namespace

LineBuffer::LineBuffer(std::size_t max_line_bytes, std::size_t padding)
    : padding_(padding),
      max_capacity_(max_line_bytes + kTailBlockBytes),
      data_(std::make_unique<char[]>(capacity_ + padding_)) {}

ssize_t LineBuffer::fill(int fd) {
  const ssize_t n = readFully(fd, data_.get() + filled_, capacity_ - filled_);
  if (n > 0) filled_ += static_cast<std::size_t>(n);
  return n;
}

ssize_t LineBuffer::fill(ReadAhead& ahead) {
  const ssize_t n = ahead.read(data_.get() + filled_, capacity_ - filled_);
  if (n > 0) filled_ += static_cast<std::size_t>(n);
  return n;
}

ReadAhead::ReadAhead(int fd) : fd_(fd), thread_([this] { run(); }) {}

ReadAhead::~ReadAhead() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void ReadAhead::run() {
  for (;;) {
    Block block;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || ready_.size() < kDepth; });
      if (stopping_) return;
      if (!spare_.empty()) {
        block.data = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    if (!block.data) block.data = std::make_unique<char[]>(kTailBlockBytes);
    const ssize_t n = readFully(fd_, block.data.get(), kTailBlockBytes);
    if (n < 0) block.error = errno;
    block.size = n > 0 ? static_cast<std::size_t>(n) : 0;
    {
      const std::lock_guard lock(mutex_);
      ready_.push_back(std::move(block));
    }
    changed_.notify_all();
    if (n <= 0) return;  // the end of the file, or an error: nothing more to read
  }
}

ssize_t ReadAhead::read(char* out, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    if (used_ == current_.size) {
      if (error_ != 0 || ended_) break;
      std::unique_lock lock(mutex_);
      if (current_.data) spare_.push_back(std::move(current_.data));
      changed_.wait(lock, [&] { return !ready_.empty(); });
      current_ = std::move(ready_.front());
      ready_.pop_front();
      lock.unlock();
      changed_.notify_all();
      used_ = 0;
      error_ = current_.error;
      ended_ = current_.size == 0;
      continue;
    }
    const std::size_t take = std::min(size - done, current_.size - used_);
    std::memcpy(out + done, current_.data.get() + used_, take);
    used_ += take;
    done += take;
  }
  if (done == 0 && error_ != 0) {
    errno = error_;
    return -1;
  }
  return static_cast<ssize_t>(done);
}

void LineBuffer::consume(std::size_t count) {
  count = std::min(count, filled_);
  std::memmove(data_.get(), data_.get() + count, filled_ - count);
  filled_ -= count;
}

void LineBuffer::shrink() {
  if (capacity_ > kTailBlockBytes && filled_ <= kTailBlockBytes / 2) resize(kTailBlockBytes);
}

void LineBuffer::resize(std::size_t capacity) {
  auto data = std::make_unique<char[]>(capacity + padding_);
  std::memcpy(data.get(), data_.get(), filled_);
  data_ = std::move(data);
  capacity_ = capacity;
}

core::Error tailError(std::string_view file, std::string_view path, std::string_view what,
                      int error) {
  return core::Error{error == ENOENT ? core::ErrorCode::NotFound : core::ErrorCode::Io,
                     fmt::format("{} {}: {}: {}", file, path, what, std::strerror(error))};
}

FileTail::FileTail(std::string path, FollowOptions options, TailNames names,
                   std::size_t max_line_bytes, std::size_t padding)
    : path_(std::move(path)),
      options_(std::move(options)),
      names_(names),
      max_line_bytes_(max_line_bytes),
      padding_(padding) {}

core::Status FileTail::run(LineSink& sink, core::Diagnostics& diagnostics,
                           const std::atomic<bool>* stop) {
  stats_ = {};
  const int fd = ::open(path_.c_str(), openFlags(options_));
  if (fd < 0) return tl::unexpected(tailError(names_.file, path_, "cannot open", errno));
  struct stat info {};
  const int stat_error = ::fstat(fd, &info) != 0 ? errno : (S_ISDIR(info.st_mode) ? EISDIR : 0);
  if (stat_error != 0) {
    ::close(fd);
    return tl::unexpected(tailError(
        names_.file, path_, stat_error == EISDIR ? "cannot read" : "cannot stat", stat_error));
  }
  LineBuffer buffer(max_line_bytes_, padding_);
  Tailer tailer(path_, options_, names_, buffer, sink, fd, info);  // closes fd
  auto status =
      options_.follow ? tailer.follow(diagnostics, stop) : tailer.readOnce(diagnostics, stop);
  stats_ = tailer.stats();
  return status;
}

}  // namespace bulwark::events
