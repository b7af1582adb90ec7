// The Kubernetes worker-node flow: collect the node (the kubelet, kube-proxy and the files CIS
// names, under a host root) or read a node snapshot written by `bulwark collect node` (or
// kubescape host-sensor output), evaluate the node checks (data/checks/k8s-node) — every one, or
// a profile's — and hand the results with the node's summary to the renderers.
// docs/dev/k8s-design.md §5, §7.1.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "checks/k8s/node_snapshot.h"
#include "core/diagnostic.h"
#include "core/result.h"
#include "model/check.h"
#include "report/check_report.h"

namespace bulwark::pipeline {

struct NodeBenchOptions {
  std::string host_root = "/";     // the node's / (a DaemonSet mounts it read-only at /host)
  std::string node_snapshot_path;  // evaluate this file instead of collecting
  // Or such a snapshot already read (one posted to serve); node_snapshot_path, when set, names it.
  std::string node_snapshot_json;
  std::string benchmark;          // "cis-k8s-node-1.12"; empty: every node check
  std::vector<std::string> only;  // --check
  std::vector<std::string> skip;  // --skip
  std::map<std::string, std::vector<std::string>> inputs;  // --input NAME=a,b
  std::string ignorefile;
  std::string tool_version;  // recorded in a collected snapshot
};

struct NodeBenchReport {
  checks::k8s::NodeSnapshot node;
  std::vector<model::CheckResult> results;
  report::CheckCatalog catalog;
  std::vector<report::HostSummary> hosts;     // the node ("k8s-node:<hostname>")
  std::vector<core::Diagnostic> diagnostics;  // the snapshot's and the evaluation's, sorted
  struct Timings {
    double load_ms = 0;
    double collect_ms = 0;
    double evaluate_ms = 0;
  } timings;
};

// `bulwark collect node`: the live node under options.host_root. Only a host root that is not
// a directory fails.
core::Result<checks::k8s::NodeSnapshot> collectNodeSnapshot(const NodeBenchOptions& options);

// Reads a node snapshot file: `bulwark.node-snapshot/v1`, or kubescape host-sensor JSON
// (KubeletInfo / KubeProxyInfo documents), told apart by the node schema.
core::Result<checks::k8s::NodeSnapshot> readNodeSnapshotFile(const std::string& path,
                                                             core::Diagnostics& diagnostics);

// Only a setup problem fails (unknown benchmark, unreadable snapshot file, bad ignore file).
core::Result<NodeBenchReport> runNodeChecks(const NodeBenchOptions& options);

}  // namespace bulwark::pipeline
