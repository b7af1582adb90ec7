// rbac-rule: the rules of a Role or ClusterRole — for a RoleBinding or ClusterRoleBinding, of
// the role its roleRef names, found through the inventory — that grant any listed verb on any
// listed resource (k8s/rbac.h has the matching). One observation per matching rule, valued
// `verbs=[get,list] resources=[secrets] apiGroups=[""]`, where `rules[2]` (on a role) or
// `ClusterRole/edit rules[2]` (through a binding) with the role's manifest line. A binding
// whose role is not in the input is not evaluated: an absent role must never read as a pass.
// With `cluster_scoped` the resources asked about exist outside namespaces (nodes/proxy,
// persistentvolumes, webhook configurations): a Role or a RoleBinding grants only inside its
// namespace, so it grants none of them and nothing is observed.
#include <algorithm>

#include <fmt/format.h>

#include "checks/k8s/inventory.h"
#include "checks/k8s/rbac.h"
#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr ParamSpec kParams[] = {
    {"verbs", ParamType::StringList, false, "verbs a rule must grant one of (default: any)"},
    {"resources", ParamType::StringList, false,
     "resources a rule must grant one of: secrets, pods/exec, userextras/* (default: any)"},
    {"api_groups", ParamType::StringList, false,
     "API groups a rule must cover one of; \"\" is the core group (default: any)"},
    {"wildcard", ParamType::Boolean, false,
     "true: only rules with * among their verbs, resources or apiGroups"},
    {"everything", ParamType::Boolean, false,
     "true: only rules granting every verb (or all seven read and write verbs) on * resources of "
     "* API groups — cluster-admin under another name"},
    {"cluster_scoped", ParamType::Boolean, false,
     "true: the resources are cluster-scoped, which a Role or RoleBinding never grants"},
    {"absent_role_grants_nothing", ParamType::Boolean, false,
     "true: a binding whose role is not in the input reads as granting nothing (for a gate that "
     "must not claim what it cannot see; default: not evaluated)"},
};

bool isRole(const k8s::Object& object) {
  return object.kind == "Role" || object.kind == "ClusterRole";
}

bool isBinding(const k8s::Object& object) {
  return object.kind == "RoleBinding" || object.kind == "ClusterRoleBinding";
}

// The role the probe reads, and how its rules are named ("" or "ClusterRole/edit "), or the
// result to return.
struct RoleToRead {
  const k8s::Object* role = nullptr;
  std::string prefix;
};
using RoleOrResult = std::variant<RoleToRead, ProbeResult>;

RoleOrResult roleToRead(const k8s::Object& object, const Resource& resource,
                        bool absent_grants_nothing) {
  if (isRole(object)) return RoleToRead{&object, {}};
  if (resource.inventory == nullptr) return probes::noInput("Kubernetes inventory");
  const k8s::RoleLookup found = k8s::lookUpRole(*resource.inventory, object);
  if (found.role == nullptr) {
    if (found.cause != model::NotEvaluatedCause::None && !absent_grants_nothing) {
      return ProbeResult::notEvaluated(found.problem, found.cause);
    }
    ProbeResult nothing;  // a live cluster without the role: the binding grants nothing
    nothing.looked_at = found.problem + object.locationSuffix("roleRef");
    return nothing;
  }
  if (!found.role->state.ok()) {
    return probes::notEvaluatedFor(found.label, found.role->state);
  }
  return RoleToRead{found.role, found.label + " "};
}

Observation ruleObservation(const k8s::Object& role, std::string_view prefix, std::size_t index) {
  const nlohmann::json& rule = role.doc.at("rules").at(index);
  const std::string path = fmt::format("rules[{}]", index);
  Observation o;
  if (!rule.is_object()) {
    o.unknown = true;
    o.note = fmt::format("{} is not an object", path);
  } else {
    o.values = {k8s::describeRule(rule)};
    o.display = o.values.front();
    if (const auto names = rule.find("resourceNames");
        names != rule.end() && names->is_array() && !names->empty()) {
      o.note = fmt::format("limited to resourceNames {}", names->dump());
    }
  }
  o.where = fmt::format("{}{}{}", prefix, path, role.locationSuffix(path));
  return o;
}

ProbeResult evaluateRbacRule(const Params& params, const Resource& resource) {
  auto found = probes::k8sObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& object = *std::get<const k8s::Object*>(found);
  if (!isRole(object) && !isBinding(object)) {
    return ProbeResult::notApplicable(fmt::format("{} is not a role or binding", object.kind));
  }
  if (params.flag("cluster_scoped") && (object.kind == "Role" || object.kind == "RoleBinding")) {
    ProbeResult nothing;
    nothing.looked_at = fmt::format(
        "{} {}: grants only inside namespace {}, and these resources are cluster-scoped",
        object.kind, object.name, object.ns);
    return nothing;
  }
  auto target = roleToRead(object, resource, params.flag("absent_role_grants_nothing"));
  if (auto* done = std::get_if<ProbeResult>(&target)) return std::move(*done);
  const auto& [role, prefix] = std::get<RoleToRead>(target);
  const k8s::RuleQuery query{params.list("verbs"), params.list("resources"),
                             params.list("api_groups"), params.flag("wildcard"),
                             params.flag("everything")};
  const auto matching = k8s::matchingRules(*role, query);
  if (!matching) {
    return ProbeResult::notEvaluated(fmt::format("{}rules is not a list", prefix),
                                     model::NotEvaluatedCause::Malformed);
  }
  ProbeResult result;
  result.looked_at = fmt::format("{}rules{}", prefix, role->locationSuffix("rules"));
  // Elements that are not objects cannot be judged: an unknown observation, never skipped.
  const auto& rules = role->doc.find("rules");
  if (rules != role->doc.end() && rules->is_array()) {
    for (std::size_t i = 0; i < rules->size(); ++i) {
      const bool matches = std::find(matching->begin(), matching->end(), i) != matching->end();
      if (matches || !(*rules)[i].is_object()) {
        result.observations.push_back(ruleObservation(*role, prefix, i));
      }
    }
  }
  if (k8s::rulesAggregatedLater(*role)) {
    Observation o;
    o.unknown = true;
    o.display = "aggregationRule";
    o.note = "rules are aggregated at run time; check the live cluster";
    o.where = fmt::format("{}aggregationRule{}", prefix, role->locationSuffix("aggregationRule"));
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& rbacRuleProbe() {
  static const ProbeKind kKind{"rbac-rule",
                               "rules of a role (or a binding's role) granting given verbs on "
                               "given resources",
                               kParams, &evaluateRbacRule, false};
  return kKind;
}

}  // namespace bulwark::checks
