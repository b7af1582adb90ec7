// A probe: one typed way of observing a resource (DESIGN.md: "a probe is a kind and an
// evaluate() function"). A check's test names a probe kind, gives it parameters, and compares
// what it observes. Every probe kind is one file in this folder plus one line in probes.def.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "checks/resource.h"
#include "model/check.h"

namespace re2 {
class RE2;
}

namespace bulwark::checks {

namespace docker {
class JsonPath;
}

// One thing a probe saw: a scalar (values[0]) or a list, where it was, and how to show it.
struct Observation {
  std::vector<std::string> values;
  bool is_list = false;
  bool unknown = false;  // could not be determined: an unresolved variable, a hashed source
  std::string display;   // what the evidence shows as observed
  std::string where;
  std::string note;  // why unknown, or a remark for the evidence
  // Why unknown, when it is more than undetermined (a server unreachable, a token refused).
  model::NotEvaluatedCause cause = model::NotEvaluatedCause::None;
  // The path resolved to nothing inside one element of a fanned-out probe (a network without
  // Options.encrypted): the test's `absent:` decides, not the comparison.
  bool absent = false;
};

// Manual: the probe cannot be automated with what the run was given (a server not named), and
// says what would automate it.
enum class ProbeState { Evaluated, NotApplicable, NotEvaluated, Manual };

struct ProbeResult {
  ProbeState state = ProbeState::Evaluated;
  std::string reason;  // for NotApplicable and NotEvaluated
  std::vector<Observation> observations;
  model::NotEvaluatedCause cause = model::NotEvaluatedCause::None;  // NotEvaluated only
  // Where the probe looked, for the evidence when it observed nothing ("/containers/…/json
  // HostConfig.PidsLimit", "auditctl -l"); empty: the resource's name.
  std::string looked_at;

  static ProbeResult notEvaluated(
      std::string reason, model::NotEvaluatedCause cause = model::NotEvaluatedCause::Undetermined) {
    return {ProbeState::NotEvaluated, std::move(reason), {}, cause};
  }
  static ProbeResult notApplicable(std::string reason) {
    return {ProbeState::NotApplicable, std::move(reason), {}, model::NotEvaluatedCause::None};
  }
  static ProbeResult manual(std::string reason) {
    return {ProbeState::Manual, std::move(reason), {}, model::NotEvaluatedCause::None};
  }
};

// Path: a JSON path into an Engine document (checks/docker/json_path.h), compiled at load.
enum class ParamType { String, StringList, Regex, Integer, Boolean, Path };

struct ParamSpec {
  std::string_view name;
  ParamType type = ParamType::String;
  bool required = false;
  std::string_view help;
  std::span<const std::string_view> choices = {};  // allowed strings; empty: any
};

// A test's parameters, checked against the probe's ParamSpecs when the check is loaded
// (regular expressions compiled then).
class Params {
 public:
  using Value = std::variant<std::string, std::vector<std::string>, std::shared_ptr<const re2::RE2>,
                             std::int64_t, bool, std::shared_ptr<const docker::JsonPath>>;
  void set(std::string name, Value value) { values_[std::move(name)] = std::move(value); }
  [[nodiscard]] std::string_view string(std::string_view name,
                                        std::string_view fallback = {}) const;
  [[nodiscard]] std::vector<std::string> list(std::string_view name) const;
  [[nodiscard]] const re2::RE2* regex(std::string_view name) const;
  [[nodiscard]] bool flag(std::string_view name, bool fallback = false) const;
  [[nodiscard]] std::int64_t integer(std::string_view name, std::int64_t fallback = 0) const;
  [[nodiscard]] const docker::JsonPath* path(std::string_view name) const;
  [[nodiscard]] bool has(std::string_view name) const { return values_.count(name) != 0; }

 private:
  std::map<std::string, Value, std::less<>> values_;
};

struct ProbeKind {
  std::string_view kind;     // "variable"
  std::string_view summary;  // one line for docs
  std::span<const ParamSpec> params;
  ProbeResult (*evaluate)(const Params& params, const Resource& resource) = nullptr;
  // Whether it reads the build steps (a Dockerfile, or an image's history): such probes are
  // not evaluated on a root filesystem, which has neither config nor history.
  bool reads_build_steps = true;
};

// The registered probe kinds (probes.def), in documentation order.
std::span<const ProbeKind* const> probeKinds();
const ProbeKind* findProbe(std::string_view kind);

}  // namespace bulwark::checks
