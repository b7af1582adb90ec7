// The kubelet's effective configuration (k8s/kubelet_config.h): flag over file over default,
// the flags-only defaults, feature gates, durations, and sources that could not be read.
#include <gtest/gtest.h>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/kubelet_config.h"
#include "checks/k8s/node_snapshot.h"

namespace bulwark::checks::k8s {
namespace {

using docker::FactState;
using docker::FactStatus;
using Origin = OptionValue::Origin;
using Strings = std::vector<std::string>;

struct Case {
  Strings argv;
  FactState argv_state{FactStatus::Ok, {}, "/proc/1/cmdline"};
  std::string config_path;
  FactState config_state{FactStatus::Missing, "no --config flag", {}};
  nlohmann::json doc;
  bool effective = false;       // the doc is the kubelet's /configz
  std::size_t diagnostics = 0;  // of the last run

  ComponentConfig run(Component component = Component::Kubelet) {
    ComponentInputs inputs;
    inputs.argv = &argv;
    inputs.argv_state = argv_state;
    inputs.config_path = config_path;
    inputs.config_state = config_state;
    inputs.config_doc = config_state.ok() ? &doc : nullptr;
    inputs.effective = effective;
    core::Diagnostics found;
    auto config = effectiveComponentConfig(component, inputs, found);
    diagnostics = found.size();
    return config;
  }
  void withConfig(nlohmann::json value) {
    config_path = "/var/lib/kubelet/config.yaml";
    config_state = {FactStatus::Ok, {}, config_path};
    doc = std::move(value);
  }
};

const OptionValue& at(const ComponentConfig& config, std::string_view key) {
  const OptionValue* value = config.find(key);
  EXPECT_NE(value, nullptr) << key;
  static const OptionValue kNone;
  return value != nullptr ? *value : kNone;
}

TEST(KubeletConfig, FlagOverridesFile) {
  Case c;
  c.argv = {"/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml",
            "--read-only-port", "10255",
            "--anonymous-auth", "--read_only_port=10256"};
  c.withConfig({{"readOnlyPort", 0}, {"authentication", {{"anonymous", {{"enabled", false}}}}}});
  const auto config = c.run();
  EXPECT_TRUE(config.config_file);
  const auto& port = at(config, "readOnlyPort");
  EXPECT_EQ(port.origin, Origin::Flag);
  EXPECT_EQ(port.values, Strings{"10256"});  // the last occurrence, `_` read as `-`
  EXPECT_EQ(port.where, "kubelet flag --read-only-port=10256");
  const auto& anonymous = at(config, "authentication.anonymous.enabled");
  EXPECT_EQ(anonymous.origin, Origin::Flag);
  EXPECT_EQ(anonymous.values, Strings{"true"});
  const auto& mode = at(config, "authorization.mode");
  EXPECT_EQ(mode.origin, Origin::Default);
  EXPECT_EQ(mode.values, Strings{"Webhook"});
  EXPECT_EQ(mode.where, "kubelet default (config file given)");
  EXPECT_EQ(c.diagnostics, 0U);
}

TEST(KubeletConfig, FileValues) {
  Case c;
  c.argv = {"kubelet", "--config=/var/lib/kubelet/config.yaml"};
  c.withConfig({{"readOnlyPort", 10255},
                {"authorization", {{"mode", "AlwaysAllow"}}},
                {"tlsCipherSuites", {"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_AES_128_GCM_SHA256"}},
                {"eventRecordQPS", 0}});
  const auto config = c.run();
  EXPECT_EQ(at(config, "readOnlyPort").values, Strings{"10255"});
  EXPECT_EQ(at(config, "readOnlyPort").where,
            "kubelet config /var/lib/kubelet/config.yaml readOnlyPort");
  EXPECT_EQ(at(config, "authorization.mode").values, Strings{"AlwaysAllow"});
  EXPECT_EQ(at(config, "tlsCipherSuites").values,
            (Strings{"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_AES_128_GCM_SHA256"}));
  EXPECT_EQ(at(config, "eventRecordQPS").values, Strings{"0"});  // 0 is a value, not unset
}

TEST(KubeletConfig, FlagsOnlyUsesTheInsecureDefaults) {
  Case c;
  c.argv = {"kubelet", "--kubeconfig=/etc/kubernetes/kubelet.conf"};
  const auto config = c.run();
  EXPECT_FALSE(config.config_file);
  EXPECT_EQ(at(config, "authentication.anonymous.enabled").values, Strings{"true"});
  EXPECT_EQ(at(config, "authorization.mode").values, Strings{"AlwaysAllow"});
  EXPECT_EQ(at(config, "readOnlyPort").values, Strings{"10255"});
  EXPECT_EQ(at(config, "readOnlyPort").where, "kubelet default (flags only)");
  EXPECT_EQ(at(config, "kubeconfig").values, Strings{"/etc/kubernetes/kubelet.conf"});
  EXPECT_EQ(at(config, "tlsCipherSuites").values, Strings{});
}

TEST(KubeletConfig, ConfigFileDefaults) {
  Case c;
  c.argv = {"kubelet", "--config", "/var/lib/kubelet/config.yaml"};
  c.withConfig(nlohmann::json::object());
  const auto config = c.run();
  EXPECT_EQ(at(config, "authentication.anonymous.enabled").values, Strings{"false"});
  EXPECT_EQ(at(config, "authorization.mode").values, Strings{"Webhook"});
  EXPECT_EQ(at(config, "readOnlyPort").values, Strings{"0"});
  EXPECT_EQ(at(config, "streamingConnectionIdleTimeout").values, Strings{"14400"});
  EXPECT_EQ(at(config, "rotateCertificates").values, Strings{"false"});
  EXPECT_EQ(at(config, "podPidsLimit").values, Strings{"-1"});
  EXPECT_EQ(at(config, "featureGates.RotateKubeletServerCertificate").values, Strings{"true"});
  // An empty string in the file is unset: the kubelet's defaulting fills it.
  c.doc = {{"authorization", {{"mode", ""}}}};
  EXPECT_EQ(at(c.run(), "authorization.mode").values, Strings{"Webhook"});
}

TEST(KubeletConfig, FeatureGatesMergePerGate) {
  Case c;
  c.argv = {"kubelet",
            "--feature-gates=GracefulNodeShutdown=true,RotateKubeletServerCertificate=false",
            "--config=/var/lib/kubelet/config.yaml"};
  c.withConfig({{"featureGates", {{"RotateKubeletServerCertificate", true}}}});
  auto gate = at(c.run(), "featureGates.RotateKubeletServerCertificate");
  EXPECT_EQ(gate.origin, Origin::Flag);
  EXPECT_EQ(gate.values, Strings{"false"});
  EXPECT_EQ(gate.where, "kubelet flag --feature-gates RotateKubeletServerCertificate=false");

  c.argv = {"kubelet", "--feature-gates=A=true", "--feature-gates", "B=false"};
  gate = at(c.run(), "featureGates.RotateKubeletServerCertificate");
  EXPECT_EQ(gate.origin, Origin::File);  // other gates on the command line: the file decides
  EXPECT_EQ(gate.values, Strings{"true"});

  c.doc = {{"featureGates", {{"RotateKubeletServerCertificate", false}}}};
  EXPECT_EQ(at(c.run(), "featureGates.RotateKubeletServerCertificate").values, Strings{"false"});

  c.argv = {"kubelet", "--feature-gates=RotateKubeletServerCertificate=maybe"};
  gate = at(c.run(), "featureGates.RotateKubeletServerCertificate");
  EXPECT_EQ(gate.origin, Origin::Unknown);
  EXPECT_EQ(gate.unread.status, FactStatus::Malformed);
  EXPECT_EQ(c.diagnostics, 1U);
}

TEST(KubeletConfig, Durations) {
  EXPECT_EQ(parseGoDuration("4h0m0s"), 14'400'000'000'000);
  EXPECT_EQ(parseGoDuration("1.5h"), 5'400'000'000'000);
  EXPECT_EQ(parseGoDuration("1h30m"), 5'400'000'000'000);
  EXPECT_EQ(parseGoDuration("300ms"), 300'000'000);
  EXPECT_EQ(parseGoDuration("2\xC2\xB5s"), 2'000);
  EXPECT_EQ(parseGoDuration("0"), 0);
  EXPECT_EQ(parseGoDuration("-1s"), -1'000'000'000);
  EXPECT_EQ(parseGoDuration("+5m"), 300'000'000'000);
  EXPECT_EQ(parseGoDuration("1"), std::nullopt);  // a number needs a unit
  EXPECT_EQ(parseGoDuration(""), std::nullopt);
  EXPECT_EQ(parseGoDuration("1x"), std::nullopt);
  EXPECT_EQ(parseGoDuration(".s"), std::nullopt);
  EXPECT_EQ(parseGoDuration("9999999999999999999h"), std::nullopt);
  EXPECT_EQ(parseGoDuration("3000000h"), std::nullopt);  // beyond 1<<63 ns

  Case c;
  c.argv = {"kubelet", "--config=/c"};
  c.withConfig({{"streamingConnectionIdleTimeout", "0s"}});
  EXPECT_EQ(at(c.run(), "streamingConnectionIdleTimeout").values, Strings{"0"});
  c.doc = {{"streamingConnectionIdleTimeout", "300ms"}};  // never rounded down to "no timeout"
  EXPECT_EQ(at(c.run(), "streamingConnectionIdleTimeout").values, Strings{"1"});
  c.argv.emplace_back("--streaming-connection-idle-timeout=5m");
  EXPECT_EQ(at(c.run(), "streamingConnectionIdleTimeout").values, Strings{"300"});
  c.argv = {"kubelet", "--config=/c"};
  c.doc = {{"streamingConnectionIdleTimeout", 300}};  // not a duration string
  const auto value = at(c.run(), "streamingConnectionIdleTimeout");
  EXPECT_EQ(value.origin, Origin::Unknown);
  EXPECT_EQ(value.unread.status, FactStatus::Malformed);
  EXPECT_EQ(c.diagnostics, 1U);
}

TEST(KubeletConfig, HyperkubeAndUnknownFlags) {
  Case c;
  c.argv = {"/usr/bin/hyperkube",
            "kubelet",
            "--v",
            "2",
            "--fail-swap-on",
            "--read-only-port=0",
            "-v",
            "4",
            "--anonymous-auth=false"};
  const auto config = c.run();
  EXPECT_EQ(at(config, "readOnlyPort").values, Strings{"0"});
  EXPECT_EQ(at(config, "authentication.anonymous.enabled").values, Strings{"false"});
  c.argv = {"kubelet", "--read-only-port=ten"};
  const auto bad = at(c.run(), "readOnlyPort");
  EXPECT_EQ(bad.origin, Origin::Unknown);
  EXPECT_EQ(bad.unread.status, FactStatus::Malformed);
  EXPECT_EQ(kubeFlagValue({"kubelet", "--config", "a.yaml", "--config=b.yaml"}, "--config"),
            "b.yaml");
  EXPECT_EQ(kubeFlagValue({"kubelet"}, "--config"), std::nullopt);
}

TEST(KubeletConfig, UnreadableSourcesAreUnknownNeverDefault) {
  Case c;
  c.argv_state = {FactStatus::PermissionDenied, "Permission denied", "/proc/1/cmdline"};
  auto config = c.run();
  for (const auto& [key, value] : config.options) {
    EXPECT_EQ(value.origin, Origin::Unknown) << key;
    EXPECT_EQ(value.unread.status, FactStatus::PermissionDenied) << key;
  }
  // The config file could not be read: what the flags say stands, the rest is unknown.
  c.argv_state = {FactStatus::Ok, {}, "/proc/1/cmdline"};
  c.argv = {"kubelet", "--config=/var/lib/kubelet/config.yaml", "--read-only-port=0"};
  c.config_path = "/var/lib/kubelet/config.yaml";
  c.config_state = {FactStatus::PermissionDenied, "Permission denied", c.config_path};
  config = c.run();
  EXPECT_EQ(at(config, "readOnlyPort").origin, Origin::Flag);
  EXPECT_EQ(at(config, "authentication.anonymous.enabled").origin, Origin::Unknown);
  EXPECT_EQ(at(config, "hostname-override").origin, Origin::Default);  // flag only
  // A config that is not a map.
  c.withConfig(nlohmann::json::array({1, 2}));
  config = c.run();
  EXPECT_EQ(at(config, "authorization.mode").unread.status, FactStatus::Malformed);
}

// /configz: the kubelet's own view with flags merged in. A value there is the file's; one left
// out (omitempty) has the config-file default; a flag-only option stays unknown with the
// command line's state — never the flags-only default.
TEST(KubeletConfig, EffectiveConfigzDocument) {
  Case c;
  c.argv.clear();
  c.argv_state = {FactStatus::NotCollected, "not its command line", "GET /configz"};
  c.config_path = "/api/v1/nodes/n/proxy/configz";
  c.config_state = {FactStatus::Ok, {}, c.config_path};
  c.doc = {{"readOnlyPort", 10255}, {"authorization", {{"mode", "AlwaysAllow"}}}};
  c.effective = true;
  const auto config = c.run();
  EXPECT_EQ(at(config, "readOnlyPort").origin, Origin::File);
  EXPECT_EQ(at(config, "readOnlyPort").values, Strings{"10255"});
  EXPECT_EQ(at(config, "authorization.mode").values, Strings{"AlwaysAllow"});
  const auto& anonymous = at(config, "authentication.anonymous.enabled");
  EXPECT_EQ(anonymous.origin, Origin::Default);
  EXPECT_EQ(anonymous.values, Strings{"false"});  // with a config file, not the flags' true
  EXPECT_EQ(anonymous.where,
            "kubelet default (/api/v1/nodes/n/proxy/configz leaves "
            "`authentication.anonymous.enabled` out)");
  const auto& hostname = at(config, "hostname-override");
  EXPECT_EQ(hostname.origin, Origin::Unknown);
  EXPECT_EQ(hostname.unread.status, FactStatus::NotCollected);
  // The same document as a plain config file with an unread command line: all unknown
  // but what the file sets.
  c.effective = false;
  EXPECT_EQ(at(c.run(), "authentication.anonymous.enabled").origin, Origin::Unknown);
}

TEST(KubeletConfig, ProxyMetricsAddress) {
  Case c;
  c.argv = {"kube-proxy", "--config=/var/lib/kube-proxy/config.conf"};
  c.withConfig({{"metricsBindAddress", ""}, {"clientConnection", {{"kubeconfig", "/k"}}}});
  auto config = c.run(Component::Proxy);
  EXPECT_EQ(at(config, "metricsBindAddress").values, Strings{"127.0.0.1:10249"});
  EXPECT_EQ(at(config, "clientConnection.kubeconfig").values, Strings{"/k"});
  c.argv.emplace_back("--metrics-bind-address=0.0.0.0:10249");
  EXPECT_EQ(at(c.run(Component::Proxy), "metricsBindAddress").values, Strings{"0.0.0.0:10249"});
}

// Through the checks: an unreadable command line never lets a kubelet check pass.
TEST(KubeletConfig, UnreadableArgvIsNotEvaluated) {
  auto checks = loadBuiltinChecks();
  ASSERT_TRUE(checks) << checks.error().message;
  NodeSnapshot node;
  node.host.hostname = "n1";
  node.kubelet.state = {FactStatus::PermissionDenied, "Permission denied", "/proc/7/cmdline"};
  node.proxy.state = {FactStatus::Missing, "no kube-proxy process", "/proc"};
  core::Diagnostics diagnostics;
  const auto results = evaluateK8sNode(*checks, node, EvalContext{}, diagnostics);
  std::size_t kubelet_checks = 0;
  for (const auto& r : results) {
    EXPECT_EQ(r.resource, "k8s-node:n1");
    EXPECT_EQ(r.resource_kind, "k8s-node");
    if (r.check_id >= "BW-K8S-721" && r.check_id <= "BW-K8S-734") {
      ++kubelet_checks;
      const bool not_evaluated =
          r.status == model::CheckStatus::NotEvaluated ||
          (r.status == model::CheckStatus::Manual && r.assist == model::CheckStatus::NotEvaluated);
      EXPECT_TRUE(not_evaluated) << r.check_id << " " << model::toString(r.status);
      if (r.status == model::CheckStatus::NotEvaluated) {
        EXPECT_EQ(r.cause, model::NotEvaluatedCause::PermissionDenied) << r.check_id;
      }
    }
    if (r.check_id == "BW-K8S-741") {
      EXPECT_EQ(r.status, model::CheckStatus::NotApplicable);
    }
  }
  EXPECT_EQ(kubelet_checks, 14U);
}

}  // namespace
}  // namespace bulwark::checks::k8s
