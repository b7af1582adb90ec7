#include "checks/evaluate.h"

#include <algorithm>

#include <fmt/format.h>

namespace bulwark::checks {

namespace {

using model::CheckStatus;

constexpr std::size_t kMaxEvidence = 50;

struct TestOutcome {
  CheckStatus status = CheckStatus::Pass;
  std::string reason;
  std::vector<model::Evidence> evidence;
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

TestOutcome runTest(const Test& test, const Resource& resource) {
  TestOutcome out;
  if (resource.kind == ResourceKind::Image && resource.dockerfile == nullptr &&
      test.probe->reads_build_steps) {
    return {
        CheckStatus::NotEvaluated, "a root filesystem has no image config or build history", {}};
  }
  ProbeResult result = test.probe->evaluate(test.params, resource);
  if (result.state == ProbeState::NotApplicable) {
    return {CheckStatus::NotApplicable, result.reason, {}};
  }
  if (result.state == ProbeState::NotEvaluated) {
    return {CheckStatus::NotEvaluated, result.reason, {}};
  }
  std::vector<const Observation*> kept;
  for (const auto& o : result.observations) {
    if (test.select && !o.unknown) {
      const auto selected = test.select->matches(o);
      if (selected.has_value() && !*selected) continue;
    }
    kept.push_back(&o);
  }
  if (kept.empty()) {
    out.status = test.missing;
    out.reason = "nothing to check";
    out.evidence.push_back({"nothing observed", resource.name, test.expected});
    return out;
  }
  std::vector<model::Evidence> failed;
  std::vector<model::Evidence> unknown;
  std::vector<model::Evidence> passed;
  std::string unknown_reason;
  for (const Observation* o : kept) {
    std::optional<bool> ok;
    if (!o->unknown) ok = test.compare.matches(*o);
    if (!ok.has_value()) {
      if (unknown_reason.empty()) {
        unknown_reason = o->note.empty() ? "a value could not be determined" : o->note;
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
                                                            : CheckStatus::NotEvaluated;
    out.reason = unknown_reason;
    out.evidence = std::move(unknown);
  } else {
    out.status = CheckStatus::Pass;
    out.evidence = std::move(passed);
  }
  return out;
}

void cap(std::vector<model::Evidence>& evidence) {
  if (evidence.size() <= kMaxEvidence) return;
  const std::size_t more = evidence.size() - kMaxEvidence;
  evidence.resize(kMaxEvidence);
  evidence.push_back({fmt::format("… and {} more", more), "", ""});
}

}  // namespace

model::CheckResult evaluateCheck(const Check& check, const Resource& resource) {
  model::CheckResult result;
  result.check_id = check.id;
  result.title = check.title;
  result.severity = check.severity;
  result.references = check.references;
  result.remediation = check.remediation;
  result.resource = resource.name;
  const Applicability& applies =
      resource.kind == ResourceKind::Dockerfile ? check.dockerfile : check.image;
  if (!applies.evaluate()) {
    result.status = applies.status;
    result.reason = applies.reason;
    return result;
  }
  std::vector<TestOutcome> outcomes;
  outcomes.reserve(check.tests.size());
  for (const auto& test : check.tests) outcomes.push_back(runTest(test, resource));
  const auto any = [&](CheckStatus status) {
    return std::any_of(outcomes.begin(), outcomes.end(),
                       [&](const TestOutcome& o) { return o.status == status; });
  };
  const auto collect = [&](CheckStatus status) {
    for (auto& o : outcomes) {
      if (o.status != status) continue;
      if (result.reason.empty()) result.reason = o.reason;
      for (auto& e : o.evidence) result.evidence.push_back(std::move(e));
    }
  };
  if (any(CheckStatus::Fail)) {
    result.status = CheckStatus::Fail;
    collect(CheckStatus::Fail);
    result.reason.clear();
  } else if (any(CheckStatus::NotEvaluated)) {
    result.status = CheckStatus::NotEvaluated;
    collect(CheckStatus::NotEvaluated);
  } else if (any(CheckStatus::Pass)) {
    result.status = CheckStatus::Pass;
    collect(CheckStatus::Pass);
    result.reason.clear();
  } else {
    result.status = CheckStatus::NotApplicable;
    collect(CheckStatus::NotApplicable);
    result.evidence.clear();
  }
  cap(result.evidence);
  return result;
}

std::vector<model::CheckResult> evaluate(const CheckSet& set, const Resource& resource) {
  std::vector<model::CheckResult> results;
  results.reserve(set.checks.size());
  for (const auto& check : set.checks) results.push_back(evaluateCheck(check, resource));
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

std::string Resource::where(const dockerfile::Instruction& instruction) const {
  if (dockerfile != nullptr && dockerfile->from_history) {
    return fmt::format("history[{}]", instruction.history);
  }
  return fmt::format("{}:{}", name, instruction.line);
}

}  // namespace bulwark::checks
