// Fuzzes the secret scanner's text path with the builtin rules: the first line of the input is
// the file's path, the rest its content. Findings must be redacted (a '*' in every match).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "secrets/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto kRules = [] {
    auto loaded = bulwark::secrets::loadRules("");
    if (!loaded) std::abort();
    return *loaded;
  }();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view path = newline == std::string_view::npos ? "" : input.substr(0, newline);
  const std::string_view content =
      newline == std::string_view::npos ? input : input.substr(newline + 1);
  for (const auto& finding : bulwark::secrets::scanText(*kRules, path, content)) {
    if (finding.match.find('*') == std::string::npos) std::abort();
  }
  bulwark::model::ImageConfig config;
  config.env.emplace_back(content);
  config.history.push_back({"", std::string(content), "", false});
  (void)bulwark::secrets::scanImageConfig(*kRules, config);
  return 0;
}
