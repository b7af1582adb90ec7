#include "checks/k8s/namespace_doc.h"

#include <algorithm>
#include <array>
#include <string>

#include "checks/k8s/cilium.h"

namespace bulwark::checks::k8s {

namespace {

const nlohmann::json* member(const nlohmann::json& doc, std::string_view name) {
  if (!doc.is_object()) return nullptr;
  const auto it = doc.find(name);
  return it == doc.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

nlohmann::json namespaceDocument(const Inventory& inventory, std::string_view ns) {
  nlohmann::json doc{{"name", ns}};
  const Object* declared = inventory.find("Namespace", "", ns);
  doc["declared"] = declared != nullptr;
  std::size_t workloads = 0;
  std::size_t services = 0;
  std::size_t policies = 0;
  for (const Object& object : inventory.objects) {
    if (object.ns != ns) continue;
    workloads += object.kind_class == KindClass::Workload;
    services += object.kind == "Service";
    policies += object.kind == "NetworkPolicy" || object.kind == "CiliumNetworkPolicy";
  }
  // A clusterwide Cilium policy counts where it isolates every pod of the namespace.
  for (const Object* policy : inventory.ofKind("CiliumClusterwideNetworkPolicy")) {
    if (!policy->state.ok()) continue;
    const auto rules = ciliumRules(*policy);
    if (rules && std::any_of(rules->begin(), rules->end(), [&](const CiliumRule& rule) {
          return (rule.ingress || rule.egress) && ciliumSelectsNamespace(rule, ns);
        })) {
      ++policies;
    }
  }
  doc["workloads"] = workloads;
  doc["services"] = services;
  doc["network_policies"] = policies;
  nlohmann::json pod_security = nlohmann::json::object();
  if (declared != nullptr) {
    const nlohmann::json* labels = member(declared->doc, "metadata");
    labels = labels != nullptr ? member(*labels, "labels") : nullptr;
    static constexpr std::array<std::string_view, 3> kModes = {"enforce", "audit", "warn"};
    for (const std::string_view mode : kModes) {
      for (const std::string& key : {std::string(mode), std::string(mode) + "-version"}) {
        const nlohmann::json* value =
            labels != nullptr ? member(*labels, "pod-security.kubernetes.io/" + key) : nullptr;
        if (value != nullptr && value->is_string()) pod_security[key] = *value;
      }
    }
  }
  doc["pod_security"] = std::move(pod_security);
  if (const Object* account = inventory.find("ServiceAccount", ns, "default")) {
    const nlohmann::json* automount = member(account->doc, "automountServiceAccountToken");
    doc["default_service_account_automount"] =
        automount == nullptr || !automount->is_boolean() || automount->get<bool>();
  }
  return doc;
}

}  // namespace bulwark::checks::k8s
