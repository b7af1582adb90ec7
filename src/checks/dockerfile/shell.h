// What a RUN's shell script does, as far as checks need: the simple commands it runs (split at
// `&&`, `||`, `;`, `|`, `&`, newlines and inside `$(…)`), each with its leading assignments,
// the wrappers in front of it (sudo, env, …) and the program its output is piped into; and
// the `NAME=value` assignments anywhere in the text. Not a shell: no expansion, no control
// flow; bounded in words, commands and nesting.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark::checks::dockerfile {

inline constexpr std::size_t kMaxCommands = 10'000;

struct SimpleCommand {
  std::vector<std::string> assignments;       // leading `NAME=value` words, quotes removed
  std::vector<std::string> wrappers;          // "sudo", "env", "nohup", "time", "exec", "command"
  std::vector<std::string> argv;              // the program and its arguments, quotes removed
  std::string pipe_to;                        // the program the output goes to through `|`
  [[nodiscard]] std::string program() const;  // argv[0]'s base name; "" for none
};

std::vector<SimpleCommand> splitCommands(std::string_view script);

struct Assignment {
  std::string name;
  std::string value;  // one shell word, quotes removed
};

// Every `NAME=value` at a word start (after the start, a blank, `;`, `&` or `|`), optionally
// after `export`: lenient on purpose, like checkov, so that an assignment is found even in a
// line a shell would reject.
std::vector<Assignment> scanAssignments(std::string_view script);

}  // namespace bulwark::checks::dockerfile
