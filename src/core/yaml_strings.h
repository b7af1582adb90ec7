// The YAML shape configuration files use for "one or more": a scalar or a sequence of scalars,
// as a list of strings. Header-only, for the readers that already use yaml-cpp (the ignore
// file, secret rules); `error(node, message)` records a problem at a node and reading goes on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace bulwark::core {

template <typename OnError>
std::vector<std::string> yamlStrings(const YAML::Node& node, std::string_view key,
                                     OnError&& error) {
  std::vector<std::string> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (item.IsScalar() && !item.Scalar().empty()) {
        out.push_back(item.Scalar());
      } else {
        error(item, fmt::format("'{}' entries must be non-empty strings", key));
      }
    }
  } else {
    error(node, fmt::format("'{}' must be a string or a list of strings", key));
  }
  return out;
}

}  // namespace bulwark::core
