// kube-bench's CIS 1.12 node controls (../shared/testdata/hardening/kube-bench
// cfg/cis-1.12/node.yaml, read in place) against our profile cis-k8s-node-1.12: every 4.x id is
// a control with the same Automated/Manual type, and each kubelet test item's flag and config
// path are the ones our kubelet_options.def row and check read. kube-bench has no node inputs
// with verdicts; those come from kubescape's KubeletInfo cases (host_sensor_test.cpp).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "checks/check.h"
#include "checks/k8s/kubelet_config.h"
#include "checks/k8s/yaml_json.h"
#include "checks/probes/probe.h"
#include "checks/profile.h"
#include "testdata.h"

namespace bulwark::checks::k8s {
namespace {

constexpr std::string_view kNodeYaml = "hardening/kube-bench/cfg/cis-1.12/node.yaml";

// Intentional differences, with the reason (docs/compat.md "kube-bench"):
// - 4.2.11: kube-bench names the gate as the flag (`RotateKubeletServerCertificate`); the
//   kubelet takes it inside --feature-gates, which is what we parse (one entry of the map).
// - 4.2.12: kube-bench's path is a JSONPath range that joins the list with commas; we read
//   the list itself (tlsCipherSuites) and judge each element.
// - 4.2.10 (semantics, not paths): kube-bench passes when rotateCertificates is not set at all;
//   the kubelet's default is false (no rotation), so our effective value fails it.
// - 4.2.4, 4.2.5, 4.2.6, 4.2.8, 4.2.13 (semantics): kube-bench passes an option that is not
//   set; we judge the kubelet's effective default instead (read-only port 10255 without a
//   config file, no PID limit), which is what the node runs with.
const std::map<std::string, std::string, std::less<>> kFlagDifferences = {
    {"RotateKubeletServerCertificate", "--feature-gates"},
};
const std::map<std::string, std::string, std::less<>> kPathDifferences = {
    {"{range .tlsCipherSuites[:]}{}{','}{end}", "tlsCipherSuites"},
};

// "{.authentication.anonymous.enabled}" → "authentication.anonymous.enabled".
std::string pathKey(const std::string& path) {
  if (const auto it = kPathDifferences.find(path); it != kPathDifferences.end()) return it->second;
  if (path.size() > 3 && path.starts_with("{.") && path.ends_with("}")) {
    return path.substr(2, path.size() - 3);
  }
  return path;
}

// Every `option` a kubelet-config / proxy-config test of the check reads.
void optionsOf(const std::vector<Test>& tests, std::set<std::string>& out) {
  for (const auto& test : tests) {
    optionsOf(test.children, out);
    if (test.probe != nullptr &&
        (test.probe->kind == "kubelet-config" || test.probe->kind == "proxy-config")) {
      out.emplace(test.params.string("option"));
    }
  }
}

TEST(KubeBenchCoverage, EveryNodeControlMatches) {
  BULWARK_REQUIRE_SHARED(kNodeYaml);
  const std::string text = testing::readFile(testing::sharedTestdata() / kNodeYaml);
  auto doc = yamlToJson(text, YamlLimits{});
  ASSERT_TRUE(doc) << doc.error().message;
  auto profile = builtinProfile("cis-k8s-node-1.12");
  ASSERT_TRUE(profile) << profile.error().message;
  auto checks = loadBuiltinChecks();
  ASSERT_TRUE(checks) << checks.error().message;

  std::size_t controls = 0;
  std::size_t items = 0;
  std::set<std::string> seen;
  for (const auto& group : doc->value.at("groups")) {
    for (const auto& check : group.at("checks")) {
      const std::string id =
          check.at("id").is_string() ? check.at("id").get<std::string>() : check.at("id").dump();
      const std::string title = check.at("text").get<std::string>();
      SCOPED_TRACE(id);
      ++controls;
      seen.insert(id);
      const Control* control = profile->find(id);
      ASSERT_NE(control, nullptr) << "kube-bench control " << id << " is not in our profile";
      const bool automated = title.ends_with("(Automated)");
      ASSERT_TRUE(automated || title.ends_with("(Manual)")) << title;
      EXPECT_EQ(control->automated, automated);
      ASSERT_EQ(control->checks.size(), 1U);
      const Check* ours = checks->find(control->checks.front());
      ASSERT_NE(ours, nullptr) << control->checks.front();
      EXPECT_EQ(ours->automated, automated) << ours->id << " assessment";
      if (!id.starts_with("4.2.") && !id.starts_with("4.3.")) continue;

      std::set<std::string> read;
      optionsOf(ours->tests, read);
      const Component component = id.starts_with("4.3.") ? Component::Proxy : Component::Kubelet;
      const auto tests = check.find("tests");
      if (tests == check.end() || !tests->contains("test_items")) continue;
      for (const auto& item : tests->at("test_items")) {
        const std::string flag = item.value("flag", "");
        const std::string path = item.contains("path") ? item.at("path").get<std::string>() : "";
        ++items;
        // Flag-only options (--hostname-override) have no path: the flag name is our key.
        const std::string key =
            path.empty() ? flag.substr(flag.starts_with("--") ? 2 : 0) : pathKey(path);
        const KubeOption* option = findKubeOption(component, key);
        ASSERT_NE(option, nullptr) << "no kubelet_options.def row for " << key;
        const auto difference = kFlagDifferences.find(flag);
        EXPECT_EQ(option->flag, difference != kFlagDifferences.end() ? difference->second : flag)
            << key;
        EXPECT_TRUE(read.contains(key)) << ours->id << " does not read " << key;
      }
    }
  }
  EXPECT_EQ(controls, 25U);
  EXPECT_EQ(profile->controls.size(), 25U);
  for (const auto& control : profile->controls)
    EXPECT_TRUE(seen.contains(control.id)) << control.id;
  EXPECT_GE(items, 20U);
  std::printf("kube-bench cis-1.12 node: %zu controls, %zu kubelet/kube-proxy test items match\n",
              controls, items);
}

}  // namespace
}  // namespace bulwark::checks::k8s
