// Fuzzes the NVD (API 2.0 and 1.1 feeds) and CVE JSON 5 parsers with the same input.
#include "feed_fuzz.h"
#include "vulndb/feeds/nvd/nvd.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  using bulwark::fuzz::runFeedParser;
  const std::string_view input = bulwark::fuzz::asText(data, size);
  runFeedParser(parseNvd, input, "fuzz");
  runFeedParser(parseCve5, input, "fuzz");
  (void)detectNvd("fuzz", input);
  (void)detectCve5("fuzz", input);
  return 0;
}
