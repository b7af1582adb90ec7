// Layer decompression: gzip through ISA-L (the fastest inflater on x86), zstd through libzstd,
// uncompressed tar passed through. The format is taken from the first bytes, not the media type,
// since docker-archive and some registries label layers loosely.
#pragma once

#include <memory>

#include "core/result.h"
#include "image/stream.h"

namespace bulwark::image {

enum class Compression { None, Gzip, Zstd };

std::string_view toString(Compression compression);

// Wraps `raw`, detecting the compression from its magic bytes. The result reads the
// uncompressed tar stream; corrupt or truncated data becomes an ErrorCode::Input error.
core::Result<std::unique_ptr<ByteStream>> decompressing(std::unique_ptr<ByteStream> raw,
                                                        Compression* detected = nullptr);

// Hashes every byte that passes through; verify() drains what is left and compares.
class DigestingStream final : public ByteStream {
 public:
  DigestingStream(std::unique_ptr<ByteStream> inner, std::string expected_digest);
  ~DigestingStream() override;
  core::Result<std::size_t> read(char* buffer, std::size_t size) override;
  // Reads the stream to its end and checks the digest ("sha256:…"). `what` names the blob.
  core::Status verify(std::string_view what);
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

 private:
  struct Hash;
  std::unique_ptr<ByteStream> inner_;
  std::string expected_;
  std::unique_ptr<Hash> hash_;
  std::uint64_t bytes_ = 0;
};

}  // namespace bulwark::image
