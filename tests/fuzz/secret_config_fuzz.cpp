// Fuzzes the secret config loader (trivy-secret.yaml format): YAML parsing, rule validation,
// regex compilation and the keyword database build. Loaded sets also scan their own text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "secrets/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rules = bulwark::secrets::loadRulesFromText(text, "fuzz.yaml");
  if (rules) (void)bulwark::secrets::scanText(**rules, "app/config.txt", text);
  return 0;
}
