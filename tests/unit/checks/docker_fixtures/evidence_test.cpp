// `evidence: true` tests: evaluated for what they show, never counted in the verdict or a manual
// check's assist; where the loader accepts and refuses the key. And an input on a regex
// comparison: several patterns are one alternation (BW-DKR-402's trusted_registries).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "bench_util.h"

namespace bulwark::checks::testing {
namespace {

using nlohmann::json;

std::string checkYaml(std::string_view assessment, std::string_view tests,
                      std::string_view extra = "") {
  return fmt::format(
      "id: BW-TST-900\ntitle: t\nsection: s\nseverity: low\nassessment: {}\n"
      "rationale: r\nremediation: r\naudit: look at it\n"
      "applies_to: {{docker-container: evaluate}}\n{}tests:\n{}",
      assessment, extra, tests);
}

std::optional<Check> load(const std::string& yaml, std::vector<std::string>* problems = nullptr) {
  core::Diagnostics diagnostics;
  auto check = loadCheck(yaml, "checks/docker/t.yaml", diagnostics);
  for (const auto& d : diagnostics.sorted()) {
    if (problems != nullptr) problems->push_back(d.where + ": " + d.detail);
  }
  return check;
}

Check mustLoad(const std::string& yaml) {
  std::vector<std::string> problems;
  auto check = load(yaml, &problems);
  for (const auto& p : problems) ADD_FAILURE() << p;
  EXPECT_TRUE(check.has_value()) << yaml;
  return check ? std::move(*check) : Check{};
}

// A container whose image is registry.example.com/app:1, not privileged, on the host network.
docker::Snapshot snapshot() {
  return containerSnapshot(json{{"Id", std::string(64, 'a')},
                                {"Name", "/web"},
                                {"Config", {{"Image", "registry.example.com/app:1"}}},
                                {"HostConfig", {{"Privileged", false}, {"NetworkMode", "host"}}}});
}

model::CheckResult evaluateOn(const Check& check, const docker::Snapshot& s,
                              const EvalContext& context = {}) {
  Resource r;
  r.kind = ResourceKind::DockerContainer;
  r.name = "container:web";
  r.snapshot = &s;
  r.container = &s.engine.containers.front();
  return evaluateCheck(check, r, context);
}

bool shows(const model::CheckResult& r, std::string_view observed) {
  return std::any_of(r.evidence.begin(), r.evidence.end(), [&](const model::Evidence& e) {
    return e.observed.find(observed) != std::string::npos;
  });
}

constexpr std::string_view kShowImage =
    "  - probe: container-field\n"
    "    path: Config.Image\n"
    "    compare: eq\n"  // would fail: evidence never judges
    "    value: something-else\n"
    "    expected: the image\n"
    "    evidence: true\n";
constexpr std::string_view kNotPrivileged =
    "  - probe: container-field\n"
    "    path: HostConfig.Privileged\n"
    "    compare: eq\n"
    "    value: \"false\"\n"
    "    missing: not-evaluated\n";
constexpr std::string_view kNotHostNetwork =
    "  - probe: container-field\n"
    "    path: HostConfig.NetworkMode\n"
    "    compare: ne\n"
    "    value: host\n"
    "    missing: not-evaluated\n";

TEST(EvidenceTests, ManualCheckShowingOnlyGetsNoAssist) {
  const Check check = mustLoad(checkYaml("manual", kShowImage));
  ASSERT_EQ(check.tests.size(), 1U);
  EXPECT_TRUE(check.tests[0].evidence);
  const auto r = evaluateOn(check, snapshot());
  EXPECT_EQ(r.status, CheckStatus::Manual) << describe(r);
  EXPECT_FALSE(r.assist.has_value()) << describe(r);
  EXPECT_TRUE(shows(r, "registry.example.com/app:1")) << describe(r);
  EXPECT_EQ(r.reason, "look at it");
}

TEST(EvidenceTests, ManualAssistIgnoresEvidence) {
  // The counted test passes; the evidence test "fails": the assist is pass.
  const auto pass = evaluateOn(
      mustLoad(checkYaml("manual", std::string(kNotPrivileged) + std::string(kShowImage))),
      snapshot());
  EXPECT_EQ(pass.status, CheckStatus::Manual);
  EXPECT_EQ(pass.assist, CheckStatus::Pass) << describe(pass);
  EXPECT_TRUE(shows(pass, "registry.example.com/app:1")) << describe(pass);
  // The counted test fails: assist fail, the evidence still shown after the failure's.
  const auto fail = evaluateOn(
      mustLoad(checkYaml("manual", std::string(kShowImage) + std::string(kNotHostNetwork))),
      snapshot());
  EXPECT_EQ(fail.assist, CheckStatus::Fail) << describe(fail);
  ASSERT_EQ(fail.evidence.size(), 2U) << describe(fail);
  EXPECT_EQ(fail.evidence[0].observed, "host");
  EXPECT_EQ(fail.evidence[1].observed, "registry.example.com/app:1");
}

TEST(EvidenceTests, AutomatedVerdictIgnoresEvidence) {
  const Check check =
      mustLoad(checkYaml("automated", std::string(kShowImage) + std::string(kNotPrivileged)));
  const auto r = evaluateOn(check, snapshot());
  EXPECT_EQ(r.status, CheckStatus::Pass) << describe(r);
  EXPECT_TRUE(shows(r, "registry.example.com/app:1")) << describe(r);
  EXPECT_TRUE(shows(r, "false")) << describe(r);
}

TEST(EvidenceTests, UnreadableEvidenceShowsWhyAndDoesNotCount) {
  const Check check =
      mustLoad(checkYaml("automated", std::string(kNotPrivileged) + "  - probe: engine-field\n"
                                                                    "    doc: info\n"
                                                                    "    path: ServerVersion\n"
                                                                    "    compare: set\n"
                                                                    "    evidence: true\n"));
  const auto r = evaluateOn(check, snapshot());  // /info not collected
  EXPECT_EQ(r.status, CheckStatus::Pass) << describe(r);
  EXPECT_TRUE(shows(r, "not-evaluated: ")) << describe(r);
}

TEST(EvidenceTests, GroupChildDoesNotCount) {
  // any[a failing test, an evidence test that would pass]: the group fails.
  const Check check = mustLoad(checkYaml("automated",
                                         "  - any:\n"
                                         "      - probe: container-field\n"
                                         "        path: HostConfig.NetworkMode\n"
                                         "        compare: ne\n"
                                         "        value: host\n"
                                         "      - probe: container-field\n"
                                         "        path: Config.Image\n"
                                         "        compare: set\n"
                                         "        evidence: true\n"));
  const auto r = evaluateOn(check, snapshot());
  EXPECT_EQ(r.status, CheckStatus::Fail) << describe(r);
  EXPECT_TRUE(shows(r, "registry.example.com/app:1")) << describe(r);
}

TEST(EvidenceTests, LoaderAcceptsAndRefuses) {
  std::vector<std::string> problems;
  // Not a boolean.
  EXPECT_FALSE(load(checkYaml("automated", std::string(kNotPrivileged) + "    evidence: maybe\n"),
                    &problems));
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.front().find("`evidence` is true or false"), std::string::npos)
      << problems.front();
  // In applies_when: a gate decides, it cannot only show.
  problems.clear();
  EXPECT_FALSE(load(checkYaml("automated", kNotPrivileged,
                              "applies_when:\n"
                              "  - probe: container-field\n"
                              "    path: Config.Image\n"
                              "    compare: set\n"
                              "    evidence: true\n"),
                    &problems));
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.front().find("applies_when"), std::string::npos) << problems.front();
  EXPECT_NE(problems.front().find("t.yaml:"), std::string::npos) << "file:line:col";
  // An automated check, or a group, with nothing but evidence has no verdict.
  problems.clear();
  EXPECT_FALSE(load(checkYaml("automated", kShowImage), &problems));
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.front().find("automated check needs a test"), std::string::npos)
      << problems.front();
  problems.clear();
  EXPECT_FALSE(load(checkYaml("manual",
                              "  - all:\n"
                              "      - probe: container-field\n"
                              "        path: Config.Image\n"
                              "        compare: set\n"
                              "        evidence: true\n"),
                    &problems));
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems.front().find("`all` needs a test"), std::string::npos) << problems.front();
  // `evidence: false` is the default.
  const Check plain =
      mustLoad(checkYaml("automated", std::string(kNotPrivileged) + "    evidence: false\n"));
  ASSERT_EQ(plain.tests.size(), 1U);
  EXPECT_FALSE(plain.tests[0].evidence);
}

// Every built-in manual check whose tests only show a value is marked so: none gets an assist
// from them. (The check ids listed in the report of hardening-design §5.1 work.)
TEST(EvidenceTests, BuiltinShowOnlyChecks) {
  for (const char* id :
       {"BW-DKR-120", "BW-DKR-509", "BW-DKR-528", "BW-DKR-601", "BW-DKR-602", "BW-DKR-709"}) {
    const Check* check = bench().checks.find(id);
    ASSERT_NE(check, nullptr) << id;
    EXPECT_FALSE(check->automated) << id;
    ASSERT_FALSE(check->tests.empty()) << id;
    for (const auto& t : check->tests) EXPECT_TRUE(t.evidence) << id;
  }
  // No other built-in manual check has only `compare: set` tests that cannot fail (a test that
  // shows a value without judging it must say so; `set` with `missing: fail` judges presence).
  for (const auto& check : bench().checks.checks) {
    if (check.automated || check.tests.empty()) continue;
    const bool all_set =
        std::all_of(check.tests.begin(), check.tests.end(), [](const checks::Test& t) {
          return t.group == checks::Test::Group::None && t.compare.op == Op::Set &&
                 t.missing != CheckStatus::Fail;
        });
    if (!all_set) continue;
    for (const auto& t : check.tests) EXPECT_TRUE(t.evidence) << check.id << " shows a value";
  }
}

TEST(EvidenceTests, EngineVersionShownWithoutAssist) {
  docker::Snapshot s;
  s.engine.state = fact(FactStatus::Ok);
  s.engine.version.state = fact(FactStatus::Ok);
  s.engine.version.doc = json{{"Version", "20.10.24"}, {"ApiVersion", "1.41"}};
  const BenchRun result = runBench(s);
  const auto* version = result.find("BW-DKR-120", "docker-host");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->status, CheckStatus::Manual) << describe(*version);
  EXPECT_FALSE(version->assist.has_value()) << describe(*version);
  EXPECT_TRUE(shows(*version, "20.10.24")) << describe(*version);
  EXPECT_TRUE(shows(*version, "1.41")) << describe(*version);
}

// --input trusted_registries=P1,P2 on BW-DKR-402's regex: any pattern may match.
TEST(RegexInput, SeveralPatternsAreOneAlternation) {
  const Check* trust = bench().checks.find("BW-DKR-402");
  ASSERT_NE(trust, nullptr);
  const auto s = snapshot();
  const auto with = [&](std::vector<std::string> values) {
    EvalContext context;
    context.inputs["trusted_registries"] = std::move(values);
    return evaluateOn(*trust, s, context);
  };
  const auto two = with({"^ghcr\\.io/acme/", "^registry\\.example\\.com/"});
  EXPECT_EQ(two.status, CheckStatus::Manual);
  EXPECT_EQ(two.assist, CheckStatus::Pass) << describe(two);
  const auto other = with({"^ghcr\\.io/acme/", "^docker\\.io/"});
  EXPECT_EQ(other.assist, CheckStatus::Fail) << describe(other);
  EXPECT_TRUE(shows(other, "registry.example.com/app:1")) << describe(other);
  const auto one = with({"^registry\\.example\\.com/"});
  EXPECT_EQ(one.assist, CheckStatus::Pass) << describe(one);
  // A pattern that cannot reach into another's group: "a)|(.*" is not a pattern on its own.
  const auto escape = with({"^docker\\.io/", "a)|(.*"});
  EXPECT_EQ(escape.assist, CheckStatus::NotEvaluated) << describe(escape);
  EXPECT_NE(escape.reason.find("input trusted_registries"), std::string::npos) << escape.reason;
  // Empty values never match everything.
  const auto empty = with({""});
  EXPECT_EQ(empty.assist, CheckStatus::NotEvaluated) << describe(empty);
  const auto mixed = with({"", "^docker\\.io/"});
  EXPECT_EQ(mixed.assist, CheckStatus::Fail) << describe(mixed);
  // No input: manual, no assist, the image shown.
  const auto none = evaluateOn(*trust, s);
  EXPECT_EQ(none.status, CheckStatus::Manual);
  EXPECT_FALSE(none.assist.has_value()) << describe(none);
  EXPECT_TRUE(shows(none, "registry.example.com/app:1")) << describe(none);
}

TEST(RegexInput, NotRegexJoinsToo) {
  const Check check = mustLoad(checkYaml("automated",
                                         "  - probe: container-field\n"
                                         "    path: Config.Image\n"
                                         "    compare: not-regex\n"
                                         "    value: \"{{banned}}\"\n"));
  const auto s = snapshot();
  EvalContext context;
  context.inputs["banned"] = {"^docker\\.io/", ":latest$"};
  EXPECT_EQ(evaluateOn(check, s, context).status, CheckStatus::Pass);
  context.inputs["banned"] = {"^docker\\.io/", "^registry\\."};
  EXPECT_EQ(evaluateOn(check, s, context).status, CheckStatus::Fail);
}

}  // namespace
}  // namespace bulwark::checks::testing
