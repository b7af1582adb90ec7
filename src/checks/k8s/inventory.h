// Every Kubernetes object one run looks at — from manifests or a live cluster — with the
// problems met while reading them, and indexes built once after loading.
// docs/dev/k8s-design.md §1.2.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checks/k8s/image_scans.h"
#include "checks/k8s/object.h"
#include "checks/k8s/version.h"
#include "core/diagnostic.h"
#include "model/check.h"

namespace bulwark::checks::k8s {

// Something in the input that could not be read as an object: reported by the input checks
// (BW-K8S-602 a document, BW-K8S-603 a file) as not-evaluated results.
struct InputProblem {
  std::string check_id;  // "BW-K8S-602" | "BW-K8S-603"
  std::string resource;  // "file:deploy/web.yaml#3" | "file:deploy/web.yaml"
  model::NotEvaluatedCause cause = model::NotEvaluatedCause::Malformed;
  std::string reason;  // "deploy/web.yaml:41:3: duplicate key `privileged`"
  std::string file;    // for the result's location
  std::size_t line = 0;
};

struct SourceState {
  docker::FactState state;
  std::size_t items = 0;
};

// A Node's kubelet configuration as the kubelet reports it at /configz, read through the API
// server's node proxy (--kubelet-configz): the `kubeletconfig` object, or why it is missing.
struct KubeletConfigz {
  docker::FactState state;  // source: "GET /api/v1/nodes/<node>/proxy/configz"
  nlohmann::json config;    // null unless state is Ok
};

struct Inventory {
  std::string cluster;  // "manifests", a kubeconfig context, a snapshot's name
  std::string source;   // "3 files", "stdin", "kubeconfig context prod"
  std::optional<K8sVersion> server_version;
  std::string server_git_version;  // "v1.30.4"
  std::vector<Object> objects;     // in order (index() sorts them, §1.5 of the design)
  std::vector<InputProblem> problems;
  std::map<std::string, SourceState, std::less<>> sources;  // live lists by resource
  std::size_t files = 0;                                    // manifest files read
  std::size_t skipped_owned = 0;  // live: controller-owned objects not kept (§1.5)
  // Live: the repository digests the nodes report for controller-owned pods the collector did
  // not keep, under their top controller ("Deployment/web/api"); image_scans.h.
  RunningImages running_images;
  // Live with --kubelet-configz: each Node's kubelet configuration, by node name.
  std::map<std::string, KubeletConfigz, std::less<>> kubelet_configz;

  // Sorts the objects (namespace with cluster-scoped first, then kind order: workloads by
  // WorkloadKind, then other kinds by name; then name; then origin) and builds the indexes.
  // Call once after loading; pointers from the lookups stay valid until objects change.
  void index();
  [[nodiscard]] const Object* find(std::string_view kind, std::string_view ns,
                                   std::string_view name) const;
  [[nodiscard]] std::span<const Object* const> ofKind(std::string_view kind) const;
  // Declared Namespace objects and every namespace an object names, sorted.
  [[nodiscard]] std::vector<std::string> namespaces() const;
  // Counts for the report header.
  [[nodiscard]] std::size_t count(KindClass kind_class) const;

 private:
  std::map<std::string, std::vector<const Object*>, std::less<>> by_kind_;
  std::map<std::string, const Object*, std::less<>> by_key_;  // "Kind/ns/name"
};

}  // namespace bulwark::checks::k8s
