// command: the simple commands RUN executes whose program is one of `program` (compared
// without a version suffix: pip3.11 is pip; `python -m pip` is pip; a wrapper such as sudo
// counts as a program too), optionally only with a first operand in `subcommand`. `field`:
// program, options (normalised: `--name`, one `-x` per short letter), args (the words after
// the program, joined by spaces) or pipe-to (the program its output is piped into, "" if none).
#include <fmt/format.h>

#include "checks/probes/common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kFields[] = {"program", "options", "args", "pipe-to"};

constexpr ParamSpec kParams[] = {
    {"program", ParamType::StringList, true, "program names"},
    {"subcommand", ParamType::StringList, false, "first operand (e.g. install)"},
    {"field", ParamType::String, false, "program (default), options, args, pipe-to", kFields},
};

ProbeResult evaluateCommand(const Params& params, const Resource& resource) {
  const auto programs = params.list("program");
  const auto subcommands = params.list("subcommand");
  const std::string_view field = params.string("field", "program");
  const auto listed = [&](std::string_view name) {
    return std::find(programs.begin(), programs.end(), name) != programs.end();
  };
  ProbeResult result;
  for (const auto& run : probes::runCommands(resource)) {
    const std::string where = resource.where(*run.instruction);
    for (const auto& command : run.commands) {
      std::vector<std::string> argv = command.argv;
      std::string program = command.program();
      if (probes::unversioned(program) == "python" && argv.size() >= 3 && argv[1] == "-m") {
        argv.erase(argv.begin(), argv.begin() + 2);
        program = argv[0];
      }
      std::string matched;
      if (listed(program))
        matched = program;
      else if (listed(probes::unversioned(program)))
        matched = probes::unversioned(program);
      for (const auto& wrapper : command.wrappers) {
        if (matched.empty() && listed(wrapper)) {
          matched = wrapper;
          argv.insert(argv.begin(), wrapper);  // `sudo apt-get …`: sudo's view of the line
        }
      }
      if (matched.empty()) continue;
      if (!subcommands.empty()) {
        std::string first;
        for (std::size_t i = 1; i < argv.size(); ++i) {
          if (!argv[i].empty() && argv[i][0] != '-') {
            first = argv[i];
            break;
          }
        }
        if (std::find(subcommands.begin(), subcommands.end(), first) == subcommands.end()) {
          continue;
        }
      }
      Observation o;
      o.where = where;
      o.display = probes::commandText(command);
      if (field == "options") {
        o.values = probes::normalisedOptions(argv);
        o.is_list = true;
      } else if (field == "args") {
        std::string args;
        for (std::size_t i = 1; i < argv.size(); ++i) {
          if (!args.empty()) args += ' ';
          args += argv[i];
        }
        o.values = {std::move(args)};
      } else if (field == "pipe-to") {
        o.values = {command.pipe_to};
        if (!command.pipe_to.empty()) o.display += " | " + command.pipe_to;
      } else {
        o.values = {matched};
      }
      result.observations.push_back(std::move(o));
    }
  }
  return result;
}

}  // namespace

const ProbeKind& commandProbe() {
  static const ProbeKind kKind{"command", "simple commands RUN executes", kParams,
                               &evaluateCommand};
  return kKind;
}

}  // namespace bulwark::checks
