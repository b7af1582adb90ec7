// The stored form of an inventory's text, shared by both backends: zstd-compressed (level 3)
// when that makes it smaller and it is at least kCompressFrom bytes, raw otherwise; the codec
// is kept beside the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::store {

inline constexpr int kCodecRaw = 0;
inline constexpr int kCodecZstd = 1;
inline constexpr std::size_t kCompressFrom = 256;  // smaller inventories stay raw
// The largest inventory text stored (SQLite's largest value); a frame claiming more is corrupt.
inline constexpr std::size_t kMaxInventoryBytes = 1'000'000'000;

// ErrorCode::Limit over kMaxInventoryBytes. `codec` receives the codec used.
core::Result<std::string> compressInventory(std::string_view text, int& codec);
// ErrorCode::Input for an unknown codec or a corrupt frame (naming `digest`).
core::Result<std::string> decompressInventory(std::string_view blob, std::int64_t codec,
                                              std::string_view digest);

}  // namespace bulwark::store
