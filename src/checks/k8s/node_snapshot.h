// `bulwark.node-snapshot/v1`: what the CIS worker-node checks read about one Kubernetes node —
// the kubelet's and kube-proxy's command lines and config files, and the files CIS names (stat
// facts and path aliases in the Docker host-snapshot shape, so the Docker file probes read them
// unchanged). Written by `bulwark collect node`, read by `bench k8s --node-snapshot`.
// docs/dev/k8s-design.md §5.2.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/docker/snapshot.h"
#include "core/diagnostic.h"
#include "core/result.h"

namespace bulwark::checks::k8s {

inline constexpr std::string_view kNodeSnapshotSchema = "bulwark.node-snapshot/v1";

// The path aliases the collector resolves (host.paths): the first candidate that exists, or []
// when none does (the file checks are then not applicable).
inline constexpr std::string_view kKubeletServiceAlias = "kubelet:service";
inline constexpr std::string_view kKubeletKubeconfigAlias = "kubelet:kubeconfig";
inline constexpr std::string_view kKubeletConfigAlias = "kubelet:config";
inline constexpr std::string_view kKubeletClientCaAlias = "kubelet:client-ca";
inline constexpr std::string_view kProxyKubeconfigAlias = "proxy:kubeconfig";

struct NodeSnapshot {
  std::string schema = std::string(kNodeSnapshotSchema);
  std::string collected_at;  // RFC 3339 UTC
  std::string collector_version;
  // hostname, root, paths (the aliases above), files and diagnostics; nothing else is set.
  docker::Snapshot host;
  struct Process {
    docker::FactState state;  // Missing: no such process on the node
    int pid = 0;
    std::uint32_t uid = 0;
    std::vector<std::string> argv;
    std::string cwd;  // relative config paths are relative to it
  } kubelet, proxy;
  struct Config {
    std::string path;  // as resolved (absolute); empty: the command line names none
    docker::FactState state;
    nlohmann::json doc;  // YAML or JSON read as JSON; null unless state is Ok
    // The component's effective configuration as it reports it (the kubelet's /configz, read
    // through the API server): flags merged in, the command line not known.
    bool effective = false;
  } kubelet_config, proxy_config;
};

// The node's name for results: "k8s-node:<hostname>".
std::string nodeResourceName(const NodeSnapshot& node);

// Untrusted input: bounded (the Docker snapshot limits), every member type-checked; a bad member
// becomes that fact's Malformed state with a diagnostic. Not JSON, another schema or too large
// is an error.
core::Result<NodeSnapshot> readNodeSnapshot(std::string_view json, core::Diagnostics& diagnostics);
// Sorted keys, two-space indentation: the same snapshot gives the same bytes.
std::string writeNodeSnapshot(const NodeSnapshot& node);

// kubescape host-sensor output: a document (or an array of them) whose `kind` is KubeletInfo /
// KubeProxyInfo (data.cmdLine, data.configFile{path, content base64, permissions, ownership},
// data.clientCAFile, data.kubeConfigFile, data.serviceFiles) → the same snapshot, so `bench
// k8s --node-snapshot` evaluates it. Fields it lacks stay not collected.
core::Result<NodeSnapshot> nodeSnapshotFromHostSensor(std::string_view json,
                                                      core::Diagnostics& diagnostics);

}  // namespace bulwark::checks::k8s
