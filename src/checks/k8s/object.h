// Kubernetes API objects as checks see them: the object as read (a manifest document or an API
// list item, raw JSON) with where it came from, its kind, and — for workloads — where its pod
// spec is. docs/dev/k8s-design.md §1.2–§1.5.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/docker/snapshot.h"

namespace bulwark::checks::k8s {

enum class WorkloadKind {
  None,  // not a workload
  Pod,
  Deployment,
  ReplicaSet,
  StatefulSet,
  DaemonSet,
  Job,
  CronJob,
  ReplicationController,
  PodTemplate,
  Generic  // a kind bulwark does not know that carries spec.template.spec.containers
};

// How bulwark treats a kind (table 1.5 of the design).
enum class KindClass {
  Workload,     // has a pod spec
  Object,       // checked as an object (Service, Role, …)
  Namespace,    // a Namespace
  Uninspected,  // well known, nothing to check (ConfigMap, Secret, …): counted only
  Unknown       // not known and no pod template: BW-K8S-601
};

struct Origin {
  std::string file;          // manifest path as given ("-" for stdin); empty for API objects
  std::size_t document = 0;  // 0-based document index in the file
  std::string item;          // "items[3]" inside a List, "helm:chart/templates/x.yaml", or empty
  std::size_t line = 0;      // 1-based line of the document (or List item) start; 0: unknown
  std::size_t column = 0;
  std::string api_path;  // "/apis/apps/v1/deployments" for live objects
};

struct Object {
  std::string api_version;  // "apps/v1"
  std::string group;        // "apps" ("" for the core group)
  std::string version;      // "v1"
  std::string kind;         // "Deployment"
  std::string ns;           // empty for cluster-scoped kinds
  std::string name;
  // The manifest had no metadata.namespace and none was given (-n): `ns` is kubectl's default,
  // but where kubectl puts it depends on the context it is applied with.
  bool namespace_defaulted = false;
  nlohmann::json doc;  // the whole object as read; never changed
  Origin origin;
  docker::FactState state;  // Ok; Malformed with the detail when the object is unusable
  KindClass kind_class = KindClass::Unknown;
  WorkloadKind workload = WorkloadKind::None;
  // Workloads: where the pod spec and pod metadata are in `doc` ("spec.template.spec"; a Pod:
  // "spec" / "metadata"), and the pod spec with the API defaults that change a verdict
  // applied (a volume without a source is an emptyDir; with hostNetwork every hostPort
  // defaults to its containerPort). podSpec() is null (and the pod checks not evaluated)
  // when `doc` holds no object at the path. The view is a copy only when a default changed
  // something (`defaulted` not empty); otherwise it is the pod spec in `doc` itself (most
  // workloads: a copy of every pod spec was a quarter of the memory of 10,000 manifests).
  std::string pod_spec_path;
  std::string pod_meta_path;
  std::optional<nlohmann::json> defaulted_pod_spec;
  bool has_pod_spec = false;
  // Paths (as JsonPath::resolveNamed writes them, relative to the pod spec) whose values the
  // defaults above set: evidence marks them "(API default)".
  std::vector<std::string> defaulted;
  // Manifest lines of named parts, keyed by their path from the object root as
  // JsonPath::resolveNamed writes it: "spec.template.spec.containers[name=web]",
  // "spec.template.spec.volumes[name=data]". Empty for API objects.
  std::map<std::string, std::size_t, std::less<>> lines;

  // The pod metadata in `doc` (at pod_meta_path); null when it is not an object.
  [[nodiscard]] const nlohmann::json* podMeta() const;
  // The pod-spec view (an object), or null when the workload has none.
  [[nodiscard]] const nlohmann::json* podSpec() const;
  // "k8s:<namespace>/<Kind>/<name>"; cluster-scoped: "k8s:_cluster/<Kind>/<name>".
  [[nodiscard]] std::string resourceName() const;
  // The manifest line of the longest key of `lines` that prefixes `path`, else the object's.
  [[nodiscard]] std::size_t lineOf(std::string_view path) const;
  // " (file:line)" for manifest objects, "" for API objects.
  [[nodiscard]] std::string locationSuffix(std::string_view path) const;
};

// The kind's class, workload kind and pod paths, from the kind alone (Generic needs the
// document: a kind that is not known becomes Generic when spec.template.spec.containers is an
// array in `doc`).
void classify(Object& object);

// Whether objects of this kind live in a namespace (false for ClusterRole, Namespace, Node, …).
bool namespaced(std::string_view kind);

}  // namespace bulwark::checks::k8s
