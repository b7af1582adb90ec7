// Fuzzes bun.lock (JSON with trailing commas, the dependency walk from the workspaces) and the
// other walk from a project's declarations: yarn.lock with the package.json beside it. The first
// byte picks: even → bun.lock; odd → yarn.lock, then a NUL byte, then package.json.
#include <cstdint>
#include <string_view>

#include "catalog/npm/npm_cataloger.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  bulwark::core::Diagnostics diagnostics;
  if (data[0] % 2 == 0) {
    (void)bulwark::catalog::parseBunLock(text, "fuzz", diagnostics);
    return 0;
  }
  const auto nul = text.find('\0');
  const std::string_view lock = text.substr(0, nul);
  const std::string_view manifest =
      nul == std::string_view::npos ? std::string_view{} : text.substr(nul + 1);
  (void)bulwark::catalog::parseYarnLock(lock, "fuzz", diagnostics, manifest, "fuzz.json");
  return 0;
}
