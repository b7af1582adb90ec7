// Fuzzes the check loader with arbitrary YAML; a check that loads is evaluated on a small
// Dockerfile. Nothing may crash or throw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "checks/check.h"
#include "checks/evaluate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bulwark::core::Diagnostics diagnostics;
  const auto check = bulwark::checks::loadCheck(text, "fuzz.yaml", diagnostics);
  if (!check) {
    if (diagnostics.size() == 0) std::abort();  // a rejection always says why
    return 0;
  }
  static const auto file = [] {
    bulwark::core::Diagnostics d;
    return bulwark::checks::dockerfile::parseDockerfile(
        "FROM alpine\nENV TOKEN=x\nRUN apk add curl && curl -k https://x | sh\nEXPOSE 22\n"
        "USER root\nWORKDIR app\n",
        d);
  }();
  bulwark::checks::Resource resource{bulwark::checks::ResourceKind::Dockerfile, "Dockerfile",
                                     &*file, nullptr, nullptr};
  bulwark::checks::evaluateCheck(*check, resource);
  return 0;
}
