#include "rules/builtin.h"

#include <string>

namespace bulwark::rules {

void loadBuiltinRules(RulesSource& source, LoadResult& result) {
  for (const auto& file : builtinRuleFiles()) {
    if (!file.path.ends_with(".yaml")) continue;
    loadRulesText(std::string(file.content), "builtin:" + std::string(file.path), source, result);
  }
}

}  // namespace bulwark::rules
