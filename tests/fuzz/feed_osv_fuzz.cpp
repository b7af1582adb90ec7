// Fuzzes the OSV parsers: the input is parsed as an OSV JSON document and as an all.zip.
#include "feed_fuzz.h"
#include "vulndb/feeds/osv/osv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  using bulwark::fuzz::runFeedParser;
  const std::string_view input = bulwark::fuzz::asText(data, size);
  runFeedParser(parseOsv, input, "fuzz");
  runFeedParser(parseOsvZip, input, "fuzz");
  (void)detectFeed("fuzz", input);
  return 0;
}
