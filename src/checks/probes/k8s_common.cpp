#include "checks/probes/k8s_common.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>
#include <re2/re2.h>

#include "checks/k8s/network.h"
#include "checks/probes/common.h"

namespace bulwark::checks::probes {

namespace {

using Step = docker::JsonPath::Step;

// The key of each member of the objects `parent` reaches, by the address of its value: what a
// final `{*}` step of the same path reaches, so those values can be kept by key.
std::unordered_map<const nlohmann::json*, std::string> memberKeys(const docker::JsonPath& parent,
                                                                  const nlohmann::json& doc) {
  std::unordered_map<const nlohmann::json*, std::string> keys;
  for (const auto& reached : parent.resolveNamed(doc)) {
    if (reached.value == nullptr || !reached.value->is_object()) continue;
    for (const auto& item : reached.value->items()) keys.emplace(&item.value(), item.key());
  }
  return keys;
}

}  // namespace

ObjectOrResult k8sObject(const Resource& resource) {
  if (resource.object == nullptr) return noInput("Kubernetes object");
  const k8s::Object& object = *resource.object;
  if (!object.state.ok()) {
    return notEvaluatedFor(resource.name.empty() ? object.resourceName() : resource.name,
                           object.state);
  }
  return &object;
}

ObjectOrResult podObject(const Resource& resource) {
  if (resource.object == nullptr || resource.object->workload == k8s::WorkloadKind::None) {
    return noInput("Kubernetes workload");
  }
  auto object = k8sObject(resource);
  if (std::holds_alternative<ProbeResult>(object)) return object;
  const k8s::Object& workload = *std::get<const k8s::Object*>(object);
  const nlohmann::json* spec = workload.podSpec();
  if (spec == nullptr) {
    return ProbeResult::notEvaluated(fmt::format("{} is missing", workload.pod_spec_path),
                                     model::NotEvaluatedCause::Malformed);
  }
  // The API server refuses a pod without containers: nothing it says can pass.
  // (A `containers` that is not a list is the container probes' to name.)
  if (const auto containers = spec->find("containers");
      containers == spec->end() || containers->is_null() ||
      (containers->is_array() && containers->empty())) {
    return ProbeResult::notEvaluated(
        fmt::format("{}.containers is empty or missing: the API server refuses such a pod",
                    workload.pod_spec_path),
        model::NotEvaluatedCause::Malformed);
  }
  return object;
}

std::string joinPath(std::string_view base, std::string_view relative) {
  if (base.empty()) return std::string(relative);
  if (relative.empty()) return std::string(base);
  return relative.front() == '[' ? fmt::format("{}{}", base, relative)
                                 : fmt::format("{}.{}", base, relative);
}

NamedOrResult reachValues(const docker::JsonPath& path, const nlohmann::json& doc,
                          std::string_view prefix, const re2::RE2* key) {
  std::vector<docker::JsonPath::Named> reached = path.resolveNamed(doc, prefix);
  if (key == nullptr) return reached;
  const Step::Kind last = path.steps().back().kind;
  if (last == Step::Kind::Keys) {
    std::erase_if(reached, [&](const auto& n) { return !RE2::PartialMatch(n.key, *key); });
    return reached;
  }
  const std::string& text = path.text();
  const auto unusable = [&] {
    return ProbeResult::notEvaluated(
        fmt::format("`key` needs a path that ends in {{*}} or {{keys}}, not {}", text),
        model::NotEvaluatedCause::Undetermined);
  };
  if (last != Step::Kind::Values) return unusable();
  // The objects one step up hold the keys of the values the final `{*}` reached.
  constexpr std::string_view kValues = "{*}";
  const auto parent = docker::JsonPath::compile(text.substr(0, text.size() - kValues.size()));
  if (!parent) return unusable();
  const auto keys = memberKeys(*parent, doc);
  std::erase_if(reached, [&](const auto& n) {
    const auto it = keys.find(n.value);
    return it == keys.end() || !RE2::PartialMatch(it->second, *key);
  });
  return reached;
}

Observation observationOf(const docker::JsonPath::Named& named, const Normalise& normalise) {
  const auto text = [&](std::string value) {
    return normalise ? normalise(std::move(value)) : value;
  };
  Observation o;
  if (named.value == nullptr) {
    o.values = {text(named.key)};
    o.display = shorten(shown(o.values.front()), 200);
  } else if (named.value->is_array()) {
    o.is_list = true;
    for (const auto& element : *named.value) {
      if (!element.is_null()) o.values.push_back(text(docker::scalarText(element)));
    }
    o.display = shorten(shownList(o.values), 200);
  } else {
    o.values = {text(docker::scalarText(*named.value))};
    o.display = shorten(shown(o.values.front()), 200);
  }
  return o;
}

bool isDefaulted(const k8s::Object& object, std::string_view relative) {
  return std::any_of(object.defaulted.begin(), object.defaulted.end(), [&](const auto& path) {
    if (relative.substr(0, path.size()) != path) return false;
    return relative.size() == path.size() || relative[path.size()] == '.' ||
           relative[path.size()] == '[';
  });
}

ImageParts splitImage(std::string_view ref) {
  ImageParts parts;
  const std::size_t at = ref.find('@');
  parts.digest = at != std::string_view::npos;
  std::string_view name = ref.substr(0, at);
  if (const std::size_t slash = name.find('/'); slash != std::string_view::npos) {
    const std::string_view first = name.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost") {
      parts.registry = first;
      name.remove_prefix(slash + 1);
    }
  }
  if (const std::size_t colon = name.rfind(':');
      colon != std::string_view::npos && name.find('/', colon) == std::string_view::npos) {
    parts.tag = name.substr(colon + 1);
    name = name.substr(0, colon);
  }
  parts.repository = name;
  return parts;
}

std::optional<ProbeResult> forEachContainer(
    const k8s::Object& object, const std::vector<std::string>& chosen,
    const std::function<void(const nlohmann::json& container, const std::string& relative)>&
        visit) {
  struct ContainerList {
    std::string_view kind;   // the `containers:` value
    std::string_view field;  // the pod spec member
  };
  static constexpr ContainerList kLists[] = {
      {"regular", "containers"}, {"init", "initContainers"}, {"ephemeral", "ephemeralContainers"}};
  const nlohmann::json& spec = *object.podSpec();
  for (const auto& list : kLists) {
    if (!chosen.empty() && std::find(chosen.begin(), chosen.end(), list.kind) == chosen.end()) {
      continue;
    }
    const nlohmann::json* containers = member(spec, list.field);
    if (containers == nullptr) continue;
    if (!containers->is_array()) {
      return ProbeResult::notEvaluated(
          fmt::format("{}.{} is not a list", object.pod_spec_path, list.field),
          model::NotEvaluatedCause::Malformed);
    }
    for (std::size_t i = 0; i < containers->size(); ++i) {
      const nlohmann::json& container = (*containers)[i];
      visit(container, docker::elementPath(list.field, container, i));
    }
  }
  return std::nullopt;
}

std::variant<ServiceBackends, ProbeResult> serviceBackends(const Resource& resource,
                                                           const k8s::Object& service) {
  if (resource.inventory == nullptr) return noInput("Kubernetes inventory");
  const k8s::Inventory& inventory = *resource.inventory;
  if (auto lists = k8s::listState(inventory, k8s::workloadLists()); !lists.ok()) {
    return notEvaluatedFor(lists.source, lists);
  }
  // A malformed selector is reported here, with its location.
  auto selector = k8s::serviceSelector(service);
  if (!selector) {
    return ProbeResult::notEvaluated(
        fmt::format("spec.selector{}: {}", service.locationSuffix("spec.selector"),
                    selector.error().message),
        model::NotEvaluatedCause::Malformed);
  }
  if (selector->selectsNothing()) {
    return ProbeResult::notApplicable(
        "the Service has no selector: its Endpoints are managed by hand, not by a workload");
  }
  auto selection = k8s::workloadsSelectedBy(inventory, service);
  if (!selection) return ProbeResult::notEvaluated(selection.error().message);
  if (!selection->unreadable.empty()) {
    const k8s::Object& unreadable = *selection->unreadable.front();
    return notEvaluatedFor(unreadable.resourceName(), unreadable.state);
  }
  if (selection->selected.empty()) {
    return ProbeResult::notApplicable(
        fmt::format("no workload in the input matches the selector {}", selector->text()));
  }
  return ServiceBackends{std::move(selection->selected),
                         fmt::format("Service selector {}", selector->text())};
}

}  // namespace bulwark::checks::probes
