// Collecting a Kubernetes worker node (`bulwark collect node`, `bench k8s --node`): the kubelet
// and kube-proxy processes found under /proc, their config files, and the files CIS names,
// read with the Docker host collectors (docker/collect/). docs/dev/k8s-design.md §5.2.
#pragma once

#include <string>

#include "checks/k8s/node_snapshot.h"
#include "core/result.h"

namespace bulwark::checks::k8s {

struct NodeCollectOptions {
  std::string host_root = "/";  // the node's / (a DaemonSet mounts it at /host)
  std::string tool_version;     // written as the snapshot's collector version
  std::string collected_at;     // RFC 3339; empty: now
};

// Nothing on the node fails the collection: an unreadable /proc, a missing kubelet, a config
// file that cannot be read or parsed each become that fact's state. Only a host root that is
// not a directory is an error.
core::Result<NodeSnapshot> collectNode(const NodeCollectOptions& options);

}  // namespace bulwark::checks::k8s
