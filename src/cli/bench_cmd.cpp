// bulwark bench dockerfile PATH… — the image configuration checks (data/checks/image) run on
// Dockerfiles, with line numbers. `bench docker` and `bench k8s` join here (issue 6).
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "checks/check.h"
#include "checks/dockerfile/dockerfile.h"
#include "checks/evaluate.h"
#include "cli/commands.h"
#include "core/text.h"
#include "report/check_report.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.0.0"
#endif

namespace bulwark::cli {

namespace {

struct BenchArgs {
  std::vector<std::string> paths;
  std::string format = "table";
  std::string output;
  std::vector<std::string> only;
  std::vector<std::string> skip;
  int exit_code = 0;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "bulwark: %s\n", core::printable(message).c_str());
  return kExitInput;
}

core::Result<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::ErrorCode::NotFound, "cannot read {}", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return core::fail(core::ErrorCode::Io, "cannot read {}", path);
  return text.str();
}

int runBenchDockerfile(const BenchArgs& args) {
  if (args.format != "table" && args.format != "json" && args.format != "sarif" &&
      args.format != "junit") {
    return fail(fmt::format("unknown format \"{}\": table, json, sarif or junit", args.format));
  }
  auto builtin = checks::loadBuiltinChecks();
  if (!builtin) return fail(builtin.error().message);
  auto set = checks::selectChecks(*builtin, args.only, args.skip);
  if (!set) return fail(set.error().message);
  std::vector<model::CheckResult> results;
  core::Diagnostics diagnostics;
  for (const auto& path : args.paths) {
    auto text = readText(path);
    if (!text) return fail(text.error().message);
    auto file = checks::dockerfile::parseDockerfile(*text, diagnostics, path);
    if (!file) return fail(file.error().message);
    auto more = checks::evaluateDockerfile(*set, *file, path);
    results.insert(results.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
  }
  for (const auto& d : diagnostics.sorted()) {
    std::fprintf(stderr, "bulwark: warning: %s: %s (%s)\n", core::printable(d.where).c_str(),
                 core::printable(d.detail).c_str(), d.kind.c_str());
  }
  report::CheckCatalog catalog;
  for (const auto& check : set->checks) catalog[check.id] = {check.section, check.scored};
  std::string text;
  if (args.format == "json")
    text = report::renderCheckJson(results, catalog);
  else if (args.format == "sarif")
    text = report::renderCheckSarif(results, catalog, BULWARK_VERSION);
  else if (args.format == "junit")
    text = report::renderCheckJunit(results, catalog);
  else
    text = report::renderCheckTable(results, catalog);
  if (args.output.empty() || args.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  } else {
    std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.good()) return fail(fmt::format("cannot write {}", args.output));
  }
  const bool failed = std::any_of(results.begin(), results.end(), [](const auto& r) {
    return r.status == model::CheckStatus::Fail;
  });
  return failed && args.exit_code != 0 ? args.exit_code : kExitOk;
}

}  // namespace

void addBenchCommand(CLI::App& root, Action& action) {
  auto* bench = root.add_subcommand("bench", "Run hardening and configuration checks");
  bench->require_subcommand(1);
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = bench->add_subcommand(
      "dockerfile", "Check Dockerfiles: user, health check, secrets, ADD, package managers, TLS");
  cmd->add_option("paths", args->paths, "Dockerfiles")->required();
  cmd->add_option("-f,--format", args->format, "table, json, sarif or junit")
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  cmd->add_option("--check", args->only, "Run only these check ids")->delimiter(',');
  cmd->add_option("--skip", args->skip, "Leave out these check ids")->delimiter(',');
  cmd->add_option("--exit-code", args->exit_code, "Exit with N when a check fails")
      ->check(CLI::Range(0, 125));
  cmd->callback([args, &action] { action = [args] { return runBenchDockerfile(*args); }; });
}

}  // namespace bulwark::cli
