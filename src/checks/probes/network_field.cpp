// network-field: a field of each Docker network (/networks) kept by the `driver` and `name`
// filters, at a JSON path (docker/json_path.h). One observation per value per network; a
// network where the path reaches nothing gives an `absent` observation (an overlay network
// without Options[encrypted]), so the test's `absent:` decides for that network.
#include <algorithm>

#include <fmt/format.h>

#include "checks/docker/json_path.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

constexpr ParamSpec kParams[] = {
    {"path", ParamType::Path, true,
     "JSON path into each network (Options[com.docker.network.bridge.enable_icc])"},
    {"driver", ParamType::StringList, false, "keep only networks of these drivers (overlay)"},
    {"name", ParamType::StringList, false, "keep only networks of these names (bridge)"},
};

std::string stringMember(const nlohmann::json& doc, std::string_view name) {
  const nlohmann::json* value = probes::member(doc, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

bool kept(const std::vector<std::string>& filter, const std::string& value) {
  return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
}

ProbeResult evaluateNetworkField(const Params& params, const Resource& resource) {
  if (resource.snapshot == nullptr) return probes::noInput("Docker host snapshot");
  const docker::JsonPath* path = params.path("path");
  if (path == nullptr) return probes::noInput("JSON path");
  const docker::DocFact& networks = resource.snapshot->engine.networks;
  if (auto gate = probes::unlessOk("/networks", networks.state, true)) return std::move(*gate);
  if (!networks.doc.is_array()) {
    return ProbeResult::notEvaluated("/networks is not a list of networks",
                                     model::NotEvaluatedCause::Malformed);
  }
  const auto drivers = params.list("driver");
  const auto names = params.list("name");
  ProbeResult result;
  for (const auto& network : networks.doc) {
    const std::string name = stringMember(network, "Name");
    const std::string driver = stringMember(network, "Driver");
    if (!kept(drivers, driver) || !kept(names, name)) continue;
    const std::string where = fmt::format("/networks {} {}", name, path->text());
    const std::size_t before = result.observations.size();
    probes::addJsonObservations(*path, network, where, {}, result.observations);
    for (std::size_t i = before; i < result.observations.size(); ++i) {
      auto& o = result.observations[i];
      o.display = fmt::format("network {} ({}): {}", name, driver, o.display);
    }
    if (result.observations.size() == before) {
      Observation o;
      o.absent = true;
      o.display = fmt::format("network {} ({}) has no {}", name, driver, path->text());
      o.where = where;
      result.observations.push_back(std::move(o));
    }
  }
  return result;
}

}  // namespace

const ProbeKind& networkFieldProbe() {
  static const ProbeKind kKind{"network-field", "a field of each Docker network", kParams,
                               &evaluateNetworkField, false};
  return kKind;
}

}  // namespace bulwark::checks
