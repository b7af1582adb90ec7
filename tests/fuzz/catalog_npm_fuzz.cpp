// Fuzzes the JavaScript parsers: package.json, package-lock.json, yarn.lock (classic and berry)
// and pnpm-lock.yaml. The first byte picks the parser so that one corpus covers all four.
#include <cstdint>
#include <string_view>

#include "catalog/npm/npm_cataloger.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  bulwark::core::Diagnostics diagnostics;
  switch (data[0] % 4) {
    case 0: (void)bulwark::catalog::parseNpmPackageJson(text, "fuzz", diagnostics); break;
    case 1: (void)bulwark::catalog::parsePackageLock(text, "fuzz", diagnostics); break;
    case 2: (void)bulwark::catalog::parseYarnLock(text, "fuzz", diagnostics); break;
    default: (void)bulwark::catalog::parsePnpmLock(text, "fuzz", diagnostics); break;
  }
  return 0;
}
