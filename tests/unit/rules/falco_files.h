// The items of Falco rule files read for the rules tests: lists (a redefinition replaces in
// place, `append: true` extends), and the conditions of macros and rules with their names, in
// load order — what the loader will produce, read here with yaml-cpp so the pieces can be
// tested before it exists.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rules/lists.h"
#include "testdata.h"

namespace bulwark::rules::testing {

struct FalcoItems {
  std::vector<ListDef> lists;
  std::vector<std::pair<std::string, std::string>> macros;  // name, condition
  std::vector<std::pair<std::string, std::string>> rules;   // name, condition
};

// `files` relative to ../shared/testdata/runtime, loaded in order.
inline FalcoItems readFalcoFiles(const std::vector<std::string>& files) {
  const auto root = bulwark::testing::sharedTestdata() / "runtime";
  FalcoItems out;
  std::map<std::string, std::size_t> position;
  for (const auto& file : files) {
    for (const auto& doc : YAML::LoadAllFromFile((root / file).string())) {
      if (!doc.IsSequence()) continue;
      for (const auto& item : doc) {
        if (!item.IsMap()) continue;
        if (item["list"] && item["items"]) {
          ListDef list{item["list"].as<std::string>(), {}};
          for (const auto& value : item["items"]) list.items.push_back(value.as<std::string>());
          const bool append = item["append"] && item["append"].as<bool>();
          const auto found = position.find(list.name);
          if (found == position.end()) {
            position[list.name] = out.lists.size();
            out.lists.push_back(std::move(list));
          } else if (append) {
            auto& into = out.lists[found->second].items;
            into.insert(into.end(), list.items.begin(), list.items.end());
          } else {
            out.lists[found->second] = std::move(list);
          }
        } else if (item["macro"] && item["condition"]) {
          out.macros.emplace_back(item["macro"].as<std::string>(),
                                  item["condition"].as<std::string>());
        } else if (item["rule"] && item["condition"]) {
          out.rules.emplace_back(item["rule"].as<std::string>(),
                                 item["condition"].as<std::string>());
        }
      }
    }
  }
  return out;
}

}  // namespace bulwark::rules::testing
