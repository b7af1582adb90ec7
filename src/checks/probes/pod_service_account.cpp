// pod-service-account: the service account a workload's pods run as (k8s/rbac.h
// serviceAccountOf), and through the inventory what it brings:
//   name       the account's name ("default" when the pod spec names none);
//   automount  whether its token is mounted: the pod's automountServiceAccountToken if set,
//              else the ServiceAccount's, else the API default true (with a note saying so);
//   bound-role each role a binding grants the account (as a subject, or through the groups
//              system:serviceaccounts[:<ns>]): "ClusterRole/cluster-admin", "Role/prod/x";
//              with `wildcard: true` only roles with a rule holding `*`, one per such rule.
// A bindings or ServiceAccount list a live run could not read makes the answer not evaluated:
// "no binding" must come from a complete list.
#include <fmt/format.h>

#include "checks/k8s/inventory.h"
#include "checks/k8s/rbac.h"
#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kFields[] = {"name", "automount", "bound-role"};

constexpr ParamSpec kParams[] = {
    {"field", ParamType::String, true,
     "name: the service account; automount: whether its token is mounted; bound-role: roles "
     "bindings grant it",
     kFields},
    {"wildcard", ParamType::Boolean, false,
     "bound-role only: keep roles with a rule holding * (one observation per such rule)"},
};

std::string objectLabel(const k8s::Object& object) {
  return object.ns.empty() ? fmt::format("{}/{}", object.kind, object.name)
                           : fmt::format("{}/{}/{}", object.kind, object.ns, object.name);
}

Observation boolObservation(const nlohmann::json& value, std::string where) {
  Observation o;
  o.where = std::move(where);
  if (value.is_boolean()) {
    o.values = {value.get<bool>() ? "true" : "false"};
    o.display = o.values.front();
  } else {
    o.unknown = true;
    o.display = docker::scalarText(value);
    o.note = "automountServiceAccountToken is not a boolean";
  }
  return o;
}

ProbeResult observeName(const k8s::Object& workload, const k8s::ServiceAccountRef& account) {
  ProbeResult result;
  Observation o;
  o.values = {account.name};
  o.display = account.name;
  const std::string path = account.path.empty()
                               ? probes::joinPath(workload.pod_spec_path, "serviceAccountName")
                               : account.path;
  if (account.path.empty()) o.display += probes::kApiDefault;
  o.where = path + workload.locationSuffix(path);
  result.observations.push_back(std::move(o));
  return result;
}

ProbeResult observeAutomount(const k8s::Object& workload, const k8s::ServiceAccountRef& account,
                             const k8s::Inventory& inventory) {
  ProbeResult result;
  constexpr std::string_view kField = "automountServiceAccountToken";
  const nlohmann::json& spec = *workload.podSpec();  // podObject() checked it
  if (const auto pod = spec.find(kField); pod != spec.end() && !pod->is_null()) {
    const std::string path = probes::joinPath(workload.pod_spec_path, kField);
    result.observations.push_back(boolObservation(*pod, path + workload.locationSuffix(path)));
    return result;
  }
  const std::string label = fmt::format("ServiceAccount/{}/{}", workload.ns, account.name);
  if (account.object != nullptr) {
    const k8s::Object& sa = *account.object;
    if (!sa.state.ok()) return probes::notEvaluatedFor(label, sa.state);
    if (const auto field = sa.doc.find(kField); field != sa.doc.end() && !field->is_null()) {
      result.observations.push_back(boolObservation(
          *field, fmt::format("{} {}{}", label, kField, sa.locationSuffix(kField))));
      return result;
    }
    Observation o{{"true"},
                  false,
                  false,
                  "true",
                  label + sa.locationSuffix({}),
                  "API default; neither the pod nor the ServiceAccount sets it"};
    result.observations.push_back(std::move(o));
    return result;
  }
  const docker::FactState list = k8s::listState(inventory, k8s::kServiceAccountsList);
  if (!list.ok()) return probes::notEvaluatedFor(k8s::kServiceAccountsList, list);
  Observation o{{"true"}, false, false,
                "true",   label, "API default; ServiceAccount not in the input"};
  result.observations.push_back(std::move(o));
  return result;
}

// Observations of the wildcard rules of the role a binding grants (or an unknown one when the
// role cannot be read).
void addWildcardRules(const k8s::Inventory& inventory, const k8s::Object& binding,
                      const std::string& where, std::vector<Observation>& out) {
  const k8s::RoleLookup found = k8s::lookUpRole(inventory, binding);
  const auto unknown = [&](std::string note) {
    Observation o;
    o.unknown = true;
    o.display = found.label;
    o.note = std::move(note);
    o.where = where;
    out.push_back(std::move(o));
  };
  if (found.role == nullptr) {
    if (found.cause != model::NotEvaluatedCause::None) unknown(found.problem);
    return;
  }
  if (!found.role->state.ok()) return unknown(probes::stateText(found.label, found.role->state));
  const auto matching = k8s::matchingRules(*found.role, k8s::RuleQuery{{}, {}, {}, true});
  if (!matching) return unknown(fmt::format("{} rules is not a list", found.label));
  for (const std::size_t index : *matching) {
    Observation o;
    o.values = {found.label};
    o.display = fmt::format("{} rules[{}]: {}", found.label, index,
                            k8s::describeRule(found.role->doc.at("rules").at(index)));
    o.where = where;
    out.push_back(std::move(o));
  }
  if (k8s::rulesAggregatedLater(*found.role)) {
    unknown("rules are aggregated at run time; check the live cluster");
  }
}

ProbeResult observeBoundRoles(const k8s::Object& workload, const k8s::ServiceAccountRef& account,
                              const k8s::Inventory& inventory, bool wildcard) {
  for (const std::string_view list : {k8s::kRoleBindingsList, k8s::kClusterRoleBindingsList}) {
    const docker::FactState state = k8s::listState(inventory, list);
    if (!state.ok()) return probes::notEvaluatedFor(list, state);
  }
  ProbeResult result;
  result.looked_at = fmt::format("bindings naming ServiceAccount/{}/{}", workload.ns, account.name);
  for (const auto& bound : k8s::bindingsForServiceAccount(inventory, workload.ns, account.name)) {
    const k8s::Object& binding = *bound.binding;
    const std::string subject = fmt::format("subjects[{}]", bound.subject);
    std::string where =
        fmt::format("{} {}{}", objectLabel(binding), subject, binding.locationSuffix(subject));
    if (bound.via != "ServiceAccount") where += fmt::format(" through {}", bound.via);
    if (k8s::isDefaultRbac(binding)) where += " (default binding)";
    if (wildcard) {
      addWildcardRules(inventory, binding, where, result.observations);
      continue;
    }
    Observation o;
    if (const auto ref = k8s::roleRefOf(binding)) {
      o.values = {k8s::roleLabel(*ref, binding.ns)};
      o.display = o.values.front();
    } else {
      o.unknown = true;
      o.note = "roleRef is missing or incomplete";
    }
    o.where = std::move(where);
    result.observations.push_back(std::move(o));
  }
  return result;
}

ProbeResult evaluatePodServiceAccount(const Params& params, const Resource& resource) {
  auto found = probes::podObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  if (resource.inventory == nullptr) return probes::noInput("Kubernetes inventory");
  const k8s::Object& workload = *std::get<const k8s::Object*>(found);
  const k8s::Inventory& inventory = *resource.inventory;
  const k8s::ServiceAccountRef account = k8s::serviceAccountOf(inventory, workload);
  const std::string_view field = params.string("field");
  if (field == "name") return observeName(workload, account);
  if (field == "automount") return observeAutomount(workload, account, inventory);
  return observeBoundRoles(workload, account, inventory, params.flag("wildcard"));
}

}  // namespace

const ProbeKind& podServiceAccountProbe() {
  static const ProbeKind kKind{"pod-service-account",
                               "a workload's service account: name, token automount, bound roles",
                               kParams, &evaluatePodServiceAccount, false};
  return kKind;
}

}  // namespace bulwark::checks
