// Fuzzes the binary cataloger: ELF reading and build-info extraction (Go .go.buildinfo in both
// formats, cargo-auditable .dep-v0), the summary codec, the Go module text parser and the
// cargo-auditable JSON parser. The first byte picks the entry point.
#include <cstdint>
#include <string_view>

#include "catalog/binary/binary_cataloger.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  bulwark::core::Diagnostics diagnostics;
  switch (data[0] % 5) {
    case 0: {
      const std::string summary = bulwark::catalog::extractBinarySummary("fuzz", bytes);
      if (!summary.empty())
        (void)bulwark::catalog::parseBinarySummary(summary, "fuzz", diagnostics);
      break;
    }
    case 1: {
      const auto newline = bytes.find('\n');
      const std::string_view version = bytes.substr(0, newline);
      const std::string_view modinfo =
          newline == std::string_view::npos ? std::string_view{} : bytes.substr(newline + 1);
      (void)bulwark::catalog::parseGoBuildInfo(version, modinfo, "fuzz", diagnostics);
      break;
    }
    case 2: (void)bulwark::catalog::parseCargoAuditableJson(bytes, "fuzz", diagnostics); break;
    case 3: (void)bulwark::catalog::parseBinarySummary(bytes, "fuzz", diagnostics); break;
    default: (void)bulwark::catalog::parseDepV0(bytes, "fuzz", diagnostics); break;
  }
  return 0;
}
