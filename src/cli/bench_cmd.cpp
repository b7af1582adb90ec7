// bulwark bench dockerfile PATH… — the image configuration checks (data/checks/image) run on
// Dockerfiles, with line numbers; bulwark bench docker — the CIS Docker Benchmark checks
// (data/checks/docker) on a live Docker host or a snapshot of one (`bulwark collect docker`);
// bulwark bench k8s PATH… — the Kubernetes checks (data/checks/k8s) on manifests, a live cluster
// (--kubeconfig) or a snapshot of one (`bulwark collect k8s`).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "checks/check.h"
#include "checks/docker/snapshot.h"
#include "checks/dockerfile/dockerfile.h"
#include "checks/evaluate.h"
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
#include "pipeline/posture/post_snapshot.h"
#include "report/check_report.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.0.0"
#endif

namespace bulwark::cli {

namespace {

struct BenchArgs {
  std::vector<std::string> paths;
  std::string format = "table";
  std::string output;
  std::vector<std::string> only;
  std::vector<std::string> skip;
  int exit_code = 0;
};

// --post: the snapshot also goes to a bulwark serve, which evaluates and keeps it (posture).
struct PostArgs {
  std::string server;                       // --post URL
  std::string token_env = "BULWARK_TOKEN";  // an ingest (or admin) token; never on argv
  std::string ca;
  std::string cluster;  // k8s: the cluster's name on the server
};

struct DockerArgs {
  BenchArgs common;
  PostArgs post;
  DockerHostArgs host;
  std::string snapshot;
  std::string benchmark;
  std::vector<std::string> inputs;  // NAME=a,b
  bool timings = false;
  std::string ignorefile;  // empty: .bulwarkignore.yaml when the current directory has one
  bool show_suppressed = false;
};

struct K8sArgs {
  BenchArgs common;
  PostArgs post;
  std::string kubeconfig;
  std::string context;
  std::string snapshot;
  std::string owned_pods = "skip";
  double timeout_seconds = 10;
  bool print_rbac = false;
  bool kubelet_configz = false;  // --kubelet-configz: CIS 4.2 per Node from the API
  std::string benchmark;
  std::string k8s_version;
  std::vector<std::string> namespaces;  // manifests: the default namespace; a cluster: filter
  std::vector<std::string> inputs;      // NAME=a,b
  bool timings = false;
  std::string ignorefile;
  bool show_suppressed = false;
  bool node = false;            // --node: check this node (kubelet, kube-proxy, CIS files)
  std::string node_snapshot;    // --node-snapshot FILE (bulwark collect node, or host-sensor JSON)
  std::string host_root = "/";  // --host-root DIR: the node's / mounted elsewhere
  std::string scan_server;      // --scan-server URL (BW-K8S-407)
  std::string scan_token_env = "BULWARK_TOKEN";
  std::string scan_ca;
};

constexpr std::string_view kDefaultIgnoreFile = ".bulwarkignore.yaml";

// --input NAME=a,b,… into `inputs` (empty values dropped); the error names the bad one.
core::Status parseInputs(const std::vector<std::string>& given,
                         std::map<std::string, std::vector<std::string>>& inputs) {
  for (const auto& input : given) {
    const auto eq = input.find('=');
    if (eq == std::string::npos || eq == 0) {
      return core::fail(core::ErrorCode::Usage, "--input \"{}\": expected NAME=VALUE[,VALUE…]",
                        input);
    }
    auto& values = inputs[input.substr(0, eq)];
    for (auto& value : core::split(std::string_view(input).substr(eq + 1), ',')) {
      if (!value.empty()) values.emplace_back(value);
    }
  }
  return {};
}

// The ignore file given, else .bulwarkignore.yaml when the current directory has one.
std::string ignoreFileOf(const std::string& given) {
  std::error_code error;
  if (given.empty() && std::filesystem::exists(kDefaultIgnoreFile, error)) {
    return std::string(kDefaultIgnoreFile);
  }
  return given;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "bulwark: %s\n", core::printable(message).c_str());
  return kExitInput;
}

core::Result<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorCode::NotFound, "cannot read {}", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return core::fail(core::ErrorCode::Io, "cannot read {}", path);
  return text.str();
}

// The token of --post from its environment variable; an error when it is not set.
core::Result<pipeline::PostSnapshotOptions> postOptions(const PostArgs& args) {
  const char* token = std::getenv(args.token_env.c_str());
  if (token == nullptr || *token == '\0') {
    return core::fail(core::ErrorCode::Usage, "--post: set {} to a bulwark ingest token",
                      args.token_env);
  }
  pipeline::PostSnapshotOptions options;
  options.server = args.server;
  options.token = token;
  options.ca = args.ca;
  options.cluster = args.cluster;
  options.version = BULWARK_VERSION;
  return options;
}

// Sends one snapshot; says on stderr what the server made of it.
int postSnapshot(const pipeline::PostSnapshotOptions& options, std::string_view what,
                 const std::string& body) {
  auto posted = pipeline::postSnapshot(options, body);
  if (!posted) return fail(posted.error().message);
  std::fprintf(stderr, "bulwark: %s posted to %s: %s, job %lld %s\n", std::string(what).c_str(),
               core::printable(options.server).c_str(), core::printable(posted->target).c_str(),
               static_cast<long long>(posted->job_id),
               posted->created ? posted->state.c_str() : "(already waiting)");
  return kExitOk;
}

bool validFormat(std::string_view format) {
  return format == "table" || format == "json" || format == "sarif" || format == "junit";
}

std::string formatError(std::string_view format) {
  return fmt::format("unknown format \"{}\": table, json, sarif or junit", format);
}

// Renders the results in the chosen format to -o or stdout; the exit code counts failed
// checks that no exception covers.
int writeReport(const BenchArgs& args, const std::vector<model::CheckResult>& results,
                const report::CheckCatalog& catalog, const report::CheckReportHeader& header,
                bool show_suppressed = true) {
  if (args.format == "json") {
    // Streamed: the JSON of 10,000 manifests is ~250 MB.
    Output out(args.output);
    report::streamCheckJson(results, catalog, header,
                            [&out](std::string_view piece) { out.write(piece); });
    if (!out.finish()) return kExitInput;
  } else {
    const std::string text =
        args.format == "sarif" ? report::renderCheckSarif(results, catalog, BULWARK_VERSION)
        : args.format == "junit"
            ? report::renderCheckJunit(results, catalog)
            : report::renderCheckTable(results, catalog, header, show_suppressed);
    if (!writeOutput(text, args.output)) return kExitInput;
  }
  const bool failed = std::any_of(results.begin(), results.end(), [](const auto& r) {
    return r.status == model::CheckStatus::Fail && !r.suppression;
  });
  return failed && args.exit_code != 0 ? args.exit_code : kExitOk;
}

int runBenchDockerfile(const BenchArgs& args) {
  if (!validFormat(args.format)) return fail(formatError(args.format));
  auto builtin = checks::loadBuiltinChecks();
  if (!builtin) return fail(builtin.error().message);
  auto set = checks::selectChecks(*builtin, args.only, args.skip);
  if (!set) return fail(set.error().message);
  std::vector<model::CheckResult> results;
  core::Diagnostics diagnostics;
  for (const auto& path : args.paths) {
    auto text = readText(path);
    if (!text) return fail(text.error().message);
    auto file = checks::dockerfile::parseDockerfile(*text, diagnostics, path);
    if (!file) return fail(file.error().message);
    auto more = checks::evaluateDockerfile(*set, *file, path);
    results.insert(results.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
  }
  printDiagnostics(diagnostics.sorted());
  return writeReport(args, results, pipeline::checkCatalog(*set), {});
}

int runBenchDocker(const DockerArgs& args) {
  if (!validFormat(args.common.format)) return fail(formatError(args.common.format));
  std::optional<pipeline::PostSnapshotOptions> post;
  if (!args.post.server.empty()) {
    // The server takes a snapshot for the whole host: what it does not hold is gone.
    if (!args.host.include.empty() || !args.host.exclude.empty() || args.host.containers != "all") {
      return fail(
          "--post sends the whole host: leave out --containers, --include-container "
          "and --exclude-container");
    }
    auto options = postOptions(args.post);
    if (!options) return fail(options.error().message);
    post = std::move(*options);
  }
  auto collect = dockerCollectOptions(args.host);
  if (!collect) return fail(collect.error().message);
  pipeline::DockerBenchOptions options;
  options.collect = std::move(*collect);
  options.snapshot_path = args.snapshot;
  options.benchmark = args.benchmark;
  options.only = args.common.only;
  options.skip = args.common.skip;
  if (auto parsed = parseInputs(args.inputs, options.inputs); !parsed) {
    return fail(parsed.error().message);
  }
  options.ignorefile = ignoreFileOf(args.ignorefile);
  auto bench = pipeline::runDockerBench(options);
  if (!bench) return fail(bench.error().message);
  printDiagnostics(bench->diagnostics);
  const auto render_start = std::chrono::steady_clock::now();
  const int code = writeReport(args.common, bench->results, bench->catalog, {.hosts = bench->hosts},
                               args.show_suppressed);
  if (args.timings) {
    const std::chrono::duration<double, std::milli> render =
        std::chrono::steady_clock::now() - render_start;
    std::fprintf(stderr,
                 "bulwark: timings: load checks %.1f ms, %s %.1f ms, evaluate %.1f ms, "
                 "render %.1f ms\n",
                 bench->timings.load_ms, args.snapshot.empty() ? "collect" : "read snapshot",
                 bench->timings.collect_ms, bench->timings.evaluate_ms, render.count());
  }
  if (post) {
    if (const int posted = postSnapshot(*post, "the host's snapshot",
                                        checks::docker::writeSnapshot(bench->snapshot));
        posted != kExitOk) {
      return posted;
    }
  }
  return code;
}
int runBenchK8s(const K8sArgs& args) {
  if (args.print_rbac) {
    std::fputs(pipeline::k8sReaderClusterRole(args.kubelet_configz).c_str(), stdout);
    return kExitOk;
  }
  if (!validFormat(args.common.format)) return fail(formatError(args.common.format));
  std::optional<pipeline::PostSnapshotOptions> post;
  if (!args.post.server.empty()) {
    if (args.post.cluster.empty()) return fail("--post: name the cluster with --cluster");
    auto options = postOptions(args.post);
    if (!options) return fail(options.error().message);
    post = std::move(*options);
  }
  pipeline::K8sBenchOptions options;
  options.paths = args.common.paths;
  const bool live = !args.kubeconfig.empty() || !args.context.empty();
  if (!options.paths.empty() && (live || !args.snapshot.empty())) {
    return fail("manifest paths cannot be combined with --kubeconfig, --context or --snapshot");
  }
  if (live && !args.snapshot.empty()) {
    return fail("--snapshot cannot be combined with --kubeconfig or --context");
  }
  if (args.owned_pods != "skip" && args.owned_pods != "include") {
    return fail(fmt::format("--owned-pods \"{}\": skip or include", args.owned_pods));
  }
  if (!(args.timeout_seconds > 0 && args.timeout_seconds <= 3600)) {
    return fail("--timeout: between 0 and 3600 seconds");
  }
  if (!options.paths.empty()) {
    // Manifests: --namespace is the namespace of objects that name none (kubectl apply -n).
    if (args.namespaces.size() > 1) return fail("--namespace: one namespace with manifests");
    if (!args.namespaces.empty()) {
      options.default_namespace = args.namespaces.front();
      options.namespace_given = true;
    }
  } else {
    options.namespaces = args.namespaces;
  }
  options.kubeconfig = args.kubeconfig;
  options.context = args.context;
  options.snapshot_path = args.snapshot;
  options.include_owned_pods = args.owned_pods == "include";
  if (args.kubelet_configz && (!options.paths.empty() || !args.snapshot.empty())) {
    return fail(
        "--kubelet-configz reads a live cluster: give --kubeconfig/--context, not "
        "manifests or --snapshot (collect k8s --kubelet-configz keeps it in a snapshot)");
  }
  options.kubelet_configz = args.kubelet_configz;
  options.timeout = std::chrono::milliseconds(static_cast<long>(args.timeout_seconds * 1000));
  options.benchmark = args.benchmark;
  options.k8s_version = args.k8s_version;
  options.only = args.common.only;
  options.skip = args.common.skip;
  if (auto parsed = parseInputs(args.inputs, options.inputs); !parsed) {
    return fail(parsed.error().message);
  }
  options.ignorefile = ignoreFileOf(args.ignorefile);
  if (!args.scan_server.empty()) {
    const char* token = std::getenv(args.scan_token_env.c_str());
    if (token == nullptr || *token == '\0') {
      return fail(
          fmt::format("--scan-server: set {} to a bulwark reader token", args.scan_token_env));
    }
    options.scan_server = args.scan_server;
    options.scan_token = token;
    options.scan_ca_file = args.scan_ca;
  }
  const bool with_node = args.node || !args.node_snapshot.empty();
  if (args.node && !args.node_snapshot.empty()) return fail("--node and --node-snapshot: give one");
  // The node alone, or the node beside manifests or a cluster in one report.
  const bool with_objects = !options.paths.empty() || live || !args.snapshot.empty();
  std::optional<pipeline::NodeBenchReport> node;
  if (with_node) {
    pipeline::NodeBenchOptions node_options;
    node_options.host_root = args.host_root;
    node_options.node_snapshot_path = args.node_snapshot;
    node_options.benchmark =
        args.benchmark == "cis-k8s-node" || !with_objects ? args.benchmark : "";
    node_options.only = options.only;
    node_options.skip = options.skip;
    node_options.inputs = options.inputs;
    node_options.ignorefile = options.ignorefile;
    node_options.tool_version = BULWARK_VERSION;
    auto checked = pipeline::runNodeChecks(node_options);
    if (!checked) return fail(checked.error().message);
    node = std::move(*checked);
    if (post) {
      if (const int posted = postSnapshot(*post, "the node's snapshot",
                                          checks::k8s::writeNodeSnapshot(node->node));
          posted != kExitOk) {
        return posted;
      }
    }
    if (!with_objects) {
      printDiagnostics(node->diagnostics);
      const auto render_start = std::chrono::steady_clock::now();
      const int code = writeReport(args.common, node->results, node->catalog,
                                   {.hosts = node->hosts}, args.show_suppressed);
      if (args.timings) {
        const std::chrono::duration<double, std::milli> render =
            std::chrono::steady_clock::now() - render_start;
        std::fprintf(stderr,
                     "bulwark: timings: load checks %.1f ms, %s %.1f ms, evaluate %.1f ms, "
                     "render %.1f ms\n",
                     node->timings.load_ms,
                     args.node_snapshot.empty() ? "collect node" : "read node snapshot",
                     node->timings.collect_ms, node->timings.evaluate_ms, render.count());
      }
      return code;
    }
  }
  if (with_node && (args.benchmark == "cis-k8s-node" || args.benchmark == "cis-k8s-node-1.12")) {
    return fail("--benchmark cis-k8s-node checks a node only; leave out the manifests or cluster");
  }
  auto bench = pipeline::runK8sBench(options);
  if (!bench) return fail(bench.error().message);
  if (post) {
    if (const int posted = postSnapshot(
            *post, "the cluster's snapshot",
            checks::k8s::writeK8sSnapshot(bench->inventory, core::nowUtc(), BULWARK_VERSION));
        posted != kExitOk) {
      return posted;
    }
  }
  std::vector<report::HostSummary> hosts;
  if (node) {
    // One report: the objects' results, then the node's (§1.5 order: node results last).
    bench->results.insert(bench->results.end(), std::make_move_iterator(node->results.begin()),
                          std::make_move_iterator(node->results.end()));
    bench->catalog.merge(node->catalog);
    bench->diagnostics.insert(bench->diagnostics.end(), node->diagnostics.begin(),
                              node->diagnostics.end());
    hosts = std::move(node->hosts);
  }
  printDiagnostics(bench->diagnostics);
  const auto render_start = std::chrono::steady_clock::now();
  const int code = writeReport(args.common, bench->results, bench->catalog,
                               {.hosts = hosts, .clusters = bench->clusters}, args.show_suppressed);
  if (args.timings) {
    const std::chrono::duration<double, std::milli> render =
        std::chrono::steady_clock::now() - render_start;
    std::fprintf(stderr,
                 "bulwark: timings: load checks %.1f ms, %s %.1f ms, evaluate "
                 "%.1f ms, render %.1f ms\n",
                 bench->timings.load_ms,
                 !args.common.paths.empty() ? "read manifests"
                 : args.snapshot.empty()    ? "collect"
                                            : "read snapshot",
                 bench->timings.read_ms, bench->timings.evaluate_ms, render.count());
  }
  // The inventory and results of 10,000 manifests are millions of small allocations: the
  // process exits now, so the OS takes them back instead of the destructors.
  keepUntilExit(std::move(*bench));
  return code;
}

// -f, -o, --check, --skip, --exit-code: what every bench subcommand takes.
void addReportOptions(CLI::App* cmd, BenchArgs& args) {
  cmd->add_option("-f,--format", args.format, "table, json, sarif or junit")->capture_default_str();
  cmd->add_option("-o,--output", args.output, "Write the report to FILE instead of stdout");
  cmd->add_option("--check", args.only, "Run only these check ids")->delimiter(',');
  cmd->add_option("--skip", args.skip, "Leave out these check ids")->delimiter(',');
  cmd->add_option("--exit-code", args.exit_code, "Exit with N when a check fails")
      ->check(CLI::Range(0, 125));
}

// --post, --post-token-env, --post-ca (and --cluster for Kubernetes).
void addPostOptions(CLI::App* cmd, PostArgs& args, bool cluster) {
  cmd->add_option("--post", args.server,
                  "Also send the snapshot to this bulwark serve (https://HOST:PORT), which "
                  "evaluates and keeps it for the posture dashboard");
  cmd->add_option("--post-token-env", args.token_env,
                  "The environment variable holding its ingest token")
      ->capture_default_str();
  cmd->add_option("--post-ca", args.ca, "PEM file to trust for an https server");
  if (cluster) {
    cmd->add_option("--cluster", args.cluster, "The cluster's name on the server (with --post)");
  }
}

// --ignorefile and --show-suppressed.
void addExceptionOptions(CLI::App* cmd, std::string& ignorefile, bool& show_suppressed) {
  cmd->add_option("--ignorefile", ignorefile,
                  "Exceptions in the misconfigurations: section of this file (default "
                  ".bulwarkignore.yaml when present; docs/suppression.md)");
  cmd->add_flag("--show-suppressed", show_suppressed,
                "List results an exception covers in the table (they are always counted)");
}

}  // namespace

void addBenchCommand(CLI::App& root, Action& action) {
  auto* bench = root.add_subcommand("bench", "Run hardening and configuration checks");
  bench->require_subcommand(1);
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = bench->add_subcommand(
      "dockerfile", "Check Dockerfiles: user, health check, secrets, ADD, package managers, TLS");
  cmd->add_option("paths", args->paths, "Dockerfiles")->required();
  addReportOptions(cmd, *args);
  cmd->callback([args, &action] { action = [args] { return runBenchDockerfile(*args); }; });

  auto docker = std::make_shared<DockerArgs>();
  auto* dcmd = bench->add_subcommand(
      "docker", "Check a Docker host and its containers against the CIS Docker Benchmark");
  CLI::Option* host = addDockerHostOptions(dcmd, docker->host);
  dcmd->add_option("--snapshot", docker->snapshot,
                   "Evaluate a snapshot written by `bulwark collect docker` instead of a live host")
      ->excludes(host);
  dcmd->add_option("--benchmark", docker->benchmark,
                   "Run a benchmark profile's checks and name its controls (cis-docker-1.6)");
  dcmd->add_option("--input", docker->inputs,
                   "Values checks ask for: NAME=V1,V2 (trusted_users, trusted_registries)");
  dcmd->add_flag("--timings", docker->timings, "Print how long collecting and evaluating took");
  addExceptionOptions(dcmd, docker->ignorefile, docker->show_suppressed);
  addPostOptions(dcmd, docker->post, false);
  addReportOptions(dcmd, docker->common);
  dcmd->callback([docker, &action] { action = [docker] { return runBenchDocker(*docker); }; });

  auto k8s = std::make_shared<K8sArgs>();
  auto* kcmd = bench->add_subcommand(
      "k8s", "Check Kubernetes manifests or a cluster against the Pod Security Standards and more");
  kcmd->add_option("paths", k8s->common.paths,
                   "Manifest files or directories (YAML, JSON, List kinds, `helm template` "
                   "output); - reads stdin. None: the cluster of the kubeconfig");
  kcmd->add_option("--kubeconfig", k8s->kubeconfig,
                   "Read a live cluster through this kubeconfig (default $KUBECONFIG, then "
                   "~/.kube/config)");
  kcmd->add_option("--context", k8s->context, "The kubeconfig context (default current-context)");
  kcmd->add_option("--snapshot", k8s->snapshot,
                   "Evaluate a snapshot written by `bulwark collect k8s` instead of a cluster");
  kcmd->add_flag("--node", k8s->node,
                 "Check this Kubernetes node: kubelet and kube-proxy settings, CIS file modes");
  kcmd->add_option("--node-snapshot", k8s->node_snapshot,
                   "Check a node snapshot (bulwark collect node, or kubescape host-sensor JSON)");
  kcmd->add_option("--host-root", k8s->host_root,
                   "With --node: the node's / mounted at DIR (a pod with hostPID and / at /host)")
      ->capture_default_str();
  kcmd->add_option("--owned-pods", k8s->owned_pods,
                   "skip: check controllers' templates, not the pods they made (default); "
                   "include: check those pods too (webhook-injected sidecars)")
      ->capture_default_str();
  kcmd->add_option("--timeout", k8s->timeout_seconds, "Seconds each API request may take")
      ->capture_default_str();
  kcmd->add_flag("--print-rbac", k8s->print_rbac,
                 "Print the read-only ClusterRole a live run needs, and exit");
  kcmd->add_flag("--kubelet-configz", k8s->kubelet_configz,
                 "A cluster: check each node's kubelet configuration (CIS 4.2) read through the "
                 "API server's node proxy (needs get on nodes/proxy)");
  kcmd->add_option("--benchmark", k8s->benchmark,
                   "Run a profile's checks and name its controls (pss-baseline, pss-restricted)");
  kcmd->add_option(
      "--k8s-version", k8s->k8s_version,
      "The Kubernetes version whose rules apply: 1.30, v1.30.4 or latest (default: the "
      "cluster's version, else latest)");
  kcmd->add_option("-n,--namespace", k8s->namespaces,
                   "A cluster: read only this namespace (repeatable). Manifests: the namespace "
                   "of objects that name none (as kubectl apply -n; default \"default\")")
      ->allow_extra_args(false);
  kcmd->add_option("--input", k8s->inputs, "Values checks ask for: NAME=V1,V2");
  kcmd->add_option("--scan-server", k8s->scan_server,
                   "Ask this bulwark serve which image digests it scanned (BW-K8S-407)");
  kcmd->add_option("--scan-token-env", k8s->scan_token_env,
                   "The environment variable holding its reader token")
      ->capture_default_str();
  kcmd->add_option("--scan-ca", k8s->scan_ca, "PEM file to trust for an https scan server");
  kcmd->add_flag("--timings", k8s->timings, "Print how long reading and evaluating took");
  addExceptionOptions(kcmd, k8s->ignorefile, k8s->show_suppressed);
  addPostOptions(kcmd, k8s->post, true);
  addReportOptions(kcmd, k8s->common);
  kcmd->callback([k8s, &action] { action = [k8s] { return runBenchK8s(*k8s); }; });
}

}  // namespace bulwark::cli
