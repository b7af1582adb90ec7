// Fuzzes the Ubuntu CVE Tracker text parser.
#include "feed_fuzz.h"
#include "vulndb/feeds/ubuntu/uct.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  using bulwark::fuzz::runFeedParser;
  const std::string_view input = bulwark::fuzz::asText(data, size);
  runFeedParser(parseUbuntuCveTracker, input, "fuzz");
  (void)detectUbuntuCveTracker("fuzz/CVE-2020-0001", input);
  return 0;
}
