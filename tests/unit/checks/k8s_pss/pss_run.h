// Runs a Pod Security Standards profile over one manifest text as
// `bulwark bench k8s --benchmark pss-… --k8s-version V` does: the profile's checks of version V
// (profileChecks), evaluated on every object of the text (evaluateK8s). Shared by the PSA
// fixture test and our own version fixtures.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/inventory.h"
#include "checks/k8s/manifest.h"
#include "checks/k8s/version.h"
#include "checks/profile.h"
#include "model/check.h"

namespace bulwark::checks::pss_testing {

// The built-in checks, loaded once (every test of the binary reads the same set).
inline const CheckSet& builtinSet() {
  static const CheckSet set = [] {
    auto loaded = loadBuiltinChecks();
    if (!loaded) ADD_FAILURE() << "built-in checks do not load: " << loaded.error().message;
    return loaded ? std::move(*loaded) : CheckSet{};
  }();
  return set;
}

inline K8sVersion version(std::string_view text) {
  auto parsed = parseK8sVersion(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? *parsed : K8sVersion{};
}

struct PssRun {
  std::vector<model::CheckResult> results;
  std::size_t workloads = 0;
  std::size_t problems = 0;  // documents or files the reader could not use
};

inline PssRun runPss(std::string_view text, std::string_view source, const Profile& profile,
                     const K8sVersion& version) {
  PssRun run;
  auto checks = profileChecks(builtinSet(), profile, version);
  EXPECT_TRUE(checks.has_value()) << profile.name << ": " << checks.error().message;
  if (!checks) return run;
  k8s::Inventory inventory;
  core::Diagnostics diagnostics;
  k8s::addManifestText(text, source, k8s::ManifestOptions{}, inventory, diagnostics);
  inventory.index();
  run.workloads = inventory.count(k8s::KindClass::Workload);
  run.problems = inventory.problems.size();
  EvalContext context;
  context.k8s_version = version;
  run.results = evaluateK8s(*checks, inventory, context);
  return run;
}

inline const model::CheckResult* resultFor(const std::vector<model::CheckResult>& results,
                                           std::string_view id) {
  const auto found = std::find_if(results.begin(), results.end(),
                                  [&](const model::CheckResult& r) { return r.check_id == id; });
  return found == results.end() ? nullptr : &*found;
}

// Every result with its evidence, for failure messages.
inline std::string describe(const std::vector<model::CheckResult>& results) {
  std::string out;
  for (const auto& r : results) {
    out += fmt::format("  {} {}{}\n", model::toString(r.status), r.check_id,
                       r.reason.empty() ? "" : fmt::format(" ({})", r.reason));
    for (const auto& e : r.evidence) {
      out += fmt::format("      {} at {}; expected {}\n", e.observed, e.where, e.expected);
    }
  }
  return out;
}

}  // namespace bulwark::checks::pss_testing
