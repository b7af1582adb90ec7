#include "cli/target_options.h"

#include <unistd.h>

#include <iostream>

#include "core/log.h"

namespace bulwark::cli {

void addTargetOptions(CLI::App& command, TargetArgs& args) {
  command.add_option("--platform", args.platform, "Platform to pick from a multi-platform image")
      ->capture_default_str();
  command.add_option("--parallel", args.parallel, "Layers read at once (default: one per core)");
  command.add_flag("--insecure", args.insecure, "Allow plain HTTP and unverified TLS registries");
  command.add_option("--username", args.username, "Registry user name");
  command.add_flag("--password-stdin", args.password_stdin,
                   "Read the registry password from stdin");
  command.add_option("--ca-file", args.ca_file, "Extra CA certificates for registry TLS");
}

core::Result<image::SourceOptions> sourceOptions(const TargetArgs& args) {
  auto platform = image::Platform::parse(args.platform);
  if (!platform) return tl::unexpected(platform.error());
  image::SourceOptions options;
  options.platform = *platform;
  options.parallelism = args.parallel;
  options.registry.insecure = args.insecure;
  options.registry.username = args.username;
  options.registry.ca_file = args.ca_file;
  if (args.password_stdin) std::getline(std::cin, options.registry.password);
  return options;
}

bool progressWanted() {
  return ::isatty(STDERR_FILENO) == 1 && core::verbosity() != core::Verbosity::Quiet;
}

}  // namespace bulwark::cli
