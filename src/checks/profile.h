// Benchmark profiles: a benchmark's controls mapped to bulwark's checks (data/benchmarks/,
// embedded in the binary), selected with `--benchmark NAME`:
//
//   name: cis-docker-1.6                  # what --benchmark takes
//   title: CIS Docker Benchmark v1.6.0
//   version: 1.6.0                        # optional
//   targets: [docker]
//   controls:
//     - {id: "1.1.1", automated: true, level: 1, checks: [BW-DKR-101]}
//     - {id: "4.9", automated: false, checks: [BW-IMG-006, BW-IMG-007]}
//   versioned: true                       # Kubernetes profiles: controls may carry
//     - {id: runAsUser, since: "1.23", until: "1.40", checks: [BW-K8S-124]}
//
// `automated` defaults to true, `level` to 1, `scored` to `automated`; `title` is optional. A
// manual control (automated: false) turns its checks' verdicts into Manual results whose
// `assist` is the verdict.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.h"
#include "core/diagnostic.h"
#include "core/embedded.h"
#include "core/result.h"
#include "model/check.h"

namespace bulwark::checks {

struct Control {
  std::string id;  // the benchmark's own id: "5.4"
  std::string title;
  bool automated = true;
  int level = 1;
  bool scored = true;
  std::vector<std::string> checks;  // check ids
  // Versioned profiles: the Kubernetes versions the control exists in (inclusive).
  K8sVersionRange versions;
};

struct Profile {
  std::string name;  // "cis-docker-1.6"
  std::string title;
  std::string version;
  std::vector<std::string> targets;  // "docker", "kubernetes"
  std::vector<Control> controls;     // in file order
  std::string source;                // "benchmarks/cis-docker-1.6.yaml"
  bool versioned = false;            // controls carry since/until; --k8s-version applies

  [[nodiscard]] const Control* find(std::string_view control_id) const;
};

// Reads one profile; every problem goes to `diagnostics` (SOURCE:LINE:COLUMN) and the first
// is the error.
core::Result<Profile> loadProfile(std::string_view text, std::string_view source,
                                  core::Diagnostics& diagnostics);

// The profiles in data/benchmarks/, by name.
std::span<const core::EmbeddedFile> builtinProfileFiles();
core::Result<std::vector<Profile>> builtinProfiles();
// The built-in profile called `name`; an unknown name is a usage error listing the known ones.
core::Result<Profile> builtinProfile(std::string_view name);

// The checks of `set` that the profile's controls name, in the set's order; a check id no
// check has is an error.
// `version`: a versioned profile leaves out the controls whose range excludes it.
core::Result<CheckSet> profileChecks(const CheckSet& set, const Profile& profile,
                                     const K8sVersion& version = K8sVersion{});

// Adds "<profile>:<control>" to each result's `controls` for every control naming its check.
// When every control naming the check is manual, a result that is pass, fail or not-evaluated
// becomes Manual with `assist` = that verdict (not-applicable stays: nothing to look at).
// Versioned profiles: only the controls of `version`, written "<profile>@<version>:<control>".
void annotate(std::vector<model::CheckResult>& results, const Profile& profile,
              const K8sVersion& version = K8sVersion{});

}  // namespace bulwark::checks
