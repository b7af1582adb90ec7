#include "cli/output.h"

#include <cstdio>
#include <fstream>

#include "core/text.h"

namespace bulwark::cli {

bool writeOutput(std::string_view text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (out.good()) return true;
  std::fprintf(stderr, "bulwark: cannot write %s\n", core::printable(path).c_str());
  return false;
}

void printDiagnostics(const std::vector<core::Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) {
    std::fprintf(stderr, "bulwark: warning: %s: %s (%s)\n", core::printable(d.where).c_str(),
                 core::printable(d.detail).c_str(), d.kind.c_str());
  }
}

}  // namespace bulwark::cli
