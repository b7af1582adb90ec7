// Fuzzes the Debian security tracker parsers: tracker JSON and the DSA/DLA list format.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vulndb/feeds/debian/tracker.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  bulwark::core::Diagnostics diagnostics;
  std::size_t count = 0;
  const AdvisorySink sink = [&](bulwark::model::Advisory&& advisory) {
    count += advisory.id.size();
  };
  (void)parseDebianTracker(input, "fuzz", sink, diagnostics);
  (void)parseDebianAdvisoryList(input, "fuzz", sink, diagnostics);
  (void)detectFeed("fuzz", input);
  return 0;
}
