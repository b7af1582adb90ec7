// Fuzzes the ecosystems' native advisory formats: ruby-advisory-db YAML and the Node.js
// security-wg JSON. The first byte picks the parser so one corpus covers both.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vulndb/feeds/native/native.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::feeds;
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  bulwark::core::Diagnostics diagnostics;
  std::size_t count = 0;
  const AdvisorySink sink = [&](bulwark::model::Advisory&& advisory) {
    count += advisory.id.size() + advisory.affected.size();
  };
  if (data[0] % 2 == 0) {
    (void)parseRubysec(input, "gems/rack/CVE-2020-0001.yml", sink, diagnostics);
  } else {
    (void)parseNodejsSecurityWg(input, "vuln/npm/1.json", sink, diagnostics);
  }
  return 0;
}
