// Fuzz target: one rpm header blob (parseHeader).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/rpm/header.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)bulwark::catalog::rpm::parseHeader(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
