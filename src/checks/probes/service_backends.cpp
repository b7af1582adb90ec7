// service-backends: what a Service sends traffic to — per workload of its namespace whose pod
// labels its selector matches (k8s/network.h), the workload's name, kind, each container
// image or each containerPort. Evidence names the workload and how it was reached:
// `kubernetes-dashboard (Deployment kube-system/dashboard)` at `Service selector
// app=dashboard, spec.template.spec.containers[name=dashboard].image (dash.yaml:14)`.
//
// A Service without a selector (Endpoints managed by hand) and one whose selector matches no
// workload of the input are not-applicable: there is nothing to judge, and the reason says
// which. Not evaluated: the selector is malformed, a workload list was not read (live), or a
// workload of the namespace could not be read (it might be selected).
#include <fmt/format.h>

#include "checks/k8s/network.h"
#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kFields[] = {"name", "kind", "image", "container-port"};
constexpr std::string_view kNormalise[] = {"none", "image-name"};

constexpr ParamSpec kParams[] = {
    {"field", ParamType::String, true,
     "name, kind, image (each container's) or container-port (each containerPort)", kFields},
    {"normalise", ParamType::String, false,
     "none (default), or image-name: the last path part of the image repository, without "
     "registry, tag or digest (k8s.gcr.io/kubernetes-dashboard-amd64:v1 → "
     "kubernetes-dashboard-amd64)",
     kNormalise},
};

// Container lists with images; ephemeral containers carry no ports.
constexpr std::string_view kImageLists[] = {"containers", "initContainers", "ephemeralContainers"};
constexpr std::string_view kPortLists[] = {"containers", "initContainers"};

// The image's name: the last part of its repository ("kubernetes-dashboard").
std::string imageName(const std::string& reference) {
  std::string_view repository = probes::splitImage(reference).repository;
  if (const std::size_t slash = repository.rfind('/'); slash != std::string_view::npos) {
    repository.remove_prefix(slash + 1);
  }
  return std::string(repository);
}

// Adds the observations of one selected workload.
struct Backend {
  const k8s::Object& workload;
  std::string_view field;
  bool image_name = false;
  std::string via;  // "Service selector app=web"
  std::vector<Observation>& out;

  void add(std::string value, std::string_view path) const {
    Observation o;
    if (image_name) value = imageName(value);
    o.display = fmt::format("{} ({} {}/{})", probes::shown(value), workload.kind, workload.ns,
                            workload.name);
    o.values = {std::move(value)};
    o.where = fmt::format("{}, {}{}", via, path, workload.locationSuffix(path));
    out.push_back(std::move(o));
  }

  void containers(std::span<const std::string_view> lists) const {
    const nlohmann::json* spec = workload.podSpec();
    if (spec == nullptr) {
      Observation o;
      o.unknown = true;
      o.note = fmt::format("{} is missing", workload.pod_spec_path);
      o.display = fmt::format("{} {}/{}", workload.kind, workload.ns, workload.name);
      o.where = via + workload.locationSuffix({});
      out.push_back(std::move(o));
      return;
    }
    for (const std::string_view list : lists) {
      const nlohmann::json* items = probes::member(*spec, list);
      if (items == nullptr || !items->is_array()) continue;
      for (std::size_t i = 0; i < items->size(); ++i) {
        const nlohmann::json& container = (*items)[i];
        const std::string base =
            probes::joinPath(workload.pod_spec_path, docker::elementPath(list, container, i));
        if (field == "image") {
          const nlohmann::json* image = probes::member(container, "image");
          if (image != nullptr) add(docker::scalarText(*image), base + ".image");
          continue;
        }
        const nlohmann::json* ports = probes::member(container, "ports");
        if (ports == nullptr || !ports->is_array()) continue;
        for (std::size_t p = 0; p < ports->size(); ++p) {
          const nlohmann::json* port = probes::member((*ports)[p], "containerPort");
          if (port == nullptr) continue;
          add(docker::scalarText(*port), fmt::format("{}.ports[{}].containerPort", base, p));
        }
      }
    }
  }
};

ProbeResult evaluateServiceBackends(const Params& params, const Resource& resource) {
  auto found = probes::k8sObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& service = *std::get<const k8s::Object*>(found);
  if (service.kind != "Service") {
    return ProbeResult::notEvaluated(
        fmt::format("service-backends reads Services, not a {}", service.kind));
  }
  auto backends = probes::serviceBackends(resource, service);
  if (auto* why = std::get_if<ProbeResult>(&backends)) return std::move(*why);
  auto& [workloads, via] = std::get<probes::ServiceBackends>(backends);
  ProbeResult result;
  const std::string_view field = params.string("field", "name");
  for (const k8s::Object* workload : workloads) {
    const Backend backend{*workload, field, params.string("normalise") == "image-name", via,
                          result.observations};
    if (field == "name") {
      backend.add(workload->name, "metadata.name");
    } else if (field == "kind") {
      backend.add(workload->kind, "kind");
    } else {
      backend.containers(field == "image" ? std::span<const std::string_view>(kImageLists)
                                          : std::span<const std::string_view>(kPortLists));
    }
  }
  result.looked_at = via;
  return result;
}

}  // namespace

const ProbeKind& serviceBackendsProbe() {
  static const ProbeKind kKind{"service-backends",
                               "the workloads a Service selects: name, kind, images, ports",
                               kParams, &evaluateServiceBackends, false};
  return kKind;
}

}  // namespace bulwark::checks
