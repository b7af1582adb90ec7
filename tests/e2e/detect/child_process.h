// `bulwark ARGS…` as a child process with its stdout and stderr on pipes, for the tests of
// long-running `bulwark detect` runs; killed when the object goes, even when a test fails.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace bulwark::testing {

// `bulwark ARGS…` with stdout and stderr on pipes, read as they come.
class Child {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Child(const std::vector<std::string>& args) {
    const char* bin = std::getenv("BULWARK_BIN");
    std::vector<std::string> argv = {bin != nullptr ? bin : "build/bin/bulwark"};
    argv.insert(argv.end(), args.begin(), args.end());
    int out[2];
    int err[2];
    if (::pipe(out) != 0 || ::pipe(err) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      ::close(out[0]);
      ::close(err[0]);
      std::vector<char*> raw;
      for (auto& arg : argv) raw.push_back(arg.data());
      raw.push_back(nullptr);
      ::execv(raw[0], raw.data());
      ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
    ::fcntl(out_, F_SETFL, O_NONBLOCK);
    ::fcntl(err_, F_SETFL, O_NONBLOCK);
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) ::close(out_);
    if (err_ >= 0) ::close(err_);
  }

  // Reads what is there; true once `text` appeared on stdout (err: stderr) before `deadline`.
  bool waitFor(const std::string& text, bool on_stderr = false,
               std::chrono::seconds timeout = std::chrono::seconds(20)) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      pump(100);
      if ((on_stderr ? err_text_ : out_text_).find(text) != std::string::npos) return true;
    }
    return false;
  }

  // SIGTERM, then the exit status (−1 if it did not exit within 20 s).
  int terminate() {
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      pump(50);
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        pump(0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
    }
    return -1;
  }

  const std::string& out() const { return out_text_; }
  const std::string& err() const { return err_text_; }

 private:
  void pump(int timeout_ms) {
    pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
    ::poll(fds, 2, timeout_ms);
    char buffer[65536];
    for (auto [fd, text] : {std::pair{out_, &out_text_}, std::pair{err_, &err_text_}}) {
      for (ssize_t n = 0; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text->append(buffer, n);
    }
  }

  pid_t pid_ = -1;
  bool reaped_ = false;
  int out_ = -1;
  int err_ = -1;
  std::string out_text_;
  std::string err_text_;
};

}  // namespace bulwark::testing
