// Fuzzes the layer walker: decompression detection, tar parsing, whiteouts, links, limits.
#include <cstdint>
#include <cstring>
#include <string>

#include "image/layer.h"

namespace {

class MemoryStream final : public bulwark::image::ByteStream {
 public:
  MemoryStream(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bulwark::core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    const std::size_t n = std::min(size, size_ - pos_);
    std::memcpy(buffer, data_ + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::image;
  LayerInput input;
  input.name = "fuzz";
  input.open = [data, size]() -> bulwark::core::Result<std::unique_ptr<ByteStream>> {
    return std::make_unique<MemoryStream>(data, size);
  };
  LayerLimits limits;
  limits.max_layer_bytes = 64U << 20;
  limits.max_entries = 100000;
  limits.max_file_bytes = 1U << 20;
  limits.max_kept_bytes = 8U << 20;
  static const PathFilter kFilter(
      {"etc/os-release", "var/lib/dpkg/status", "lib/apk/db/*", "**/METADATA"});
  bulwark::core::Diagnostics diagnostics;
  auto changes = walkLayer(input, kFilter, limits, diagnostics, nullptr);
  if (changes) {
    FsView view;
    applyLayer(view, std::move(*changes), "sha256:fuzz");
    (void)view.resolve("etc/os-release");
    (void)view.glob("lib/apk/db/*");
  }
  return 0;
}
