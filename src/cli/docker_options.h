// The options `bench docker` and `collect docker` share: which Docker host to read and how.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/result.h"
#include "pipeline/harden.h"

namespace bulwark::cli {

struct DockerHostArgs {
  std::string endpoint;
  std::string host_root = "/";
  double timeout = 5;
  std::string containers = "all";
  std::vector<std::string> include;
  std::vector<std::string> exclude;
};

// Adds -H/--host, --host-root, --timeout, --containers, --include-container and
// --exclude-container; returns the -H option (for `excludes`).
CLI::Option* addDockerHostOptions(CLI::App* command, DockerHostArgs& args);

// The collector's options; an unknown --containers value is a usage error.
core::Result<pipeline::DockerCollectOptions> dockerCollectOptions(const DockerHostArgs& args);

}  // namespace bulwark::cli
