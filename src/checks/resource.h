// What a check looks at: a Dockerfile, or an image (its config, the instructions its history
// records, and — when the layers were scanned — facts about the files the layers add).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "checks/dockerfile/dockerfile.h"
#include "model/package.h"

namespace bulwark::checks {

// Facts about an image's layer files that checks use, collected while the layers stream
// (checks::MetadataScanner). `scanned` false: nobody looked, so file checks are not evaluated.
struct ImageFiles {
  struct File {
    std::string path;  // no leading '/'
    std::uint32_t mode = 0;
    std::string layer;  // digest
  };
  struct Cache {
    std::string directory;  // "var/lib/apt/lists"
    std::string layer;
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
  };
  bool scanned = false;
  std::vector<File> setid_files;  // setuid or setgid regular files, sorted by path, layer
  std::vector<Cache> caches;      // package-manager cache files a layer adds, by directory
};

namespace docker {
struct Snapshot;
struct Container;
struct DaemonConfig;
}  // namespace docker

namespace k8s {
struct Object;
struct Inventory;
struct NodeSnapshot;
struct ComponentConfig;
struct ImageScans;
}  // namespace k8s

// k8s-object: a Kubernetes object that is not a workload (Service, Role, …); k8s-workload: an
// object with a pod spec (Pod, Deployment, CronJob, …); k8s-namespace: a namespace, declared
// by a Namespace object or named by the objects in it; k8s-node: one worker node's kubelet,
// kube-proxy and the files CIS names.
enum class ResourceKind {
  Dockerfile,
  Image,
  DockerHost,
  DockerContainer,
  K8sObject,
  K8sWorkload,
  K8sNamespace,
  K8sNode
};
inline constexpr std::size_t kResourceKinds = 8;

std::string_view toString(ResourceKind kind);  // "dockerfile", "image", "docker-host", …
bool parseResourceKind(std::string_view text, ResourceKind& kind);

struct Resource {
  ResourceKind kind = ResourceKind::Dockerfile;
  std::string
      name;  // the Dockerfile path, the image name, "docker-host:<name>", "container:<name>"
  const dockerfile::Dockerfile* dockerfile = nullptr;  // parsed, or rebuilt from history
  const model::ImageConfig* config = nullptr;          // images only
  const ImageFiles* files = nullptr;                   // images only
  // Docker hosts and their containers (also set for a host's images).
  const docker::Snapshot* snapshot = nullptr;
  const docker::Container* container = nullptr;  // DockerContainer only
  const docker::DaemonConfig* daemon = nullptr;  // the effective config, computed once per run
  // Kubernetes objects and workloads: the object, and every object of the run (for checks
  // that follow references: a binding's role, a Service's workloads).
  const k8s::Object* object = nullptr;  // a namespace's Namespace object, when declared
  const k8s::Inventory* inventory = nullptr;
  // Workloads: bulwark serve's answers for the images' digests (--scan-server); null when no
  // server was named.
  const k8s::ImageScans* image_scans = nullptr;
  // Namespaces: what bulwark derives about one from the inventory (k8s/namespace_doc.h).
  const nlohmann::json* derived = nullptr;
  // Nodes: the node snapshot (`snapshot` points at its host part, so the file probes read it),
  // and the kubelet's and kube-proxy's effective configurations, computed once per node.
  const k8s::NodeSnapshot* node = nullptr;
  const k8s::ComponentConfig* kubelet = nullptr;
  const k8s::ComponentConfig* kube_proxy = nullptr;

  // "Dockerfile:12" for a parsed file, "history[3]" for an image's.
  [[nodiscard]] std::string where(const dockerfile::Instruction& instruction) const;
};

}  // namespace bulwark::checks
