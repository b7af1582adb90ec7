// Fuzzes the OVAL parser (plain XML and bzip2) and its detection.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vulndb/feeds/oval/oval.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  bulwark::core::Diagnostics diagnostics;
  std::size_t count = 0;
  const AdvisorySink sink = [&](bulwark::model::Advisory&& advisory) {
    count += advisory.id.size() + advisory.affected.size();
  };
  (void)parseOval(input, "fuzz/cbl-mariner-2.0-oval.xml", sink, diagnostics);
  (void)detectOval("fuzz.oval.xml.bz2", input);
  return 0;
}
