// Helpers for the fixture-driven Docker check tests: the built-in checks and the CIS profile,
// snapshots made of one fixture each, a run (evaluateDocker + annotate) and how a result reads
// in a failure message.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "checks/check.h"
#include "checks/docker/snapshot.h"
#include "checks/evaluate.h"
#include "checks/profile.h"
#include "model/check.h"

namespace bulwark::checks::testing {

using docker::FactStatus;
using model::CheckStatus;
using model::NotEvaluatedCause;

inline docker::FactState fact(FactStatus status, std::string detail = {}) {
  docker::FactState s;
  s.status = status;
  s.detail = std::move(detail);
  return s;
}

// The built-in checks and the cis-docker-1.6 profile, loaded once.
struct Bench {
  CheckSet checks;
  Profile profile;
};

inline const Bench& bench() {
  static const Bench loaded = [] {
    Bench b;
    auto checks = loadBuiltinChecks();
    if (!checks) ADD_FAILURE() << "built-in checks: " << checks.error().message;
    auto profile = builtinProfile("cis-docker-1.6");
    if (!profile) ADD_FAILURE() << "profile: " << profile.error().message;
    if (checks && profile) {
      auto selected = profileChecks(*checks, *profile);
      if (!selected) ADD_FAILURE() << "profile checks: " << selected.error().message;
      if (selected) b.checks = std::move(*selected);
      b.profile = std::move(*profile);
    }
    return b;
  }();
  return loaded;
}

// The checks a CIS control maps to ("5.4" → BW-DKR-504); empty when the profile lacks it.
inline std::vector<std::string> checksOf(std::string_view control_id) {
  const Control* control = bench().profile.find(control_id);
  return control == nullptr ? std::vector<std::string>{} : control->checks;
}
inline bool automated(std::string_view control_id) {
  const Control* control = bench().profile.find(control_id);
  return control == nullptr || control->automated;
}

// A snapshot of one container (an inspect document, or `docker inspect` output: an array of
// one): engine ok, a default daemon (no flags, no daemon.json); /info and processes not
// collected.
inline docker::Snapshot containerSnapshot(const nlohmann::json& document) {
  const nlohmann::json inspect =
      document.is_array() && !document.empty() ? document.front() : document;
  docker::Snapshot s;
  s.hostname = "fixture-host";
  s.engine.state = fact(FactStatus::Ok);
  s.engine.containers_state = fact(FactStatus::Ok);
  s.engine.images_state = fact(FactStatus::Ok);
  docker::Container c;
  c.id = inspect.value("Id", std::string(64, '0'));
  std::string name = inspect.value("Name", std::string("fixture"));
  if (name.starts_with('/')) name.erase(0, 1);
  c.name = name;
  c.inspect.state = fact(FactStatus::Ok);
  c.inspect.doc = inspect;
  s.engine.containers.push_back(std::move(c));
  // The container ran on a daemon with Docker's defaults (no flags, no daemon.json): checks
  // a daemon-wide setting could satisfy (5.26) need to know it was not set.
  s.host.dockerd.state = fact(FactStatus::Ok);
  s.host.dockerd.pid = 812;
  s.host.dockerd.exe = "/usr/bin/dockerd";
  s.host.dockerd.argv = {"/usr/bin/dockerd"};
  s.host.daemon_json.path = "/etc/docker/daemon.json";
  s.host.daemon_json.state = fact(FactStatus::Missing);
  return s;
}

// A snapshot of a daemon: daemon.json = `daemon_json`, dockerd running with `argv` (state ok),
// the engine not collected.
inline docker::Snapshot daemonSnapshot(const nlohmann::json& daemon_json,
                                       std::vector<std::string> argv = {"/usr/bin/dockerd"}) {
  docker::Snapshot s;
  s.hostname = "fixture-host";
  s.host.dockerd.state = fact(FactStatus::Ok);
  s.host.dockerd.pid = 812;
  s.host.dockerd.exe = "/usr/bin/dockerd";
  s.host.dockerd.argv = std::move(argv);
  s.host.daemon_json.path = "/etc/docker/daemon.json";
  s.host.daemon_json.state = fact(FactStatus::Ok);
  s.host.daemon_json.doc = daemon_json;
  return s;
}

struct BenchRun {
  std::vector<model::CheckResult> results;
  std::vector<core::Diagnostic> diagnostics;  // sorted

  // The result of `check_id` on the resource of `kind` ("docker-host", "docker-container").
  [[nodiscard]] const model::CheckResult* find(std::string_view check_id,
                                               std::string_view kind) const {
    for (const auto& r : results) {
      if (r.check_id == check_id && r.resource_kind == kind) return &r;
    }
    return nullptr;
  }
};

inline BenchRun runBench(const docker::Snapshot& snapshot, const EvalContext& context = {}) {
  BenchRun out;
  core::Diagnostics diagnostics;
  out.results = evaluateDocker(bench().checks, snapshot, context, diagnostics);
  out.diagnostics = diagnostics.sorted();
  annotate(out.results, bench().profile);
  return out;
}

// "fail [evidence: …]", "manual (assist pass)", "not-evaluated/missing-input: why".
inline std::string describe(const model::CheckResult& r) {
  std::string out(model::toString(r.status));
  if (r.status == CheckStatus::NotEvaluated) out += "/" + std::string(model::toString(r.cause));
  if (r.assist) out += " (assist " + std::string(model::toString(*r.assist)) + ")";
  if (!r.reason.empty()) out += ": " + r.reason;
  for (std::size_t i = 0; i < r.evidence.size() && i < 4; ++i) {
    const auto& e = r.evidence[i];
    out += "\n    evidence: " + e.observed + " @ " + e.where + " (expected " + e.expected + ")";
  }
  return out;
}

// What a verdict expects of our result.
struct Expect {
  CheckStatus status = CheckStatus::Pass;
  std::optional<CheckStatus> assist;
  NotEvaluatedCause cause = NotEvaluatedCause::None;
};

inline std::string describe(const Expect& e) {
  std::string out(model::toString(e.status));
  if (e.status == CheckStatus::NotEvaluated) out += "/" + std::string(model::toString(e.cause));
  if (e.assist) out += " (assist " + std::string(model::toString(*e.assist)) + ")";
  return out;
}

// Checks `r` against `e`; the message names the case.
inline void expectResult(const model::CheckResult* r, const Expect& e, const std::string& name) {
  if (r == nullptr) {
    ADD_FAILURE() << name << ": no result (expected " << describe(e) << ")";
    return;
  }
  const bool same = r->status == e.status && r->assist == e.assist &&
                    (e.status != CheckStatus::NotEvaluated || r->cause == e.cause);
  EXPECT_TRUE(same) << name << " [" << r->check_id << " on " << r->resource << "]: expected "
                    << describe(e) << ", got " << describe(*r);
}

}  // namespace bulwark::checks::testing
