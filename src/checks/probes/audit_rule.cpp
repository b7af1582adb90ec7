// audit-rule: the audit rules that cover a host path — a watch on the path (`-w PATH`), a
// syscall rule on it (`-F path=PATH`), or a syscall rule on a directory above it
// (`-F dir=DIR`). One observation per covering rule (value: the rule as read). A path no rule
// covers gives nothing observed when it is the only one, an `absent` observation when other
// paths of the same `${alias}` are covered. A path that does not exist on the host is
// `absent_path` (default not-applicable): nothing to audit.
#include <fmt/format.h>

#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kAbsentPath[] = {"not-applicable", "not-evaluated", "evaluate"};

constexpr ParamSpec kParams[] = {
    {"path", ParamType::String, true,
     "the audited path: an absolute path or `${alias}` (`${bin:dockerd}`, `${data-root}`, …)"},
    {"absent_path", ParamType::String, false,
     "when the path does not exist: not-applicable (default), not-evaluated, or evaluate "
     "(look for rules anyway)",
     kAbsentPath},
};

std::string_view withoutTrailingSlash(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

bool covers(const docker::AuditRule& rule, std::string_view path) {
  const std::string_view rule_path = withoutTrailingSlash(rule.path);
  path = withoutTrailingSlash(path);
  if (rule_path.empty()) return false;
  if (rule_path == path) return true;
  if (rule.kind != docker::AuditRule::Kind::Syscall || !rule.dir) return false;
  if (rule_path == "/") return path.size() > 1 && path.front() == '/';
  return path.size() > rule_path.size() && path.substr(0, rule_path.size()) == rule_path &&
         path[rule_path.size()] == '/';
}

ProbeResult evaluateAuditRule(const Params& params, const Resource& resource) {
  if (resource.snapshot == nullptr) return probes::noInput("Docker host snapshot");
  const docker::Snapshot& snapshot = *resource.snapshot;
  const std::string_view spec = params.string("path");
  const std::string_view absent_path = params.string("absent_path", "not-applicable");
  auto resolved = probes::resolvePaths(snapshot, spec);
  if (auto* result = std::get_if<ProbeResult>(&resolved)) return std::move(*result);
  // The paths that exist (or might): an alias resolved to nothing, or files that are all
  // Missing, mean there is nothing to audit.
  struct Target {
    std::string path;
    const docker::FileFact* fact = nullptr;  // nullptr: not stat'ed
  };
  std::vector<Target> targets;
  for (const auto& path : std::get<std::vector<std::string>>(resolved)) {
    const docker::FileFact* fact = probes::fileFact(snapshot, path);
    const bool missing = fact != nullptr && fact->state.status == docker::FactStatus::Missing;
    if (!missing || absent_path == "evaluate") targets.push_back({path, fact});
  }
  if (targets.empty()) {
    const std::string why = fmt::format("{} does not exist on the host", spec);
    if (absent_path == "not-evaluated") {
      return ProbeResult::notEvaluated(why, model::NotEvaluatedCause::MissingInput);
    }
    if (absent_path != "evaluate") return ProbeResult::notApplicable(why);
  }

  // A path that does not exist is not applicable even when the rules could not be read.
  const auto& audit = snapshot.host.audit;
  if (!audit.state.ok() && audit.state.status != docker::FactStatus::Missing) {
    return probes::notEvaluatedFor("audit rules", audit.state);
  }
  if (targets.empty()) return {};
  const std::string where =
      audit.state.source.empty() ? std::string("audit rules") : audit.state.source;

  ProbeResult result;
  result.looked_at = where;
  std::vector<Observation> uncovered;
  for (const auto& target : targets) {
    bool any = false;
    for (const auto& rule : audit.rules) {
      if (!covers(rule, target.path)) continue;
      any = true;
      Observation o;
      o.values = {rule.raw.empty() ? rule.path : rule.raw};
      o.display = fmt::format("{} covers {}", o.values.front(), target.path);
      o.where = where;
      result.observations.push_back(std::move(o));
    }
    if (any) continue;
    // No rule, and unknown whether the path exists: not evaluated rather than a verdict on a
    // file that may be absent.
    const bool known =
        target.fact != nullptr &&
        (target.fact->state.ok() || target.fact->state.status == docker::FactStatus::Missing);
    if (!known) {
      if (target.fact == nullptr) {
        return ProbeResult::notEvaluated(
            fmt::format("whether {} exists was not collected", target.path),
            model::NotEvaluatedCause::MissingInput);
      }
      return probes::notEvaluatedFor(probes::statWhere(target.path), target.fact->state);
    }
    Observation o;
    o.absent = true;
    o.display = fmt::format("no audit rule covers {}", target.path);
    o.where = where;
    uncovered.push_back(std::move(o));
  }
  // No rule for any path: nothing observed (the test's `missing:`); some paths covered: the
  // others are `absent`.
  if (result.observations.empty()) return result;
  for (auto& o : uncovered) result.observations.push_back(std::move(o));
  return result;
}

}  // namespace

const ProbeKind& auditRuleProbe() {
  static const ProbeKind kKind{"audit-rule", "audit rules that watch a host path", kParams,
                               &evaluateAuditRule, false};
  return kKind;
}

}  // namespace bulwark::checks
