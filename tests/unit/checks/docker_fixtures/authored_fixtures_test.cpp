// The Docker checks against the authored fixtures (hardening/authored-docker-engine), driven by
// the fixtures' own expected.json: every (fixture, CIS control) verdict there is asserted on
// our result for the check the cis-docker-1.6 profile maps the control to
// (docs/dev/hardening-design.md §5.1):
//
//   PASS…                on an automated control → pass
//   WARN…                on an automated control → fail
//   PASS…                on a manual control     → manual, assist pass
//   WARN… / INFO…        on a manual control     → manual, assist fail
//   static-not-evaluable                         → not-evaluated, cause missing-input
//
// Container fixtures become one container (engine ok, /info and everything else not
// collected); daemon fixtures become daemon.json with dockerd running without flags (engine not
// collected). Plus the design's extra cases: a flag over daemon.json, a flag/file conflict, an
// unreadable argv, capability spellings.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_util.h"
#include "testdata.h"

namespace bulwark::checks::testing {
namespace {

using nlohmann::json;

constexpr std::string_view kDir = "hardening/authored-docker-engine";

json fixture(std::string_view name) {
  const std::string text =
      bulwark::testing::readFile(bulwark::testing::sharedTestdata() / kDir / name);
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// What a fixture verdict ("WARN (rshared)") expects of our result for a control.
std::optional<Expect> expectOf(std::string_view verdict, bool control_automated) {
  const std::string_view word = verdict.substr(0, verdict.find_first_of(" ("));
  if (word == "static-not-evaluable") {
    return Expect{CheckStatus::NotEvaluated, std::nullopt, NotEvaluatedCause::MissingInput};
  }
  if (word == "PASS") {
    return control_automated ? Expect{CheckStatus::Pass, std::nullopt, {}}
                             : Expect{CheckStatus::Manual, CheckStatus::Pass, {}};
  }
  if (word == "WARN") {
    return control_automated ? Expect{CheckStatus::Fail, std::nullopt, {}}
                             : Expect{CheckStatus::Manual, CheckStatus::Fail, {}};
  }
  if (word == "INFO" && !control_automated) {
    return Expect{CheckStatus::Manual, CheckStatus::Fail, {}};
  }
  return std::nullopt;
}

TEST(AuthoredFixtures, EveryExpectedVerdict) {
  BULWARK_REQUIRE_SHARED(std::string(kDir) + "/expected.json");
  const json expected = fixture("expected.json");
  ASSERT_TRUE(expected.is_object()) << "expected.json does not parse";
  std::size_t fixtures = 0;
  std::size_t verdicts = 0;
  for (const auto& [name, controls] : expected.items()) {
    if (name.starts_with('_')) continue;  // _comment
    ASSERT_TRUE(controls.is_object()) << name;
    const json doc = fixture(name);
    ASSERT_FALSE(doc.is_discarded()) << name << " does not parse";
    const bool container = name.starts_with("container-");
    ASSERT_TRUE(container || name.starts_with("daemon.")) << "unknown fixture kind: " << name;
    const docker::Snapshot snapshot = container ? containerSnapshot(doc) : daemonSnapshot(doc);
    const BenchRun result = runBench(snapshot);
    const std::string_view kind = container ? "docker-container" : "docker-host";
    ++fixtures;
    for (const auto& [control, verdict] : controls.items()) {
      const std::string text = verdict.get<std::string>();
      const std::string label = name + " CIS " + control + " (\"" + text + "\")";
      const auto checks = checksOf(control);
      if (checks.empty()) {
        ADD_FAILURE() << label << ": the profile has no control " << control;
        continue;
      }
      const auto want = expectOf(text, automated(control));
      if (!want) {
        ADD_FAILURE() << label << ": unknown verdict for a "
                      << (automated(control) ? "automated" : "manual") << " control";
        continue;
      }
      for (const auto& check : checks) {
        expectResult(result.find(check, kind), *want, label);
        ++verdicts;
      }
    }
  }
  EXPECT_EQ(fixtures, 5U) << "the fixture set changed: look at expected.json";
  EXPECT_GE(verdicts, 100U);
}

// The insecure daemon.json with dockerd started with --icc=false: the flag wins.
TEST(AuthoredFixtures, FlagOverridesDaemonJson) {
  BULWARK_REQUIRE_SHARED(std::string(kDir) + "/daemon.insecure.json");
  const auto snapshot =
      daemonSnapshot(fixture("daemon.insecure.json"), {"/usr/bin/dockerd", "--icc=false"});
  const BenchRun result = runBench(snapshot);
  const auto* icc = result.find("BW-DKR-202", "docker-host");
  ASSERT_NE(icc, nullptr);
  EXPECT_EQ(icc->status, CheckStatus::Pass) << describe(*icc);
  ASSERT_FALSE(icc->evidence.empty());
  EXPECT_NE(icc->evidence[0].where.find("dockerd flag"), std::string::npos)
      << icc->evidence[0].where;
  EXPECT_EQ(result.diagnostics.size(), 0U);
  // Without the flag the same file fails, from the default.
  const BenchRun plain = runBench(daemonSnapshot(fixture("daemon.insecure.json")));
  const auto* open = plain.find("BW-DKR-202", "docker-host");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->status, CheckStatus::Fail) << describe(*open);
  ASSERT_FALSE(open->evidence.empty());
  EXPECT_EQ(open->evidence[0].where, "Docker default");
}

// icc in both daemon.json and a flag: dockerd would refuse to start; a diagnostic says so and the
// flag is what the check reads.
TEST(AuthoredFixtures, FlagAndFileConflict) {
  BULWARK_REQUIRE_SHARED(std::string(kDir) + "/daemon.hardened.json");
  const auto snapshot =
      daemonSnapshot(fixture("daemon.hardened.json"), {"/usr/bin/dockerd", "--icc=true"});
  const BenchRun result = runBench(snapshot);
  const auto& all = result.diagnostics;
  const auto conflict = std::find_if(all.begin(), all.end(), [](const core::Diagnostic& d) {
    return d.kind == "docker.daemon-config.conflict" && d.detail.find("icc") != std::string::npos;
  });
  EXPECT_NE(conflict, all.end()) << "no conflict diagnostic for icc";
  const auto* icc = result.find("BW-DKR-202", "docker-host");
  ASSERT_NE(icc, nullptr);
  EXPECT_EQ(icc->status, CheckStatus::Fail) << "the flag (--icc=true) is used: " << describe(*icc);
}

// dockerd's argv unreadable and daemon.json silent about no-new-privileges: a flag could set it,
// so the check is not evaluated (never a pass, never the default's fail).
TEST(AuthoredFixtures, UnreadableArgvNeverPasses) {
  BULWARK_REQUIRE_SHARED(std::string(kDir) + "/daemon.insecure.json");
  auto snapshot = daemonSnapshot(fixture("daemon.insecure.json"), {});
  snapshot.host.dockerd.state = fact(FactStatus::PermissionDenied, "hidepid=2");
  const BenchRun result = runBench(snapshot);
  const auto* nnp = result.find("BW-DKR-214", "docker-host");
  ASSERT_NE(nnp, nullptr);
  EXPECT_EQ(nnp->status, CheckStatus::NotEvaluated) << describe(*nnp);
  EXPECT_EQ(nnp->cause, NotEvaluatedCause::PermissionDenied) << describe(*nnp);
  // No daemon check passes on what it could not read.
  for (const auto& r : result.results) {
    if (r.resource_kind != "docker-host" || !r.check_id.starts_with("BW-DKR-2")) continue;
    EXPECT_NE(r.status, CheckStatus::Pass) << r.check_id << ": " << describe(r);
  }
}

TEST(AuthoredFixtures, CapabilitySpellings) {
  BULWARK_REQUIRE_SHARED(std::string(kDir) + "/container-hardened.inspect.json");
  json hardened = fixture("container-hardened.inspect.json");
  if (hardened.is_array() && !hardened.empty()) hardened = json(hardened.front());
  const std::vector<std::pair<json, CheckStatus>> cases = {
      {json::array({"cap_sys_admin"}), CheckStatus::Fail},
      {json::array({"CAP_SYS_ADMIN"}), CheckStatus::Fail},
      {json::array({"ALL"}), CheckStatus::Fail},
      {json::array({"all"}), CheckStatus::Fail},
      {json::array({"NET_BIND_SERVICE", "sys_ptrace"}), CheckStatus::Fail},
      {json::array({"cap_net_bind_service", "CHOWN"}), CheckStatus::Pass},
      {json::array(), CheckStatus::Pass},
      {json(nullptr), CheckStatus::Pass}};
  for (const auto& [cap_add, status] : cases) {
    json doc = hardened;
    doc["HostConfig"]["CapAdd"] = cap_add;
    const BenchRun result = runBench(containerSnapshot(doc));
    const auto* caps = result.find("BW-DKR-504", "docker-container");
    ASSERT_NE(caps, nullptr);
    EXPECT_EQ(caps->status, status) << "CapAdd " << cap_add.dump() << ": " << describe(*caps);
  }
}

// BW-DKR-217 (manual, 2.17): only a custom profile (a path) suggests pass; Docker's "builtin"
// profile is not custom and "unconfined" turns seccomp off for every container.
TEST(AuthoredFixtures, DaemonSeccompProfile) {
  const std::vector<std::pair<json, CheckStatus>> cases = {
      {json::object(), CheckStatus::Fail},
      {json{{"seccomp-profile", "unconfined"}}, CheckStatus::Fail},
      {json{{"seccomp-profile", "builtin"}}, CheckStatus::Fail},
      {json{{"seccomp-profile", "/etc/docker/seccomp-strict.json"}}, CheckStatus::Pass}};
  for (const auto& [daemon_json, assist] : cases) {
    const BenchRun result = runBench(daemonSnapshot(daemon_json));
    expectResult(result.find("BW-DKR-217", "docker-host"), Expect{CheckStatus::Manual, assist, {}},
                 "daemon.json " + daemon_json.dump());
  }
  const BenchRun flag = runBench(
      daemonSnapshot(json::object(), {"/usr/bin/dockerd", "--seccomp-profile=unconfined"}));
  expectResult(flag.find("BW-DKR-217", "docker-host"),
               Expect{CheckStatus::Manual, CheckStatus::Fail, {}}, "--seccomp-profile=unconfined");
}

// BW-DKR-524 (manual, 5.24): an exec without --user runs as the container's user. The session
// documents carry the user both where the Engine API puts it (ProcessConfig.user) and at the
// top level.
TEST(AuthoredFixtures, ExecAsRoot) {
  const auto exec = [](std::string user) {
    json doc{{"ID", std::string(64, 'e')}, {"User", user}, {"ProcessConfig", json::object()}};
    if (!user.empty()) doc["ProcessConfig"]["user"] = user;
    return doc;
  };
  struct Case {
    std::string container_user;
    std::vector<json> execs;
    std::optional<CheckStatus> assist;  // nullopt: manual without a suggestion
  };
  const std::vector<Case> cases = {
      {"app", {exec("root")}, CheckStatus::Fail},
      {"app", {exec("0:0")}, CheckStatus::Fail},
      {"", {exec("")}, CheckStatus::Fail},  // root container, exec without --user
      {"root", {exec("")}, CheckStatus::Fail},
      {"", {exec("1000")}, CheckStatus::Pass},
      {"app", {}, std::nullopt},  // no session kept
      {"", {}, std::nullopt}};
  for (const auto& c : cases) {
    json doc{{"Id", std::string(64, 'f')},
             {"Name", "/exec"},
             {"Config", {{"User", c.container_user}}},
             {"HostConfig", json::object()}};
    auto snapshot = containerSnapshot(doc);
    snapshot.engine.containers.front().execs_state = fact(FactStatus::Ok);
    snapshot.engine.containers.front().execs = c.execs;
    const BenchRun result = runBench(snapshot);
    std::string name = "Config.User \"" + c.container_user + "\", execs";
    for (const auto& e : c.execs) name += " " + e.dump();
    expectResult(result.find("BW-DKR-524", "docker-container"),
                 Expect{CheckStatus::Manual, c.assist, {}}, name);
  }
}

}  // namespace
}  // namespace bulwark::checks::testing
