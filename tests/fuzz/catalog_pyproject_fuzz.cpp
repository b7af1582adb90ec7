// Fuzzes the Python inputs added after the lockfiles: a whole .egg (libarchive's zip reader and
// the PKG-INFO reduction, then the summary parser), an egg summary fed to its parser directly,
// pylock.toml, and pyproject.toml applied to a poetry.lock and a pylock.toml. The first byte
// picks the parser so that one corpus covers all.
#include <cstdint>
#include <string_view>

#include "catalog/python/python_cataloger.h"

namespace {

constexpr std::string_view kPoetryLock = R"([[package]]
name = "Flask"
version = "3.0.0"
[package.dependencies]
click = ">=8"
[[package]]
name = "click"
version = "8.1.7"
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  bulwark::core::Diagnostics diagnostics;
  using namespace bulwark::catalog;  // NOLINT(google-build-using-namespace)
  switch (data[0] % 4) {
    case 0: (void)parsePythonEgg(bytes, "fuzz.egg", diagnostics); break;
    case 1: (void)parsePythonEggSummary(bytes, "fuzz.egg", diagnostics); break;
    case 2: (void)parsePylock(bytes, "pylock.toml", diagnostics); break;
    default: {
      const auto project = parsePyProject(bytes, "pyproject.toml", diagnostics);
      if (!project) break;
      auto poetry = parsePoetryLock(kPoetryLock, "poetry.lock", diagnostics);
      applyPyProjectToPoetry(poetry, *project);
      applyPyProjectToPylock(poetry, *project);
    }
  }
  return 0;
}
