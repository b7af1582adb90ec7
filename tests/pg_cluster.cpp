#include "pg_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace bulwark::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kCommandTimeout = 120s;

struct Outcome {
  int status = -1;  // exit status; -1 when it could not run or was killed
  std::string output;
};

// The postgres account initdb and pg_ctl run as when we are root (they refuse root).
struct Account {
  uid_t uid = 0;
  gid_t gid = 0;
};

std::optional<Account> postgresAccount() {
  if (geteuid() != 0) return std::nullopt;
  const passwd* entry = getpwnam("postgres");
  if (entry == nullptr) return std::nullopt;
  return Account{entry->pw_uid, entry->pw_gid};
}

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs argv[0] with its arguments (no shell), as `account` when given, in `cwd`, with its output
// in `log`; kills it after kCommandTimeout.
Outcome runCommand(const std::vector<std::string>& argv, const std::optional<Account>& account,
                   const fs::path& cwd, const fs::path& log) {
  Outcome outcome;
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  // The environment is built before fork: the child of a threaded program only execs.
  std::vector<std::string> env_strings = {"LC_ALL=C"};
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::string_view(*entry).rfind("LC_ALL=", 0) != 0) env_strings.emplace_back(*entry);
  }
  std::vector<char*> env;
  env.reserve(env_strings.size() + 1);
  for (std::string& entry : env_strings) env.push_back(entry.data());
  env.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    outcome.output = "fork failed";
    return outcome;
  }
  if (pid == 0) {
    setpgid(0, 0);
    const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out >= 0) {
      dup2(out, STDOUT_FILENO);
      dup2(out, STDERR_FILENO);
      if (account) (void)fchown(out, account->uid, account->gid);
      close(out);
    }
    const int null_in = open("/dev/null", O_RDONLY);
    if (null_in >= 0) dup2(null_in, STDIN_FILENO);
    if (account &&
        (setgroups(0, nullptr) != 0 || setgid(account->gid) != 0 || setuid(account->uid) != 0)) {
      _exit(126);
    }
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execve(args[0], args.data(), env.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + kCommandTimeout;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 || std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      outcome.output = readAll(log) + "\n(timed out)";
      return outcome;
    }
    std::this_thread::sleep_for(5ms);
  }
  outcome.output = readAll(log);
  if (WIFEXITED(status)) outcome.status = WEXITSTATUS(status);
  return outcome;
}

int freePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    socklen_t length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port = ntohs(address.sin_port);
    }
  }
  close(fd);
  return port;
}

}  // namespace

PgCluster::PgCluster() {
  const char* override_dir = std::getenv("BULWARK_PG_BINDIR");
  bindir_ = override_dir != nullptr && override_dir[0] != '\0'
                ? fs::path(override_dir)
                : fs::path("/usr/lib/postgresql/15/bin");
  for (const char* tool : {"initdb", "pg_ctl", "postgres", "psql"}) {
    if (access((bindir_ / tool).c_str(), X_OK) != 0) {
      error_ = "skip: PostgreSQL 15 not installed (" + (bindir_ / tool).string() +
               " missing; run scripts/install-deps or set BULWARK_PG_BINDIR)";
      return;
    }
  }
  const auto account = postgresAccount();
  if (geteuid() == 0 && !account) {
    error_ = "skip: running as root and there is no 'postgres' user to run initdb as";
    return;
  }
  std::string pattern = (fs::temp_directory_path() / "bulwark-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    error_ = "cannot create a temp dir under " + fs::temp_directory_path().string();
    return;
  }
  dir_ = pattern;
  if (account && chown(dir_.c_str(), account->uid, account->gid) != 0) {
    error_ = "cannot give " + dir_.string() + " to the postgres user";
    return;
  }
  startWatchdog();
  const Outcome init =
      runCommand({(bindir_ / "initdb").string(), "-D", (dir_ / "data").string(), "-U", "postgres",
                  "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"},
                 account, dir_, dir_ / "initdb.log");
  if (init.status != 0) {
    error_ = "initdb failed: " + init.output;
    return;
  }
  // Loopback only, sockets in our dir, no fsync (a test cluster; commits still reach the WAL
  // file, so stop -m immediate and restart keep them), room for many clients.
  std::ofstream conf(dir_ / "data" / "postgresql.conf", std::ios::app);
  conf << "\nlisten_addresses = '127.0.0.1'\n"
       << "unix_socket_directories = '" << dir_.string() << "'\n"
       << "fsync = off\nfull_page_writes = off\n"
       << "max_connections = 200\nlog_min_messages = warning\n";
  conf.close();
  for (int attempt = 0; attempt < 5 && !running_; ++attempt) {
    port_ = freePort();
    auto started = start();
    if (!started) error_ = started.error().message;
  }
  if (running_) error_.clear();
}

// A process that outlives a crashed or killed test: it waits for the end of a pipe whose
// write end only this process holds, then stops the cluster and removes its directory. After
// a normal destruction it finds nothing left to do.
void PgCluster::startWatchdog() {
  int fds[2] = {-1, -1};
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  const auto account = postgresAccount();
  // Everything the child needs is made before fork: it only execs.
  const std::string pg_ctl = (bindir_ / "pg_ctl").string();
  const std::string data = (dir_ / "data").string();
  const std::string dir = dir_.string();
  const char* script =
      "read -r _ignored; \"$1\" -D \"$2\" -m immediate -w stop >/dev/null 2>&1; rm -rf \"$3\"";
  const std::vector<const char*> args = {"/bin/sh",      "-c",         script,      "pg-watchdog",
                                         pg_ctl.c_str(), data.c_str(), dir.c_str(), nullptr};
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);  // not killed with the test's process group
    dup2(fds[0], STDIN_FILENO);
    if (chdir("/") != 0) _exit(126);  // the test's directory may be closed to postgres
    if (account &&
        (setgroups(0, nullptr) != 0 || setgid(account->gid) != 0 || setuid(account->uid) != 0)) {
      _exit(126);
    }
    execv(args[0], const_cast<char* const*>(args.data()));
    _exit(127);
  }
  close(fds[0]);
  if (pid < 0) {
    close(fds[1]);
    return;
  }
  watchdog_pid_ = pid;
  watchdog_fd_ = fds[1];
}

PgCluster::~PgCluster() {
  stop();
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  if (watchdog_fd_ >= 0) close(watchdog_fd_);
  if (watchdog_pid_ > 0) {
    int status = 0;
    waitpid(watchdog_pid_, &status, 0);
  }
}

PgCluster& PgCluster::shared() {
  static PgCluster cluster;
  return cluster;
}

core::Status PgCluster::start() {
  const Outcome started = runCommand({(bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(),
                                      "-l", (dir_ / "server.log").string(), "-o",
                                      "-p " + std::to_string(port_), "-w", "-t", "60", "start"},
                                     postgresAccount(), dir_, dir_ / "pg_ctl.log");
  if (started.status != 0) {
    // A port taken between freePort() and the start: stop whatever half-started.
    runCommand({(bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "immediate",
                "-w", "stop"},
               postgresAccount(), dir_, dir_ / "pg_ctl-stop.log");
    return core::fail(core::ErrorCode::Io, "pg_ctl start failed: {}\n{}", started.output,
                      readAll(dir_ / "server.log"));
  }
  running_ = true;
  return {};
}

core::Status PgCluster::restart() {
  if (running_) return {};
  return start();
}

void PgCluster::stop() {
  if (!running_) return;
  runCommand({(bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "immediate",
              "-w", "stop"},
             postgresAccount(), dir_, dir_ / "pg_ctl-stop.log");
  running_ = false;
}

std::string PgCluster::url(std::string_view database) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + std::string(database);
}

core::Status PgCluster::execute(std::string_view database, std::string_view sql) {
  if (!running_) return core::fail(core::ErrorCode::Network, "the cluster is not running");
  const Outcome outcome =
      runCommand({(bindir_ / "psql").string(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                  "127.0.0.1", "-p", std::to_string(port_), "-U", "postgres", "-d",
                  std::string(database), "-c", std::string(sql)},
                 std::nullopt, dir_, dir_ / ("psql-" + std::to_string(getpid()) + ".log"));
  if (outcome.status != 0) {
    return core::fail(core::ErrorCode::Io, "psql failed on '{}': {}", sql, outcome.output);
  }
  return {};
}

namespace {

// Database names are the test's own identifiers: letters, digits and '_' only.
core::Status checkName(std::string_view name) {
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return core::fail(core::ErrorCode::Usage, "database name '{}': use [A-Za-z0-9_]", name);
    }
  }
  return {};
}

}  // namespace

core::Result<std::string> PgCluster::emptyDatabase(std::string_view name) {
  if (auto checked = checkName(name); !checked) return tl::unexpected(checked.error());
  const std::string database(name);
  const bool exists = created_.count(database) != 0;
  auto prepared = exists
                      ? execute(database, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
                      : execute("postgres", "CREATE DATABASE " + database + " TEMPLATE template0");
  if (!prepared) return tl::unexpected(prepared.error());
  created_.insert(database);
  return url(database);
}

core::Result<std::string> PgCluster::createDatabase(std::string_view prefix) {
  if (auto checked = checkName(prefix); !checked) return tl::unexpected(checked.error());
  const std::string name = std::string(prefix) + "_" + std::to_string(++next_database_);
  if (auto created = execute("postgres", "CREATE DATABASE " + name + " TEMPLATE template0");
      !created) {
    return tl::unexpected(created.error());
  }
  return url(name);
}

}  // namespace bulwark::testing
