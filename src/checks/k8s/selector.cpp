#include "checks/k8s/selector.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "checks/docker/json_path.h"

namespace bulwark::checks::k8s {

namespace {

struct OperatorName {
  std::string_view name;
  SelectorOperator op;
};

constexpr std::array kOperators = {
    OperatorName{"In", SelectorOperator::In},
    OperatorName{"NotIn", SelectorOperator::NotIn},
    OperatorName{"Exists", SelectorOperator::Exists},
    OperatorName{"DoesNotExist", SelectorOperator::DoesNotExist},
};

auto malformed(std::string message) {
  return core::fail(core::ErrorCode::Input, std::move(message));
}

// The label's value as a selector compares it, or nullptr when the pod does not carry it.
const nlohmann::json* labelValue(const nlohmann::json* labels, std::string_view key) {
  if (labels == nullptr || !labels->is_object()) return nullptr;
  const auto it = labels->find(key);
  return it == labels->end() || it->is_null() ? nullptr : &*it;
}

bool holds(const Requirement& requirement, const nlohmann::json* labels) {
  const nlohmann::json* value = labelValue(labels, requirement.key);
  const auto listed = [&] {
    const std::string text = docker::scalarText(*value);
    return std::find(requirement.values.begin(), requirement.values.end(), text) !=
           requirement.values.end();
  };
  switch (requirement.op) {
    case SelectorOperator::Equals:
    case SelectorOperator::In: return value != nullptr && listed();
    case SelectorOperator::NotIn: return value == nullptr || !listed();
    case SelectorOperator::Exists: return value != nullptr;
    case SelectorOperator::DoesNotExist: return value == nullptr;
  }
  return false;
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values) {
    if (!out.empty()) out += ',';
    out += value;
  }
  return out;
}

// matchLabels (or a Service's selector): each member one Equals requirement, in key order.
core::Status addEquals(const nlohmann::json& map, std::string_view where, LabelSelector& out) {
  if (!map.is_object()) return malformed(fmt::format("{} is not a map of labels", where));
  for (const auto& [key, value] : map.items()) {
    if (out.requirements().size() == kMaxSelectorRequirements) {
      return malformed(fmt::format("more than {} selector requirements", kMaxSelectorRequirements));
    }
    if (!value.is_string()) {
      return malformed(fmt::format("{}.{}: the label value is not a string", where, key));
    }
    out.add({key, SelectorOperator::Equals, {value.get<std::string>()}});
  }
  return {};
}

core::Result<Requirement> expression(const nlohmann::json& node, const std::string& where) {
  if (!node.is_object()) return malformed(fmt::format("{} is not a map", where));
  const auto key = node.find("key");
  if (key == node.end() || !key->is_string() || key->get_ref<const std::string&>().empty()) {
    return malformed(fmt::format("{}.key is missing or not a string", where));
  }
  const auto op = node.find("operator");
  if (op == node.end() || !op->is_string()) {
    return malformed(fmt::format("{}.operator is missing or not a string", where));
  }
  const auto* known = std::find_if(kOperators.begin(), kOperators.end(), [&](const auto& entry) {
    return entry.name == op->get_ref<const std::string&>();
  });
  if (known == kOperators.end()) {
    return malformed(fmt::format("{}.operator: unknown operator \"{}\"", where,
                                 op->get_ref<const std::string&>()));
  }
  Requirement requirement{key->get<std::string>(), known->op, {}};
  if (const auto values = node.find("values"); values != node.end() && !values->is_null()) {
    if (!values->is_array()) return malformed(fmt::format("{}.values is not a list", where));
    if (values->size() > kMaxSelectorValues) {
      return malformed(fmt::format("{}.values: more than {} values", where, kMaxSelectorValues));
    }
    for (const auto& value : *values) {
      if (!value.is_string()) {
        return malformed(fmt::format("{}.values: a value is not a string", where));
      }
      requirement.values.push_back(value.get<std::string>());
    }
  }
  const bool takes_values =
      requirement.op == SelectorOperator::In || requirement.op == SelectorOperator::NotIn;
  if (takes_values && requirement.values.empty()) {
    return malformed(fmt::format("{}: {} needs values", where, known->name));
  }
  if (!takes_values && !requirement.values.empty()) {
    return malformed(fmt::format("{}: {} takes no values", where, known->name));
  }
  return requirement;
}

}  // namespace

LabelSelector LabelSelector::nothing() {
  LabelSelector selector;
  selector.nothing_ = true;
  return selector;
}

bool LabelSelector::matches(const nlohmann::json* labels) const {
  if (nothing_) return false;
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const Requirement& r) { return holds(r, labels); });
}

std::string LabelSelector::text() const {
  if (nothing_) return "<none>";
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) out += ',';
    switch (r.op) {
      case SelectorOperator::Equals: out += fmt::format("{}={}", r.key, r.values.front()); break;
      case SelectorOperator::In: out += fmt::format("{} in ({})", r.key, joined(r.values)); break;
      case SelectorOperator::NotIn:
        out += fmt::format("{} notin ({})", r.key, joined(r.values));
        break;
      case SelectorOperator::Exists: out += r.key; break;
      case SelectorOperator::DoesNotExist: out += "!" + r.key; break;
    }
  }
  return out;
}

core::Result<LabelSelector> parseLabelSelector(const nlohmann::json& selector) {
  LabelSelector out;
  if (selector.is_null()) return out;
  if (!selector.is_object()) return malformed("the selector is not a map");
  if (const auto labels = selector.find("matchLabels");
      labels != selector.end() && !labels->is_null()) {
    if (auto added = addEquals(*labels, "matchLabels", out); !added) {
      return tl::unexpected(added.error());
    }
  }
  const auto expressions = selector.find("matchExpressions");
  if (expressions == selector.end() || expressions->is_null()) return out;
  if (!expressions->is_array()) return malformed("matchExpressions is not a list");
  for (std::size_t i = 0; i < expressions->size(); ++i) {
    if (out.requirements().size() == kMaxSelectorRequirements) {
      return malformed(fmt::format("more than {} selector requirements", kMaxSelectorRequirements));
    }
    auto requirement = expression((*expressions)[i], fmt::format("matchExpressions[{}]", i));
    if (!requirement) return tl::unexpected(requirement.error());
    out.add(std::move(*requirement));
  }
  return out;
}

core::Result<LabelSelector> parseServiceSelector(const nlohmann::json* selector) {
  if (selector == nullptr || selector->is_null() || (selector->is_object() && selector->empty())) {
    return LabelSelector::nothing();
  }
  LabelSelector out;
  if (auto added = addEquals(*selector, "spec.selector", out); !added) {
    return tl::unexpected(added.error());
  }
  return out;
}

}  // namespace bulwark::checks::k8s
