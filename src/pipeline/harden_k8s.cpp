#include "pipeline/harden_k8s.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "checks/evaluate.h"
#include "checks/exceptions.h"
#include "checks/k8s/collect/collect.h"
#include "checks/k8s/collect/kubeconfig.h"
#include "checks/k8s/collect/scan_lookup.h"
#include "checks/k8s/manifest.h"
#include "checks/k8s/node_snapshot.h"
#include "checks/k8s/snapshot.h"
#include "checks/profile.h"
#include "core/date.h"
#include "pipeline/harden.h"

namespace bulwark::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool isK8sCheck(const checks::Check& check) {
  return check.appliesTo(checks::ResourceKind::K8sObject) != nullptr ||
         check.appliesTo(checks::ResourceKind::K8sWorkload) != nullptr ||
         check.appliesTo(checks::ResourceKind::K8sNamespace) != nullptr ||
         (check.input && check.group == "k8s");
}

// The profile's checks at the run's version (--benchmark), else every Kubernetes check; the
// input checks (unreadable documents, unknown kinds) always, so nothing unread goes unsaid;
// then --check/--skip.
core::Result<checks::CheckSet> k8sChecks(const K8sBenchOptions& options,
                                         const checks::K8sVersion& version,
                                         std::optional<checks::Profile>& profile) {
  auto builtin = checks::loadBuiltinChecks();
  if (!builtin) return tl::unexpected(builtin.error());
  checks::CheckSet set;
  if (!options.benchmark.empty()) {
    auto found = checks::builtinProfile(options.benchmark);
    if (!found) return tl::unexpected(found.error());
    profile = std::move(*found);
    auto selected = checks::profileChecks(*builtin, *profile, version);
    if (!selected) return tl::unexpected(selected.error());
    set = std::move(*selected);
    for (const auto& check : builtin->checks) {
      if (check.input && check.group == "k8s" && set.find(check.id) == nullptr) {
        set.checks.push_back(check);
      }
    }
    std::sort(set.checks.begin(), set.checks.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
  } else {
    for (auto& check : builtin->checks) {
      if (isK8sCheck(check)) set.checks.push_back(std::move(check));
    }
  }
  return checks::selectChecks(set, options.only, options.skip);
}

report::ClusterSummary summaryOf(const checks::k8s::Inventory& inventory,
                                 const std::vector<model::CheckResult>& results,
                                 const checks::K8sVersion& version,
                                 const std::optional<checks::Profile>& profile) {
  using checks::k8s::KindClass;
  report::ClusterSummary summary;
  summary.name = inventory.cluster;
  summary.source = inventory.source;
  summary.server_version = inventory.server_git_version;
  summary.rules_version =
      version.latest() || checks::kNewestRules < version
          ? fmt::format("{} (rules known up to {})", version.text(), checks::kNewestRules.text())
          : version.text();
  summary.namespaces = inventory.namespaces().size();
  summary.workloads = inventory.count(KindClass::Workload);
  summary.objects = inventory.count(KindClass::Object) + inventory.count(KindClass::Namespace);
  summary.uninspected = inventory.count(KindClass::Uninspected);
  summary.unknown_kinds = inventory.count(KindClass::Unknown);
  summary.unreadable = inventory.problems.size();
  summary.unreadable_lists = static_cast<std::size_t>(
      std::count_if(inventory.sources.begin(), inventory.sources.end(), [](const auto& source) {
        return !source.second.state.ok() &&
               source.second.state.status != checks::docker::FactStatus::NotCollected;
      }));
  summary.skipped_owned = inventory.skipped_owned;
  summary.configz_nodes = inventory.kubelet_configz.size();
  if (!profile) return summary;
  summary.benchmark =
      profile->versioned ? fmt::format("{}@{}", profile->name, version.text()) : profile->name;
  // A workload meets the profile when none of its results failed; a not-evaluated result
  // leaves it unknown (never "meets").
  std::set<std::string, std::less<>> failed;
  std::set<std::string, std::less<>> unknown;
  for (const auto& r : results) {
    if (r.resource_kind != "k8s-workload" || r.controls.empty()) continue;
    if (r.status == model::CheckStatus::Fail) failed.insert(r.resource);
    if (r.status == model::CheckStatus::NotEvaluated) unknown.insert(r.resource);
  }
  for (const auto& name : failed) unknown.erase(name);
  summary.workloads_unknown = unknown.size();
  summary.workloads_meeting = summary.workloads - failed.size() - unknown.size();
  return summary;
}

// Whether every test of `tests` (groups included) reads the kubelet's configuration: what a
// node's /configz can answer (CIS 4.2), unlike its files and kube-proxy.
bool readsKubeletConfigOnly(const std::vector<checks::Test>& tests) {
  return !tests.empty() && std::all_of(tests.begin(), tests.end(), [](const checks::Test& test) {
    if (test.group != checks::Test::Group::None) return readsKubeletConfigOnly(test.children);
    return test.probe != nullptr && test.probe->kind == "kubelet-config";
  });
}

// The node checks a /configz answers: the profile's (--benchmark), else every one; then
// --check/--skip.
core::Result<checks::CheckSet> configzChecks(const K8sBenchOptions& options,
                                             const std::optional<checks::Profile>& profile,
                                             const checks::K8sVersion& version) {
  auto builtin = checks::loadBuiltinChecks();
  if (!builtin) return tl::unexpected(builtin.error());
  checks::CheckSet set = std::move(*builtin);
  if (profile) {
    auto selected = checks::profileChecks(set, *profile, version);
    if (!selected) return tl::unexpected(selected.error());
    set = std::move(*selected);
  }
  std::erase_if(set.checks, [](const checks::Check& check) {
    return check.appliesTo(checks::ResourceKind::K8sNode) == nullptr ||
           !readsKubeletConfigOnly(check.tests);
  });
  return checks::selectChecks(set, options.only, options.skip);
}

// One node of the cluster as its kubelet's /configz describes it: the configuration only (flags
// merged in; the command line, files and kube-proxy not known).
checks::k8s::NodeSnapshot configzNode(const std::string& name,
                                      const checks::k8s::KubeletConfigz& configz) {
  using checks::docker::FactStatus;
  checks::k8s::NodeSnapshot node;
  node.host.hostname = name;
  const std::string source = configz.state.source;
  // A /configz that could not be read leaves every option unknown for that reason.
  node.kubelet.state =
      configz.state.ok()
          ? checks::docker::FactState{FactStatus::NotCollected,
                                      "/configz reports the kubelet's configuration, "
                                      "not its command line",
                                      source}
          : configz.state;
  node.proxy.state = {FactStatus::NotCollected, "not read through the API", source};
  node.kubelet_config.path = source.starts_with("GET ") ? source.substr(4) : source;
  node.kubelet_config.state = configz.state;
  node.kubelet_config.doc = configz.config;
  node.kubelet_config.effective = true;
  return node;
}

constexpr std::size_t kMaxSnapshotBytes = std::size_t{1} << 30;
constexpr std::size_t kMaxCaBytes = std::size_t{1} << 20;

// bulwark serve's answers for every digest the workloads stand for (--scan-server).
core::Result<checks::k8s::ImageScans> lookupScans(const K8sBenchOptions& options,
                                                  const checks::k8s::Inventory& inventory,
                                                  core::Diagnostics& diagnostics) {
  checks::k8s::collect::ScanServerOptions server;
  server.url = options.scan_server;
  server.token = options.scan_token;
  server.timeout = options.timeout;
  if (!options.scan_ca_file.empty()) {
    auto pem = readBoundedFile(options.scan_ca_file, kMaxCaBytes);
    if (!pem) return tl::unexpected(pem.error());
    server.ca_pem = std::move(*pem);
  }
  return checks::k8s::collect::lookupImageScans(server, checks::k8s::inventoryDigests(inventory),
                                                diagnostics);
}

core::Result<checks::k8s::Inventory> readSnapshotFile(const K8sBenchOptions& options,
                                                      core::Diagnostics& diagnostics) {
  auto text =
      readBoundedFile(options.snapshot_path, std::min(kMaxSnapshotBytes, options.max_file_bytes));
  if (!text) return tl::unexpected(text.error());
  return checks::k8s::readK8sSnapshot(*text, options.snapshot_path, diagnostics);
}

// Manifests, a snapshot, or the live cluster.
core::Result<checks::k8s::Inventory> readInventory(const K8sBenchOptions& options,
                                                   core::Diagnostics& diagnostics) {
  if (!options.snapshot_json.empty()) {
    if (options.snapshot_json.size() > std::min(kMaxSnapshotBytes, options.max_file_bytes)) {
      return core::fail(core::ErrorCode::Limit, "the snapshot is larger than {} bytes",
                        std::min(kMaxSnapshotBytes, options.max_file_bytes));
    }
    return checks::k8s::readK8sSnapshot(
        options.snapshot_json,
        options.snapshot_path.empty() ? std::string_view("posted snapshot") : options.snapshot_path,
        diagnostics);
  }
  if (!options.snapshot_path.empty()) return readSnapshotFile(options, diagnostics);
  if (options.paths.empty()) return collectK8s(options, diagnostics);
  checks::k8s::ManifestOptions manifest;
  manifest.default_namespace = options.default_namespace;
  manifest.namespace_given = options.namespace_given;
  manifest.max_file_bytes = options.max_file_bytes;
  return checks::k8s::loadManifests(options.paths, manifest, diagnostics);
}

}  // namespace

core::Result<checks::k8s::Inventory> collectK8s(const K8sBenchOptions& options,
                                                core::Diagnostics& diagnostics) {
  checks::k8s::collect::KubeconfigOptions kubeconfig;
  kubeconfig.path = options.kubeconfig;
  kubeconfig.context = options.context;
  auto client = checks::k8s::collect::loadKubeconfig(kubeconfig);
  if (!client) return tl::unexpected(client.error());
  for (const auto& warning : client->warnings) {
    diagnostics.add("k8s.kubeconfig", client->context, warning);
  }
  checks::k8s::collect::ClusterCollectOptions collect;
  collect.client = std::move(*client);
  client->wipeSecrets();
  collect.namespaces = options.namespaces;
  collect.include_owned_pods = options.include_owned_pods;
  collect.kubelet_configz = options.kubelet_configz;
  collect.timeout = options.timeout;
  auto inventory = checks::k8s::collect::collectCluster(collect, diagnostics);
  collect.client.wipeSecrets();
  return inventory;
}

std::string k8sReaderClusterRole(bool kubelet_configz) {
  return checks::k8s::collect::readerClusterRole(kubelet_configz);
}

core::Result<K8sBenchReport> runK8sBench(const K8sBenchOptions& options) {
  K8sBenchReport out;
  std::optional<checks::K8sVersion> given_version;
  if (!options.k8s_version.empty()) {
    auto version = checks::parseK8sVersion(options.k8s_version);
    if (!version) return tl::unexpected(version.error());
    given_version = *version;
  }
  // A wrong profile name is a usage error before any cluster is contacted.
  if (!options.benchmark.empty()) {
    if (auto found = checks::builtinProfile(options.benchmark); !found) {
      return tl::unexpected(found.error());
    }
  }
  // Read first: without --k8s-version a cluster's own version picks the rules.
  core::Diagnostics diagnostics;
  const auto read_start = Clock::now();
  auto inventory = readInventory(options, diagnostics);
  if (!inventory) return tl::unexpected(inventory.error());
  out.inventory = std::move(*inventory);
  out.timings.read_ms = millisecondsSince(read_start);
  if (given_version) {
    out.version = *given_version;
  } else if (out.inventory.server_version) {
    out.version = *out.inventory.server_version;
  }

  const auto load_start = Clock::now();
  std::optional<checks::Profile> profile;
  auto set = k8sChecks(options, out.version, profile);
  if (!set) return tl::unexpected(set.error());
  auto exceptions = loadCheckExceptions(options.ignorefile);
  if (!exceptions) return tl::unexpected(exceptions.error());
  out.timings.load_ms = millisecondsSince(load_start);

  if (!options.scan_server.empty()) {
    auto scans = lookupScans(options, out.inventory, diagnostics);
    if (!scans) return tl::unexpected(scans.error());
    out.image_scans = std::move(*scans);
  }

  const auto evaluate_start = Clock::now();
  checks::EvalContext context;
  context.inputs = options.inputs;
  context.k8s_version = out.version;
  if (out.image_scans) context.image_scans = &*out.image_scans;
  out.results = checks::evaluateK8s(*set, out.inventory, context);
  if (!out.inventory.kubelet_configz.empty()) {
    auto node_set = configzChecks(options, profile, out.version);
    if (!node_set) return tl::unexpected(node_set.error());
    for (const auto& [name, configz] : out.inventory.kubelet_configz) {
      const auto node = configzNode(name, configz);
      auto results = checks::evaluateK8sNode(*node_set, node, context, diagnostics);
      out.results.insert(out.results.end(), std::make_move_iterator(results.begin()),
                         std::make_move_iterator(results.end()));
    }
    for (auto& check : node_set->checks) {
      if (set->find(check.id) == nullptr) set->checks.push_back(std::move(check));
    }
  }
  if (profile) checks::annotate(out.results, *profile, out.version);
  checks::applyExceptions(out.results, *exceptions, core::today(), diagnostics);
  out.timings.evaluate_ms = millisecondsSince(evaluate_start);

  out.catalog = checkCatalog(*set);
  out.clusters.push_back(summaryOf(out.inventory, out.results, out.version, profile));
  out.diagnostics = diagnostics.sorted();
  return out;
}

}  // namespace bulwark::pipeline
