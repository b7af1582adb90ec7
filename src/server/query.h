// Query parameters of the /api/v1 routes, shared by every route module (api.cpp, alerts_api.cpp,
// posture_api.cpp): paging, integers, bounded text and times. The parse* functions are pure
// (posture_query.cpp and its fuzz target use them); the *Query functions read a request and send
// the 400 themselves, so a handler returns as soon as one gives nullopt or false.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>

#include "server/server.h"
#include "store/store.h"

namespace bulwark::server {

inline constexpr std::int64_t kDefaultLimit = 100;
inline constexpr std::int64_t kMaxLimit = 1000;
inline constexpr std::int64_t kMaxOffset = std::int64_t{1} << 40;
inline constexpr std::size_t kMaxQueryBytes = 256;

// Unix milliseconds of years 1970..9999: what RFC 3339 can write and an int64 holds.
inline constexpr store::Millis kMaxQueryMillis = std::int64_t{253402300799999};

// A decimal integer within [min, max], the whole text; nullopt otherwise.
std::optional<std::int64_t> parseQueryInt(std::string_view text, std::int64_t min,
                                          std::int64_t max);

// A time: RFC 3339, Unix milliseconds, or a duration back from `now` ("24h", "7d"); nullopt when
// malformed or longer than kMaxQueryBytes.
std::optional<store::Millis> parseQueryTime(std::string_view text, store::Millis now);

// A text filter: at most kMaxQueryBytes of UTF-8, no NUL.
bool validQueryText(std::string_view text);

// The messages of the 400s, shared so that every route words them alike.
std::string intQueryMessage(std::string_view name, std::int64_t min, std::int64_t max);
std::string timeQueryMessage(std::string_view name);
std::string textQueryMessage(std::string_view name);

struct Page {
  std::int64_t limit = kDefaultLimit;
  std::int64_t offset = 0;
};

// An integer query parameter within [min, max]; `fallback` when absent; nullopt (and a 400
// sent) when malformed.
std::optional<std::int64_t> intQuery(const RequestContext& context, httplib::Response& res,
                                     const std::string& name, std::int64_t fallback,
                                     std::int64_t min, std::int64_t max);

// `limit` (1..kMaxLimit, default kDefaultLimit) and `offset` (0..kMaxOffset).
std::optional<Page> pageQuery(const RequestContext& context, httplib::Response& res);

// A time query parameter (parseQueryTime); nullopt and a 400 sent when malformed; an empty
// optional inside when the parameter is not there.
std::optional<std::optional<store::Millis>> timeQuery(const RequestContext& context,
                                                      httplib::Response& res,
                                                      const std::string& name, store::Millis now);

// A text filter ("" when absent); false (and a 400 sent) when longer than kMaxQueryBytes,
// holding a NUL or not UTF-8.
bool textQuery(const RequestContext& context, httplib::Response& res, const std::string& name,
               std::string& out);

}  // namespace bulwark::server
