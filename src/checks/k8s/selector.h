// Label selectors as Kubernetes evaluates them (docs/dev/k8s-design.md §1.2): the
// metav1.LabelSelector of a NetworkPolicy's podSelector, and a Service's plain map selector.
//
//   LabelSelector = "{" [ "matchLabels" ":" { key ":" value } ]
//                       [ "matchExpressions" ":" "[" { Expression } "]" ] "}"
//   Expression    = "{" "key" ":" key, "operator" ":" ( "In" | "NotIn" | "Exists" |
//                   "DoesNotExist" ) [ , "values" ":" "[" { value } "]" ] "}"
//   ServiceSelector = "{" { key ":" value } "}"
//
// Every requirement must hold (AND). `In` needs the label with one of the values; `NotIn` holds
// when the label is absent or has none of them; `Exists`/`DoesNotExist` test the key only.
// Input is untrusted: at most kMaxSelectorRequirements requirements and kMaxSelectorValues
// values each; anything beyond, or anything the API server would refuse (a non-string value,
// an unknown operator, `In` without values, `Exists` with values), makes the selector
// malformed, and what relies on it is not evaluated.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace bulwark::checks::k8s {

inline constexpr std::size_t kMaxSelectorRequirements = 64;
inline constexpr std::size_t kMaxSelectorValues = 64;

enum class SelectorOperator { Equals, In, NotIn, Exists, DoesNotExist };

struct Requirement {
  std::string key;
  SelectorOperator op = SelectorOperator::Exists;
  std::vector<std::string> values;  // Equals: one; In, NotIn: at least one; else none
};

class LabelSelector {
 public:
  // Selects every label set: the empty selector `{}` (a NetworkPolicy podSelector's "every pod
  // of the namespace").
  LabelSelector() = default;
  // Selects no label set: a Service without spec.selector (its Endpoints are managed by hand).
  static LabelSelector nothing();

  [[nodiscard]] bool selectsNothing() const { return nothing_; }
  [[nodiscard]] bool selectsEverything() const { return !nothing_ && requirements_.empty(); }
  [[nodiscard]] const std::vector<Requirement>& requirements() const { return requirements_; }

  // `labels`: an object of label values (a pod's metadata.labels); null or not an object: no
  // labels. Values that are not strings compare by their JSON text.
  [[nodiscard]] bool matches(const nlohmann::json* labels) const;

  // As kubectl writes selectors: "app=web,tier in (a,b),tier notin (c),debug,!canary";
  // "" for the empty selector, "<none>" for one that selects nothing.
  [[nodiscard]] std::string text() const;

  void add(Requirement requirement) { requirements_.push_back(std::move(requirement)); }

 private:
  std::vector<Requirement> requirements_;
  bool nothing_ = false;
};

// A metav1.LabelSelector. Null counts as `{}` (a NetworkPolicy's podSelector is not optional:
// the API reads an absent one as empty). Errors (ErrorCode::Input) name the offending member:
// "matchExpressions[1].operator: unknown operator \"Like\"".
core::Result<LabelSelector> parseLabelSelector(const nlohmann::json& selector);

// A Service's spec.selector: a map of labels that must all be equal. Absent (null), `{}` or
// nullptr: selects nothing (the API server stores an empty map as none).
core::Result<LabelSelector> parseServiceSelector(const nlohmann::json* selector);

}  // namespace bulwark::checks::k8s
