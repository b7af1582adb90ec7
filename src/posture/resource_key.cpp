// Resource keys and ids (resource_key.h documents the table).
#include "posture/resource_key.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "core/sha256.h"

namespace bulwark::posture {

namespace {

constexpr std::size_t kIdLength = 16;
constexpr std::string_view kClusterScope = "_cluster";

model::Resource make(model::ResourceType type, std::string key, const std::string& parent_key,
                     std::string name) {
  model::Resource resource;
  resource.type = type;
  resource.id = resourceId(key);
  resource.key = std::move(key);
  if (!parent_key.empty()) resource.parent_id = resourceId(parent_key);
  resource.name = std::move(name);
  return resource;
}

std::string registryKey(std::string_view registry) {
  return fmt::format("registry:{}", keySegment(registry));
}

std::string repositoryKey(std::string_view registry, std::string_view repository) {
  return fmt::format("repository:{}/{}", keySegment(registry), keySegment(repository, true));
}

std::string hostKey(std::string_view host) { return fmt::format("host:{}", keySegment(host)); }

std::string clusterKey(std::string_view cluster) {
  return fmt::format("cluster:{}", keySegment(cluster));
}

std::string namespaceKey(std::string_view cluster, std::string_view ns) {
  return fmt::format("namespace:{}/{}", keySegment(cluster), keySegment(ns));
}

std::string workloadKey(std::string_view cluster, std::string_view ns, std::string_view kind,
                        std::string_view name) {
  return fmt::format("workload:{}/{}/{}/{}", keySegment(cluster), keySegment(ns), keySegment(kind),
                     keySegment(name));
}

}  // namespace

std::string keySegment(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool escape = byte < 0x20 || byte == 0x7f || c == '%' || c == '@' || c == '~' ||
                        (c == '/' && !keep_slash);
    if (escape) {
      out += fmt::format("%{:02X}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

std::string resourceId(std::string_view key) { return core::sha256Hex(key).substr(0, kIdLength); }

bool isResourceId(std::string_view text) {
  return text.size() == kIdLength && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

model::Resource registryResource(std::string_view registry) {
  return make(model::ResourceType::Registry, registryKey(registry), "", std::string(registry));
}

model::Resource repositoryResource(std::string_view registry, std::string_view repository) {
  return make(model::ResourceType::Repository, repositoryKey(registry, repository),
              registryKey(registry), std::string(repository));
}

model::Resource imageResource(std::string_view registry, std::string_view repository,
                              std::string_view digest) {
  return make(model::ResourceType::Image,
              fmt::format("image:{}/{}@{}", keySegment(registry), keySegment(repository, true),
                          keySegment(digest)),
              repositoryKey(registry, repository), fmt::format("{}@{}", repository, digest));
}

model::Resource hostResource(std::string_view host) {
  return make(model::ResourceType::Host, hostKey(host), "", std::string(host));
}

model::Resource dockerContainerResource(std::string_view host, std::string_view container_id,
                                        std::string_view name) {
  return make(model::ResourceType::Container,
              fmt::format("container:docker/{}/{}", keySegment(host), keySegment(container_id)),
              hostKey(host), std::string(name));
}

model::Resource hostImageResource(std::string_view host, std::string_view image_id,
                                  std::string_view name) {
  return make(model::ResourceType::Image,
              fmt::format("image:~{}/{}", keySegment(host), keySegment(image_id)), hostKey(host),
              std::string(name));
}

model::Resource clusterResource(std::string_view cluster) {
  return make(model::ResourceType::Cluster, clusterKey(cluster), "", std::string(cluster));
}

model::Resource nodeResource(std::string_view cluster, std::string_view node) {
  return make(model::ResourceType::Node,
              fmt::format("node:{}/{}", keySegment(cluster), keySegment(node)), clusterKey(cluster),
              std::string(node));
}

model::Resource namespaceResource(std::string_view cluster, std::string_view ns) {
  return make(model::ResourceType::Namespace, namespaceKey(cluster, ns), clusterKey(cluster),
              std::string(ns));
}

model::Resource workloadResource(std::string_view cluster, std::string_view ns,
                                 std::string_view kind, std::string_view name) {
  return make(model::ResourceType::Workload, workloadKey(cluster, ns, kind, name),
              namespaceKey(cluster, ns), fmt::format("{}/{}", kind, name));
}

model::Resource k8sContainerResource(std::string_view cluster, std::string_view ns,
                                     std::string_view kind, std::string_view name,
                                     std::string_view container) {
  return make(model::ResourceType::Container,
              fmt::format("container:k8s/{}/{}/{}/{}/{}", keySegment(cluster), keySegment(ns),
                          keySegment(kind), keySegment(name), keySegment(container)),
              workloadKey(cluster, ns, kind, name), std::string(container));
}

model::Resource k8sObjectResource(std::string_view cluster, std::string_view ns,
                                  std::string_view kind, std::string_view name) {
  const bool cluster_scoped = ns.empty();
  // A namespace literally called "_cluster" (not a valid Kubernetes name, but input is input)
  // must not collide with the cluster scope.
  std::string ns_segment = cluster_scoped ? std::string(kClusterScope) : keySegment(ns);
  if (!cluster_scoped && ns == kClusterScope) ns_segment = "%5Fcluster";
  return make(model::ResourceType::K8sObject,
              fmt::format("k8s-object:{}/{}/{}/{}", keySegment(cluster), ns_segment,
                          keySegment(kind), keySegment(name)),
              cluster_scoped ? clusterKey(cluster) : namespaceKey(cluster, ns),
              fmt::format("{}/{}", kind, name));
}

std::optional<model::ResourceType> resourceTypeOfCheckKind(std::string_view kind) {
  static constexpr std::pair<std::string_view, model::ResourceType> kKinds[] = {
      {"docker-host", model::ResourceType::Host},
      {"docker-container", model::ResourceType::Container},
      {"image", model::ResourceType::Image},
      {"dockerfile", model::ResourceType::Image},
      {"k8s-workload", model::ResourceType::Workload},
      {"k8s-namespace", model::ResourceType::Namespace},
      {"k8s-object", model::ResourceType::K8sObject},
      {"k8s-node", model::ResourceType::Node},
  };
  for (const auto& [name, type] : kKinds) {
    if (name == kind) return type;
  }
  return std::nullopt;
}

}  // namespace bulwark::posture
