// Fuzzes the NVD (API 2.0 and 1.1 feeds) and CVE JSON 5 parsers with the same input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vulndb/feeds/nvd/nvd.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  bulwark::core::Diagnostics diagnostics;
  std::size_t count = 0;
  const AdvisorySink sink = [&](bulwark::model::Advisory&& advisory) {
    count += advisory.id.size() + advisory.severities.size();
  };
  (void)parseNvd(input, "fuzz", sink, diagnostics);
  (void)parseCve5(input, "fuzz", sink, diagnostics);
  (void)detectNvd("fuzz", input);
  (void)detectCve5("fuzz", input);
  return 0;
}
