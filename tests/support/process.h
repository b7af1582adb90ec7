// What tests that start real components share: temp dirs, free loopback ports, shell commands
// with their output in the failure message, and child processes in their own process group that
// are killed (with their children) when the guard goes away, also when an assertion fails.
// Header-only.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "testdata.h"  // readFile (and sourceDir, fixtures)

namespace bulwark::testing {

inline bool haveTool(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

// The tools of `names` that are not on PATH, comma-separated ("" when all are).
inline std::string missingTools(const std::vector<std::string>& names) {
  std::string missing;
  for (const auto& name : names) {
    if (!haveTool(name)) missing += (missing.empty() ? "" : ", ") + name;
  }
  return missing;
}

inline std::string shellQuote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline void writeFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Runs a shell command; `output` (when given) receives stdout and stderr. On failure the
// assertion shows the command and its output.
inline ::testing::AssertionResult runCommand(const std::string& command,
                                             std::string* output = nullptr) {
  char log_template[] = "/tmp/bulwark-test-command-XXXXXX";
  const int fd = mkstemp(log_template);
  if (fd >= 0) close(fd);
  const std::string log = log_template;
  const int rc = std::system((command + " >" + shellQuote(log) + " 2>&1").c_str());
  const std::string text = readFile(log);
  std::filesystem::remove(log);
  if (output != nullptr) *output = text;
  if (rc == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << command << " failed (" << rc << "):\n" << text;
}

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "bulwark-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline int freePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

inline bool portOpen(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool open = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return open;
}

// A child process (argv[0] looked up on PATH) in its own process group with stdout and stderr
// in `log`. The destructor sends SIGTERM to the group, waits up to 10 s, then SIGKILL.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log,
               const std::vector<std::string>& environment = {}) {
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
      }
      for (const auto& variable : environment) putenv(const_cast<char*>(variable.c_str()));
      std::vector<char*> args;
      args.reserve(argv.size() + 1);
      for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    if (pid_ > 0) setpgid(pid_, pid_);
  }
  ~ChildProcess() { stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }

  // Whether the process is still running (reaps it when it exited).
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ = status;
      pid_ = -1;
      return false;
    }
    return true;
  }

  // Waits until `port` accepts connections or the process exits (false) or `timeout` passes.
  bool waitForPort(int port, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (portOpen(port)) return true;
      if (!running()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  // Sends `signal` to the process group and waits up to `grace` for the process to exit;
  // returns its wait status (or -1 when it had to be killed).
  int stop(int signal = SIGTERM, std::chrono::milliseconds grace = std::chrono::seconds(10)) {
    if (pid_ <= 0) return exit_status_;
    kill(-pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_status_ = status;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(-pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = -1;
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

}  // namespace bulwark::testing
