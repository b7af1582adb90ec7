// RBAC lookups and rule matching (k8s/rbac.h) on manifests read by the manifest reader, and the
// RBAC checks end to end: each fixture of tests/fixtures/k8s/rbac read on its own, evaluated
// with the built-in checks, and the status and evidence asserted per (object, check). A role
// that is not in the input is never a pass; a live list that could not be read neither.
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/inventory.h"
#include "checks/k8s/manifest.h"
#include "checks/k8s/rbac.h"
#include "checks/profile.h"
#include "model/check.h"
#include "testdata.h"

namespace bulwark::checks {
namespace {

using model::CheckStatus;
using model::NotEvaluatedCause;

k8s::Inventory load(std::string_view text, std::string_view source = "in.yaml") {
  k8s::Inventory inventory;
  core::Diagnostics diagnostics;
  k8s::addManifestText(text, source, k8s::ManifestOptions{}, inventory, diagnostics);
  inventory.index();
  EXPECT_TRUE(inventory.problems.empty()) << source;
  return inventory;
}

const k8s::Object& get(const k8s::Inventory& inventory, std::string_view kind, std::string_view ns,
                       std::string_view name) {
  const k8s::Object* object = inventory.find(kind, ns, name);
  if (object == nullptr) {
    ADD_FAILURE() << kind << "/" << ns << "/" << name << " not loaded";
    static const k8s::Object kNone;
    return kNone;
  }
  return *object;
}

nlohmann::json rule(std::string_view json) { return nlohmann::json::parse(json); }

// ---------------------------------------------------------------------------------------
// rule matching

TEST(RbacRules, ResourcesMatchByComponent) {
  EXPECT_TRUE(k8s::resourceGrants("*", "pods/exec"));
  EXPECT_TRUE(k8s::resourceGrants("pods/*", "pods/exec"));
  EXPECT_TRUE(k8s::resourceGrants("*/scale", "deployments/scale"));
  EXPECT_TRUE(k8s::resourceGrants("userextras/scopes", "userextras/*"));
  EXPECT_TRUE(k8s::resourceGrants("secrets", "secrets"));
  EXPECT_FALSE(k8s::resourceGrants("pods", "pods/exec"));
  EXPECT_FALSE(k8s::resourceGrants("pods/*", "pods"));
  EXPECT_FALSE(k8s::resourceGrants("pods/log", "pods/exec"));
  EXPECT_FALSE(k8s::resourceGrants("nodes/*", "pods/exec"));
}

TEST(RbacRules, VerbsGroupsAndWildcards) {
  const k8s::RuleQuery secrets{{"get", "list", "watch"}, {"secrets"}, {""}, false};
  EXPECT_TRUE(k8s::ruleMatches(rule(R"({"apiGroups":[""],"resources":["secrets"],
                                        "verbs":["list"]})"),
                               secrets));
  EXPECT_TRUE(
      k8s::ruleMatches(rule(R"({"apiGroups":["*"],"resources":["*"],"verbs":["*"]})"), secrets));
  // Another group's "secrets" are not the core ones; create does not read.
  EXPECT_FALSE(k8s::ruleMatches(rule(R"({"apiGroups":["example.com"],"resources":["secrets"],
                                         "verbs":["get"]})"),
                                secrets));
  EXPECT_FALSE(k8s::ruleMatches(rule(R"({"apiGroups":[""],"resources":["secrets"],
                                         "verbs":["create"]})"),
                                secrets));
  // resourceNames narrow the grant but do not remove it.
  EXPECT_TRUE(k8s::ruleMatches(rule(R"({"apiGroups":[""],"resources":["secrets"],
                                        "resourceNames":["one"],"verbs":["get"]})"),
                               secrets));
  // A non-resource rule grants no resource; a rule without verbs grants nothing.
  EXPECT_FALSE(k8s::ruleMatches(rule(R"({"nonResourceURLs":["*"],"verbs":["*"]})"), secrets));
  EXPECT_FALSE(k8s::ruleMatches(rule(R"({"apiGroups":[""],"resources":["secrets"]})"), secrets));
  EXPECT_FALSE(k8s::ruleMatches(rule(R"("not a rule")"), secrets));

  const k8s::RuleQuery wildcard{{}, {}, {}, true};
  EXPECT_TRUE(
      k8s::ruleMatches(rule(R"({"apiGroups":[""],"resources":["pods"],"verbs":["*"]})"), wildcard));
  EXPECT_TRUE(k8s::ruleMatches(rule(R"({"nonResourceURLs":["/x"],"verbs":["*"]})"), wildcard));
  EXPECT_FALSE(k8s::ruleMatches(rule(R"({"apiGroups":[""],"resources":["pods/*"],
                                         "verbs":["get"]})"),
                                wildcard));
  const k8s::RuleQuery any_verb_on_proxy{{}, {"nodes/proxy"}, {}, false};
  EXPECT_TRUE(k8s::ruleMatches(rule(R"({"apiGroups":[""],"resources":["nodes/proxy"],
                                        "verbs":["get"]})"),
                               any_verb_on_proxy));
}

TEST(RbacRules, DescribesARule) {
  EXPECT_EQ(k8s::describeRule(rule(R"({"apiGroups":[""],"resources":["secrets"],
                                       "verbs":["get","list"]})")),
            R"(verbs=[get,list] resources=[secrets] apiGroups=[""])");
  EXPECT_EQ(k8s::describeRule(rule(R"({"nonResourceURLs":["/metrics"],"verbs":["get"]})")),
            "verbs=[get] resources=[] apiGroups=[] nonResourceURLs=[/metrics]");
}

// ---------------------------------------------------------------------------------------
// lookups

constexpr std::string_view kBindings = R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: prod}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: dev}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: by-role, namespace: prod}
roleRef: {kind: Role, name: reader}
subjects:
  - {kind: ServiceAccount, name: web}
  - {kind: ServiceAccount, name: web, namespace: dev}
  - {kind: User, name: alice}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: by-cluster-role, namespace: prod}
roleRef: {kind: ClusterRole, name: reader}
subjects:
  - {kind: Group, name: "system:serviceaccounts:prod"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-accounts}
roleRef: {kind: ClusterRole, name: reader}
subjects:
  - {kind: Group, name: "system:serviceaccounts"}
  - {kind: User, name: "system:serviceaccount:prod:web"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: wrong-kind}
roleRef: {kind: Role, name: reader}
subjects: [{kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: gone}
roleRef: {kind: ClusterRole, name: not-here}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: prod}
---
apiVersion: v1
kind: Pod
metadata: {name: named, namespace: prod}
spec: {serviceAccountName: web, containers: [{name: a, image: a}]}
---
apiVersion: v1
kind: Pod
metadata: {name: deprecated, namespace: prod}
spec: {serviceAccount: web, containers: [{name: a, image: a}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: unnamed, namespace: prod}
spec: {template: {spec: {containers: [{name: a, image: a}]}}}
)";

TEST(RbacLookups, RoleOfABinding) {
  const auto inventory = load(kBindings);
  const auto& by_role = get(inventory, "RoleBinding", "prod", "by-role");
  EXPECT_EQ(k8s::roleOf(inventory, by_role), &get(inventory, "Role", "prod", "reader"));
  EXPECT_EQ(k8s::roleOf(inventory, get(inventory, "RoleBinding", "prod", "by-cluster-role")),
            &get(inventory, "ClusterRole", "", "reader"));

  const auto wrong =
      k8s::lookUpRole(inventory, get(inventory, "ClusterRoleBinding", "", "wrong-kind"));
  EXPECT_EQ(wrong.role, nullptr);
  EXPECT_EQ(wrong.cause, NotEvaluatedCause::Malformed);
  EXPECT_EQ(wrong.problem, "ClusterRoleBinding cannot refer to Role//reader");

  const auto gone = k8s::lookUpRole(inventory, get(inventory, "ClusterRoleBinding", "", "gone"));
  EXPECT_EQ(gone.role, nullptr);
  EXPECT_EQ(gone.cause, NotEvaluatedCause::MissingInput);
  EXPECT_EQ(gone.problem, "role ClusterRole/not-here not in the input");
}

TEST(RbacLookups, SubjectsQualifyServiceAccountsWithTheBindingsNamespace) {
  const auto inventory = load(kBindings);
  const auto subjects = k8s::subjectsOf(get(inventory, "RoleBinding", "prod", "by-role"));
  ASSERT_TRUE(subjects.has_value());
  std::vector<std::string> qualified;
  for (const auto& s : *subjects) qualified.push_back(s.qualified());
  EXPECT_EQ(qualified, (std::vector<std::string>{"ServiceAccount:prod/web",
                                                 "ServiceAccount:dev/web", "User:alice"}));
}

TEST(RbacLookups, BindingsOfAServiceAccountIncludeItsGroupsAndUserName) {
  const auto inventory = load(kBindings);
  std::vector<std::string> found;
  for (const auto& b : k8s::bindingsForServiceAccount(inventory, "prod", "web")) {
    found.push_back(
        fmt::format("{} {}[{}] {}", b.binding->kind, b.binding->name, b.subject, b.via));
  }
  EXPECT_EQ(found, (std::vector<std::string>{
                       "ClusterRoleBinding all-accounts[0] Group system:serviceaccounts",
                       "ClusterRoleBinding all-accounts[1] User",
                       "RoleBinding by-cluster-role[0] Group system:serviceaccounts:prod",
                       "RoleBinding by-role[0] ServiceAccount"}));
  // dev/web is named once (by by-role, subject 1) and through system:serviceaccounts.
  EXPECT_EQ(k8s::bindingsForServiceAccount(inventory, "dev", "web").size(), 2U);
  EXPECT_EQ(k8s::bindingsForServiceAccount(inventory, "dev", "other").size(), 1U);
}

TEST(RbacLookups, ServiceAccountOfAWorkload) {
  const auto inventory = load(kBindings);
  const auto named = k8s::serviceAccountOf(inventory, get(inventory, "Pod", "prod", "named"));
  EXPECT_EQ(named.name, "web");
  EXPECT_EQ(named.path, "spec.serviceAccountName");
  EXPECT_EQ(named.object, &get(inventory, "ServiceAccount", "prod", "web"));
  const auto deprecated =
      k8s::serviceAccountOf(inventory, get(inventory, "Pod", "prod", "deprecated"));
  EXPECT_EQ(deprecated.name, "web");
  EXPECT_EQ(deprecated.path, "spec.serviceAccount");
  const auto unnamed =
      k8s::serviceAccountOf(inventory, get(inventory, "Deployment", "prod", "unnamed"));
  EXPECT_EQ(unnamed.name, "default");
  EXPECT_TRUE(unnamed.path.empty());
  EXPECT_EQ(unnamed.object, nullptr);
}

TEST(RbacLookups, DefaultObjectsByLabelOrName) {
  const auto inventory = load(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: admin, labels: {kubernetes.io/bootstrapping: rbac-defaults}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:node"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: mine, labels: {kubernetes.io/bootstrapping: other}}
)");
  EXPECT_TRUE(k8s::isDefaultRbac(get(inventory, "ClusterRole", "", "admin")));
  EXPECT_TRUE(k8s::isDefaultRbac(get(inventory, "ClusterRole", "", "system:node")));
  EXPECT_FALSE(k8s::isDefaultRbac(get(inventory, "ClusterRole", "", "mine")));
}

// The probes' other fields, read directly.
ProbeResult probe(std::string_view kind, Params params, const k8s::Inventory& inventory,
                  const k8s::Object& object) {
  Resource resource;
  resource.kind = object.workload == k8s::WorkloadKind::None ? ResourceKind::K8sObject
                                                             : ResourceKind::K8sWorkload;
  resource.name = object.resourceName();
  resource.object = &object;
  resource.inventory = &inventory;
  const ProbeKind* found = findProbe(kind);
  EXPECT_NE(found, nullptr) << kind;
  return found == nullptr ? ProbeResult{} : found->evaluate(params, resource);
}

TEST(RbacProbes, ServiceAccountNameAndSubjectFields) {
  const auto inventory = load(kBindings);
  Params name;
  name.set("field", std::string("name"));
  const auto unnamed = probe("pod-service-account", name, inventory,
                             get(inventory, "Deployment", "prod", "unnamed"));
  ASSERT_EQ(unnamed.observations.size(), 1U);
  EXPECT_EQ(unnamed.observations[0].values, std::vector<std::string>{"default"});
  EXPECT_EQ(unnamed.observations[0].display, "default (API default)");
  EXPECT_EQ(
      unnamed.observations[0].where.rfind("spec.template.spec.serviceAccountName (in.yaml:", 0), 0U)
      << unnamed.observations[0].where;

  Params kind;
  kind.set("field", std::string("kind"));
  const auto kinds =
      probe("rbac-subject", kind, inventory, get(inventory, "RoleBinding", "prod", "by-role"));
  std::vector<std::string> values;
  for (const auto& o : kinds.observations) values.push_back(o.values.front());
  EXPECT_EQ(values, (std::vector<std::string>{"ServiceAccount", "ServiceAccount", "User"}));

  // A subject that is not an object is unknown, never skipped.
  const auto odd = load(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: odd}
roleRef: {kind: ClusterRole, name: view}
subjects: [oops, {kind: User, name: x}]
)");
  Params qualified;
  const auto mixed =
      probe("rbac-subject", qualified, odd, get(odd, "ClusterRoleBinding", "", "odd"));
  ASSERT_EQ(mixed.observations.size(), 2U);
  EXPECT_TRUE(mixed.observations[0].unknown);
  EXPECT_EQ(mixed.observations[0].note, "subjects[0] is not an object");
  EXPECT_EQ(mixed.observations[1].values, std::vector<std::string>{"User:x"});

  // A subject probe on a role, a role probe on a workload: not applicable.
  EXPECT_EQ(probe("rbac-subject", kind, inventory, get(inventory, "Role", "prod", "reader")).state,
            ProbeState::NotApplicable);
  EXPECT_EQ(probe("rbac-rule", Params{}, inventory, get(inventory, "Pod", "prod", "named")).state,
            ProbeState::NotApplicable);
}

// ---------------------------------------------------------------------------------------
// the checks end to end

const CheckSet& builtinSet() {
  static const CheckSet set = [] {
    auto loaded = loadBuiltinChecks();
    if (!loaded) ADD_FAILURE() << "built-in checks do not load: " << loaded.error().message;
    return loaded ? std::move(*loaded) : CheckSet{};
  }();
  return set;
}

std::vector<model::CheckResult> evaluateInventory(const k8s::Inventory& inventory) {
  return evaluateK8s(builtinSet(), inventory, EvalContext{});
}

std::vector<model::CheckResult> evaluateFixture(std::string_view file) {
  const auto path = bulwark::testing::fixtures() / "k8s" / "rbac" / std::string(file);
  return evaluateInventory(load(bulwark::testing::readFile(path), file));
}

std::string describe(const model::CheckResult& r) {
  std::string out = fmt::format("{} {} {}{}\n", r.resource, r.check_id, model::toString(r.status),
                                r.reason.empty() ? "" : " (" + r.reason + ")");
  for (const auto& e : r.evidence) out += fmt::format("    {} | {}\n", e.observed, e.where);
  return out;
}

// What one (object, check) must give: the status, and text that some evidence's observed
// value and some evidence's where (the same one) contain.
struct Expect {
  std::string resource;  // "_cluster/ClusterRoleBinding/ops-admins"
  std::string check;     // "201"
  CheckStatus status;
  std::string observed = {};
  std::string where = {};
};

void expectAll(const std::vector<model::CheckResult>& results, const std::vector<Expect>& expects) {
  for (const auto& e : expects) {
    const std::string resource = "k8s:" + e.resource;
    const std::string id = "BW-K8S-" + e.check;
    const auto found = std::find_if(results.begin(), results.end(), [&](const auto& r) {
      return r.resource == resource && r.check_id == id;
    });
    if (found == results.end()) {
      ADD_FAILURE() << "no result for " << resource << " " << id;
      continue;
    }
    SCOPED_TRACE(describe(*found));
    EXPECT_EQ(found->status, e.status) << resource << " " << id;
    if (e.observed.empty() && e.where.empty()) continue;
    const bool shown = std::any_of(found->evidence.begin(), found->evidence.end(), [&](auto& ev) {
      return ev.observed.find(e.observed) != std::string::npos &&
             ev.where.find(e.where) != std::string::npos;
    });
    EXPECT_TRUE(shown) << resource << " " << id << ": no evidence with `" << e.observed << "` at `"
                       << e.where << "`";
  }
}

const model::CheckResult* find(const std::vector<model::CheckResult>& results,
                               std::string_view resource, std::string_view id) {
  const auto found = std::find_if(results.begin(), results.end(), [&](const auto& r) {
    return r.resource == resource && r.check_id == id;
  });
  return found == results.end() ? nullptr : &*found;
}

constexpr auto kPass = CheckStatus::Pass;
constexpr auto kFail = CheckStatus::Fail;
constexpr auto kNa = CheckStatus::NotApplicable;
constexpr auto kNe = CheckStatus::NotEvaluated;

TEST(RbacChecks, ProfileNamesEveryRbacCheck) {
  auto profile = builtinProfile("k8s-rbac");
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  EXPECT_EQ(profile->title, "bulwark Kubernetes RBAC");
  auto checks = profileChecks(builtinSet(), *profile);
  ASSERT_TRUE(checks.has_value()) << checks.error().message;
  std::vector<std::string> ids;
  for (const auto& c : checks->checks) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"BW-K8S-201", "BW-K8S-202", "BW-K8S-203", "BW-K8S-204",
                                           "BW-K8S-205", "BW-K8S-206", "BW-K8S-207", "BW-K8S-208",
                                           "BW-K8S-209", "BW-K8S-210", "BW-K8S-211", "BW-K8S-212",
                                           "BW-K8S-213", "BW-K8S-214", "BW-K8S-215"}));
}

TEST(RbacChecks, ClusterAdminBindings) {
  const auto results = evaluateFixture("cluster-admin-bindings.yaml");
  expectAll(results,
            {{"_cluster/ClusterRoleBinding/ops-admins", "201", kFail, "User:alice",
              "subjects[0] (cluster-admin-bindings.yaml:"},
             {"_cluster/ClusterRoleBinding/platform-team", "201", kFail, "Group:platform"},
             {"_cluster/ClusterRoleBinding/break-glass", "201", kPass, "Group:system:masters"},
             {"_cluster/ClusterRoleBinding/cluster-admin", "201", kNa},
             {"_cluster/ClusterRoleBinding/system:controller:bootstrap-signer-admin", "201", kNa},
             {"prod/RoleBinding/deployer-admin", "201", kFail, "ServiceAccount:prod/deployer"},
             // cluster-admin by another name fails too; reads on everything, or a role the
             // input does not hold, are not cluster-admin here.
             {"_cluster/ClusterRoleBinding/superusers", "201", kFail, "User:bob"},
             {"_cluster/ClusterRoleBinding/auditors", "201", kNa},
             {"prod/RoleBinding/viewers", "201", kNa},
             {"_cluster/ClusterRole/cluster-admin", "202", kNa},
             // The binding is reported through the role it names.
             {"_cluster/ClusterRoleBinding/ops-admins", "203", kFail,
              "verbs=[*] resources=[*] apiGroups=[*]",
              "ClusterRole/cluster-admin rules[0] (cluster-admin-bindings.yaml:"},
             {"_cluster/ClusterRoleBinding/ops-admins", "213", kPass},
             // Default bindings of system identities pass BW-K8S-214; others are not its.
             {"_cluster/ClusterRoleBinding/cluster-admin", "214", kPass, "Group:system:masters"},
             {"_cluster/ClusterRoleBinding/system:controller:bootstrap-signer-admin", "214", kPass},
             {"_cluster/ClusterRoleBinding/ops-admins", "214", kNa}});
}

TEST(RbacChecks, WildcardRoles) {
  const auto results = evaluateFixture("wildcard-roles.yaml");
  expectAll(results, {{"_cluster/ClusterRole/everything", "202", kFail,
                       "verbs=[*] resources=[*] apiGroups=[*]", "rules[0] (wildcard-roles.yaml:"},
                      {"_cluster/ClusterRole/everything", "203", kFail},
                      {"_cluster/ClusterRole/everything", "204", kFail},
                      {"_cluster/ClusterRole/everything", "206", kFail},
                      {"_cluster/ClusterRole/everything", "211", kFail},
                      {"_cluster/ClusterRole/everything", "212", kFail},
                      {"prod/Role/pod-wild", "202", kPass},
                      {"prod/Role/pod-wild", "204", kFail, "resources=[pods/*]", "rules[0]"},
                      {"prod/Role/pod-wild", "211", kPass},
                      {"prod/Role/any-verb-configmaps", "202", kFail, "verbs=[*]"},
                      {"prod/Role/any-verb-configmaps", "203", kPass},
                      {"prod/Role/reader", "202", kPass},
                      {"prod/Role/reader", "203", kPass},
                      {"prod/Role/reader", "204", kPass},
                      {"prod/Role/reader", "206", kPass},
                      {"prod/Role/reader", "211", kPass},
                      {"prod/Role/reader", "212", kPass}});
}

TEST(RbacChecks, SecretsReaders) {
  const auto results = evaluateFixture("secrets-readers.yaml");
  expectAll(results,
            {{"_cluster/ClusterRole/secret-reader", "203", kFail,
              R"(verbs=[get,list] resources=[secrets] apiGroups=[""])", "rules[1]"},
             {"prod/Role/one-secret", "203", kFail, "limited to resourceNames [\"db-password\"]"},
             {"prod/Role/other-group-secrets", "203", kPass},
             {"_cluster/ClusterRole/edit", "203", kNa},
             {"prod/RoleBinding/read-secrets", "203", kFail, "resources=[secrets]",
              "ClusterRole/secret-reader rules[1]"},
             {"prod/RoleBinding/dev-edit", "203", kFail, "resources=[secrets]",
              "ClusterRole/edit rules[1]"},
             {"prod/RoleBinding/dev-edit", "205", kPass}});
  // The edit role is exempt as a default role: "applies only when" says why.
  const auto* edit = find(results, "k8s:_cluster/ClusterRole/edit", "BW-K8S-203");
  ASSERT_NE(edit, nullptr);
  EXPECT_EQ(edit->reason, "applies only when not one of the cluster's own roles and bindings");
}

// What counts as the cluster's own: names, the bootstrap label, the bootstrap policy's
// user-facing ClusterRoles and binding, a managed platform's prefix. Subjects do not matter
// here (BW-K8S-214 judges them).
TEST(RbacDefaults, RolesAndBindingsByNameLabelOrPlatformPrefix) {
  const auto inventory = load(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: admin}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: admin, namespace: prod}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reconciled, labels: {kubernetes.io/bootstrapping: rbac-defaults}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cluster-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: "system:masters"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:controller:job-controller"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:controller:job-controller"}
subjects: [{kind: ServiceAccount, name: job-controller, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:persist"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: "system:masters"}, {kind: User, name: mallory}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cluster-admin, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: "system:masters"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "gce:podsecuritypolicy:calico-sa"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "gce:podsecuritypolicy:calico-sa"}
subjects: [{kind: ServiceAccount, name: calico-sa, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "eks:node-manager"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "gke-admin"}
)");
  const auto why = [&](std::string_view kind, std::string_view ns, std::string_view name) {
    const auto* object = inventory.find(kind, ns, name);
    EXPECT_NE(object, nullptr) << kind << " " << name;
    return object == nullptr ? std::string("?") : k8s::defaultRbacReason(*object);
  };
  EXPECT_EQ(why("ClusterRole", "", "admin"), "a ClusterRole of Kubernetes' bootstrap policy");
  EXPECT_EQ(why("Role", "prod", "admin"), "");
  EXPECT_EQ(why("ClusterRole", "", "reconciled"),
            "label kubernetes.io/bootstrapping=rbac-defaults");
  EXPECT_EQ(why("ClusterRoleBinding", "", "cluster-admin"),
            "the ClusterRoleBinding of Kubernetes' bootstrap policy");
  EXPECT_EQ(why("ClusterRoleBinding", "", "system:controller:job-controller"), "a system: name");
  EXPECT_EQ(why("ClusterRoleBinding", "", "system:persist"), "a system: name");
  EXPECT_EQ(why("RoleBinding", "prod", "cluster-admin"), "");
  EXPECT_EQ(why("ClusterRoleBinding", "", "gce:podsecuritypolicy:calico-sa"),
            "a name with the gce: prefix of a managed platform");
  EXPECT_EQ(why("ClusterRole", "", "eks:node-manager"),
            "a name with the eks: prefix of a managed platform");
  EXPECT_EQ(why("ClusterRole", "", "gke-admin"), "");  // not a reserved prefix
}

TEST(RbacChecks, ExecRolesAndBindings) {
  const auto results = evaluateFixture("exec-roles.yaml");
  expectAll(
      results,
      {{"_cluster/ClusterRole/debugger", "204", kFail, "resources=[pods/exec,pods/portforward]",
        "rules[1] (exec-roles.yaml:"},
       {"prod/RoleBinding/debuggers", "205", kFail, "pods/exec", "ClusterRole/debugger rules[1]"},
       // A system: name, but a group of people is bound: BW-K8S-214.
       {"_cluster/ClusterRoleBinding/system:debugger", "205", kNa},
       {"_cluster/ClusterRoleBinding/system:debugger", "214", kFail, "Group:sre", "subjects[0]"},
       {"_cluster/ClusterRole/pod-viewer", "204", kPass},
       // nodes/proxy is exec through the kubelet, where it can be granted.
       {"_cluster/ClusterRoleBinding/scraper", "205", kFail,
        "resources=[nodes/proxy,nodes/metrics]", "ClusterRole/kubelet-scraper rules[0]"},
       {"monitoring/RoleBinding/scraper", "205", kPass},
       {"_cluster/ClusterRole/kubelet-scraper", "212", kFail, "nodes/proxy"},
       {"monitoring/Role/node-proxy", "212", kPass}});
}

TEST(RbacChecks, EscalationWorkloadsAndSubresources) {
  const auto results = evaluateFixture("escalation.yaml");
  expectAll(results,
            {{"_cluster/ClusterRole/role-binder", "206", kFail, "verbs=[bind,escalate]"},
             {"_cluster/ClusterRole/impersonator", "206", kFail, "verbs=[impersonate]"},
             {"_cluster/ClusterRole/scope-impersonator", "206", kFail, "userextras/scopes"},
             {"_cluster/ClusterRole/deployer", "206", kPass},
             {"_cluster/ClusterRole/deployer", "211", kFail, "resources=[deployments]"},
             {"_cluster/ClusterRole/node-proxy", "212", kFail, "resources=[nodes/proxy]"},
             {"_cluster/ClusterRole/csr-approver", "212", kFail, "resources=[signers]"},
             // Updating the approval without `approve` on a signer approves nothing.
             {"_cluster/ClusterRole/csr-updater", "212", kPass},
             {"_cluster/ClusterRole/token-minter", "212", kFail, "serviceaccounts/token"}});
}

TEST(RbacChecks, AnonymousAndAuthenticatedSubjects) {
  const auto results = evaluateFixture("anonymous-bindings.yaml");
  expectAll(
      results,
      {{"_cluster/ClusterRoleBinding/anon-view", "207", kFail, "User:system:anonymous"},
       {"_cluster/ClusterRoleBinding/everyone-view", "207", kFail, "Group:system:authenticated"},
       {"_cluster/ClusterRoleBinding/everyone-view", "201", kNa},
       {"_cluster/ClusterRoleBinding/system:public-info-viewer", "207", kNa},
       {"_cluster/ClusterRoleBinding/anon-view", "203", kNe},
       // The default discovery roles: 215 (low) asks only that anonymous requests get none.
       {"_cluster/ClusterRoleBinding/system:public-info-viewer", "215", kFail,
        "Group:system:unauthenticated"},
       {"_cluster/ClusterRoleBinding/system:discovery", "215", kPass},
       {"_cluster/ClusterRoleBinding/system:discovery", "207", kNa},
       {"_cluster/ClusterRoleBinding/anon-discovery", "215", kFail, "User:system:anonymous"},
       {"_cluster/ClusterRoleBinding/anon-view", "215", kNa},
       {"_cluster/ClusterRoleBinding/everyone-view", "215", kNa}});
}

TEST(RbacChecks, ARoleNotInTheInputIsNeverAPass) {
  const auto results = evaluateFixture("missing-role.yaml");
  for (const std::string_view id : {"BW-K8S-203", "BW-K8S-205", "BW-K8S-206"}) {
    const auto* r = find(results, "k8s:prod/RoleBinding/uses-missing", id);
    ASSERT_NE(r, nullptr) << id;
    EXPECT_EQ(r->status, kNe) << describe(*r);
    EXPECT_EQ(r->cause, NotEvaluatedCause::MissingInput) << id;
    EXPECT_EQ(r->reason, "role Role/prod/missing-role not in the input") << id;
  }
  expectAll(results, {{"prod/RoleBinding/uses-missing", "207", kPass, "User:erin"}});
}

TEST(RbacChecks, DefaultServiceAccountBindings) {
  const auto results = evaluateFixture("default-sa-binding.yaml");
  expectAll(results, {{"prod/RoleBinding/default-reader", "213", kFail,
                       "ServiceAccount:prod/default", "subjects[0] (default-sa-binding.yaml:"},
                      {"prod/RoleBinding/web-reader", "213", kPass, "ServiceAccount:prod/web"}});
}

TEST(RbacChecks, TokenAutomount) {
  const auto results = evaluateFixture("automount.yaml");
  expectAll(results,
            {{"shop/Deployment/auto-true", "208", kFail, "true",
              "spec.template.spec.automountServiceAccountToken (automount.yaml:"},
             {"shop/Deployment/auto-false", "208", kPass, "false",
              "spec.template.spec.automountServiceAccountToken"},
             {"shop/Deployment/auto-unset", "208", kFail,
              "API default; ServiceAccount not in the input", "ServiceAccount/shop/default"},
             {"shop/Deployment/quiet-account", "208", kPass, "false",
              "ServiceAccount/shop/quiet automountServiceAccountToken (automount.yaml:"},
             {"shop/Pod/legacy", "208", kPass, "false", "ServiceAccount/shop/quiet"},
             {"shop/Deployment/auto-true", "210", kPass}});
  // Workloads only: the ServiceAccount itself gets no workload check.
  EXPECT_EQ(find(results, "k8s:shop/ServiceAccount/quiet", "BW-K8S-208"), nullptr);
}

TEST(RbacChecks, WorkloadServiceAccountRoles) {
  const auto results = evaluateFixture("workload-bindings.yaml");
  expectAll(results, {{"team/Deployment/admin-app", "210", kFail, "ClusterRole/cluster-admin",
                       "ClusterRoleBinding/team-admin subjects[0] (workload-bindings.yaml:"},
                      {"team/Deployment/wild-app", "210", kFail,
                       R"(ClusterRole/wild rules[1]: verbs=[*] resources=[pods] apiGroups=[""])",
                       "RoleBinding/team/wild-binding subjects[0]"},
                      {"batch/Job/nightly", "210", kFail, "ClusterRole/wild rules[1]",
                       "through Group system:serviceaccounts:batch"},
                      {"team/Deployment/plain-app", "210", kPass},
                      {"_cluster/ClusterRole/wild", "202", kFail, "verbs=[*]", "rules[1]"}});
}

TEST(RbacChecks, AggregatedClusterRoleIsNotEvaluatedWithANote) {
  const auto results = evaluateFixture("aggregated.yaml");
  constexpr std::string_view kNote = "rules are aggregated at run time; check the live cluster";
  expectAll(results, {{"_cluster/ClusterRole/monitoring", "202", kNe, std::string(kNote),
                       "aggregationRule (aggregated.yaml:"},
                      {"_cluster/ClusterRoleBinding/monitoring-viewers", "203", kNe,
                       std::string(kNote), "ClusterRole/monitoring aggregationRule"}});
}

// Evidence names secrets (resourceNames), never their values.
TEST(RbacChecks, NoSecretValueInEvidence) {
  const auto inventory = load(R"(
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: prod}
stringData: {password: hunter2-very-secret}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: one-secret, namespace: prod}
rules: [{apiGroups: [""], resources: [secrets], resourceNames: [db], verbs: [get]}]
)");
  for (const auto& r : evaluateInventory(inventory)) {
    EXPECT_EQ(describe(r).find("hunter2"), std::string::npos) << describe(r);
  }
}

// ---------------------------------------------------------------------------------------
// live lists

TEST(RbacLive, UnreadBindingListsAreNotEvaluatedAndAMissingRoleGrantsNothing) {
  auto inventory = load(R"(
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod}
spec: {containers: [{name: a, image: a}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: stale, namespace: prod}
roleRef: {kind: Role, name: deleted}
subjects: [{kind: User, name: alice}]
)");
  const docker::FactState ok{docker::FactStatus::Ok, {}, "list"};
  inventory.sources[std::string(k8s::kRoleBindingsList)] = {
      {docker::FactStatus::PermissionDenied, "HTTP 403", "list rolebindings"}, 0};
  inventory.sources[std::string(k8s::kClusterRoleBindingsList)] = {ok, 0};
  inventory.sources[std::string(k8s::kRolesList)] = {ok, 0};
  const auto results = evaluateInventory(inventory);
  const auto* bound = find(results, "k8s:prod/Pod/web", "BW-K8S-210");
  ASSERT_NE(bound, nullptr);
  EXPECT_EQ(bound->status, kNe) << describe(*bound);
  EXPECT_EQ(bound->cause, NotEvaluatedCause::PermissionDenied);
  // The roles list was read and has no such role: the binding grants nothing.
  expectAll(results, {{"prod/RoleBinding/stale", "203", kPass, "nothing observed",
                       "role Role/prod/deleted does not exist"}});
  // The ServiceAccount list was not collected: automount is not guessed.
  const auto* automount = find(results, "k8s:prod/Pod/web", "BW-K8S-208");
  ASSERT_NE(automount, nullptr);
  EXPECT_EQ(automount->status, kNe) << describe(*automount);
}

// BW-K8S-210 on a large cluster: 300 bindings × 7 000 workloads give one result per workload
// (its time is measured by benchmarks/k8s_bench, not here).
TEST(RbacScale, BoundRoleLookupsOverThousandsOfWorkloads) {
  std::string text;
  for (int i = 0; i < 300; ++i) {
    text += fmt::format(R"(---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: b{0}}}
roleRef: {{kind: ClusterRole, name: r{0}}}
subjects:
  - {{kind: ServiceAccount, name: sa{0}, namespace: ns{1}}}
  - {{kind: User, name: u{0}}}
  - {{kind: Group, name: g{0}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: r{0}}}
rules: [{{apiGroups: [""], resources: [pods], verbs: [get]}}]
)",
                        i, i % 20);
  }
  for (int i = 0; i < 7000; ++i) {
    text += fmt::format(R"(---
apiVersion: v1
kind: Pod
metadata: {{name: p{0}, namespace: ns{1}}}
spec: {{serviceAccountName: sa{2}, containers: [{{name: a, image: a}}]}}
)",
                        i, i % 20, i % 400);
  }
  const auto inventory = load(text, "scale.yaml");
  auto only = selectChecks(builtinSet(), {"BW-K8S-210"}, {});
  ASSERT_TRUE(only.has_value());
  EXPECT_EQ(evaluateK8s(*only, inventory, EvalContext{}).size(), 7000U);
}

}  // namespace
}  // namespace bulwark::checks
