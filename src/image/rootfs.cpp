// A root filesystem on disk (an unpacked image, a chroot, or a host's "/"). Only the paths the
// catalogers want are opened; every lookup goes through openat2(RESOLVE_IN_ROOT), so symlinks
// are followed as if the directory were "/" and can never lead outside it.
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/text.h"
#include "image/sources.h"

namespace bulwark::image {

using core::ErrorCode;

namespace {

constexpr int kMaxWalkDepth = 64;

// Kernel filesystems mounted into a host's root (/proc, /sys, /dev/pts, cgroups, ...): no
// package lives there, and walking them is slow or endless. Trivy skips proc, sys and dev.
bool isKernelFilesystem(int fd, std::string_view rel) {
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0) return false;
  switch (static_cast<unsigned long>(fs.f_type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case SECURITYFS_MAGIC:
    case BPF_FS_MAGIC:
    case PSTOREFS_MAGIC:
    case HUGETLBFS_MAGIC:
    case SELINUX_MAGIC: return true;
    // devtmpfs reports tmpfs's magic: only the top-level /dev is skipped.
    case TMPFS_MAGIC: return rel == "dev";
    default: return false;
  }
}
constexpr std::uint64_t kMaxWalkEntries = 5'000'000;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&&) = delete;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }

 private:
  int fd_;
};

int openInRoot(int root, const std::string& path, int flags) {
  struct open_how how {};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(
      ::syscall(SYS_openat2, root, path.empty() ? "." : path.c_str(), &how, sizeof how));
}

class RootfsImage final : public Image {
 public:
  RootfsImage(std::string dir, model::Target target, const SourceOptions& options)
      : dir_(std::move(dir)), limits_(options.limits) {
    target_ = std::move(target);
  }

  core::Result<FsView> readFiles(const PathFilter& filter, core::Diagnostics& diagnostics,
                                 bool /*show_progress*/) override {
    Fd root(::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) {
      return core::fail(ErrorCode::NotFound, "{}: {}", dir_, std::strerror(errno));
    }
    FsView view;
    // Literal paths are opened directly; wildcard patterns walk the directory before their
    // first wildcard, each directory once: a walk covers every pattern (wants() checks them
    // all), so a directory below another walked one is not walked again. Extractors may want
    // any file: they walk from the root.
    std::vector<std::string> prefixes;
    if (filter.hasExtractors()) prefixes.emplace_back();
    for (const auto& pattern : filter.patterns()) {
      const auto wild = pattern.find_first_of("*?");
      if (wild == std::string::npos) {
        readFile(root.get(), pattern, view, diagnostics);
        continue;
      }
      const auto slash = pattern.rfind('/', wild);
      prefixes.push_back(slash == std::string::npos ? "" : pattern.substr(0, slash));
    }
    std::sort(prefixes.begin(), prefixes.end());
    prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
    std::vector<std::string> walks;
    for (auto& prefix : prefixes) {
      const bool covered = std::any_of(walks.begin(), walks.end(), [&](const std::string& done) {
        return done.empty() || prefix.starts_with(done + "/");
      });
      if (!covered) walks.push_back(std::move(prefix));
    }
    // Content scanners run beside the walk (one thread reads, the others scan).
    std::optional<ScanPool> pool;
    if (!filter.scanners().empty()) pool.emplace(std::max(1U, std::thread::hardware_concurrency()));
    pool_ = pool ? &*pool : nullptr;
    core::Status walked;
    for (const auto& prefix : walks) {
      Fd dir(openInRoot(root.get(), prefix, O_RDONLY | O_DIRECTORY));
      if (!dir.valid()) continue;  // absent directories are simply not there
      std::uint64_t visited = 0;
      walked = walk(root.get(), dir.get(), prefix, filter, view, diagnostics, 0, visited);
      if (!walked) break;
    }
    if (pool) pool->wait();
    pool_ = nullptr;
    if (!walked) return tl::unexpected(walked.error());
    return view;
  }

 private:
  void readFile(int root, const std::string& path, FsView& view, core::Diagnostics& diagnostics) {
    if (view.find(path) != nullptr) return;
    Fd fd(openInRoot(root, path, O_RDONLY | O_NONBLOCK));
    if (!fd.valid()) {
      if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP) {
        diagnostics.add("rootfs.unreadable", path, std::strerror(errno));
      }
      return;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    FileEntry entry;
    entry.type = FileType::Regular;
    entry.mode = st.st_mode & 07777;
    entry.size = static_cast<std::uint64_t>(st.st_size);
    if (entry.size > limits_.max_file_bytes) {
      if (!too_large_.insert(path).second) return;  // a literal pattern the walk meets again
      diagnostics.add("rootfs.file-too-large", path,
                      fmt::format("{} bytes, over the {} byte limit; not read", entry.size,
                                  limits_.max_file_bytes));
      return;
    }
    entry.content.resize(entry.size);
    std::size_t filled = 0;
    while (filled < entry.content.size()) {
      const ssize_t got =
          ::read(fd.get(), entry.content.data() + filled, entry.content.size() - filled);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      filled += static_cast<std::size_t>(got);
    }
    entry.content.resize(filled);  // a file that shrank while read keeps what was there
    entry.size = filled;
    view.put(path, std::move(entry));
  }

  // A file an Extractor or a content scanner wants and the view does not keep: read whole into
  // a reused buffer; only the extractor's summary is kept.
  void summarize(int root, const std::string& path, const Extractor* extractor, bool planned,
                 const ScannedFile& scanned, FsView& view, core::Diagnostics& diagnostics) {
    Fd fd(openInRoot(root, path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      if (planned) {  // gone or replaced since it was listed: what was listed still counts
        plan_.dropContent();
        plan_.run(scanned, {}, diagnostics, dir_);
      }
      return;
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    // A live filesystem changes under the walk: a file that grew or was replaced since it was
    // planned is not read for the scanners (their size limits held for the old size).
    if (planned && size != scanned.size) plan_.dropContent();
    bool extract = extractor != nullptr;
    if (extract && size > extractor->max_file_bytes) {
      diagnostics.add("rootfs.file-too-large", path,
                      fmt::format("{} bytes, over the {} byte limit of the {} extractor; not read",
                                  size, extractor->max_file_bytes, extractor->name));
      extract = false;
    }
    if (!extract && !(planned && plan_.wantsContent())) {
      if (planned) plan_.run(scanned, {}, diagnostics, dir_);  // metadata scanners only
      return;
    }
    buffer_.resize(size);
    auto read_to = [&](std::size_t from, std::size_t to) {
      while (from < to) {
        const ssize_t got = ::read(fd.get(), buffer_.data() + from, to - from);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        from += static_cast<std::size_t>(got);
      }
      return from;
    };
    // The head first: a file nobody can want is not read further.
    std::size_t filled = read_to(
        0, std::min<std::size_t>(buffer_.size(), std::max(kExtractorHeadBytes, kScannerHeadBytes)));
    const std::string_view head = std::string_view(buffer_).substr(0, filled);
    extract = extract && (extractor->accepts_head == nullptr ||
                          extractor->accepts_head(head.substr(0, kExtractorHeadBytes)));
    const bool scan = planned && plan_.acceptHead(scanned, head);
    if (!extract && !scan) {
      if (planned) plan_.run(scanned, {}, diagnostics, dir_);
      return;
    }
    filled = read_to(filled, buffer_.size());
    const std::string_view content = std::string_view(buffer_).substr(0, filled);
    if (planned) plan_.run(scanned, content, diagnostics, dir_, pool_);
    if (extract) {
      FileEntry entry;
      entry.type = FileType::Regular;
      entry.mode = st.st_mode & 07777;
      entry.size = filled;
      entry.extracted_by = extractor->name;
      entry.content = runExtractor(*extractor, path, content, diagnostics, dir_);
      if (!entry.content.empty()) view.put(path, std::move(entry));
    }
    if (buffer_.capacity() > kKeepBufferBytes) std::string().swap(buffer_);
  }

  core::Status walk(int root, int dir_fd, const std::string& rel, const PathFilter& filter,
                    FsView& view, core::Diagnostics& diagnostics, int depth,
                    std::uint64_t& visited) {
    if (depth > kMaxWalkDepth) return {};
    const int listing = ::dup(dir_fd);
    if (listing < 0) return {};
    DIR* dir = ::fdopendir(listing);
    if (dir == nullptr) {
      ::close(listing);
      return {};
    }
    std::vector<std::pair<std::string, unsigned char>> children;
    while (const dirent* child = ::readdir(dir)) {
      const std::string_view name = child->d_name;
      if (name == "." || name == "..") continue;
      if (++visited > kMaxWalkEntries) {
        ::closedir(dir);
        return core::fail(ErrorCode::Limit, "{}: more than {} entries under {}", dir_,
                          kMaxWalkEntries, rel);
      }
      children.emplace_back(std::string(name), child->d_type);
    }
    ::closedir(dir);
    std::sort(children.begin(), children.end());
    for (const auto& [name, type] : children) {
      const std::string path = rel.empty() ? name : rel + "/" + name;
      struct stat st {};
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        if (!filter.mayContain(path)) continue;
        Fd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!sub.valid() || isKernelFilesystem(sub.get(), path)) continue;
        if (auto ok = walk(root, sub.get(), path, filter, view, diagnostics, depth + 1, visited);
            !ok) {
          return ok;
        }
        continue;
      }
      const bool regular = S_ISREG(st.st_mode);
      const auto size = static_cast<std::uint64_t>(st.st_size);
      const ScannedFile scanned{path, static_cast<std::uint32_t>(st.st_mode & 07777), size, {}};
      const bool scanning = regular && !filter.scanners().empty();
      if (scanning) plan_.plan(filter, scanned, diagnostics, dir_);
      const bool planned = scanning && !plan_.empty();
      if ((regular || S_ISLNK(st.st_mode)) && filter.wants(path)) {
        readFile(root, path, view, diagnostics);
        if (!planned) continue;
        // Content scanners read what the view kept; a file it did not keep (over the size
        // limit) is read for them alone, within their own size limits.
        const FileEntry* kept = view.find(path);
        if (kept != nullptr && kept->extracted_by.empty() && kept->size == kept->content.size()) {
          plan_.acceptHead(scanned, kept->content);
          plan_.run(scanned, kept->content, diagnostics, dir_, pool_);
        } else {
          summarize(root, path, nullptr, true, scanned, view, diagnostics);
        }
      } else if (regular) {
        const Extractor* extractor =
            view.find(path) == nullptr ? filter.extractorFor(path, scanned.mode, size) : nullptr;
        if (extractor != nullptr || planned) {
          summarize(root, path, extractor, planned, scanned, view, diagnostics);
        }
      }
    }
    return {};
  }

  static constexpr std::size_t kKeepBufferBytes = 64U << 20;

  std::string dir_;
  LayerLimits limits_;
  std::set<std::string, std::less<>> too_large_;  // wanted files reported as too large to keep
  std::string buffer_;        // the file an extractor or a scanner reads, reused
  ScannerPlan plan_;          // which content scanners want the current file
  ScanPool* pool_ = nullptr;  // where content scanners run while a walk lasts
};

}  // namespace

core::Result<std::unique_ptr<Image>> openRootfs(const std::string& dir, model::Target target,
                                                const SourceOptions& options) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return core::fail(ErrorCode::NotFound, "{}: not a directory", dir);
  }
  target.kind = "rootfs";
  return std::make_unique<RootfsImage>(dir, std::move(target), options);
}

}  // namespace bulwark::image
