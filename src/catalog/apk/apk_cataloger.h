// apk: lib/apk/db/installed (Alpine, Wolfi/Chainguard). Records are blocks of "K:value" lines
// separated by blank lines (apk-tools' "installed database" format).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

std::unique_ptr<Cataloger> makeApkCataloger();

std::vector<model::Package> parseApkInstalled(std::string_view content, std::string_view where,
                                              core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
