#include "checks/k8s/network.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "checks/k8s/cilium.h"

namespace bulwark::checks::k8s {

namespace {

constexpr std::array<std::string_view, 8> kWorkloadLists = {"pods",        "replicationcontrollers",
                                                            "deployments", "statefulsets",
                                                            "daemonsets",  "replicasets",
                                                            "jobs",        "cronjobs"};
constexpr std::array<std::string_view, 1> kNetworkPolicyLists = {"networkpolicies"};
constexpr std::array<std::string_view, 2> kCiliumPolicyLists = {"ciliumnetworkpolicies",
                                                                "ciliumclusterwidenetworkpolicies"};

bool isWorkload(const Object& object) { return object.workload != WorkloadKind::None; }

// Orders objects by one string member against a plain value, in both directions (as
// std::equal_range compares).
template <std::string Object::*Member>
struct ByMember {
  bool operator()(const Object& a, std::string_view b) const {
    return std::string_view(a.*Member) < b;
  }
  bool operator()(std::string_view a, const Object& b) const {
    return a < std::string_view(b.*Member);
  }
};

// The workloads of a namespace: index() puts them before every other kind.
std::span<const Object> workloadsIn(std::span<const Object> objects) {
  const auto end = std::partition_point(objects.begin(), objects.end(), isWorkload);
  return {objects.begin(), end};
}

// The objects of one (non-workload) kind in a namespace: after the workloads, by kind name.
std::span<const Object> kindIn(std::span<const Object> objects, std::string_view kind) {
  const auto others = std::partition_point(objects.begin(), objects.end(), isWorkload);
  const auto [first, last] =
      std::equal_range(others, objects.end(), kind, ByMember<&Object::kind>{});
  return {first, last};
}

const nlohmann::json* podLabels(const Object& workload) {
  const nlohmann::json* meta = workload.podMeta();
  if (meta == nullptr || !meta->is_object()) return nullptr;
  const auto labels = meta->find("labels");
  return labels == meta->end() ? nullptr : &*labels;
}

const nlohmann::json* memberOf(const nlohmann::json& doc, std::string_view name) {
  if (!doc.is_object()) return nullptr;
  const auto it = doc.find(name);
  return it == doc.end() || it->is_null() ? nullptr : &*it;
}

const nlohmann::json* specOf(const Object& object) { return memberOf(object.doc, "spec"); }

bool sourceNames(std::string_view key, std::string_view resource) {
  return key == resource || (key.size() > resource.size() && key.ends_with(resource) &&
                             key[key.size() - resource.size() - 1] == '/');
}

}  // namespace

std::string_view toString(Direction direction) {
  return direction == Direction::Ingress ? "ingress" : "egress";
}

core::Result<LabelSelector> serviceSelector(const Object& service) {
  const nlohmann::json* spec = specOf(service);
  if (spec != nullptr && !spec->is_object()) {
    return core::fail(core::ErrorCode::Input, "spec is not a map");
  }
  return parseServiceSelector(spec == nullptr ? nullptr : memberOf(*spec, "selector"));
}

std::span<const Object> objectsIn(const Inventory& inventory, std::string_view ns) {
  // index() sorts by namespace first (cluster-scoped objects have none and come first).
  const auto [first, last] = std::equal_range(inventory.objects.begin(), inventory.objects.end(),
                                              ns, ByMember<&Object::ns>{});
  return {first, last};
}

core::Result<Selection> workloadsSelectedBy(const Inventory& inventory, const Object& service) {
  auto selector = serviceSelector(service);
  if (!selector) return tl::unexpected(selector.error());
  Selection out;
  if (selector->selectsNothing()) return out;
  for (const Object& workload : workloadsIn(objectsIn(inventory, service.ns))) {
    if (!workload.state.ok()) {
      out.unreadable.push_back(&workload);
    } else if (selector->matches(podLabels(workload))) {
      out.selected.push_back(&workload);
    }
  }
  return out;
}

core::Result<bool> policyCovers(const Object& policy, Direction direction) {
  const nlohmann::json* spec = specOf(policy);
  const nlohmann::json* types = spec == nullptr ? nullptr : memberOf(*spec, "policyTypes");
  if (types != nullptr && !types->is_array()) {
    return core::fail(core::ErrorCode::Input, "spec.policyTypes is not a list");
  }
  const std::string_view wanted = direction == Direction::Ingress ? "Ingress" : "Egress";
  if (types == nullptr || types->empty()) {
    if (direction == Direction::Ingress) return true;
    const nlohmann::json* egress = spec == nullptr ? nullptr : memberOf(*spec, "egress");
    return egress != nullptr && egress->is_array() && !egress->empty();
  }
  bool covers = false;
  for (const auto& type : *types) {
    if (!type.is_string() || (type != "Ingress" && type != "Egress")) {
      return core::fail(core::ErrorCode::Input,
                        fmt::format("spec.policyTypes: {} is not Ingress or Egress",
                                    type.is_string() ? type.get<std::string>() : type.dump()));
    }
    covers = covers || type.get_ref<const std::string&>() == wanted;
  }
  return covers;
}

core::Result<LabelSelector> podSelector(const Object& policy) {
  const nlohmann::json* spec = specOf(policy);
  if (spec == nullptr) return LabelSelector();
  if (!spec->is_object()) return core::fail(core::ErrorCode::Input, "spec is not a map");
  const nlohmann::json* selector = memberOf(*spec, "podSelector");
  auto parsed = parseLabelSelector(selector == nullptr ? nlohmann::json() : *selector);
  if (!parsed)
    return core::fail(core::ErrorCode::Input, "spec.podSelector: " + parsed.error().message);
  return parsed;
}

PolicySelection policiesSelecting(const Inventory& inventory, const Object& workload,
                                  Direction direction) {
  PolicySelection out;
  const nlohmann::json* labels = podLabels(workload);
  const std::span<const Object> in_namespace = objectsIn(inventory, workload.ns);
  for (const Object& policy : kindIn(in_namespace, "NetworkPolicy")) {
    if (!policy.state.ok()) {
      out.unreadable.push_back(&policy);
      continue;
    }
    const auto selector = podSelector(policy);
    const auto covers = policyCovers(policy, direction);
    if (!selector || !covers) {
      out.unreadable.push_back(&policy);
    } else if (*covers && selector->matches(labels)) {
      out.selected.push_back(
          {&policy, "spec.podSelector", selector->selectsEverything() ? "{}" : selector->text()});
    }
  }
  const std::span<const Object> namespaced = kindIn(in_namespace, "CiliumNetworkPolicy");
  const std::span<const Object> clusterwide =
      kindIn(objectsIn(inventory, ""), "CiliumClusterwideNetworkPolicy");
  if (namespaced.empty() && clusterwide.empty()) return out;
  const CiliumLabels cilium = ciliumLabels(inventory, workload);
  for (const std::span<const Object> policies : {namespaced, clusterwide}) {
    for (const Object& policy : policies) {
      if (!policy.state.ok()) {
        out.unreadable.push_back(&policy);
        continue;
      }
      const auto rules = ciliumRules(policy);
      if (!rules) {
        out.unreadable.push_back(&policy);
        continue;
      }
      const auto isolating = std::find_if(rules->begin(), rules->end(), [&](const auto& rule) {
        return (direction == Direction::Ingress ? rule.ingress : rule.egress) &&
               ciliumSelects(rule, cilium);
      });
      if (isolating == rules->end()) continue;
      out.selected.push_back(
          {&policy, isolating->path + ".endpointSelector",
           isolating->endpoints.selectsEverything() ? "{}" : isolating->endpoints.text()});
    }
  }
  return out;
}

std::string policyProblem(const Object& policy) {
  if (!policy.state.ok()) return policy.state.detail.empty() ? "unreadable" : policy.state.detail;
  if (isCiliumPolicy(policy.kind)) {
    auto rules = ciliumRules(policy);
    return rules ? "unreadable" : rules.error().message;
  }
  auto selector = podSelector(policy);
  if (!selector) return selector.error().message;
  auto covers = policyCovers(policy, Direction::Ingress);
  return covers ? "unreadable" : covers.error().message;
}

docker::FactState listState(const Inventory& inventory,
                            std::span<const std::string_view> resources) {
  docker::FactState ok;
  ok.status = docker::FactStatus::Ok;
  if (inventory.sources.empty()) return ok;  // manifests: assumed complete (§4.4)
  for (const std::string_view resource : resources) {
    const auto it =
        std::find_if(inventory.sources.begin(), inventory.sources.end(),
                     [&](const auto& entry) { return sourceNames(entry.first, resource); });
    if (it == inventory.sources.end()) {
      docker::FactState missing;
      missing.status = docker::FactStatus::NotCollected;
      missing.source = std::string(resource);
      return missing;
    }
    if (!it->second.state.ok()) {
      docker::FactState state = it->second.state;
      if (state.source.empty()) state.source = it->first;
      return state;
    }
  }
  return ok;
}

docker::FactState optionalListState(const Inventory& inventory,
                                    std::span<const std::string_view> resources) {
  for (const std::string_view resource : resources) {
    const bool recorded =
        std::any_of(inventory.sources.begin(), inventory.sources.end(),
                    [&](const auto& entry) { return sourceNames(entry.first, resource); });
    if (!recorded) continue;
    const std::string_view one[] = {resource};
    if (auto state = listState(inventory, one); !state.ok()) return state;
  }
  docker::FactState ok;
  ok.status = docker::FactStatus::Ok;
  return ok;
}

std::span<const std::string_view> workloadLists() { return kWorkloadLists; }
std::span<const std::string_view> ciliumPolicyLists() { return kCiliumPolicyLists; }
std::span<const std::string_view> networkPolicyLists() { return kNetworkPolicyLists; }

}  // namespace bulwark::checks::k8s
