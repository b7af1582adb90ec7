// Writes zip archives byte by byte for hostile-input tests: ordinary deflated or stored
// members, and zip bombs — a member whose raw deflate stream expands to many gigabytes, built
// from one repeated block sequence so that the test never deflates (or holds) the expanded
// bytes. Zip64 extra fields are written for members of 4 GiB and more; the central directory
// can be left out (then readers must stream the local headers, and members flagged with a data
// descriptor have sizes nobody knows in advance).
#pragma once

#include <zlib.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark::testing {

// A raw deflate stream (no zlib header) and what it expands to.
struct Deflated {
  std::string bytes;
  std::uint32_t crc = 0;
  std::uint64_t size = 0;  // uncompressed
};

inline Deflated deflateRaw(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  Deflated out;
  out.bytes.resize(deflateBound(&stream, data.size()) + 64);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.bytes.data());
  stream.avail_out = static_cast<uInt>(out.bytes.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.bytes.resize(stream.total_out);
  deflateEnd(&stream);
  out.crc = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  out.size = data.size();
  return out;
}

// `total` bytes of `fill` (a multiple of 1 MiB), as a raw deflate stream about 1/1000 its size.
// One MiB is deflated with a full flush (which resets the compressor), so every later MiB
// compresses to the same bytes: those bytes repeated, then an empty final block.
inline Deflated deflateBomb(std::uint64_t total, char fill = '\0') {
  constexpr std::uint64_t kChunk = 1U << 20;
  const std::string chunk(kChunk, fill);
  z_stream stream{};
  if (deflateInit2(&stream, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  std::string buffer(64U << 10, '\0');
  const auto flushChunk = [&](int flush, std::string_view input) {
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream.avail_in = static_cast<uInt>(input.size());
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    deflate(&stream, flush);
    if (stream.avail_in != 0 || stream.avail_out == 0) throw std::runtime_error("deflate chunk");
    return std::string(buffer.data(), buffer.size() - stream.avail_out);
  };
  const std::string first = flushChunk(Z_FULL_FLUSH, chunk);
  const std::string second = flushChunk(Z_FULL_FLUSH, chunk);
  const std::string third = flushChunk(Z_FULL_FLUSH, chunk);
  if (second != third) throw std::runtime_error("deflate output is not periodic");
  const std::string last = flushChunk(Z_FINISH, {});
  deflateEnd(&stream);
  const std::uint64_t chunks = total / kChunk;
  Deflated out;
  out.bytes.reserve(first.size() + second.size() * chunks + last.size());
  out.bytes = first;
  for (std::uint64_t i = 1; i < chunks; ++i) out.bytes += second;
  out.bytes += last;
  const auto chunk_crc = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(kChunk)));
  out.crc = chunk_crc;
  for (std::uint64_t i = 1; i < chunks; ++i) {
    out.crc = static_cast<std::uint32_t>(crc32_combine(out.crc, chunk_crc, kChunk));
  }
  out.size = chunks * kChunk;
  return out;
}

class ZipWriter {
 public:
  ZipWriter& deflated(const std::string& name, std::string_view content) {
    return raw(name, 8, deflateRaw(content));
  }
  ZipWriter& stored(const std::string& name, std::string_view content) {
    Deflated data;
    data.bytes = std::string(content);
    data.size = content.size();
    data.crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(content.data()),
                                                static_cast<uInt>(content.size())));
    return raw(name, 0, data);
  }
  // A member whose data is already compressed with `method` (8: deflate, 0: stored).
  // `descriptor`: sizes and CRC follow the data (general purpose bit 3), zeros in the header.
  ZipWriter& raw(const std::string& name, std::uint16_t method, const Deflated& data,
                 bool descriptor = false) {
    Entry entry{name, method, data.crc, data.bytes.size(), data.size, out_.size(), descriptor};
    const bool zip64 = entry.zip64();
    put32(0x04034b50);
    put16(zip64 ? 45 : 20);
    put16(descriptor ? 0x0008 : 0);
    put16(method);
    put16(0);     // time
    put16(0x21);  // date: 1980-01-01
    put32(descriptor ? 0 : entry.crc);
    put32(descriptor ? 0 : (zip64 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(entry.compressed)));
    put32(descriptor ? 0 : (zip64 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(entry.size)));
    put16(static_cast<std::uint16_t>(name.size()));
    put16(zip64 ? 20 : 0);
    out_ += name;
    if (zip64) {  // with a descriptor, the sizes there (8 bytes each) are the ones that count
      put16(0x0001);
      put16(16);
      put64(descriptor ? 0 : entry.size);
      put64(descriptor ? 0 : entry.compressed);
    }
    out_ += data.bytes;
    if (descriptor) {
      put32(0x08074b50);
      put32(entry.crc);
      if (zip64) {
        put64(entry.compressed);
        put64(entry.size);
      } else {
        put32(static_cast<std::uint32_t>(entry.compressed));
        put32(static_cast<std::uint32_t>(entry.size));
      }
    }
    entries_.push_back(entry);
    return *this;
  }

  // The archive; without the central directory when `directory` is false.
  std::string finish(bool directory = true) {
    if (!directory) return out_;
    const std::uint64_t start = out_.size();
    for (const Entry& entry : entries_) {
      const bool zip64 = entry.zip64();
      put32(0x02014b50);
      put16(0x031E);  // made by: unix, 3.0
      put16(zip64 ? 45 : 20);
      put16(entry.descriptor ? 0x0008 : 0);
      put16(entry.method);
      put16(0);
      put16(0x21);
      put32(entry.crc);
      put32(zip64 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(entry.compressed));
      put32(zip64 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(entry.size));
      put16(static_cast<std::uint16_t>(entry.name.size()));
      put16(zip64 ? 20 : 0);
      put16(0);                                         // comment
      put16(0);                                         // disk
      put16(0);                                         // internal attributes
      put32(0100644U << 16);                            // external: a regular file
      put32(static_cast<std::uint32_t>(entry.offset));  // archives here stay under 4 GiB
      out_ += entry.name;
      if (zip64) {
        put16(0x0001);
        put16(16);
        put64(entry.size);
        put64(entry.compressed);
      }
    }
    const std::uint64_t size = out_.size() - start;
    put32(0x06054b50);
    put16(0);
    put16(0);
    put16(static_cast<std::uint16_t>(entries_.size()));
    put16(static_cast<std::uint16_t>(entries_.size()));
    put32(static_cast<std::uint32_t>(size));
    put32(static_cast<std::uint32_t>(start));
    put16(0);
    return out_;
  }

 private:
  struct Entry {
    std::string name;
    std::uint16_t method;
    std::uint32_t crc;
    std::uint64_t compressed;
    std::uint64_t size;
    std::uint64_t offset;
    bool descriptor;
    [[nodiscard]] bool zip64() const { return size >= 0xFFFFFFFFU || compressed >= 0xFFFFFFFFU; }
  };

  void put16(std::uint32_t value) {
    out_.push_back(static_cast<char>(value & 0xFF));
    out_.push_back(static_cast<char>((value >> 8) & 0xFF));
  }
  void put32(std::uint32_t value) {
    put16(value & 0xFFFF);
    put16(value >> 16);
  }
  void put64(std::uint64_t value) {
    put32(static_cast<std::uint32_t>(value & 0xFFFFFFFFU));
    put32(static_cast<std::uint32_t>(value >> 32));
  }

  std::string out_;
  std::vector<Entry> entries_;
};

}  // namespace bulwark::testing
