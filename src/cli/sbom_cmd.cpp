// bulwark sbom TARGET — the inventory of an image or root filesystem.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/target_options.h"
#include "core/log.h"
#include "pipeline/sbom.h"
#include "report/inventory_report.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.0.0"
#endif

namespace bulwark::cli {

namespace {

struct SbomArgs {
  std::string target;
  std::string format = "table";
  std::string output;
  bool include_dev_deps = false;
  TargetArgs source;
};

int runSbom(const SbomArgs& args) {
  auto format = report::parseFormat(args.format);
  if (!format) {
    std::fprintf(stderr, "bulwark: %s\n", format.error().message.c_str());
    return kExitInput;
  }
  auto source = sourceOptions(args.source);
  if (!source) {
    std::fprintf(stderr, "bulwark: %s\n", source.error().message.c_str());
    return kExitInput;
  }
  pipeline::SbomOptions options;
  options.source = std::move(*source);
  options.progress = progressWanted();
  options.include_dev_deps = args.include_dev_deps;

  auto inventory = pipeline::buildInventory(args.target, options);
  if (!inventory) {
    std::fprintf(stderr, "bulwark: %s\n", inventory.error().message.c_str());
    return kExitInput;
  }
  if (!inventory->diagnostics.empty()) {
    spdlog::warn("{}: {} diagnostic(s); see the report", args.target,
                 inventory->diagnostics.size());
  }
  report::RenderOptions render;
  render.tool_version = BULWARK_VERSION;
  render.color =
      args.output.empty() && *format == report::Format::Table && ::isatty(STDOUT_FILENO) == 1;
  const std::string text = report::render(*inventory, *format, render);
  return writeOutput(text, args.output) ? kExitOk : kExitInput;
}

}  // namespace

void addSbomCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<SbomArgs>();
  auto* cmd = root.add_subcommand("sbom", "List what is installed in an image or root filesystem");
  cmd->add_option("target", args->target,
                  "docker-archive:PATH, oci:DIR[:tag], oci-archive:PATH[:tag], a directory, "
                  "or host[:port]/repo[:tag|@digest]")
      ->required();
  cmd->add_option("-f,--format", args->format, "table, json, cyclonedx or spdx")
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  cmd->add_flag("--include-dev-deps", args->include_dev_deps,
                "Also list language packages only development needs, marked \"development\"");
  addTargetOptions(*cmd, args->source);
  cmd->callback([args, &action] { action = [args] { return runSbom(*args); }; });
}

}  // namespace bulwark::cli
