// Which feeds `bulwark db update` downloads: the default OSV per-ecosystem archives (the one
// list of them is kOsvEcosystems in feed_list.cpp), or URLs given on the command line or in a
// feeds file.
//
// Feeds file (YAML), a list of feeds, each with a name and an https URL:
//   - name: osv-debian
//     url: https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip
//   - name: alpine-3.19-main
//     url: https://secdb.alpinelinux.org/v3.19/main.json
// A top-level map with a `feeds:` key holding that list is accepted too.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace bulwark::vulndb::update {

struct FeedSpec {
  std::string name;  // shown in the summary and recorded in the database's feeds table
  std::string url;
};

// Where OSV publishes https://…/<Ecosystem>/all.zip.
inline constexpr std::string_view kOsvBaseUrl =
    "https://osv-vulnerabilities.storage.googleapis.com";

inline constexpr std::size_t kMaxFeeds = 1000;
inline constexpr std::size_t kMaxFeedsFileBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxUrlBytes = 4096;

// The OSV ecosystems updated by default, spelled as OSV spells them ("crates.io", "PyPI").
std::span<const std::string_view> defaultOsvEcosystems();

// The default feed list for `ecosystems` (all defaults when empty), under `base` (kOsvBaseUrl
// or a mirror): BASE/<Ecosystem>/all.zip. Ecosystems are matched case-insensitively against
// the defaults; any other name is taken as written, so a mirror can carry more. An empty or
// unusable name (a '/', a control character) is a Usage error.
core::Result<std::vector<FeedSpec>> osvFeeds(std::string_view base,
                                             const std::vector<std::string>& ecosystems);

// Points every feed under kOsvBaseUrl at `base` instead (--mirror with explicit feeds).
void rewriteOsvBase(std::vector<FeedSpec>& feeds, std::string_view base);

// A feed given as a bare URL: named after its path ("Debian/all.zip" → "Debian").
FeedSpec feedFromUrl(std::string_view url);

// Parses a feeds file (see above). `where` names it in errors. Every entry needs a name and a
// URL of at most kMaxUrlBytes; at most kMaxFeeds entries; duplicate URLs are an error.
core::Result<std::vector<FeedSpec>> parseFeedsFile(std::string_view text, std::string_view where);

// Reads and parses a feeds file (at most kMaxFeedsFileBytes).
core::Result<std::vector<FeedSpec>> loadFeedsFile(const std::string& path);

// Checks that a URL is http(s) and short enough; plain http only when `allow_http`.
core::Status checkFeedUrl(std::string_view url, bool allow_http);

}  // namespace bulwark::vulndb::update
