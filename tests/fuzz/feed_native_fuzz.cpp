// Fuzzes the ecosystems' native advisory formats: ruby-advisory-db YAML and the Node.js
// security-wg JSON. The first byte picks the parser so one corpus covers both.
#include "feed_fuzz.h"
#include "vulndb/feeds/native/native.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  using bulwark::fuzz::runFeedParser;
  if (size == 0) return 0;
  const std::string_view input = bulwark::fuzz::asText(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    runFeedParser(parseRubysec, input, "gems/rack/CVE-2020-0001.yml");
  } else {
    runFeedParser(parseNodejsSecurityWg, input, "vuln/npm/1.json");
  }
  return 0;
}
