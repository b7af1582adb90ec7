// FsView: a read-only view of the files of an image's merged filesystem (or a root directory)
// that the catalogers asked for. Layers are streamed once; only requested files keep content,
// so memory follows what the catalogers read, not the size of the image.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/diagnostic.h"
#include "image/content_scanner.h"

namespace bulwark::image {

enum class FileType { Regular, Directory, Symlink, Other };

struct FileEntry {
  FileType type = FileType::Regular;
  std::uint32_t mode = 0;
  std::uint64_t size = 0;
  std::string layer_digest;  // the layer that wrote this entry last; empty for a root directory
  std::string link_target;   // symlinks
  std::string content;       // regular files the catalogers asked for (or an extractor's summary)
  // The Extractor whose summary `content` is (its name), "" when content is the whole file.
  std::string_view extracted_by;
};

// Files that are too large or too many to keep whole — executables (Go and Rust build info),
// Java archives — are summarized while the layers stream past: `wants` sees every regular file's
// path (relative to the root), mode and size; `extract` gets the whole content once and returns
// the little a cataloger needs, or "" for nothing (the file is then not kept at all). Memory
// follows the largest such file, not their sum. `extract` must not throw; it runs on untrusted
// bytes. Name and functions are static (catalogers return these from extractors()).
struct Extractor {
  std::string_view name;
  bool (*wants)(std::string_view path, std::uint32_t mode, std::uint64_t size) noexcept;
  std::string (*extract)(std::string_view path, std::string_view content);
  std::uint64_t max_file_bytes;  // larger files are skipped (counted as a diagnostic)
  // Optional: looks at the first kExtractorHeadBytes (fewer for a shorter file) and says whether
  // the file can be the extractor's at all ("\x7fELF", "PK\3\4"); when it cannot, the rest is
  // skipped without being copied.
  bool (*accepts_head)(std::string_view head) noexcept = nullptr;
};

inline constexpr std::size_t kExtractorHeadBytes = 64;

// Which paths a run needs: glob patterns over paths relative to the root, no leading '/'
// ("var/lib/dpkg/status", "var/lib/dpkg/status.d/*"). See core::globMatch.
class PathFilter {
 public:
  explicit PathFilter(std::vector<std::string> patterns, std::vector<Extractor> extractors = {},
                      std::vector<ContentScanner*> scanners = {});
  [[nodiscard]] bool wants(std::string_view path) const;
  // The first extractor that wants this regular file, or nullptr.
  [[nodiscard]] const Extractor* extractorFor(std::string_view path, std::uint32_t mode,
                                              std::uint64_t size) const;
  // Whether any extractor or scanner is registered (directory walks cannot then be pruned).
  [[nodiscard]] bool hasExtractors() const { return !extractors_.empty() || !scanners_.empty(); }
  // The content scanners that see every regular file of every layer (not owned).
  [[nodiscard]] const std::vector<ContentScanner*>& scanners() const { return scanners_; }
  // Whether some wanted path could lie below `directory` (prunes directory walks).
  [[nodiscard]] bool mayContain(std::string_view directory) const;
  [[nodiscard]] const std::vector<std::string>& patterns() const { return patterns_; }

 private:
  std::vector<std::string> patterns_;
  std::vector<std::string> literal_;  // patterns without wildcards, sorted for binary search
  struct Glob {
    std::string pattern;
    // The last segment when it has no wildcard ("METADATA" of "**/*.dist-info/METADATA"): a
    // path whose last segment differs cannot match, which rejects almost every path of an
    // image without running the matcher.
    std::string last_literal;
  };
  std::vector<Glob> globs_;
  std::vector<Extractor> extractors_;
  std::vector<ContentScanner*> scanners_;
};

// Runs content scanners off the walker's thread: a layer is decompressed and parsed by one
// thread, so its files are scanned by others while it goes on. Each task owns a copy of its
// file's bytes; at most `max_bytes` of them wait at once (a larger file waits for an empty
// queue), so memory stays bounded. The destructor waits for every task.
class ScanPool {
 public:
  explicit ScanPool(unsigned threads, std::size_t max_bytes = 32U << 20);
  ~ScanPool();
  ScanPool(const ScanPool&) = delete;
  ScanPool& operator=(const ScanPool&) = delete;

  // Queues scanners × (file, content); blocks while the queue holds max_bytes already.
  void submit(const std::vector<ContentScanner*>& scanners, const ScannedFile& file,
              std::string_view content, core::Diagnostics& diagnostics, std::string_view where);
  // Returns when every queued task has run.
  void wait();

 private:
  struct Task;
  void work();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Task>> queue_;
  std::size_t queued_bytes_ = 0;
  std::size_t running_ = 0;
  std::size_t max_bytes_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// Which content scanners want one file, worked out once per file by the walkers (layers and
// root directories) and reused across files to avoid allocations.
class ScannerPlan {
 public:
  // Asks every scanner of `filter` about `file`; a scanner that wants the content of a file over
  // its size limit gets a "<name>.file-too-large" diagnostic instead.
  void plan(const PathFilter& filter, const ScannedFile& file, core::Diagnostics& diagnostics,
            std::string_view where);
  [[nodiscard]] bool empty() const { return content_.empty() && metadata_.empty(); }
  [[nodiscard]] bool wantsContent() const { return !content_.empty(); }
  // Drops the content scanners (the file cannot be read); metadata scanners still run.
  void dropContent() { content_.clear(); }
  // Drops the content scanners whose acceptsHead() refuses `head`; true when any remains.
  bool acceptHead(const ScannedFile& file, std::string_view head);
  // Runs the metadata scanners, and the content scanners on `content` (the whole file, or
  // nothing when it could not be read) — on `pool` when given, else here; exceptions become
  // "<name>.failed" diagnostics.
  void run(const ScannedFile& file, std::string_view content, core::Diagnostics& diagnostics,
           std::string_view where, ScanPool* pool = nullptr) const;

 private:
  std::vector<ContentScanner*> content_;
  std::vector<ContentScanner*> metadata_;
};

class FsView {
 public:
  // Entry at exactly this path (no symlink following), or nullptr.
  [[nodiscard]] const FileEntry* find(std::string_view path) const;
  // Follows symlinks in every component, strictly inside the root ("../" stops at the root,
  // absolute targets are taken relative to the root), at most kMaxSymlinkHops hops.
  [[nodiscard]] const FileEntry* resolve(std::string_view path) const;
  // Regular files whose paths match `pattern`, in path order.
  [[nodiscard]] std::vector<std::pair<std::string_view, const FileEntry*>> glob(
      std::string_view pattern) const;
  // Summaries an Extractor called `extractor` produced, in path order.
  [[nodiscard]] std::vector<std::pair<std::string_view, const FileEntry*>> extracted(
      std::string_view extractor) const;

  void put(std::string path, FileEntry entry);
  void erase(std::string_view path);
  // Removes every entry strictly below `directory` (opaque directories, replaced directories).
  void eraseBelow(std::string_view directory);
  [[nodiscard]] const std::map<std::string, FileEntry, std::less<>>& entries() const {
    return entries_;
  }

  static constexpr int kMaxSymlinkHops = 40;

 private:
  std::map<std::string, FileEntry, std::less<>> entries_;
};

// Runs `extractor` on one file; an exception (a bug: extractors must not throw) becomes an
// "extractor.failed" diagnostic and no summary.
std::string runExtractor(const Extractor& extractor, std::string_view path,
                         std::string_view content, core::Diagnostics& diagnostics,
                         std::string_view where);

// Normalises a path from an archive or a link target: strips "./" and leading '/', collapses
// "//" and "."; resolves ".." lexically. Returns false for a path that climbs above the root.
bool normalizePath(std::string_view raw, std::string& out);

}  // namespace bulwark::image
