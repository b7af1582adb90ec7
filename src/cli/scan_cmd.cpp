// bulwark scan TARGET — vulnerabilities of what is installed.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
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
  std::string platform = "linux/amd64";
  std::string db;
  std::string severities;
  bool ignore_unfixed = false;
  int exit_code = 0;
  bool insecure = false;
  std::string username;
  bool password_stdin = false;
  std::string ca_file;
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
  auto platform = image::Platform::parse(args.platform);
  if (!platform) return fail(platform.error().message);

  pipeline::ScanOptions options;
  options.database = args.db;
  options.sbom.source.platform = *platform;
  options.sbom.source.registry.insecure = args.insecure;
  options.sbom.source.registry.username = args.username;
  options.sbom.source.registry.ca_file = args.ca_file;
  if (args.password_stdin) std::getline(std::cin, options.sbom.source.registry.password);
  options.sbom.progress =
      ::isatty(STDERR_FILENO) == 1 && core::verbosity() != core::Verbosity::Quiet;

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
  cmd->add_option("--platform", args->platform, "Platform to pick from a multi-platform image")
      ->capture_default_str();
  cmd->add_flag("--insecure", args->insecure, "Allow plain HTTP and unverified TLS registries");
  cmd->add_option("--username", args->username, "Registry user name");
  cmd->add_flag("--password-stdin", args->password_stdin, "Read the registry password from stdin");
  cmd->add_option("--ca-file", args->ca_file, "Extra CA certificates for registry TLS");
  cmd->callback([args, &action] { action = [args] { return runScan(*args); }; });
}

}  // namespace bulwark::cli
