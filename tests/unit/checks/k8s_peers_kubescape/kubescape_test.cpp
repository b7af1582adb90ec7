// Agreement with kubescape (docs/dev/k8s-design.md §6): each regolibrary rule has test cases,
// `rules/<rule>/test/<case>/input/*` (the objects) and `expected.json` (the alerts; `[]` = all
// pass). Only the rules of the controls §6.3 maps are compared (tests/fixtures/k8s/peers/
// kubescape.map.tsv); the kubelet controls are the node adapter's.
//
//   - A rule on workloads, namespaces, Services or Ingresses alerts on objects
//     (`alertObject.k8sApiObjects`): each object named in an alert is a fail pair; every other
//     input object on which one of our mapped checks gives a result is a pass pair.
//   - A rule on RBAC subjects (`resourcesAggregator: subject-role-rolebinding`) alerts on a user,
//     group or service account with the binding and role as related objects, while our RBAC
//     checks judge the role or the binding; so the case is the unit: any alert ↔ one of our
//     mapped checks fails on some input object.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/diagnostic.h"
#include "testdata.h"
#include "unit/checks/k8s_peers/peer_support.h"

namespace bulwark::checks {
namespace {

namespace fs = std::filesystem;
using namespace peer_testing;

constexpr std::string_view kPeer = "kubescape";
constexpr std::string_view kDir = "hardening/kubescape-regolibrary";

// The controls of §6.3 whose rules are compared here (the kubelet ones are not: node adapter).
const std::set<std::string> kControls = {
    "C-0002", "C-0013", "C-0015", "C-0016", "C-0017", "C-0021", "C-0030", "C-0035", "C-0038",
    "C-0041", "C-0044", "C-0045", "C-0046", "C-0048", "C-0054", "C-0055", "C-0057", "C-0074",
    "C-0078", "C-0187", "C-0191", "C-0256", "C-0260", "C-0262", "C-0263", "C-0270", "C-0271"};

nlohmann::json readJson(const fs::path& path) {
  auto parsed = nlohmann::json::parse(testing::readFile(path), nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(parsed.is_discarded()) << path;
  return parsed;
}

// Rule name → its controls, for the controls above, from controls/*.json `rulesNames`.
std::map<std::string, std::set<std::string>> comparedRules(const fs::path& root) {
  std::map<std::string, std::set<std::string>> rules;
  for (const auto& entry : fs::directory_iterator(root / "controls")) {
    if (entry.path().extension() != ".json") continue;
    const auto control = readJson(entry.path());
    if (!control.is_object()) continue;
    const std::string id = control.value("controlID", "");
    if (!kControls.contains(id)) continue;
    for (const auto& name : control.value("rulesNames", nlohmann::json::array())) {
      if (name.is_string()) rules[name.get<std::string>()].insert(id);
    }
  }
  return rules;
}

// All input objects of one case in one inventory, as `bulwark bench k8s input/*` reads them.
Run runCase(const fs::path& input) {
  Run run;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(input)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  core::Diagnostics diagnostics;
  for (const auto& file : files) {
    k8s::addManifestText(testing::readFile(file), file.filename().string(), k8s::ManifestOptions{},
                         run.inventory, diagnostics);
  }
  run.inventory.index();
  run.results = evaluateK8s(builtinSet(), run.inventory, EvalContext{});
  return run;
}

struct Named {
  std::string kind;
  std::string ns;  // empty when the alert does not say
  std::string name;
};

// The objects of a case's alerts (`k8sApiObjects`), and whether any alert is on a subject.
struct Alerts {
  std::vector<Named> objects;
  std::size_t count = 0;
};

Alerts readAlerts(const nlohmann::json& expected) {
  Alerts alerts;
  if (!expected.is_array()) return alerts;
  for (const auto& alert : expected) {
    ++alerts.count;
    const auto object = alert.value("alertObject", nlohmann::json::object());
    for (const auto& k8s : object.value("k8sApiObjects", nlohmann::json::array())) {
      const auto meta = k8s.value("metadata", nlohmann::json::object());
      alerts.objects.push_back(
          {k8s.value("kind", ""), meta.value("namespace", ""), meta.value("name", "")});
    }
    // An alert on an external object (C-0021: the exposed workload) names what exposes it as
    // related objects — the Service the alert message is about, which our check fails.
    const auto external = object.value("externalObjects", nlohmann::json::object());
    for (const auto& related : external.value("relatedObjects", nlohmann::json::array())) {
      const auto meta = related.value("metadata", nlohmann::json::object());
      alerts.objects.push_back(
          {related.value("kind", ""), meta.value("namespace", ""), meta.value("name", "")});
    }
  }
  return alerts;
}

bool matches(const Named& named, const k8s::Object& object) {
  return named.kind == object.kind && named.name == object.name &&
         (named.ns.empty() || named.ns == object.ns);
}

TEST(KubescapePeer, Agreement) {
  BULWARK_REQUIRE_SHARED(kDir);
  const auto map = loadPeerMap(kPeer);
  const fs::path root = testing::sharedTestdata() / kDir;
  const auto rules = comparedRules(root);
  EXPECT_GT(rules.size(), 20U);

  std::vector<Pair> pairs;
  std::size_t cases = 0;
  std::size_t out_of_scope = 0;
  std::size_t incomplete = 0;
  for (const auto& [rule, controls] : rules) {
    const fs::path tests = root / "rules" / rule / "test";
    if (!fs::is_directory(tests)) continue;  // not copied (SOURCES.md) or without cases
    const auto it = map.find(rule);
    EXPECT_NE(it, map.end()) << "kubescape rule missing from kubescape.map.tsv: " << rule;
    if (it == map.end()) continue;
    const MapRow& row = it->second;
    const auto metadata = readJson(root / "rules" / rule / "rule.metadata.json");
    const bool by_subject =
        metadata.value("attributes", nlohmann::json::object()).value("resourcesAggregator", "") ==
        "subject-role-rolebinding";

    std::vector<fs::path> case_dirs;
    for (const auto& entry : fs::directory_iterator(tests)) {
      if (entry.is_directory()) case_dirs.push_back(entry.path());
    }
    std::sort(case_dirs.begin(), case_dirs.end());
    for (const auto& dir : case_dirs) {
      ++cases;
      if (row.outOfScope()) {
        ++out_of_scope;
        continue;
      }
      if (!fs::is_directory(dir / "input") || !fs::is_regular_file(dir / "expected.json")) {
        ++incomplete;  // a case whose data was not copied (SOURCES.md)
        continue;
      }
      const std::string fixture = fs::relative(dir, root).generic_string();
      const peer_testing::Run run = runCase(dir / "input");
      const Alerts alerts = readAlerts(readJson(dir / "expected.json"));
      if (by_subject) {
        pairs.push_back({fixture, "*", rule, alerts.count > 0 ? Verdict::Fail : Verdict::Pass,
                         ourVerdict(run, row)});
        continue;
      }
      std::set<std::string> failed;
      for (const auto& named : alerts.objects) {
        const auto object = std::find_if(run.inventory.objects.begin(), run.inventory.objects.end(),
                                         [&](const k8s::Object& o) { return matches(named, o); });
        if (object == run.inventory.objects.end()) {
          // An alert on an object we did not read: a disagreement the TSV must name.
          const std::string resource = fmt::format("k8s:?/{}/{}", named.kind, named.name);
          if (failed.insert(resource).second) {
            pairs.push_back({fixture, resource, rule, Verdict::Fail, Ours::NoResult});
          }
          continue;
        }
        const std::string resource = object->resourceName();
        if (failed.insert(resource).second) {
          pairs.push_back({fixture, resource, rule, Verdict::Fail, ourVerdict(run, row, resource)});
        }
      }
      for (const auto& object : run.inventory.objects) {
        const std::string resource = object.resourceName();
        if (failed.contains(resource)) continue;
        const Ours ours = ourVerdict(run, row, resource);
        if (ours != Ours::NoResult) pairs.push_back({fixture, resource, rule, Verdict::Pass, ours});
      }
    }
  }
  std::cout << fmt::format(
      "kubescape: {} rules of {} controls, {} test cases ({} of out-of-scope rules, {} without "
      "input); "
      "{} verdict pairs\n",
      rules.size(), kControls.size(), cases, out_of_scope, incomplete, pairs.size());
  // 142/144 (98.6 %): the 98 % goal of docs/dev/k8s-design.md §6.1; the two differences are
  // listed with their reasons in kubescape.disagreements.tsv and docs/compat.md. The floor is
  // today's figure, so one new disagreement fails.
  expectAgreement(kPeer, pairs, 142.0 / 144.0);
}

}  // namespace
}  // namespace bulwark::checks
