// What the readers of YAML configuration files share (the ignore file, secret rules):
// "FILE:LINE: what" errors collected while reading goes on, and the "one string or a list"
// shape. Header-only, for the code that already uses yaml-cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace bulwark::core {

// The 1-based line of a node; 0 when yaml-cpp does not know it.
inline std::size_t yamlLine(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const auto mark = node.Mark();
  return mark.line >= 0 ? static_cast<std::size_t>(mark.line) + 1 : 0;
}

// Problems found in one file, each "WHERE:LINE: what"; message() lists the first `max_listed`.
class YamlErrors {
 public:
  explicit YamlErrors(std::string_view where, std::size_t max_listed = 20)
      : where_(where), max_listed_(max_listed) {}

  void add(const YAML::Node& node, std::string_view what) {
    errors_.push_back(fmt::format("{}:{}: {}", where_, yamlLine(node), what));
  }
  void add(std::string_view what) { errors_.push_back(fmt::format("{}: {}", where_, what)); }
  [[nodiscard]] bool empty() const { return errors_.empty(); }
  [[nodiscard]] std::string message() const {
    std::string out;
    const std::size_t shown = std::min(errors_.size(), max_listed_);
    for (std::size_t i = 0; i < shown; ++i) {
      if (i > 0) out += '\n';
      out += errors_[i];
    }
    if (errors_.size() > shown) out += fmt::format("\n(and {} more)", errors_.size() - shown);
    return out;
  }

 private:
  std::string where_;
  std::size_t max_listed_;
  std::vector<std::string> errors_;
};

// A scalar or a sequence of scalars, as a list of strings; `error(node, message)` records a
// problem at a node.
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
