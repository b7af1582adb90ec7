// Fuzzes every version comparator: the input is split at its first '\n' into two versions
// (arbitrary bytes, NUL included), and each comparator must be reflexive and antisymmetric
// (sign(cmp(a, b)) == -sign(cmp(b, a))) and answer -1, 0 or 1. Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "version/scheme.h"

namespace {

using bulwark::version::CompareFn;

void check(CompareFn compare, std::string_view a, std::string_view b) {
  const int ab = compare(a, b);
  const int ba = compare(b, a);
  if (ab < -1 || ab > 1 || ba < -1 || ba > 1) std::abort();
  if (ab != -ba) std::abort();
  if (compare(a, a) != 0 || compare(b, b) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view a = input.substr(0, newline);
  const std::string_view b =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  for (const bulwark::version::SchemeInfo& scheme : bulwark::version::allSchemes()) {
    check(scheme.compare, a, b);
    std::string_view problem;
    if (!scheme.valid(a, &problem) && problem.empty()) std::abort();
    scheme.valid(b, nullptr);
  }
  check(&bulwark::version::compareRpmSegment, a, b);
  return 0;
}
