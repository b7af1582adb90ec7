// ingress-tls: whether an Ingress serves each of its hosts over TLS. Per spec.rules[*] (its
// host, or `*` for a rule without one — every host): `covered` when a spec.tls[*].hosts[*]
// entry is that host or a wildcard covering it (`*.example.com` covers `a.example.com`, one
// label deep, as TLS certificates do), else `uncovered`. An Ingress without rules observes its
// default backend (spec.defaultBackend, or spec.backend of extensions/v1beta1): `covered` when
// spec.tls has any entry. `where` is the rule's host path with its manifest line.
#include <algorithm>

#include <fmt/format.h>

#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

struct TlsHost {
  std::string host;
  std::string where;  // "tls[0]"
};

bool covers(std::string_view tls, std::string_view host) {
  if (tls == host) return true;
  if (!tls.starts_with("*.")) return false;
  const std::string_view domain = tls.substr(1);  // ".example.com"
  if (host.size() <= domain.size() || !host.ends_with(domain)) return false;
  const std::string_view label = host.substr(0, host.size() - domain.size());
  return label.find('.') == std::string_view::npos && label != "*";
}

ProbeResult evaluateIngressTls(const Params& /*params*/, const Resource& resource) {
  auto found = probes::k8sObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& ingress = *std::get<const k8s::Object*>(found);
  const auto malformed = [&](std::string_view what) {
    return ProbeResult::notEvaluated(
        fmt::format("{}{} is not a list", what, ingress.locationSuffix(what)),
        model::NotEvaluatedCause::Malformed);
  };
  ProbeResult result;
  result.looked_at = "spec.rules" + ingress.locationSuffix("spec.rules");
  const nlohmann::json* spec = probes::member(ingress.doc, "spec");
  if (spec == nullptr || !spec->is_object()) return result;
  std::vector<TlsHost> tls_hosts;
  bool has_tls = false;
  if (const nlohmann::json* tls = probes::member(*spec, "tls"); tls != nullptr) {
    if (!tls->is_array()) return malformed("spec.tls");
    has_tls = !tls->empty();
    for (std::size_t i = 0; i < tls->size(); ++i) {
      const nlohmann::json* hosts = probes::member((*tls)[i], "hosts");
      if (hosts == nullptr || !hosts->is_array()) continue;
      for (const auto& host : *hosts) {
        if (host.is_string())
          tls_hosts.push_back({host.get<std::string>(), fmt::format("tls[{}]", i)});
      }
    }
  }
  const nlohmann::json* rules = probes::member(*spec, "rules");
  if (rules != nullptr && !rules->is_array()) return malformed("spec.rules");
  if (rules == nullptr || rules->empty()) {
    const bool v1 = probes::member(*spec, "defaultBackend") != nullptr;
    const std::string where = v1 ? "spec.defaultBackend" : "spec.backend";
    if (!v1 && probes::member(*spec, "backend") == nullptr) return result;
    Observation o;
    o.values = {has_tls ? "covered" : "uncovered"};
    o.display =
        has_tls ? "default backend: spec.tls has entries" : "default backend: no spec.tls entry";
    o.where = where + ingress.locationSuffix(where);
    result.observations.push_back(std::move(o));
    return result;
  }
  for (std::size_t i = 0; i < rules->size(); ++i) {
    const nlohmann::json* host = probes::member((*rules)[i], "host");
    const std::string name =
        host != nullptr && host->is_string() && !host->get_ref<const std::string&>().empty()
            ? host->get<std::string>()
            : "*";
    const auto match = std::find_if(tls_hosts.begin(), tls_hosts.end(),
                                    [&](const TlsHost& t) { return covers(t.host, name); });
    Observation o;
    o.values = {match != tls_hosts.end() ? "covered" : "uncovered"};
    o.display = match != tls_hosts.end()
                    ? fmt::format("{}: covered by {} {}", name, match->where, match->host)
                    : fmt::format("{}: no spec.tls entry lists it", name);
    const std::string where = fmt::format("spec.rules[{}]{}", i, host != nullptr ? ".host" : "");
    o.where = where + ingress.locationSuffix(where);
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& ingressTlsProbe() {
  static const ProbeKind kKind{"ingress-tls",
                               "whether each host of an Ingress is served over TLS",
                               {},
                               &evaluateIngressTls,
                               false};
  return kKind;
}

}  // namespace bulwark::checks
