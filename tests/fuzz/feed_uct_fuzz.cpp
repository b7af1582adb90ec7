// Fuzzes the Ubuntu CVE Tracker text parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vulndb/feeds/ubuntu/uct.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  bulwark::core::Diagnostics diagnostics;
  std::size_t count = 0;
  const AdvisorySink sink = [&](bulwark::model::Advisory&& advisory) {
    count += advisory.id.size() + advisory.affected.size();
  };
  (void)parseUbuntuCveTracker(input, "fuzz", sink, diagnostics);
  (void)detectUbuntuCveTracker("fuzz/CVE-2020-0001", input);
  return 0;
}
