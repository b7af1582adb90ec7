#include "vulndb/db_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "core/text.h"

namespace bulwark::vulndb {

namespace {

constexpr std::chrono::milliseconds kPollInterval{50};
constexpr std::size_t kPidBytes = 32;
constexpr std::size_t kMaxPasses = 1000;  // lock files replaced under us this often: give up

// The pid a holder wrote into the lock file, or "" (informational only).
std::string holderOf(int fd) {
  char buffer[kPidBytes] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return {};
  const std::string_view text = core::trim(std::string_view(buffer, static_cast<std::size_t>(n)));
  return core::parseUnsigned(text) ? std::string(text) : std::string();
}

void writePid(int fd) {
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd, 0) != 0) return;  // informational: a failure does not matter
  (void)!::pwrite(fd, pid.data(), pid.size(), 0);
}

}  // namespace

std::string lockPathFor(const std::string& database) { return database + ".lock"; }

core::Result<DatabaseLock> DatabaseLock::acquire(const std::string& database,
                                                 std::chrono::milliseconds timeout,
                                                 const std::function<void()>& waiting) {
  std::string path = lockPathFor(database);
  if (const auto parent = std::filesystem::path(path).parent_path(); !parent.empty()) {
    std::error_code ignored;  // open() below reports a missing directory
    std::filesystem::create_directories(parent, ignored);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool told = false;
  // Each pass opens the file and locks it; the lock counts only if the file locked is still
  // the one at `path` (a holder unlinks it before it unlocks, see release()).
  for (std::size_t pass = 0;; ++pass) {
    int fd = -1;
    do {
      fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      return core::fail(core::ErrorCode::Io, "{}: cannot open the database lock: {}", path,
                        std::strerror(errno));
    }
    DatabaseLock lock(fd, path);
    while (true) {
      if (::flock(fd, LOCK_EX | LOCK_NB) == 0) break;
      const int error = errno;
      if (error == EINTR) continue;
      if (error != EWOULDBLOCK) {
        return core::fail(core::ErrorCode::Io, "{}: cannot lock: {}", path, std::strerror(error));
      }
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        const std::string holder = holderOf(fd);
        lock.fd_ = -1;  // not ours: close without unlinking
        ::close(fd);
        return core::fail(
            core::ErrorCode::Limit,
            "{}: another bulwark db update or import{} is writing this database; gave up after "
            "{} s (--lock-timeout)",
            path, holder.empty() ? std::string() : fmt::format(" (pid {})", holder),
            std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
      }
      if (!told && waiting) waiting();
      told = true;
      std::this_thread::sleep_for(
          std::min<std::chrono::steady_clock::duration>(kPollInterval, deadline - now));
    }
    struct stat locked {};
    struct stat linked {};
    if (::fstat(fd, &locked) == 0 && ::stat(path.c_str(), &linked) == 0 &&
        locked.st_dev == linked.st_dev && locked.st_ino == linked.st_ino) {
      writePid(fd);
      return lock;
    }
    // The previous holder removed the file while we waited: lock the one at `path` now.
    lock.fd_ = -1;
    ::close(fd);
    if (pass >= kMaxPasses) {
      return core::fail(core::ErrorCode::Io, "{}: the lock file keeps being replaced", path);
    }
  }
}

DatabaseLock::DatabaseLock(DatabaseLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

DatabaseLock& DatabaseLock::operator=(DatabaseLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

DatabaseLock::~DatabaseLock() { release(); }

void DatabaseLock::release() noexcept {
  if (fd_ < 0) return;
  // Unlinked while still locked, so that a waiter that then gets the lock on this (now
  // nameless) file sees it is stale and retries on the path.
  ::unlink(path_.c_str());
  ::close(fd_);  // closing the last descriptor of the open file releases the flock
  fd_ = -1;
}

}  // namespace bulwark::vulndb
