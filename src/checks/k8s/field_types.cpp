#include "checks/k8s/field_types.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "checks/docker/json_path.h"
#include "checks/probes/common.h"

namespace bulwark::checks::k8s {

namespace {

using Json = nlohmann::json;

enum class Type { Int32, Int64, Bool, String, IntOrString };

// Where a field is: from the object root, under the pod spec or under the pod metadata.
enum class Base { Root, PodSpec, PodMeta };

struct Field {
  Base base;
  std::string_view path;  // docker::JsonPath syntax
  Type type;
};

// Every object: its own metadata. (Secret data is not read: its values are never shown.)
constexpr Field kObjectFields[] = {
    {Base::Root, "metadata.name", Type::String},
    {Base::Root, "metadata.namespace", Type::String},
    {Base::Root, "metadata.labels{*}", Type::String},
    {Base::Root, "metadata.annotations{*}", Type::String},
};

// Pods and pod templates (k8s.io/api core/v1 PodSpec, Container, SecurityContext).
constexpr Field kPodFields[] = {
    {Base::PodMeta, "labels{*}", Type::String},
    {Base::PodMeta, "annotations{*}", Type::String},
    {Base::PodSpec, "hostNetwork", Type::Bool},
    {Base::PodSpec, "hostPID", Type::Bool},
    {Base::PodSpec, "hostIPC", Type::Bool},
    {Base::PodSpec, "hostUsers", Type::Bool},
    {Base::PodSpec, "shareProcessNamespace", Type::Bool},
    {Base::PodSpec, "automountServiceAccountToken", Type::Bool},
    {Base::PodSpec, "serviceAccountName", Type::String},
    {Base::PodSpec, "serviceAccount", Type::String},
    {Base::PodSpec, "os.name", Type::String},
    {Base::PodSpec, "securityContext.runAsNonRoot", Type::Bool},
    {Base::PodSpec, "securityContext.runAsUser", Type::Int64},
    {Base::PodSpec, "securityContext.runAsGroup", Type::Int64},
    {Base::PodSpec, "securityContext.fsGroup", Type::Int64},
    {Base::PodSpec, "securityContext.seccompProfile.type", Type::String},
    {Base::PodSpec, "securityContext.appArmorProfile.type", Type::String},
    {Base::PodSpec, "securityContext.seLinuxOptions.type", Type::String},
    {Base::PodSpec, "securityContext.sysctls[*].name", Type::String},
    {Base::PodSpec, "securityContext.sysctls[*].value", Type::String},
    {Base::PodSpec, "securityContext.windowsOptions.hostProcess", Type::Bool},
    {Base::PodSpec, "volumes[*].name", Type::String},
    {Base::PodSpec, "volumes[*].hostPath.path", Type::String},
};

// The same fields under each container list.
constexpr std::string_view kContainerLists[] = {"containers", "initContainers",
                                                "ephemeralContainers"};
constexpr Field kContainerFields[] = {
    {Base::PodSpec, "name", Type::String},
    {Base::PodSpec, "image", Type::String},
    {Base::PodSpec, "restartPolicy", Type::String},
    {Base::PodSpec, "ports[*].containerPort", Type::Int32},
    {Base::PodSpec, "ports[*].hostPort", Type::Int32},
    {Base::PodSpec, "ports[*].name", Type::String},
    {Base::PodSpec, "ports[*].protocol", Type::String},
    {Base::PodSpec, "securityContext.privileged", Type::Bool},
    {Base::PodSpec, "securityContext.allowPrivilegeEscalation", Type::Bool},
    {Base::PodSpec, "securityContext.readOnlyRootFilesystem", Type::Bool},
    {Base::PodSpec, "securityContext.runAsNonRoot", Type::Bool},
    {Base::PodSpec, "securityContext.runAsUser", Type::Int64},
    {Base::PodSpec, "securityContext.runAsGroup", Type::Int64},
    {Base::PodSpec, "securityContext.procMount", Type::String},
    {Base::PodSpec, "securityContext.capabilities.add[*]", Type::String},
    {Base::PodSpec, "securityContext.capabilities.drop[*]", Type::String},
    {Base::PodSpec, "securityContext.seccompProfile.type", Type::String},
    {Base::PodSpec, "securityContext.appArmorProfile.type", Type::String},
    {Base::PodSpec, "securityContext.windowsOptions.hostProcess", Type::Bool},
    {Base::PodSpec, "volumeMounts[*].name", Type::String},
    {Base::PodSpec, "volumeMounts[*].mountPath", Type::String},
    {Base::PodSpec, "volumeMounts[*].readOnly", Type::Bool},
};

constexpr Field kServiceFields[] = {
    {Base::Root, "spec.type", Type::String},
    {Base::Root, "spec.selector{*}", Type::String},
    {Base::Root, "spec.ports[*].port", Type::Int32},
    {Base::Root, "spec.ports[*].nodePort", Type::Int32},
    {Base::Root, "spec.ports[*].targetPort", Type::IntOrString},
    {Base::Root, "spec.ports[*].protocol", Type::String},
    {Base::Root, "spec.ports[*].name", Type::String},
};

constexpr Field kReplicatedFields[] = {
    {Base::Root, "spec.replicas", Type::Int32},
};

constexpr Field kRoleFields[] = {
    {Base::Root, "rules[*].apiGroups[*]", Type::String},
    {Base::Root, "rules[*].resources[*]", Type::String},
    {Base::Root, "rules[*].verbs[*]", Type::String},
    {Base::Root, "rules[*].resourceNames[*]", Type::String},
    {Base::Root, "rules[*].nonResourceURLs[*]", Type::String},
};

constexpr Field kBindingFields[] = {
    {Base::Root, "roleRef.apiGroup", Type::String},
    {Base::Root, "roleRef.kind", Type::String},
    {Base::Root, "roleRef.name", Type::String},
    {Base::Root, "subjects[*].kind", Type::String},
    {Base::Root, "subjects[*].name", Type::String},
    {Base::Root, "subjects[*].namespace", Type::String},
};

constexpr Field kNetworkPolicyFields[] = {
    {Base::Root, "spec.podSelector.matchLabels{*}", Type::String},
    {Base::Root, "spec.ingress[*].ports[*].port", Type::IntOrString},
    {Base::Root, "spec.ingress[*].ports[*].endPort", Type::Int32},
    {Base::Root, "spec.egress[*].ports[*].port", Type::IntOrString},
    {Base::Root, "spec.egress[*].ports[*].endPort", Type::Int32},
};

constexpr Field kIngressFields[] = {
    {Base::Root, "spec.rules[*].host", Type::String},
    {Base::Root, "spec.tls[*].hosts[*]", Type::String},
    {Base::Root, "spec.tls[*].secretName", Type::String},
};

// A JSON number the Go decoder takes as an integer of `bits` bits.
bool integer(const Json& value, int bits) {
  const double low = -std::ldexp(1.0, bits - 1);
  const double high = std::ldexp(1.0, bits - 1);  // exclusive
  if (value.is_number_integer()) {
    if (value.is_number_unsigned()) return static_cast<double>(value.get<std::uint64_t>()) < high;
    const auto n = static_cast<double>(value.get<std::int64_t>());
    return n >= low && n < high;
  }
  if (!value.is_number_float()) return false;
  const double n = value.get<double>();
  return std::isfinite(n) && std::floor(n) == n && n >= low && n < high;
}

bool matches(const Json& value, Type type) {
  switch (type) {
    case Type::Int32: return integer(value, 32);
    case Type::Int64: return integer(value, 64);
    case Type::Bool: return value.is_boolean();
    case Type::String: return value.is_string();
    case Type::IntOrString: return value.is_string() || integer(value, 32);
  }
  return true;
}

std::string_view wanted(Type type) {
  switch (type) {
    case Type::Int32: return "a 32-bit integer";
    case Type::Int64: return "an integer";
    case Type::Bool: return "true or false";
    case Type::String: return "a string";
    case Type::IntOrString: return "a 32-bit integer or a name";
  }
  return "";
}

std::string observed(const Json& value) {
  const auto scalar = [&](std::string_view what) {
    return fmt::format("{} ({})", what, probes::shorten(docker::scalarText(value), 40));
  };
  if (value.is_string()) return scalar("a string");
  if (value.is_boolean()) return scalar("a boolean");
  if (value.is_number()) return scalar("a number");
  if (value.is_array()) return "a list";
  return "a map";
}

// The compiled paths of one table, in its order (compiled once: the tables are constant).
struct Compiled {
  Base base;
  docker::JsonPath path;
  Type type;
};

std::vector<Compiled> compile(std::span<const Field> fields, std::string_view prefix = {}) {
  std::vector<Compiled> out;
  for (const Field& field : fields) {
    const std::string text =
        prefix.empty() ? std::string(field.path) : fmt::format("{}[*].{}", prefix, field.path);
    auto path = docker::JsonPath::compile(text);
    if (path) out.push_back({field.base, std::move(*path), field.type});
  }
  return out;
}

struct Tables {
  std::vector<Compiled> object, pod, service, replicated, role, binding, network_policy, ingress;
};

const Tables& tables() {
  static const Tables kTables = [] {
    Tables t;
    t.object = compile(kObjectFields);
    t.pod = compile(kPodFields);
    for (const auto list : kContainerLists) {
      for (auto& c : compile(kContainerFields, list)) t.pod.push_back(std::move(c));
    }
    t.service = compile(kServiceFields);
    t.replicated = compile(kReplicatedFields);
    t.role = compile(kRoleFields);
    t.binding = compile(kBindingFields);
    t.network_policy = compile(kNetworkPolicyFields);
    t.ingress = compile(kIngressFields);
    return t;
  }();
  return kTables;
}

// The tables that apply to `object` besides the metadata every object has: at most two.
std::array<const std::vector<Compiled>*, 2> tablesFor(const Object& object) {
  const Tables& t = tables();
  const std::string_view kind = object.kind;
  const std::string_view group = object.group;
  const bool pod = object.kind_class == KindClass::Workload && object.has_pod_spec;
  const bool replicated = object.workload == WorkloadKind::Deployment ||
                          object.workload == WorkloadKind::StatefulSet ||
                          object.workload == WorkloadKind::ReplicaSet ||
                          object.workload == WorkloadKind::ReplicationController;
  const std::vector<Compiled>* other = nullptr;
  if (replicated) {
    other = &t.replicated;
  } else if (group.empty() && kind == "Service") {
    other = &t.service;
  } else if (group == "rbac.authorization.k8s.io") {
    if (kind == "Role" || kind == "ClusterRole") other = &t.role;
    if (kind == "RoleBinding" || kind == "ClusterRoleBinding") other = &t.binding;
  } else if (group == "networking.k8s.io") {
    if (kind == "NetworkPolicy") other = &t.network_policy;
    if (kind == "Ingress") other = &t.ingress;
  }
  return {pod ? &t.pod : nullptr, other};
}

// The first value `steps` (from step `i`) reach in `node` that does not decode as `type`, in
// document order, as JsonPath::resolveNamed visits them (null skipped); null when none. No
// path text is built: this runs for every field of every object.
const Json* firstMismatch(const Json& node, const std::vector<docker::JsonPath::Step>& steps,
                          std::size_t i, Type type) {
  using Kind = docker::JsonPath::Step::Kind;
  if (node.is_null()) return nullptr;
  if (i == steps.size()) return matches(node, type) ? nullptr : &node;
  const auto& step = steps[i];
  switch (step.kind) {
    case Kind::Member: {
      if (!node.is_object()) return nullptr;
      const auto it = node.find(step.name);
      return it == node.end() ? nullptr : firstMismatch(*it, steps, i + 1, type);
    }
    case Kind::Index:
      if (!node.is_array() || step.index >= node.size()) return nullptr;
      return firstMismatch(node[step.index], steps, i + 1, type);
    case Kind::Each:
      if (!node.is_array()) return nullptr;
      for (const Json& element : node) {
        if (const Json* bad = firstMismatch(element, steps, i + 1, type)) return bad;
      }
      return nullptr;
    case Kind::Values:
      if (!node.is_object()) return nullptr;
      for (const auto& [key, value] : node.items()) {
        if (const Json* bad = firstMismatch(value, steps, i + 1, type)) return bad;
      }
      return nullptr;
    case Kind::Keys: return nullptr;  // keys are strings
  }
  return nullptr;
}

// The document a field's path starts at, and that document's path from the object root.
const Json* base(const Object& object, Base which, std::string& prefix) {
  switch (which) {
    case Base::Root: prefix.clear(); return &object.doc;
    // The pod-spec view differs from what was written only by API defaults, which copy
    // decoded values (a hostPort from its containerPort, checked first).
    case Base::PodSpec: prefix = object.pod_spec_path; return object.podSpec();
    case Base::PodMeta: prefix = object.pod_meta_path; return object.podMeta();
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> fieldTypeProblem(const Object& object) {
  std::string prefix;
  const auto [pod, other] = tablesFor(object);
  for (const auto* fields : {&tables().object, pod, other}) {
    if (fields == nullptr) continue;
    for (const Compiled& field : *fields) {
      const Json* doc = base(object, field.base, prefix);
      if (doc == nullptr) continue;
      const Json* bad = firstMismatch(*doc, field.path.steps(), 0, field.type);
      if (bad == nullptr) continue;
      // Rare: only now is the value's path written out.
      std::string where = field.path.text();
      for (const auto& named : field.path.resolveNamed(*doc, prefix)) {
        if (named.value == bad) where = named.path;
      }
      return fmt::format("{} is {}, not {}: the API server cannot decode it", where, observed(*bad),
                         wanted(field.type));
    }
  }
  return std::nullopt;
}

}  // namespace bulwark::checks::k8s
