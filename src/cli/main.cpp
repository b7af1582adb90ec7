// bulwark: one CLI for every role (DESIGN.md "CLI contract").
#include <cstdio>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "core/log.h"

#ifndef BULWARK_VERSION
#define BULWARK_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace bulwark;
  CLI::App app{
      "bulwark: container security in one program — inventory, vulnerabilities, "
      "hardening, runtime detection and posture"};
  app.name("bulwark");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("bulwark ") + BULWARK_VERSION);
  app.footer("Exit codes: 0 ok, 1 policy failure, 2 usage or input error.");
  bool quiet = false;
  bool verbose = false;
  app.add_flag("-q,--quiet", quiet, "Print only results and errors")->configurable(false);
  app.add_flag("-v,--verbose", verbose, "Log what is being done")->excludes("--quiet");

  cli::Action action;
#define BULWARK_COMMAND(fn) cli::fn(app, action);
#include "cli/commands.def"
#undef BULWARK_COMMAND

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return cli::kExitInput;
  }
  core::setVerbosity(quiet     ? core::Verbosity::Quiet
                     : verbose ? core::Verbosity::Verbose
                               : core::Verbosity::Normal);
  if (!action) return cli::kExitInput;
  try {
    return action();
  } catch (const std::exception& e) {
    // Nothing reachable from input should throw; if something does, say so and exit 2.
    std::fprintf(stderr, "bulwark: internal error: %s\n", e.what());
    return cli::kExitInput;
  }
}
