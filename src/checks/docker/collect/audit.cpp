// The audit rules: `auditctl -l` (the loaded rules; only as root on the host itself), else the
// rules files auditd loads at boot (/etc/audit/audit.rules and /etc/audit/rules.d/*.rules).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/host_facts.h"
#include "core/text.h"

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace bulwark::checks::docker::collect {
namespace {

constexpr std::size_t kMaxRulesFile = 16u << 20;
constexpr std::size_t kMaxRulesFiles = 1'000;
constexpr std::chrono::milliseconds kAuditctlTimeout{2000};

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::vector<AuditRule> parseAuditRules(std::string_view text, std::string_view where,
                                       core::Diagnostics& diagnostics) {
  std::vector<AuditRule> rules;
  bool truncated = false;
  core::forEachLine(text, [&](std::string_view raw_line, std::size_t number) {
    if (truncated) return;
    const std::string_view line = core::trim(raw_line);
    if (line.empty() || line.front() == '#') return;
    const auto tokens = words(line);
    const auto bad = [&](std::string_view why) {
      diagnostics.add("audit.malformed-rule", fmt::format("{}:{}", where, number),
                      fmt::format("{}: {}", why, core::printable(line.substr(0, 200))));
    };
    AuditRule rule;
    rule.raw = std::string(line);
    if (tokens.front() == "-w") {
      rule.kind = AuditRule::Kind::Watch;
      if (tokens.size() < 2 || tokens[1].starts_with('-')) return bad("-w without a path");
      rule.path = std::string(tokens[1]);
      for (std::size_t i = 2; i < tokens.size(); ++i) {
        if ((tokens[i] == "-p" || tokens[i] == "-k") && i + 1 >= tokens.size()) {
          return bad(fmt::format("{} without a value", tokens[i]));
        }
        if (tokens[i] == "-p") {
          rule.perms = std::string(tokens[++i]);
        } else if (tokens[i] == "-k") {
          if (rule.key.empty()) rule.key = std::string(tokens[i + 1]);
          ++i;
        } else if (tokens[i] == "-F" && i + 1 < tokens.size()) {
          const std::string_view field = tokens[++i];
          if (field.starts_with("key=") && rule.key.empty()) rule.key = field.substr(4);
        }
      }
    } else if (tokens.front() == "-a" || tokens.front() == "-A") {
      rule.kind = AuditRule::Kind::Syscall;
      if (tokens.size() < 2) return bad("-a without list,action");
      for (std::size_t i = 2; i < tokens.size(); ++i) {
        const std::string_view option = tokens[i];
        if (option != "-F" && option != "-k" && option != "-S" && option != "-C") continue;
        if (i + 1 >= tokens.size()) return bad(fmt::format("{} without a value", option));
        const std::string_view value = tokens[++i];
        if (option == "-k") {
          if (rule.key.empty()) rule.key = std::string(value);
        } else if (option == "-F") {
          const auto eq = value.find('=');
          if (eq == std::string_view::npos || eq == 0) return bad("-F without name=value");
          const std::string_view name = value.substr(0, eq);
          const std::string_view operand = value.substr(eq + 1);
          if (name.back() == '!' || name.back() == '<' || name.back() == '>') continue;
          if (name == "path" || name == "dir") {
            rule.path = std::string(operand);
            rule.dir = name == "dir";
          } else if (name == "perm") {
            rule.perms = std::string(operand);
          } else if (name == "key" && rule.key.empty()) {
            rule.key = std::string(operand);
          }
        }
      }
      if (rule.path.empty()) return;  // a syscall rule about no file: nothing the checks read
    } else {
      return;  // control lines (-D, -b, -e, -f, …), deletions, "No rules"
    }
    if (rule.path.empty()) return bad("an empty path");
    if (rules.size() >= kMaxAuditRules) {
      truncated = true;
      diagnostics.add(
          "audit.truncated", std::string(where),
          fmt::format("more than {} audit rules; the rest are ignored", kMaxAuditRules));
      return;
    }
    rules.push_back(std::move(rule));
  });
  return rules;
}

namespace {

struct Ran {
  bool started = false;
  bool timed_out = false;
  bool too_large = false;
  int exit_code = -1;
  std::string out;
};

// Runs `program args` with stdout and stderr captured (at most kMaxRulesFile bytes), killed
// after `timeout`.
Ran runCaptured(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  Ran ran;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return ran;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    return ran;
  }
  ran.started = true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[8192];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ran.timed_out = true;
      break;
    }
    pollfd fd{pipe_fds[0], POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      ran.timed_out = ready == 0;
      break;
    }
    const ssize_t got = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (ran.out.size() + static_cast<std::size_t>(got) > kMaxRulesFile) {
      ran.too_large = true;
      break;
    }
    ran.out.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(pipe_fds[0]);
  if (ran.timed_out || ran.too_large) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) ran.exit_code = WEXITSTATUS(status);
  return ran;
}

bool fromAuditctl(Snapshot& snapshot, core::Diagnostics& diagnostics) {
  for (const char* program : {"/sbin/auditctl", "/usr/sbin/auditctl"}) {
    if (::access(program, X_OK) != 0) continue;
    auto& audit = snapshot.host.audit;
    const Ran ran = runCaptured({program, "-l"}, kAuditctlTimeout);
    if (!ran.started) continue;
    audit.state.source = "auditctl -l";
    if (ran.timed_out) {
      audit.state.status = FactStatus::Timeout;
      audit.state.detail = "auditctl -l did not finish within 2 s";
      return true;
    }
    if (ran.too_large) {
      audit.state.status = FactStatus::Malformed;
      audit.state.detail = "auditctl -l printed more than 16 MiB";
      return true;
    }
    if (ran.exit_code != 0) {
      const std::string lower = core::asciiLower(ran.out);
      if (lower.find("must be root") != std::string::npos ||
          lower.find("permission") != std::string::npos ||
          lower.find("operation not permitted") != std::string::npos) {
        audit.state.status = FactStatus::PermissionDenied;
      } else if (lower.find("no rules") != std::string::npos) {
        audit.state.status = FactStatus::Ok;
        return true;
      } else {
        return false;  // e.g. no audit support in this kernel: read the rules files instead
      }
      audit.state.detail = core::printable(core::trim(ran.out.substr(0, 200)));
      return true;
    }
    audit.state.status = FactStatus::Ok;
    audit.rules = parseAuditRules(ran.out, "auditctl -l", diagnostics);
    return true;
  }
  return false;
}

}  // namespace

void collectAuditRules(const CollectOptions& options, Snapshot& snapshot,
                       core::Diagnostics& diagnostics) {
  auto& audit = snapshot.host.audit;
  audit = {};
  const bool on_host = options.host_root.empty() || options.host_root == "/";
  if (on_host && ::geteuid() == 0 && fromAuditctl(snapshot, diagnostics)) return;

  std::vector<std::filesystem::path> files{underRoot(options.host_root, "/etc/audit/audit.rules")};
  const auto rules_d = underRoot(options.host_root, "/etc/audit/rules.d");
  std::error_code error;
  std::vector<std::filesystem::path> found;
  for (std::filesystem::directory_iterator it(rules_d, error), end; !error && it != end;
       it.increment(error)) {
    if (found.size() >= kMaxRulesFiles) break;
    if (it->path().extension() == ".rules") found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());
  files.insert(files.end(), found.begin(), found.end());

  std::vector<std::string> sources;
  bool any = false;
  for (const auto& file : files) {
    const FileRead read = readHostFile(file, kMaxRulesFile);
    if (read.state.status == FactStatus::Missing) continue;
    if (!read.state.ok()) {
      if (!any || audit.state.ok()) audit.state = read.state;
      any = true;
      continue;
    }
    auto rules = parseAuditRules(read.text, file.string(), diagnostics);
    for (auto& rule : rules) {
      if (audit.rules.size() >= kMaxAuditRules) break;
      audit.rules.push_back(std::move(rule));
    }
    sources.push_back(file.string());
    if (!any) audit.state.status = FactStatus::Ok;
    any = true;
  }
  if (!any) {
    audit.state.status = FactStatus::Missing;
    audit.state.detail = "no audit rules files (auditd is not set up)";
    audit.state.source = files.front().string();
    return;
  }
  if (audit.state.ok()) {
    std::string joined;
    for (const auto& source : sources) joined += (joined.empty() ? "" : ", ") + source;
    audit.state.source = joined;
  }
}

}  // namespace bulwark::checks::docker::collect
