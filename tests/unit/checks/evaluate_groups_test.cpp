// The evaluation semantics of docs/dev/hardening-design.md §1.3: any/all groups, if_collected,
// applies_when, inputs, manual checks and assist, the fold order, causes, `absent:`,
// mode-at-most and signed 64-bit numbers. Checks are built in code around a scripted probe
// whose observations each test decides, and from YAML with the real Dockerfile probes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checks/check.h"
#include "checks/dockerfile/dockerfile.h"
#include "checks/evaluate.h"

namespace {

using bulwark::checks::Check;
using bulwark::checks::Comparison;
using bulwark::checks::EvalContext;
using bulwark::checks::Observation;
using bulwark::checks::Op;
using bulwark::checks::Params;
using bulwark::checks::ProbeKind;
using bulwark::checks::ProbeResult;
using bulwark::checks::Resource;
using bulwark::checks::ResourceKind;
using CheckTest = bulwark::checks::Test;
using bulwark::model::CheckStatus;
using bulwark::model::NotEvaluatedCause;

// The scripted probe: `script` is "ne:CAUSE", "na", or observations separated by ','; an
// observation "<absent>" is absent, "?" unknown.
ProbeResult scripted(const Params& params, const Resource& /*resource*/) {
  const std::string script(params.string("script"));
  if (script == "ne:missing-input") {
    return ProbeResult::notEvaluated("not collected", NotEvaluatedCause::MissingInput);
  }
  if (script == "ne:permission-denied") {
    return ProbeResult::notEvaluated("stat: permission denied",
                                     NotEvaluatedCause::PermissionDenied);
  }
  if (script == "ne:none") return ProbeResult::notEvaluated("no idea", NotEvaluatedCause::None);
  if (script == "na") return ProbeResult::notApplicable("not running");
  ProbeResult result;
  std::size_t start = 0;
  while (start <= script.size() && !script.empty()) {
    const auto comma = script.find(',', start);
    const std::string item =
        script.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    Observation o;
    o.where = "scripted";
    if (item == "<absent>") {
      o.absent = true;
    } else if (item == "?") {
      o.unknown = true;
      o.note = "cannot tell";
    } else {
      o.values = {item};
    }
    result.observations.push_back(std::move(o));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return result;
}

const ProbeKind kScripted{"scripted", "test probe", {}, &scripted, false};

Comparison compare(Op op, std::vector<std::string> values = {}, bool at_most = false) {
  Comparison c;
  c.op = op;
  c.values = std::move(values);
  c.mode_at_most = at_most;
  EXPECT_EQ(c.compile(), "");
  return c;
}

// A comparison whose values are an input placeholder: compiled only once the input is known.
Comparison placeholder(Op op, const std::string& name) {
  Comparison c;
  c.op = op;
  c.values = {"{{" + name + "}}"};
  return c;
}

CheckTest leaf(const std::string& script, Comparison c = compare(Op::Eq, {"ok"})) {
  CheckTest t;
  t.probe = &kScripted;
  t.params.set("script", script);
  t.compare = std::move(c);
  t.expected = "ok";
  return t;
}

CheckTest group(CheckTest::Group kind, std::vector<CheckTest> children) {
  CheckTest t;
  t.group = kind;
  t.children = std::move(children);
  return t;
}

Check checkOf(std::vector<CheckTest> tests) {
  Check check;
  check.id = "BW-T-1";
  check.title = "t";
  check.audit = "look at it";
  check.applies.at(static_cast<std::size_t>(ResourceKind::DockerHost)) =
      bulwark::checks::Applicability{CheckStatus::Pass, ""};
  check.tests = std::move(tests);
  return check;
}

bulwark::model::CheckResult run(const Check& check, const EvalContext& context = {}) {
  Resource host;
  host.kind = ResourceKind::DockerHost;
  host.name = "docker-host:test";
  return bulwark::checks::evaluateCheck(check, host, context);
}

TEST(EvaluateGroups, AnyPassesWhenOneChildPasses) {
  const auto r = run(checkOf({group(CheckTest::Group::Any, {leaf("bad"), leaf("ok")})}));
  EXPECT_EQ(r.status, CheckStatus::Pass);
  EXPECT_EQ(r.resource_kind, "docker-host");
}

TEST(EvaluateGroups, AnyFailsWithEveryChildsEvidence) {
  const auto r = run(checkOf({group(CheckTest::Group::Any, {leaf("bad"), leaf("worse")})}));
  EXPECT_EQ(r.status, CheckStatus::Fail);
  ASSERT_EQ(r.evidence.size(), 2U);
  EXPECT_EQ(r.evidence[0].observed, "bad");
  EXPECT_EQ(r.evidence[1].observed, "worse");
}

TEST(EvaluateGroups, AnyWithoutVerdictIsNotEvaluated) {
  const auto r =
      run(checkOf({group(CheckTest::Group::Any, {leaf("ne:permission-denied"), leaf("na")})}));
  EXPECT_EQ(r.status, CheckStatus::NotEvaluated);
  EXPECT_EQ(r.cause, NotEvaluatedCause::PermissionDenied);
  // Three-valued OR: a child that could not be evaluated might have passed, so a failing
  // sibling does not make the group fail (no false fail, as there is never a false pass).
  const auto unknown_or_bad =
      run(checkOf({group(CheckTest::Group::Any, {leaf("ne:permission-denied"), leaf("bad")})}));
  EXPECT_EQ(unknown_or_bad.status, CheckStatus::NotEvaluated);
  EXPECT_EQ(unknown_or_bad.cause, NotEvaluatedCause::PermissionDenied);
}

TEST(EvaluateGroups, AllInsideAnyNests) {
  // any[ bad, all(ok, ok) ] passes; any[ bad, all(ok, bad) ] fails.
  EXPECT_EQ(
      run(checkOf({group(CheckTest::Group::Any,
                         {leaf("bad"), group(CheckTest::Group::All, {leaf("ok"), leaf("ok")})})}))
          .status,
      CheckStatus::Pass);
  EXPECT_EQ(
      run(checkOf({group(CheckTest::Group::Any,
                         {leaf("bad"), group(CheckTest::Group::All, {leaf("ok"), leaf("bad")})})}))
          .status,
      CheckStatus::Fail);
}

TEST(EvaluateGroups, FoldOrderFailNotEvaluatedManualPassNotApplicable) {
  CheckTest manual = leaf("ok", placeholder(Op::InSet, "x"));
  manual.input = "x";
  EXPECT_EQ(run(checkOf({leaf("ok"), leaf("ne:none"), manual, leaf("bad"), leaf("na")})).status,
            CheckStatus::Fail);
  const auto ne = run(checkOf({leaf("ok"), leaf("ne:none"), manual, leaf("na")}));
  EXPECT_EQ(ne.status, CheckStatus::NotEvaluated);
  EXPECT_EQ(ne.cause, NotEvaluatedCause::Undetermined) << "a probe giving no cause";
  EXPECT_EQ(run(checkOf({leaf("ok"), manual, leaf("na")})).status, CheckStatus::Manual);
  EXPECT_EQ(run(checkOf({leaf("ok"), leaf("na")})).status, CheckStatus::Pass);
  EXPECT_EQ(run(checkOf({leaf("na"), leaf("na")})).status, CheckStatus::NotApplicable);
}

TEST(EvaluateGroups, CausePropagates) {
  const auto r = run(checkOf({leaf("ok"), leaf("ne:permission-denied")}));
  EXPECT_EQ(r.status, CheckStatus::NotEvaluated);
  EXPECT_EQ(r.cause, NotEvaluatedCause::PermissionDenied);
  EXPECT_EQ(r.reason, "stat: permission denied");
  EXPECT_EQ(run(checkOf({leaf("ok")})).cause, NotEvaluatedCause::None);
}

TEST(EvaluateGroups, IfCollectedIsDroppedWhenAnotherTestGaveAVerdict) {
  CheckTest corroboration = leaf("ne:missing-input");
  corroboration.if_collected = true;
  // The daemon config passes; /info was not collected: pass (dropped).
  EXPECT_EQ(run(checkOf({leaf("ok"), corroboration})).status, CheckStatus::Pass);
  EXPECT_EQ(run(checkOf({leaf("bad"), corroboration})).status, CheckStatus::Fail);
  // Alone it cannot be dropped: nothing else gave a verdict.
  const auto alone = run(checkOf({corroboration}));
  EXPECT_EQ(alone.status, CheckStatus::NotEvaluated);
  EXPECT_EQ(alone.cause, NotEvaluatedCause::MissingInput);
  // Only MissingInput is dropped: permission denied stays not-evaluated.
  CheckTest denied = leaf("ne:permission-denied");
  denied.if_collected = true;
  EXPECT_EQ(run(checkOf({leaf("ok"), denied})).status, CheckStatus::NotEvaluated);
  // Without if_collected a missing input keeps the check from passing.
  EXPECT_EQ(run(checkOf({leaf("ok"), leaf("ne:missing-input")})).status, CheckStatus::NotEvaluated);
}

TEST(EvaluateGroups, AppliesWhenGates) {
  Check check = checkOf({leaf("bad")});
  CheckTest gate = leaf("inactive", compare(Op::Eq, {"active"}));
  gate.expected = "swarm mode is active";
  check.applies_when = {gate};
  const auto r = run(check);
  EXPECT_EQ(r.status, CheckStatus::NotApplicable);
  EXPECT_EQ(r.reason, "applies only when swarm mode is active");
  EXPECT_TRUE(r.evidence.empty());
  check.applies_when = {leaf("active", compare(Op::Eq, {"active"}))};
  EXPECT_EQ(run(check).status, CheckStatus::Fail);
}

TEST(EvaluateGroups, UnknownApplicabilityNeverHidesAFailure) {
  Check check = checkOf({leaf("bad")});
  check.applies_when = {leaf("ne:missing-input")};
  EXPECT_EQ(run(check).status, CheckStatus::Fail);
}

TEST(EvaluateGroups, InputsAreSubstitutedOrTheTestIsManual) {
  CheckTest members = leaf("alice", placeholder(Op::InSet, "trusted_users"));
  members.input = "trusted_users";
  const Check check = checkOf({members});
  const auto manual = run(check);
  EXPECT_EQ(manual.status, CheckStatus::Manual);
  EXPECT_EQ(manual.reason, "give --input trusted_users=… to automate");
  EXPECT_FALSE(manual.assist.has_value());
  EvalContext context;
  context.inputs["trusted_users"] = {"alice", "bob"};
  EXPECT_EQ(run(check, context).status, CheckStatus::Pass);
  context.inputs["trusted_users"] = {"bob"};
  EXPECT_EQ(run(check, context).status, CheckStatus::Fail);
  // A numeric comparison parses the input; a bad one is not evaluated, never a pass.
  CheckTest limit = leaf("5", placeholder(Op::Lt, "max"));
  limit.input = "max";
  context.inputs["max"] = {"10"};
  EXPECT_EQ(run(checkOf({limit}), context).status, CheckStatus::Pass);
  context.inputs["max"] = {"ten"};
  const auto bad = run(checkOf({limit}), context);
  EXPECT_EQ(bad.status, CheckStatus::NotEvaluated);
  EXPECT_EQ(bad.cause, NotEvaluatedCause::Malformed);
}

TEST(EvaluateGroups, ManualCheckKeepsTheVerdictAsAssist) {
  Check check = checkOf({leaf("bad")});
  check.automated = false;
  const auto failing = run(check);
  EXPECT_EQ(failing.status, CheckStatus::Manual);
  ASSERT_TRUE(failing.assist.has_value());
  EXPECT_EQ(*failing.assist, CheckStatus::Fail);
  ASSERT_EQ(failing.evidence.size(), 1U) << "evidence kept";
  EXPECT_EQ(failing.evidence[0].observed, "bad");
  EXPECT_EQ(failing.reason, "look at it");

  check.tests = {leaf("ok")};
  const auto passing = run(check);
  EXPECT_EQ(passing.status, CheckStatus::Manual);
  EXPECT_EQ(passing.assist, CheckStatus::Pass);

  check.tests = {leaf("ne:permission-denied")};
  const auto unknown = run(check);
  EXPECT_EQ(unknown.status, CheckStatus::Manual);
  EXPECT_EQ(unknown.assist, CheckStatus::NotEvaluated);
  EXPECT_EQ(unknown.cause, NotEvaluatedCause::None);

  check.tests.clear();
  const auto guidance = run(check);
  EXPECT_EQ(guidance.status, CheckStatus::Manual);
  EXPECT_FALSE(guidance.assist.has_value());
  EXPECT_EQ(guidance.reason, "look at it");

  // Not applicable stays not applicable (a swarm-only manual check on a non-swarm host).
  check.tests = {leaf("ok")};
  check.applies_when = {leaf("inactive", compare(Op::Eq, {"active"}))};
  EXPECT_EQ(run(check).status, CheckStatus::NotApplicable);
}

TEST(EvaluateGroups, AbsentObservationsFollowAbsent) {
  CheckTest t = leaf("ok,<absent>");
  t.absent = CheckStatus::Fail;
  EXPECT_EQ(run(checkOf({t})).status, CheckStatus::Fail);
  t.absent = CheckStatus::Pass;
  EXPECT_EQ(run(checkOf({t})).status, CheckStatus::Pass);
  t.absent = CheckStatus::NotEvaluated;
  EXPECT_EQ(run(checkOf({t})).status, CheckStatus::NotEvaluated);
  t.absent = CheckStatus::NotApplicable;  // skipped: the other element passes
  EXPECT_EQ(run(checkOf({t})).status, CheckStatus::Pass);
  t.params.set("script", "<absent>");
  EXPECT_EQ(run(checkOf({t})).status, CheckStatus::NotApplicable);
  // Absent never reaches the comparison: `unset` would pass it.
  CheckTest unset = leaf("<absent>", compare(Op::Unset));
  unset.absent = CheckStatus::Fail;
  EXPECT_EQ(run(checkOf({unset})).status, CheckStatus::Fail);
  // Nothing observed at all: `missing:`.
  CheckTest nothing = leaf("");
  nothing.missing = CheckStatus::NotEvaluated;
  const auto missing = run(checkOf({nothing}));
  EXPECT_EQ(missing.status, CheckStatus::NotEvaluated);
  nothing.missing = CheckStatus::Manual;
  EXPECT_EQ(run(checkOf({nothing})).status, CheckStatus::Manual);
}

TEST(EvaluateGroups, ModeAtMostIsBitwise) {
  const Comparison at_most = compare(Op::Bitmask, {"644"}, true);
  EXPECT_EQ(at_most.number, 07133);
  EXPECT_EQ(at_most.describe(), "mode 644 or stricter");
  const auto mode = [&](const std::string& m) {
    Observation o;
    o.values = {m};
    return at_most.matches(o);
  };
  EXPECT_EQ(mode("0640"), true);
  EXPECT_EQ(mode("0644"), true);
  EXPECT_EQ(mode("0600"), true);
  EXPECT_EQ(mode("0400"), true);
  EXPECT_EQ(mode("0654"), false) << "654 > 644 as a string and as a number would pass 0640 too";
  EXPECT_EQ(mode("0660"), false);
  EXPECT_EQ(mode("0744"), false);
  EXPECT_EQ(mode("4644"), false) << "setuid";
  EXPECT_FALSE(mode("rw-r--r--").has_value());
  EXPECT_EQ(run(checkOf({leaf("0640", at_most)})).status, CheckStatus::Pass);
  EXPECT_EQ(run(checkOf({leaf("0654", at_most)})).status, CheckStatus::Fail);
  Comparison bad = at_most;
  bad.values = {"10000"};
  EXPECT_NE(bad.compile(), "");
}

TEST(EvaluateGroups, NumbersAreSigned64Bit) {
  const auto lt = [](const std::string& limit, const std::string& value) {
    Comparison c;
    c.op = Op::Lt;
    c.values = {limit};
    EXPECT_EQ(c.compile(), "") << limit;
    Observation o;
    o.values = {value};
    return c.matches(o);
  };
  EXPECT_EQ(lt("7776000000000001", "7776000000000000"), true);  // 90 days in nanoseconds
  EXPECT_EQ(lt("7776000000000001", "7776000000000001"), false);
  EXPECT_EQ(lt("0", "-1"), true);
  EXPECT_EQ(lt("-1", "-2"), true);
  EXPECT_EQ(lt("9223372036854775807", "9223372036854775806"), true);
  Comparison overflow;
  overflow.op = Op::Gt;
  overflow.values = {"9223372036854775808"};
  EXPECT_NE(overflow.compile(), "");
  Comparison gt;
  gt.op = Op::Gt;
  gt.values = {"-1"};
  ASSERT_EQ(gt.compile(), "");
  EXPECT_EQ(gt.number, -1);
}

TEST(EvaluateGroups, KindNotListedGivesNoResult) {
  bulwark::checks::CheckSet set;
  set.checks.push_back(checkOf({leaf("ok")}));
  Check image_only = checkOf({leaf("ok")});
  image_only.id = "BW-T-2";
  image_only.applies = {};
  image_only.applies.at(static_cast<std::size_t>(ResourceKind::Image)) =
      bulwark::checks::Applicability{CheckStatus::Pass, ""};
  set.checks.push_back(image_only);
  Resource host;
  host.kind = ResourceKind::DockerHost;
  const auto results = bulwark::checks::evaluate(set, host);
  ASSERT_EQ(results.size(), 1U);
  EXPECT_EQ(results[0].check_id, "BW-T-1");
  // Asked directly, the check says why.
  EXPECT_EQ(bulwark::checks::evaluateCheck(image_only, host).status, CheckStatus::NotApplicable);
}

std::string header(const std::string& extra) {
  return "id: BW-T-7\ntitle: t\nsection: s\nseverity: low\nrationale: r\nremediation: r\n" + extra;
}

TEST(EvaluateGroups, YamlNewKeys) {
  bulwark::core::Diagnostics diagnostics;
  const auto check = bulwark::checks::loadCheck(
      header("applies_to: {docker-host: evaluate, docker-container: \"not-applicable: no\"}\n"
             "applies_when:\n"
             "  - probe: user\n"
             "    compare: eq\n"
             "    value: root\n"
             "    missing: manual\n"
             "tests:\n"
             "  - probe: user\n"
             "    compare: mode-at-most\n"
             "    value: '750'\n"
             "    missing: not-evaluated\n"
             "  - probe: user\n"
             "    compare: lt\n"
             "    value: '-9000000000000000000'\n"
             "    absent: fail\n"
             "    unknown: manual\n"
             "    if_collected: true\n"),
      "checks/docker/t.yaml", diagnostics);
  ASSERT_TRUE(check.has_value()) << (diagnostics.size() ? diagnostics.sorted()[0].detail : "");
  EXPECT_EQ(check->group, "docker");
  EXPECT_TRUE(check->automated);
  EXPECT_EQ(check->appliesTo(ResourceKind::Dockerfile), nullptr);
  EXPECT_EQ(check->appliesTo(ResourceKind::Image), nullptr);
  ASSERT_NE(check->appliesTo(ResourceKind::DockerHost), nullptr);
  EXPECT_TRUE(check->appliesTo(ResourceKind::DockerHost)->evaluate());
  ASSERT_NE(check->appliesTo(ResourceKind::DockerContainer), nullptr);
  EXPECT_EQ(check->appliesTo(ResourceKind::DockerContainer)->reason, "no");
  ASSERT_EQ(check->applies_when.size(), 1U);
  EXPECT_EQ(check->applies_when[0].missing, CheckStatus::Manual);
  ASSERT_EQ(check->tests.size(), 2U);
  const auto& mode = check->tests[0];
  EXPECT_EQ(mode.compare.op, Op::Bitmask);
  EXPECT_EQ(mode.compare.number, 07777 & ~0750);
  EXPECT_EQ(mode.expected, "mode 750 or stricter");
  EXPECT_EQ(mode.missing, CheckStatus::NotEvaluated);
  EXPECT_EQ(mode.absent, CheckStatus::NotEvaluated) << "absent defaults to missing";
  EXPECT_FALSE(mode.if_collected);
  const auto& lt = check->tests[1];
  EXPECT_EQ(lt.compare.number, -9000000000000000000LL);
  EXPECT_EQ(lt.absent, CheckStatus::Fail);
  EXPECT_EQ(lt.unknown, CheckStatus::Manual);
  EXPECT_TRUE(lt.if_collected);
}

TEST(EvaluateGroups, YamlNewKeysRejectMistakes) {
  const auto problems = [](const std::string& text) {
    bulwark::core::Diagnostics diagnostics;
    const auto check = bulwark::checks::loadCheck(text, "bad.yaml", diagnostics);
    EXPECT_FALSE(check.has_value()) << text;
    std::string all;
    for (const auto& d : diagnostics.sorted()) all += d.where + " " + d.detail + "\n";
    return all;
  };
  const std::string tests = "tests:\n  - probe: user\n    compare: set\n";
  EXPECT_NE(problems(header("applies_to: {kubernetes: evaluate}\n" + tests))
                .find("unknown resource kind `kubernetes`"),
            std::string::npos);
  EXPECT_NE(problems(header("applies_to: {}\n" + tests)).find("`applies_to` maps"),
            std::string::npos);
  EXPECT_NE(problems(header("assessment: sometimes\napplies_to: {image: evaluate}\n" + tests))
                .find("assessment is automated or manual"),
            std::string::npos);
  EXPECT_NE(problems(header("assessment: manual\napplies_to: {image: evaluate}\n"))
                .find("needs an `audit`"),
            std::string::npos);
  const std::string no_tests = problems(header("applies_to: {image: evaluate}\n"));
  EXPECT_NE(no_tests.find("`tests` is a non-empty"), std::string::npos) << no_tests;
  EXPECT_NE(problems(header("applies_to: {image: evaluate}\ntests:\n  - probe: user\n"
                            "    compare: mode-at-most\n    value: '999'\n"))
                .find("octal"),
            std::string::npos);
  EXPECT_NE(problems(header("applies_to: {image: evaluate}\ntests:\n  - probe: user\n"
                            "    compare: gt\n    value: '99999999999999999999'\n"))
                .find("64-bit"),
            std::string::npos);
  EXPECT_NE(problems(header("applies_to: {image: evaluate}\ntests:\n  - probe: user\n"
                            "    compare: eq\n    value: x\n"
                            "    select: {compare: eq, value: '{{who}}'}\n"))
                .find("not allowed here"),
            std::string::npos);
  EXPECT_NE(problems(header("applies_to: {image: evaluate}\ntests:\n  - probe: user\n"
                            "    compare: eq\n    value: x\n    if_collected: maybe\n"))
                .find("`if_collected` is true or false"),
            std::string::npos);
  EXPECT_NE(problems(header("applies_to: {image: evaluate}\ntests:\n  - any: []\n"))
                .find("`any` is a non-empty list"),
            std::string::npos);
  EXPECT_NE(problems(header("applies_to: {image: evaluate}\ntests:\n"
                            "  - any: [{probe: user, compare: set}]\n    probe: user\n"))
                .find("only `any` or `all`"),
            std::string::npos);
  std::string deep = "{probe: user, compare: set}";
  for (int i = 0; i < 12; ++i) deep = "{all: [" + deep + "]}";
  EXPECT_NE(problems(header("applies_to: {image: evaluate}\ntests:\n  - " + deep + "\n"))
                .find("nest at most"),
            std::string::npos);
  // A probe parameter that is a JSON path is compiled when the check loads.
  for (const auto* kind : bulwark::checks::probeKinds()) {
    for (const auto& spec : kind->params) {
      if (spec.type != bulwark::checks::ParamType::Path) continue;
      EXPECT_NE(problems(header("applies_to: {docker-host: evaluate}\ntests:\n  - probe: " +
                                std::string(kind->kind) + "\n    " + std::string(spec.name) +
                                ": 'Bad[unclosed'\n    compare: set\n"))
                    .find("is not a JSON path"),
                std::string::npos)
          << kind->kind;
    }
  }
}

// From YAML, with the real Dockerfile probes.
TEST(EvaluateGroups, YamlGroupsInputsAndManualOnADockerfile) {
  bulwark::core::Diagnostics diagnostics;
  const auto check = bulwark::checks::loadCheck(
      "id: BW-T-9\n"
      "title: t\n"
      "section: s\n"
      "severity: low\n"
      "assessment: manual\n"
      "audit: ask the team\n"
      "rationale: r\n"
      "remediation: r\n"
      "applies_to: {dockerfile: evaluate}\n"
      "tests:\n"
      "  - any:\n"
      "      - probe: user\n"
      "        compare: in-set\n"
      "        value: '{{trusted_users}}'\n"
      "      - all:\n"
      "          - probe: healthcheck\n"
      "            compare: set\n"
      "            missing: fail\n",
      "checks/test/t.yaml", diagnostics);
  ASSERT_TRUE(check.has_value()) << (diagnostics.size() ? diagnostics.sorted()[0].detail : "");
  EXPECT_EQ(check->group, "test");
  EXPECT_FALSE(check->automated);
  ASSERT_EQ(check->tests.size(), 1U);
  ASSERT_EQ(check->tests[0].group, CheckTest::Group::Any);
  ASSERT_EQ(check->tests[0].children.size(), 2U);
  EXPECT_EQ(check->tests[0].children[0].input, "trusted_users");
  EXPECT_EQ(check->tests[0].children[1].group, CheckTest::Group::All);
  EXPECT_EQ(check->appliesTo(ResourceKind::Image), nullptr);

  bulwark::core::Diagnostics d;
  const auto file = bulwark::checks::dockerfile::parseDockerfile("FROM alpine\nUSER app\n", d);
  ASSERT_TRUE(file.has_value());
  Resource resource{ResourceKind::Dockerfile, "Dockerfile", &*file, nullptr, nullptr};
  // No health check (fail); the user input not given (manual): the user test might pass, so
  // any() cannot decide — manual, and no automated verdict to suggest.
  auto r = bulwark::checks::evaluateCheck(*check, resource);
  EXPECT_EQ(r.status, CheckStatus::Manual);
  EXPECT_FALSE(r.assist.has_value());
  EvalContext context;
  context.inputs["trusted_users"] = {"app"};
  r = bulwark::checks::evaluateCheck(*check, resource, context);
  EXPECT_EQ(r.status, CheckStatus::Manual);
  EXPECT_EQ(r.assist, CheckStatus::Pass);
  EXPECT_EQ(r.resource_kind, "dockerfile");
}

// `inputs:` gives a check's `{{name}}` values a default; --input replaces it.
TEST(EvaluateGroups, YamlInputDefaultsAndOverrides) {
  bulwark::core::Diagnostics diagnostics;
  const auto check = bulwark::checks::loadCheck(
      "id: BW-T-10\n"
      "title: t\n"
      "section: s\n"
      "severity: low\n"
      "rationale: r\n"
      "remediation: r\n"
      "applies_to: {dockerfile: evaluate}\n"
      "inputs: {allowed_users: [app, svc]}\n"
      "tests:\n"
      "  - probe: user\n"
      "    compare: in-set\n"
      "    value: '{{allowed_users}}'\n",
      "checks/test/t.yaml", diagnostics);
  ASSERT_TRUE(check.has_value()) << (diagnostics.size() ? diagnostics.sorted()[0].detail : "");
  ASSERT_TRUE(check->tests[0].input_default.has_value());
  EXPECT_EQ(*check->tests[0].input_default, (std::vector<std::string>{"app", "svc"}));
  bulwark::core::Diagnostics d;
  const auto file = bulwark::checks::dockerfile::parseDockerfile("FROM alpine\nUSER app\n", d);
  ASSERT_TRUE(file.has_value());
  Resource resource{ResourceKind::Dockerfile, "Dockerfile", &*file, nullptr, nullptr};
  EXPECT_EQ(bulwark::checks::evaluateCheck(*check, resource).status, CheckStatus::Pass);
  EvalContext context;
  context.inputs["allowed_users"] = {"svc"};
  EXPECT_EQ(bulwark::checks::evaluateCheck(*check, resource, context).status, CheckStatus::Fail);
  // A default with no values, or not a mapping, is a problem in the file.
  bulwark::core::Diagnostics bad;
  EXPECT_FALSE(bulwark::checks::loadCheck("id: BW-T-11\ntitle: t\nsection: s\nseverity: low\n"
                                          "rationale: r\nremediation: r\n"
                                          "applies_to: {dockerfile: evaluate}\n"
                                          "inputs: [a]\n"
                                          "tests: [{probe: user, compare: set}]\n",
                                          "checks/test/u.yaml", bad)
                   .has_value());
  EXPECT_NE(bad.sorted().at(0).detail.find("`inputs` maps input names"), std::string::npos);
}

}  // namespace
