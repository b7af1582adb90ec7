// A Dockerfile as BuildKit reads it, and the same instruction list rebuilt from an image's
// history, so that one set of probes works on both.
//
// Grammar (BuildKit's frontend/dockerfile/parser, the parts checks need):
//   file        = { directive } { blank | comment | instruction }
//   directive   = "#" key "=" value          (only before anything else; syntax, escape, check)
//   instruction = keyword { flag } arguments { heredoc-body }
//   flag        = "--" name [ "=" value ]
//   arguments   = JSON array of strings (exec form) | text (shell form)
// A line ending in the escape character (`\` or the `# escape=` one, spaces after it allowed)
// continues on the next; comment and blank lines inside a continuation are dropped. RUN, COPY
// and ADD take heredocs (`<<EOF`, `<<-EOF`, `<<"EOF"`): the lines up to the terminator follow
// the instruction. CRLF line ends are accepted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diagnostic.h"
#include "core/result.h"
#include "model/package.h"

namespace bulwark::checks::dockerfile {

inline constexpr std::size_t kMaxDockerfileBytes = std::size_t{8} * 1024 * 1024;
inline constexpr std::size_t kMaxInstructions = 100'000;

struct Heredoc {
  std::string name;  // the terminator word
  std::string body;  // the lines between, joined with '\n'
  bool strip_tabs = false;
};

struct Flag {
  std::string name;  // without the dashes: "platform", "mount", "chown"
  std::string value;
};

struct Instruction {
  std::string keyword;  // upper case: "RUN"
  std::string args;     // after the keyword and its flags; continuations joined
  std::vector<Flag> flags;
  bool exec_form = false;              // a JSON array of strings
  std::vector<std::string> exec_args;  // its elements
  std::vector<Heredoc> heredocs;
  std::size_t line = 0;      // first line, 1-based; 0 when rebuilt from history
  std::size_t end_line = 0;  // last line, heredocs included
  std::size_t history = 0;   // the history entry it came from (from_history only)
  int stage = -1;            // its stage; -1 before the first FROM (global ARGs)
  // BuildKit and the legacy builder record a RUN's build arguments in history: `|2 A=1 B=2`.
  std::vector<std::pair<std::string, std::string>> build_args;

  [[nodiscard]] const Flag* flag(std::string_view name) const;
  // The text a shell would run: the shell-form arguments, then the heredoc bodies; the exec
  // form's elements joined with spaces.
  [[nodiscard]] std::string script() const;
};

struct Stage {
  std::string name;      // the `AS` name as written; "" without one
  std::string base;      // the image reference as written (variables unexpanded)
  std::size_t from = 0;  // index of its FROM instruction
  int base_stage = -1;   // the earlier stage it builds on, or -1
};

struct Dockerfile {
  std::vector<Instruction> instructions;
  std::vector<Stage> stages;
  char escape = '\\';
  std::vector<std::pair<std::string, std::string>> directives;
  bool from_history = false;  // rebuilt from an image's history (no stages, no lines)

  // The instructions of the final stage and of the stages it builds on, in build order:
  // what decides the final image's USER, HEALTHCHECK, ENV.
  [[nodiscard]] std::vector<const Instruction*> finalChain() const;
};

// Parses a Dockerfile. Bad lines become diagnostics ("dockerfile.*"); only input that cannot be
// a Dockerfile (too large, binary, no instruction at all) is an error.
core::Result<Dockerfile> parseDockerfile(std::string_view text, core::Diagnostics& diagnostics,
                                         std::string_view name = "Dockerfile");

// Rebuilds the instruction list from an image's history (`created_by`): the legacy builder's
// `/bin/sh -c #(nop)  USER app` and `/bin/sh -c apt-get …`, BuildKit's `RUN /bin/sh -c … #
// buildkit` and `RUN |1 A=b /bin/sh -c …`, and plain `USER app`. Entries that say nothing
// (empty, "Imported from -") are skipped.
Dockerfile fromHistory(const std::vector<model::HistoryEntry>& history);

// `KEY=value KEY2="v 2"` or the legacy `KEY value` form of ENV (and, as checkov reads it, ARG).
std::vector<std::pair<std::string, std::string>> keyValues(const Instruction& instruction,
                                                           char escape = '\\');

// Variables: `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME:+alt}`; the escape character
// protects a '$'. Names not in `vars` are left unresolved: `unresolved` says so.
struct Variables {
  std::vector<std::pair<std::string, std::string>> values;  // later entries win
  [[nodiscard]] const std::string* find(std::string_view name) const;
  void set(std::string name, std::string value);
};
std::string expand(std::string_view text, const Variables& vars, bool& unresolved,
                   char escape = '\\');

}  // namespace bulwark::checks::dockerfile
