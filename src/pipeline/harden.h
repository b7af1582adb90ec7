// The Docker host hardening flow: collect a snapshot of the host (or read one written by
// `bulwark collect docker`), evaluate the Docker checks on it (the host once, every container,
// every image), and hand the results with the host's summary to the renderers.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/docker/snapshot.h"
#include "checks/exceptions.h"
#include "core/diagnostic.h"
#include "core/result.h"
#include "model/check.h"
#include "report/check_report.h"

namespace bulwark::pipeline {

struct DockerCollectOptions {
  std::string endpoint;         // "unix:///…"; empty: $DOCKER_HOST, else the default socket
  std::string host_root = "/";  // where the host's files are (a mounted host in a container)
  std::chrono::milliseconds timeout{5000};
  bool running_only = false;                    // only running containers (docker-bench's scope)
  std::vector<std::string> include_containers;  // name globs; empty: all
  std::vector<std::string> exclude_containers;
  std::string tool_version;  // recorded in the snapshot
};

struct DockerBenchOptions {
  DockerCollectOptions collect;
  std::string snapshot_path;  // evaluate this snapshot instead of collecting
  // Or a snapshot document already read (one posted to serve); snapshot_path, when set, only
  // names it in the report's source line.
  std::string snapshot_json;
  std::string benchmark;  // a profile ("cis-docker-1.6"); empty: every Docker check
  std::vector<std::string> only;
  std::vector<std::string> skip;
  std::map<std::string, std::vector<std::string>> inputs;  // --input NAME=a,b
  // An ignore file whose `misconfigurations:` exceptions mark results suppressed (empty: none).
  std::string ignorefile;
};

struct DockerBenchReport {
  checks::docker::Snapshot snapshot;
  std::vector<model::CheckResult> results;
  report::CheckCatalog catalog;
  std::vector<report::HostSummary> hosts;
  std::vector<core::Diagnostic> diagnostics;  // the snapshot's and the evaluation's, sorted
  struct Timings {
    double load_ms = 0;  // the checks and the profile
    double collect_ms = 0;
    double evaluate_ms = 0;
  } timings;
};

// The endpoint `-H` means: the option, else $DOCKER_HOST, else unix:///var/run/docker.sock.
std::string dockerEndpoint(const std::string& option);

// A snapshot of the live host. Only a setup error fails (an endpoint that is not unix://);
// every source that cannot be read is recorded in its fact's state.
core::Result<checks::docker::Snapshot> collectDockerSnapshot(const DockerCollectOptions& options);

core::Result<DockerBenchReport> runDockerBench(const DockerBenchOptions& options);

// The `misconfigurations:` exceptions of an ignore file (empty path: none); an exception naming
// a check id no built-in check has is an error.
core::Result<std::vector<checks::Exception>> loadCheckExceptions(const std::string& ignorefile);

// A snapshot or ignore file read whole, refused (Limit) beyond `max_bytes`: untrusted input
// never exhausts memory. NotFound / Io with the path when it cannot be read.
core::Result<std::string> readBoundedFile(const std::string& path, std::size_t max_bytes);

// What the renderers show of each check beyond its result.
report::CheckCatalog checkCatalog(const checks::CheckSet& set);
report::HostSummary hostSummaryOf(const checks::docker::Snapshot& snapshot, std::string resource,
                                  std::string source);

}  // namespace bulwark::pipeline
