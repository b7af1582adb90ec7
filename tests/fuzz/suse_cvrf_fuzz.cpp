// Fuzzes the SUSE CVRF parser (XML, Latin-1 repair, relationships and statuses), its detection
// and the SUSE product-name → release key mapping.
#include "feed_fuzz.h"
#include "vulndb/ecosystem.h"
#include "vulndb/feeds/suse/cvrf.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  using bulwark::fuzz::runFeedParser;
  const std::string_view input = bulwark::fuzz::asText(data, size);
  runFeedParser(parseSuseCvrf, input, "fuzz/cvrf-suse-su-2024-0001-1.xml");
  (void)detectSuseCvrf("fuzz.xml", input);
  (void)splitSuseRpmReference(input.substr(0, 256));
  (void)bulwark::vulndb::suseEcosystem(input.substr(0, 256));
  return 0;
}
