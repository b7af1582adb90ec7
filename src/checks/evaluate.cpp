#include "checks/evaluate.h"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

#include "checks/docker/daemon_config.h"
#include "checks/docker/snapshot.h"
#include "checks/k8s/inventory.h"
#include "checks/k8s/namespace_doc.h"

namespace bulwark::checks {

namespace {

using model::CheckStatus;
using model::NotEvaluatedCause;

constexpr std::size_t kMaxEvidence = 50;
// An image of a Docker host whose /history was not read: build-step probes cannot run.
constexpr std::string_view kNoHistory = "the image's build history was not read";

struct TestOutcome {
  CheckStatus status = CheckStatus::Pass;
  std::string reason;
  std::vector<model::Evidence> evidence;
  NotEvaluatedCause cause = NotEvaluatedCause::None;  // NotEvaluated only
  // An if_collected test whose input was not collected: dropped when a sibling has a verdict.
  bool droppable = false;
  // An `evidence: true` test: its evidence is shown, its status never counts.
  bool evidence_only = false;
};

model::Evidence evidenceOf(const Observation& o, const Test& test) {
  std::string observed = o.display;
  if (observed.empty()) {
    for (const auto& v : o.values) {
      if (!observed.empty()) observed += ' ';
      observed += v;
    }
  }
  if (!o.note.empty()) observed += observed.empty() ? o.note : " (" + o.note + ")";
  return {observed, o.where, test.expected};
}

// What a test (or group) expects, for "applies only when …".
std::string expectedOf(const Test& test) {
  if (test.group == Test::Group::None) return test.expected;
  std::string out;
  for (const auto& child : test.children) {
    if (!out.empty()) out += test.group == Test::Group::Any ? " or " : " and ";
    out += expectedOf(child);
  }
  return out;
}

TestOutcome runTest(const Test& test, const Resource& resource, const EvalContext& context);

// An input on a regex comparison gives one pattern per value (`--input trusted_registries=
// ^a\.example/,^b\.example/`): they become one alternation, "(?:p1)|(?:p2)", so the observation
// matches when any pattern does. Each pattern must compile on its own (so none can reach into
// another's group); empty values are left out (an empty pattern would match everything), and
// no pattern at all is a problem. Other comparisons keep their values.
std::string joinPatterns(Comparison& compare) {
  if (compare.op != Op::Regex && compare.op != Op::NotRegex) return {};
  std::vector<std::string> patterns;
  for (const auto& value : compare.values) {
    if (value.empty()) continue;
    Comparison one = compare;
    one.values = {value};
    if (std::string problem = one.compile(); !problem.empty()) return problem;
    patterns.push_back(value);
  }
  if (patterns.empty()) return "no pattern given";
  if (patterns.size() == 1) {
    compare.values = std::move(patterns);
    return {};
  }
  std::string joined;
  for (const auto& p : patterns) {
    if (!joined.empty()) joined += '|';
    joined += "(?:" + p + ")";
  }
  compare.values = {std::move(joined)};
  return {};
}

TestOutcome runProbe(const Test& test, const Resource& resource, const EvalContext& context) {
  TestOutcome out;
  const Comparison* compare = &test.compare;
  Comparison substituted;
  if (!test.input.empty()) {
    const auto input = context.inputs.find(test.input);
    if (input == context.inputs.end() && !test.input_default) {
      return {CheckStatus::Manual,
              fmt::format("give --input {}=… to automate", test.input),
              {},
              NotEvaluatedCause::None,
              false};
    }
    substituted = test.compare;
    substituted.values = input != context.inputs.end() ? input->second : *test.input_default;
    if (const std::string problem = joinPatterns(substituted); !problem.empty()) {
      return {CheckStatus::NotEvaluated,
              fmt::format("input {}: {}", test.input, problem),
              {},
              NotEvaluatedCause::Malformed,
              false};
    }
    if (const std::string problem = substituted.compile(); !problem.empty()) {
      return {CheckStatus::NotEvaluated,
              fmt::format("input {}: {}", test.input, problem),
              {},
              NotEvaluatedCause::Malformed,
              false};
    }
    compare = &substituted;
  }
  if (resource.kind == ResourceKind::Image && resource.dockerfile == nullptr &&
      test.probe->reads_build_steps) {
    return {CheckStatus::NotEvaluated,
            resource.snapshot != nullptr
                ? std::string(kNoHistory)
                : std::string("a root filesystem has no image config or build history"),
            {},
            NotEvaluatedCause::MissingInput,
            false};
  }
  ProbeResult result = test.probe->evaluate(test.params, resource);
  if (result.state == ProbeState::Manual) {
    return {CheckStatus::Manual, result.reason, {}, NotEvaluatedCause::None, false};
  }
  if (result.state == ProbeState::NotApplicable) {
    return {CheckStatus::NotApplicable, result.reason, {}, NotEvaluatedCause::None, false};
  }
  if (result.state == ProbeState::NotEvaluated) {
    const NotEvaluatedCause cause =
        result.cause == NotEvaluatedCause::None ? NotEvaluatedCause::Undetermined : result.cause;
    return {CheckStatus::NotEvaluated,
            result.reason,
            {},
            cause,
            test.if_collected && cause == NotEvaluatedCause::MissingInput};
  }
  std::vector<const Observation*> kept;
  for (const auto& o : result.observations) {
    if (test.select && !o.unknown && !o.absent) {
      const auto selected = test.select->matches(o);
      if (selected.has_value() && !*selected) continue;
    }
    kept.push_back(&o);
  }
  if (kept.empty()) {
    out.status = test.missing;
    out.reason = "nothing to check";
    if (test.missing == CheckStatus::NotEvaluated) out.cause = NotEvaluatedCause::MissingInput;
    out.evidence.push_back({"nothing observed",
                            result.looked_at.empty() ? resource.name : result.looked_at,
                            test.expected});
    return out;
  }
  std::vector<model::Evidence> failed;
  std::vector<model::Evidence> unknown;
  std::vector<model::Evidence> passed;
  std::vector<model::Evidence> absent_unknown;  // absent: not-evaluated
  std::vector<model::Evidence> manual;          // absent: manual
  std::size_t skipped = 0;                      // absent: not-applicable
  std::string unknown_reason;
  NotEvaluatedCause unknown_cause = NotEvaluatedCause::Undetermined;
  if (test.evidence) {
    // Shown, not judged: every observation, whatever the comparison says.
    out.status = CheckStatus::Pass;
    for (const Observation* o : kept) {
      model::Evidence evidence = evidenceOf(*o, test);
      if (o->absent && evidence.observed.empty()) evidence.observed = "absent";
      out.evidence.push_back(std::move(evidence));
    }
    return out;
  }
  for (const Observation* o : kept) {
    if (o->absent) {
      model::Evidence evidence = evidenceOf(*o, test);
      if (evidence.observed.empty()) evidence.observed = "absent";
      switch (test.absent) {
        case CheckStatus::Fail: failed.push_back(std::move(evidence)); break;
        case CheckStatus::Pass: passed.push_back(std::move(evidence)); break;
        case CheckStatus::NotEvaluated: absent_unknown.push_back(std::move(evidence)); break;
        case CheckStatus::Manual: manual.push_back(std::move(evidence)); break;
        case CheckStatus::NotApplicable: ++skipped; break;
      }
      continue;
    }
    std::optional<bool> ok;
    if (!o->unknown) ok = compare->matches(*o);
    if (!ok.has_value()) {
      if (unknown_reason.empty()) {
        unknown_reason = o->note.empty() ? "a value could not be determined" : o->note;
        if (o->cause != NotEvaluatedCause::None) unknown_cause = o->cause;
      }
      switch (test.unknown) {
        case CheckStatus::Fail: failed.push_back(evidenceOf(*o, test)); break;
        case CheckStatus::Pass: passed.push_back(evidenceOf(*o, test)); break;
        default: unknown.push_back(evidenceOf(*o, test)); break;
      }
    } else if (*ok) {
      passed.push_back(evidenceOf(*o, test));
    } else {
      failed.push_back(evidenceOf(*o, test));
    }
  }
  if (!failed.empty()) {
    out.status = CheckStatus::Fail;
    out.evidence = std::move(failed);
  } else if (!unknown.empty()) {
    out.status = test.unknown == CheckStatus::NotApplicable ? CheckStatus::NotApplicable
                 : test.unknown == CheckStatus::Manual      ? CheckStatus::Manual
                                                            : CheckStatus::NotEvaluated;
    out.reason = unknown_reason;
    if (out.status == CheckStatus::NotEvaluated) out.cause = unknown_cause;
    out.evidence = std::move(unknown);
  } else if (!absent_unknown.empty()) {
    out.status = CheckStatus::NotEvaluated;
    out.reason = "a value is absent";
    out.cause = NotEvaluatedCause::MissingInput;
    out.evidence = std::move(absent_unknown);
  } else if (!manual.empty()) {
    out.status = CheckStatus::Manual;
    out.reason = "a value is absent: check by hand";
    out.evidence = std::move(manual);
  } else if (!passed.empty()) {
    out.status = CheckStatus::Pass;
    out.evidence = std::move(passed);
  } else {
    out.status = CheckStatus::NotApplicable;
    out.reason = fmt::format("{} element(s) without the value", skipped);
  }
  return out;
}

// Takes the `evidence: true` outcomes out of `outcomes` and returns their evidence.
std::vector<model::Evidence> takeEvidenceOnly(std::vector<TestOutcome>& outcomes) {
  std::vector<model::Evidence> shown;
  for (auto& o : outcomes) {
    if (!o.evidence_only) continue;
    for (auto& e : o.evidence) shown.push_back(std::move(e));
  }
  outcomes.erase(std::remove_if(outcomes.begin(), outcomes.end(),
                                [](const TestOutcome& o) { return o.evidence_only; }),
                 outcomes.end());
  return shown;
}

void appendEvidence(TestOutcome& out, std::vector<model::Evidence> shown) {
  for (auto& e : shown) out.evidence.push_back(std::move(e));
}

// Removes if_collected outcomes when another outcome gave a verdict; an all-droppable list
// stays (its fold is droppable in turn).
void dropUncollected(std::vector<TestOutcome>& outcomes) {
  const bool verdict = std::any_of(outcomes.begin(), outcomes.end(), [](const TestOutcome& o) {
    return !o.droppable && (o.status == CheckStatus::Pass || o.status == CheckStatus::Fail);
  });
  if (!verdict) return;
  outcomes.erase(std::remove_if(outcomes.begin(), outcomes.end(),
                                [](const TestOutcome& o) { return o.droppable; }),
                 outcomes.end());
}

// Moves the evidence (and the first reason and cause) of the outcomes with `status` into out.
void gather(std::vector<TestOutcome>& outcomes, CheckStatus status, TestOutcome& out) {
  for (auto& o : outcomes) {
    if (o.status != status) continue;
    if (out.reason.empty()) out.reason = o.reason;
    if (out.cause == NotEvaluatedCause::None) out.cause = o.cause;
    for (auto& e : o.evidence) out.evidence.push_back(std::move(e));
  }
}

// A group's verdict from its children's: all (the check's own list) takes the first of fail,
// not-evaluated, manual, pass that a child has; any is a three-valued OR — pass, then
// not-evaluated or manual (an unknown child might have passed, so the group must not fail),
// then fail with every child's evidence. Neither: not-applicable.
TestOutcome foldCounted(std::vector<TestOutcome> outcomes, Test::Group group) {
  static constexpr std::array kAllOrder = {CheckStatus::Fail, CheckStatus::NotEvaluated,
                                           CheckStatus::Manual, CheckStatus::Pass};
  static constexpr std::array kAnyOrder = {CheckStatus::Pass, CheckStatus::NotEvaluated,
                                           CheckStatus::Manual, CheckStatus::Fail};
  dropUncollected(outcomes);
  TestOutcome out;
  out.droppable =
      !outcomes.empty() && std::all_of(outcomes.begin(), outcomes.end(),
                                       [](const TestOutcome& o) { return o.droppable; });
  const auto& order = group == Test::Group::Any ? kAnyOrder : kAllOrder;
  const auto* status = std::find_if(order.begin(), order.end(), [&](CheckStatus s) {
    return std::any_of(outcomes.begin(), outcomes.end(),
                       [&](const TestOutcome& o) { return o.status == s; });
  });
  out.status = status != order.end() ? *status : CheckStatus::NotApplicable;
  if (out.status == CheckStatus::Fail && group == Test::Group::Any) {
    for (auto& o : outcomes) {
      for (auto& e : o.evidence) out.evidence.push_back(std::move(e));
    }
    return out;
  }
  gather(outcomes, out.status, out);
  if (out.status != CheckStatus::NotEvaluated) out.cause = NotEvaluatedCause::None;
  if (out.status == CheckStatus::Pass || out.status == CheckStatus::Fail) out.reason.clear();
  if (out.status == CheckStatus::NotApplicable) out.evidence.clear();
  return out;
}

// A group's verdict (foldCounted); evidence-only outcomes do not count, their evidence follows
// the verdict's.
TestOutcome fold(std::vector<TestOutcome> outcomes, Test::Group group) {
  std::vector<model::Evidence> shown = takeEvidenceOnly(outcomes);
  TestOutcome out = foldCounted(std::move(outcomes), group);
  appendEvidence(out, std::move(shown));
  return out;
}

// Whether the test exists for the run's Kubernetes version (tests without a range always do).
bool inVersion(const Test& test, const EvalContext& context) {
  return !test.k8s_versions || test.k8s_versions->contains(context.k8s_version);
}

std::vector<TestOutcome> runTests(const std::vector<Test>& tests, const Resource& resource,
                                  const EvalContext& context) {
  std::vector<TestOutcome> outcomes;
  outcomes.reserve(tests.size());
  for (const auto& test : tests) {
    if (inVersion(test, context)) outcomes.push_back(runTest(test, resource, context));
  }
  return outcomes;
}

TestOutcome runTest(const Test& test, const Resource& resource, const EvalContext& context) {
  switch (test.group) {
    case Test::Group::Any:
      return fold(runTests(test.children, resource, context), Test::Group::Any);
    case Test::Group::All:
      return fold(runTests(test.children, resource, context), Test::Group::All);
    case Test::Group::None: break;
  }
  if (test.probe == nullptr) {
    return {CheckStatus::NotEvaluated,
            "the test has no probe",
            {},
            NotEvaluatedCause::Undetermined,
            false};
  }
  TestOutcome out = runProbe(test, resource, context);
  out.evidence_only = test.evidence;
  // An evidence test with nothing to show (its input not read) shows why.
  if (out.evidence_only && out.evidence.empty() && !out.reason.empty()) {
    out.evidence.push_back(
        {fmt::format("{}: {}", model::toString(out.status), out.reason), "", test.expected});
  }
  return out;
}

void cap(std::vector<model::Evidence>& evidence) {
  if (evidence.size() <= kMaxEvidence) return;
  const std::size_t more = evidence.size() - kMaxEvidence;
  evidence.resize(kMaxEvidence);
  evidence.push_back({fmt::format("… and {} more", more), "", ""});
}

// A result of `check` about `resource` (its name) of `kind`, before the verdict.
model::CheckResult resultOf(const Check& check, std::string resource, std::string kind) {
  model::CheckResult result;
  result.check_id = check.id;
  result.title = check.title;
  result.severity = check.severity;
  result.references = check.references;
  result.remediation = check.remediation;
  result.resource = std::move(resource);
  result.resource_kind = std::move(kind);
  return result;
}

model::CheckResult resultOf(const Check& check, const Resource& resource) {
  return resultOf(check, resource.name, std::string(toString(resource.kind)));
}

}  // namespace

model::CheckResult evaluateCheck(const Check& check, const Resource& resource,
                                 const EvalContext& context) {
  model::CheckResult result = resultOf(check, resource);
  const Applicability* applies = check.appliesTo(resource.kind);
  if (applies == nullptr) {
    result.status = CheckStatus::NotApplicable;
    result.reason = fmt::format("the check does not apply to a {}", toString(resource.kind));
    return result;
  }
  if (!applies->evaluate()) {
    result.status = applies->status;
    result.reason = applies->reason;
    if (result.status == CheckStatus::NotEvaluated) result.cause = NotEvaluatedCause::Undetermined;
    return result;
  }
  // A failing gate: not-applicable. A gate that cannot be evaluated does not stop the check:
  // unknown applicability never hides a failure.
  for (const auto& gate : check.applies_when) {
    if (!inVersion(gate, context)) continue;
    const TestOutcome outcome = runTest(gate, resource, context);
    if (outcome.status == CheckStatus::Fail || outcome.status == CheckStatus::NotApplicable) {
      result.status = CheckStatus::NotApplicable;
      result.reason = fmt::format("applies only when {}", expectedOf(gate));
      return result;
    }
  }
  if (check.tests.empty()) {
    result.status = check.automated ? CheckStatus::NotEvaluated : CheckStatus::Manual;
    result.reason = check.automated ? "the check has no tests" : check.audit;
    if (check.automated) result.cause = NotEvaluatedCause::Undetermined;
    return result;
  }
  if (std::none_of(check.tests.begin(), check.tests.end(),
                   [&](const Test& t) { return inVersion(t, context); })) {
    result.status = CheckStatus::NotApplicable;
    result.reason = fmt::format("no rule for Kubernetes {}", context.k8s_version.text());
    return result;
  }
  TestOutcome folded = fold(runTests(check.tests, resource, context), Test::Group::All);
  result.status = folded.status;
  result.reason = std::move(folded.reason);
  result.evidence = std::move(folded.evidence);
  if (result.status == CheckStatus::NotEvaluated) result.cause = folded.cause;
  // A manual check whose tests only show evidence: no verdict to suggest.
  const bool shows_only =
      std::all_of(check.tests.begin(), check.tests.end(), [](const Test& t) { return t.evidence; });
  if (!check.automated && shows_only) {
    result.status = CheckStatus::Manual;
    result.cause = NotEvaluatedCause::None;
    result.reason = check.audit;
    cap(result.evidence);
    return result;
  }
  // A manual check: the tests only assist the person who decides.
  if (!check.automated && result.status != CheckStatus::NotApplicable) {
    if (result.status != CheckStatus::Manual) result.assist = result.status;
    result.status = CheckStatus::Manual;
    result.cause = NotEvaluatedCause::None;
    if (result.reason.empty()) result.reason = check.audit;
  }
  cap(result.evidence);
  return result;
}

std::vector<model::CheckResult> evaluate(const CheckSet& set, const Resource& resource,
                                         const EvalContext& context) {
  std::vector<model::CheckResult> results;
  results.reserve(set.checks.size());
  for (const auto& check : set.checks) {
    if (check.appliesTo(resource.kind) == nullptr) continue;
    results.push_back(evaluateCheck(check, resource, context));
  }
  return results;
}

std::vector<model::CheckResult> evaluateDockerfile(const CheckSet& set,
                                                   const dockerfile::Dockerfile& file,
                                                   std::string_view path) {
  Resource resource;
  resource.kind = ResourceKind::Dockerfile;
  resource.name = std::string(path);
  resource.dockerfile = &file;
  return evaluate(set, resource);
}

std::vector<model::CheckResult> evaluateImage(const CheckSet& set, const model::Target& target,
                                              const ImageFiles& files) {
  const dockerfile::Dockerfile history = dockerfile::fromHistory(target.config.history);
  Resource resource;
  resource.kind = ResourceKind::Image;
  resource.name = target.name;
  // A root filesystem (no config) has no build steps to read; its files still have facts.
  resource.dockerfile = target.config.present ? &history : nullptr;
  resource.config = &target.config;
  resource.files = &files;
  return evaluate(set, resource);
}

namespace {

std::string stringAt(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> stringsAt(const nlohmann::json& object, std::string_view key) {
  std::vector<std::string> out;
  if (!object.is_object()) return out;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string hostName(const docker::Snapshot& snapshot) {
  std::string name;
  if (snapshot.engine.info.state.ok()) name = stringAt(snapshot.engine.info.doc, "Name");
  if (name.empty()) name = snapshot.hostname;
  return "docker-host:" + name;
}

NotEvaluatedCause causeOfState(const docker::FactState& state) {
  const NotEvaluatedCause cause = docker::causeOf(state.status);
  return cause == NotEvaluatedCause::None ? NotEvaluatedCause::MissingInput : cause;
}

std::string stateText(std::string_view what, const docker::FactState& state) {
  return fmt::format("{} is {}{}{}", what, docker::toString(state.status),
                     state.detail.empty() ? "" : ": ", state.detail);
}

// The image checks on an image whose inspect document was not read: not evaluated, with the
// state's cause (a check that says "not-applicable: why" for images keeps saying it).
void imageNotRead(const CheckSet& set, const Resource& resource, const docker::Image& image,
                  std::vector<model::CheckResult>& results) {
  for (const auto& check : set.checks) {
    const Applicability* applies = check.appliesTo(ResourceKind::Image);
    if (applies == nullptr) continue;
    if (!applies->evaluate()) {
      results.push_back(evaluateCheck(check, resource));
      continue;
    }
    model::CheckResult result = resultOf(check, resource);
    result.status = CheckStatus::NotEvaluated;
    result.reason = stateText("the image's inspect document", image.inspect.state);
    result.cause = causeOfState(image.inspect.state);
    results.push_back(std::move(result));
  }
}

}  // namespace

namespace docker {

model::Target imageTargetOf(const Image& image) {
  model::Target target;
  target.name = imageResourceName(image).substr(6);
  target.kind = "docker-engine";
  target.config_digest = image.id;
  target.repo_tags = image.tags;
  if (!image.inspect.state.ok() || !image.inspect.doc.is_object()) return target;
  const nlohmann::json& doc = image.inspect.doc;
  target.created = stringAt(doc, "Created");
  target.os = stringAt(doc, "Os");
  target.architecture = stringAt(doc, "Architecture");
  target.repo_digests = stringsAt(doc, "RepoDigests");
  model::ImageConfig& config = target.config;
  config.present = true;
  if (const auto runtime = doc.find("Config"); runtime != doc.end() && runtime->is_object()) {
    config.user = stringAt(*runtime, "User");
    config.env = stringsAt(*runtime, "Env");
    config.entrypoint = stringsAt(*runtime, "Entrypoint");
    config.cmd = stringsAt(*runtime, "Cmd");
    config.working_dir = stringAt(*runtime, "WorkingDir");
    if (const auto labels = runtime->find("Labels");
        labels != runtime->end() && labels->is_object()) {
      for (const auto& [key, value] : labels->items()) {
        if (value.is_string()) config.labels.emplace_back(key, value.get<std::string>());
      }
      std::sort(config.labels.begin(), config.labels.end());
    }
    if (const auto ports = runtime->find("ExposedPorts");
        ports != runtime->end() && ports->is_object()) {
      for (const auto& [port, ignored] : ports->items()) config.exposed_ports.push_back(port);
      std::sort(config.exposed_ports.begin(), config.exposed_ports.end());
    }
    if (const auto check = runtime->find("Healthcheck");
        check != runtime->end() && check->is_object()) {
      config.healthcheck_test = stringsAt(*check, "Test");
      config.has_healthcheck =
          !config.healthcheck_test.empty() && config.healthcheck_test[0] != "NONE";
    }
  }
  // /images/{id}/history lists the newest layer first; image configs list the oldest first.
  if (image.history.state.ok() && image.history.doc.is_array()) {
    for (const auto& entry : image.history.doc) {
      if (!entry.is_object()) continue;
      model::HistoryEntry history;
      history.created_by = stringAt(entry, "CreatedBy");
      history.comment = stringAt(entry, "Comment");
      if (const auto size = entry.find("Size"); size != entry.end() && size->is_number()) {
        history.empty_layer = size->get<double>() == 0;
      }
      config.history.push_back(std::move(history));
    }
    std::reverse(config.history.begin(), config.history.end());
  }
  return target;
}

std::string imageResourceName(const Image& image) {
  if (!image.tags.empty()) {
    return "image:" + *std::min_element(image.tags.begin(), image.tags.end());
  }
  std::string_view id = image.id;
  if (id.starts_with("sha256:")) id.remove_prefix(7);
  return "image:" + std::string(id.substr(0, 12));
}

}  // namespace docker

std::vector<model::CheckResult> evaluateDocker(const CheckSet& set,
                                               const docker::Snapshot& snapshot,
                                               const EvalContext& context,
                                               core::Diagnostics& diagnostics) {
  const docker::DaemonConfig daemon =
      docker::effectiveConfig(snapshot.host.dockerd, snapshot.host.daemon_json, diagnostics);
  std::vector<model::CheckResult> results;

  Resource host;
  host.kind = ResourceKind::DockerHost;
  host.name = hostName(snapshot);
  host.snapshot = &snapshot;
  host.daemon = &daemon;
  results = evaluate(set, host, context);

  std::vector<const docker::Container*> containers;
  containers.reserve(snapshot.engine.containers.size());
  for (const auto& container : snapshot.engine.containers) containers.push_back(&container);
  std::stable_sort(containers.begin(), containers.end(),
                   [](const docker::Container* a, const docker::Container* b) {
                     return std::tie(a->name, a->id) < std::tie(b->name, b->id);
                   });
  for (const docker::Container* container : containers) {
    Resource resource;
    resource.kind = ResourceKind::DockerContainer;
    resource.name = "container:" + container->name;
    resource.snapshot = &snapshot;
    resource.container = container;
    resource.daemon = &daemon;
    auto more = evaluate(set, resource, context);
    for (auto& r : more) results.push_back(std::move(r));
  }

  std::vector<const docker::Image*> images;
  images.reserve(snapshot.engine.images.size());
  for (const auto& image : snapshot.engine.images) images.push_back(&image);
  std::stable_sort(images.begin(), images.end(),
                   [](const docker::Image* a, const docker::Image* b) {
                     const std::string name_a = docker::imageResourceName(*a);
                     const std::string name_b = docker::imageResourceName(*b);
                     return std::tie(name_a, a->id) < std::tie(name_b, b->id);
                   });
  const ImageFiles no_files;  // layers are not read from a Docker host
  for (const docker::Image* image : images) {
    const model::Target target = docker::imageTargetOf(*image);
    const dockerfile::Dockerfile history = dockerfile::fromHistory(target.config.history);
    Resource resource;
    resource.kind = ResourceKind::Image;
    resource.name = docker::imageResourceName(*image);
    // Without its history an image has no build steps to read (never an empty, passing list).
    resource.dockerfile = target.config.present && image->history.state.ok() ? &history : nullptr;
    resource.config = &target.config;
    resource.files = &no_files;
    resource.snapshot = &snapshot;
    resource.daemon = &daemon;
    if (!target.config.present) {
      imageNotRead(set, resource, *image, results);
      continue;
    }
    auto more = evaluate(set, resource, context);
    for (auto& r : more) {
      if (r.status == CheckStatus::NotEvaluated && r.reason == kNoHistory) {
        r.reason = stateText("the image's history", image->history.state);
        r.cause = causeOfState(image->history.state);
      }
      results.push_back(std::move(r));
    }
  }
  return results;
}

std::string Resource::where(const dockerfile::Instruction& instruction) const {
  if (dockerfile != nullptr && dockerfile->from_history) {
    return fmt::format("history[{}]", instruction.history);
  }
  return fmt::format("{}:{}", name, instruction.line);
}

namespace {

// A result of an input check (BW-K8S-6xx) about `resource`: not evaluated, with the cause.
model::CheckResult inputResult(const Check& check, std::string resource,
                               model::NotEvaluatedCause cause, std::string reason) {
  model::CheckResult result = resultOf(check, std::move(resource), "k8s-input");
  result.status = CheckStatus::NotEvaluated;
  result.cause = cause;
  result.reason = std::move(reason);
  return result;
}

std::optional<model::SourceLocation> locationOf(const k8s::Object& object) {
  if (object.origin.file.empty()) return std::nullopt;
  return model::SourceLocation{object.origin.file, object.origin.line};
}

bool looksAt(const Check& check, const k8s::Object& object) {
  return check.k8s_kinds.empty() || std::find(check.k8s_kinds.begin(), check.k8s_kinds.end(),
                                              object.kind) != check.k8s_kinds.end();
}

}  // namespace

std::vector<model::CheckResult> evaluateK8s(const CheckSet& set, const k8s::Inventory& inventory,
                                            const EvalContext& context) {
  std::vector<model::CheckResult> results;
  for (const auto& problem : inventory.problems) {
    const Check* check = set.find(problem.check_id);
    if (check == nullptr) continue;
    auto result = inputResult(*check, problem.resource, problem.cause, problem.reason);
    if (!problem.file.empty()) result.location = model::SourceLocation{problem.file, problem.line};
    results.push_back(std::move(result));
  }
  // Live lists that could not be read (a live cluster or its snapshot): one result each, so a
  // partly readable cluster never reads as a clean one. A missing API group (404) is not
  // unreadable input: the server has none of those objects.
  if (const Check* source_check = set.find("BW-K8S-604"); source_check != nullptr) {
    for (const auto& [key, source] : inventory.sources) {
      if (source.state.ok() || source.state.status == docker::FactStatus::Missing) continue;
      std::string reason = source.state.detail.empty()
                               ? std::string(docker::toString(source.state.status))
                               : source.state.detail;
      if (!source.state.source.empty()) reason = fmt::format("{}: {}", source.state.source, reason);
      results.push_back(inputResult(*source_check,
                                    fmt::format("k8s-api:{}/{}", inventory.cluster, key),
                                    docker::causeOf(source.state.status), std::move(reason)));
    }
  }
  // Namespaces (declared or named by an object), each with its derived document.
  const bool namespace_checks =
      std::any_of(set.checks.begin(), set.checks.end(),
                  [](const auto& c) { return c.appliesTo(ResourceKind::K8sNamespace) != nullptr; });
  for (const auto& ns : namespace_checks ? inventory.namespaces() : std::vector<std::string>{}) {
    const nlohmann::json derived = k8s::namespaceDocument(inventory, ns);
    Resource resource;
    resource.kind = ResourceKind::K8sNamespace;
    resource.name = fmt::format("k8s:_cluster/Namespace/{}", ns);
    resource.object = inventory.find("Namespace", "", ns);
    resource.inventory = &inventory;
    resource.derived = &derived;
    for (auto& result : evaluate(set, resource, context)) {
      if (resource.object != nullptr) result.location = locationOf(*resource.object);
      results.push_back(std::move(result));
    }
  }
  const Check* unknown_kind = set.find("BW-K8S-601");
  for (const auto& object : inventory.objects) {
    Resource resource;
    switch (object.kind_class) {
      case k8s::KindClass::Workload: resource.kind = ResourceKind::K8sWorkload; break;
      case k8s::KindClass::Object: resource.kind = ResourceKind::K8sObject; break;
      case k8s::KindClass::Namespace:
      case k8s::KindClass::Uninspected: continue;
      case k8s::KindClass::Unknown:
        if (unknown_kind != nullptr) {
          auto result = inputResult(
              *unknown_kind, object.resourceName(), NotEvaluatedCause::Undetermined,
              fmt::format("kind {} ({}) is not one bulwark checks", object.kind,
                          object.api_version.empty() ? "no apiVersion" : object.api_version));
          result.location = locationOf(object);
          results.push_back(std::move(result));
        }
        continue;
    }
    resource.name = object.resourceName();
    resource.object = &object;
    resource.inventory = &inventory;
    resource.image_scans = context.image_scans;
    for (const auto& check : set.checks) {
      if (check.appliesTo(resource.kind) == nullptr || !looksAt(check, object)) continue;
      auto result = evaluateCheck(check, resource, context);
      result.location = locationOf(object);
      results.push_back(std::move(result));
    }
  }
  return results;
}

}  // namespace bulwark::checks
