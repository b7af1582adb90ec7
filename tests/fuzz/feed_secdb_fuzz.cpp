// Fuzzes the Alpine secdb parser (JSON when the input starts with '{', YAML otherwise).
#include "feed_fuzz.h"
#include "vulndb/feeds/secdb/secdb.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  using bulwark::fuzz::runFeedParser;
  const std::string_view input = bulwark::fuzz::asText(data, size);
  runFeedParser(parseSecdb, input, "fuzz");
  return 0;
}
