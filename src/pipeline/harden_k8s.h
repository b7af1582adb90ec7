// The Kubernetes posture flow: read manifests (files, directories, stdin), a live cluster
// (through a kubeconfig) or a snapshot of one into an inventory, evaluate the Kubernetes checks —
// every one, or a benchmark profile's at one Kubernetes version — and hand the results with the
// cluster's summary to the renderers. docs/dev/k8s-design.md §7.1.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checks/k8s/inventory.h"
#include "checks/k8s/version.h"
#include "core/diagnostic.h"
#include "core/result.h"
#include "model/check.h"
#include "report/check_report.h"

namespace bulwark::pipeline {

struct K8sBenchOptions {
  std::vector<std::string> paths;  // manifest files, directories, "-" for stdin
  // A live cluster when neither paths nor a snapshot are given: the kubeconfig (empty:
  // $KUBECONFIG, else ~/.kube/config) and its context (empty: current-context).
  std::string kubeconfig;
  std::string context;
  std::string snapshot_path;  // `bulwark collect k8s` output
  // Or such a snapshot already read (one posted to serve); snapshot_path, when set, names it.
  std::string snapshot_json;
  std::vector<std::string> namespaces;  // live: read only these namespaces
  bool include_owned_pods = false;      // live: check controller-owned pods too
  bool kubelet_configz = false;  // live: each Node's kubelet /configz → CIS 4.2 checks per node
  std::chrono::milliseconds timeout{10000};  // live: per API request
  std::string benchmark;                     // "pss-restricted"; empty: every Kubernetes check
  std::string k8s_version;  // "1.30", "latest"; empty: the server's version, else latest
  std::string default_namespace = "default";
  bool namespace_given = false;  // default_namespace came from -n
  std::vector<std::string> only;
  std::vector<std::string> skip;
  std::map<std::string, std::vector<std::string>> inputs;
  std::string ignorefile;
  std::size_t max_file_bytes = std::size_t{64} << 20;
  // BW-K8S-407: the bulwark serve asked which image digests it scanned (empty: not asked, the
  // check is manual), its reader token, and the PEM file to trust for https (empty: system).
  std::string scan_server;
  std::string scan_token;
  std::string scan_ca_file;
};

struct K8sBenchReport {
  checks::k8s::Inventory inventory;
  std::vector<model::CheckResult> results;
  report::CheckCatalog catalog;
  std::vector<report::ClusterSummary> clusters;
  std::vector<core::Diagnostic> diagnostics;
  checks::K8sVersion version;                          // the rules' version
  std::optional<checks::k8s::ImageScans> image_scans;  // with scan_server
  struct Timings {
    double load_ms = 0;  // checks and profile
    double read_ms = 0;  // manifests → inventory (indexed)
    double evaluate_ms = 0;
  } timings;
};

// Only a setup problem fails (unknown benchmark or version, a path that does not exist, an
// unreadable kubeconfig or an unknown context): every unreadable document, file or cluster list
// is a not-evaluated input result.
core::Result<K8sBenchReport> runK8sBench(const K8sBenchOptions& options);

// The live cluster (kubeconfig, context, namespaces, owned pods, timeout of `options`) read into
// an inventory, for `bulwark collect k8s`. Fails as runK8sBench does for setup problems only.
core::Result<checks::k8s::Inventory> collectK8s(const K8sBenchOptions& options,
                                                core::Diagnostics& diagnostics);

// The least-privilege ClusterRole bench needs on a live cluster (get and list on exactly the
// lists it reads), as YAML.
std::string k8sReaderClusterRole(bool kubelet_configz = false);

}  // namespace bulwark::pipeline
