// Decoding of one rpm header blob as the package databases store it: the header without the
// 8-byte magic, i.e. big-endian il (index entries) and dl (data bytes), il 16-byte index entries
// {tag, type, offset, count}, then the data store. Every entry is checked against the blob the
// way rpm's own hdrblobVerifyRegion/hdrblobVerifyInfo do before any value is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace bulwark::catalog::rpm {

// Header tags bulwark reads (rpm's lib/rpmtag.h).
enum class Tag : std::uint32_t {
  HeaderImage = 61,
  HeaderSignatures = 62,
  HeaderImmutable = 63,
  SigMd5 = 261,
  Name = 1000,
  Version = 1001,
  Release = 1002,
  Epoch = 1003,
  Summary = 1004,
  Size = 1009,
  Vendor = 1011,
  License = 1014,
  Arch = 1022,
  OldFilenames = 1027,
  SourceRpm = 1044,
  DirIndexes = 1116,
  Basenames = 1117,
  Dirnames = 1118,
  LongSize = 5009,
  ModularityLabel = 5096,
};

// rpm's header data types (rpm_tagtype_e).
enum class TagType : std::uint32_t {
  Null = 0,
  Char = 1,
  Int8 = 2,
  Int16 = 3,
  Int32 = 4,
  Int64 = 5,
  String = 6,
  Bin = 7,
  StringArray = 8,
  I18nString = 9,
};

// The fields of one installed package, as its header records them.
struct HeaderInfo {
  std::string name;
  std::optional<std::uint32_t> epoch;  // absent when the header has no EPOCH tag
  std::string version;
  std::string release;
  std::string arch;
  std::string source_rpm;  // "name-version-release.src.rpm"; empty for source packages
  std::string license;
  std::string vendor;
  std::string summary;
  std::string modularity_label;
  std::optional<std::uint64_t> size;  // SIZE, or LONGSIZE for packages above 4 GiB
  std::string sigmd5;                 // lowercase hex of SIGMD5; empty when absent
  std::vector<std::string> files;     // absolute paths the package owns
};

// rpm's own limits on a header (hdrchkTags / hdrchkData in lib/header.c).
inline constexpr std::uint32_t kMaxIndexEntries = 0xffff;
inline constexpr std::uint32_t kMaxDataBytes = 0x0fffffff;
// The file list is rebuilt from shared directory names; its total size is bounded by a
// multiple of the blob so that a crafted header cannot make it explode.
inline constexpr std::size_t kFileListExpansion = 16;
inline constexpr std::size_t kFileListSlack = std::size_t{64} * 1024;

// Parses and validates a header blob. Fails (ErrorCode::Input) with one sentence on anything
// rpm would refuse: bad counts, offsets outside the data store, misaligned or overlapping
// entries, unterminated strings, a broken region trailer, wrongly typed tags, a missing NAME.
core::Result<HeaderInfo> parseHeader(std::string_view blob);

// Splits SOURCERPM "name-version-release.src.rpm" (also ".nosrc.rpm") into name and
// "version-release". Returns false when the text does not have that shape.
bool splitSourceRpm(std::string_view source_rpm, std::string& name, std::string& version);

}  // namespace bulwark::catalog::rpm
