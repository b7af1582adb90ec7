// Fuzzes the Alpine secdb parser (JSON when the input starts with '{', YAML otherwise).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vulndb/feeds/secdb/secdb.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  bulwark::core::Diagnostics diagnostics;
  std::size_t count = 0;
  const AdvisorySink sink = [&](bulwark::model::Advisory&& advisory) {
    count += advisory.id.size();
  };
  (void)parseSecdb(input, "fuzz", sink, diagnostics);
  return 0;
}
