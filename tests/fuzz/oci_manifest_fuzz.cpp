// Fuzzes OCI/Docker index, manifest and config parsing. The input is split at the first NUL:
// before it the top manifest or index, after it the bytes every blob and nested manifest
// returns (digest checks are what most inputs hit; the parsers run before and after).
#include <cstdint>
#include <cstring>
#include <string>

#include "image/oci.h"

namespace {

using namespace bulwark;

class StringStream final : public image::ByteStream {
 public:
  explicit StringStream(std::string data) : data_(std::move(data)) {}
  core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    const std::size_t n = std::min(size, data_.size() - pos_);
    std::memcpy(buffer, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
};

class FuzzStore final : public image::ImageStore {
 public:
  explicit FuzzStore(std::string blob) : blob_(std::move(blob)) {}
  core::Result<std::unique_ptr<image::ByteStream>> openBlob(const image::Descriptor&) override {
    return std::make_unique<StringStream>(blob_);
  }
  // Nested manifests skip digest checks here so that the parser sees fuzzed content.
  core::Result<image::FetchedManifest> fetchManifest(const image::Descriptor& d) override {
    return image::FetchedManifest{blob_, d.media_type, d.digest};
  }

 private:
  std::string blob_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto split = input.find('\0');
  const std::string top = input.substr(0, split);
  const std::string blob = split == std::string::npos ? top : input.substr(split + 1);
  FuzzStore store(blob);
  auto resolved =
      image::resolveImage(store, image::FetchedManifest{top, "", ""}, image::Platform{});
  (void)resolved;
  image::ResolvedImage config;
  (void)image::parseConfig(config, blob);
  return 0;
}
