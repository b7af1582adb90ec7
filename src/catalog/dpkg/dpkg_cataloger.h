// dpkg: var/lib/dpkg/status and the one-file-per-package var/lib/dpkg/status.d/ of distroless
// images. Only installed packages ("Status: install ok installed", or no Status in status.d).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

std::unique_ptr<Cataloger> makeDpkgCataloger();

// Parses a dpkg status file (or one status.d entry). Malformed paragraphs become diagnostics
// with `where` and their line number.
std::vector<model::Package> parseDpkgStatus(std::string_view content, std::string_view where,
                                            core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
