// Fuzzes the Dockerfile reader, the history reader and every check on the result: nothing may
// crash, and every result must carry a status and, when failed, evidence.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "checks/check.h"
#include "checks/evaluate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto set = bulwark::checks::loadBuiltinChecks();
  if (!set) std::abort();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bulwark::core::Diagnostics diagnostics;
  auto file = bulwark::checks::dockerfile::parseDockerfile(text, diagnostics, "fuzz");
  if (file) {
    for (const auto& r : bulwark::checks::evaluateDockerfile(*set, *file, "fuzz")) {
      if (r.status == bulwark::model::CheckStatus::Fail && r.evidence.empty()) std::abort();
    }
  }
  // The same bytes as image history, one entry per line.
  bulwark::model::Target target;
  target.config.present = true;
  std::size_t start = 0;
  while (start <= text.size() && target.config.history.size() < 1000) {
    const auto end = text.find('\n', start);
    target.config.history.push_back(
        {"", std::string(text.substr(start, end == std::string_view::npos ? end : end - start)), "",
         false});
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  bulwark::checks::evaluateImage(*set, target, {});
  return 0;
}
