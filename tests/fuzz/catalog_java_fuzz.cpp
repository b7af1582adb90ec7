// Fuzzes the Java cataloger: the first byte picks whether the rest is a whole archive
// (libarchive's zip reader, nested archives, pom.properties and MANIFEST.MF reduction, then the
// summary parser), a summary fed to the summary parser directly, a pom.xml or a gradle.lockfile.
#include <cstdint>
#include <string_view>

#include "catalog/java/java_archive_cataloger.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  bulwark::core::Diagnostics diagnostics;
  switch (data[0] % 4) {
    case 0: (void)bulwark::catalog::parseJavaArchive(bytes, "fuzz-1.0.jar", diagnostics); break;
    case 1:
      (void)bulwark::catalog::parseJavaArchiveSummary(bytes, "fuzz-1.0.jar", diagnostics);
      break;
    case 2: (void)bulwark::catalog::parsePomXml(bytes, "pom.xml", diagnostics); break;
    default: (void)bulwark::catalog::parseGradleLockfile(bytes, "gradle.lockfile", diagnostics);
  }
  return 0;
}
