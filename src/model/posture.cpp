// Names of the posture enums (model/posture.h): what the API, the store and the report show.
#include "model/posture.h"

#include <cstddef>

namespace bulwark::model {

namespace {

// Looks `text` up among the names of every value of an enum whose values are 0…N-1.
template <class Enum, std::size_t N>
std::optional<Enum> parseByName(std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    const auto value = static_cast<Enum>(i);
    if (toString(value) == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view toString(ResourceType type) {
  switch (type) {
    case ResourceType::Registry: return "registry";
    case ResourceType::Repository: return "repository";
    case ResourceType::Image: return "image";
    case ResourceType::Host: return "host";
    case ResourceType::Container: return "container";
    case ResourceType::Cluster: return "cluster";
    case ResourceType::Node: return "node";
    case ResourceType::Namespace: return "namespace";
    case ResourceType::Workload: return "workload";
    case ResourceType::K8sObject: return "k8s-object";
  }
  return "registry";
}

std::optional<ResourceType> parseResourceType(std::string_view text) {
  return parseByName<ResourceType, 10>(text);
}

std::string_view toString(Health health) {
  switch (health) {
    case Health::NotApplicable: return "not-applicable";
    case Health::NotEvaluated: return "not-evaluated";
    case Health::Healthy: return "healthy";
    case Health::Unhealthy: return "unhealthy";
  }
  return "not-evaluated";
}

std::optional<Health> parseHealth(std::string_view text) { return parseByName<Health, 4>(text); }

std::string_view toString(SourceKind kind) {
  switch (kind) {
    case SourceKind::Check: return "check";
    case SourceKind::Rule: return "rule";
    case SourceKind::Derived: return "derived";
  }
  return "check";
}

std::string_view toString(ExemptionCategory category) {
  switch (category) {
    case ExemptionCategory::Mitigated: return "mitigated";
    case ExemptionCategory::RiskAccepted: return "risk-accepted";
    case ExemptionCategory::FalsePositive: return "false-positive";
  }
  return "risk-accepted";
}

std::optional<ExemptionCategory> parseExemptionCategory(std::string_view text) {
  return parseByName<ExemptionCategory, 3>(text);
}

std::string_view toString(AlertStatus status) {
  switch (status) {
    case AlertStatus::New: return "new";
    case AlertStatus::Active: return "active";
    case AlertStatus::Dismissed: return "dismissed";
    case AlertStatus::Resolved: return "resolved";
  }
  return "new";
}

std::optional<AlertStatus> parseAlertStatus(std::string_view text) {
  return parseByName<AlertStatus, 4>(text);
}

}  // namespace bulwark::model
