// Runs the bulwark binary under test ($BULWARK_BIN, set by ctest) with shell-quoted arguments
// and collects what it prints on stdout and stderr together, with its exit status.
#pragma once

#include <sys/wait.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace bulwark::testing {

struct CliRun {
  int status = -1;
  std::string out;  // stdout and stderr, interleaved as printed
};

inline CliRun runBulwark(const std::string& args) {
  const char* bin = std::getenv("BULWARK_BIN");
  const std::string command =
      std::string(bin != nullptr ? bin : "build/bin/bulwark") + " " + args + " 2>&1";
  CliRun result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  result.status = WEXITSTATUS(::pclose(pipe));
  return result;
}

struct CliRunSplit {
  int status = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// As runBulwark, with stdout and stderr kept apart (stderr goes through a temporary file).
inline CliRunSplit runBulwarkSplit(const std::string& args) {
  const auto err_file =
      std::filesystem::temp_directory_path() / ("bulwark-cli-stderr-" + std::to_string(::getpid()));
  const CliRun run = runBulwark(args + " 2>" + err_file.string() + " ; exit $?");
  CliRunSplit result;
  result.status = run.status;
  result.out = run.out;
  std::ifstream in(err_file);
  std::ostringstream text;
  text << in.rdbuf();
  result.err = text.str();
  std::filesystem::remove(err_file);
  return result;
}

}  // namespace bulwark::testing
