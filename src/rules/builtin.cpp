#include "rules/builtin.h"

#include <string>

namespace bulwark::rules {

void loadBuiltinRules(RulesSource& source, LoadResult& result) {
  for (const auto& file : builtinRuleFiles()) {
    // rules/*.yaml only: rules/simulate/ holds the simulations' own files.
    if (!file.path.ends_with(".yaml") || file.path.find('/', 6) != std::string_view::npos) continue;
    loadRulesText(std::string(file.content), "builtin:" + std::string(file.path), source, result);
  }
}

}  // namespace bulwark::rules
