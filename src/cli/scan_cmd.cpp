// bulwark scan TARGET — vulnerabilities of what is installed.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/target_options.h"
#include "core/log.h"
#include "match/policy.h"
#include "pipeline/scan.h"
#include "report/scan_report.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.0.0"
#endif

namespace bulwark::cli {

namespace {

struct ScanArgs {
  std::string target;
  std::string format = "table";
  std::string output;
  std::string db;
  std::string severities;
  bool ignore_unfixed = false;
  int exit_code = 0;
  TargetArgs source;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "bulwark: %s\n", message.c_str());
  return kExitInput;
}

int runScan(const ScanArgs& args) {
  if (args.format != "table" && args.format != "json") {
    return fail("unknown format '" + args.format + "' (table, json)");
  }
  match::Policy policy;
  auto severities = match::parseSeverities(args.severities);
  if (!severities) return fail(severities.error().message);
  policy.severities = *severities;
  policy.ignore_unfixed = args.ignore_unfixed;
  policy.exit_code = args.exit_code;
  auto source = sourceOptions(args.source);
  if (!source) return fail(source.error().message);
  pipeline::ScanOptions options;
  options.database = args.db;
  options.sbom.source = std::move(*source);
  options.sbom.progress = progressWanted();

  auto report = pipeline::scanTarget(args.target, options);
  if (!report) return fail(report.error().message);
  const auto outcome = match::applyPolicy(policy, report->findings);
  report::RenderOptions render;
  render.tool_version = BULWARK_VERSION;
  render.color = args.output.empty() && args.format == "table" && ::isatty(STDOUT_FILENO) == 1;
  const std::string text = args.format == "json"
                               ? report::renderScanJson(*report, outcome.counted, render)
                               : report::renderScanTable(*report, outcome.counted, render);
  if (args.output.empty() || args.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.good()) return fail("cannot write " + args.output);
  }
  return outcome.exit_code;
}

}  // namespace

void addScanCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<ScanArgs>();
  auto* cmd = root.add_subcommand("scan", "Find the known vulnerabilities of what is installed");
  cmd->add_option("target", args->target, "Any target `bulwark sbom` takes")->required();
  cmd->add_option("-f,--format", args->format, "table or json")->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  cmd->add_option("--db", args->db,
                  "Vulnerability database (default $XDG_CACHE_HOME/bulwark/db/bulwark.db)");
  cmd->add_option("--severity", args->severities,
                  "Only these severities, comma-separated (e.g. CRITICAL,HIGH)");
  cmd->add_flag("--ignore-unfixed", args->ignore_unfixed, "Skip findings without a fixed version");
  cmd->add_option("--exit-code", args->exit_code,
                  "Exit with this code when findings remain after the filters (default 0)");
  addTargetOptions(*cmd, args->source);
  cmd->callback([args, &action] { action = [args] { return runScan(*args); }; });
}

}  // namespace bulwark::cli
