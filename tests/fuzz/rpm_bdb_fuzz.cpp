// Fuzz target: a BerkeleyDB hash Packages file (readBdb), each blob through parseHeader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/rpm/bdb.h"
#include "catalog/rpm/header.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bulwark::core::Diagnostics diagnostics;
  (void)bulwark::catalog::rpm::readBdb(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz",
      [](std::uint64_t, std::string_view blob) { (void)bulwark::catalog::rpm::parseHeader(blob); },
      diagnostics);
  return 0;
}
