// The options every command that reads an image shares (sbom, scan): platform, parallelism and
// registry access. One definition, so that the commands cannot drift apart.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "core/result.h"
#include "image/source.h"

namespace bulwark::cli {

struct TargetArgs {
  std::string platform = "linux/amd64";
  unsigned parallel = 0;
  bool insecure = false;
  std::string username;
  bool password_stdin = false;
  std::string ca_file;
};

void addTargetOptions(CLI::App& command, TargetArgs& args);

// Source options from the flags; reads the password from stdin when asked to.
core::Result<image::SourceOptions> sourceOptions(const TargetArgs& args);

// Whether a progress bar may be drawn (stderr is a terminal and --quiet is off).
bool progressWanted();

}  // namespace bulwark::cli
