// Kinds, pod-spec paths and the API defaults that change a verdict (docs/dev/k8s-design.md
// §1.3 step 5, §1.5).
#include "checks/k8s/object.h"

#include <algorithm>
#include <array>
#include <utility>

#include <fmt/format.h>

#include "checks/docker/json_path.h"

namespace bulwark::checks::k8s {

namespace {

struct WorkloadLayout {
  std::string_view kind;
  WorkloadKind workload;
  std::string_view spec;  // the pod spec's path
  std::string_view meta;  // the pod metadata's path
};

constexpr std::array kWorkloads = {
    WorkloadLayout{"Pod", WorkloadKind::Pod, "spec", "metadata"},
    WorkloadLayout{"Deployment", WorkloadKind::Deployment, "spec.template.spec",
                   "spec.template.metadata"},
    WorkloadLayout{"ReplicaSet", WorkloadKind::ReplicaSet, "spec.template.spec",
                   "spec.template.metadata"},
    WorkloadLayout{"StatefulSet", WorkloadKind::StatefulSet, "spec.template.spec",
                   "spec.template.metadata"},
    WorkloadLayout{"DaemonSet", WorkloadKind::DaemonSet, "spec.template.spec",
                   "spec.template.metadata"},
    WorkloadLayout{"Job", WorkloadKind::Job, "spec.template.spec", "spec.template.metadata"},
    WorkloadLayout{"CronJob", WorkloadKind::CronJob, "spec.jobTemplate.spec.template.spec",
                   "spec.jobTemplate.spec.template.metadata"},
    WorkloadLayout{"ReplicationController", WorkloadKind::ReplicationController,
                   "spec.template.spec", "spec.template.metadata"},
    WorkloadLayout{"PodTemplate", WorkloadKind::PodTemplate, "template.spec", "template.metadata"},
};

// Kinds checked as objects (their checks read fields or follow references).
constexpr std::array<std::string_view, 9> kObjects = {
    "ClusterRole", "ClusterRoleBinding", "Ingress", "NetworkPolicy", "Node",
    "Role",        "RoleBinding",        "Service", "ServiceAccount"};

// Well-known kinds with nothing to check: counted, no result.
constexpr std::array<std::string_view, 33> kUninspected = {
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "CiliumClusterwideNetworkPolicy",  // read by the workload isolation lookups (cilium.h)
    "CiliumNetworkPolicy",
    "ConfigMap",
    "ControllerRevision",
    "CustomResourceDefinition",
    "Endpoints",
    "EndpointSlice",
    "Event",
    "FlowSchema",
    "HorizontalPodAutoscaler",
    "IngressClass",
    "Lease",
    "LimitRange",
    "MutatingWebhookConfiguration",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "PodDisruptionBudget",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "ResourceQuota",
    "RuntimeClass",
    "Secret",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
};

constexpr std::array<std::string_view, 27> kClusterScoped = {
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "CiliumClusterwideNetworkPolicy",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "ClusterIssuer",
};

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& kinds, std::string_view kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

const nlohmann::json* at(const nlohmann::json& doc, std::string_view dotted) {
  const nlohmann::json* node = &doc;
  while (!dotted.empty()) {
    const std::size_t dot = dotted.find('.');
    const std::string_view name = dotted.substr(0, dot);
    if (!node->is_object()) return nullptr;
    const auto it = node->find(name);
    if (it == node->end() || it->is_null()) return nullptr;
    node = &*it;
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return node;
}

// A volume that names no source is an emptyDir (the API server's defaulting).
void defaultVolumes(nlohmann::json& spec, std::vector<std::string>& defaulted) {
  const auto volumes = spec.find("volumes");
  if (volumes == spec.end() || !volumes->is_array()) return;
  for (std::size_t i = 0; i < volumes->size(); ++i) {
    auto& volume = (*volumes)[i];
    if (!volume.is_object()) continue;
    const bool has_source = std::any_of(volume.items().begin(), volume.items().end(),
                                        [](const auto& item) { return item.key() != "name"; });
    if (has_source) continue;
    defaulted.push_back(docker::elementPath("volumes", volume, i) + ".emptyDir");
    volume["emptyDir"] = nlohmann::json::object();
  }
}

// With hostNetwork, every container port's hostPort defaults to its containerPort.
void defaultHostPorts(nlohmann::json& spec, std::vector<std::string>& defaulted) {
  const auto host_network = spec.find("hostNetwork");
  if (host_network == spec.end() || !host_network->is_boolean() || !host_network->get<bool>()) {
    return;
  }
  for (const std::string_view list : {"containers", "initContainers", "ephemeralContainers"}) {
    const auto containers = spec.find(list);
    if (containers == spec.end() || !containers->is_array()) continue;
    for (std::size_t c = 0; c < containers->size(); ++c) {
      auto& container = (*containers)[c];
      if (!container.is_object()) continue;
      const auto ports = container.find("ports");
      if (ports == container.end() || !ports->is_array()) continue;
      const std::string base = docker::elementPath(list, container, c) + ".ports";
      for (std::size_t p = 0; p < ports->size(); ++p) {
        auto& port = (*ports)[p];
        if (!port.is_object() || port.contains("hostPort")) continue;
        const auto container_port = port.find("containerPort");
        if (container_port == port.end() || !container_port->is_number_integer()) continue;
        defaulted.push_back(docker::elementPath(base, port, p) + ".hostPort");
        port["hostPort"] = *container_port;
      }
    }
  }
}

}  // namespace

bool namespaced(std::string_view kind) { return !listed(kClusterScoped, kind); }

void classify(Object& object) {
  object.workload = WorkloadKind::None;
  object.pod_spec_path.clear();
  object.pod_meta_path.clear();
  object.defaulted_pod_spec.reset();
  object.has_pod_spec = false;
  object.defaulted.clear();
  const auto* layout = std::find_if(kWorkloads.begin(), kWorkloads.end(),
                                    [&](const auto& w) { return w.kind == object.kind; });
  if (layout != kWorkloads.end()) {
    object.kind_class = KindClass::Workload;
    object.workload = layout->workload;
    object.pod_spec_path = std::string(layout->spec);
    object.pod_meta_path = std::string(layout->meta);
  } else if (object.kind == "Namespace") {
    object.kind_class = KindClass::Namespace;
  } else if (listed(kObjects, object.kind)) {
    object.kind_class = KindClass::Object;
  } else if (listed(kUninspected, object.kind)) {
    object.kind_class = KindClass::Uninspected;
  } else if (const nlohmann::json* containers = at(object.doc, "spec.template.spec.containers");
             containers != nullptr && containers->is_array()) {
    // An OpenShift DeploymentConfig, an Argo Rollout, …: a pod template where controllers
    // keep it.
    object.kind_class = KindClass::Workload;
    object.workload = WorkloadKind::Generic;
    object.pod_spec_path = "spec.template.spec";
    object.pod_meta_path = "spec.template.metadata";
  } else {
    object.kind_class = KindClass::Unknown;
  }
  if (object.kind_class != KindClass::Workload) return;
  if (const nlohmann::json* spec = at(object.doc, object.pod_spec_path);
      spec != nullptr && spec->is_object()) {
    nlohmann::json view = *spec;
    defaultVolumes(view, object.defaulted);
    defaultHostPorts(view, object.defaulted);
    if (!object.defaulted.empty()) object.defaulted_pod_spec = std::move(view);
    object.has_pod_spec = true;
  }
}

const nlohmann::json* Object::podSpec() const {
  if (!has_pod_spec) return nullptr;
  if (defaulted_pod_spec) return &*defaulted_pod_spec;
  const nlohmann::json* spec = at(doc, pod_spec_path);
  return spec != nullptr && spec->is_object() ? spec : nullptr;
}

const nlohmann::json* Object::podMeta() const {
  if (pod_meta_path.empty()) return nullptr;
  const nlohmann::json* meta = at(doc, pod_meta_path);
  return meta != nullptr && meta->is_object() ? meta : nullptr;
}

std::string Object::resourceName() const {
  return fmt::format("k8s:{}/{}/{}", ns.empty() ? "_cluster" : ns, kind, name);
}

std::size_t Object::lineOf(std::string_view path) const {
  std::size_t best = origin.line;
  std::size_t best_length = 0;
  for (const auto& [key, line] : lines) {
    if (key.size() <= best_length || path.substr(0, key.size()) != key) continue;
    // A whole step: "containers[name=web]" must not claim "containers[name=web2]".
    if (path.size() > key.size() && path[key.size()] != '.' && path[key.size()] != '[') continue;
    best = line;
    best_length = key.size();
  }
  return best;
}

std::string Object::locationSuffix(std::string_view path) const {
  if (origin.file.empty()) return {};
  const std::size_t line = lineOf(path);
  return line == 0 ? fmt::format(" ({})", origin.file) : fmt::format(" ({}:{})", origin.file, line);
}

}  // namespace bulwark::checks::k8s
