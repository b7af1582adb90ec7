// What the readers of our YAML data files share (check files, benchmark profiles, the posture
// catalogue): every problem becomes a diagnostic at FILE:LINE:COLUMN (counted, the first kept
// for the error message) and reading goes on, so one run reports them all. Header-only, for the
// code that already uses yaml-cpp; readers derive from it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/diagnostic.h"

namespace bulwark::core {

class YamlFields {
 public:
  // `kind`: the diagnostics' kind ("checks.invalid-check").
  YamlFields(std::string_view source, std::string_view kind, Diagnostics& diagnostics)
      : source_(source), kind_(kind), diagnostics_(diagnostics) {}

  // At the node's line and column (the file's name alone when it has none).
  void error(const YAML::Node& node, std::string message) {
    std::string where(source_);
    if (node.IsDefined() && node.Mark().line >= 0) {
      where = fmt::format("{}:{}:{}", source_, node.Mark().line + 1, node.Mark().column + 1);
    }
    errorAt(where, std::move(message));
  }
  // At `where` ("FILE:LINE:COLUMN", e.g. from a YAML::Exception's mark).
  void errorAt(const std::string& where, std::string message) {
    if (first_.empty()) first_ = fmt::format("{}: {}", where, message);
    ++errors_;
    diagnostics_.add(std::string(kind_), where, std::move(message));
  }

  // The string at `node[key]`; empty when absent (an error when `required`) or not a scalar.
  std::string scalar(const YAML::Node& node, std::string_view key, bool required) {
    const YAML::Node value = node[std::string(key)];
    if (!value.IsDefined() || value.IsNull()) {
      if (required) error(node, fmt::format("missing field `{}`", key));
      return {};
    }
    if (!value.IsScalar()) {
      error(value, fmt::format("`{}` must be a string", key));
      return {};
    }
    return value.Scalar();
  }

  // A list of strings at `value` (the field `key`); one string too when `one_allowed`.
  std::vector<std::string> strings(const YAML::Node& value, std::string_view key,
                                   bool one_allowed) {
    std::vector<std::string> out;
    if (!value.IsDefined() || value.IsNull()) return out;
    if (one_allowed && value.IsScalar()) {
      out.push_back(value.Scalar());
      return out;
    }
    if (!value.IsSequence()) {
      error(value, one_allowed ? fmt::format("`{}` must be a string or a list of strings", key)
                               : fmt::format("`{}` must be a list of strings", key));
      return out;
    }
    for (const auto& item : value) {
      if (!item.IsScalar()) {
        error(item, fmt::format("`{}` must hold strings", key));
        continue;
      }
      out.push_back(item.Scalar());
    }
    return out;
  }

  [[nodiscard]] int errors() const { return errors_; }
  [[nodiscard]] const std::string& firstError() const { return first_; }
  [[nodiscard]] std::string_view source() const { return source_; }
  [[nodiscard]] Diagnostics& diagnostics() { return diagnostics_; }

 private:
  std::string_view source_;
  std::string_view kind_;
  Diagnostics& diagnostics_;
  int errors_ = 0;
  std::string first_;
};

}  // namespace bulwark::core
