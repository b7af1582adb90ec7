// A ContentScanner for tests: records what the walkers offer it. Files under skip/ are not
// wanted, files under meta/ are wanted for their metadata, the rest for their content up to
// 100 bytes; heads with a NUL byte are refused (a binary file for a text scanner); a file
// named "throws" makes scan() throw.
#pragma once

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "image/content_scanner.h"

namespace bulwark::testing {

class RecordingScanner final : public image::ContentScanner {
 public:
  struct Seen {
    std::string path;
    std::uint32_t mode;
    std::string layer;
    std::string content;
    auto operator<=>(const Seen&) const = default;
  };

  [[nodiscard]] std::string_view name() const override { return "recording"; }
  [[nodiscard]] Want wants(const image::ScannedFile& file) const noexcept override {
    if (file.path.starts_with("skip/")) return Want::Nothing;
    if (file.path.starts_with("meta/")) return Want::Metadata;
    return Want::Content;
  }
  [[nodiscard]] std::uint64_t maxFileBytes() const override { return 100; }
  [[nodiscard]] bool acceptsHead(const image::ScannedFile& /*file*/,
                                 std::string_view head) const noexcept override {
    return head.find('\0') == std::string_view::npos;
  }
  void scan(const image::ScannedFile& file, std::string_view content,
            core::Diagnostics& /*diagnostics*/) override {
    if (file.path.ends_with("throws")) throw std::runtime_error("scanner bug");
    const std::lock_guard lock(mutex_);
    seen_.push_back(
        {std::string(file.path), file.mode, std::string(file.layer), std::string(content)});
  }
  // What was seen, sorted.
  std::vector<Seen> seen() const {
    const std::lock_guard lock(mutex_);
    auto out = seen_;
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
};

}  // namespace bulwark::testing
