// The Docker probes through the check loader and evaluator, as check files use them: the
// octal mode against `mode-at-most`, capabilities against Docker's default set, an overlay
// network without encryption (`absent`), and a source that could not be read (not evaluated,
// with its cause, whatever `missing:` says).
#include "checks/check.h"
#include "checks/evaluate.h"
#include "probe_test_util.h"

namespace bulwark::checks::testing {
namespace {

using model::CheckStatus;

Check load(std::string_view yaml) {
  core::Diagnostics diagnostics;
  auto check = loadCheck(yaml, "test.yaml", diagnostics);
  EXPECT_TRUE(check.has_value());
  for (const auto& d : diagnostics.sorted()) ADD_FAILURE() << d.where << ": " << d.detail;
  return check ? std::move(*check) : Check{};
}

constexpr std::string_view kUnitMode = R"(
id: BW-TST-302
title: docker.service unit file writable by non-root users
section: Docker daemon files
severity: medium
applies_to: {docker-host: evaluate}
rationale: r
remediation: r
tests:
  - probe: file-mode
    path: ${unit:docker.service}
    compare: mode-at-most
    value: "644"
    missing: not-applicable
    expected: mode 644 or stricter
)";

TEST(DockerChecks, FileModeAtMost) {
  const Check check = load(kUnitMode);
  docker::Snapshot s;
  s.host.paths["unit:docker.service"] = {"/lib/systemd/system/docker.service"};
  for (const auto& [mode, status] :
       std::vector<std::pair<std::uint32_t, CheckStatus>>{{0644, CheckStatus::Pass},
                                                          {0600, CheckStatus::Pass},
                                                          {0664, CheckStatus::Fail},
                                                          {0646, CheckStatus::Fail},
                                                          {04644, CheckStatus::Fail}}) {
    s.host.files["/lib/systemd/system/docker.service"] = file(mode);
    const auto result = evaluateCheck(check, hostResource(s));
    EXPECT_EQ(result.status, status) << std::oct << mode;
  }
  s.host.files["/lib/systemd/system/docker.service"] = fileIn(FactStatus::Missing);
  EXPECT_EQ(evaluateCheck(check, hostResource(s)).status, CheckStatus::NotApplicable);
  s.host.files["/lib/systemd/system/docker.service"] = fileIn(FactStatus::PermissionDenied);
  const auto denied = evaluateCheck(check, hostResource(s));
  EXPECT_EQ(denied.status, CheckStatus::NotEvaluated);
  EXPECT_EQ(denied.cause, NotEvaluatedCause::PermissionDenied);
}

constexpr std::string_view kCapAdd = R"(
id: BW-TST-504
title: Container adds capabilities beyond Docker's default set
section: Container runtime
severity: high
applies_to: {docker-container: evaluate}
rationale: r
remediation: r
tests:
  - probe: container-field
    path: HostConfig.CapAdd[*]
    normalise: capability
    compare: in-set
    value: [AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE,
            NET_RAW, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT]
    missing: pass
    expected: only capabilities of Docker's default set
)";

TEST(DockerChecks, CapabilitiesNormalised) {
  const Check check = load(kCapAdd);
  const docker::Snapshot s;
  docker::Container c;
  c.id = "abcdef0123456789";
  c.name = "web";
  c.inspect.state = okState();
  c.inspect.doc = {{"HostConfig", {{"CapAdd", {"cap_chown", "CAP_KILL"}}}}};
  EXPECT_EQ(evaluateCheck(check, containerResource(s, c)).status, CheckStatus::Pass);
  c.inspect.doc["HostConfig"]["CapAdd"] = {"chown", "cap_sys_admin"};
  const auto fail = evaluateCheck(check, containerResource(s, c));
  EXPECT_EQ(fail.status, CheckStatus::Fail);
  ASSERT_EQ(fail.evidence.size(), 1U);
  EXPECT_EQ(fail.evidence[0].observed, "SYS_ADMIN");
  EXPECT_EQ(fail.evidence[0].where, "/containers/abcdef012345/json HostConfig.CapAdd[*]");
  c.inspect.doc["HostConfig"]["CapAdd"] = nullptr;
  EXPECT_EQ(evaluateCheck(check, containerResource(s, c)).status, CheckStatus::Pass);
  // An inspect document that could not be read is never the `missing: pass` of an empty list.
  c.inspect.state = state(FactStatus::Timeout);
  c.inspect.doc = nullptr;
  const auto timeout = evaluateCheck(check, containerResource(s, c));
  EXPECT_EQ(timeout.status, CheckStatus::NotEvaluated);
  EXPECT_EQ(timeout.cause, NotEvaluatedCause::Timeout);
}

constexpr std::string_view kOverlay = R"(
id: BW-TST-703
title: Unencrypted overlay network
section: Docker Swarm configuration
severity: medium
applies_to: {docker-host: evaluate}
rationale: r
remediation: r
tests:
  - probe: network-field
    driver: [overlay]
    path: Options[encrypted]
    compare: set
    absent: fail
    missing: not-applicable
    expected: every overlay network encrypted
)";

TEST(DockerChecks, OverlayNetworkAbsentOptionFails) {
  const Check check = load(kOverlay);
  docker::Snapshot s;
  s.engine.networks.state = okState();
  s.engine.networks.doc = nlohmann::json::parse(
      R"([{"Name": "ingress", "Driver": "overlay", "Options": {"encrypted": ""}},
          {"Name": "bridge", "Driver": "bridge", "Options": {}}])");
  EXPECT_EQ(evaluateCheck(check, hostResource(s)).status, CheckStatus::Pass);
  s.engine.networks.doc.push_back({{"Name", "backend"}, {"Driver", "overlay"}});
  EXPECT_EQ(evaluateCheck(check, hostResource(s)).status, CheckStatus::Fail);
  s.engine.networks.doc = nlohmann::json::array();
  EXPECT_EQ(evaluateCheck(check, hostResource(s)).status, CheckStatus::NotApplicable);
}

}  // namespace
}  // namespace bulwark::checks::testing
