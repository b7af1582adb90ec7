// The collectors collect.cpp runs, one per file of this folder. Each fills its part of the
// snapshot and records a failure as that fact's FactState; none of them fails the collection.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/docker/collect/collect.h"
#include "checks/docker/collect/engine_client.h"
#include "checks/docker/daemon_config.h"
#include "checks/docker/snapshot.h"
#include "core/diagnostic.h"

namespace bulwark::checks::docker::collect {

// Reading a host file: at most `max_bytes` (more → Malformed), ENOENT/ENOTDIR → Missing,
// EACCES/EPERM → PermissionDenied. The state's source is the path as given.
struct FileRead {
  FactState state;
  std::string text;
};
FileRead readHostFile(const std::filesystem::path& path, std::size_t max_bytes);
FactState stateOfErrno(int error, std::string_view source);

// `path` ("/etc/docker") under the host root ("/" or "/mnt/host").
std::filesystem::path underRoot(std::string_view host_root, std::string_view path);

// The host's name: /etc/hostname under a host root other than "/", else gethostname(); empty
// when neither can be read.
std::string hostnameOf(const std::string& host_root);

// dockerd.cpp: finding a host process by name under /proc (shared with the Kubernetes node
// collector, k8s/node/). The pids whose /proc/<pid>/comm is one of `names`, sorted; state Ok
// when there are some, else Missing "no <names[0]> process" (PermissionDenied when /proc is
// mounted with hidepid and we are not root), or the error of reading /proc.
struct ProcessScan {
  FactState state;
  std::vector<int> pids;
};
ProcessScan findProcesses(std::string_view host_root, std::span<const std::string_view> names);
// One process: argv from cmdline (state: that read; an empty cmdline is Malformed), the real
// uid from status, the executable and working directory links (empty when unreadable).
struct ProcessFact {
  FactState state;
  int pid = 0;
  std::uint32_t uid = 0;
  std::string exe;
  std::string cwd;
  std::vector<std::string> argv;
};
ProcessFact readProcess(std::string_view host_root, int pid);

// host_files.cpp: a FileFact in snapshot.host.files for every absolute path of `paths` (type,
// mode, owner; a symbolic link's target), owner names from <root>/etc/passwd and /etc/group.
void statPaths(std::string_view host_root, const std::set<std::string>& paths, Snapshot& snapshot,
               core::Diagnostics& diagnostics);

// engine_api.cpp: everything under snapshot.engine (processes excepted). `self_id` (the id of
// the container bulwark runs in, if any) and containers labelled io.bulwark.self=true are
// skipped with a diagnostic.
void collectEngine(EngineClient& client, const CollectOptions& options,
                   const std::optional<std::string>& self_id, Snapshot& snapshot,
                   core::Diagnostics& diagnostics);
// processes.cpp: containers[].processes of running containers.
void collectProcesses(EngineClient& client, const CollectOptions& options, Snapshot& snapshot);
// dockerd.cpp: host.dockerd; `socket` is the endpoint's socket path (picks among several).
void collectDockerd(const CollectOptions& options, std::string_view socket, Snapshot& snapshot);
// daemon_json.cpp: host.daemon_json (after dockerd: its --config-file).
void collectDaemonJson(const CollectOptions& options, Snapshot& snapshot);
// systemd.cpp: paths["unit:…"].
void collectSystemdUnits(const CollectOptions& options, Snapshot& snapshot);
// host_files.cpp: the remaining path aliases of §2.4 and a FileFact for every path named.
// `config` is dockerd's effective configuration (daemon_config.h) from the snapshot's dockerd
// and daemon_json; an option whose origin is Unknown leaves its alias out (not collected).
void collectHostFiles(const CollectOptions& options, const DaemonConfig& config, Snapshot& snapshot,
                      core::Diagnostics& diagnostics);
// group.cpp: host.docker_group (the effective `group` option, default docker).
void collectDockerGroup(const CollectOptions& options, std::string_view group_name,
                        Snapshot& snapshot, core::Diagnostics& diagnostics);
// audit.cpp: host.audit.
void collectAuditRules(const CollectOptions& options, Snapshot& snapshot,
                       core::Diagnostics& diagnostics);
// sockets.cpp: host.listening.
void collectListening(const CollectOptions& options, Snapshot& snapshot,
                      core::Diagnostics& diagnostics);
// mountinfo.cpp: host.mountinfo.
void collectMountinfo(const CollectOptions& options, Snapshot& snapshot,
                      core::Diagnostics& diagnostics);

}  // namespace bulwark::checks::docker::collect
