// Helpers the Python cataloger tests share.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/package.h"
#include "testdata.h"

namespace bulwark::catalog::python_test {

using NameVersions = std::set<std::pair<std::string, std::string>>;

// A file of ../shared/testdata, whole.
inline std::string shared(const std::string& relative) {
  return testing::readFile(testing::sharedTestdata() / relative);
}

// The first package called `name`, or nullptr.
inline const model::Package* find(const std::vector<model::Package>& packages,
                                  std::string_view name) {
  for (const auto& package : packages) {
    if (package.name == name) return &package;
  }
  return nullptr;
}

// (name, version) of every package, development ones only when `include_dev`.
inline NameVersions nameVersions(const std::vector<model::Package>& packages,
                                 bool include_dev = false) {
  NameVersions out;
  for (const auto& package : packages) {
    if (include_dev || !package.development) out.emplace(package.name, package.version);
  }
  return out;
}

}  // namespace bulwark::catalog::python_test
