// Advisory feeds: parsers that turn the bytes of an upstream format (OSV, the Debian security
// tracker, Alpine secdb, ...) into model::Advisory values, one at a time, through a callback.
//
// Contract shared by every parser:
//  - advisories are delivered to the sink as soon as they are complete (formats that must group
//    records first, e.g. the tracker's package → CVE nesting, deliver at the end, sorted by id);
//  - a bad record becomes a diagnostic "<format>.malformed-record" (where = file#record) and the
//    rest is parsed; an unusable file (not JSON, truncated archive) is a returned core::Error;
//  - a record bulwark cannot evaluate (unknown ecosystem, impossible range) is still delivered
//    and also reported as a diagnostic "feed.unevaluable" with the reason;
//  - nothing throws, and every size, count and depth is bounded.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <span>
#include <string_view>

#include "core/diagnostic.h"
#include "core/result.h"
#include "model/advisory.h"

namespace bulwark::vulndb::feeds {

using AdvisorySink = std::function<void(model::Advisory&&)>;

inline constexpr std::size_t kMaxFeedFileBytes = std::size_t{1} << 30;        // one file, 1 GiB
inline constexpr std::size_t kMaxArchiveMemberBytes = std::size_t{64} << 20;  // zip member
inline constexpr std::size_t kDetectBytes = std::size_t{64} * 1024;  // what detectFeed wants to see
inline constexpr std::string_view kUnevaluable = "feed.unevaluable";

using DetectFn = bool (*)(std::string_view path, std::string_view head);
using ParseFn = core::Status (*)(std::string_view bytes, std::string_view where,
                                 const AdvisorySink& sink, core::Diagnostics& diagnostics);
using ParseFileFn = core::Status (*)(const std::filesystem::path& path, const AdvisorySink& sink,
                                     core::Diagnostics& diagnostics);

struct FeedFormat {
  std::string_view name;
  DetectFn detect = nullptr;
  ParseFn parse = nullptr;
  ParseFileFn parse_file = nullptr;  // nullptr: read the file and call parse
};

// Every format of feeds.def, in detection order.
std::span<const FeedFormat> feedFormats();

// The format of a file from its path and first bytes (up to kDetectBytes), or nullptr.
const FeedFormat* detectFeed(std::string_view path, std::string_view head);

// Parses one file, or every file under a directory (recursively, in sorted path order), with
// the format each one is detected as. Files of no known format become diagnostics
// "feed.unrecognised"; a file that fails to parse becomes a diagnostic "feed.unreadable" when
// `path` is a directory and the returned error when it is a single file.
core::Status parseFeedPath(const std::filesystem::path& path, const AdvisorySink& sink,
                           core::Diagnostics& diagnostics);

// The parsers, each declared in its folder's header (osv/osv.h, debian/tracker.h,
// secdb/secdb.h) and listed in feeds.def.
#define BULWARK_FEED(name, detect, parse, parse_file)                                          \
  bool detect(std::string_view path, std::string_view head);                                   \
  core::Status parse(std::string_view bytes, std::string_view where, const AdvisorySink& sink, \
                     core::Diagnostics& diagnostics);
#include "vulndb/feeds/feeds.def"
#undef BULWARK_FEED

core::Status parseOsvZipFile(const std::filesystem::path& path, const AdvisorySink& sink,
                             core::Diagnostics& diagnostics);

}  // namespace bulwark::vulndb::feeds
