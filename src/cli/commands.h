// Every subcommand lives in its own file and registers itself through commands.def.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace bulwark::cli {

// Exit codes (docs/cli.md): the contract scripts rely on.
inline constexpr int kExitOk = 0;
inline constexpr int kExitPolicy = 1;  // a policy said no (e.g. --exit-code with findings)
inline constexpr int kExitInput = 2;   // usage error or unusable input

// A subcommand adds itself to `root` and, when selected, stores its action in `action`.
using Action = std::function<int()>;

#define BULWARK_COMMAND(fn) void fn(CLI::App& root, Action& action);
#include "cli/commands.def"
#undef BULWARK_COMMAND

}  // namespace bulwark::cli
