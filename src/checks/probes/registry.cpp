// The probe registry (probes.def) and the typed parameters probes read.
#include <re2/re2.h>

#include "checks/probes/probe.h"

namespace bulwark::checks {

#define BULWARK_PROBE(accessor) const ProbeKind& accessor();
#include "checks/probes/probes.def"
#undef BULWARK_PROBE

std::span<const ProbeKind* const> probeKinds() {
  static const ProbeKind* const kKinds[] = {
#define BULWARK_PROBE(accessor) &accessor(),
#include "checks/probes/probes.def"
#undef BULWARK_PROBE
  };
  return kKinds;
}

const ProbeKind* findProbe(std::string_view kind) {
  for (const ProbeKind* probe : probeKinds()) {
    if (probe->kind == kind) return probe;
  }
  return nullptr;
}

std::string_view Params::string(std::string_view name, std::string_view fallback) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  const auto* value = std::get_if<std::string>(&it->second);
  return value != nullptr ? std::string_view(*value) : fallback;
}

std::vector<std::string> Params::list(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return {};
  if (const auto* value = std::get_if<std::vector<std::string>>(&it->second)) return *value;
  if (const auto* value = std::get_if<std::string>(&it->second)) return {*value};
  return {};
}

const re2::RE2* Params::regex(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return nullptr;
  const auto* value = std::get_if<std::shared_ptr<const re2::RE2>>(&it->second);
  return value != nullptr ? value->get() : nullptr;
}

bool Params::flag(std::string_view name, bool fallback) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  const auto* value = std::get_if<bool>(&it->second);
  return value != nullptr ? *value : fallback;
}

std::int64_t Params::integer(std::string_view name, std::int64_t fallback) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  const auto* value = std::get_if<std::int64_t>(&it->second);
  return value != nullptr ? *value : fallback;
}

const docker::JsonPath* Params::path(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return nullptr;
  const auto* value = std::get_if<std::shared_ptr<const docker::JsonPath>>(&it->second);
  return value != nullptr ? value->get() : nullptr;
}

std::string_view toString(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::Dockerfile: return "dockerfile";
    case ResourceKind::Image: return "image";
    case ResourceKind::DockerHost: return "docker-host";
    case ResourceKind::DockerContainer: return "docker-container";
    case ResourceKind::K8sObject: return "k8s-object";
    case ResourceKind::K8sWorkload: return "k8s-workload";
    case ResourceKind::K8sNamespace: return "k8s-namespace";
    case ResourceKind::K8sNode: return "k8s-node";
  }
  return "dockerfile";
}

bool parseResourceKind(std::string_view text, ResourceKind& kind) {
  for (const ResourceKind candidate :
       {ResourceKind::Dockerfile, ResourceKind::Image, ResourceKind::DockerHost,
        ResourceKind::DockerContainer, ResourceKind::K8sObject, ResourceKind::K8sWorkload,
        ResourceKind::K8sNamespace, ResourceKind::K8sNode}) {
    if (toString(candidate) == text) {
      kind = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace bulwark::checks
