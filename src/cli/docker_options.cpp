#include "cli/docker_options.h"

#include <chrono>

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.0.0"
#endif

namespace bulwark::cli {

CLI::Option* addDockerHostOptions(CLI::App* command, DockerHostArgs& args) {
  CLI::Option* host = command->add_option(
      "-H,--host", args.endpoint,
      "Docker socket (unix://PATH); default $DOCKER_HOST, else unix:///var/run/docker.sock");
  command
      ->add_option("--host-root", args.host_root,
                   "Where the host's files are (a host mounted into a container)")
      ->capture_default_str();
  command->add_option("--timeout", args.timeout, "Seconds to wait for each Engine API request")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  command->add_option("--containers", args.containers, "all (default) or running")
      ->capture_default_str();
  command->add_option("--include-container", args.include, "Only containers named GLOB");
  command->add_option("--exclude-container", args.exclude, "Leave out containers named GLOB");
  return host;
}

core::Result<pipeline::DockerCollectOptions> dockerCollectOptions(const DockerHostArgs& args) {
  if (args.containers != "all" && args.containers != "running") {
    return core::fail(core::ErrorCode::Usage, "--containers: \"{}\" is not all or running",
                      args.containers);
  }
  pipeline::DockerCollectOptions options;
  options.endpoint = args.endpoint;
  options.host_root = args.host_root;
  options.timeout = std::chrono::milliseconds(static_cast<long>(args.timeout * 1000));
  options.running_only = args.containers == "running";
  options.include_containers = args.include;
  options.exclude_containers = args.exclude;
  options.tool_version = BULWARK_VERSION;
  return options;
}

}  // namespace bulwark::cli
