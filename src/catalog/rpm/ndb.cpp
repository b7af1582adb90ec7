#include "catalog/rpm/ndb.h"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <zlib.h>

namespace bulwark::catalog::rpm {

namespace {

using core::ErrorCode;
using core::fail;

constexpr std::uint32_t fourCc(char a, char b, char c, char d) {
  return std::uint32_t(static_cast<unsigned char>(a)) |
         std::uint32_t(static_cast<unsigned char>(b)) << 8 |
         std::uint32_t(static_cast<unsigned char>(c)) << 16 |
         std::uint32_t(static_cast<unsigned char>(d)) << 24;
}

constexpr std::uint32_t kDbMagic = fourCc('R', 'p', 'm', 'P');
constexpr std::uint32_t kSlotMagic = fourCc('S', 'l', 'o', 't');
constexpr std::uint32_t kBlobHeadMagic = fourCc('B', 'l', 'b', 'S');
constexpr std::uint32_t kBlobTailMagic = fourCc('B', 'l', 'b', 'E');
constexpr std::uint32_t kDbVersion = 0;
constexpr std::size_t kHeaderSize = 32;  // the first two slots
constexpr std::size_t kSlotSize = 16;
constexpr std::size_t kBlockSize = 16;
constexpr std::size_t kPageSize = 4096;
constexpr std::size_t kBlobHeadSize = 16;  // magic, pkgidx, timestamp, length
constexpr std::size_t kBlobTailSize = 12;  // adler32, length, magic

std::uint32_t le32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return std::uint32_t{u[0]} | std::uint32_t{u[1]} << 8 | std::uint32_t{u[2]} << 16 |
         std::uint32_t{u[3]} << 24;
}

struct Slot {
  std::uint32_t number = 0;  // position in the slot area, for messages
  std::uint32_t package = 0;
  std::uint64_t block_offset = 0;
  std::uint64_t block_count = 0;
};

std::uint32_t adler32Of(std::string_view bytes) {
  uLong adler = adler32(0L, Z_NULL, 0);
  while (!bytes.empty()) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(bytes.size(), 1U << 30));
    adler = adler32(adler, reinterpret_cast<const Bytef*>(bytes.data()), chunk);
    bytes.remove_prefix(chunk);
  }
  return static_cast<std::uint32_t>(adler);
}

}  // namespace

core::Status readNdb(std::string_view file, std::string_view where, const BlobFn& blob,
                     core::Diagnostics& diagnostics) {
  auto problem = [&](std::string_view what, std::string detail) {
    diagnostics.add(std::string(kMalformedDatabase), fmt::format("{}: {}", where, what),
                    std::move(detail));
  };
  if (file.size() < kHeaderSize || le32(file.data()) != kDbMagic) {
    return fail(ErrorCode::Input, "not an ndb package database (no RpmP header)");
  }
  if (const auto version = le32(file.data() + 4); version != kDbVersion) {
    return fail(ErrorCode::Input, "unsupported ndb version {}", version);
  }
  const std::uint64_t slot_pages = le32(file.data() + 12);
  if (slot_pages == 0 || slot_pages * kPageSize > file.size()) {
    return fail(ErrorCode::Input, "ndb claims {} slot pages in a file of {} bytes", slot_pages,
                file.size());
  }
  const std::uint64_t file_blocks = file.size() / kBlockSize;
  const std::uint64_t first_data_block = slot_pages * (kPageSize / kBlockSize);

  std::vector<Slot> slots;
  const std::size_t slot_area = slot_pages * kPageSize;
  for (std::size_t offset = kHeaderSize; offset < slot_area; offset += kSlotSize) {
    const char* p = file.data() + offset;
    const auto number = static_cast<std::uint32_t>(offset / kSlotSize);
    if (le32(p) != kSlotMagic) {
      problem(fmt::format("slot {}", number), "slot without its magic");
      continue;
    }
    Slot slot{number, le32(p + 4), le32(p + 8), le32(p + 12)};
    if (slot.block_offset == 0) continue;  // free slot
    if (slot.package == 0 || slot.block_count == 0 || slot.block_offset < first_data_block ||
        slot.block_offset + slot.block_count > file_blocks) {
      problem(fmt::format("slot {}", number),
              fmt::format("package {} at blocks {}+{} outside the data area", slot.package,
                          slot.block_offset, slot.block_count));
      continue;
    }
    slots.push_back(slot);
  }

  // Blobs may not overlap (rpm refuses such a database when writing); checking it here also
  // bounds the work to one pass over the file.
  std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) {
    return a.block_offset != b.block_offset ? a.block_offset < b.block_offset : a.number < b.number;
  });
  std::uint64_t previous_end = 0;
  for (const Slot& slot : slots) {
    const std::string what = fmt::format("package {}", slot.package);
    if (slot.block_offset < previous_end) {
      problem(what, "blob overlaps the previous one");
      continue;
    }
    previous_end = slot.block_offset + slot.block_count;
    const std::string_view area =
        file.substr(slot.block_offset * kBlockSize, slot.block_count * kBlockSize);
    if (area.size() < kBlobHeadSize + kBlobTailSize) {
      problem(what, "blob smaller than its framing");
      continue;
    }
    if (le32(area.data()) != kBlobHeadMagic || le32(area.data() + 4) != slot.package) {
      problem(what, "blob head magic or package index mismatch");
      continue;
    }
    const std::uint64_t length = le32(area.data() + 12);
    if (slot.block_count !=
        (kBlobHeadSize + length + kBlobTailSize + kBlockSize - 1) / kBlockSize) {
      problem(what,
              fmt::format("blob of {} bytes does not match {} blocks", length, slot.block_count));
      continue;
    }
    const char* tail = area.data() + area.size() - kBlobTailSize;
    if (le32(tail + 4) != length || le32(tail + 8) != kBlobTailMagic) {
      problem(what, "blob tail magic or length mismatch");
      continue;
    }
    const std::uint32_t stored = le32(tail);
    const std::uint32_t computed = adler32Of(area.substr(0, area.size() - kBlobTailSize));
    if (stored != computed) {
      problem(what, fmt::format("blob checksum {:#010x}, computed {:#010x}", stored, computed));
      continue;
    }
    blob(slot.package, area.substr(kBlobHeadSize, length));
  }
  return {};
}

}  // namespace bulwark::catalog::rpm
