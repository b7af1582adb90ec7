// Reading a live cluster through its API into the same Inventory manifests give: every list of
// docs/dev/k8s-design.md §1.4 (paginated), each with its state in Inventory::sources keyed
// "<group>/<resource>" ("pods" for the core group, "apps/deployments",
// "rbac.authorization.k8s.io/roles"); a list that cannot be read makes the checks that need it
// not-evaluated, never a pass.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/k8s/collect/kubeconfig.h"
#include "checks/k8s/inventory.h"
#include "core/diagnostic.h"
#include "core/result.h"

namespace bulwark::checks::k8s::collect {

struct ClusterCollectOptions {
  ClientConfig client;
  std::vector<std::string> namespaces;  // empty: every namespace
  bool include_owned_pods = false;      // §1.5: controller-owned pods are skipped by default
  // Read each Node's kubelet configuration from /api/v1/nodes/<node>/proxy/configz (needs get
  // on nodes/proxy) into Inventory::kubelet_configz.
  bool kubelet_configz = false;
  std::chrono::milliseconds timeout{10000};  // per request
  std::size_t page_size = 500;
  std::size_t max_body_bytes = std::size_t{128} << 20;
  std::string user_agent = "bulwark";
};

// Never fails for an unreachable or refusing cluster: the sources carry the states (Unreachable,
// Timeout, PermissionDenied, Malformed, Missing) and the inventory is empty where nothing could
// be read. Fails only for a setup problem (a server URL that is not http(s)). Calls
// Inventory::index(). Inventory::cluster = the context, source = "kubeconfig context <name>
// (<server>)", server_version from /version.
core::Result<Inventory> collectCluster(const ClusterCollectOptions& options,
                                       core::Diagnostics& diagnostics);

// The Object an API list item becomes (kind and apiVersion from the list when the item has
// none, as list responses omit them); origin.api_path = `api_path`.
// The least-privilege ClusterRole for collectCluster, as YAML: get and list on exactly the
// lists it reads (`bulwark bench k8s --print-rbac`, docs/cli.md).
// With `kubelet_configz` the role also grants get on nodes/proxy.
std::string readerClusterRole(bool kubelet_configz = false);

Object objectFromApi(nlohmann::json item, std::string_view api_version, std::string_view kind,
                     std::string_view api_path);

}  // namespace bulwark::checks::k8s::collect
