// bulwark collect docker — writes a snapshot of everything the Docker checks read (the Engine
// API's documents, dockerd's flags and daemon.json, file modes and owners, audit rules,
// listening sockets), so `bulwark bench docker --snapshot FILE` can evaluate it elsewhere.
#include <chrono>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "checks/docker/snapshot.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/text.h"
#include "pipeline/harden.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.0.0"
#endif

namespace bulwark::cli {

namespace {

struct CollectArgs {
  std::string endpoint;
  std::string host_root = "/";
  double timeout = 5;
  std::string containers = "all";
  std::string output;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "bulwark: %s\n", core::printable(message).c_str());
  return kExitInput;
}

int runCollectDocker(const CollectArgs& args) {
  if (args.containers != "all" && args.containers != "running") {
    return fail(fmt::format("--containers: \"{}\" is not all or running", args.containers));
  }
  pipeline::DockerCollectOptions options;
  options.endpoint = args.endpoint;
  options.host_root = args.host_root;
  options.timeout = std::chrono::milliseconds(static_cast<long>(args.timeout * 1000));
  options.running_only = args.containers == "running";
  options.tool_version = BULWARK_VERSION;
  auto snapshot = pipeline::collectDockerSnapshot(options);
  if (!snapshot) return fail(snapshot.error().message);
  for (const auto& d : snapshot->diagnostics) {
    std::fprintf(stderr, "bulwark: warning: %s: %s (%s)\n", core::printable(d.where).c_str(),
                 core::printable(d.detail).c_str(), d.kind.c_str());
  }
  const std::string text = checks::docker::writeSnapshot(*snapshot);
  return writeOutput(text, args.output) ? kExitOk : kExitInput;
}

}  // namespace

void addCollectCommand(CLI::App& root, Action& action) {
  auto* collect =
      root.add_subcommand("collect", "Record what hardening checks read, to check later");
  collect->require_subcommand(1);
  auto args = std::make_shared<CollectArgs>();
  auto* cmd = collect->add_subcommand(
      "docker", "Snapshot a Docker host: Engine API documents, daemon config, files, audit rules");
  cmd->add_option("-H,--host", args->endpoint,
                  "Docker socket (unix://PATH); default $DOCKER_HOST, else "
                  "unix:///var/run/docker.sock");
  cmd->add_option("--host-root", args->host_root,
                  "Where the host's files are (a host mounted into a container)")
      ->capture_default_str();
  cmd->add_option("--timeout", args->timeout, "Seconds to wait for each Engine API request")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  cmd->add_option("--containers", args->containers, "all (default) or running")
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write the snapshot to FILE instead of stdout");
  cmd->callback([args, &action] { action = [args] { return runCollectDocker(*args); }; });
}

}  // namespace bulwark::cli
