// The node collector: the kubelet and kube-proxy found by the Docker collectors' /proc scan,
// their `--config` files read (YAML or JSON, as the components read them), and the path
// aliases of the CIS file checks resolved (kube-bench's candidate paths, in its order) and
// stat'ed by the Docker host-file collector. docs/dev/k8s-design.md §5.2.
#include "checks/k8s/node/collect_node.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <filesystem>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "checks/docker/collect/collectors.h"
#include "checks/k8s/kubelet_config.h"
#include "checks/k8s/yaml_json.h"
#include "core/date.h"
#include "core/text.h"

namespace bulwark::checks::k8s {

namespace {

namespace collect = docker::collect;
using docker::FactState;
using docker::FactStatus;

constexpr std::size_t kMaxConfigBytes = 1u << 20;
constexpr YamlLimits kConfigLimits{100'000, 64};

// kube-bench's candidates (cfg/config.yaml `node.kubelet.svc`, …), the common ones first.
constexpr std::string_view kServiceCandidates[] = {
    "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "/etc/systemd/system/kubelet.service",
    "/lib/systemd/system/kubelet.service",
    "/usr/lib/systemd/system/kubelet.service",
    "/etc/systemd/system/snap.kubelet.daemon.service",
};
constexpr std::string_view kKubeconfigCandidates[] = {
    "/etc/kubernetes/kubelet.conf",
    "/var/lib/kubelet/kubeconfig",
};
constexpr std::string_view kConfigCandidates[] = {
    "/var/lib/kubelet/config.yaml",
    "/etc/kubernetes/kubelet-config.yaml",
};
constexpr std::string_view kClientCaCandidates[] = {"/etc/kubernetes/pki/ca.crt"};
constexpr std::string_view kProxyKubeconfigCandidates[] = {"/var/lib/kube-proxy/kubeconfig.conf"};

bool existsUnder(std::string_view root, std::string_view path) {
  struct stat info {};
  return ::stat(collect::underRoot(root, path).c_str(), &info) == 0;
}

std::vector<std::string> firstExisting(std::string_view root,
                                       std::span<const std::string_view> candidates) {
  for (const std::string_view path : candidates) {
    if (existsUnder(root, path)) return {std::string(path)};
  }
  return {};
}

std::string basename(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// A path a process was given, made absolute against its working directory.
std::string absolute(std::string_view path, const std::string& cwd) {
  if (path.empty() || path.front() == '/') return std::string(path);
  std::string base = cwd.empty() ? std::string("/") : cwd;
  if (!base.ends_with('/')) base += '/';
  return (std::filesystem::path(base) / std::filesystem::path(path)).lexically_normal().string();
}

// The component's process: comm `program` (or hyperkube running it as a subcommand, whose
// names are given in `subcommands`).
NodeSnapshot::Process findComponent(const std::string& root, std::string_view program,
                                    std::initializer_list<std::string_view> subcommands) {
  NodeSnapshot::Process out;
  const std::array<std::string_view, 2> names = {program, "hyperkube"};
  const collect::ProcessScan scan = collect::findProcesses(root, names);
  if (!scan.state.ok()) {
    out.state = scan.state;
    return out;
  }
  std::optional<NodeSnapshot::Process> first_failed;
  for (const int pid : scan.pids) {
    collect::ProcessFact fact = collect::readProcess(root, pid);
    if (fact.state.ok() && basename(fact.argv.front()) == "hyperkube") {
      const bool runs_it = fact.argv.size() > 1 && std::find(subcommands.begin(), subcommands.end(),
                                                             fact.argv[1]) != subcommands.end();
      if (!runs_it) continue;
    }
    NodeSnapshot::Process process;
    process.state = std::move(fact.state);
    process.pid = fact.pid;
    process.uid = fact.uid;
    process.argv = std::move(fact.argv);
    process.cwd = std::move(fact.cwd);
    if (process.state.ok()) return process;
    if (!first_failed) first_failed = std::move(process);
  }
  if (first_failed) return std::move(*first_failed);
  out.state = {FactStatus::Missing, fmt::format("no {} process", program),
               collect::underRoot(root, "/proc").string()};
  return out;
}

// The config file `--config` names, read under the host root, or through the process's own
// root when it runs in a container (kube-proxy as a DaemonSet pod: its /var/lib/kube-proxy is
// the pod's volume, not the node's).
NodeSnapshot::Config readConfig(const std::string& root, const NodeSnapshot::Process& process,
                                core::Diagnostics& diagnostics) {
  NodeSnapshot::Config config;
  if (!process.state.ok()) {
    config.state = {FactStatus::NotCollected, "the process was not read", {}};
    return config;
  }
  const auto flag = kubeFlagValue(process.argv, "--config");
  if (!flag || flag->empty()) {
    config.state = {FactStatus::Missing, "no --config flag", {}};
    return config;
  }
  config.path = absolute(*flag, process.cwd);
  // /proc/<pid>/root is the process's own root (the same as the node's for a host process);
  // the node's path is the fallback (a copied /proc has no such link).
  const auto proc_root = collect::underRoot(root, "/proc") / std::to_string(process.pid) / "root";
  std::error_code error;
  const bool has_root =
      std::filesystem::is_symlink(std::filesystem::symlink_status(proc_root, error));
  collect::FileRead read;
  if (has_root)
    read =
        collect::readHostFile(collect::underRoot(proc_root.string(), config.path), kMaxConfigBytes);
  if (!has_root || !read.state.ok()) {
    collect::FileRead on_node =
        collect::readHostFile(collect::underRoot(root, config.path), kMaxConfigBytes);
    if (!has_root || on_node.state.ok()) read = std::move(on_node);
  }
  config.state = read.state;
  config.state.source = config.path;
  if (!read.state.ok()) {
    diagnostics.add("k8s.node-config.unreadable", config.path,
                    fmt::format("{}: {}", docker::toString(read.state.status), read.state.detail));
    return config;
  }
  auto doc = yamlToJson(read.text, kConfigLimits);
  if (!doc) {
    config.state = {FactStatus::Malformed,
                    fmt::format("line {}: {}", doc.error().line, doc.error().message), config.path};
    diagnostics.add("k8s.node-config.malformed", config.path, config.state.detail);
    return config;
  }
  config.doc = std::move(doc->value);
  return config;
}

ComponentConfig effective(Component component, const NodeSnapshot::Process& process,
                          const NodeSnapshot::Config& config) {
  ComponentInputs inputs;
  inputs.argv = &process.argv;
  inputs.argv_state = process.state;
  inputs.config_path = config.path;
  inputs.config_state = config.state;
  inputs.config_doc = config.state.ok() ? &config.doc : nullptr;
  core::Diagnostics ignored;  // evaluation reports them once, with the results
  return effectiveComponentConfig(component, inputs, ignored);
}

// The option's value when a flag or the file set it (a default names no file); nullopt when
// it is unknown (its source could not be read), "" when unset.
std::optional<std::string> configured(const ComponentConfig& config, std::string_view key) {
  const OptionValue* value = config.find(key);
  if (value == nullptr || value->origin == OptionValue::Origin::Unknown) return std::nullopt;
  if (value->origin == OptionValue::Origin::Default || value->values.empty()) return "";
  return value->values.front();
}

void resolveAliases(const std::string& root, NodeSnapshot& node) {
  auto& paths = node.host.host.paths;
  paths[std::string(kKubeletServiceAlias)] = firstExisting(root, kServiceCandidates);

  const ComponentConfig kubelet = effective(Component::Kubelet, node.kubelet, node.kubelet_config);
  const ComponentConfig proxy = effective(Component::Proxy, node.proxy, node.proxy_config);
  const auto alias_from = [&](std::string_view alias, const std::optional<std::string>& value,
                              const std::string& cwd,
                              std::span<const std::string_view> candidates) {
    if (!value) {
      paths.erase(std::string(alias));  // unknown: not collected, never a pass
    } else if (!value->empty()) {
      paths[std::string(alias)] = {absolute(*value, cwd)};
    } else {
      paths[std::string(alias)] = firstExisting(root, candidates);
    }
  };
  alias_from(kKubeletKubeconfigAlias,
             node.kubelet.state.ok() ? configured(kubelet, "kubeconfig") : std::optional(""),
             node.kubelet.cwd, kKubeconfigCandidates);
  alias_from(kKubeletConfigAlias, node.kubelet_config.path, "/", kConfigCandidates);
  alias_from(kKubeletClientCaAlias,
             node.kubelet.state.ok() ? configured(kubelet, "authentication.x509.clientCAFile")
                                     : std::optional(""),
             node.kubelet.cwd, kClientCaCandidates);
  alias_from(
      kProxyKubeconfigAlias,
      node.proxy.state.ok() ? configured(proxy, "clientConnection.kubeconfig") : std::optional(""),
      node.proxy.cwd, kProxyKubeconfigCandidates);
}

}  // namespace

core::Result<NodeSnapshot> collectNode(const NodeCollectOptions& options) {
  const std::string root = options.host_root.empty() ? std::string("/") : options.host_root;
  std::error_code error;
  if (!std::filesystem::is_directory(root, error)) {
    return core::fail(core::ErrorCode::NotFound, "host root {} is not a directory", root);
  }
  NodeSnapshot node;
  node.collected_at = options.collected_at.empty() ? core::nowUtc() : options.collected_at;
  node.collector_version = options.tool_version;
  node.host.collected_at = node.collected_at;
  node.host.hostname = collect::hostnameOf(root);
  node.host.host.root = root;
  core::Diagnostics diagnostics;

  node.kubelet = findComponent(root, "kubelet", {"kubelet"});
  node.proxy = findComponent(root, "kube-proxy", {"proxy", "kube-proxy"});
  node.kubelet_config = readConfig(root, node.kubelet, diagnostics);
  node.proxy_config = readConfig(root, node.proxy, diagnostics);

  resolveAliases(root, node);
  std::set<std::string> wanted;
  for (const auto& [alias, real] : node.host.host.paths) wanted.insert(real.begin(), real.end());
  collect::statPaths(root, wanted, node.host, diagnostics);
  node.host.diagnostics = diagnostics.sorted();
  return node;
}

}  // namespace bulwark::checks::k8s
