// netpol-rule: how open each rule of a NetworkPolicy is in one direction. Per rule of
// spec.ingress (spec.egress): `allow-all` when it names no ports and its peers (`from`/`to`)
// are absent or empty — every source or destination — or include an ipBlock of the whole
// address space (0.0.0.0/0 or ::/0) without `except`; else `restricted`. Rules of a direction
// the policy's policyTypes (defaulted as the API server does) leave out have no effect and are
// not observed; a policy without rules observes nothing (it denies that direction).
// `where` is the rule's path with its manifest line.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "checks/k8s/network.h"
#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kDirections[] = {"ingress", "egress"};

constexpr ParamSpec kParams[] = {
    {"direction", ParamType::String, true, "ingress or egress", kDirections},
};

constexpr std::array<std::string_view, 2> kEverywhere = {"0.0.0.0/0", "::/0"};

bool nonEmptyList(const nlohmann::json* value) {
  return value != nullptr && value->is_array() && !value->empty();
}

// The peer admits every address: an ipBlock of the whole address space with no exceptions.
bool everywhere(const nlohmann::json& peer) {
  const nlohmann::json* block = probes::member(peer, "ipBlock");
  const nlohmann::json* cidr = block == nullptr ? nullptr : probes::member(*block, "cidr");
  if (cidr == nullptr || !cidr->is_string()) return false;
  return std::find(kEverywhere.begin(), kEverywhere.end(), cidr->get_ref<const std::string&>()) !=
             kEverywhere.end() &&
         !nonEmptyList(probes::member(*block, "except"));
}

// One rule's observation: its verdict and, as a note, why.
Observation judge(const nlohmann::json& rule, std::string_view peers_key) {
  Observation o;
  const auto verdict = [&](std::string value, std::string why) {
    o.values = {value};
    o.display = fmt::format("{} ({})", value, why);
  };
  if (!rule.is_object()) {
    o.unknown = true;
    o.note = "the rule is not a map";
    return o;
  }
  const nlohmann::json* peers = probes::member(rule, peers_key);
  if (peers != nullptr && !peers->is_array()) {
    o.unknown = true;
    o.note = fmt::format("`{}` is not a list", peers_key);
    return o;
  }
  if (nonEmptyList(probes::member(rule, "ports"))) {
    verdict("restricted", "ports listed");
  } else if (!nonEmptyList(peers)) {
    verdict("allow-all", fmt::format("no `{}`: every peer, every port", peers_key));
  } else if (std::any_of(peers->begin(), peers->end(), everywhere)) {
    verdict("allow-all", "ipBlock of every address without except, every port");
  } else {
    verdict("restricted", fmt::format("`{}` lists peers", peers_key));
  }
  return o;
}

ProbeResult evaluateNetpolRule(const Params& params, const Resource& resource) {
  auto found = probes::k8sObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& policy = *std::get<const k8s::Object*>(found);
  const bool egress = params.string("direction", "ingress") == "egress";
  const std::string_view key = egress ? "egress" : "ingress";
  const std::string path = fmt::format("spec.{}", key);
  const auto malformed = [&](const std::string& problem) {
    return ProbeResult::notEvaluated(
        fmt::format("{}{}: {}", policy.kind, policy.locationSuffix("spec"), problem),
        model::NotEvaluatedCause::Malformed);
  };
  const nlohmann::json* spec = probes::member(policy.doc, "spec");
  if (spec != nullptr && !spec->is_object()) return malformed("spec is not a map");
  const auto covers =
      k8s::policyCovers(policy, egress ? k8s::Direction::Egress : k8s::Direction::Ingress);
  if (!covers) return malformed(covers.error().message);
  ProbeResult result;
  result.looked_at = path + policy.locationSuffix(path);
  if (!*covers || spec == nullptr) return result;
  const nlohmann::json* rules = probes::member(*spec, key);
  if (rules == nullptr) return result;
  if (!rules->is_array()) return malformed(path + " is not a list");
  for (std::size_t i = 0; i < rules->size(); ++i) {
    Observation o = judge((*rules)[i], egress ? "to" : "from");
    const std::string where = fmt::format("{}[{}]", path, i);
    o.where = where + policy.locationSuffix(where);
    result.observations.push_back(std::move(o));
  }
  return result;
}

}  // namespace

const ProbeKind& netpolRuleProbe() {
  static const ProbeKind kKind{"netpol-rule",
                               "each rule of a NetworkPolicy in one direction: allow-all or "
                               "restricted",
                               kParams, &evaluateNetpolRule, false};
  return kKind;
}

}  // namespace bulwark::checks
