// `bulwark detect` as a long-running process: a followed audit log that grows and rotates, and
// the audit webhook taking the API server's EventList bodies; both stop on SIGTERM with their
// summary. The binary under test runs as a child process with pipes; it is killed by the
// fixture even when a test fails.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "testdata.h"

namespace bulwark::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* const kK8sRules = "runtime/falcosecurity-plugins/k8saudit/k8s_audit_rules.yaml";

// `bulwark ARGS…` with stdout and stderr on pipes, read as they come.
class Child {
 public:
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

// A namespace created by `user`: the current k8s rules call it a disallowed namespace.
std::string namespaceCreated(const std::string& id, const std::string& name,
                             const std::string& user = "eve") {
  return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":")" + id +
         R"(","stage":"ResponseComplete","verb":"create","requestURI":"/api/v1/namespaces",)"
         R"("user":{"username":")" +
         user + R"("},"objectRef":{"resource":"namespaces","name":")" + name +
         R"("},"responseStatus":{"code":201},"stageTimestamp":"2024-05-01T10:00:00Z"})";
}

class DetectLive : public ::testing::Test {
 protected:
  void SetUp() override {
    BULWARK_REQUIRE_SHARED(kK8sRules);
    dir_ = fs::temp_directory_path() / ("bulwark-detect-live-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string rules() const { return (sharedTestdata() / kK8sRules).string(); }

  fs::path dir_;
};

TEST_F(DetectLive, FollowsAGrowingAndRotatedLogUntilTerminated) {
  const fs::path log = dir_ / "audit.log";
  std::ofstream(log) << namespaceCreated("old-1", "before") << "\n";
  Child detect(
      {"detect", "--follow", "--from", "end", "-r", rules(), "-s", "k8s-audit:" + log.string()});
  // Appended after start: alerts; the line already there (--from end): none.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::ofstream(log, std::ios::app) << namespaceCreated("n-1", "alpha") << "\n";
  ASSERT_TRUE(detect.waitFor("ns=alpha")) << detect.out() << detect.err();
  // logrotate's create mode: rename, then a new file at the path.
  fs::rename(log, dir_ / "audit.log.1");
  std::ofstream(log) << namespaceCreated("n-2", "beta") << "\n";
  ASSERT_TRUE(detect.waitFor("ns=beta")) << detect.out() << detect.err();
  EXPECT_EQ(detect.terminate(), 0) << detect.err();
  EXPECT_EQ(detect.out().find("ns=before"), std::string::npos);
  EXPECT_NE(detect.err().find("2 event(s)"), std::string::npos) << detect.err();
}

TEST_F(DetectLive, WebhookTakesEventListsWithAToken) {
  const fs::path token = dir_ / "token";
  std::ofstream(token) << "ingest-0123456789\n";
  Child detect({"detect", "-r", rules(), "-s", "k8s-audit-webhook:127.0.0.1:0",
                "--webhook-token-file", token.string(), "--format", "json"});
  ASSERT_TRUE(detect.waitFor("listening on 127.0.0.1:", true)) << detect.err();
  const std::string& err = detect.err();
  const auto at =
      err.find("listening on 127.0.0.1:") + std::string("listening on 127.0.0.1:").size();
  const int port = std::stoi(err.substr(at));
  httplib::Client client("127.0.0.1", port);
  const std::string body = R"({"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[)" +
                           namespaceCreated("w-1", "gamma") + "," +
                           namespaceCreated("w-2", "delta", "system:admin") + "]}";
  auto res = client.Post("/k8s-audit", {{"Authorization", "Bearer ingest-0123456789"}}, body,
                         "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"accepted":2,"skipped":0,"duplicates":0})");
  ASSERT_TRUE(detect.waitFor(R"("ka.target.name":"gamma")")) << detect.out();
  res = client.Post("/k8s-audit", body, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(detect.terminate(), 0) << detect.err();
  EXPECT_NE(detect.err().find("2 event(s)"), std::string::npos) << detect.err();
}

TEST_F(DetectLive, AWebhookOnAPublicAddressNeedsAToken) {
  Child detect({"detect", "-r", rules(), "-s", "k8s-audit-webhook:0.0.0.0:0"});
  ASSERT_TRUE(detect.waitFor("token", true)) << detect.err();
  EXPECT_EQ(detect.terminate(), 2);
}

}  // namespace
}  // namespace bulwark::testing
