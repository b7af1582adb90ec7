// Fuzzes the Java project files added after gradle.lockfile: build.sbt.lock (first byte even),
// and pom.xml with parent POMs (first byte odd): the rest is split at "\n----\n" into POMs; the
// first is the child at a/b/c/pom.xml, and every parent lookup gets one of them (chosen by the
// length of the path asked for), so relativePath chains, cycles and mismatches are all reached.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/java/java_archive_cataloger.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  bulwark::core::Diagnostics diagnostics;
  if (data[0] % 2 == 0) {
    (void)bulwark::catalog::parseSbtLockfile(bytes, "build.sbt.lock", diagnostics);
    return 0;
  }
  std::vector<std::string> poms;
  std::size_t at = 0;
  while (at <= bytes.size()) {
    const auto next = bytes.find("\n----\n", at);
    if (next == std::string_view::npos) {
      poms.emplace_back(bytes.substr(at));
      break;
    }
    poms.emplace_back(bytes.substr(at, next - at));
    at = next + 6;
  }
  const bulwark::catalog::PomLoader load = [&poms](std::string_view path) -> const std::string* {
    return &poms[path.size() % poms.size()];
  };
  (void)bulwark::catalog::parsePomXmlWithParents(poms.front(), "a/b/c/pom.xml", load, diagnostics);
  return 0;
}
