// What `bulwark db update` remembers between runs, per feed URL: the validators the server sent
// (ETag, Last-Modified) so the next run can ask "changed since?" and skip an unchanged feed.
// Kept in a small JSON file beside the database (<db>.update-state.json):
//   {"version": 1, "feeds": {"https://…/Debian/all.zip":
//       {"etag": "\"abc\"", "last_modified": "Wed, 01 Jan 2025 00:00:00 GMT",
//        "fetched_at": "2025-01-01T00:00:00Z", "bytes": 123, "sha256": "…"}}}
// The file is a cache: a missing or unreadable one only costs a full download.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::vulndb::update {

struct FeedState {
  std::string etag;
  std::string last_modified;
  std::string fetched_at;  // RFC 3339 UTC
  std::uint64_t bytes = 0;
  std::string sha256;  // of the last download that was imported
};

struct UpdateState {
  std::map<std::string, FeedState> feeds;  // by URL
};

inline constexpr std::size_t kMaxStateFileBytes = std::size_t{4} << 20;
inline constexpr std::size_t kMaxStateEntries = 10000;
inline constexpr std::size_t kMaxValidatorBytes = 1024;

// <database>.update-state.json
std::string statePathFor(const std::string& database);

// Parses the state file; an entry with unusable fields is skipped (the feed is then simply
// downloaded in full), a file that is not a state document is an Input error.
core::Result<UpdateState> parseUpdateState(std::string_view text);
std::string serializeUpdateState(const UpdateState& state);

// Reads the state (absent file: empty state) / writes it atomically (temp file + rename).
core::Result<UpdateState> loadUpdateState(const std::string& path);
core::Status saveUpdateState(const std::string& path, const UpdateState& state);

}  // namespace bulwark::vulndb::update
