#include "catalog/rpm/header.h"

#include <array>
#include <cstring>

#include <fmt/format.h>

namespace bulwark::catalog::rpm {

namespace {

using core::ErrorCode;
using core::fail;

constexpr std::size_t kEntrySize = 16;
constexpr std::uint32_t kRegionTagCount = 16;  // REGION_TAG_COUNT: a region entry is 16 bytes
constexpr std::uint32_t kMinTag = 100;         // HEADER_I18NTABLE; lower tags are regions only
constexpr std::uint32_t kMaxType = 9;

// Alignment and element size per TagType; 0 size means variable (strings).
constexpr std::array<std::uint32_t, 10> kTypeAlign = {1, 1, 1, 2, 4, 8, 1, 1, 1, 1};
constexpr std::array<std::uint32_t, 10> kTypeSize = {0, 1, 1, 2, 4, 8, 0, 1, 0, 0};

std::uint32_t be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return std::uint32_t{u[0]} << 24 | std::uint32_t{u[1]} << 16 | std::uint32_t{u[2]} << 8 |
         std::uint32_t{u[3]};
}

std::uint64_t be64(const char* p) { return std::uint64_t{be32(p)} << 32 | be32(p + 4); }

struct Entry {
  std::uint32_t tag = 0;
  std::uint32_t type = 0;
  std::int64_t offset = 0;  // signed on disk: region trailers carry a negative offset
  std::uint32_t count = 0;
};

Entry readEntry(const char* p) {
  Entry entry;
  entry.tag = be32(p);
  entry.type = be32(p + 4);
  entry.offset = static_cast<std::int32_t>(be32(p + 8));
  entry.count = be32(p + 12);
  return entry;
}

// Bytes the value of an entry occupies starting at `data`, or 0 when it does not fit in
// `available` bytes (rpm's dataLength). Strings must be NUL-terminated inside the store.
std::size_t dataLength(const Entry& entry, const char* data, std::size_t available) {
  const auto type = static_cast<TagType>(entry.type);
  if (type == TagType::String || type == TagType::StringArray || type == TagType::I18nString) {
    if (type == TagType::String && entry.count != 1) return 0;
    if (entry.count > available) return 0;  // every string needs at least its NUL
    std::size_t used = 0;
    for (std::uint32_t i = 0; i < entry.count; ++i) {
      const void* nul = std::memchr(data + used, '\0', available - used);
      if (nul == nullptr) return 0;
      used = static_cast<std::size_t>(static_cast<const char*>(nul) - data) + 1;
    }
    return used;
  }
  const std::uint64_t bytes = std::uint64_t{kTypeSize[entry.type]} * entry.count;
  if (bytes == 0 || bytes > available) return 0;
  return static_cast<std::size_t>(bytes);
}

// A validated header: the index entries and the data store they point into.
class Header {
 public:
  static core::Result<Header> parse(std::string_view blob);

  [[nodiscard]] const Entry* find(Tag tag) const {
    for (std::size_t i = first_; i < entries_.size(); ++i) {
      if (entries_[i].tag == static_cast<std::uint32_t>(tag)) return &entries_[i];
    }
    return nullptr;
  }
  [[nodiscard]] const char* at(const Entry& entry) const { return data_ + entry.offset; }
  [[nodiscard]] std::size_t available(const Entry& entry) const {
    return data_size_ - static_cast<std::size_t>(entry.offset);
  }

 private:
  std::vector<Entry> entries_;
  std::size_t first_ = 0;  // 1 when entries_[0] is the region tag
  const char* data_ = nullptr;
  std::size_t data_size_ = 0;
};

core::Result<Header> Header::parse(std::string_view blob) {
  if (blob.size() < 8) return fail(ErrorCode::Input, "header blob of {} bytes", blob.size());
  const std::uint32_t il = be32(blob.data());
  const std::uint32_t dl = be32(blob.data() + 4);
  if (il == 0 || il > kMaxIndexEntries) {
    return fail(ErrorCode::Input, "header index count {} out of range", il);
  }
  if (dl > kMaxDataBytes) return fail(ErrorCode::Input, "header data length {} too large", dl);
  const std::uint64_t expected = 8 + std::uint64_t{il} * kEntrySize + dl;
  if (expected != blob.size()) {
    return fail(ErrorCode::Input, "header claims {} bytes (il {}, dl {}) but the blob has {}",
                expected, il, dl, blob.size());
  }
  Header header;
  header.data_ = blob.data() + 8 + std::size_t{il} * kEntrySize;
  header.data_size_ = dl;
  header.entries_.reserve(il);
  for (std::uint32_t i = 0; i < il; ++i) {
    header.entries_.push_back(readEntry(blob.data() + 8 + std::size_t{i} * kEntrySize));
  }

  // Region (hdrblobVerifyRegion): the first entry may name a region whose trailer, stored in
  // the data, repeats the tag and gives the region's extent as a negative offset.
  std::int64_t region_data_end = -1;
  const Entry& first = header.entries_.front();
  const bool has_region = first.tag == static_cast<std::uint32_t>(Tag::HeaderImage) ||
                          first.tag == static_cast<std::uint32_t>(Tag::HeaderSignatures) ||
                          first.tag == static_cast<std::uint32_t>(Tag::HeaderImmutable);
  if (has_region) {
    if (first.type != static_cast<std::uint32_t>(TagType::Bin) || first.count != kRegionTagCount) {
      return fail(ErrorCode::Input, "region tag {} has type {} and count {}", first.tag, first.type,
                  first.count);
    }
    if (first.offset < 0 || first.offset + kRegionTagCount > dl) {
      return fail(ErrorCode::Input, "region trailer offset {} outside data of {} bytes",
                  first.offset, dl);
    }
    Entry trailer = readEntry(header.data_ + first.offset);
    if (first.tag == static_cast<std::uint32_t>(Tag::HeaderSignatures) &&
        trailer.tag == static_cast<std::uint32_t>(Tag::HeaderImage)) {
      trailer.tag = first.tag;  // old packages, as rpm tolerates
    }
    if (trailer.tag != first.tag || trailer.type != static_cast<std::uint32_t>(TagType::Bin) ||
        trailer.count != kRegionTagCount) {
      return fail(ErrorCode::Input, "region trailer does not match region tag {}", first.tag);
    }
    const std::int64_t region_bytes = -trailer.offset;
    if (region_bytes <= 0 || region_bytes % static_cast<std::int64_t>(kEntrySize) != 0 ||
        region_bytes / static_cast<std::int64_t>(kEntrySize) > il) {
      return fail(ErrorCode::Input, "region trailer gives a bad region size {}", region_bytes);
    }
    region_data_end = first.offset + kRegionTagCount;
    header.first_ = 1;
  }

  // Every other entry (hdrblobVerifyInfo): known type, aligned, inside the store, in offset
  // order without overlap, and not running into the region trailer.
  std::int64_t end = 0;
  for (std::size_t i = header.first_; i < header.entries_.size(); ++i) {
    const Entry& entry = header.entries_[i];
    if (end > entry.offset) {
      return fail(ErrorCode::Input, "entry {} (tag {}) overlaps the previous entry", i, entry.tag);
    }
    if (entry.tag < kMinTag) return fail(ErrorCode::Input, "entry {} has tag {}", i, entry.tag);
    if (entry.type == 0 || entry.type > kMaxType) {
      return fail(ErrorCode::Input, "tag {} has unknown type {}", entry.tag, entry.type);
    }
    if (entry.offset < 0 || entry.offset > dl) {
      return fail(ErrorCode::Input, "tag {} offset {} outside data of {} bytes", entry.tag,
                  entry.offset, dl);
    }
    if ((entry.offset & (kTypeAlign[entry.type] - 1)) != 0) {
      return fail(ErrorCode::Input, "tag {} offset {} is misaligned", entry.tag, entry.offset);
    }
    const std::size_t length =
        dataLength(entry, header.data_ + entry.offset, dl - static_cast<std::size_t>(entry.offset));
    if (length == 0) {
      return fail(ErrorCode::Input, "tag {} ({} values of type {}) does not fit the data store",
                  entry.tag, entry.count, entry.type);
    }
    end = entry.offset + static_cast<std::int64_t>(length);
    if (region_data_end >= 0 && end > region_data_end - kRegionTagCount &&
        entry.offset < region_data_end) {
      return fail(ErrorCode::Input, "tag {} overlaps the region trailer", entry.tag);
    }
  }
  return header;
}

// Typed accessors. Each returns an error when the tag exists with a type rpm would not give it.
core::Status readString(const Header& header, Tag tag, std::string& out) {
  const Entry* entry = header.find(tag);
  if (entry == nullptr) return {};
  const auto type = static_cast<TagType>(entry->type);
  const bool i18n_ok = tag == Tag::Summary;
  if (type != TagType::String && !(i18n_ok && type == TagType::I18nString)) {
    return fail(ErrorCode::Input, "tag {} has type {}, not a string", entry->tag, entry->type);
  }
  out.assign(header.at(*entry));  // validated: NUL-terminated inside the store
  return {};
}

core::Result<std::vector<std::string_view>> readStringArray(const Header& header, Tag tag) {
  std::vector<std::string_view> values;
  const Entry* entry = header.find(tag);
  if (entry == nullptr) return values;
  if (static_cast<TagType>(entry->type) != TagType::StringArray) {
    return fail(ErrorCode::Input, "tag {} has type {}, not a string array", entry->tag,
                entry->type);
  }
  values.reserve(entry->count);
  const char* p = header.at(*entry);
  for (std::uint32_t i = 0; i < entry->count; ++i) {
    const std::string_view value(p);  // validated: count NUL-terminated strings
    values.push_back(value);
    p += value.size() + 1;
  }
  return values;
}

// INT32 (or INT64 for LONGSIZE) arrays. `expected_count` 0 means at least one value.
core::Result<std::vector<std::uint64_t>> readIntegers(const Header& header, Tag tag, TagType type,
                                                      std::size_t expected_count) {
  std::vector<std::uint64_t> values;
  const Entry* entry = header.find(tag);
  if (entry == nullptr) return values;
  if (static_cast<TagType>(entry->type) != type) {
    return fail(ErrorCode::Input, "tag {} has type {}, expected {}", entry->tag, entry->type,
                static_cast<std::uint32_t>(type));
  }
  if (expected_count != 0 && entry->count != expected_count) {
    return fail(ErrorCode::Input, "tag {} has {} values, expected {}", entry->tag, entry->count,
                expected_count);
  }
  values.reserve(entry->count);
  const char* p = header.at(*entry);
  for (std::uint32_t i = 0; i < entry->count; ++i) {
    values.push_back(type == TagType::Int64 ? be64(p + std::size_t{i} * 8)
                                            : be32(p + std::size_t{i} * 4));
  }
  return values;
}

core::Status readFiles(const Header& header, std::size_t blob_size,
                       std::vector<std::string>& files) {
  const std::size_t budget = blob_size * kFileListExpansion + kFileListSlack;
  std::size_t used = 0;
  auto add = [&](std::string_view dir, std::string_view base) -> core::Status {
    used += dir.size() + base.size();
    if (used > budget) {
      return fail(ErrorCode::Input, "file list exceeds {} bytes for a {}-byte header", budget,
                  blob_size);
    }
    std::string path;
    path.reserve(dir.size() + base.size());
    path.append(dir).append(base);
    files.push_back(std::move(path));
    return {};
  };

  auto basenames = readStringArray(header, Tag::Basenames);
  if (!basenames) return tl::unexpected(basenames.error());
  if (!basenames->empty()) {
    auto dirnames = readStringArray(header, Tag::Dirnames);
    if (!dirnames) return tl::unexpected(dirnames.error());
    auto indexes = readIntegers(header, Tag::DirIndexes, TagType::Int32, basenames->size());
    if (!indexes) return tl::unexpected(indexes.error());
    if (indexes->size() != basenames->size()) {
      return fail(ErrorCode::Input, "{} basenames but no directory indexes", basenames->size());
    }
    files.reserve(basenames->size());
    for (std::size_t i = 0; i < basenames->size(); ++i) {
      const std::uint64_t index = (*indexes)[i];
      if (index >= dirnames->size()) {
        return fail(ErrorCode::Input, "file {} has directory index {} of {}", i, index,
                    dirnames->size());
      }
      if (auto status = add((*dirnames)[index], (*basenames)[i]); !status) return status;
    }
    return {};
  }
  auto old = readStringArray(header, Tag::OldFilenames);
  if (!old) return tl::unexpected(old.error());
  files.reserve(old->size());
  for (const auto name : *old) {
    if (auto status = add({}, name); !status) return status;
  }
  return {};
}

}  // namespace

core::Result<HeaderInfo> parseHeader(std::string_view blob) {
  auto header = Header::parse(blob);
  if (!header) return tl::unexpected(header.error());
  HeaderInfo info;
  const std::pair<Tag, std::string*> strings[] = {
      {Tag::Name, &info.name},
      {Tag::Version, &info.version},
      {Tag::Release, &info.release},
      {Tag::Arch, &info.arch},
      {Tag::SourceRpm, &info.source_rpm},
      {Tag::License, &info.license},
      {Tag::Vendor, &info.vendor},
      {Tag::Summary, &info.summary},
      {Tag::ModularityLabel, &info.modularity_label},
  };
  for (const auto& [tag, out] : strings) {
    if (auto status = readString(*header, tag, *out); !status)
      return tl::unexpected(status.error());
  }
  if (info.name.empty()) return fail(ErrorCode::Input, "header has no NAME");

  auto epoch = readIntegers(*header, Tag::Epoch, TagType::Int32, 0);
  if (!epoch) return tl::unexpected(epoch.error());
  if (!epoch->empty()) info.epoch = static_cast<std::uint32_t>(epoch->front());

  auto size = readIntegers(*header, Tag::Size, TagType::Int32, 0);
  if (!size) return tl::unexpected(size.error());
  if (size->empty()) {
    size = readIntegers(*header, Tag::LongSize, TagType::Int64, 0);
    if (!size) return tl::unexpected(size.error());
  }
  if (!size->empty()) info.size = size->front();

  if (const Entry* md5 = header->find(Tag::SigMd5); md5 != nullptr) {
    if (static_cast<TagType>(md5->type) != TagType::Bin) {
      return fail(ErrorCode::Input, "SIGMD5 has type {}", md5->type);
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(header->at(*md5));
    info.sigmd5.reserve(std::size_t{md5->count} * 2);
    for (std::uint32_t i = 0; i < md5->count; ++i) {
      info.sigmd5 += fmt::format("{:02x}", bytes[i]);
    }
  }

  if (auto status = readFiles(*header, blob.size(), info.files); !status) {
    return tl::unexpected(status.error());
  }
  return info;
}

bool splitSourceRpm(std::string_view source_rpm, std::string& name, std::string& version) {
  std::string_view rest = source_rpm;
  for (const std::string_view suffix : {".src.rpm", ".nosrc.rpm"}) {
    if (rest.size() > suffix.size() && rest.substr(rest.size() - suffix.size()) == suffix) {
      rest.remove_suffix(suffix.size());
      break;
    }
  }
  if (rest.size() == source_rpm.size()) return false;
  const auto release_dash = rest.rfind('-');
  if (release_dash == std::string_view::npos || release_dash == 0) return false;
  const auto version_dash = rest.rfind('-', release_dash - 1);
  if (version_dash == std::string_view::npos || version_dash == 0 ||
      version_dash + 1 == release_dash || release_dash + 1 == rest.size()) {
    return false;
  }
  name.assign(rest.substr(0, version_dash));
  version.assign(rest.substr(version_dash + 1));
  return true;
}

}  // namespace bulwark::catalog::rpm
