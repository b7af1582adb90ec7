// Fuzzes the PEP 440 specifier parser and containment (src/version/pep440.h). The input is
// split at its first '\n' into a specifier set and a candidate version (arbitrary bytes).
// Besides not crashing, the answers must be consistent, or the target aborts:
//   - contains() under Exclude implies Auto implies Include (each mode only adds pre-releases);
//   - a pre-release candidate under Exclude, and an invalid one in any mode, is never contained;
//   - the normal form of a valid version is valid, a fixed point, and compares equal to it,
//     and the set answers the same for it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "version/pep440.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using bulwark::version::Pep440Prereleases;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view spec = input.substr(0, newline);
  const std::string_view version =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  const bool valid = bulwark::version::validPep440(version);
  const std::string normal = bulwark::version::normalizePep440(version);
  if (valid != !normal.empty()) std::abort();
  if (valid && (bulwark::version::normalizePep440(normal) != normal ||
                bulwark::version::comparePep440(version, normal) != 0)) {
    std::abort();
  }

  const auto set = bulwark::version::parsePep440Specifiers(spec);
  if (!set) {
    if (set.error().message.empty()) std::abort();
    return 0;
  }
  const bool include = set->contains(version, Pep440Prereleases::Include);
  const bool automatic = set->contains(version, Pep440Prereleases::Auto);
  const bool exclude = set->contains(version, Pep440Prereleases::Exclude);
  if ((exclude && !automatic) || (automatic && !include)) std::abort();
  if (!valid && include) std::abort();
  if (exclude && bulwark::version::isPep440Prerelease(version)) std::abort();
  if (valid && set->contains(normal, Pep440Prereleases::Include) != include) std::abort();
  return 0;
}
