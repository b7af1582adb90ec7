// Where a command's report goes: `-o FILE`, or stdout when no file (or "-") is given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"

namespace bulwark::cli {

// Writes `text` to `path` (truncating it), or to stdout when `path` is empty or "-". False,
// with "bulwark: cannot write PATH" on stderr, when the file could not be written.
bool writeOutput(std::string_view text, const std::string& path);

// "bulwark: warning: WHERE: DETAIL (KIND)" on stderr for each diagnostic, made printable.
void printDiagnostics(const std::vector<core::Diagnostic>& diagnostics);

}  // namespace bulwark::cli
