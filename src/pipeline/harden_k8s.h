// The Kubernetes posture flow: read manifests (files, directories, stdin) into an inventory,
// evaluate the Kubernetes checks — every one, or a benchmark profile's at one Kubernetes
// version — and hand the results with the cluster's summary to the renderers.
// docs/dev/k8s-design.md §7.1.
#pragma once

#include <cstddef>
#include <map>
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
  std::string benchmark;           // "pss-restricted"; empty: every Kubernetes check
  std::string k8s_version;         // "1.30", "latest"; empty: latest
  std::string default_namespace = "default";
  std::vector<std::string> only;
  std::vector<std::string> skip;
  std::map<std::string, std::vector<std::string>> inputs;
  std::string ignorefile;
  std::size_t max_file_bytes = std::size_t{64} << 20;
};

struct K8sBenchReport {
  checks::k8s::Inventory inventory;
  std::vector<model::CheckResult> results;
  report::CheckCatalog catalog;
  std::vector<report::ClusterSummary> clusters;
  std::vector<core::Diagnostic> diagnostics;
  checks::K8sVersion version;  // the rules' version
  struct Timings {
    double load_ms = 0;  // checks and profile
    double read_ms = 0;  // manifests → inventory (indexed)
    double evaluate_ms = 0;
  } timings;
};

// Only a setup problem fails (unknown benchmark or version, a path that does not exist): every
// unreadable document or file is a not-evaluated input result.
core::Result<K8sBenchReport> runK8sBench(const K8sBenchOptions& options);

}  // namespace bulwark::pipeline
