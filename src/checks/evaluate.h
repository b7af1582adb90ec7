// Evaluating checks on a resource: the public entry points for the CLI and the scan pipeline.
#pragma once

#include <string_view>
#include <vector>

#include "checks/check.h"
#include "checks/resource.h"
#include "model/check.h"
#include "model/package.h"

namespace bulwark::checks {

// One result per check, in the set's order. A check that does not apply to the resource kind
// is not-applicable or not-evaluated with its YAML's reason — never a pass.
std::vector<model::CheckResult> evaluate(const CheckSet& set, const Resource& resource);

std::vector<model::CheckResult> evaluateDockerfile(const CheckSet& set,
                                                   const dockerfile::Dockerfile& file,
                                                   std::string_view path);

// `target.config` holds the image config and history; `files` the layer facts (pass a
// default ImageFiles when the layers were not scanned).
std::vector<model::CheckResult> evaluateImage(const CheckSet& set, const model::Target& target,
                                              const ImageFiles& files);

// The one check: evaluate(set, resource) for a single check.
model::CheckResult evaluateCheck(const Check& check, const Resource& resource);

}  // namespace bulwark::checks
