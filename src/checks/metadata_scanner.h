// MetadataScanner: the image::ContentScanner the image checks need. It asks for metadata only
// (path and mode, never content) and records, while layers stream, the setuid/setgid regular
// files and the package-manager cache files each layer adds — including files a later layer
// deletes, whose bytes the image still carries. Thread-safe; results() after the walk.
//
//   checks::MetadataScanner scanner;
//   image::PathFilter filter(patterns, extractors, {&scanner});   // the pipeline's walk
//   …
//   auto results = checks::evaluateImage(set, target, scanner.results());
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>

#include "checks/resource.h"
#include "image/content_scanner.h"

namespace bulwark::checks {

class MetadataScanner final : public image::ContentScanner {
 public:
  // Beyond this many setuid/setgid files the rest are counted in a diagnostic.
  static constexpr std::size_t kMaxSetidFiles = 10'000;

  [[nodiscard]] std::string_view name() const override { return "image-checks"; }
  [[nodiscard]] Want wants(const image::ScannedFile& file) const noexcept override;
  [[nodiscard]] std::uint64_t maxFileBytes() const override { return 0; }
  void scan(const image::ScannedFile& file, std::string_view content,
            core::Diagnostics& diagnostics) override;

  // Sorted; `scanned` is true.
  [[nodiscard]] ImageFiles results() const;

  // The cache directory `path` lies in ("var/lib/apt/lists"), or "" for none.
  static std::string_view cacheDirectory(std::string_view path);

 private:
  mutable std::mutex mutex_;
  // The smallest kMaxSetidFiles by (path, layer, mode), whatever order the layers arrive in.
  std::set<std::tuple<std::string, std::string, std::uint32_t>> setid_;
  std::map<std::pair<std::string, std::string>, std::pair<std::uint64_t, std::uint64_t>> caches_;
  bool overflow_reported_ = false;
};

}  // namespace bulwark::checks
