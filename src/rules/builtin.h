// bulwark's own rules (data/rules/, embedded in the binary): one per container alert of the
// reference catalogue, with an id, MITRE ATT&CK tags, a remediation line and references.
#pragma once

#include <span>

#include "core/embedded.h"
#include "rules/loader.h"

namespace bulwark::rules {

// The embedded rule files, by path relative to data/ ("rules/bulwark_host.yaml"), sorted.
std::span<const core::EmbeddedFile> builtinRuleFiles();

// Loads every embedded rule file in order, named "builtin:<path>" in messages.
void loadBuiltinRules(RulesSource& source, LoadResult& result);

}  // namespace bulwark::rules
