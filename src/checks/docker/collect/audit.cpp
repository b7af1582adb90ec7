// The audit rules: `auditctl -l` (the loaded rules; only as root on the host itself), else the
// rules files auditd loads at boot (/etc/audit/audit.rules and /etc/audit/rules.d/*.rules).
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/host_facts.h"
#include "core/subprocess.h"
#include "core/text.h"

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

bool fromAuditctl(Snapshot& snapshot, core::Diagnostics& diagnostics) {
  for (const char* program : {"/sbin/auditctl", "/usr/sbin/auditctl"}) {
    if (::access(program, X_OK) != 0) continue;
    auto& audit = snapshot.host.audit;
    core::CaptureOptions capture;
    capture.timeout = kAuditctlTimeout;
    capture.max_output = kMaxRulesFile;
    const core::CapturedRun ran = core::runCaptured({program, "-l"}, capture);
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
      const std::string lower = core::asciiLower(ran.output);
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
      audit.state.detail = core::printable(core::trim(ran.output.substr(0, 200)));
      return true;
    }
    audit.state.status = FactStatus::Ok;
    audit.rules = parseAuditRules(ran.output, "auditctl -l", diagnostics);
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
