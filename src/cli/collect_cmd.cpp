// bulwark collect docker — writes a snapshot of everything the Docker checks read (the Engine
// API's documents, dockerd's flags and daemon.json, file modes and owners, audit rules,
// listening sockets), so `bulwark bench docker --snapshot FILE` can evaluate it elsewhere.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "checks/docker/snapshot.h"
#include "cli/commands.h"
#include "cli/docker_options.h"
#include "cli/output.h"
#include "core/text.h"
#include "pipeline/harden.h"

namespace bulwark::cli {

namespace {

struct CollectArgs {
  DockerHostArgs host;
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
}

}  // namespace bulwark::cli
