// Fuzzes the RubyGems requirement parser (parseGemRequirement) and satisfiedBy, plus the gem
// and composer comparators on halves of the input. The input is split at its first newline:
// the requirement before it, a version after it. Any parsed requirement must have at least one
// clause, each with a valid version and, for "~>", a non-empty bump; every clause must accept
// its own version exactly as its operator says; comparators must be antisymmetric and reflexive.
// Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "version/composer.h"
#include "version/gem.h"

namespace {

int sign(int v) { return (v > 0) - (v < 0); }

void checkComparator(int (*compare)(std::string_view, std::string_view) noexcept,
                     std::string_view a, std::string_view b) {
  const int ab = compare(a, b);
  if (ab < -1 || ab > 1) std::abort();
  if (sign(compare(b, a)) != -sign(ab)) std::abort();
  if (compare(a, a) != 0 || compare(b, b) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::version;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view text = input.substr(0, newline);
  const std::string_view version =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  checkComparator(compareGem, text, version);
  checkComparator(compareComposer, text, version);
  std::string_view problem;
  if (!validGem(version, &problem) && problem.empty()) std::abort();
  problem = {};
  if (!validComposer(version, &problem) && problem.empty()) std::abort();

  const auto requirement = parseGemRequirement(text);
  if (!requirement) {
    if (requirement.error().message.empty()) std::abort();
    return 0;
  }
  if (requirement->constraints.empty()) std::abort();
  for (const GemConstraint& c : requirement->constraints) {
    if (c.version.empty() || !validGem(c.version)) std::abort();
    if ((c.op == GemOp::Pessimistic) == c.bump.empty()) std::abort();
    GemRequirement single;
    single.constraints.push_back(c);
    const bool self = single.satisfiedBy(c.version);
    const bool expected =
        c.op == GemOp::Eq || c.op == GemOp::Ge || c.op == GemOp::Le || c.op == GemOp::Pessimistic;
    if (self != expected) std::abort();
  }
  (void)requirement->satisfiedBy(version);
  return 0;
}
