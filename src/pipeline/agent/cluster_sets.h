// The agent's cluster address sets (docs/agent.md "Cluster addresses"): rules BW-RT-230 and
// BW-RT-231 ask whether a container connects to the cluster's API server or to the Kubernetes
// dashboard, which needs the addresses of both. The agent reads them from the API server it
// runs under — the ClusterIP and endpoints of default/kubernetes, the ClusterIPs and endpoints
// of the dashboard's services — at start and every few minutes, and puts them into the intel
// sets bw_k8s_api_ips and bw_k8s_dashboard_ips.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "checks/k8s/collect/api_client.h"
#include "checks/k8s/collect/kubeconfig.h"
#include "core/result.h"
#include "rules/intel.h"

namespace bulwark::pipeline::agent {

inline constexpr const char* kApiSet = "bw_k8s_api_ips";
inline constexpr const char* kDashboardSet = "bw_k8s_dashboard_ips";

struct ClusterAddresses {
  std::vector<std::string> api;        // sorted, unique
  std::vector<std::string> dashboard;  // sorted, unique
};

// The dashboard's services and endpoints carry one of these labels (its manifest, its Helm
// charts up to and from v7).
inline constexpr const char* kDashboardSelectors[] = {
    "k8s-app=kubernetes-dashboard",
    "app.kubernetes.io/name=kubernetes-dashboard",
    "app.kubernetes.io/part-of=kubernetes-dashboard",
};

// Reads the addresses (GETs of services and endpoints; RBAC: get/list on both). An error when
// the API server cannot be reached or refuses (the message names the request and status).
core::Result<ClusterAddresses> fetchClusterAddresses(checks::k8s::collect::ApiClient& client);

// The pod's own access to the API server: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
// with the service account's token and CA (under `account_dir`). NotFound outside a pod.
core::Result<checks::k8s::collect::ClientConfig> inClusterConfig(
    const std::string& account_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// Fetches now and then every `interval` on its own thread, replacing (and pinning) the two sets
// of `registry` each time; a failed fetch keeps the last addresses. `config` is asked before
// every fetch (the service account's token is rotated by the kubelet, a kubeconfig may run an
// exec plugin). `on_message` hears each change and each failure (one line, no secrets).
class ClusterSetsRefresher {
 public:
  using ConfigSource = std::function<core::Result<checks::k8s::collect::ClientConfig>()>;
  static core::Result<std::unique_ptr<ClusterSetsRefresher>> start(
      ConfigSource config, const rules::IntelRegistry& registry, std::chrono::milliseconds interval,
      std::function<void(const std::string&)> on_message);
  ~ClusterSetsRefresher();
  ClusterSetsRefresher(const ClusterSetsRefresher&) = delete;
  ClusterSetsRefresher& operator=(const ClusterSetsRefresher&) = delete;

  // Whether the first fetch is done (successful or not).
  bool waitForFirst(std::chrono::milliseconds timeout);

 private:
  ClusterSetsRefresher() = default;
  void loop();
  void refresh();

  ConfigSource config_;
  const rules::IntelRegistry* registry_ = nullptr;
  std::chrono::milliseconds interval_{};
  std::function<void(const std::string&)> on_message_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool first_done_ = false;
  std::string last_;  // the last addresses announced, to report changes only
  std::thread thread_;
};

}  // namespace bulwark::pipeline::agent
