// PHP Composer packages: composer.lock ("packages" are runtime, "packages-dev" development) and
// the vendor/composer/installed.json Composer writes when it installs (v1: a JSON array; v2:
// {"packages": [...], "dev-package-names": [...]}).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

std::unique_ptr<Cataloger> makeComposerCataloger();

std::vector<model::Package> parseComposerLock(std::string_view content, std::string_view path,
                                              core::Diagnostics& diagnostics);

std::vector<model::Package> parseComposerInstalled(std::string_view content, std::string_view path,
                                                   core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
