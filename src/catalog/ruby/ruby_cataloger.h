// Ruby gems: the Ruby-syntax gemspecs rubygems writes for installed gems
// (`**/specifications/*.gemspec`) and Bundler's Gemfile.lock. Both are read the way Trivy reads
// them: gemspec attributes by line ("s.name = \"x\".freeze"), Gemfile.lock's 4-space indented
// "name (version)" spec lines with the platform suffix dropped.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "catalog/cataloger.h"

namespace bulwark::catalog {

std::unique_ptr<Cataloger> makeRubyCataloger();

// One installed gem, or nullopt (with a diagnostic) when name or version is missing.
std::optional<model::Package> parseGemspec(std::string_view content, std::string_view path,
                                           core::Diagnostics& diagnostics);

// Every gem a Gemfile.lock pins, each (name, version) once; `depends` from the 6-space lines.
std::vector<model::Package> parseGemfileLock(std::string_view content, std::string_view path,
                                             core::Diagnostics& diagnostics);

}  // namespace bulwark::catalog
