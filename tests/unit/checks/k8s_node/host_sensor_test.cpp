// kubescape host-sensor documents (KubeletInfo, KubeProxyInfo) from the regolibrary test cases
// (../shared/testdata/hardening/kubescape-regolibrary, read in place) → node snapshots → our
// node check verdicts, compared with each case's expected.json (`[]`: the rule passes; alerts:
// it fails). Prints the agreement; known differences are listed with their reason.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/node_snapshot.h"
#include "testdata.h"

namespace bulwark::checks::k8s {
namespace {

namespace fs = std::filesystem;
using model::CheckStatus;

constexpr std::string_view kRules = "hardening/kubescape-regolibrary/rules";

// kubescape rule → our check (rules about the control plane or not in CIS 1.12 section 4 are
// left out: protect-kernel-defaults, the API server's kubelet arguments).
const std::map<std::string, std::string, std::less<>> kRuleMap = {
    {"anonymous-requests-to-kubelet-updated", "BW-K8S-721"},
    {"kubelet-authorization-mode-alwaysAllow", "BW-K8S-722"},
    {"enforce-kubelet-client-tls-authentication-updated", "BW-K8S-723"},
    {"kubelet-streaming-connection-idle-timeout", "BW-K8S-725"},
    {"kubelet-ip-tables", "BW-K8S-726"},
    {"kubelet-hostname-override", "BW-K8S-727"},
    {"kubelet-event-qps", "BW-K8S-728"},
    {"validate-kubelet-tls-configuration-updated", "BW-K8S-729"},
    {"kubelet-rotate-certificates", "BW-K8S-730"},
    {"kubelet-rotate-kubelet-server-certificate", "BW-K8S-731"},
    {"kubelet-strong-cryptography-ciphers", "BW-K8S-732"},
    {"kubelet-set-pod-limit", "BW-K8S-733"},
    {"ensure-that-the-kubelet-service-file-permissions-are-set-to-600-or-more-restrictive",
     "BW-K8S-701"},
    {"ensure-that-the-kubelet-service-file-ownership-is-set-to-root-root", "BW-K8S-702"},
    {"if-proxy-kubeconfig-file-exists-ensure-permissions-are-set-to-600-or-more-restrictive",
     "BW-K8S-703"},
    {"if-proxy-kubeconfig-file-exists-ensure-ownership-is-set-to-root-root", "BW-K8S-704"},
    {"ensure-that-the-kubeconfig-kubelet.conf-file-permissions-are-set-to-600-or-more-restrictive",
     "BW-K8S-705"},
    {"ensure-that-the-kubeconfig-kubelet.conf-file-ownership-is-set-to-root-root", "BW-K8S-706"},
    {"if-the-kubelet-config.yaml-configuration-file-is-being-used-validate-permissions-set-to-600-"
     "or-more-restrictive",
     "BW-K8S-709"},
    {"ensure-that-the-kubelet-configuration-file-ownership-is-set-to-root-root", "BW-K8S-710"},
    {"ensure-that-the-kube-proxy-metrics-service-is-bound-to-localhost", "BW-K8S-741"},
};

// "<rule>/<case>" pairs where we differ on purpose → reason key (paragraphs in the report for
// docs/compat.md "Kubernetes: differences from peers"):
// - sensor-failed: the document names a config file without its content; kubescape fails the
//   rule, we cannot know the value (not evaluated, never a guess).
// - owner-ids: the fixtures' ownership names and ids disagree (uid 0 "noroot"); we judge the
//   numeric owner 0:0, as stat does.
// - rotate-default: rotateCertificates unset; the kubelet's default is false (no rotation), so
//   we fail where kubescape passes.
// - qps-zero: eventRecordQPS 0 means no rate limit (every event recorded); we pass it as
//   kube-bench's `gte 0` does, kubescape fails it.
// - invalid-config: the config content is not what the kubelet would accept (a line without
//   `: `, a number where a duration or path string belongs); the kubelet would not start, we
//   report it malformed (not evaluated).
// - ciphers-key: the fixtures spell the key `TLSCipherSuites` (one string); the kubelet reads
//   `tlsCipherSuites` (a list), so we see no list and leave the decision to a person.
// - no-config-flag: content captured for a kubelet started without --config is not its
//   configuration; from flags only, anonymous requests are allowed by default.
const std::map<std::string, std::string, std::less<>> kKnown = {
    {"anonymous-requests-to-kubelet-updated/no-cli-params", "no-config-flag"},
    {"enforce-kubelet-client-tls-authentication-updated/fail-config-sensor-failed",
     "sensor-failed"},
    {"ensure-that-the-kubeconfig-kubelet.conf-file-ownership-is-set-to-root-root/passed",
     "owner-ids"},
    {"ensure-that-the-kubelet-configuration-file-ownership-is-set-to-root-root/passed",
     "owner-ids"},
    {"ensure-that-the-kubelet-service-file-ownership-is-set-to-root-root/passed", "owner-ids"},
    {"if-proxy-kubeconfig-file-exists-ensure-ownership-is-set-to-root-root/failed", "owner-ids"},
    {"kubelet-authorization-mode-alwaysAllow/fail-sensor-failed", "sensor-failed"},
    {"kubelet-event-qps/fail-eventRecordQPS=0-config", "qps-zero"},
    {"kubelet-event-qps/fail-sensor-failed", "sensor-failed"},
    {"kubelet-ip-tables/fail-sensor-failed", "sensor-failed"},
    {"kubelet-rotate-certificates/fail-sensor-failed", "sensor-failed"},
    {"kubelet-rotate-certificates/pass-cli-argument-not-set", "rotate-default"},
    {"kubelet-rotate-certificates/pass-not-present-in-config-file", "rotate-default"},
    {"kubelet-set-pod-limit/pass-config-set", "invalid-config"},
    {"kubelet-streaming-connection-idle-timeout/fail-config-file", "invalid-config"},
    {"kubelet-streaming-connection-idle-timeout/fail-sensor-failed", "sensor-failed"},
    {"kubelet-strong-cryptography-ciphers/fail-cli-and-config-not-set", "ciphers-key"},
    {"kubelet-strong-cryptography-ciphers/fail-config-not-supported-value", "ciphers-key"},
    {"kubelet-strong-cryptography-ciphers/pass-config-not-set", "ciphers-key"},
    {"kubelet-strong-cryptography-ciphers/pass-config-supported-value", "ciphers-key"},
    {"validate-kubelet-tls-configuration-updated/pass-1-cli-2-config", "invalid-config"},
};

CheckStatus verdict(const model::CheckResult& r) {
  return r.status == CheckStatus::Manual && r.assist ? *r.assist : r.status;
}

TEST(HostSensor, KubeletCasesAgreeWithKubescape) {
  BULWARK_REQUIRE_SHARED(kRules);
  auto checks = loadBuiltinChecks();
  ASSERT_TRUE(checks) << checks.error().message;
  std::size_t pairs = 0;
  std::size_t agree = 0;
  std::size_t undecided = 0;
  std::vector<std::string> disagreements;
  std::map<std::string, std::size_t> by_reason;
  for (const auto& [rule, check_id] : kRuleMap) {
    const fs::path tests = testing::sharedTestdata() / kRules / rule / "test";
    std::error_code error;
    if (!fs::is_directory(tests, error)) continue;
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(tests)) cases.push_back(entry.path());
    std::sort(cases.begin(), cases.end());
    const Check* check = checks->find(check_id);
    ASSERT_NE(check, nullptr) << check_id;
    CheckSet one;
    one.checks.push_back(*check);
    for (const auto& dir : cases) {
      // The case's host-sensor documents, as one array.
      nlohmann::json docs = nlohmann::json::array();
      for (const auto& input : fs::directory_iterator(dir / "input", error)) {
        auto doc = nlohmann::json::parse(testing::readFile(input.path()), nullptr, false);
        if (doc.is_discarded()) continue;
        for (auto& item : doc.is_array() ? doc : nlohmann::json::array({doc})) {
          if (item.is_object() && (item.value("kind", "") == "KubeletInfo" ||
                                   item.value("kind", "") == "KubeProxyInfo")) {
            docs.push_back(item);
          }
        }
      }
      if (docs.empty()) continue;
      const auto expected =
          nlohmann::json::parse(testing::readFile(dir / "expected.json"), nullptr, false);
      if (expected.is_discarded() || !expected.is_array()) continue;
      const bool kubescape_fails = !expected.empty();
      core::Diagnostics diagnostics;
      auto node = nodeSnapshotFromHostSensor(docs.dump(), diagnostics);
      ASSERT_TRUE(node) << dir << ": " << node.error().message;
      const auto results = evaluateK8sNode(one, *node, EvalContext{}, diagnostics);
      ASSERT_EQ(results.size(), 1U) << dir;
      const CheckStatus ours = verdict(results.front());
      const std::string name = rule + "/" + dir.filename().string();
      ++pairs;
      const bool same = kubescape_fails
                            ? ours == CheckStatus::Fail
                            : ours == CheckStatus::Pass || ours == CheckStatus::NotApplicable;
      if (ours == CheckStatus::NotEvaluated || ours == CheckStatus::Manual) ++undecided;
      if (same) {
        ++agree;
        EXPECT_FALSE(kKnown.contains(name)) << name << " agrees now: remove it from kKnown";
      } else if (const auto known = kKnown.find(name); known != kKnown.end()) {
        ++by_reason[known->second];
      } else {
        disagreements.push_back(fmt::format("{}\t{}\ttheirs={}\tours={}\t{}", name, check_id,
                                            kubescape_fails ? "fail" : "pass",
                                            model::toString(ours), results.front().reason));
      }
    }
  }
  std::printf("kubescape KubeletInfo: %zu/%zu agree (%.1f %%), %zu not decided by us\n", agree,
              pairs, pairs == 0 ? 100.0 : 100.0 * static_cast<double>(agree) / pairs, undecided);
  for (const auto& [reason, count] : by_reason) {
    std::printf("  known difference %s: %zu\n", reason.c_str(), count);
  }
  for (const auto& line : disagreements) std::printf("  new disagreement: %s\n", line.c_str());
  EXPECT_GE(pairs, 60U);
  EXPECT_TRUE(disagreements.empty()) << "a disagreement without a reason key (printed above)";
}

TEST(HostSensor, ImportsCommandLineConfigAndFiles) {
  const std::string doc =
      R"({"apiVersion": "hostdata.kubescape.cloud/v1beta0", "kind": "KubeletInfo",
    "metadata": {"name": "minikube"},
    "data": {"cmdLine": "/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --read-only-port=0",
      "configFile": {"path": "/var/lib/kubelet/config.yaml", "permissions": 420,
        "ownership": {"uid": 0, "gid": 0, "username": "root", "groupname": "root"},
        "content": "YXV0aGVudGljYXRpb246CiAgYW5vbnltb3VzOgogICAgZW5hYmxlZDogdHJ1ZQo="}}})";
  core::Diagnostics diagnostics;
  auto node = nodeSnapshotFromHostSensor(doc, diagnostics);
  ASSERT_TRUE(node) << node.error().message;
  EXPECT_EQ(node->host.hostname, "minikube");
  EXPECT_EQ(node->kubelet.argv.size(), 3U);
  EXPECT_EQ(node->kubelet_config.doc["authentication"]["anonymous"]["enabled"], true);
  EXPECT_EQ(node->host.host.files.at("/var/lib/kubelet/config.yaml").mode, 0644U);
  EXPECT_EQ(node->proxy.state.status, docker::FactStatus::NotCollected);
  EXPECT_FALSE(nodeSnapshotFromHostSensor(R"({"kind": "Pod"})", diagnostics));
  EXPECT_FALSE(nodeSnapshotFromHostSensor("not json", diagnostics));
}

}  // namespace
}  // namespace bulwark::checks::k8s
