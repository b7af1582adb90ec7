// Fuzzes the `bulwark db update --feeds-file` parser (YAML through yaml-cpp). Every feed it
// returns must have a name and a URL within the limits, with no URL twice. Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "vulndb/update/feed_list.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::update;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto feeds = parseFeedsFile(input, "fuzz.yaml");
  if (!feeds) {
    if (feeds.error().message.empty()) std::abort();
    return 0;
  }
  if (feeds->empty() || feeds->size() > kMaxFeeds) std::abort();
  std::set<std::string> urls;
  for (const auto& feed : *feeds) {
    if (feed.url.empty() || feed.url.size() > kMaxUrlBytes || feed.name.empty()) std::abort();
    if (!urls.insert(feed.url).second) std::abort();
    (void)checkFeedUrl(feed.url, false);
  }
  return 0;
}
