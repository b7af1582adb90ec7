// Checks are data (DESIGN.md): one YAML file per check under data/checks/, loaded into these
// types. The file format, with every field, is documented in docs/checks.md:
//
//   id: BW-IMG-001                      # stable, what users see and filter on
//   title: Image runs as root           # our own words
//   section: Runtime user               # the table groups by it
//   severity: high                      # low | medium | high | critical
//   level: 1                            # 1 | 2 (CIS profile level)
//   scored: true                        # false: advisory
//   references: [CIS Docker 1.6.0 4.1, CKV_DOCKER_3, DL3002]
//   applies_to: {dockerfile: evaluate, image: evaluate}   # or "not-evaluated: why"
//                                       # kinds: dockerfile image docker-host docker-container
//                                       #   k8s-object k8s-workload k8s-namespace; a kind
//                                       #   not listed gives no result at all
//   kinds: [Service]                    # k8s only: object kinds it looks at (default: all)
//   input: true                         # reported by the evaluator about unreadable input
//                                       #   (BW-K8S-6xx): no applies_to, no tests
//   assessment: automated               # manual: the result is Manual (assist: the tests')
//   applies_when: [<test>, …]           # a failing test: not-applicable ("applies only when")
//   rationale: …
//   remediation: …
//   audit: …                            # how to verify by hand (shown for manual results)
//   inputs: {database_ports: ["5432"]}  # defaults of `{{name}}` values when --input lacks one
//   tests:                              # every test must pass (may be empty when manual)
//     - probe: user                     # a kind in src/checks/probes/probes.def
//       <probe parameters>
//       select: {compare: …, value: …}  # optional: keep only matching observations
//       compare: not-in-set             # eq ne lt gt has not-has regex not-regex bitmask
//       value: ["", root, "0"]          #   in-set not-in-set set unset mode-at-most
//                                       # "{{name}}": the run's --input name=a,b
//       case_insensitive: false
//       missing: fail                   # nothing observed: pass|fail|not-applicable|
//                                       #   not-evaluated|manual
//       absent: fail                    # nothing inside one element (default: as missing)
//       unknown: not-evaluated          # an observation that could not be determined
//       if_collected: false             # true: dropped when its input was not collected
//       evidence: false                 # true: shown as evidence only; never counts in the
//                                       #   verdict or the assist (not in applies_when)
//       expected: a non-root USER       # the evidence's "expected", in words
//       k8s_versions: {since: "1.19"}   # only for these Kubernetes versions (inclusive)
//     - any: [<test>, {all: [<test>, …]}]   # a group: any child passes / all children pass
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/k8s/version.h"
#include "checks/probes/probe.h"
#include "core/diagnostic.h"
#include "core/embedded.h"
#include "core/result.h"
#include "model/check.h"

namespace bulwark::checks {

enum class Op {
  Eq,
  Ne,
  Lt,
  Gt,
  Has,
  NotHas,
  Regex,
  NotRegex,
  Bitmask,
  InSet,
  NotInSet,
  Set,
  Unset
};

std::string_view toString(Op op);

struct Comparison {
  Op op = Op::Set;
  std::vector<std::string> values;
  std::shared_ptr<const re2::RE2> regex;  // Regex, NotRegex
  std::int64_t number = 0;                // Lt, Gt (signed 64-bit), Bitmask (the mask)
  bool case_insensitive = false;
  bool mode_at_most = false;  // Bitmask written as `mode-at-most: 644` (number = 07777 & ~0644)

  // Derives `regex` and `number` from `values` (after loading, or after an input replaced
  // them); an empty string when fine, else what is wrong ("`lt` takes one number").
  [[nodiscard]] std::string compile();

  // True when `observation` satisfies the comparison; nullopt when it cannot be compared (a
  // number that is not one).
  [[nodiscard]] std::optional<bool> matches(const Observation& observation) const;
  [[nodiscard]] std::string describe() const;  // "not one of: \"\", root, 0"
};

// One test: a probe and a comparison, or a group of tests (`any:` / `all:`).
struct Test {
  enum class Group { None, Any, All };
  Group group = Group::None;
  std::vector<Test> children;        // Any, All
  const ProbeKind* probe = nullptr;  // None
  Params params;
  std::optional<Comparison> select;
  Comparison compare;
  model::CheckStatus missing = model::CheckStatus::NotApplicable;  // nothing observed
  model::CheckStatus absent = model::CheckStatus::NotApplicable;   // loaded: `missing` unless set
  model::CheckStatus unknown = model::CheckStatus::NotEvaluated;
  // Dropped when its probe's input was not collected (not-evaluated, MissingInput), provided
  // another test of the check gave a verdict.
  bool if_collected = false;
  // Evaluated for its evidence only: its outcome never counts in the verdict (nor a manual
  // check's assist). A list needs at least one other test, except a manual check's `tests`.
  bool evidence = false;
  std::string input;  // `value: "{{name}}"`: the values come from EvalContext::inputs[name]
  // The check's default for `input` (its `inputs:` key); nullopt: without --input the test is
  // manual.
  std::optional<std::vector<std::string>> input_default;
  std::string expected;
  // `k8s_versions: {since: "1.19", until: "1.30"}`: the test exists only for those Kubernetes
  // versions; for others it is dropped before the fold (all dropped: not-applicable).
  std::optional<K8sVersionRange> k8s_versions;
};

// How a check treats one kind of resource.
struct Applicability {
  model::CheckStatus status = model::CheckStatus::NotApplicable;  // Pass means "evaluate"
  std::string reason;
  [[nodiscard]] bool evaluate() const { return status == model::CheckStatus::Pass; }
};

struct Check {
  std::string id;
  std::string title;
  std::string section;
  model::Severity severity = model::Severity::Unknown;
  int level = 1;
  bool scored = true;
  bool automated = true;  // `assessment: manual` → false: results are Manual
  // `input: true`: the evaluator reports it about input it could not read (a manifest that is
  // not YAML, a kind bulwark does not know); no applies_to, no tests.
  bool input = false;
  std::vector<std::string> references;
  std::string rationale;
  std::string remediation;
  std::string audit;  // how to verify by hand
  // Per ResourceKind; nullopt: the kind is not listed and the check gives no result for it.
  std::array<std::optional<Applicability>, kResourceKinds> applies;
  std::vector<Test> applies_when;  // all must pass, else not-applicable
  std::vector<Test> tests;
  // `kinds: [Service]`: Kubernetes objects of other kinds get no result. Empty: every object
  // of the k8s resource kinds listed in applies_to.
  std::vector<std::string> k8s_kinds;
  std::string source;  // "checks/image/run-as-root.yaml"
  std::string group;   // the folder under data/checks: "image", "docker"

  // nullptr when the check does not list the kind (no result at all for it).
  [[nodiscard]] const Applicability* appliesTo(ResourceKind kind) const {
    const auto& entry = applies.at(static_cast<std::size_t>(kind));
    return entry ? &*entry : nullptr;
  }
};

struct CheckSet {
  std::vector<Check> checks;  // sorted by id
  [[nodiscard]] const Check* find(std::string_view id) const;
};

// Loads one check from YAML text. Every problem in the file is reported (file:line:column).
std::optional<Check> loadCheck(std::string_view text, std::string_view source,
                               core::Diagnostics& diagnostics);

// Loads a set; fails (naming the first problem and the count) when any file is bad or two
// files share an id. Problems are all in `diagnostics`.
core::Result<CheckSet> loadChecks(std::span<const core::EmbeddedFile> files,
                                  core::Diagnostics& diagnostics);

// The checks shipped in data/checks/, embedded in the binary.
core::Result<CheckSet> loadBuiltinChecks();
std::span<const core::EmbeddedFile> builtinCheckFiles();

// Keeps the checks whose id is in `only` (when not empty) and not in `skip`; unknown ids are
// an error.
core::Result<CheckSet> selectChecks(const CheckSet& set, const std::vector<std::string>& only,
                                    const std::vector<std::string>& skip);

}  // namespace bulwark::checks
