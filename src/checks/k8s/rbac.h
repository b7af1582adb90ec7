// RBAC lookups over an Inventory (docs/dev/k8s-design.md §3, §4.1, §4.4): a binding's role, the
// bindings that name a service account, a workload's service account, whether an object is
// one of the defaults the API server creates, and whether a role rule grants a verb on a
// resource. Linear scans over the inventory's kind lists, without copies: BW-K8S-210 on 300
// bindings × 7 000 workloads costs ~300 ms CPU (tests/unit/checks/k8s_rbac prints it); a
// by-subject index in Inventory::index() would make bindingsForServiceAccount a lookup.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/docker/snapshot.h"
#include "checks/k8s/inventory.h"
#include "checks/k8s/object.h"
#include "model/check.h"

namespace bulwark::checks::k8s {

// The live list names a lookup depends on (Inventory::sources keys).
inline constexpr std::string_view kRolesList = "rbac.authorization.k8s.io/roles";
inline constexpr std::string_view kClusterRolesList = "rbac.authorization.k8s.io/clusterroles";
inline constexpr std::string_view kRoleBindingsList = "rbac.authorization.k8s.io/rolebindings";
inline constexpr std::string_view kClusterRoleBindingsList =
    "rbac.authorization.k8s.io/clusterrolebindings";
inline constexpr std::string_view kServiceAccountsList = "serviceaccounts";

// Whether a list was read in full. Manifests (no sources recorded) are taken as complete, as
// polaris and kube-score do; a live inventory answers from its sources, and a list it has no
// entry for was not collected.
docker::FactState listState(const Inventory& inventory, std::string_view list);

struct RoleRef {
  std::string kind;  // "Role" | "ClusterRole"
  std::string name;
};

// The binding's roleRef; nullopt when it is missing or not {kind, name} strings.
std::optional<RoleRef> roleRefOf(const Object& binding);
// "ClusterRole/edit", or "Role/<binding namespace>/reader".
std::string roleLabel(const RoleRef& ref, std::string_view binding_ns);
// The live list a role of this kind comes from (kRolesList or kClusterRolesList).
std::string_view roleList(const RoleRef& ref);
// The Role in the binding's namespace or the ClusterRole its roleRef names; nullptr when the
// reference is unusable or the role is not in the inventory.
const Object* roleOf(const Inventory& inventory, const Object& binding);

// roleOf with the reason when there is no role to read.
struct RoleLookup {
  const Object* role = nullptr;
  std::string label;  // "ClusterRole/edit"; empty when the roleRef is unusable
  // role null: why, with NotEvaluatedCause::None when the binding provably grants nothing (a
  // live cluster whose role list was read has no such role).
  std::string problem;
  model::NotEvaluatedCause cause = model::NotEvaluatedCause::None;
};
RoleLookup lookUpRole(const Inventory& inventory, const Object& binding);

struct Subject {
  std::size_t index = 0;  // in subjects[]
  std::string kind;       // "User" | "Group" | "ServiceAccount" | whatever the object says
  std::string ns;         // ServiceAccount: its namespace (default: the binding's)
  std::string name;
  // "User:alice", "Group:system:authenticated", "ServiceAccount:prod/web".
  [[nodiscard]] std::string qualified() const;
};

// The subjects of a binding; elements that are not objects are left out (nullopt when
// `subjects` is present but not a list).
std::optional<std::vector<Subject>> subjectsOf(const Object& binding);

// A binding that names a service account, and how: the subject itself, or a group every
// service account (of the namespace) belongs to.
struct SubjectBinding {
  const Object* binding = nullptr;
  std::size_t subject = 0;  // index in the binding's subjects[]
  std::string via;          // "ServiceAccount", "Group system:serviceaccounts:prod", …
};

// RoleBindings and ClusterRoleBindings (in inventory order) naming the service account
// ns/name: as a ServiceAccount subject, as the User system:serviceaccount:<ns>:<name>, or
// through the groups system:serviceaccounts and system:serviceaccounts:<ns>.
std::vector<SubjectBinding> bindingsForServiceAccount(const Inventory& inventory,
                                                      std::string_view ns, std::string_view name);

struct ServiceAccountRef {
  std::string name;  // "default" when the pod spec names none
  std::string path;  // where the name was read, from the object root; empty: defaulted
  const Object* object = nullptr;  // the ServiceAccount, when in the inventory
};

// The service account a workload's pods run as: pod spec serviceAccountName, else the
// deprecated serviceAccount, else "default"; looked up in the workload's namespace.
ServiceAccountRef serviceAccountOf(const Inventory& inventory, const Object& workload);

// Why a role or binding is one of the cluster's own, which the RBAC checks do not judge; empty
// when it is not: a name "system:…", the label kubernetes.io/bootstrapping=rbac-defaults, a
// user-facing ClusterRole of Kubernetes' bootstrap policy (cluster-admin, admin, edit, view, which
// the API server reconciles), the ClusterRoleBinding cluster-admin, or a managed platform's
// prefix ("gce:", "eks:"). Names and labels are only a claim: whoever can write bindings can
// give one such a name, so BW-K8S-214 reports a person or an outside group bound through one.
std::string defaultRbacReason(const Object& object);
bool isDefaultRbac(const Object& object);

// What a rule must grant. Empty lists constrain nothing; `wildcard` keeps only rules with `*`
// among their verbs, resources or apiGroups.
struct RuleQuery {
  std::vector<std::string> verbs;
  std::vector<std::string> resources;  // "secrets", "pods/exec", "userextras/*"
  std::vector<std::string> api_groups;
  bool wildcard = false;
  // Only rules that grant everything a cluster-admin has in practice: every verb ("*", or all
  // of get, list, watch, create, update, patch and delete) on "*" resources of "*" API groups.
  bool everything = false;
};

// Whether a rule resource grants a wanted one, component by component: "*" grants everything,
// "pods/*" every subresource of pods, "*/scale" the scale subresource of anything; "pods" does
// not grant "pods/exec". A wanted "userextras/*" is granted by any userextras subresource.
bool resourceGrants(std::string_view rule_resource, std::string_view wanted);

// Whether one rule (an element of rules[]) grants any queried verb on any queried resource in
// any queried group. resourceNames are ignored: a rule limited to some names still grants the
// verb on them.
bool ruleMatches(const nlohmann::json& rule, const RuleQuery& query);

// The indices of the role's rules that match; nullopt when `rules` is present but not a list.
std::optional<std::vector<std::size_t>> matchingRules(const Object& role, const RuleQuery& query);

// A ClusterRole with an aggregationRule read from a manifest: the controller manager fills
// its rules in from other ClusterRoles at run time, so the file does not hold them. (In a live
// cluster the aggregated rules are already in the object.)
bool rulesAggregatedLater(const Object& role);

// `verbs=[get,list] resources=[secrets] apiGroups=[""]` (plus nonResourceURLs=[…] when set).
std::string describeRule(const nlohmann::json& rule);

}  // namespace bulwark::checks::k8s
