// pod-capabilities: the capabilities each container of a workload ends up with, worked out as
// containerd, CRI-O and Docker do from securityContext.capabilities: the runtime's default set;
// `add: [ALL]` gives every capability, then `drop: [ALL]` removes every one, then the other
// names are added and dropped one by one. Names are read in any case, as the runtimes
// upper-case them. One list observation per container (containers, initContainers,
// ephemeralContainers; `containers:` keeps some), its values sorted: with `set: effective` (the
// default) the capabilities it ends up with among the defaults plus those added ("ALL" when
// every capability is); with `set: not-dropped` the defaults it does not drop, whatever it adds
// back on purpose. A capability list that is
// not a list of strings is unknown: the runtime's reading of it cannot be told. A pod without
// containers observes nothing (the test's `missing:`).
#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

constexpr std::string_view kSets[] = {"effective", "not-dropped"};

constexpr ParamSpec kParams[] = {
    {"containers", ParamType::StringList, false,
     "which containers: regular, init, ephemeral (default: all three)", probes::kContainerKinds},
    {"set", ParamType::String, false,
     "effective (default): what the container ends up with; not-dropped: the defaults it does "
     "not drop",
     kSets},
};

// The default set of containerd and Docker (CRI-O's is a subset of it).
constexpr std::string_view kDefaults[] = {
    "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER", "FSETID",  "KILL",   "MKNOD",
    "NET_BIND_SERVICE", "NET_RAW", "SETFCAP",      "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"};

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// The upper-cased names of capabilities.add or .drop; nullopt when the member is there but is
// not a list of strings. Null and absent are an empty list.
std::optional<std::vector<std::string>> names(const nlohmann::json* capabilities,
                                              std::string_view member) {
  std::vector<std::string> out;
  const nlohmann::json* list =
      capabilities == nullptr ? nullptr : probes::member(*capabilities, member);
  if (list == nullptr || list->is_null()) return out;
  if (!list->is_array()) return std::nullopt;
  for (const auto& item : *list) {
    if (!item.is_string()) return std::nullopt;
    out.push_back(upper(item.get<std::string>()));
  }
  return out;
}

Observation observe(const k8s::Object& object, const nlohmann::json& container,
                    const std::string& relative, bool effective) {
  const std::string field =
      probes::joinPath(object.pod_spec_path, relative + ".securityContext.capabilities");
  Observation o;
  o.is_list = true;
  o.where = field + object.locationSuffix(field);
  const auto* name = probes::member(container, "name");
  const std::string who =
      name != nullptr && name->is_string() ? name->get<std::string>() : relative;
  const nlohmann::json* context = probes::member(container, "securityContext");
  const nlohmann::json* capabilities = context != nullptr && context->is_object()
                                           ? probes::member(*context, "capabilities")
                                           : nullptr;
  if (capabilities != nullptr && !capabilities->is_null() && !capabilities->is_object()) {
    capabilities = nullptr;
    o.unknown = true;
  }
  const auto add = names(capabilities, "add");
  const auto drop = names(capabilities, "drop");
  if (o.unknown || !add || !drop) {
    o.unknown = true;
    o.note = fmt::format("container {}: capabilities is not an object of name lists", who);
    return o;
  }
  const auto has_all = [](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), "ALL") != list.end();
  };
  std::set<std::string, std::less<>> kept(std::begin(kDefaults), std::end(kDefaults));
  if (effective && has_all(*add)) kept.insert("ALL");
  if (has_all(*drop)) kept.clear();
  for (const auto& c : *add) {
    if (effective && c != "ALL") kept.insert(c);
  }
  for (const auto& c : *drop) {
    kept.erase(c);
  }
  o.values.assign(kept.begin(), kept.end());
  if (!effective) {
    o.display = kept.empty()
                    ? fmt::format("container {} drops every default", who)
                    : fmt::format("container {} does not drop {}", who, fmt::join(o.values, ", "));
  } else {
    o.display = kept.empty() ? fmt::format("container {} keeps none", who)
                             : fmt::format("container {} keeps {}", who, fmt::join(o.values, ", "));
  }
  return o;
}

ProbeResult evaluatePodCapabilities(const Params& params, const Resource& resource) {
  auto found = probes::podObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& object = *std::get<const k8s::Object*>(found);
  const auto chosen = params.list("containers");
  const bool effective = params.string("set", "effective") != "not-dropped";
  ProbeResult result;
  result.looked_at = fmt::format("{} containers securityContext.capabilities{}",
                                 object.pod_spec_path, object.locationSuffix(object.pod_spec_path));
  if (auto malformed = probes::forEachContainer(
          object, chosen, [&](const nlohmann::json& container, const std::string& relative) {
            result.observations.push_back(observe(object, container, relative, effective));
          })) {
    return std::move(*malformed);
  }
  return result;
}

}  // namespace

const ProbeKind& podCapabilitiesProbe() {
  static const ProbeKind kKind{"pod-capabilities",
                               "the capabilities each container of a workload ends up with",
                               kParams, &evaluatePodCapabilities, false};
  return kKind;
}

}  // namespace bulwark::checks
