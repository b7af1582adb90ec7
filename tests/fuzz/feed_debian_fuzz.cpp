// Fuzzes the Debian security tracker parsers: tracker JSON and the DSA/DLA list format.
#include "feed_fuzz.h"
#include "vulndb/feeds/debian/tracker.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  using bulwark::fuzz::runFeedParser;
  const std::string_view input = bulwark::fuzz::asText(data, size);
  runFeedParser(parseDebianTracker, input, "fuzz");
  runFeedParser(parseDebianAdvisoryList, input, "fuzz");
  (void)detectFeed("fuzz", input);
  return 0;
}
