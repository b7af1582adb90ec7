// Fuzzes the npm range parser: the input is split at its first '\n' into a range and a version
// (arbitrary bytes). A range that parses must answer satisfies() for any version, print a
// desugared form that parses again to the same form (node-semver's `range.range` is a fixed
// point), and never let a version it rejects satisfy it. The SemVer-family comparators are
// checked for antisymmetry on the two halves too. Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "version/cargo.h"
#include "version/golang.h"
#include "version/npm.h"
#include "version/semver.h"

namespace {

using Compare = int (*)(std::string_view, std::string_view) noexcept;

void checkCompare(Compare compare, std::string_view a, std::string_view b) {
  const int ab = compare(a, b);
  if (ab < -1 || ab > 1 || ab != -compare(b, a) || compare(a, a) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view text = input.substr(0, newline);
  const std::string_view version =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  for (const Compare compare : {&bulwark::version::compareSemver, &bulwark::version::compareNpm,
                                &bulwark::version::compareGo, &bulwark::version::compareCargo}) {
    checkCompare(compare, text, version);
  }
  const auto range = bulwark::version::parseNpmRange(text);
  if (!range) return 0;
  const bool satisfied = range->satisfies(version);
  if (satisfied && !bulwark::version::validNpm(version)) std::abort();
  for (const char* probe : {"0.0.0", "1.2.3", "1.2.3-alpha.1", "999.999.999"}) {
    range->satisfies(probe);
  }
  const std::string formatted = range->format();
  const auto again = bulwark::version::parseNpmRange(formatted);
  if (!again || again->format() != formatted) std::abort();
  return 0;
}
