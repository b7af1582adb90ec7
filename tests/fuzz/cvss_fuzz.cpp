// Fuzzes the CVSS parser and scorer with arbitrary strings. Any vector that parses must score
// within [0, 10], carry a known version, and its normalized vector must parse again to the same
// score, version and normalized form. Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vulndb/cvss/cvss.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto score = bulwark::vulndb::cvss::parseAndScore(input);
  if (!score) {
    if (score.error().message.empty()) std::abort();
    return 0;
  }
  if (!(score->base_score >= 0.0 && score->base_score <= 10.0)) std::abort();
  if (score->version != "2.0" && score->version != "3.0" && score->version != "3.1" &&
      score->version != "4.0") {
    std::abort();
  }
  const auto again = bulwark::vulndb::cvss::parseAndScore(score->vector);
  if (!again) std::abort();
  if (again->base_score != score->base_score || again->version != score->version ||
      again->vector != score->vector || again->severity != score->severity) {
    std::abort();
  }
  return 0;
}
