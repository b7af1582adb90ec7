// Fuzzes the Red Hat CSAF VEX / advisory parser and its detection.
#include "feed_fuzz.h"
#include "vulndb/feeds/csaf/csaf.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  using bulwark::fuzz::runFeedParser;
  const std::string_view input = bulwark::fuzz::asText(data, size);
  runFeedParser(parseCsaf, input, "fuzz/cve-2099-0001.json");
  (void)detectCsaf("fuzz.json", input);
  return 0;
}
