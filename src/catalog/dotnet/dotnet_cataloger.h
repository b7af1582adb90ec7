// .NET packages, read as Trivy reads them:
// - `*.deps.json` (the dependency manifest the SDK writes beside an application): "libraries"
//   of type "package" and "project" keyed "Name/Version"; when "targets" has the runtime
//   target, only libraries with runtime, runtimeTargets or native assets there (the others are
//   compile-time references and are left out);
// - NuGet's packages.lock.json: every target framework's packages ("Direct" and "Transitive";
//   the "Project" entries are the solution's own projects and are left out), each
//   (name, resolved version) once.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

std::unique_ptr<Cataloger> makeDotnetCataloger();

std::vector<model::Package> parseDotnetDeps(std::string_view content, std::string_view path,
                                            core::Diagnostics& diagnostics);

std::vector<model::Package> parseNugetLock(std::string_view content, std::string_view path,
                                           core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
