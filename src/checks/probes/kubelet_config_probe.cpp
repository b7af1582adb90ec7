// kubelet-config / proxy-config: an option of a node's kubelet (or kube-proxy) effective
// configuration — the flag, else the config file, else the default, which for a few kubelet
// options depends on whether a config file is in use (k8s/kubelet_config.h). Scalars give one
// observation, lists one list observation or with `element: true` one per element. `where`
// says which source decided. No such process on the node: nothing observed (the test's
// `missing:` decides); a source that could not be read: not evaluated with its cause.
#include <fmt/format.h>

#include "checks/k8s/kubelet_config.h"
#include "checks/k8s/node_snapshot.h"
#include "checks/probes/common.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks {

namespace {

using k8s::Component;

std::span<const std::string_view> optionKeys(Component component) {
  static const auto kKeys = [] {
    std::array<std::vector<std::string_view>, 2> keys;
    for (const auto& option : k8s::kubeOptions()) {
      keys.at(option.component == Component::Kubelet ? 0 : 1).push_back(option.key);
    }
    return keys;
  }();
  return kKeys.at(component == Component::Kubelet ? 0 : 1);
}

ProbeResult evaluateComponent(Component component, const Params& params, const Resource& resource) {
  const std::string_view name = k8s::toString(component);
  const std::string_view key = params.string("option");
  const k8s::KubeOption* option = k8s::findKubeOption(component, key);
  if (option == nullptr) {
    return ProbeResult::notEvaluated(fmt::format("{} has no option {}", name, key),
                                     model::NotEvaluatedCause::MissingInput);
  }
  const k8s::ComponentConfig* config =
      component == Component::Kubelet ? resource.kubelet : resource.kube_proxy;
  if (resource.node == nullptr || config == nullptr) {
    return probes::noInput(fmt::format("{} configuration of a node", name));
  }
  const auto& process =
      component == Component::Kubelet ? resource.node->kubelet : resource.node->proxy;
  if (process.state.status == docker::FactStatus::Missing) {
    ProbeResult none;  // no such process: the test's `missing:` decides
    none.looked_at = fmt::format("no {} process on the node", name);
    return none;
  }
  const docker::OptionValue* value = config->find(key);
  if (value == nullptr) {
    return ProbeResult::notEvaluated(fmt::format("{} option {} was not resolved", name, key),
                                     model::NotEvaluatedCause::MissingInput);
  }
  if (value->origin == docker::OptionValue::Origin::Unknown) {
    return ProbeResult::notEvaluated(
        fmt::format("{} option {} is unknown: {}", name, key,
                    probes::stateText(value->unread.source.empty() ? std::string_view("its source")
                                                                   : value->unread.source,
                                      value->unread)),
        probes::causeFor(value->unread.status));
  }
  ProbeResult result;
  result.looked_at = value->where;
  if (option->type == k8s::KubeOptionType::List) {
    if (params.flag("element")) {
      for (const auto& element : value->values) {
        Observation o;
        o.values = {element};
        o.display = probes::shorten(fmt::format("{} {}", key, probes::shown(element)), 200);
        o.where = value->where;
        result.observations.push_back(std::move(o));
      }
      return result;
    }
    Observation o;
    o.is_list = true;
    o.values = value->values;
    o.display = probes::shorten(fmt::format("{}={}", key, probes::shownList(value->values)), 200);
    o.where = value->where;
    result.observations.push_back(std::move(o));
    return result;
  }
  if (value->values.empty()) return result;
  Observation o;
  o.values = {value->values.front()};
  o.display = probes::shorten(
      fmt::format("{}={}{}", key, probes::shown(value->values.front()),
                  option->type == k8s::KubeOptionType::Duration ? " (seconds)" : ""),
      200);
  o.where = value->where;
  result.observations.push_back(std::move(o));
  return result;
}

ProbeResult evaluateKubelet(const Params& params, const Resource& resource) {
  return evaluateComponent(Component::Kubelet, params, resource);
}

ProbeResult evaluateProxy(const Params& params, const Resource& resource) {
  return evaluateComponent(Component::Proxy, params, resource);
}

}  // namespace

const ProbeKind& kubeletConfigProbe() {
  static const ParamSpec kParams[] = {
      {"option", ParamType::String, true,
       "a kubelet_options.def key: the config-file path (readOnlyPort, "
       "authentication.anonymous.enabled, featureGates.RotateKubeletServerCertificate, …) or a "
       "flag-only name (hostname-override)",
       optionKeys(Component::Kubelet)},
      {"element", ParamType::Boolean, false,
       "lists: one observation per element instead of one list"},
  };
  static const ProbeKind kKind{"kubelet-config",
                               "an option of the node's kubelet configuration (flag > config "
                               "file > default)",
                               kParams, &evaluateKubelet, false};
  return kKind;
}

const ProbeKind& proxyConfigProbe() {
  static const ParamSpec kParams[] = {
      {"option", ParamType::String, true,
       "a kube-proxy key of kubelet_options.def (metricsBindAddress, "
       "clientConnection.kubeconfig)",
       optionKeys(Component::Proxy)},
      {"element", ParamType::Boolean, false,
       "lists: one observation per element instead of one list"},
  };
  static const ProbeKind kKind{"proxy-config",
                               "an option of the node's kube-proxy configuration (flag > config "
                               "file > default)",
                               kParams, &evaluateProxy, false};
  return kKind;
}

}  // namespace bulwark::checks
