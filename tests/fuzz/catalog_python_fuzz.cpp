// Fuzzes the Python parsers: core metadata, requirements.txt, Pipfile.lock (JSON), poetry.lock,
// uv.lock and pdm.lock (TOML). The first byte picks the parser so that one corpus covers all.
#include <cstdint>
#include <string_view>

#include "catalog/python/python_cataloger.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  bulwark::core::Diagnostics diagnostics;
  using namespace bulwark::catalog;  // NOLINT(google-build-using-namespace)
  switch (data[0] % 6) {
    case 0: (void)parsePythonMetadata(text, "fuzz", diagnostics); break;
    case 1: (void)parseRequirements(text, "fuzz", diagnostics); break;
    case 2: (void)parsePipfileLock(text, "fuzz", diagnostics); break;
    case 3: (void)parsePoetryLock(text, "fuzz", diagnostics); break;
    case 4: (void)parseUvLock(text, "fuzz", diagnostics); break;
    default: (void)parsePdmLock(text, "fuzz", diagnostics); break;
  }
  return 0;
}
