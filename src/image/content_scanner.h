// ContentScanner: something that looks at the files of every layer as they stream past —
// secrets, malware, file heuristics — rather than at the merged filesystem. It sees files a
// later layer deletes or replaces (a key removed by `rm` in the next RUN is still in the
// image), and keeps its own results; nothing it reads is kept in the FsView.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/diagnostic.h"

namespace bulwark::image {

struct ScannedFile {
  std::string_view path;   // relative to the root, no leading '/'
  std::uint32_t mode = 0;  // permission bits with setuid/setgid/sticky (07777)
  std::uint64_t size = 0;
  std::string_view layer;  // the layer's digest, as FileEntry::layer_digest; "" for a directory
};

// How much of the head a scanner's acceptsHead() sees (fewer bytes for a shorter file).
inline constexpr std::size_t kScannerHeadBytes = 512;

class ContentScanner {
 public:
  enum class Want { Nothing, Metadata, Content };

  virtual ~ContentScanner() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  // Asked for every regular file of every layer; must be cheap (path and mode only).
  // Metadata: scan() with empty content; Content: scan() with the whole file.
  [[nodiscard]] virtual Want wants(const ScannedFile& file) const noexcept = 0;
  // Larger files are not read: a "<name>.file-too-large" diagnostic is counted instead.
  [[nodiscard]] virtual std::uint64_t maxFileBytes() const = 0;
  // Sees the first kScannerHeadBytes of a file it wants the content of; false skips the rest
  // unread (binary files for a text scanner).
  [[nodiscard]] virtual bool acceptsHead(const ScannedFile& /*file*/,
                                         std::string_view /*head*/) const noexcept {
    return true;
  }
  // Layers are walked in parallel: scan() is called from several threads at once and must be
  // thread-safe. It runs on untrusted bytes and must not throw; problems go to `diagnostics`.
  virtual void scan(const ScannedFile& file, std::string_view content,
                    core::Diagnostics& diagnostics) = 0;
};

}  // namespace bulwark::image
