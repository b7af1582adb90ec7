// The layer walker: streams one layer's tar once and keeps only what the catalogers asked for,
// plus what is needed to merge layers as a container runtime does (whiteouts, opaque
// directories, symlinks, hard links). Layers are walked in parallel and merged in order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostic.h"
#include "core/progress.h"
#include "core/result.h"
#include "image/fs_view.h"
#include "image/stream.h"

namespace bulwark::image {

// Safety limits for untrusted layers. A layer past one of them is refused (ErrorCode::Limit),
// except a single over-large wanted file, which becomes a diagnostic.
struct LayerLimits {
  std::uint64_t max_layer_bytes = 64ULL << 30;  // uncompressed tar bytes of one layer
  std::uint64_t max_entries = 10'000'000;       // tar members of one layer
  std::uint64_t max_file_bytes = 512ULL << 20;  // one kept file
  std::uint64_t max_kept_bytes = 2ULL << 30;    // all kept file content of one layer
  std::uint64_t max_symlinks = 1'000'000;       // symlinks remembered for path resolution
};

struct LayerInput {
  std::string name;             // for messages: the layer digest or archive member
  std::string digest;           // digest of the stored (possibly compressed) blob; verified
  std::string diff_id;          // digest of the uncompressed tar
  bool verify_diff_id = false;  // docker-archive layers whose stored digest is unknown
  std::function<core::Result<std::unique_ptr<ByteStream>>()> open;
};

// What one layer changes, in the order the runtime applies it.
struct LayerChanges {
  std::vector<std::string> whiteouts;    // paths removed from lower layers
  std::vector<std::string> opaque_dirs;  // directories whose lower contents are hidden
  std::vector<std::pair<std::string, FileEntry>> entries;  // kept files and all symlinks
  std::uint64_t tar_bytes = 0;
  std::uint64_t entry_count = 0;
};

// The filter's content scanners run on `pool` when given, else on the calling thread.
core::Result<LayerChanges> walkLayer(const LayerInput& input, const PathFilter& filter,
                                     const LayerLimits& limits, core::Diagnostics& diagnostics,
                                     core::Progress* progress, ScanPool* pool = nullptr);

// Applies a layer on top of `view`: first its whiteouts and opaque directories to what lower
// layers left, then its own entries.
void applyLayer(FsView& view, LayerChanges&& changes, const std::string& layer_digest);

}  // namespace bulwark::image
