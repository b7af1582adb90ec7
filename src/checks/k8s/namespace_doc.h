// What bulwark derives about one namespace from the inventory, for the namespace checks
// (probe namespace-summary), built once per namespace like the Docker host's `summary`
// (docs/dev/k8s-design.md §4.4):
//
//   {"name": "prod", "declared": true, "workloads": 14, "services": 6, "network_policies": 2,
//    "pod_security": {"enforce": "restricted", "enforce-version": "latest"},
//    "default_service_account_automount": true}
//
// `network_policies` counts the namespace's NetworkPolicies and CiliumNetworkPolicies, and the
// CiliumClusterwideNetworkPolicies that isolate every pod of the namespace (k8s/cilium.h).
// `pod_security` holds the Namespace's pod-security.kubernetes.io/<mode>[-version] labels that
// are set; `default_service_account_automount` is there only when the namespace's `default`
// ServiceAccount is in the input (its automountServiceAccountToken, true when unset).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "checks/k8s/inventory.h"

namespace bulwark::checks::k8s {

nlohmann::json namespaceDocument(const Inventory& inventory, std::string_view ns);

}  // namespace bulwark::checks::k8s
