// bulwark vercmp SCHEME A B — compare two versions the way the ecosystem's own tool does.
// bulwark vercmp SCHEME -   — compare tab-separated pairs read from stdin, one answer a line.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "core/log.h"
#include "version/scheme.h"

namespace bulwark::cli {

namespace {

struct VercmpArgs {
  std::string scheme;
  std::vector<std::string> versions;
};

constexpr std::size_t kInputBytes = std::size_t{1} << 20;  // also the longest line accepted
constexpr std::size_t kOutputBytes = std::size_t{64} << 10;

char answer(int cmp) { return cmp < 0 ? '<' : cmp > 0 ? '>' : '='; }

std::string schemeNames() {
  std::string names;
  for (const version::SchemeInfo& info : version::allSchemes()) {
    if (!names.empty()) names += ", ";
    names += info.name;
  }
  return names;
}

// Buffered stdout writer: one fwrite per 64 KiB of answers.
class Output {
 public:
  Output() : buffer_(new char[kOutputBytes]) {}
  void put(char answer) {
    if (used_ + 2 > kOutputBytes) flush();
    buffer_[used_++] = answer;
    buffer_[used_++] = '\n';
  }
  bool flush() {
    if (used_ != 0 && std::fwrite(buffer_.get(), 1, used_, stdout) != used_) ok_ = false;
    used_ = 0;
    return ok_ && std::fflush(stdout) == 0;
  }

 private:
  std::unique_ptr<char[]> buffer_;
  std::size_t used_ = 0;
  bool ok_ = true;
};

int inputError(Output& out, std::size_t line, std::string_view what) {
  out.flush();  // the answers for the lines before the bad one
  std::fprintf(stderr, "bulwark: vercmp: stdin line %zu: %.*s\n", line,
               static_cast<int>(what.size()), what.data());
  return kExitInput;
}

// Reads `A<TAB>B` lines from stdin in 1 MiB blocks and answers each; nothing is allocated per
// line. Lines may end in \n or \r\n; the last line may lack its newline. A line without exactly
// one tab, or longer than 1 MiB, stops the run with exit code 2 after the answers before it.
int runStdin(const version::SchemeInfo& scheme) {
  const std::unique_ptr<char[]> input(new char[kInputBytes]);
  Output out;
  std::size_t have = 0;
  std::size_t line_number = 0;
  bool eof = false;
  while (!eof) {
    const ssize_t got = ::read(STDIN_FILENO, input.get() + have, kInputBytes - have);
    if (got < 0) {
      if (errno == EINTR) continue;
      out.flush();
      std::fprintf(stderr, "bulwark: vercmp: cannot read stdin: %s\n", std::strerror(errno));
      return kExitInput;
    }
    eof = got == 0;
    have += static_cast<std::size_t>(got);

    const char* p = input.get();
    const char* const end = p + have;
    while (p < end) {
      const auto* newline = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (newline == nullptr && !eof) break;  // incomplete line: read more first
      const char* const line_end = newline != nullptr ? newline : end;
      std::string_view line(p, static_cast<std::size_t>(line_end - p));
      p = newline != nullptr ? newline + 1 : end;
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      const std::size_t tab = line.find('\t');
      if (tab == std::string_view::npos) {
        return inputError(out, line_number, "expected two versions separated by a tab");
      }
      const std::string_view a = line.substr(0, tab);
      const std::string_view b = line.substr(tab + 1);
      if (b.find('\t') != std::string_view::npos) {
        return inputError(out, line_number, "more than one tab");
      }
      out.put(answer(scheme.compare(a, b)));
    }
    // Keep the incomplete last line for the next read.
    const std::size_t rest = static_cast<std::size_t>(end - p);
    if (rest == kInputBytes) return inputError(out, line_number + 1, "line longer than 1 MiB");
    std::memmove(input.get(), p, rest);
    have = rest;
  }
  if (!out.flush()) {
    std::fprintf(stderr, "bulwark: vercmp: cannot write the answers: %s\n", std::strerror(errno));
    return kExitInput;
  }
  return kExitOk;
}

int runVercmp(const VercmpArgs& args) {
  const version::SchemeInfo* scheme = version::findScheme(args.scheme);
  if (scheme == nullptr) {
    std::fprintf(stderr, "bulwark: vercmp: unknown scheme '%s' (known: %s)\n", args.scheme.c_str(),
                 schemeNames().c_str());
    return kExitInput;
  }
  if (args.versions.size() == 1 && args.versions[0] == "-") return runStdin(*scheme);
  if (args.versions.size() != 2) {
    std::fprintf(stderr, "bulwark: vercmp: expected two versions A B, or - to read stdin\n");
    return kExitInput;
  }
  for (const std::string& v : args.versions) {
    std::string_view problem;
    if (!scheme->valid(v, &problem)) {
      // Like dpkg --compare-versions: say so, then compare it the way the tool would.
      spdlog::warn("'{}' is not a valid {} version: {}", v, scheme->name, problem);
    }
  }
  std::printf("%c\n", answer(scheme->compare(args.versions[0], args.versions[1])));
  return std::fflush(stdout) == 0 ? kExitOk : kExitInput;
}

}  // namespace

void addVercmpCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<VercmpArgs>();
  auto* cmd =
      root.add_subcommand("vercmp",
                          "Compare two versions under a scheme: prints <, = or > (like dpkg "
                          "--compare-versions); with - reads tab-separated pairs from stdin");
  cmd->add_option("scheme", args->scheme, "Version scheme: " + schemeNames())->required();
  cmd->add_option("versions", args->versions,
                  "A B, or - to read 'A<TAB>B' lines from stdin (use -- before a version that "
                  "starts with '-')")
      ->required()
      ->expected(1, 2);
  cmd->footer("Exit codes: 0 compared, 2 unknown scheme or bad input.");
  cmd->callback([args, &action] { action = [args] { return runVercmp(*args); }; });
}

}  // namespace bulwark::cli
