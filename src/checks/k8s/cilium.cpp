#include "checks/k8s/cilium.h"

#include <algorithm>

#include <fmt/format.h>

#include "checks/k8s/rbac.h"

namespace bulwark::checks::k8s {

namespace {

constexpr std::string_view kNamespaceKey = "io.kubernetes.pod.namespace";
constexpr std::string_view kServiceAccountKey = "io.cilium.k8s.policy.serviceaccount";
constexpr std::string_view kNamespaceLabelPrefix = "io.cilium.k8s.namespace.labels.";

auto malformed(std::string message) {
  return core::fail(core::ErrorCode::Input, std::move(message));
}

const nlohmann::json* memberOf(const nlohmann::json& doc, std::string_view name) {
  if (!doc.is_object()) return nullptr;
  const auto it = doc.find(name);
  return it == doc.end() || it->is_null() ? nullptr : &*it;
}

// A selector key without the label source Cilium accepts for pod labels ("k8s:app", "any:app");
// other sources ("reserved:host", "cidr:…") stay, and no pod carries them.
std::string withoutSource(std::string_view key) {
  for (const std::string_view source : {"k8s:", "any:"}) {
    if (key.starts_with(source)) return std::string(key.substr(source.size()));
  }
  return std::string(key);
}

// Whether the rule has rules for one direction: a non-empty list under either member.
core::Result<bool> hasRules(const nlohmann::json& rule, std::string_view allow,
                            std::string_view deny, const std::string& path) {
  bool any = false;
  for (const std::string_view name : {allow, deny}) {
    const nlohmann::json* rules = memberOf(rule, name);
    if (rules == nullptr) continue;
    if (!rules->is_array()) return malformed(fmt::format("{}.{} is not a list", path, name));
    any = any || !rules->empty();
  }
  return any;
}

core::Result<CiliumRule> parseRule(const nlohmann::json& rule, std::string path) {
  if (!rule.is_object()) return malformed(fmt::format("{} is not a map", path));
  CiliumRule out;
  out.path = std::move(path);
  const nlohmann::json* endpoints = memberOf(rule, "endpointSelector");
  const nlohmann::json* nodes = memberOf(rule, "nodeSelector");
  if ((endpoints == nullptr) == (nodes == nullptr)) {
    return malformed(
        fmt::format("{}: needs exactly one of endpointSelector and nodeSelector", out.path));
  }
  auto selector = parseLabelSelector(endpoints != nullptr ? *endpoints : *nodes);
  if (!selector) {
    return malformed(fmt::format("{}.{}: {}", out.path,
                                 endpoints != nullptr ? "endpointSelector" : "nodeSelector",
                                 selector.error().message));
  }
  out.host = nodes != nullptr;
  for (const Requirement& requirement : selector->requirements()) {
    Requirement normalized = requirement;
    normalized.key = withoutSource(requirement.key);
    out.endpoints.add(std::move(normalized));
  }
  auto ingress = hasRules(rule, "ingress", "ingressDeny", out.path);
  if (!ingress) return tl::unexpected(ingress.error());
  auto egress = hasRules(rule, "egress", "egressDeny", out.path);
  if (!egress) return tl::unexpected(egress.error());
  out.ingress = *ingress;
  out.egress = *egress;
  if (const nlohmann::json* deny = memberOf(rule, "enableDefaultDeny")) {
    if (!deny->is_object()) {
      return malformed(fmt::format("{}.enableDefaultDeny is not a map", out.path));
    }
    for (auto [name, flag] : {std::pair{"ingress", &out.ingress}, {"egress", &out.egress}}) {
      const nlohmann::json* value = memberOf(*deny, name);
      if (value == nullptr) continue;
      if (!value->is_boolean()) {
        return malformed(
            fmt::format("{}.enableDefaultDeny.{} is not true or false", out.path, name));
      }
      *flag = value->get<bool>();
    }
  }
  return out;
}

// A requirement on the labels of the pod's namespace.
bool requirementOnNamespaceLabels(const Requirement& requirement) {
  return requirement.key.starts_with(kNamespaceLabelPrefix);
}

}  // namespace

bool isCiliumPolicy(std::string_view kind) {
  return kind == "CiliumNetworkPolicy" || kind == "CiliumClusterwideNetworkPolicy";
}

core::Result<std::vector<CiliumRule>> ciliumRules(const Object& policy) {
  std::vector<CiliumRule> rules;
  if (const nlohmann::json* spec = memberOf(policy.doc, "spec")) {
    auto rule = parseRule(*spec, "spec");
    if (!rule) return tl::unexpected(rule.error());
    rules.push_back(std::move(*rule));
  }
  if (const nlohmann::json* specs = memberOf(policy.doc, "specs")) {
    if (!specs->is_array()) return malformed("specs is not a list");
    if (specs->size() > kMaxCiliumRules) {
      return malformed(fmt::format("specs: more than {} rules", kMaxCiliumRules));
    }
    for (std::size_t i = 0; i < specs->size(); ++i) {
      auto rule = parseRule((*specs)[i], fmt::format("specs[{}]", i));
      if (!rule) return tl::unexpected(rule.error());
      rules.push_back(std::move(*rule));
    }
  }
  return rules;
}

CiliumLabels ciliumLabels(const Inventory& inventory, const Object& workload) {
  CiliumLabels out;
  if (const nlohmann::json* meta = workload.podMeta()) {
    if (const nlohmann::json* labels = memberOf(*meta, "labels"); labels && labels->is_object()) {
      out.labels = *labels;
    }
  }
  out.labels[std::string(kNamespaceKey)] = workload.ns;
  out.labels[std::string(kServiceAccountKey)] = serviceAccountOf(inventory, workload).name;
  if (const Object* ns = inventory.find("Namespace", "", workload.ns)) {
    out.namespace_known = true;
    const nlohmann::json* meta = memberOf(ns->doc, "metadata");
    const nlohmann::json* labels = meta != nullptr ? memberOf(*meta, "labels") : nullptr;
    if (labels != nullptr && labels->is_object()) {
      for (const auto& [key, value] : labels->items()) {
        out.labels[fmt::format("{}{}", kNamespaceLabelPrefix, key)] = value;
      }
    }
  }
  return out;
}

bool ciliumSelects(const CiliumRule& rule, const CiliumLabels& labels) {
  if (rule.host) return false;
  if (!labels.namespace_known &&
      std::any_of(rule.endpoints.requirements().begin(), rule.endpoints.requirements().end(),
                  requirementOnNamespaceLabels)) {
    return false;
  }
  return rule.endpoints.matches(&labels.labels);
}

bool ciliumSelectsNamespace(const CiliumRule& rule, std::string_view ns) {
  if (rule.host) return false;
  const auto& requirements = rule.endpoints.requirements();
  if (!std::all_of(requirements.begin(), requirements.end(),
                   [](const Requirement& r) { return r.key == kNamespaceKey; })) {
    return false;
  }
  const nlohmann::json labels{{std::string(kNamespaceKey), ns}};
  return rule.endpoints.matches(&labels);
}

}  // namespace bulwark::checks::k8s
