// Fuzzes the OSV parsers: the input is parsed as an OSV JSON document and as an all.zip.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vulndb/feeds/osv/osv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  bulwark::core::Diagnostics diagnostics;
  std::size_t count = 0;
  const AdvisorySink sink = [&](bulwark::model::Advisory&& advisory) {
    count += advisory.id.size();
  };
  (void)parseOsv(input, "fuzz", sink, diagnostics);
  (void)parseOsvZip(input, "fuzz", sink, diagnostics);
  (void)detectFeed("fuzz", input);
  return 0;
}
