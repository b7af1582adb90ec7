// Kubernetes network exposure: label selectors (every operator, the limits, what is malformed),
// the lookups of k8s/network.h (same namespace only, policyTypes defaulting, list states),
// Cilium's policies (k8s/cilium.h), and the checks BW-K8S-301…310 end to end — manifests read
// by addManifestText, indexed, evaluated with the built-in checks — asserting status and
// evidence per (resource, check id).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/cilium.h"
#include "checks/k8s/manifest.h"
#include "checks/k8s/network.h"
#include "checks/k8s/selector.h"
#include "checks/profile.h"
#include "testdata.h"

namespace bulwark::checks {
namespace {

using k8s::Direction;
using k8s::LabelSelector;
using model::CheckStatus;
using model::NotEvaluatedCause;
using nlohmann::json;

LabelSelector selector(const json& doc) {
  auto parsed = k8s::parseLabelSelector(doc);
  EXPECT_TRUE(parsed.has_value()) << doc.dump() << ": " << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : LabelSelector::nothing();
}

std::string problem(const json& doc) {
  auto parsed = k8s::parseLabelSelector(doc);
  return parsed ? std::string("(parsed)") : parsed.error().message;
}

bool matches(const LabelSelector& s, const json& labels) { return s.matches(&labels); }

// ---------------------------------------------------------------------------------------
// selectors

TEST(LabelSelectorTest, EveryOperator) {
  const auto s = selector(json::parse(R"({
    "matchLabels": {"app": "web"},
    "matchExpressions": [
      {"key": "tier", "operator": "In", "values": ["front", "edge"]},
      {"key": "env", "operator": "NotIn", "values": ["prod"]},
      {"key": "team", "operator": "Exists"},
      {"key": "canary", "operator": "DoesNotExist"}]})"));
  EXPECT_EQ(s.text(), "app=web,tier in (front,edge),env notin (prod),team,!canary");
  const json base = {{"app", "web"}, {"tier", "edge"}, {"env", "dev"}, {"team", "a"}};
  EXPECT_TRUE(matches(s, base));
  auto with = [&](std::string key, json value) {
    json labels = base;
    if (value.is_null()) {
      labels.erase(key);
    } else {
      labels[key] = std::move(value);
    }
    return labels;
  };
  EXPECT_FALSE(matches(s, with("app", "api")));     // matchLabels: equal
  EXPECT_FALSE(matches(s, with("app", nullptr)));   // matchLabels: present
  EXPECT_FALSE(matches(s, with("tier", "back")));   // In: one of the values
  EXPECT_FALSE(matches(s, with("tier", nullptr)));  // In: present
  EXPECT_FALSE(matches(s, with("env", "prod")));    // NotIn: none of the values
  EXPECT_TRUE(matches(s, with("env", nullptr)));    // NotIn: absent holds
  EXPECT_FALSE(matches(s, with("team", nullptr)));  // Exists
  EXPECT_TRUE(matches(s, with("team", "")));        // Exists: the key, any value
  EXPECT_FALSE(matches(s, with("canary", "yes")));  // DoesNotExist
  EXPECT_FALSE(s.matches(nullptr));                 // no labels at all
}

TEST(LabelSelectorTest, EmptySelectsEverythingServiceWithoutSelectorNothing) {
  for (const json& doc : {json::object(), json(), json::parse(R"({"matchLabels": {}})")}) {
    const auto s = selector(doc);
    EXPECT_TRUE(s.selectsEverything()) << doc.dump();
    EXPECT_TRUE(s.matches(nullptr));
    EXPECT_TRUE(matches(s, {{"any", "thing"}}));
    EXPECT_EQ(s.text(), "");
  }
  const json empty = json::object();
  for (const json* doc : {static_cast<const json*>(nullptr), &empty}) {
    auto s = k8s::parseServiceSelector(doc);
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(s->selectsNothing());
    EXPECT_FALSE(s->matches(nullptr));
    EXPECT_FALSE(matches(*s, {{"app", "web"}}));
    EXPECT_EQ(s->text(), "<none>");
  }
  const json map = {{"app", "web"}, {"tier", "front"}};
  auto s = k8s::parseServiceSelector(&map);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->text(), "app=web,tier=front");
  EXPECT_TRUE(matches(*s, {{"app", "web"}, {"tier", "front"}, {"extra", "1"}}));  // ⊆ labels
  EXPECT_FALSE(matches(*s, {{"app", "web"}}));
}

TEST(LabelSelectorTest, LabelValuesThatAreNotStringsCompareByTheirText) {
  const auto s = selector(json::parse(R"({"matchLabels": {"version": "2"}})"));
  EXPECT_TRUE(matches(s, {{"version", 2}}));
}

TEST(LabelSelectorTest, LimitsOnRequirementsAndValues) {
  const auto expressions = [](std::size_t count, std::size_t values) {
    json list = json::array();
    for (std::size_t i = 0; i < count; ++i) {
      json v = json::array();
      for (std::size_t j = 0; j < values; ++j) v.push_back(fmt::format("v{}", j));
      list.push_back({{"key", fmt::format("k{}", i)}, {"operator", "In"}, {"values", v}});
    }
    return json{{"matchExpressions", list}};
  };
  EXPECT_EQ(selector(expressions(64, 64)).requirements().size(), 64u);
  EXPECT_EQ(problem(expressions(65, 1)), "more than 64 selector requirements");
  EXPECT_EQ(problem(expressions(1, 65)), "matchExpressions[0].values: more than 64 values");
  json both = expressions(60, 1);
  for (int i = 0; i < 5; ++i) both["matchLabels"][fmt::format("l{}", i)] = "x";
  EXPECT_EQ(problem(both), "more than 64 selector requirements");
  json labels;
  for (int i = 0; i < 65; ++i) labels[fmt::format("l{}", i)] = "x";
  EXPECT_EQ(problem({{"matchLabels", labels}}), "more than 64 selector requirements");
  EXPECT_FALSE(k8s::parseServiceSelector(&labels).has_value());
}

TEST(LabelSelectorTest, WhatTheApiServerRefusesIsMalformed) {
  EXPECT_EQ(problem(json::parse(R"({"matchExpressions": [{"key": "a", "operator": "Like"}]})")),
            "matchExpressions[0].operator: unknown operator \"Like\"");
  EXPECT_EQ(problem(json::parse(R"({"matchExpressions": [{"key": "a", "operator": "In"}]})")),
            "matchExpressions[0]: In needs values");
  EXPECT_EQ(problem(json::parse(
                R"({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": []}]})")),
            "matchExpressions[0]: NotIn needs values");
  EXPECT_EQ(problem(json::parse(
                R"({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})")),
            "matchExpressions[0]: Exists takes no values");
  EXPECT_EQ(problem(json::parse(R"({"matchExpressions": [{"operator": "Exists"}]})")),
            "matchExpressions[0].key is missing or not a string");
  EXPECT_EQ(problem(json::parse(
                R"({"matchExpressions": [{"key": "a", "operator": "In", "values": [1]}]})")),
            "matchExpressions[0].values: a value is not a string");
  EXPECT_EQ(problem(json::parse(R"({"matchExpressions": {"key": "a"}})")),
            "matchExpressions is not a list");
  EXPECT_EQ(problem(json::parse(R"({"matchLabels": {"app": 1}})")),
            "matchLabels.app: the label value is not a string");
  EXPECT_EQ(problem(json::parse(R"({"matchLabels": ["app"]})")),
            "matchLabels is not a map of labels");
  EXPECT_EQ(problem(json::parse(R"("app=web")")), "the selector is not a map");
  const json number = {{"app", 1}};
  auto service = k8s::parseServiceSelector(&number);
  ASSERT_FALSE(service.has_value());
  EXPECT_EQ(service.error().message, "spec.selector.app: the label value is not a string");
}

// ---------------------------------------------------------------------------------------
// lookups

k8s::Inventory inventoryOf(std::string_view text, std::string_view source = "in.yaml") {
  k8s::Inventory inventory;
  core::Diagnostics diagnostics;
  k8s::addManifestText(text, source, k8s::ManifestOptions{}, inventory, diagnostics);
  inventory.index();
  EXPECT_TRUE(inventory.problems.empty()) << inventory.problems.front().reason;
  return inventory;
}

std::vector<std::string> names(const std::vector<const k8s::Object*>& objects) {
  std::vector<std::string> out;
  for (const auto* o : objects) out.push_back(o->kind + "/" + o->name);
  return out;
}

std::vector<std::string> names(const std::vector<k8s::PolicyMatch>& matches) {
  std::vector<std::string> out;
  for (const auto& m : matches) out.push_back(m.policy->kind + "/" + m.policy->name);
  return out;
}

constexpr std::string_view kLookups = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec: {template: {metadata: {labels: {app: web, tier: front}}, spec: {containers: [{name: w, image: nginx}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: web-debug, namespace: a, labels: {app: web}}
spec: {containers: [{name: w, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: b}
spec: {template: {metadata: {labels: {app: web, tier: front}}, spec: {containers: [{name: w, image: nginx}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: a}
spec: {jobTemplate: {spec: {template: {metadata: {labels: {app: report}}, spec: {containers: [{name: r, image: busybox}]}}}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: a}
spec: {selector: {app: web, tier: front}}
---
apiVersion: v1
kind: Service
metadata: {name: all-web, namespace: a}
spec: {selector: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ingress-only, namespace: a}
spec: {podSelector: {matchLabels: {app: web}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-by-rules, namespace: a}
spec: {podSelector: {}, egress: [{to: [{podSelector: {}}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-typed, namespace: a}
spec: {podSelector: {matchExpressions: [{key: app, operator: In, values: [report]}]}, policyTypes: [Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: other-namespace, namespace: b}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
)";

TEST(NetworkLookupTest, ServicesSelectWorkloadsOfTheirNamespaceWhoseLabelsHoldTheSelector) {
  const auto inventory = inventoryOf(kLookups);
  const auto* web = inventory.find("Service", "a", "web");
  const auto* all_web = inventory.find("Service", "a", "all-web");
  ASSERT_NE(web, nullptr);
  ASSERT_NE(all_web, nullptr);
  auto selected = k8s::workloadsSelectedBy(inventory, *web);
  ASSERT_TRUE(selected.has_value());
  EXPECT_EQ(names(selected->selected), (std::vector<std::string>{"Deployment/web"}));
  EXPECT_EQ(selected->selected.front()->ns, "a");
  EXPECT_TRUE(selected->unreadable.empty());
  selected = k8s::workloadsSelectedBy(inventory, *all_web);
  ASSERT_TRUE(selected.has_value());
  EXPECT_EQ(names(selected->selected),
            (std::vector<std::string>{"Pod/web-debug", "Deployment/web"}));
}

TEST(NetworkLookupTest, PoliciesSelectByPodSelectorAndDefaultedPolicyTypes) {
  const auto inventory = inventoryOf(kLookups);
  const auto* web = inventory.find("Deployment", "a", "web");
  const auto* report = inventory.find("CronJob", "a", "report");
  const auto* web_b = inventory.find("Deployment", "b", "web");
  ASSERT_TRUE(web && report && web_b);
  const auto policies = [&](const k8s::Object& w, Direction d) {
    const auto selection = k8s::policiesSelecting(inventory, w, d);
    EXPECT_TRUE(selection.unreadable.empty());
    return names(selection.selected);
  };
  // No policyTypes: Ingress, plus Egress only when the policy has egress rules.
  EXPECT_EQ(
      policies(*web, Direction::Ingress),
      (std::vector<std::string>{"NetworkPolicy/egress-by-rules", "NetworkPolicy/ingress-only"}));
  EXPECT_EQ(policies(*web, Direction::Egress),
            (std::vector<std::string>{"NetworkPolicy/egress-by-rules"}));
  EXPECT_EQ(policies(*report, Direction::Ingress),
            (std::vector<std::string>{"NetworkPolicy/egress-by-rules"}));
  EXPECT_EQ(
      policies(*report, Direction::Egress),
      (std::vector<std::string>{"NetworkPolicy/egress-by-rules", "NetworkPolicy/egress-typed"}));
  EXPECT_EQ(policies(*web_b, Direction::Egress),
            (std::vector<std::string>{"NetworkPolicy/other-namespace"}));
}

TEST(NetworkLookupTest, MalformedSelectorsAreErrorsOrUnreadableCandidates) {
  const auto inventory = inventoryOf(R"(
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: a}
spec: {podSelector: {matchExpressions: [{key: app, operator: Equals, values: [web]}]}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad-types, namespace: a}
spec: {podSelector: {}, policyTypes: [Inbound]}
)");
  const auto* pod = inventory.find("Pod", "a", "p");
  ASSERT_NE(pod, nullptr);
  // A Service whose selector the API server could not decode never loads from a manifest
  // (ManifestTest.FieldsTheApiServerCannotDecodeAreProblems); the lookup refuses one anyway.
  k8s::Object service;
  service.kind = "Service";
  service.version = service.api_version = "v1";
  service.ns = "a";
  service.name = "s";
  service.doc = json::parse(R"({"spec": {"selector": {"app": ["web"]}}})");
  k8s::classify(service);
  const auto selected = k8s::workloadsSelectedBy(inventory, service);
  ASSERT_FALSE(selected.has_value());
  EXPECT_EQ(selected.error().message, "spec.selector.app: the label value is not a string");
  const auto policies = k8s::policiesSelecting(inventory, *pod, Direction::Ingress);
  EXPECT_TRUE(policies.selected.empty());
  EXPECT_EQ(names(policies.unreadable),
            (std::vector<std::string>{"NetworkPolicy/bad", "NetworkPolicy/bad-types"}));
}

k8s::Object ciliumPolicy(const json& doc) {
  k8s::Object o;
  o.doc = doc;
  o.kind = "CiliumNetworkPolicy";
  o.state.status = docker::FactStatus::Ok;
  return o;
}

std::string ciliumProblem(const json& doc) {
  auto rules = k8s::ciliumRules(ciliumPolicy(doc));
  return rules ? std::string("(parsed)") : rules.error().message;
}

TEST(CiliumTest, RulesDirectionsFollowRulesAndEnableDefaultDeny) {
  auto rules = k8s::ciliumRules(ciliumPolicy(json::parse(R"({
    "spec": {"endpointSelector": {}, "ingressDeny": [{}], "egress": []},
    "specs": [
      {"endpointSelector": {"matchLabels": {"any:app": "a"}}, "egress": [{}],
       "enableDefaultDeny": {"egress": false, "ingress": true}},
      {"nodeSelector": {}, "ingress": [{}]}]})")));
  ASSERT_TRUE(rules.has_value()) << rules.error().message;
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].path, "spec");
  EXPECT_TRUE((*rules)[0].ingress);
  EXPECT_FALSE((*rules)[0].egress);  // an empty list is no rule
  EXPECT_EQ((*rules)[1].path, "specs[0]");
  EXPECT_EQ((*rules)[1].endpoints.text(), "app=a");  // the any: source is dropped
  EXPECT_TRUE((*rules)[1].ingress);
  EXPECT_FALSE((*rules)[1].egress);
  EXPECT_TRUE((*rules)[2].host);
  EXPECT_TRUE(k8s::ciliumRules(ciliumPolicy(json::parse(R"({"specs": []})")))->empty());
}

TEST(CiliumTest, MalformedRulesNameTheMember) {
  EXPECT_EQ(ciliumProblem(json::parse(R"({"spec": []})")), "spec is not a map");
  EXPECT_EQ(ciliumProblem(json::parse(R"({"spec": {"ingress": [{}]}})")),
            "spec: needs exactly one of endpointSelector and nodeSelector");
  EXPECT_EQ(ciliumProblem(json::parse(R"({"spec": {"endpointSelector": {}, "nodeSelector": {}}})")),
            "spec: needs exactly one of endpointSelector and nodeSelector");
  EXPECT_EQ(ciliumProblem(json::parse(R"({"specs": [{"endpointSelector": {}, "egress": {}}]})")),
            "specs[0].egress is not a list");
  EXPECT_EQ(ciliumProblem(json::parse(
                R"({"spec": {"endpointSelector": {}, "enableDefaultDeny": {"ingress": "yes"}}})")),
            "spec.enableDefaultDeny.ingress is not true or false");
  EXPECT_EQ(ciliumProblem(json::parse(
                R"({"spec": {"endpointSelector": {"matchExpressions": [{"key": "a"}]}}})")),
            "spec.endpointSelector: matchExpressions[0].operator is missing or not a string");
  json many = {{"specs", json::array()}};
  for (std::size_t i = 0; i <= k8s::kMaxCiliumRules; ++i) {
    many["specs"].push_back({{"endpointSelector", json::object()}});
  }
  EXPECT_EQ(ciliumProblem(many), fmt::format("specs: more than {} rules", k8s::kMaxCiliumRules));
}

TEST(CiliumTest, SelectorsSeeNamespaceServiceAccountAndNamespaceLabels) {
  const auto inventory = inventoryOf(R"(
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a, labels: {app: web}}
spec: {serviceAccountName: runner, containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: q, namespace: undeclared, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: blue}}
)");
  const auto* p = inventory.find("Pod", "a", "p");
  const auto* q = inventory.find("Pod", "undeclared", "q");
  ASSERT_TRUE(p && q);
  const auto rule = [](const json& selector) {
    auto rules = k8s::ciliumRules(ciliumPolicy({{"spec", {{"endpointSelector", selector}}}}));
    EXPECT_TRUE(rules.has_value());
    return rules->front();
  };
  const auto selects = [&](const k8s::Object& pod, const json& selector) {
    return k8s::ciliumSelects(rule(selector), k8s::ciliumLabels(inventory, pod));
  };
  EXPECT_TRUE(selects(*p, {{"matchLabels", {{"k8s:app", "web"}}}}));
  EXPECT_TRUE(selects(*p, {{"matchLabels", {{"k8s:io.kubernetes.pod.namespace", "a"}}}}));
  EXPECT_TRUE(selects(*p, {{"matchLabels", {{"io.cilium.k8s.policy.serviceaccount", "runner"}}}}));
  EXPECT_TRUE(selects(*q, {{"matchLabels", {{"io.cilium.k8s.policy.serviceaccount", "default"}}}}));
  EXPECT_TRUE(selects(*p, {{"matchLabels", {{"io.cilium.k8s.namespace.labels.team", "blue"}}}}));
  // Another source names no pod label.
  EXPECT_FALSE(selects(*p, {{"matchLabels", {{"reserved:host", ""}}}}));
  // The Namespace of q is not in the input: a requirement on its labels is never guessed, not
  // even a negative one that an unlabelled namespace would meet.
  const json not_team = json::parse(
      R"({"matchExpressions": [{"key": "io.cilium.k8s.namespace.labels.team", "operator": "DoesNotExist"}]})");
  EXPECT_FALSE(selects(*q, not_team));
  EXPECT_FALSE(selects(*p, not_team));
  // A whole namespace, for BW-K8S-304.
  EXPECT_TRUE(k8s::ciliumSelectsNamespace(rule(json::object()), "a"));
  EXPECT_TRUE(k8s::ciliumSelectsNamespace(
      rule({{"matchLabels", {{"k8s:io.kubernetes.pod.namespace", "a"}}}}), "a"));
  EXPECT_FALSE(k8s::ciliumSelectsNamespace(
      rule({{"matchLabels", {{"k8s:io.kubernetes.pod.namespace", "a"}}}}), "b"));
  EXPECT_FALSE(k8s::ciliumSelectsNamespace(rule({{"matchLabels", {{"app", "web"}}}}), "a"));
}

TEST(NetworkLookupTest, ListStatesManifestsAreCompleteLiveListsDecide) {
  k8s::Inventory inventory;
  EXPECT_TRUE(k8s::listState(inventory, k8s::networkPolicyLists()).ok());
  inventory.sources["pods"].state.status = docker::FactStatus::Ok;
  auto state = k8s::listState(inventory, k8s::networkPolicyLists());
  EXPECT_EQ(state.status, docker::FactStatus::NotCollected);
  inventory.sources["networking.k8s.io/networkpolicies"].state.status =
      docker::FactStatus::PermissionDenied;
  state = k8s::listState(inventory, k8s::networkPolicyLists());
  EXPECT_EQ(state.status, docker::FactStatus::PermissionDenied);
  EXPECT_EQ(state.source, "networking.k8s.io/networkpolicies");
  inventory.sources["networking.k8s.io/networkpolicies"].state.status = docker::FactStatus::Ok;
  EXPECT_TRUE(k8s::listState(inventory, k8s::networkPolicyLists()).ok());
}

// ---------------------------------------------------------------------------------------
// probes

Resource resourceOf(const k8s::Inventory& inventory, const k8s::Object& object) {
  Resource r;
  r.kind = object.workload == k8s::WorkloadKind::None ? ResourceKind::K8sObject
                                                      : ResourceKind::K8sWorkload;
  r.name = object.resourceName();
  r.object = &object;
  r.inventory = &inventory;
  return r;
}

ProbeResult probe(std::string_view kind, const Params& params, const Resource& resource) {
  const ProbeKind* found = findProbe(kind);
  EXPECT_NE(found, nullptr) << kind;
  return found == nullptr ? ProbeResult{} : found->evaluate(params, resource);
}

std::vector<std::string> values(const ProbeResult& result) {
  std::vector<std::string> out;
  for (const auto& o : result.observations) {
    out.push_back(o.unknown ? "?" + o.note : o.values.empty() ? "" : o.values.front());
  }
  return out;
}

Params params(std::initializer_list<std::pair<const char*, const char*>> entries) {
  Params p;
  for (const auto& [name, value] : entries) p.set(name, std::string(value));
  return p;
}

TEST(ServiceBackendsProbeTest, NameKindImagesAndPortsOfEachSelectedWorkload) {
  const auto inventory = inventoryOf(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers: [{name: init, image: busybox, ports: [{containerPort: 9000}]}]
      containers:
        - name: ui
          image: localhost:5000/team/web-ui:1.2@sha256:0123
          ports: [{containerPort: 8080}, {containerPort: 9090}]
      ephemeralContainers: [{name: debug, image: "docker.io/library/alpine"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: no-template, namespace: a, labels: {app: web}}
spec: {}
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: a}
spec: {selector: {app: web}}
)");
  const auto* service = inventory.find("Service", "a", "s");
  ASSERT_NE(service, nullptr);
  const auto resource = resourceOf(inventory, *service);
  EXPECT_EQ(values(probe("service-backends", params({{"field", "name"}}), resource)),
            (std::vector<std::string>{"web"}));
  EXPECT_EQ(values(probe("service-backends", params({{"field", "kind"}}), resource)),
            (std::vector<std::string>{"Deployment"}));
  EXPECT_EQ(values(probe("service-backends",
                         params({{"field", "image"}, {"normalise", "image-name"}}), resource)),
            (std::vector<std::string>{"web-ui", "busybox", "alpine"}));
  const auto images = probe("service-backends", params({{"field", "image"}}), resource);
  ASSERT_EQ(images.observations.size(), 3u);
  EXPECT_EQ(images.observations[0].values.front(), "localhost:5000/team/web-ui:1.2@sha256:0123");
  EXPECT_EQ(images.observations[0].where,
            "Service selector app=web, spec.template.spec.containers[name=ui].image (in.yaml:11)");
  EXPECT_EQ(values(probe("service-backends", params({{"field", "container-port"}}), resource)),
            (std::vector<std::string>{"8080", "9090", "9000"}));
}

TEST(ServiceBackendsProbeTest, AWorkloadWithoutAPodSpecIsUndetermined) {
  const auto inventory = inventoryOf(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: bare, namespace: a}
spec: {template: {metadata: {labels: {app: web}}}}
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: a}
spec: {selector: {app: web}}
)");
  const auto* service = inventory.find("Service", "a", "s");
  ASSERT_NE(service, nullptr);
  const auto result =
      probe("service-backends", params({{"field", "image"}}), resourceOf(inventory, *service));
  EXPECT_EQ(values(result), (std::vector<std::string>{"?spec.template.spec is missing"}));
}

TEST(ServicePortProbeTest, NumbersNamedPortsAndWhatTheApiServerRefuses) {
  const auto inventory = inventoryOf(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: ui
          image: web
          ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: a}
spec:
  selector: {app: web}
  ports:
    - {port: 80, targetPort: http}
    - {port: 53, targetPort: dns, protocol: UDP}
    - {port: 443}
    - {port: 0, targetPort: "8443"}
    - {port: 70000, targetPort: Http}
    - {port: 81, targetPort: missing}
    - {targetPort: 9}
    - just-a-string
---
apiVersion: v1
kind: Service
metadata: {name: manual, namespace: a}
spec: {ports: [{port: 80, targetPort: http}, {port: 81, targetPort: 8081}]}
---
apiVersion: v1
kind: Service
metadata: {name: broken, namespace: a}
spec: {ports: {port: 80}}
)");
  const auto* service = inventory.find("Service", "a", "s");
  ASSERT_NE(service, nullptr);
  const auto resource = resourceOf(inventory, *service);
  EXPECT_EQ(values(probe("service-port", params({{"field", "port"}}), resource)),
            (std::vector<std::string>{
                "80", "53", "443",
                "?spec.ports[3].port is 0, not a port number; the API server refuses the "
                "Service",
                "?spec.ports[4].port is 70000, not a port number; the API server refuses the "
                "Service",
                "81", "?spec.ports[6].port is required", "?spec.ports[7] is not a map"}));
  const auto targets = probe("service-port", params({{"field", "target-port"}}), resource);
  // http → 8080 and dns (UDP) → 53; 443 has no targetPort (the port itself); "8443" is neither
  // a number nor a name; "Http" is not a port name (upper case); `missing` names no port of the
  // selected workload, so that Service port reaches nothing.
  EXPECT_EQ(values(targets),
            (std::vector<std::string>{
                "8080", "53",
                "?spec.ports[3].targetPort is 8443, not a port number or a port name; the API "
                "server refuses the Service",
                "?spec.ports[4].targetPort is Http, not a port number or a port name; the API "
                "server refuses the Service",
                "9", "?spec.ports[7] is not a map"}));
  ASSERT_FALSE(targets.observations.empty());
  EXPECT_EQ(targets.observations[0].display, "8080 (port http of Deployment a/web)");
  EXPECT_EQ(targets.observations[0].where,
            "Service selector app=web, spec.template.spec.containers[name=ui].ports[0]."
            "containerPort (in.yaml:10)");

  const auto* manual = inventory.find("Service", "a", "manual");
  ASSERT_NE(manual, nullptr);
  EXPECT_EQ(values(probe("service-port", params({{"field", "target-port"}}),
                         resourceOf(inventory, *manual))),
            (std::vector<std::string>{
                "?the named target port http cannot be resolved: the Service has no selector: "
                "its Endpoints are managed by hand, not by a workload",
                "8081"}));
  const auto* broken = inventory.find("Service", "a", "broken");
  ASSERT_NE(broken, nullptr);
  const auto not_a_list =
      probe("service-port", params({{"field", "port"}}), resourceOf(inventory, *broken));
  EXPECT_EQ(not_a_list.state, ProbeState::NotEvaluated);
  EXPECT_EQ(not_a_list.cause, model::NotEvaluatedCause::Malformed);
}

TEST(NetpolRuleProbeTest, PortsRestrictAndBrokenRulesAreUndetermined) {
  const auto inventory = inventoryOf(R"(
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: a}
spec:
  podSelector: {}
  ingress:
    - ports: [{port: 443}]
    - from: [{ipBlock: {cidr: "::/0"}}]
    - from: [{ipBlock: {cidr: "0.0.0.0/0", except: []}}]
    - from: [{namespaceSelector: {}}]
    - from: {podSelector: {}}
    - just-a-string
  egress:
    - {}
)");
  const auto* policy = inventory.find("NetworkPolicy", "a", "p");
  ASSERT_NE(policy, nullptr);
  const auto resource = resourceOf(inventory, *policy);
  EXPECT_EQ(values(probe("netpol-rule", params({{"direction", "ingress"}}), resource)),
            (std::vector<std::string>{"restricted", "allow-all", "allow-all", "restricted",
                                      "?`from` is not a list", "?the rule is not a map"}));
  // policyTypes unset, egress rules present: the policy covers egress.
  EXPECT_EQ(values(probe("netpol-rule", params({{"direction", "egress"}}), resource)),
            (std::vector<std::string>{"allow-all"}));
}

TEST(IngressTlsProbeTest, DefaultBackendAndRulesWithoutHost) {
  const auto inventory = inventoryOf(R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: default-only, namespace: a}
spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: any-host, namespace: a}
spec:
  tls: [{hosts: ["*.example.com"]}]
  rules: [{http: {paths: []}}, {host: example.com}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: empty, namespace: a}
spec: {}
)");
  const auto observe = [&](std::string_view name) {
    const auto* ingress = inventory.find("Ingress", "a", name);
    EXPECT_NE(ingress, nullptr) << name;
    return values(probe("ingress-tls", {}, resourceOf(inventory, *ingress)));
  };
  EXPECT_EQ(observe("default-only"), (std::vector<std::string>{"uncovered"}));
  // No host: every host, which no certificate entry names; *.example.com is not example.com.
  EXPECT_EQ(observe("any-host"), (std::vector<std::string>{"uncovered", "uncovered"}));
  EXPECT_EQ(observe("empty"), (std::vector<std::string>{}));
}

// ---------------------------------------------------------------------------------------
// the checks, end to end

const CheckSet& builtinChecks() {
  static const CheckSet set = [] {
    auto loaded = loadBuiltinChecks();
    EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : loaded.error().message);
    return loaded ? std::move(*loaded) : CheckSet{};
  }();
  return set;
}

struct Evaluated {
  k8s::Inventory inventory;
  std::vector<model::CheckResult> results;

  [[nodiscard]] const model::CheckResult& at(std::string_view resource, std::string_view id) const {
    for (const auto& r : results) {
      if (r.resource == resource && r.check_id == id) return r;
    }
    ADD_FAILURE() << "no result of " << id << " on " << resource;
    static const model::CheckResult kNone;
    return kNone;
  }
  [[nodiscard]] bool has(std::string_view resource, std::string_view id) const {
    return std::any_of(results.begin(), results.end(),
                       [&](const auto& r) { return r.resource == resource && r.check_id == id; });
  }
};

Evaluated evaluateText(std::string_view text, std::string_view source,
                       const EvalContext& context = {}) {
  Evaluated run;
  run.inventory = inventoryOf(text, source);
  run.results = evaluateK8s(builtinChecks(), run.inventory, context);
  return run;
}

Evaluated evaluateFixture(std::string_view file) {
  const auto path = bulwark::testing::fixtures() / "k8s" / "network" / file;
  const std::string text = bulwark::testing::readFile(path);
  EXPECT_FALSE(text.empty()) << path << " is missing";
  return evaluateText(text, file);
}

std::string describe(const model::CheckResult& r) {
  std::string out =
      fmt::format("{} {}: {} ({})", r.resource, r.check_id, model::toString(r.status), r.reason);
  for (const auto& e : r.evidence) out += fmt::format("\n  {} @ {}", e.observed, e.where);
  return out;
}

std::vector<std::string> observed(const model::CheckResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.evidence) out.push_back(e.observed + " @ " + e.where);
  return out;
}

TEST(NetworkChecksTest, DashboardBehindALoadBalancerIsNamedWithItsWorkload) {
  const auto run = evaluateFixture("dashboard-loadbalancer.yaml");
  const auto& r = run.at("k8s:kube-system/Service/dashboard-lb", "BW-K8S-301");
  ASSERT_EQ(r.status, CheckStatus::Fail) << describe(r);
  EXPECT_EQ(observed(r),
            (std::vector<std::string>{
                "kubernetes-dashboard-amd64 (Deployment kube-system/dashboard) @ Service "
                "selector app=dashboard, spec.template.spec.containers[name=dashboard].image "
                "(dashboard-loadbalancer.yaml:15)"}));
  EXPECT_EQ(run.at("k8s:kube-system/Service/dashboard-lb", "BW-K8S-302").status, CheckStatus::Pass);
  EXPECT_EQ(run.at("k8s:kube-system/Service/dashboard-lb", "BW-K8S-303").status, CheckStatus::Pass);
  EXPECT_EQ(run.at("k8s:kube-system/Service/dashboard-lb", "BW-K8S-309").status, CheckStatus::Pass);
  // Checks with `kinds:` give no result on other kinds.
  EXPECT_FALSE(run.has("k8s:kube-system/Deployment/dashboard", "BW-K8S-301"));
  EXPECT_EQ(run.at("k8s:kube-system/Deployment/dashboard", "BW-K8S-305").status, CheckStatus::Fail);
}

TEST(NetworkChecksTest, DatabaseOnANodePort) {
  const auto run = evaluateFixture("database-nodeport.yaml");
  const auto& db = run.at("k8s:data/Service/postgres-external", "BW-K8S-302");
  ASSERT_EQ(db.status, CheckStatus::Fail) << describe(db);
  EXPECT_EQ(observed(db),
            (std::vector<std::string>{"5432 @ spec.ports[0].port (database-nodeport.yaml:21)"}));
  const auto& node_port = run.at("k8s:data/Service/postgres-external", "BW-K8S-309");
  ASSERT_EQ(node_port.status, CheckStatus::Fail) << describe(node_port);
  EXPECT_EQ(observed(node_port),
            (std::vector<std::string>{"NodePort @ spec.type (database-nodeport.yaml:21)"}));
  EXPECT_EQ(run.at("k8s:data/Service/postgres-external", "BW-K8S-301").status, CheckStatus::Pass);
}

TEST(NetworkChecksTest, ManagementPortsByPortAndByTargetPort) {
  const auto run = evaluateFixture("management-ports.yaml");
  const auto& ssh = run.at("k8s:ops/Service/ssh", "BW-K8S-303");
  ASSERT_EQ(ssh.status, CheckStatus::Fail) << describe(ssh);
  EXPECT_EQ(observed(ssh),
            (std::vector<std::string>{"22 @ spec.ports[0].port (management-ports.yaml:20)"}));
  const auto& kubelet = run.at("k8s:ops/Service/kubelet-proxy", "BW-K8S-303");
  ASSERT_EQ(kubelet.status, CheckStatus::Fail) << describe(kubelet);
  EXPECT_EQ(
      observed(kubelet),
      (std::vector<std::string>{"10250 @ spec.ports[0].targetPort (management-ports.yaml:32)"}));
  EXPECT_EQ(run.at("k8s:ops/Service/ssh", "BW-K8S-309").status, CheckStatus::Pass);
  EXPECT_EQ(run.at("k8s:ops/Service/kubelet-proxy", "BW-K8S-309").status, CheckStatus::Fail);
}

TEST(NetworkChecksTest, NamedTargetPortsResolveThroughTheSelectedWorkloads) {
  const auto run = evaluateFixture("named-target-ports.yaml");
  const auto& db = run.at("k8s:named/Service/db-lb", "BW-K8S-302");
  ASSERT_EQ(db.status, CheckStatus::Fail) << describe(db);
  EXPECT_EQ(observed(db), (std::vector<std::string>{
                              "5432 (port pg of Deployment named/postgres) @ Service selector "
                              "app=postgres, spec.template.spec.containers[name=postgres]."
                              "ports[0].containerPort (named-target-ports.yaml:23)"}));
  const auto& ssh = run.at("k8s:named/Service/sidecar-ssh", "BW-K8S-303");
  ASSERT_EQ(ssh.status, CheckStatus::Fail) << describe(ssh);
  EXPECT_EQ(observed(ssh), (std::vector<std::string>{
                               "22 (port ssh of Deployment named/postgres) @ Service selector "
                               "app=postgres, spec.template.spec.initContainers[name=debug-sshd]."
                               "ports[0].containerPort (named-target-ports.yaml:18)"}));
  EXPECT_EQ(run.at("k8s:named/Service/db-lb", "BW-K8S-303").status, CheckStatus::Pass);
  // Never a pass on a port that cannot be known.
  const auto& elsewhere = run.at("k8s:named/Service/elsewhere", "BW-K8S-303");
  EXPECT_EQ(elsewhere.status, CheckStatus::NotEvaluated) << describe(elsewhere);
  EXPECT_EQ(elsewhere.reason,
            "the named target port http cannot be resolved: no workload in the input matches the "
            "selector app=deployed-elsewhere");
  EXPECT_EQ(elsewhere.cause, model::NotEvaluatedCause::MissingInput);
}

TEST(NetworkChecksTest, ClusterIpServicesAreNotExposed) {
  const auto run = evaluateFixture("clusterip-service.yaml");
  for (const auto* id : {"BW-K8S-301", "BW-K8S-302", "BW-K8S-303"}) {
    const auto& r = run.at("k8s:cache/Service/redis", id);
    EXPECT_EQ(r.status, CheckStatus::NotApplicable) << describe(r);
    EXPECT_EQ(r.reason, "applies only when a Service of type LoadBalancer or NodePort");
  }
  EXPECT_EQ(run.at("k8s:cache/Service/redis", "BW-K8S-309").status, CheckStatus::Pass);
}

TEST(NetworkChecksTest, ServicesReachingNoWorkloadSayWhy) {
  const auto run = evaluateFixture("service-selects-nothing.yaml");
  const auto& orphan = run.at("k8s:shop/Service/orphan", "BW-K8S-301");
  EXPECT_EQ(orphan.status, CheckStatus::NotApplicable) << describe(orphan);
  EXPECT_EQ(orphan.reason, "no workload in the input matches the selector app=grafana");
  const auto& manual = run.at("k8s:shop/Service/external-endpoints", "BW-K8S-301");
  EXPECT_EQ(manual.status, CheckStatus::NotApplicable) << describe(manual);
  EXPECT_EQ(manual.reason,
            "the Service has no selector: its Endpoints are managed by hand, not by a workload");
}

TEST(NetworkChecksTest, DefaultDenyIsolatesAndOpensNothing) {
  const auto run = evaluateFixture("netpol-default-deny.yaml");
  for (const std::string_view id : {"BW-K8S-305", "BW-K8S-310"}) {
    const auto& api = run.at("k8s:secure/Deployment/api", id);
    ASSERT_EQ(api.status, CheckStatus::Pass) << describe(api);
    EXPECT_EQ(observed(api),
              (std::vector<std::string>{
                  "default-deny (NetworkPolicy secure/default-deny) @ spec.podSelector {} "
                  "(netpol-default-deny.yaml:19)"}));
  }
  EXPECT_EQ(run.at("k8s:secure/NetworkPolicy/default-deny", "BW-K8S-306").status,
            CheckStatus::Pass);
  EXPECT_EQ(run.at("k8s:secure/NetworkPolicy/default-deny", "BW-K8S-307").status,
            CheckStatus::Pass);
}

TEST(NetworkChecksTest, AllowAllIngressRule) {
  const auto run = evaluateFixture("netpol-allow-all-ingress.yaml");
  const auto& r = run.at("k8s:open-in/NetworkPolicy/allow-all-ingress", "BW-K8S-306");
  ASSERT_EQ(r.status, CheckStatus::Fail) << describe(r);
  EXPECT_EQ(observed(r), (std::vector<std::string>{
                             "allow-all (no `from`: every peer, every port) @ spec.ingress[0] "
                             "(netpol-allow-all-ingress.yaml:19)"}));
  // policyTypes defaults to Ingress: the egress direction is not the policy's.
  EXPECT_EQ(run.at("k8s:open-in/NetworkPolicy/allow-all-ingress", "BW-K8S-307").status,
            CheckStatus::Pass);
  EXPECT_EQ(run.at("k8s:open-in/Deployment/frontend", "BW-K8S-305").status, CheckStatus::Pass);
  const auto& frontend = run.at("k8s:open-in/Deployment/frontend", "BW-K8S-310");
  ASSERT_EQ(frontend.status, CheckStatus::Fail) << describe(frontend);
  ASSERT_EQ(frontend.evidence.size(), 1u);
  EXPECT_EQ(frontend.evidence[0].observed, "nothing observed");
  EXPECT_EQ(frontend.evidence[0].where, "network policies of namespace open-in (egress)");
}

TEST(NetworkChecksTest, AllowAllEgressRule) {
  const auto run = evaluateFixture("netpol-allow-all-egress.yaml");
  const auto& r = run.at("k8s:open-out/NetworkPolicy/allow-all-egress", "BW-K8S-307");
  ASSERT_EQ(r.status, CheckStatus::Fail) << describe(r);
  EXPECT_EQ(observed(r), (std::vector<std::string>{
                             "allow-all (no `to`: every peer, every port) @ spec.egress[0] "
                             "(netpol-allow-all-egress.yaml:2)"}));
  EXPECT_EQ(run.at("k8s:open-out/NetworkPolicy/allow-all-egress", "BW-K8S-306").status,
            CheckStatus::Pass);
}

TEST(NetworkChecksTest, IpBlockOfEveryAddressWithoutExcept) {
  const auto run = evaluateFixture("netpol-ipblock-any.yaml");
  const auto& any = run.at("k8s:edge/NetworkPolicy/internet-ingress", "BW-K8S-306");
  ASSERT_EQ(any.status, CheckStatus::Fail) << describe(any);
  EXPECT_EQ(observed(any), (std::vector<std::string>{
                               "allow-all (ipBlock of every address without except, every port) @ "
                               "spec.ingress[0] (netpol-ipblock-any.yaml:3)"}));
  const auto& except = run.at("k8s:edge/NetworkPolicy/internet-except-private", "BW-K8S-306");
  EXPECT_EQ(except.status, CheckStatus::Pass) << describe(except);
}

TEST(NetworkChecksTest, WorkloadNoPolicySelects) {
  const auto run = evaluateFixture("workload-without-policy.yaml");
  const auto& in = run.at("k8s:jobs/Deployment/worker", "BW-K8S-305");
  ASSERT_EQ(in.status, CheckStatus::Fail) << describe(in);
  EXPECT_EQ(observed(in), (std::vector<std::string>{
                              "nothing observed @ network policies of namespace jobs (ingress)"}));
  const auto& out = run.at("k8s:jobs/Deployment/worker", "BW-K8S-310");
  ASSERT_EQ(out.status, CheckStatus::Fail) << describe(out);
  EXPECT_EQ(
      observed(out),
      (std::vector<std::string>{"nothing observed @ network policies of namespace jobs (egress)"}));
}

TEST(NetworkChecksTest, CiliumPoliciesIsolateAsCiliumEnforcesThem) {
  const auto run = evaluateFixture("cilium-policies.yaml");
  // A k8s:-sourced selector key selects by the pod label; ingress rules isolate for ingress.
  const auto& web_in = run.at("k8s:cilium/Pod/web", "BW-K8S-305");
  ASSERT_EQ(web_in.status, CheckStatus::Pass) << describe(web_in);
  EXPECT_EQ(observed(web_in),
            (std::vector<std::string>{"web-in (CiliumNetworkPolicy cilium/web-in) @ "
                                      "spec.endpointSelector app=web (cilium-policies.yaml:15)"}));
  // enableDefaultDeny.egress alone isolates; the nodeSelector rule selects no pod.
  const auto& web_out = run.at("k8s:cilium/Pod/web", "BW-K8S-310");
  ASSERT_EQ(web_out.status, CheckStatus::Pass) << describe(web_out);
  EXPECT_EQ(observed(web_out),
            (std::vector<std::string>{
                "hosts-and-cilium-egress (CiliumClusterwideNetworkPolicy hosts-and-cilium-egress) "
                "@ specs[1].endpointSelector io.kubernetes.pod.namespace=cilium "
                "(cilium-policies.yaml:45)"}));
  // Selected by service account, but enableDefaultDeny.ingress is false: not isolated.
  const auto& batch_in = run.at("k8s:cilium/Pod/batch", "BW-K8S-305");
  EXPECT_EQ(batch_in.status, CheckStatus::Fail) << describe(batch_in);
  // egressDeny rules isolate too; the namespace label comes from the Namespace object.
  const auto& batch_out = run.at("k8s:cilium/Pod/batch", "BW-K8S-310");
  ASSERT_EQ(batch_out.status, CheckStatus::Pass) << describe(batch_out);
  ASSERT_EQ(batch_out.evidence.size(), 2u);
  EXPECT_EQ(batch_out.evidence[0].observed,
            "batch-by-team (CiliumNetworkPolicy cilium/batch-by-team)");
  // Clusterwide policies: selecting the namespace counts for BW-K8S-304, selecting by another
  // label does not.
  EXPECT_EQ(run.at("k8s:cilium-covered/Deployment/api", "BW-K8S-305").status, CheckStatus::Pass);
  EXPECT_EQ(run.at("k8s:cilium-covered/Deployment/api", "BW-K8S-310").status, CheckStatus::Fail);
  EXPECT_EQ(run.at("k8s:_cluster/Namespace/cilium-covered", "BW-K8S-304").status,
            CheckStatus::Pass);
  EXPECT_EQ(run.at("k8s:_cluster/Namespace/cilium", "BW-K8S-304").status, CheckStatus::Pass);
  EXPECT_EQ(run.at("k8s:cilium-selective/Deployment/front", "BW-K8S-305").status,
            CheckStatus::Fail);
  EXPECT_EQ(run.at("k8s:_cluster/Namespace/cilium-selective", "BW-K8S-304").status,
            CheckStatus::Fail);
  // A policy whose rules cannot be read might isolate the pod: never a pass, never a fail.
  for (const std::string_view id : {"BW-K8S-305", "BW-K8S-310"}) {
    const auto& broken = run.at("k8s:cilium-broken/Pod/p", id);
    EXPECT_EQ(broken.status, CheckStatus::NotEvaluated) << describe(broken);
    EXPECT_EQ(broken.reason,
              "CiliumNetworkPolicy cilium-broken/broken (cilium-policies.yaml:98): specs is not "
              "a list");
  }
  // The Cilium kinds are known: no BW-K8S-601.
  for (const auto& r : run.results) EXPECT_NE(r.check_id, "BW-K8S-601") << r.resource;
}

TEST(NetworkChecksTest, IngressHostsWithAndWithoutTls) {
  const auto run = evaluateFixture("ingress-tls.yaml");
  const auto& secure = run.at("k8s:web/Ingress/secure", "BW-K8S-308");
  EXPECT_EQ(secure.status, CheckStatus::Pass) << describe(secure);
  const auto& plain = run.at("k8s:web/Ingress/plain", "BW-K8S-308");
  ASSERT_EQ(plain.status, CheckStatus::Fail) << describe(plain);
  EXPECT_EQ(observed(plain),
            (std::vector<std::string>{"blog.example.com: no spec.tls entry lists it @ "
                                      "spec.rules[0].host (ingress-tls.yaml:18)"}));
  const auto& wildcard = run.at("k8s:web/Ingress/wildcard", "BW-K8S-308");
  ASSERT_EQ(wildcard.status, CheckStatus::Fail) << describe(wildcard);
  EXPECT_EQ(observed(wildcard),
            (std::vector<std::string>{"a.b.example.com: no spec.tls entry lists it @ "
                                      "spec.rules[1].host (ingress-tls.yaml:30)"}));
}

// A selector value the API server cannot decode (a number) makes the Service a document
// kubectl refuses: no check judges it, BW-K8S-602 says why.
TEST(NetworkChecksTest, UndecodableServiceSelectorIsAnUnreadableDocument) {
  k8s::Inventory inventory;
  core::Diagnostics diagnostics;
  k8s::addManifestText(R"(
apiVersion: v1
kind: Service
metadata: {name: s, namespace: a}
spec: {type: LoadBalancer, selector: {app: 1}, ports: [{port: 80}]}
)",
                       "svc.yaml", k8s::ManifestOptions{}, inventory, diagnostics);
  inventory.index();
  EXPECT_EQ(inventory.find("Service", "a", "s"), nullptr);
  const auto results = evaluateK8s(builtinChecks(), inventory, {});
  ASSERT_EQ(results.size(), 1U);
  EXPECT_EQ(results[0].check_id, "BW-K8S-602");
  EXPECT_EQ(results[0].status, CheckStatus::NotEvaluated);
  EXPECT_EQ(results[0].cause, NotEvaluatedCause::Malformed);
  EXPECT_EQ(results[0].reason,
            "svc.yaml:2:1: Service s: spec.selector.app is a number (1), not a string: the API "
            "server cannot decode it");
}

TEST(NetworkChecksTest, MalformedPodSelectorOfAPolicyIsNotEvaluated) {
  const auto run = evaluateText(R"(
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: a}
spec: {podSelector: {matchExpressions: [{key: app, operator: In}]}, policyTypes: [Ingress]}
)",
                                "np.yaml");
  const auto& r = run.at("k8s:a/Pod/p", "BW-K8S-305");
  EXPECT_EQ(r.status, CheckStatus::NotEvaluated) << describe(r);
  EXPECT_EQ(r.cause, NotEvaluatedCause::Malformed);
  EXPECT_EQ(r.reason,
            "NetworkPolicy a/bad (np.yaml:7): spec.podSelector: matchExpressions[0]: In needs "
            "values");
}

TEST(NetworkChecksTest, ListsNotReadAreNeverAPass) {
  Evaluated run;
  run.inventory = inventoryOf(R"(
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: s, namespace: a}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80}]}
)");
  for (const auto list : k8s::workloadLists()) {
    run.inventory.sources[std::string(list)].state.status = docker::FactStatus::Ok;
  }
  run.inventory.sources["pods"].state.status = docker::FactStatus::PermissionDenied;
  run.inventory.sources["networkpolicies"].state.status = docker::FactStatus::Timeout;
  run.results = evaluateK8s(builtinChecks(), run.inventory, {});
  const auto& backends = run.at("k8s:a/Service/s", "BW-K8S-301");
  EXPECT_EQ(backends.status, CheckStatus::NotEvaluated) << describe(backends);
  EXPECT_EQ(backends.cause, NotEvaluatedCause::PermissionDenied);
  const auto& isolated = run.at("k8s:a/Pod/p", "BW-K8S-305");
  EXPECT_EQ(isolated.status, CheckStatus::NotEvaluated) << describe(isolated);
  EXPECT_EQ(isolated.cause, NotEvaluatedCause::Timeout);
}

// The profile names each network check once under its own id, plus hostNetwork and hostPort.
TEST(NetworkProfile, NamesEveryNetworkCheckOnce) {
  auto profile = builtinProfile("k8s-network");
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  EXPECT_EQ(profile->title, "bulwark Kubernetes network exposure");
  EXPECT_EQ(profile->targets, std::vector<std::string>{"kubernetes"});
  const std::vector<std::string> ids = {"BW-K8S-301", "BW-K8S-302", "BW-K8S-303", "BW-K8S-304",
                                        "BW-K8S-305", "BW-K8S-306", "BW-K8S-307", "BW-K8S-308",
                                        "BW-K8S-309", "BW-K8S-310", "BW-K8S-102", "BW-K8S-106"};
  ASSERT_EQ(profile->controls.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(profile->controls[i].id, ids[i]);
    EXPECT_EQ(profile->controls[i].checks, std::vector<std::string>{ids[i]});
  }
  auto checks = profileChecks(builtinChecks(), *profile);
  ASSERT_TRUE(checks.has_value()) << checks.error().message;
  EXPECT_EQ(checks->checks.size(), ids.size());
}

// 10 000 objects in 100 namespaces: the lookups scan one namespace each, so the network checks
// over every Service, workload and NetworkPolicy stay well under a second on a laptop.
TEST(NetworkChecksTest, TenThousandObjectsInAHundredNamespacesStayFast) {
  k8s::Inventory inventory;
  for (int n = 0; n < 100; ++n) {
    const std::string ns = fmt::format("ns{}", n);
    const auto add = [&](json doc) {
      k8s::Object o;
      o.doc = std::move(doc);
      o.api_version = o.doc["apiVersion"];
      o.kind = o.doc["kind"];
      o.name = o.doc["metadata"]["name"];
      o.ns = ns;
      o.state.status = docker::FactStatus::Ok;
      k8s::classify(o);
      inventory.objects.push_back(std::move(o));
    };
    for (int i = 0; i < 50; ++i) {
      add({{"apiVersion", "apps/v1"},
           {"kind", "Deployment"},
           {"metadata", {{"name", fmt::format("app{}", i)}, {"namespace", ns}}},
           {"spec",
            {{"template",
              {{"metadata", {{"labels", {{"app", fmt::format("app{}", i)}}}}},
               {"spec", {{"containers", {{{"name", "c"}, {"image", "nginx"}}}}}}}}}}});
    }
    for (int i = 0; i < 30; ++i) {
      add({{"apiVersion", "v1"},
           {"kind", "Service"},
           {"metadata", {{"name", fmt::format("svc{}", i)}, {"namespace", ns}}},
           {"spec",
            {{"type", "NodePort"},
             {"selector", {{"app", fmt::format("app{}", i)}}},
             {"ports", {{{"port", 80}}}}}}});
    }
    for (int i = 0; i < 20; ++i) {
      json policy = {{"apiVersion", "networking.k8s.io/v1"},
                     {"kind", "NetworkPolicy"},
                     {"metadata", {{"name", fmt::format("np{}", i)}, {"namespace", ns}}}};
      policy["spec"]["podSelector"]["matchLabels"]["app"] = fmt::format("app{}", i);
      add(std::move(policy));
    }
  }
  inventory.index();
  ASSERT_EQ(inventory.objects.size(), 10'000u);
  auto network = selectChecks(builtinChecks(),
                              {"BW-K8S-301", "BW-K8S-302", "BW-K8S-303", "BW-K8S-305", "BW-K8S-306",
                               "BW-K8S-307", "BW-K8S-308", "BW-K8S-309", "BW-K8S-310"},
                              {});
  ASSERT_TRUE(network.has_value());
  const auto results = evaluateK8s(*network, inventory, {});
  // 5000 workloads × 305, 310; 3000 Services × 301, 302, 303, 309; 2000 policies × 306, 307.
  EXPECT_EQ(results.size(), 5000u * 2 + 3000u * 4 + 2000u * 2);
  std::size_t ingress = 0;
  std::size_t egress = 0;
  for (const auto& r : results) {
    ingress += r.check_id == "BW-K8S-305" && r.status == CheckStatus::Fail;
    egress += r.check_id == "BW-K8S-310" && r.status == CheckStatus::Fail;
  }
  EXPECT_EQ(ingress, 3000u);  // app20…app49 of each namespace: no policy selects them
  EXPECT_EQ(egress, 5000u);   // the policies cover ingress only: egress fails everywhere
}

}  // namespace
}  // namespace bulwark::checks
