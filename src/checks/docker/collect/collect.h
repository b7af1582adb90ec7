// Collects a Docker host snapshot live: the Engine API over its unix socket, dockerd's argv and
// daemon.json, the files the checks stat, the docker group, the audit rules, the listening
// sockets and the mount table (docs/dev/hardening-design.md §2.3, §2.4). A source that cannot
// be read becomes that fact's FactState; only a setup error (an endpoint we cannot use) fails.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "checks/docker/snapshot.h"
#include "core/result.h"

namespace bulwark::checks::docker {

struct CollectOptions {
  std::string endpoint;         // "unix:///var/run/docker.sock" (empty: that default)
  std::string host_root = "/";  // files, /proc and audit rules are read under this directory
  std::chrono::milliseconds timeout{5000};  // per Engine API request (connect: at most 2 s)
  bool processes = true;                    // read each running container's process names
  bool running_only = false;                // skip containers that are not running
  std::vector<std::string> include;         // container name globs (empty: all)
  std::vector<std::string> exclude;         // container name globs
  std::string tool_version;                 // written as the snapshot's collector version
};

core::Result<Snapshot> collectDocker(const CollectOptions& options);

}  // namespace bulwark::checks::docker
