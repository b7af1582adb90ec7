// service-port: the port numbers a Service opens, one observation per entry of spec.ports.
// `field: port` is the port clients connect to; `field: target-port` the port the traffic
// reaches on the pods: its number, or for a named port (`targetPort: postgres`) the
// containerPort of that name on each workload the selector picks, found as the endpoints
// controller finds it (the regular containers, then sidecars: init containers with
// `restartPolicy: Always`; same name and protocol). An unset targetPort is the port itself,
// which `field: port` already reports.
//
// What the API server refuses is never a number that could pass: a port that is not an integer
// in 1–65535 (`${PORT}` of an unexpanded template, "80" in quotes), a targetPort string that is
// not a port name, are undetermined (Malformed). A named port that cannot be resolved — no
// selector, no selected workload in the input, a workload list not read — is undetermined too.
#include <fmt/format.h>

#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kFields[] = {"port", "target-port"};

constexpr ParamSpec kParams[] = {
    {"field", ParamType::String, true,
     "port (what clients connect to) or target-port (the pods' port; names resolved through "
     "the selected workloads)",
     kFields},
};

using Json = nlohmann::json;

// A port number as the API server validates it, as text; nullopt for anything else.
std::optional<std::string> portNumber(const Json& value) {
  if (!value.is_number_integer()) return std::nullopt;
  const auto number = value.get<std::int64_t>();
  if (number < 1 || number > 65535) return std::nullopt;
  return std::to_string(number);
}

// IANA_SVC_NAME, as the API server validates a named port: 1–15 characters of [a-z0-9-] with at
// least one letter, no hyphen at either end or next to another.
bool isPortName(std::string_view name) {
  if (name.empty() || name.size() > 15 || name.front() == '-' || name.back() == '-') return false;
  bool letter = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c >= 'a' && c <= 'z') {
      letter = true;
    } else if (c == '-') {
      if (name[i - 1] == '-') return false;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return letter;
}

std::string protocolOf(const Json& port) {
  const Json* protocol = probes::member(port, "protocol");
  return protocol != nullptr && protocol->is_string() ? protocol->get<std::string>() : "TCP";
}

Observation undetermined(std::string display, std::string where, std::string note,
                         model::NotEvaluatedCause cause) {
  Observation o;
  o.unknown = true;
  o.display = std::move(display);
  o.where = std::move(where);
  o.note = std::move(note);
  o.cause = cause;
  return o;
}

// Resolves named target ports through the workloads the Service selects (computed once).
class NamedPorts {
 public:
  NamedPorts(const Resource& resource, const k8s::Object& service)
      : resource_(resource), service_(service) {}

  // The containerPorts named `name` with `protocol` on the selected workloads, each with its
  // workload and path; or why they cannot be known.
  void resolve(const std::string& name, const std::string& protocol, const std::string& where,
               std::vector<Observation>& out) {
    if (!selected_) select();
    if (!problem_.empty()) {
      out.push_back(undetermined(
          probes::shown(name), where,
          fmt::format("the named target port {} cannot be resolved: {}", name, problem_),
          problem_cause_));
      return;
    }
    for (const k8s::Object* workload : workloads_) {
      const Json* spec = workload->podSpec();
      if (spec == nullptr) {
        out.push_back(
            undetermined(fmt::format("{} {}/{}", workload->kind, workload->ns, workload->name),
                         via_ + workload->locationSuffix({}),
                         fmt::format("{} is missing", workload->pod_spec_path),
                         model::NotEvaluatedCause::Malformed));
        continue;
      }
      if (auto found = findIn(*workload, *spec, name, protocol)) out.push_back(std::move(*found));
    }
  }

 private:
  void select() {
    selected_ = true;
    auto backends = probes::serviceBackends(resource_, service_);
    if (auto* why = std::get_if<ProbeResult>(&backends)) {
      problem_ = why->reason;
      // Not applicable for the Service (no selector, nothing selected) is unknown for a name.
      problem_cause_ = why->state == ProbeState::NotApplicable
                           ? model::NotEvaluatedCause::MissingInput
                           : why->cause;
      return;
    }
    auto& found = std::get<probes::ServiceBackends>(backends);
    workloads_ = std::move(found.workloads);
    via_ = std::move(found.via);
  }

  // The first port of that name and protocol, as the endpoints controller takes it: regular
  // containers first, then sidecars. Nothing when the workload has none (its pods get no
  // endpoint for this port).
  std::optional<Observation> findIn(const k8s::Object& workload, const Json& spec,
                                    const std::string& name, const std::string& protocol) const {
    for (const std::string_view list : {"containers", "initContainers"}) {
      const Json* containers = probes::member(spec, list);
      if (containers == nullptr || !containers->is_array()) continue;
      for (std::size_t i = 0; i < containers->size(); ++i) {
        const Json& container = (*containers)[i];
        if (list == "initContainers") {
          const Json* restart = probes::member(container, "restartPolicy");
          if (restart == nullptr || *restart != "Always") continue;
        }
        const Json* ports = probes::member(container, "ports");
        if (ports == nullptr || !ports->is_array()) continue;
        for (std::size_t p = 0; p < ports->size(); ++p) {
          const Json& port = (*ports)[p];
          const Json* port_name = probes::member(port, "name");
          if (port_name == nullptr || *port_name != name || protocolOf(port) != protocol) continue;
          const std::string path = fmt::format(
              "{}.ports[{}].containerPort",
              probes::joinPath(workload.pod_spec_path, docker::elementPath(list, container, i)), p);
          const std::string where =
              fmt::format("{}, {}{}", via_, path, workload.locationSuffix(path));
          const Json* number = probes::member(port, "containerPort");
          const auto text = number != nullptr ? portNumber(*number) : std::nullopt;
          if (!text) {
            return undetermined(
                fmt::format("{} {}/{}", workload.kind, workload.ns, workload.name), where,
                fmt::format("{}: the port named {} has no containerPort in 1–65535", path, name),
                model::NotEvaluatedCause::Malformed);
          }
          Observation o;
          o.display = fmt::format("{} (port {} of {} {}/{})", *text, name, workload.kind,
                                  workload.ns, workload.name);
          o.values = {*text};
          o.where = where;
          return o;
        }
      }
    }
    return std::nullopt;
  }

  const Resource& resource_;
  const k8s::Object& service_;
  bool selected_ = false;
  std::string problem_;
  model::NotEvaluatedCause problem_cause_ = model::NotEvaluatedCause::None;
  std::vector<const k8s::Object*> workloads_;
  std::string via_;
};

ProbeResult evaluateServicePort(const Params& params, const Resource& resource) {
  auto found = probes::k8sObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& service = *std::get<const k8s::Object*>(found);
  if (service.kind != "Service") {
    return ProbeResult::notEvaluated(
        fmt::format("service-port reads Services, not a {}", service.kind));
  }
  ProbeResult result;
  result.looked_at = "spec.ports" + service.locationSuffix("spec.ports");
  const Json* spec = probes::member(service.doc, "spec");
  const Json* ports = spec != nullptr ? probes::member(*spec, "ports") : nullptr;
  if (ports == nullptr) return result;  // no ports: nothing opened
  if (!ports->is_array()) {
    return ProbeResult::notEvaluated(
        fmt::format("spec.ports{} is not a list", service.locationSuffix("spec.ports")),
        model::NotEvaluatedCause::Malformed);
  }
  const bool target = params.string("field", "port") == "target-port";
  NamedPorts named(resource, service);
  for (std::size_t i = 0; i < ports->size(); ++i) {
    const Json& port = (*ports)[i];
    const std::string base = docker::elementPath("spec.ports", port, i);
    const std::string path = base + (target ? ".targetPort" : ".port");
    const std::string where = path + service.locationSuffix(path);
    if (!port.is_object()) {
      result.observations.push_back(
          undetermined(probes::shown(docker::scalarText(port)), base + service.locationSuffix(base),
                       fmt::format("{} is not a map", base), model::NotEvaluatedCause::Malformed));
      continue;
    }
    const Json* value = probes::member(port, target ? "targetPort" : "port");
    if (value == nullptr) {
      if (!target) {
        result.observations.push_back(undetermined("(unset)", where,
                                                   fmt::format("{} is required", path),
                                                   model::NotEvaluatedCause::Malformed));
      }
      continue;  // targetPort unset: the port itself, reported by field: port
    }
    if (auto number = portNumber(*value)) {
      Observation o;
      o.values = {*number};
      o.display = *number;
      o.where = where;
      result.observations.push_back(std::move(o));
      continue;
    }
    const std::string text = docker::scalarText(*value);
    if (target && value->is_string() && isPortName(text)) {
      named.resolve(text, protocolOf(port), where, result.observations);
      continue;
    }
    result.observations.push_back(undetermined(
        probes::shown(text), where,
        fmt::format("{} is {}, not a port number{}; the API server refuses the Service", path,
                    probes::shown(text), target ? " or a port name" : ""),
        model::NotEvaluatedCause::Malformed));
  }
  return result;
}

}  // namespace

const ProbeKind& servicePortProbe() {
  static const ProbeKind kKind{"service-port",
                               "the ports a Service opens and the pod ports they reach", kParams,
                               &evaluateServicePort, false};
  return kKind;
}

}  // namespace bulwark::checks
