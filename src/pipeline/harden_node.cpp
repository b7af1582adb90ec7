#include "pipeline/harden_node.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "checks/evaluate.h"
#include "checks/exceptions.h"
#include "checks/k8s/node/collect_node.h"
#include "checks/profile.h"
#include "core/date.h"
#include "pipeline/harden.h"

namespace bulwark::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

constexpr std::size_t kMaxSnapshotBytes = 64u << 20;

// The profile's checks (--benchmark), else every check that looks at a node; then
// --check/--skip.
core::Result<checks::CheckSet> nodeChecks(const NodeBenchOptions& options,
                                          std::optional<checks::Profile>& profile) {
  auto builtin = checks::loadBuiltinChecks();
  if (!builtin) return tl::unexpected(builtin.error());
  checks::CheckSet set = std::move(*builtin);
  if (!options.benchmark.empty()) {
    auto found = checks::builtinProfile(options.benchmark);
    if (!found) return tl::unexpected(found.error());
    profile = std::move(*found);
    auto selected = checks::profileChecks(set, *profile);
    if (!selected) return tl::unexpected(selected.error());
    set = std::move(*selected);
  }
  std::erase_if(set.checks, [](const checks::Check& check) {
    return check.appliesTo(checks::ResourceKind::K8sNode) == nullptr;
  });
  return checks::selectChecks(set, options.only, options.skip);
}

}  // namespace

core::Result<checks::k8s::NodeSnapshot> collectNodeSnapshot(const NodeBenchOptions& options) {
  checks::k8s::NodeCollectOptions collect;
  collect.host_root = options.host_root;
  collect.tool_version = options.tool_version;
  return checks::k8s::collectNode(collect);
}

namespace {

// A node snapshot's text: ours, or kubescape host-sensor JSON.
core::Result<checks::k8s::NodeSnapshot> readNodeSnapshotText(std::string_view text,
                                                             std::string_view name,
                                                             core::Diagnostics& diagnostics) {
  if (text.size() > kMaxSnapshotBytes) {
    return core::fail(core::ErrorCode::Limit, "{}: larger than {} bytes", name, kMaxSnapshotBytes);
  }
  const bool ours = text.find(checks::k8s::kNodeSnapshotSchema) != std::string_view::npos;
  auto node = ours ? checks::k8s::readNodeSnapshot(text, diagnostics)
                   : checks::k8s::nodeSnapshotFromHostSensor(text, diagnostics);
  if (!node) return core::fail(node.error().code, "{}: {}", name, node.error().message);
  return node;
}

}  // namespace

core::Result<checks::k8s::NodeSnapshot> readNodeSnapshotFile(const std::string& path,
                                                             core::Diagnostics& diagnostics) {
  auto text = readBoundedFile(path, kMaxSnapshotBytes);
  if (!text) return tl::unexpected(text.error());
  return readNodeSnapshotText(*text, path, diagnostics);
}

core::Result<NodeBenchReport> runNodeChecks(const NodeBenchOptions& options) {
  const auto load_start = Clock::now();
  std::optional<checks::Profile> profile;
  auto set = nodeChecks(options, profile);
  if (!set) return tl::unexpected(set.error());
  auto exceptions = loadCheckExceptions(options.ignorefile);
  if (!exceptions) return tl::unexpected(exceptions.error());

  NodeBenchReport out;
  out.timings.load_ms = millisecondsSince(load_start);
  core::Diagnostics diagnostics;
  std::string source;
  const auto collect_start = Clock::now();
  if (!options.node_snapshot_path.empty() || !options.node_snapshot_json.empty()) {
    const std::string name = options.node_snapshot_path.empty() ? std::string("posted snapshot")
                                                                : options.node_snapshot_path;
    auto node = options.node_snapshot_json.empty()
                    ? readNodeSnapshotFile(options.node_snapshot_path, diagnostics)
                    : readNodeSnapshotText(options.node_snapshot_json, name, diagnostics);
    if (!node) return tl::unexpected(node.error());
    out.node = std::move(*node);
    source = fmt::format(
        "node snapshot {}{}", name,
        out.node.collected_at.empty() ? "" : fmt::format(", collected {}", out.node.collected_at));
  } else {
    auto node = collectNodeSnapshot(options);
    if (!node) return tl::unexpected(node.error());
    out.node = std::move(*node);
    source = options.host_root == "/" ? std::string("this node")
                                      : fmt::format("host root {}", options.host_root);
  }
  out.timings.collect_ms = millisecondsSince(collect_start);
  diagnostics.append(out.node.host.diagnostics);

  const auto evaluate_start = Clock::now();
  checks::EvalContext context;
  context.inputs = options.inputs;
  out.results = checks::evaluateK8sNode(*set, out.node, context, diagnostics);
  if (profile) checks::annotate(out.results, *profile);
  checks::applyExceptions(out.results, *exceptions, core::today(), diagnostics);
  out.timings.evaluate_ms = millisecondsSince(evaluate_start);

  out.catalog = checkCatalog(*set);
  report::HostSummary host;
  host.resource = checks::k8s::nodeResourceName(out.node);
  host.source = std::move(source);
  out.hosts.push_back(std::move(host));
  out.diagnostics = diagnostics.sorted();
  return out;
}

}  // namespace bulwark::pipeline
