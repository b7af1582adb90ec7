#include "pipeline/simulate.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "events/host/host_event.h"
#include "events/k8s_audit/audit_event.h"
#include "events/replay/replay_source.h"
#include "rules/builtin.h"

namespace bulwark::pipeline {

namespace {

constexpr std::string_view kSimulateDir = "rules/simulate/";

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view embedded(const std::string& path) {
  for (const auto& file : rules::builtinRuleFiles()) {
    if (file.path == path) return file.content;
  }
  return {};
}

std::string rfc3339(std::int64_t ns) {
  const std::time_t seconds = static_cast<std::time_t>(ns / 1000000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     (ns % 1000000000) / 1000);
}

// The fixture's events, comments dropped, times shifted so that the last is at now_ns (a
// baseline's learning period lies in the past, as it would have).
core::Result<std::string> rebased(std::string_view text, bool k8s, std::int64_t now_ns) {
  struct Line {
    nlohmann::json doc;
    std::vector<std::pair<const char*, std::int64_t>> times;  // key → ns
  };
  std::vector<Line> lines;
  std::int64_t last = INT64_MIN;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++number;
    if (line.empty() || line.front() == '#') continue;
    Line out{nlohmann::json::parse(line, nullptr, false), {}};
    if (!out.doc.is_object()) {
      return core::fail(core::ErrorCode::Internal, "simulation line {} is not JSON", number);
    }
    if (k8s) {
      for (const char* key : {"stageTimestamp", "requestReceivedTimestamp"}) {
        std::int64_t ts = 0;
        if (out.doc.contains(key) && out.doc[key].is_string() &&
            events::k8s_audit::parseTimestamp(out.doc[key].get<std::string>(), ts)) {
          out.times.emplace_back(key, ts);
        }
      }
    } else {
      events::host::HostEvent event;
      std::int64_t ts = 0;
      if (!events::replay::decodeLine(line, event, ts)) {
        return core::fail(core::ErrorCode::Internal, "simulation line {} is not an event", number);
      }
      out.times.emplace_back("ts", ts);
    }
    for (const auto& [key, ts] : out.times) last = std::max(last, ts);
    lines.push_back(std::move(out));
  }
  const std::int64_t shift = last == INT64_MIN ? 0 : now_ns - last;
  std::string out;
  for (auto& line : lines) {
    for (const auto& [key, ts] : line.times) {
      if (k8s) {
        line.doc[key] = rfc3339(ts + shift);
      } else {
        line.doc[key] = ts + shift;
      }
    }
    out += line.doc.dump() + '\n';
  }
  return out;
}

}  // namespace

core::Result<Simulation> prepareSimulation(const std::vector<std::string>& names,
                                           const rules::RulesSource& source,
                                           const std::filesystem::path& dir, std::int64_t now_ns) {
  std::vector<const rules::RuleItem*> chosen;
  for (const auto& name : names) {
    const bool all = name == "all";
    bool found = false;
    for (const auto& rule : source.rules) {
      const bool match = all ? !embedded(std::string(kSimulateDir) + rule.id + ".jsonl").empty()
                             : (rule.id == name || lowered(rule.name) == lowered(name));
      if (!match || (rule.id.empty() && !all)) continue;
      found = true;
      if (std::find(chosen.begin(), chosen.end(), &rule) == chosen.end()) chosen.push_back(&rule);
    }
    if (!found) {
      return core::fail(core::ErrorCode::Usage,
                        "--simulate {}: no built-in rule has that id or name (`bulwark rules "
                        "list` names them)",
                        name);
    }
  }
  Simulation out;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return core::fail(core::ErrorCode::Io, "{}: {}", dir.string(), error.message());
  for (const auto* rule : chosen) {
    const std::string_view events = embedded(std::string(kSimulateDir) + rule->id + ".jsonl");
    if (events.empty()) {
      return core::fail(core::ErrorCode::Usage, "--simulate: rule {} ('{}') has no simulation",
                        rule->id, rule->name);
    }
    const bool k8s = rule->source == "k8s_audit";
    auto text = rebased(events, k8s, now_ns);
    if (!text) return tl::unexpected(text.error());
    const auto path = dir / (rule->id + ".jsonl");
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << *text;
    if (!file) return core::fail(core::ErrorCode::Io, "cannot write {}", path.string());
    out.sources.push_back((k8s ? "k8s-audit:" : "events:") + path.string());
    out.rule_ids.push_back(rule->id);
  }
  return out;
}

core::Result<std::string> writeSimulationFeeds(const std::filesystem::path& dir) {
  constexpr std::string_view kIntel = "rules/simulate/intel/";
  std::error_code error;
  std::filesystem::create_directories(dir / "intel", error);
  if (error) return core::fail(core::ErrorCode::Io, "{}: {}", dir.string(), error.message());
  for (const auto& file : rules::builtinRuleFiles()) {
    if (!file.path.starts_with(kIntel)) continue;
    const auto path = dir / "intel" / std::string(file.path.substr(kIntel.size()));
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file.content;
    if (!out) return core::fail(core::ErrorCode::Io, "cannot write {}", path.string());
  }
  return (dir / "intel" / "test_feeds.yaml").string();
}

std::vector<std::string> liveSimulations() { return {"BW-RT-215"}; }

core::Status simulateLive(const std::string& name, const rules::RulesSource& source,
                          const std::filesystem::path& dir) {
  const rules::RuleItem* rule = nullptr;
  for (const auto& item : source.rules) {
    if (!item.id.empty() && (item.id == name || lowered(item.name) == lowered(name))) rule = &item;
  }
  if (rule == nullptr) {
    return core::fail(core::ErrorCode::Usage, "--simulate {}: no built-in rule has that id or name",
                      name);
  }
  const auto live = liveSimulations();
  if (std::find(live.begin(), live.end(), rule->id) == live.end()) {
    return core::fail(core::ErrorCode::Usage,
                      "--simulate {} --live: rule {} has no harmless live action (live: {}); "
                      "without --live its events are replayed",
                      name, rule->id, fmt::join(live, ", "));
  }
  // BW-RT-215: a copy of sleep named as the test hook, run once for a fifth of a second — long
  // enough for the proc connector's sensor to read its /proc entry before it exits.
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  const auto program = dir / "bulwark-alert-test";
  for (const char* candidate : {"/usr/bin/sleep", "/bin/sleep"}) {
    if (std::filesystem::copy_file(candidate, program,
                                   std::filesystem::copy_options::overwrite_existing, error)) {
      break;
    }
  }
  if (!std::filesystem::exists(program)) {
    return core::fail(core::ErrorCode::Io, "cannot copy sleep to {}", program.string());
  }
  std::filesystem::permissions(program, std::filesystem::perms::owner_all, error);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string path = program.string();
    char duration[] = "0.2";
    char* argv[] = {const_cast<char*>(path.c_str()), duration, nullptr};
    ::execv(argv[0], argv);
    ::_exit(127);
  }
  if (pid < 0) return core::fail(core::ErrorCode::Io, "fork failed");
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::filesystem::remove(program, error);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return core::fail(core::ErrorCode::Io, "{} did not run", program.string());
  }
  return {};
}

}  // namespace bulwark::pipeline
