// bulwark collect docker — writes a snapshot of everything the Docker checks read (the Engine
// API's documents, dockerd's flags and daemon.json, file modes and owners, audit rules,
// listening sockets), so `bulwark bench docker --snapshot FILE` can evaluate it elsewhere.
// bulwark collect k8s — the same for a Kubernetes cluster read through a kubeconfig: every
// object the Kubernetes checks read and the state of each list (`bench k8s --snapshot FILE`).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "checks/docker/snapshot.h"
#include "checks/k8s/node_snapshot.h"
#include "checks/k8s/snapshot.h"
#include "cli/commands.h"
#include "cli/docker_options.h"
#include "cli/output.h"
#include "core/date.h"
#include "core/text.h"
#include "pipeline/harden.h"
#include "pipeline/harden_k8s.h"
#include "pipeline/harden_node.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.0.0"
#endif

namespace bulwark::cli {

namespace {

struct CollectArgs {
  DockerHostArgs host;
  std::string output;
};

struct CollectK8sArgs {
  std::string kubeconfig;
  std::string context;
  std::vector<std::string> namespaces;
  std::string owned_pods = "skip";
  double timeout_seconds = 10;
  bool kubelet_configz = false;
  std::string output;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "bulwark: %s\n", core::printable(message).c_str());
  return kExitInput;
}

int runCollectDocker(const CollectArgs& args) {
  auto options = dockerCollectOptions(args.host);
  if (!options) return fail(options.error().message);
  auto snapshot = pipeline::collectDockerSnapshot(*options);
  if (!snapshot) return fail(snapshot.error().message);
  printDiagnostics(snapshot->diagnostics);
  const std::string text = checks::docker::writeSnapshot(*snapshot);
  return writeOutput(text, args.output) ? kExitOk : kExitInput;
}

int runCollectK8s(const CollectK8sArgs& args) {
  if (args.owned_pods != "skip" && args.owned_pods != "include") {
    return fail(fmt::format("--owned-pods \"{}\": skip or include", args.owned_pods));
  }
  if (!(args.timeout_seconds > 0 && args.timeout_seconds <= 3600)) {
    return fail("--timeout: between 0 and 3600 seconds");
  }
  pipeline::K8sBenchOptions options;
  options.kubeconfig = args.kubeconfig;
  options.context = args.context;
  options.namespaces = args.namespaces;
  options.include_owned_pods = args.owned_pods == "include";
  options.kubelet_configz = args.kubelet_configz;
  options.timeout = std::chrono::milliseconds(static_cast<long>(args.timeout_seconds * 1000));
  core::Diagnostics diagnostics;
  auto inventory = pipeline::collectK8s(options, diagnostics);
  if (!inventory) return fail(inventory.error().message);
  printDiagnostics(diagnostics.sorted());
  const std::string text =
      checks::k8s::writeK8sSnapshot(*inventory, core::nowUtc(), BULWARK_VERSION);
  return writeOutput(text, args.output) ? kExitOk : kExitInput;
}

struct CollectNodeArgs {
  std::string host_root = "/";
  std::string output;
};

int runCollectNode(const CollectNodeArgs& args) {
  pipeline::NodeBenchOptions options;
  options.host_root = args.host_root;
  options.tool_version = BULWARK_VERSION;
  auto node = pipeline::collectNodeSnapshot(options);
  if (!node) return fail(node.error().message);
  printDiagnostics(node->host.diagnostics);
  return writeOutput(checks::k8s::writeNodeSnapshot(*node), args.output) ? kExitOk : kExitInput;
}

}  // namespace

void addCollectCommand(CLI::App& root, Action& action) {
  auto* collect =
      root.add_subcommand("collect", "Record what hardening checks read, to check later");
  collect->require_subcommand(1);
  auto args = std::make_shared<CollectArgs>();
  auto* cmd = collect->add_subcommand(
      "docker", "Snapshot a Docker host: Engine API documents, daemon config, files, audit rules");
  addDockerHostOptions(cmd, args->host);
  cmd->add_option("-o,--output", args->output, "Write the snapshot to FILE instead of stdout");
  cmd->callback([args, &action] { action = [args] { return runCollectDocker(*args); }; });

  auto k8s = std::make_shared<CollectK8sArgs>();
  auto* kcmd = collect->add_subcommand(
      "k8s",
      "Snapshot a Kubernetes cluster: every object the checks read, and what was unreadable");
  kcmd->add_option("--kubeconfig", k8s->kubeconfig,
                   "The kubeconfig (default $KUBECONFIG, then ~/.kube/config)");
  kcmd->add_option("--context", k8s->context, "The kubeconfig context (default current-context)");
  kcmd->add_option("-n,--namespace", k8s->namespaces, "Read only this namespace (repeatable)")
      ->allow_extra_args(false);
  kcmd->add_option("--owned-pods", k8s->owned_pods,
                   "skip: leave out pods a controller made (default); include: keep them")
      ->capture_default_str();
  kcmd->add_option("--timeout", k8s->timeout_seconds, "Seconds each API request may take")
      ->capture_default_str();
  kcmd->add_flag("--kubelet-configz", k8s->kubelet_configz,
                 "Also read each node's kubelet configuration through the API server "
                 "(nodes/proxy get)");
  kcmd->add_option("-o,--output", k8s->output, "Write the snapshot to FILE instead of stdout");
  kcmd->callback([k8s, &action] { action = [k8s] { return runCollectK8s(*k8s); }; });

  auto node = std::make_shared<CollectNodeArgs>();
  auto* ncmd = collect->add_subcommand(
      "node", "Snapshot a Kubernetes node: kubelet and kube-proxy command lines, configs, files");
  ncmd->add_option("--host-root", node->host_root, "The node's / mounted at DIR")
      ->capture_default_str();
  ncmd->add_option("-o,--output", node->output, "Write the snapshot to FILE instead of stdout");
  ncmd->callback([node, &action] { action = [node] { return runCollectNode(*node); }; });
}

}  // namespace bulwark::cli
