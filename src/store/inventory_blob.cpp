#include "store/inventory_blob.h"

#include <zstd.h>

namespace bulwark::store {

namespace {
constexpr int kZstdLevel = 3;
}  // namespace

core::Result<std::string> compressInventory(std::string_view text, int& codec) {
  codec = kCodecRaw;
  if (text.size() > kMaxInventoryBytes) {
    return core::fail(core::ErrorCode::Limit, "inventory of {} bytes is over the {} byte limit",
                      text.size(), kMaxInventoryBytes);
  }
  if (text.size() < kCompressFrom) return std::string(text);
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const std::size_t size =
      ZSTD_compress(out.data(), out.size(), text.data(), text.size(), kZstdLevel);
  if (ZSTD_isError(size) != 0U) {
    return core::fail(core::ErrorCode::Internal, "zstd: {}", ZSTD_getErrorName(size));
  }
  if (size >= text.size()) return std::string(text);
  out.resize(size);
  codec = kCodecZstd;
  return out;
}

core::Result<std::string> decompressInventory(std::string_view blob, std::int64_t codec,
                                              std::string_view digest) {
  if (codec == kCodecRaw) return std::string(blob);
  if (codec != kCodecZstd) {
    return core::fail(core::ErrorCode::Input, "inventory of {}: unknown codec {}", digest, codec);
  }
  const unsigned long long size = ZSTD_getFrameContentSize(blob.data(), blob.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
      size > kMaxInventoryBytes) {
    return core::fail(core::ErrorCode::Input, "inventory of {}: corrupt zstd frame", digest);
  }
  std::string out(static_cast<std::size_t>(size), '\0');
  const std::size_t written = ZSTD_decompress(out.data(), out.size(), blob.data(), blob.size());
  if (ZSTD_isError(written) != 0U || written != out.size()) {
    return core::fail(core::ErrorCode::Input, "inventory of {}: corrupt zstd frame", digest);
  }
  return out;
}

}  // namespace bulwark::store
