#include "checks/metadata_scanner.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

namespace bulwark::checks {

namespace {

constexpr std::uint32_t kSetid = 06000;

// Cache directories by path prefix; `*` stands for one path segment (a user's home).
constexpr std::string_view kCaches[] = {
    "var/lib/apt/lists/",    "var/cache/apt/archives/",
    "var/cache/apk/",        "root/.cache/pip/",
    "home/*/.cache/pip/",    "root/.npm/_cacache/",
    "home/*/.npm/_cacache/", "usr/local/share/.cache/yarn/",
    "root/.cache/yarn/",     "var/cache/yum/",
    "var/cache/dnf/",
};

// Bookkeeping files that an emptied cache keeps.
bool isBookkeeping(std::string_view path) {
  const auto slash = path.rfind('/');
  const std::string_view name = path.substr(slash == std::string_view::npos ? 0 : slash + 1);
  return name == "lock" || name == ".gitkeep" || name.rfind("installed", 0) == 0;
}

// Matches `prefix` (with `*` for one segment) at the start of `path`; returns its length in
// `path`, or npos.
std::size_t prefixLength(std::string_view prefix, std::string_view path) {
  std::size_t p = 0;
  std::size_t i = 0;
  while (i < prefix.size()) {
    if (prefix[i] == '*') {
      const auto slash = path.find('/', p);
      if (slash == std::string_view::npos || slash == p) return std::string_view::npos;
      p = slash;
      ++i;
      continue;
    }
    if (p >= path.size() || path[p] != prefix[i]) return std::string_view::npos;
    ++p;
    ++i;
  }
  return p;
}

}  // namespace

std::string_view MetadataScanner::cacheDirectory(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (const auto prefix : kCaches) {
    const std::size_t length = prefixLength(prefix, path);
    if (length == std::string_view::npos || length >= path.size()) continue;
    if (isBookkeeping(path)) return {};
    return path.substr(0, length - 1);
  }
  return {};
}

image::ContentScanner::Want MetadataScanner::wants(const image::ScannedFile& file) const noexcept {
  if ((file.mode & kSetid) != 0 || !cacheDirectory(file.path).empty()) return Want::Metadata;
  return Want::Nothing;
}

void MetadataScanner::scan(const image::ScannedFile& file, std::string_view /*content*/,
                           core::Diagnostics& diagnostics) {
  std::string_view path = file.path;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  const std::string_view cache = cacheDirectory(path);
  std::lock_guard lock(mutex_);
  if ((file.mode & kSetid) != 0) {
    setid_.emplace(std::string(path), std::string(file.layer), file.mode & 07777);
    if (setid_.size() > kMaxSetidFiles) {
      setid_.erase(std::prev(setid_.end()));
      if (!overflow_reported_) {
        overflow_reported_ = true;
        diagnostics.add("image-checks.too-many-setid-files", "layers",
                        fmt::format("more than {} setuid/setgid files; the first {} by path are "
                                    "listed",
                                    kMaxSetidFiles, kMaxSetidFiles));
      }
    }
  }
  if (!cache.empty()) {
    auto& [files, bytes] = caches_[{std::string(cache), std::string(file.layer)}];
    ++files;
    bytes += file.size;
  }
}

ImageFiles MetadataScanner::results() const {
  std::lock_guard lock(mutex_);
  ImageFiles out;
  out.scanned = true;
  for (const auto& [path, layer, mode] : setid_) out.setid_files.push_back({path, mode, layer});
  for (const auto& [key, counts] : caches_) {
    out.caches.push_back({key.first, key.second, counts.first, counts.second});
  }
  return out;
}

}  // namespace bulwark::checks
