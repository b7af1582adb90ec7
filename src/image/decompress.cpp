#include "image/decompress.h"

#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <cstring>
#include <vector>

#include "core/sha256.h"

namespace bulwark::image {

using core::ErrorCode;

namespace {

constexpr std::size_t kInputChunk = 1U << 20;

// Reads ahead into a buffer: the decompressors below consume from it.
class Source {
 public:
  explicit Source(std::unique_ptr<ByteStream> raw) : raw_(std::move(raw)), buffer_(kInputChunk) {}

  // Makes sure input is available; returns false at the end of the raw stream.
  core::Result<bool> fill() {
    if (pos_ < end_) return true;
    if (eof_) return false;
    auto got = raw_->read(buffer_.data(), buffer_.size());
    if (!got) return tl::unexpected(got.error());
    pos_ = 0;
    end_ = *got;
    if (*got == 0) eof_ = true;
    return *got > 0;
  }
  const std::uint8_t* data() const {
    return reinterpret_cast<const std::uint8_t*>(buffer_.data()) + pos_;
  }
  std::size_t available() const { return end_ - pos_; }
  void consume(std::size_t n) { pos_ += n; }
  [[nodiscard]] bool eof() const { return eof_ && pos_ >= end_; }

 private:
  std::unique_ptr<ByteStream> raw_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
};

class PlainStream final : public ByteStream {
 public:
  explicit PlainStream(std::unique_ptr<Source> source) : source_(std::move(source)) {}
  core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    auto more = source_->fill();
    if (!more) return tl::unexpected(more.error());
    if (!*more) return 0;
    const std::size_t n = std::min(size, source_->available());
    std::memcpy(buffer, source_->data(), n);
    source_->consume(n);
    return n;
  }

 private:
  std::unique_ptr<Source> source_;
};

// gzip, including multi-member files (pigz and some registries write several members).
class GzipStream final : public ByteStream {
 public:
  explicit GzipStream(std::unique_ptr<Source> source)
      : source_(std::move(source)), state_(std::make_unique<inflate_state>()) {
    isal_inflate_init(state_.get());
    state_->crc_flag = ISAL_GZIP;
  }

  core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    if (done_) return 0;
    while (true) {
      if (state_->block_state == ISAL_BLOCK_FINISH) {
        // One member ended; another may follow. Zero padding after the last one is tolerated.
        auto more = source_->fill();
        if (!more) return tl::unexpected(more.error());
        if (!*more) {
          done_ = true;
          return 0;
        }
        if (source_->data()[0] == 0) {
          while (true) {
            const auto* p = source_->data();
            const std::size_t n = source_->available();
            for (std::size_t i = 0; i < n; ++i) {
              if (p[i] != 0) return core::fail(ErrorCode::Input, "gzip: trailing garbage");
            }
            source_->consume(n);
            auto again = source_->fill();
            if (!again) return tl::unexpected(again.error());
            if (!*again) break;
          }
          done_ = true;
          return 0;
        }
        isal_inflate_reset(state_.get());
        state_->crc_flag = ISAL_GZIP;
      }
      auto more = source_->fill();
      if (!more) return tl::unexpected(more.error());
      state_->next_in = const_cast<std::uint8_t*>(source_->data());
      state_->avail_in = static_cast<std::uint32_t>(source_->available());
      state_->next_out = reinterpret_cast<std::uint8_t*>(buffer);
      state_->avail_out = static_cast<std::uint32_t>(std::min<std::size_t>(size, 1U << 30));
      const std::uint32_t before_in = state_->avail_in;
      const int status = isal_inflate(state_.get());
      source_->consume(before_in - state_->avail_in);
      if (status < 0) {
        return core::fail(ErrorCode::Input, "gzip: {}", describe(status));
      }
      const std::size_t produced = std::min<std::size_t>(size, 1U << 30) - state_->avail_out;
      if (produced > 0) return produced;
      if (state_->block_state == ISAL_BLOCK_FINISH) continue;
      if (!*more) return core::fail(ErrorCode::Input, "gzip: truncated stream");
    }
  }

 private:
  static const char* describe(int status) {
    switch (status) {
      case ISAL_INVALID_BLOCK: return "invalid deflate block";
      case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
      case ISAL_INVALID_LOOKBACK: return "invalid distance";
      case ISAL_INVALID_WRAPPER: return "invalid gzip header or trailer";
      case ISAL_UNSUPPORTED_METHOD: return "unsupported compression method";
      case ISAL_INCORRECT_CHECKSUM: return "CRC mismatch";
      default: return "corrupt data";
    }
  }

  std::unique_ptr<Source> source_;
  std::unique_ptr<inflate_state> state_;
  bool done_ = false;
};

class ZstdStream final : public ByteStream {
 public:
  explicit ZstdStream(std::unique_ptr<Source> source)
      : source_(std::move(source)), stream_(ZSTD_createDStream()) {
    // Bound the window (and so memory) to 128 MiB, zstd's default for untrusted input.
    ZSTD_DCtx_setParameter(stream_, ZSTD_d_windowLogMax, 27);
  }
  ~ZstdStream() override { ZSTD_freeDStream(stream_); }
  ZstdStream(const ZstdStream&) = delete;
  ZstdStream& operator=(const ZstdStream&) = delete;

  core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    while (true) {
      auto more = source_->fill();
      if (!more) return tl::unexpected(more.error());
      if (!*more) {
        if (frame_open_) return core::fail(ErrorCode::Input, "zstd: truncated stream");
        return 0;
      }
      ZSTD_inBuffer in{source_->data(), source_->available(), 0};
      ZSTD_outBuffer out{buffer, size, 0};
      const std::size_t hint = ZSTD_decompressStream(stream_, &out, &in);
      source_->consume(in.pos);
      if (ZSTD_isError(hint)) {
        return core::fail(ErrorCode::Input, "zstd: {}", ZSTD_getErrorName(hint));
      }
      frame_open_ = hint != 0;
      if (out.pos > 0) return out.pos;
    }
  }

 private:
  std::unique_ptr<Source> source_;
  ZSTD_DStream* stream_;
  bool frame_open_ = false;
};

}  // namespace

std::string_view toString(Compression compression) {
  switch (compression) {
    case Compression::None: return "none";
    case Compression::Gzip: return "gzip";
    case Compression::Zstd: return "zstd";
  }
  return "unknown";
}

core::Result<std::unique_ptr<ByteStream>> decompressing(std::unique_ptr<ByteStream> raw,
                                                        Compression* detected) {
  auto source = std::make_unique<Source>(std::move(raw));
  auto more = source->fill();
  if (!more) return tl::unexpected(more.error());
  // The first read may be short (HTTP); gather up to 4 bytes for the magic.
  std::uint8_t magic[4] = {0, 0, 0, 0};
  const std::size_t have = std::min<std::size_t>(4, source->available());
  std::memcpy(magic, source->data(), have);
  Compression compression = Compression::None;
  if (have >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    compression = Compression::Gzip;
  } else if (have >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f &&
             magic[3] == 0xfd) {
    compression = Compression::Zstd;
  }
  if (detected != nullptr) *detected = compression;
  switch (compression) {
    case Compression::Gzip: return std::make_unique<GzipStream>(std::move(source));
    case Compression::Zstd: return std::make_unique<ZstdStream>(std::move(source));
    case Compression::None: break;
  }
  return std::make_unique<PlainStream>(std::move(source));
}

struct DigestingStream::Hash {
  core::Sha256 sha;
};

DigestingStream::DigestingStream(std::unique_ptr<ByteStream> inner, std::string expected_digest)
    : inner_(std::move(inner)),
      expected_(std::move(expected_digest)),
      hash_(std::make_unique<Hash>()) {}

DigestingStream::~DigestingStream() = default;

core::Result<std::size_t> DigestingStream::read(char* buffer, std::size_t size) {
  auto got = inner_->read(buffer, size);
  if (got && *got > 0) {
    hash_->sha.update(buffer, *got);
    bytes_ += *got;
  }
  return got;
}

core::Status DigestingStream::verify(std::string_view what) {
  std::vector<char> rest(1U << 20);
  while (true) {
    auto got = read(rest.data(), rest.size());
    if (!got) return core::withContext(got.error(), what);
    if (*got == 0) break;
  }
  const std::string actual = "sha256:" + hash_->sha.hexDigest();
  if (actual != expected_) {
    return core::fail(ErrorCode::Integrity, "{}: digest mismatch: expected {}, got {}", what,
                      expected_, actual);
  }
  return {};
}

}  // namespace bulwark::image
