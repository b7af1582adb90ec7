#include "events/k8s_audit/file_source.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <utility>

#include <fmt/format.h>

namespace bulwark::events::k8s_audit {

namespace {

using simdjson::dom::element;

// Bytes read per read(2); a longer line makes the buffer grow up to kMaxBodyBytes + this.
constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

constexpr std::string_view kMalformed = "k8s-audit.malformed";
constexpr std::string_view kOversize = "k8s-audit.oversize";
constexpr std::string_view kNoTimestamp = "k8s-audit.no-timestamp";
constexpr std::string_view kTruncated = "k8s-audit.truncated";
constexpr std::string_view kUnreadable = "k8s-audit.unreadable";

// While following, the stop flag is looked at least this often: it is set by a signal-handling
// thread that cannot wake us otherwise.
constexpr std::chrono::milliseconds kStopCheck{100};

bool isBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

std::string_view kindOf(element root) {
  std::string_view kind;
  if (root.type() != simdjson::dom::element_type::OBJECT ||
      root.get_object().at_key("kind").get_string().get(kind) != simdjson::SUCCESS) {
    return {};
  }
  return kind;
}

// The auditID of a dropped event, for its diagnostic, when it has one.
std::string auditIdOf(element value) {
  std::string_view id;
  if (value.type() != simdjson::dom::element_type::OBJECT ||
      value.get_object().at_key("auditID").get_string().get(id) != simdjson::SUCCESS) {
    return {};
  }
  // Bounded: the text comes from the input.
  return fmt::format(" (auditID {})", id.substr(0, 64));
}

core::Error ioError(std::string_view path, std::string_view what, int error) {
  return core::Error{error == ENOENT ? core::ErrorCode::NotFound : core::ErrorCode::Io,
                     fmt::format("k8s audit file {}: {}: {}", path, what, std::strerror(error))};
}

// read(2) until `size` bytes or the end of the file; the count read, or -1 with errno.
ssize_t readFully(int fd, char* out, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

// Closes the descriptor on every path out of FileSource::run.
struct FdGuard {
  explicit FdGuard(int descriptor) : fd(descriptor) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
  int fd = -1;
};

bool stopped(const std::atomic<bool>* stop) {
  return stop != nullptr && stop->load(std::memory_order_relaxed);
}

// Bytes read from a file and not decoded yet (an incomplete last line) with room to read more,
// followed by simdjson's padding so that the last line parses in place.
class ReadBuffer {
 public:
  ReadBuffer() : data_(std::make_unique<char[]>(capacity_ + simdjson::SIMDJSON_PADDING)) {}

  // read(2) into the free room until it is full or the file ends: the count read, or -1 with
  // errno.
  ssize_t fill(int fd) {
    const ssize_t n = readFully(fd, data_.get() + filled_, capacity_ - filled_);
    if (n > 0) filled_ += static_cast<std::size_t>(n);
    return n;
  }
  [[nodiscard]] std::string_view view() const { return {data_.get(), filled_}; }
  [[nodiscard]] bool full() const { return filled_ == capacity_; }
  void consume(std::size_t count) {
    std::memmove(data_.get(), data_.get() + count, filled_ - count);
    filled_ -= count;
  }
  void clear() { filled_ = 0; }

  // One line fills the buffer: grow it (feed skips a line over kMaxBodyBytes, so
  // kMaxBodyBytes + one block always makes progress).
  void grow() { resize(std::min(capacity_ * 2, kMaxBodyBytes + kBlockBytes)); }

  // Back to one block once a long line is gone: a follow run lasts for days.
  void shrink() {
    if (capacity_ > kBlockBytes && filled_ <= kBlockBytes / 2) resize(kBlockBytes);
  }

 private:
  void resize(std::size_t capacity) {
    auto data = std::make_unique<char[]>(capacity + simdjson::SIMDJSON_PADDING);
    std::memcpy(data.get(), data_.get(), filled_);
    data_ = std::move(data);
    capacity_ = capacity;
  }

  std::size_t capacity_ = kBlockBytes;
  std::size_t filled_ = 0;
  std::unique_ptr<char[]> data_;
};

// A file, whatever its names: the path naming another one is a rotation. The open descriptor
// keeps the old inode alive, so its number cannot be reused by a re-created file.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  explicit FileId(const struct stat& info) : dev(info.st_dev), ino(info.st_ino) {}
  FileId() = default;
  friend bool operator==(const FileId&, const FileId&) = default;
};

// FileSource::run with follow (docs/dev/runtime-design.md §2.1). Each round: stat the path, read
// the open file to its end, then switch to a new file at the path (rotation) or start again
// after a truncation, or else wait for inotify, the poll timeout or stop.
class Follower {
 public:
  Follower(const std::string& path, const FollowOptions& options, LineDecoder& decoder, int fd,
           const struct stat& info)
      : path_(path),
        options_(options),
        decoder_(decoder),
        fd_(fd),
        id_(info),
        regular_(S_ISREG(info.st_mode)) {}
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;
  ~Follower() {
    if (fd_ >= 0) ::close(fd_);
    if (inotify_ >= 0) ::close(inotify_);
  }

  core::Status run(const EventCallback& on_event, core::Diagnostics& diagnostics,
                   const std::atomic<bool>* stop) {
    if (options_.from_end && regular_) startAtEnd();
    watch();
    while (!stopped(stop)) {
      // The path first, the file second: whatever was written to the old file before the new
      // one appeared is read before switching.
      struct stat named {};
      const bool present = ::stat(path_.c_str(), &named) == 0;
      if (auto status = drain(on_event, diagnostics, stop); !status) return status;
      if (stopped(stop)) break;
      if (present && FileId(named) != id_) {
        if (switchFile(on_event, diagnostics)) continue;
      } else if (regular_) {
        auto shrank = checkTruncation(on_event, diagnostics);
        if (!shrank) return tl::unexpected(shrank.error());
        if (*shrank) continue;
      }
      wait(stop);
    }
    return {};
  }

  [[nodiscard]] std::uint64_t rotations() const { return rotations_; }
  [[nodiscard]] std::uint64_t truncations() const { return truncations_; }

 private:
  // from_end: skip what is there; when the last line is still being written, its rest too.
  void startAtEnd() {
    const off_t end = ::lseek(fd_, 0, SEEK_END);
    if (end <= 0) return;
    offset_ = static_cast<std::uint64_t>(end);
    char last = '\n';
    if (::pread(fd_, &last, 1, end - 1) == 1 && last != '\n') decoder_.skipToNextLine();
  }

  // Reads the open file to its end; lines without their '\n' yet stay in the buffer.
  core::Status drain(const EventCallback& on_event, core::Diagnostics& diagnostics,
                     const std::atomic<bool>* stop) {
    while (true) {
      const ssize_t n = buffer_.fill(fd_);
      if (n < 0) return tl::unexpected(ioError(path_, "cannot read", errno));
      offset_ += static_cast<std::uint64_t>(n);
      const bool at_end = !buffer_.full();
      const auto fed = decoder_.feed(buffer_.view(), false, on_event, diagnostics);
      buffer_.consume(fed.consumed);
      if (at_end || stopped(stop)) break;
      if (buffer_.full()) buffer_.grow();
    }
    buffer_.shrink();
    return {};
  }

  // The open file is left for good (rotated away, or truncated): its last line will get no
  // '\n' any more, so it is decoded as it is, as at the end of a run without follow.
  void finishFile(const EventCallback& on_event, core::Diagnostics& diagnostics) {
    decoder_.feed(buffer_.view(), true, on_event, diagnostics);
    buffer_.clear();
    buffer_.shrink();
    decoder_.startFile();
  }

  // A new file at the path: true once it is open (and the old one finished), false to wait
  // (gone again, a directory for now, or not readable).
  bool switchFile(const EventCallback& on_event, core::Diagnostics& diagnostics) {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const int error = errno;
      struct stat named {};
      if (error != ENOENT && ::stat(path_.c_str(), &named) == 0 && FileId(named) != unreadable_) {
        // Once per file: a rotation that created it with the wrong owner stalls the source.
        unreadable_ = FileId(named);
        diagnostics.add(
            std::string(kUnreadable), path_,
            fmt::format("the new file cannot be opened: {}; waiting", std::strerror(error)));
      }
      return false;
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
      ::close(fd);
      return false;
    }
    finishFile(on_event, diagnostics);
    ::close(fd_);
    fd_ = fd;
    id_ = FileId(info);
    regular_ = S_ISREG(info.st_mode);
    offset_ = 0;
    ++rotations_;
    watchFile();
    return true;
  }

  // copytruncate: the file is shorter than what was read from it. True when it was.
  core::Result<bool> checkTruncation(const EventCallback& on_event,
                                     core::Diagnostics& diagnostics) {
    struct stat info {};
    if (::fstat(fd_, &info) != 0) return tl::unexpected(ioError(path_, "cannot stat", errno));
    const auto size = static_cast<std::uint64_t>(info.st_size);
    if (size >= offset_) return false;
    if (::lseek(fd_, 0, SEEK_SET) != 0) {
      return tl::unexpected(ioError(path_, "cannot seek", errno));
    }
    finishFile(on_event, diagnostics);
    diagnostics.add(std::string(kTruncated), path_,
                    fmt::format("the file shrank from {} to {} bytes (copytruncate rotation?); "
                                "reading it again from the start",
                                offset_, size));
    offset_ = 0;
    ++truncations_;
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
  // reports does not matter: the next round looks at the path and the file anyway.
  void wait(const std::atomic<bool>* stop) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::max(options_.poll, std::chrono::milliseconds{1});
    while (!stopped(stop)) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
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
  FollowOptions options_;
  LineDecoder& decoder_;
  ReadBuffer buffer_;
  int fd_ = -1;
  FileId id_;
  bool regular_ = false;
  std::uint64_t offset_ = 0;  // bytes read from fd_: its read position
  int inotify_ = -1;
  int file_watch_ = -1;
  FileId unreadable_;  // the last new file that could not be opened (reported once)
  std::uint64_t rotations_ = 0;
  std::uint64_t truncations_ = 0;
};

}  // namespace

LineDecoder::LineDecoder(std::string name) : name_(std::move(name)) {}

std::string LineDecoder::where(std::uint64_t line) const {
  return fmt::format("{}:{}", name_, line);
}

void LineDecoder::deliver(element root, std::size_t size, bool is_line, std::uint64_t line,
                          const EventCallback& on_event, core::Diagnostics& diagnostics) {
  // A line is capped at kMaxEventBytes unless it holds several events (an EventList or an
  // array, capped at kMaxBodyBytes by the framing); then each event is measured on its own.
  const bool large = size > kMaxEventBytes;
  if (large && is_line && root.type() != simdjson::dom::element_type::ARRAY &&
      kindOf(root) != "EventList") {
    ++stats_.bad_lines;
    diagnostics.add(std::string(kOversize), where(line),
                    fmt::format("line of {} bytes is over the {}-byte event limit; skipped", size,
                                kMaxEventBytes));
    return;
  }
  events_.clear();
  dropped_.clear();
  if (auto status = collectEvents(root, events_, dropped_, large); !status) {
    ++stats_.bad_lines;
    diagnostics.add(std::string(kMalformed), where(line), status.error().message);
    return;
  }
  for (const DroppedEvent& drop : dropped_) {
    ++stats_.skipped_events;
    if (drop.reason == DropReason::Oversize) {
      diagnostics.add(std::string(kOversize), where(line),
                      fmt::format("event{} is over the {}-byte event limit; skipped",
                                  auditIdOf(drop.value), kMaxEventBytes));
    } else {
      diagnostics.add(std::string(kNoTimestamp), where(line),
                      fmt::format("event{} has no valid stageTimestamp (RFC 3339); skipped",
                                  auditIdOf(drop.value)));
    }
  }
  for (const AuditEvent& audit : events_) {
    ++stats_.events;
    on_event(Event{Source::K8sAudit, audit.ts_ns, next_num_++, &audit});
  }
}

LineDecoder::FeedResult LineDecoder::feed(std::string_view data, bool at_end,
                                          const EventCallback& on_event,
                                          core::Diagnostics& diagnostics) {
  FeedResult result;
  std::size_t pos = 0;
  while (pos < data.size()) {
    const char* start = data.data() + pos;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', data.size() - pos));
    if (skipping_) {
      pos = newline != nullptr ? static_cast<std::size_t>(newline - data.data()) + 1 : data.size();
      skipping_ = newline == nullptr;
      continue;
    }
    const std::size_t length =
        newline != nullptr ? static_cast<std::size_t>(newline - start) : data.size() - pos;
    if (newline == nullptr && !at_end) {
      // An incomplete line: wait for the rest, unless it is already over every cap.
      if (length > kMaxBodyBytes) {
        check_first_line_ = false;
        ++line_;
        ++stats_.lines;
        ++stats_.bad_lines;
        diagnostics.add(std::string(kOversize), where(line_),
                        fmt::format("line over the {}-byte limit; skipped", kMaxBodyBytes));
        skipping_ = true;
        pos = data.size();
      }
      break;
    }
    std::string_view text(start, length);
    const std::size_t next = pos + length + (newline != nullptr ? 1 : 0);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (line_ == 0 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
    if (isBlank(text)) {
      ++line_;
      ++stats_.lines;
      pos = next;
      continue;
    }
    if (text.size() > kMaxBodyBytes) {
      check_first_line_ = false;
      ++line_;
      ++stats_.lines;
      ++stats_.bad_lines;
      diagnostics.add(std::string(kOversize), where(line_),
                      fmt::format("line of {} bytes is over the {}-byte limit; skipped",
                                  text.size(), kMaxBodyBytes));
      pos = next;
      continue;
    }
    // The bytes after the line (the next lines, or the caller's padding) are readable, so
    // simdjson parses in place.
    element root;
    const auto error =
        parser_.parse(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), false)
            .get(root);
    if (error != simdjson::SUCCESS && check_first_line_) {
      result.first_line_not_json = true;
      result.consumed = pos;
      return result;
    }
    check_first_line_ = false;
    ++line_;
    ++stats_.lines;
    if (error != simdjson::SUCCESS) {
      ++stats_.bad_lines;
      diagnostics.add(std::string(kMalformed), where(line_),
                      fmt::format("not valid JSON: {}", simdjson::error_message(error)));
    } else {
      deliver(root, text.size(), true, line_, on_event, diagnostics);
    }
    pos = next;
  }
  result.consumed = pos;
  return result;
}

bool LineDecoder::decodeDocuments(const simdjson::padded_string& text,
                                  const EventCallback& on_event, core::Diagnostics& diagnostics) {
  simdjson::dom::document_stream stream;
  // One batch as large as the text, so that a document may be as large as the file.
  if (parser_.parse_many(text.data(), text.size(), std::max<std::size_t>(text.size(), 1024))
          .get(stream) != simdjson::SUCCESS) {
    return false;
  }
  const std::string_view all(text.data(), text.size());
  std::size_t counted_to = 0;  // newlines before this offset are counted in `line`
  std::uint64_t line = 1;
  bool first = true;
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    const std::size_t at = std::min(it.current_index(), all.size());
    line +=
        static_cast<std::uint64_t>(std::count(all.begin() + static_cast<std::ptrdiff_t>(counted_to),
                                              all.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    counted_to = at;
    element root;
    const auto error = (*it).get(root);
    if (first) {
      // Only an object or array valid to its end and spread over lines means "documents"
      // (source() is exact for those two).
      if (error != simdjson::SUCCESS || at >= all.size() || (all[at] != '{' && all[at] != '[') ||
          it.source().find('\n') == std::string_view::npos) {
        return false;
      }
      first = false;
    }
    if (error != simdjson::SUCCESS) {
      ++stats_.bad_lines;
      diagnostics.add(std::string(kMalformed), where(line),
                      fmt::format("not valid JSON: {}; the rest of the file is not read",
                                  simdjson::error_message(error)));
      break;
    }
    deliver(root, text.size(), false, line, on_event, diagnostics);
  }
  if (first) return false;  // no document at all
  stats_.lines = static_cast<std::uint64_t>(std::count(all.begin(), all.end(), '\n')) +
                 (!all.empty() && all.back() != '\n' ? 1 : 0);
  return true;
}

void LineDecoder::startFile() {
  line_ = 0;
  skipping_ = false;
}

FileSource::FileSource(std::string path, FollowOptions follow)
    : path_(std::move(path)), follow_(follow) {}

core::Status FileSource::run(const EventCallback& on_event, core::Diagnostics& diagnostics,
                             const std::atomic<bool>* stop) {
  FdGuard guard(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (guard.fd < 0) return tl::unexpected(ioError(path_, "cannot open", errno));
  struct stat info {};
  if (::fstat(guard.fd, &info) != 0) return tl::unexpected(ioError(path_, "cannot stat", errno));
  if (S_ISDIR(info.st_mode)) return tl::unexpected(ioError(path_, "cannot read", EISDIR));
  const bool regular = S_ISREG(info.st_mode);
  const auto file_size = static_cast<std::size_t>(info.st_size);

  LineDecoder decoder(path_);
  if (follow_.follow) {
    decoder.setFallbackCheck(false);
    Follower follower(path_, follow_, decoder, std::exchange(guard.fd, -1), info);
    auto status = follower.run(on_event, diagnostics, stop);
    stats_ = decoder.stats();
    stats_.rotations = follower.rotations();
    stats_.truncations = follower.truncations();
    return status;
  }

  decoder.setFallbackCheck(regular && file_size <= kMaxDocumentFileBytes);
  ReadBuffer buffer;
  bool at_end = false;
  while (true) {
    if (!at_end) {
      const ssize_t n = buffer.fill(guard.fd);
      if (n < 0) return tl::unexpected(ioError(path_, "cannot read", errno));
      at_end = !buffer.full();
    }
    const auto fed = decoder.feed(buffer.view(), at_end, on_event, diagnostics);
    if (fed.first_line_not_json) {
      // Perhaps a pretty-printed file (kubectl output, a saved EventList): read it whole.
      decoder.setFallbackCheck(false);
      simdjson::padded_string whole(file_size);
      const ssize_t n = ::pread(guard.fd, whole.data(), file_size, 0);
      if (n < 0) return tl::unexpected(ioError(path_, "cannot read", errno));
      if (static_cast<std::size_t>(n) == file_size &&
          decoder.decodeDocuments(whole, on_event, diagnostics)) {
        break;
      }
    }
    buffer.consume(fed.consumed);
    if (fed.first_line_not_json) continue;  // the same bytes again, as lines
    if (at_end || stopped(stop)) break;
    if (buffer.full()) buffer.grow();
  }
  stats_ = decoder.stats();
  return {};
}

}  // namespace bulwark::events::k8s_audit
