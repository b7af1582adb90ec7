// Fuzzes readSbom(): CycloneDX and SPDX JSON documents and the purls inside them.
#include <cstdint>
#include <string_view>

#include "catalog/sbom/sbom_reader.h"
#include "model/purl.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bulwark::core::Diagnostics diagnostics;
  const auto inventory = bulwark::catalog::readSbom(text, "fuzz", diagnostics);
  if (inventory) {
    for (const auto& package : inventory->packages) (void)package.fullVersion();
  }
  (void)bulwark::model::parsePurl(text.substr(0, 4096));
  return 0;
}
