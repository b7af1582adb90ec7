// WWW-Authenticate headers come from any registry (or a man in the middle on plain HTTP).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "image/registry/challenge.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::image::registry;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto challenges = parseChallenges(text);
  if (challenges.size() > kMaxChallenges) std::abort();
  for (const auto& challenge : challenges) {
    if (challenge.scheme.empty() || challenge.params.size() > kMaxChallengeParams) std::abort();
    (void)challenge.param("realm");
  }
  return 0;
}
