// The JSON bodies of the /api/v1 routes (tokens, registries, scans): untrusted bytes from any
// client with a token. None may crash, hang or recurse without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/api_bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)bulwark::server::parseTokenRequest(body, 1700000000000);
  (void)bulwark::server::parseRegistryRequest(body);
  auto scan = bulwark::server::parseScanRequest(body);
  if (scan && !bulwark::server::validRepository(scan->repository)) __builtin_trap();
  return 0;
}
