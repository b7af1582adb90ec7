#include "catalog/rpm/bdb.h"

#include <string>
#include <vector>

#include <fmt/format.h>

namespace bulwark::catalog::rpm {

namespace {

using core::ErrorCode;
using core::fail;

// Berkeley DB on-disk constants (db_page.h).
constexpr std::uint32_t kHashMagic = 0x061561;
constexpr std::size_t kMetaSize = 512;
constexpr std::size_t kPageHeaderSize = 26;  // lsn, pgno, prev, next, entries, hf_offset, ...
constexpr std::uint32_t kMinPageSize = 512;
constexpr std::uint32_t kMaxPageSize = 65536;
constexpr std::size_t kSpares = 32;
constexpr std::uint8_t kPageHashUnsorted = 2;  // P_HASH_UNSORTED
constexpr std::uint8_t kPageOverflow = 7;      // P_OVERFLOW
constexpr std::uint8_t kPageHash = 13;         // P_HASH
constexpr std::uint8_t kItemKeyData = 1;       // H_KEYDATA
constexpr std::uint8_t kItemOffPage = 3;       // H_OFFPAGE
constexpr std::size_t kOffPageItemSize = 12;   // type, 3 unused, pgno, tlen

class BdbFile {
 public:
  BdbFile(std::string_view file, bool big_endian) : file_(file), big_endian_(big_endian) {}

  [[nodiscard]] std::uint16_t u16(const char* p) const {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    return big_endian_ ? static_cast<std::uint16_t>(u[0] << 8 | u[1])
                       : static_cast<std::uint16_t>(u[1] << 8 | u[0]);
  }
  [[nodiscard]] std::uint32_t u32(const char* p) const {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    return big_endian_ ? (std::uint32_t{u[0]} << 24 | std::uint32_t{u[1]} << 16 |
                          std::uint32_t{u[2]} << 8 | u[3])
                       : (std::uint32_t{u[3]} << 24 | std::uint32_t{u[2]} << 16 |
                          std::uint32_t{u[1]} << 8 | u[0]);
  }
  [[nodiscard]] std::string_view file() const { return file_; }

 private:
  std::string_view file_;
  bool big_endian_;
};

class HashWalker {
 public:
  HashWalker(const BdbFile& bdb, std::uint32_t page_size, std::uint32_t page_count,
             std::string_view where, core::Diagnostics& diagnostics)
      : bdb_(bdb),
        page_size_(page_size),
        page_count_(page_count),
        visited_(page_count, false),
        where_(where),
        diagnostics_(diagnostics) {}

  // Walks one bucket's chain of hash pages.
  void walkBucket(std::uint64_t first_page, const BlobFn& blob) {
    std::uint64_t number = first_page;
    while (number != 0) {
      const char* page = claim(number, "hash");
      if (page == nullptr) return;
      const auto type = static_cast<std::uint8_t>(page[25]);
      if (type != kPageHash && type != kPageHashUnsorted) {
        problem(number, fmt::format("page type {} in a hash bucket chain", type));
        return;
      }
      walkItems(number, page, blob);
      number = bdb_.u32(page + 16);  // next_pgno
    }
  }

 private:
  // Marks a page as read and returns it, or nullptr (with a diagnostic) when the number is out
  // of range, the page was already read (a cycle or a shared page), or its header disagrees.
  const char* claim(std::uint64_t number, std::string_view role) {
    if (number == 0 || number >= page_count_) {
      problem(number, fmt::format("{} page number outside the file ({} pages)", role, page_count_));
      return nullptr;
    }
    if (visited_[number]) {
      problem(number, fmt::format("{} page reached twice (cyclic or shared chain)", role));
      return nullptr;
    }
    visited_[number] = true;
    const char* page = bdb_.file().data() + number * page_size_;
    if (bdb_.u32(page + 8) != number) {
      problem(number, fmt::format("page header names page {}", bdb_.u32(page + 8)));
      return nullptr;
    }
    return page;
  }

  void walkItems(std::uint64_t number, const char* page, const BlobFn& blob) {
    const std::size_t entries = bdb_.u16(page + 20);
    const std::size_t index_end = kPageHeaderSize + entries * 2;
    if (index_end > page_size_) {
      problem(number, fmt::format("{} items do not fit the page", entries));
      return;
    }
    if (entries % 2 != 0) problem(number, "odd number of items; the last key has no value");
    for (std::size_t i = 0; i + 1 < entries; i += 2) {
      const std::size_t key_offset = bdb_.u16(page + kPageHeaderSize + 2 * i);
      const std::size_t value_offset = bdb_.u16(page + kPageHeaderSize + 2 * i + 2);
      const std::size_t key_end =
          i == 0 ? page_size_ : bdb_.u16(page + kPageHeaderSize + 2 * i - 2);
      if (key_offset < index_end || key_end > page_size_ || key_offset >= key_end ||
          value_offset < index_end || value_offset >= key_offset) {
        problem(number, fmt::format("item pair {} has offsets {}/{} outside the page", i / 2,
                                    key_offset, value_offset));
        continue;
      }
      std::string key;
      std::string value;
      if (!readItem(number, page + key_offset, key_end - key_offset, key) ||
          !readItem(number, page + value_offset, key_offset - value_offset, value)) {
        continue;
      }
      if (key.size() != 4) {
        problem(number, fmt::format("record key of {} bytes, expected 4", key.size()));
        continue;
      }
      const std::uint32_t record = bdb_.u32(key.data());
      if (record == 0) continue;  // rpm keeps its next-instance counter under key 0
      blob(record, value);
    }
  }

  bool readItem(std::uint64_t number, const char* item, std::size_t length, std::string& out) {
    const auto type = static_cast<std::uint8_t>(item[0]);
    if (type == kItemKeyData) {
      out.assign(item + 1, length - 1);
      return true;
    }
    if (type != kItemOffPage) {
      problem(number, fmt::format("unsupported item type {}", type));
      return false;
    }
    if (length != kOffPageItemSize) {
      problem(number, fmt::format("off-page item of {} bytes", length));
      return false;
    }
    return readOverflow(bdb_.u32(item + 4), bdb_.u32(item + 8), out);
  }

  // Follows an overflow chain for `total` bytes. Every page is claimed once, so the chain is
  // bounded by the page count and the bytes by the file size.
  bool readOverflow(std::uint64_t number, std::uint64_t total, std::string& out) {
    if (total == 0 || total > bdb_.file().size()) {
      problem(number, fmt::format("overflow value of {} bytes", total));
      return false;
    }
    out.reserve(total);
    while (out.size() < total) {
      if (number == 0) {
        problem(number, fmt::format("overflow chain ends after {} of {} bytes", out.size(), total));
        return false;
      }
      const char* page = claim(number, "overflow");
      if (page == nullptr) return false;
      if (static_cast<std::uint8_t>(page[25]) != kPageOverflow) {
        problem(number, fmt::format("page type {} in an overflow chain", page[25]));
        return false;
      }
      const std::size_t length = bdb_.u16(page + 22);  // hf_offset holds the data length
      if (length == 0 || kPageHeaderSize + length > page_size_ || length > total - out.size()) {
        problem(number, fmt::format("overflow page holds {} bytes", length));
        return false;
      }
      out.append(page + kPageHeaderSize, length);
      number = bdb_.u32(page + 16);
    }
    return true;
  }

  void problem(std::uint64_t page, std::string detail) {
    diagnostics_.add(std::string(kMalformedDatabase), fmt::format("{}: page {}", where_, page),
                     std::move(detail));
  }

  const BdbFile& bdb_;
  std::uint32_t page_size_;
  std::uint32_t page_count_;
  std::vector<bool> visited_;
  std::string_view where_;
  core::Diagnostics& diagnostics_;
};

}  // namespace

core::Status readBdb(std::string_view file, std::string_view where, const BlobFn& blob,
                     core::Diagnostics& diagnostics) {
  if (file.size() < kMetaSize) {
    return fail(ErrorCode::Input, "BerkeleyDB file of {} bytes is too short", file.size());
  }
  const BdbFile little(file, false);
  const BdbFile big(file, true);
  const bool is_little = little.u32(file.data() + 12) == kHashMagic;
  if (!is_little && big.u32(file.data() + 12) != kHashMagic) {
    return fail(ErrorCode::Input, "not a BerkeleyDB hash database (magic {:#x})",
                little.u32(file.data() + 12));
  }
  const BdbFile& bdb = is_little ? little : big;
  const char* meta = file.data();
  const std::uint32_t version = bdb.u32(meta + 16);
  if (version < 8 || version > 10) {
    return fail(ErrorCode::Input, "unsupported BerkeleyDB hash version {}", version);
  }
  const std::uint32_t page_size = bdb.u32(meta + 20);
  if (page_size < kMinPageSize || page_size > kMaxPageSize || (page_size & (page_size - 1)) != 0) {
    return fail(ErrorCode::Input, "BerkeleyDB page size {} is invalid", page_size);
  }
  const std::uint64_t last_page = bdb.u32(meta + 32);
  const std::uint64_t pages_in_file = file.size() / page_size;
  std::uint64_t page_count = last_page + 1;
  if (page_count > pages_in_file) {
    diagnostics.add(std::string(kMalformedDatabase), std::string(where),
                    fmt::format("truncated: last page {} but the file holds {} pages", last_page,
                                pages_in_file));
    page_count = pages_in_file;
  }
  if (page_count < 2) return fail(ErrorCode::Input, "BerkeleyDB file has no data pages");
  const std::uint64_t max_bucket = bdb.u32(meta + 72);
  if (max_bucket >= page_count) {
    return fail(ErrorCode::Input, "hash claims {} buckets in {} pages", max_bucket + 1, page_count);
  }
  std::uint32_t spares[kSpares];
  for (std::size_t i = 0; i < kSpares; ++i) spares[i] = bdb.u32(meta + 96 + 4 * i);

  HashWalker walker(bdb, page_size, static_cast<std::uint32_t>(page_count), where, diagnostics);
  for (std::uint64_t bucket = 0; bucket <= max_bucket; ++bucket) {
    std::size_t bits = 0;
    for (std::uint64_t b = bucket; b != 0; b >>= 1) ++bits;
    if (bits >= kSpares) break;
    walker.walkBucket(bucket + spares[bits], blob);
  }
  return {};
}

}  // namespace bulwark::catalog::rpm
