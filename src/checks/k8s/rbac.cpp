// RBAC lookups (rbac.h). RBAC semantics follow the API server's authorizer: `*` in verbs,
// resources or apiGroups matches anything, "<resource>/*" and "*/<subresource>" match by
// component, and resourceNames narrow a grant without removing it.
#include "checks/k8s/rbac.h"

#include <algorithm>

#include <fmt/format.h>

#include "checks/docker/json_path.h"

namespace bulwark::checks::k8s {

namespace {

constexpr std::string_view kAll = "*";

std::string stringAt(const nlohmann::json& doc, std::string_view name) {
  if (!doc.is_object()) return {};
  const auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// The strings of a list member (other element types as docker::scalarText shows them).
std::vector<std::string> stringsAt(const nlohmann::json& doc, std::string_view name) {
  std::vector<std::string> out;
  if (!doc.is_object()) return out;
  const auto it = doc.find(name);
  if (it == doc.end() || !it->is_array()) return out;
  for (const auto& element : *it) {
    if (!element.is_null()) out.push_back(docker::scalarText(element));
  }
  return out;
}

bool contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Whether the rule's values meet the query's: no query values constrain nothing; `*` in the
// rule matches any; else one value in common (compared by `same`).
template <typename Same>
bool meets(const std::vector<std::string>& rule, const std::vector<std::string>& query, Same same) {
  if (query.empty()) return true;
  return std::any_of(rule.begin(), rule.end(), [&](const std::string& r) {
    return std::any_of(query.begin(), query.end(),
                       [&](const std::string& q) { return same(r, q); });
  });
}

std::pair<std::string_view, std::string_view> splitResource(std::string_view resource) {
  const std::size_t slash = resource.find('/');
  if (slash == std::string_view::npos) return {resource, {}};
  return {resource.substr(0, slash), resource.substr(slash + 1)};
}

bool componentMatches(std::string_view a, std::string_view b) {
  return a == b || a == kAll || b == kAll;
}

std::string listText(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += values[i].empty() ? std::string(R"("")") : values[i];
  }
  return out + "]";
}

// The member `name` of a JSON object when it is a string, else null (no copy).
const std::string* stringRef(const nlohmann::json& doc, std::string_view name) {
  const auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

}  // namespace

docker::FactState listState(const Inventory& inventory, std::string_view list) {
  if (inventory.sources.empty()) return {docker::FactStatus::Ok, {}, "manifests"};
  const auto it = inventory.sources.find(list);
  if (it == inventory.sources.end()) {
    return {docker::FactStatus::NotCollected, "not listed", std::string(list)};
  }
  return it->second.state;
}

std::optional<RoleRef> roleRefOf(const Object& binding) {
  const auto it = binding.doc.find("roleRef");
  if (it == binding.doc.end() || !it->is_object()) return std::nullopt;
  RoleRef ref{stringAt(*it, "kind"), stringAt(*it, "name")};
  if (ref.kind.empty() || ref.name.empty()) return std::nullopt;
  return ref;
}

std::string roleLabel(const RoleRef& ref, std::string_view binding_ns) {
  if (ref.kind == "ClusterRole") return fmt::format("ClusterRole/{}", ref.name);
  return fmt::format("{}/{}/{}", ref.kind, binding_ns, ref.name);
}

std::string_view roleList(const RoleRef& ref) {
  return ref.kind == "ClusterRole" ? kClusterRolesList : kRolesList;
}

const Object* roleOf(const Inventory& inventory, const Object& binding) {
  const auto ref = roleRefOf(binding);
  if (!ref) return nullptr;
  if (ref->kind == "ClusterRole") return inventory.find("ClusterRole", {}, ref->name);
  // A ClusterRoleBinding can only name a ClusterRole; a RoleBinding's Role is in its namespace.
  if (ref->kind != "Role" || binding.kind != "RoleBinding") return nullptr;
  return inventory.find("Role", binding.ns, ref->name);
}

RoleLookup lookUpRole(const Inventory& inventory, const Object& binding) {
  using model::NotEvaluatedCause;
  RoleLookup out;
  const auto ref = roleRefOf(binding);
  if (!ref) return {nullptr, {}, "roleRef is missing or incomplete", NotEvaluatedCause::Malformed};
  out.label = roleLabel(*ref, binding.ns);
  const bool usable = ref->kind == "ClusterRole" || (ref->kind == "Role" && !binding.ns.empty());
  if (!usable) {
    out.problem = fmt::format("{} cannot refer to {}", binding.kind, out.label);
    out.cause = NotEvaluatedCause::Malformed;
    return out;
  }
  out.role = roleOf(inventory, binding);
  if (out.role != nullptr) return out;
  const docker::FactState state = listState(inventory, roleList(*ref));
  if (!state.ok()) {
    out.problem =
        fmt::format("{} not read: {} {}", out.label, toString(state.status), state.detail);
    out.cause = docker::causeOf(state.status);
    if (out.cause == NotEvaluatedCause::None) out.cause = NotEvaluatedCause::MissingInput;
  } else if (inventory.sources.empty()) {
    out.problem = fmt::format("role {} not in the input", out.label);
    out.cause = NotEvaluatedCause::MissingInput;
  } else {
    out.problem = fmt::format("role {} does not exist: the binding grants nothing", out.label);
  }
  return out;
}

std::string Subject::qualified() const {
  if (kind == "ServiceAccount") return fmt::format("ServiceAccount:{}/{}", ns, name);
  return fmt::format("{}:{}", kind, name);
}

std::optional<std::vector<Subject>> subjectsOf(const Object& binding) {
  std::vector<Subject> out;
  const auto it = binding.doc.find("subjects");
  if (it == binding.doc.end() || it->is_null()) return out;
  if (!it->is_array()) return std::nullopt;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& element = (*it)[i];
    if (!element.is_object()) continue;
    Subject subject{i, stringAt(element, "kind"), {}, stringAt(element, "name")};
    if (subject.kind == "ServiceAccount") {
      subject.ns = stringAt(element, "namespace");
      if (subject.ns.empty()) subject.ns = binding.ns;
    }
    out.push_back(std::move(subject));
  }
  return out;
}

std::vector<SubjectBinding> bindingsForServiceAccount(const Inventory& inventory,
                                                      std::string_view ns, std::string_view name) {
  // Called once per workload: the names are built once and each subject is first rejected by
  // its name alone, without copying anything out of the JSON.
  const std::string user = fmt::format("system:serviceaccount:{}:{}", ns, name);
  const std::string all_accounts = "system:serviceaccounts";
  const std::string ns_accounts = fmt::format("system:serviceaccounts:{}", ns);
  std::vector<SubjectBinding> out;
  for (const std::string_view kind : {"ClusterRoleBinding", "RoleBinding"}) {
    for (const Object* binding : inventory.ofKind(kind)) {
      const auto subjects = binding->doc.find("subjects");
      if (subjects == binding->doc.end() || !subjects->is_array()) continue;
      for (std::size_t i = 0; i < subjects->size(); ++i) {
        const nlohmann::json& subject = (*subjects)[i];
        if (!subject.is_object()) continue;
        const std::string* subject_name = stringRef(subject, "name");
        if (subject_name == nullptr) continue;
        const bool as_account = *subject_name == name;
        const bool as_user = !as_account && *subject_name == user;
        const bool as_group = !as_account && !as_user &&
                              (*subject_name == all_accounts || *subject_name == ns_accounts);
        if (!as_account && !as_user && !as_group) continue;
        const std::string* subject_kind = stringRef(subject, "kind");
        if (subject_kind == nullptr) continue;
        if (as_account && *subject_kind == "ServiceAccount") {
          const std::string* subject_ns = stringRef(subject, "namespace");
          const std::string_view account_ns =
              subject_ns != nullptr && !subject_ns->empty() ? *subject_ns : binding->ns;
          if (account_ns == ns) out.push_back({binding, i, "ServiceAccount"});
        } else if (as_user && *subject_kind == "User") {
          out.push_back({binding, i, "User"});
        } else if (as_group && *subject_kind == "Group") {
          out.push_back({binding, i, "Group " + *subject_name});
        }
      }
    }
  }
  return out;
}

ServiceAccountRef serviceAccountOf(const Inventory& inventory, const Object& workload) {
  ServiceAccountRef ref{"default", {}, nullptr};
  if (const nlohmann::json* spec = workload.podSpec()) {
    for (const std::string_view field : {"serviceAccountName", "serviceAccount"}) {
      std::string name = stringAt(*spec, field);
      if (name.empty()) continue;
      ref.name = std::move(name);
      ref.path = fmt::format("{}.{}", workload.pod_spec_path, field);
      break;
    }
  }
  ref.object = inventory.find("ServiceAccount", workload.ns, ref.name);
  return ref;
}

namespace {

bool bootstrapLabelled(const Object& object) {
  const auto meta = object.doc.find("metadata");
  if (meta == object.doc.end() || !meta->is_object()) return false;
  const auto labels = meta->find("labels");
  return labels != meta->end() && labels->is_object() &&
         stringAt(*labels, "kubernetes.io/bootstrapping") == "rbac-defaults";
}

}  // namespace

std::string defaultRbacReason(const Object& object) {
  const bool binding = object.kind == "RoleBinding" || object.kind == "ClusterRoleBinding";
  if (!binding && object.kind != "Role" && object.kind != "ClusterRole") return {};
  if (object.name.starts_with("system:")) return "a system: name";
  if (bootstrapLabelled(object)) return "label kubernetes.io/bootstrapping=rbac-defaults";
  if (object.kind == "ClusterRole" && (object.name == "cluster-admin" || object.name == "admin" ||
                                       object.name == "edit" || object.name == "view")) {
    return "a ClusterRole of Kubernetes' bootstrap policy";
  }
  if (object.kind == "ClusterRoleBinding" && object.name == "cluster-admin") {
    return "the ClusterRoleBinding of Kubernetes' bootstrap policy";
  }
  // Managed platforms reserve a prefix for the roles and bindings they install and reconcile:
  // GKE "gce:" (gce:podsecuritypolicy:calico-sa), EKS "eks:" (eks:node-manager).
  for (const std::string_view prefix : {"gce:", "eks:"}) {
    if (object.name.starts_with(prefix)) {
      return fmt::format("a name with the {} prefix of a managed platform", prefix);
    }
  }
  return {};
}

bool isDefaultRbac(const Object& object) { return !defaultRbacReason(object).empty(); }

bool resourceGrants(std::string_view rule_resource, std::string_view wanted) {
  if (rule_resource == kAll) return true;
  const auto [rule_base, rule_sub] = splitResource(rule_resource);
  const auto [wanted_base, wanted_sub] = splitResource(wanted);
  // "pods" and "pods/exec" are different resources: the arity must agree.
  if (rule_sub.empty() != wanted_sub.empty()) return false;
  return componentMatches(rule_base, wanted_base) &&
         (rule_sub.empty() || componentMatches(rule_sub, wanted_sub));
}

bool ruleMatches(const nlohmann::json& rule, const RuleQuery& query) {
  if (!rule.is_object()) return false;
  const auto verbs = stringsAt(rule, "verbs");
  const auto resources = stringsAt(rule, "resources");
  const auto groups = stringsAt(rule, "apiGroups");
  if (query.wildcard && !contains(verbs, kAll) && !contains(resources, kAll) &&
      !contains(groups, kAll)) {
    return false;
  }
  if (query.everything) {
    static constexpr std::string_view kReadWrite[] = {"get",    "list",  "watch", "create",
                                                      "update", "patch", "delete"};
    const bool every_verb = contains(verbs, kAll) ||
                            std::all_of(std::begin(kReadWrite), std::end(kReadWrite),
                                        [&](std::string_view v) { return contains(verbs, v); });
    if (!every_verb || !contains(resources, kAll) || !contains(groups, kAll)) return false;
  }
  // A rule with no verbs grants nothing; one without resources grants no resource.
  if (verbs.empty()) return false;
  if (!query.resources.empty() && resources.empty()) return false;
  const auto same = [](const std::string& rule_value, const std::string& wanted) {
    return rule_value == kAll || rule_value == wanted;
  };
  return meets(verbs, query.verbs, same) && meets(groups, query.api_groups, same) &&
         meets(resources, query.resources,
               [](const std::string& r, const std::string& q) { return resourceGrants(r, q); });
}

std::optional<std::vector<std::size_t>> matchingRules(const Object& role, const RuleQuery& query) {
  std::vector<std::size_t> out;
  const auto it = role.doc.find("rules");
  if (it == role.doc.end() || it->is_null()) return out;
  if (!it->is_array()) return std::nullopt;
  for (std::size_t i = 0; i < it->size(); ++i) {
    if (ruleMatches((*it)[i], query)) out.push_back(i);
  }
  return out;
}

bool rulesAggregatedLater(const Object& role) {
  if (role.kind != "ClusterRole" || role.origin.file.empty()) return false;
  const auto it = role.doc.find("aggregationRule");
  return it != role.doc.end() && it->is_object();
}

std::string describeRule(const nlohmann::json& rule) {
  std::string out =
      fmt::format("verbs={} resources={} apiGroups={}", listText(stringsAt(rule, "verbs")),
                  listText(stringsAt(rule, "resources")), listText(stringsAt(rule, "apiGroups")));
  if (const auto urls = stringsAt(rule, "nonResourceURLs"); !urls.empty()) {
    out += fmt::format(" nonResourceURLs={}", listText(urls));
  }
  return out;
}

}  // namespace bulwark::checks::k8s
