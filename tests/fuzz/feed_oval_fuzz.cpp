// Fuzzes the OVAL parser (plain XML and bzip2) and its detection.
#include "feed_fuzz.h"
#include "vulndb/feeds/oval/oval.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  using bulwark::fuzz::runFeedParser;
  const std::string_view input = bulwark::fuzz::asText(data, size);
  runFeedParser(parseOval, input, "fuzz/cbl-mariner-2.0-oval.xml");
  (void)detectOval("fuzz.oval.xml.bz2", input);
  return 0;
}
