// What the probes share: walking a resource's instructions and RUN commands, variables in
// scope, and reading package-manager command lines.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/dockerfile/shell.h"
#include "checks/probes/probe.h"
#include "core/text.h"

namespace bulwark::checks::probes {

using dockerfile::Instruction;
using dockerfile::SimpleCommand;

// Calls `fn(instruction, variables)` for each instruction, in order, with the ENV and ARG
// values declared before it in its stage (and the stages it builds on). `final_only` keeps
// the final stage's chain.
void forEachInstruction(
    const Resource& resource, bool final_only,
    const std::function<void(const Instruction&, const dockerfile::Variables&)>& fn);

struct RunCommands {
  const Instruction* instruction = nullptr;
  std::string script;
  std::vector<SimpleCommand> commands;
};

// Every RUN (every stage; every history entry of an image), split into simple commands.
std::vector<RunCommands> runCommands(const Resource& resource);

// The command as it would be typed, for evidence (bounded).
std::string commandText(const SimpleCommand& command);
std::string shorten(std::string_view text, std::size_t limit = 160);

// "pip3.11" → "pip3.11", but matched against "pip" too: names compare without a trailing
// version ("pip3", "pip3.11", "python3" → "pip", "python").
std::string unversioned(std::string_view program);

// A package-manager invocation: `apt-get -y install --no-install-recommends curl=7.88`.
struct PackageCommand {
  std::string manager;  // "apt-get", "apt", "apk", "yum", "dnf", "pip", "npm", "yarn", "gem", …
  std::string verb;     // as written: "install", "add", "update", "i"
  std::string action;   // canonical: "install" (install/add/upgrade…), "update" (index refresh)
  std::vector<std::string> options;   // as written, values of `--opt value` left out
  std::vector<std::string> packages;  // operands after the verb
  std::vector<std::string> raw_after_verb;
};

std::optional<PackageCommand> packageCommand(const SimpleCommand& command);

// Normalised options: `--name` (value dropped) for long options, one `-x` per letter of a short
// option cluster.
std::vector<std::string> normalisedOptions(const std::vector<std::string>& argv);

// For a Dockerfile, "final" or "all" stages; images have one.
bool finalOnly(const Params& params);

}  // namespace bulwark::checks::probes
