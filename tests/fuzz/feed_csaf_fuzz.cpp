// Fuzzes the Red Hat CSAF VEX / advisory parser and its detection.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vulndb/feeds/csaf/csaf.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  bulwark::core::Diagnostics diagnostics;
  std::size_t count = 0;
  const AdvisorySink sink = [&](bulwark::model::Advisory&& advisory) {
    count += advisory.id.size() + advisory.affected.size() + advisory.aliases.size();
  };
  (void)parseCsaf(input, "fuzz/cve-2099-0001.json", sink, diagnostics);
  (void)detectCsaf("fuzz.json", input);
  return 0;
}
