#include "image/fs_view.h"

#include <algorithm>
#include <deque>
#include <exception>
#include <system_error>

#include <fmt/format.h>

#include "core/text.h"

namespace bulwark::image {

namespace {

bool hasWildcard(std::string_view pattern) {
  return pattern.find_first_of("*?") != std::string_view::npos;
}

// The directory part of a pattern before its first wildcard segment: "a/b/*.x" → "a/b/".
std::string_view literalPrefix(std::string_view pattern) {
  const auto wild = pattern.find_first_of("*?");
  if (wild == std::string_view::npos) return pattern;
  const auto slash = pattern.rfind('/', wild);
  return slash == std::string_view::npos ? std::string_view() : pattern.substr(0, slash + 1);
}

}  // namespace

PathFilter::PathFilter(std::vector<std::string> patterns, std::vector<Extractor> extractors,
                       std::vector<ContentScanner*> scanners)
    : patterns_(std::move(patterns)),
      extractors_(std::move(extractors)),
      scanners_(std::move(scanners)) {
  for (const auto& pattern : patterns_) {
    if (!hasWildcard(pattern)) {
      literal_.push_back(pattern);
      continue;
    }
    const std::string_view last = std::string_view(pattern).substr(pattern.rfind('/') + 1);
    globs_.push_back({pattern, hasWildcard(last) ? std::string() : std::string(last)});
  }
  std::sort(literal_.begin(), literal_.end());
}

bool PathFilter::wants(std::string_view path) const {
  if (std::binary_search(literal_.begin(), literal_.end(), path, std::less<>())) return true;
  const std::string_view base = path.substr(path.rfind('/') + 1);
  return std::any_of(globs_.begin(), globs_.end(), [&](const Glob& glob) {
    if (!glob.last_literal.empty() && glob.last_literal != base) return false;
    return core::globMatch(glob.pattern, path);
  });
}

const Extractor* PathFilter::extractorFor(std::string_view path, std::uint32_t mode,
                                          std::uint64_t size) const {
  for (const auto& extractor : extractors_) {
    if (extractor.wants(path, mode, size)) return &extractor;
  }
  return nullptr;
}

bool PathFilter::mayContain(std::string_view directory) const {
  if (hasExtractors()) return true;  // an extractor or a scanner may want any file
  const auto dir = core::split(directory, '/');
  for (const auto& pattern : patterns_) {
    const auto parts = core::split(pattern, '/');
    bool possible = true;
    for (std::size_t i = 0; i < dir.size(); ++i) {
      if (i < parts.size() && parts[i] == "**") break;
      if (i + 1 >= parts.size() || !core::globMatch(parts[i], dir[i])) {
        possible = false;
        break;
      }
    }
    if (possible) return true;
  }
  return false;
}

void ScannerPlan::plan(const PathFilter& filter, const ScannedFile& file,
                       core::Diagnostics& diagnostics, std::string_view where) {
  content_.clear();
  metadata_.clear();
  for (ContentScanner* scanner : filter.scanners()) {
    switch (scanner->wants(file)) {
      case ContentScanner::Want::Nothing: break;
      case ContentScanner::Want::Metadata: metadata_.push_back(scanner); break;
      case ContentScanner::Want::Content:
        if (file.size <= scanner->maxFileBytes()) {
          content_.push_back(scanner);
        } else {
          diagnostics.add(
              fmt::format("{}.file-too-large", scanner->name()),
              fmt::format("{}:{}", where, file.path),
              fmt::format("{} bytes, over the {} byte limit of the {} scanner; not read", file.size,
                          scanner->maxFileBytes(), scanner->name()));
        }
        break;
    }
  }
}

bool ScannerPlan::acceptHead(const ScannedFile& file, std::string_view head) {
  std::erase_if(content_, [&](const ContentScanner* scanner) {
    return !scanner->acceptsHead(file, head.substr(0, kScannerHeadBytes));
  });
  return !content_.empty();
}

namespace {

void runScanner(ContentScanner* scanner, const ScannedFile& file, std::string_view content,
                core::Diagnostics& diagnostics, std::string_view where) {
  try {
    scanner->scan(file, content, diagnostics);
  } catch (const std::exception& error) {
    diagnostics.add(fmt::format("{}.failed", scanner->name()),
                    fmt::format("{}:{}", where, file.path), error.what());
  }
}

}  // namespace

void ScannerPlan::run(const ScannedFile& file, std::string_view content,
                      core::Diagnostics& diagnostics, std::string_view where,
                      ScanPool* pool) const {
  for (ContentScanner* scanner : metadata_) runScanner(scanner, file, {}, diagnostics, where);
  if (content_.empty()) return;
  if (pool != nullptr) {
    pool->submit(content_, file, content, diagnostics, where);
    return;
  }
  for (ContentScanner* scanner : content_) runScanner(scanner, file, content, diagnostics, where);
}

struct ScanPool::Task {
  std::vector<ContentScanner*> scanners;
  std::string path;
  std::uint32_t mode = 0;
  std::string layer;
  std::string content;
  core::Diagnostics* diagnostics = nullptr;
  std::string where;
};

ScanPool::ScanPool(unsigned threads, std::size_t max_bytes) : max_bytes_(max_bytes) {
  // A thread that cannot be created (out of threads or memory) leaves the pool smaller; with
  // none at all, submit() runs the scanners in the caller's thread.
  try {
    for (unsigned i = 0; i < std::max(1U, threads); ++i) threads_.emplace_back([this] { work(); });
  } catch (const std::system_error&) {
  }
}

ScanPool::~ScanPool() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void ScanPool::submit(const std::vector<ContentScanner*>& scanners, const ScannedFile& file,
                      std::string_view content, core::Diagnostics& diagnostics,
                      std::string_view where) {
  if (threads_.empty()) {
    for (ContentScanner* scanner : scanners) runScanner(scanner, file, content, diagnostics, where);
    return;
  }
  auto task = std::make_unique<Task>();
  task->scanners = scanners;
  task->path = std::string(file.path);
  task->mode = file.mode;
  task->layer = std::string(file.layer);
  task->diagnostics = &diagnostics;
  task->where = std::string(where);
  std::unique_lock lock(mutex_);
  // A file larger than the budget goes alone: it waits until nothing else is queued.
  changed_.wait(lock,
                [&] { return queued_bytes_ == 0 || queued_bytes_ + content.size() <= max_bytes_; });
  queued_bytes_ += content.size();  // reserved before the copy, so walkers cannot overshoot
  lock.unlock();
  task->content.assign(content);  // copied outside the lock: the walker's buffer is reused
  lock.lock();
  queue_.push_back(std::move(task));
  lock.unlock();
  changed_.notify_all();
}

void ScanPool::wait() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
}

void ScanPool::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::unique_ptr<Task> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    const ScannedFile file{task->path, task->mode, task->content.size(), task->layer};
    for (ContentScanner* scanner : task->scanners) {
      runScanner(scanner, file, task->content, *task->diagnostics, task->where);
    }
    const std::size_t bytes = task->content.size();
    task.reset();
    lock.lock();
    queued_bytes_ -= bytes;
    --running_;
    changed_.notify_all();
  }
}

const FileEntry* FsView::find(std::string_view path) const {
  const auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

const FileEntry* FsView::resolve(std::string_view path) const {
  std::deque<std::string> pending;
  for (const auto part : core::split(path, '/')) pending.emplace_back(part);
  std::string current;
  int hops = 0;
  while (!pending.empty()) {
    const std::string part = std::move(pending.front());
    pending.pop_front();
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      const auto slash = current.rfind('/');
      current = slash == std::string::npos ? std::string() : current.substr(0, slash);
      continue;
    }
    std::string candidate = current.empty() ? part : current + "/" + part;
    const FileEntry* entry = find(candidate);
    if (entry != nullptr && entry->type == FileType::Symlink) {
      if (++hops > kMaxSymlinkHops) return nullptr;
      const std::string_view target = entry->link_target;
      if (!target.empty() && target.front() == '/') current.clear();
      const auto parts = core::split(target, '/');
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.emplace_front(*it);
      continue;
    }
    current = std::move(candidate);
  }
  return find(current);
}

std::vector<std::pair<std::string_view, const FileEntry*>> FsView::glob(
    std::string_view pattern) const {
  std::vector<std::pair<std::string_view, const FileEntry*>> out;
  const std::string_view prefix = literalPrefix(pattern);
  for (auto it = entries_.lower_bound(prefix); it != entries_.end(); ++it) {
    const std::string_view path = it->first;
    if (path.substr(0, prefix.size()) != prefix) break;
    if (it->second.type == FileType::Regular && core::globMatch(pattern, path)) {
      out.emplace_back(path, &it->second);
    }
  }
  return out;
}

std::vector<std::pair<std::string_view, const FileEntry*>> FsView::extracted(
    std::string_view extractor) const {
  std::vector<std::pair<std::string_view, const FileEntry*>> out;
  for (const auto& [path, entry] : entries_) {
    if (entry.extracted_by == extractor && !entry.content.empty()) out.emplace_back(path, &entry);
  }
  return out;
}

std::string runExtractor(const Extractor& extractor, std::string_view path,
                         std::string_view content, core::Diagnostics& diagnostics,
                         std::string_view where) {
  try {
    return extractor.extract(path, content);
  } catch (const std::exception& error) {
    diagnostics.add("extractor.failed", fmt::format("{}:{}", where, core::printable(path)),
                    fmt::format("{}: {}", extractor.name, core::printable(error.what())));
  }
  return {};
}

void FsView::put(std::string path, FileEntry entry) {
  // A non-directory replaces whatever was below the same path in lower layers.
  if (entry.type != FileType::Directory) eraseBelow(path);
  entries_.insert_or_assign(std::move(path), std::move(entry));
}

void FsView::erase(std::string_view path) {
  if (const auto it = entries_.find(path); it != entries_.end()) entries_.erase(it);
  eraseBelow(path);
}

void FsView::eraseBelow(std::string_view directory) {
  if (directory.empty()) {
    entries_.clear();
    return;
  }
  std::string first(directory);
  first += '/';
  std::string last(directory);
  last += static_cast<char>('/' + 1);
  entries_.erase(entries_.lower_bound(first), entries_.lower_bound(last));
}

bool normalizePath(std::string_view raw, std::string& out) {
  out.clear();
  std::vector<std::string_view> parts;
  for (const auto part : core::split(raw, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return false;
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  for (const auto part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return true;
}

}  // namespace bulwark::image
