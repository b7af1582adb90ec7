// pod-container: a field of every container of a workload's pod spec (the defaulted view,
// k8s/object.h), visited as the Pod Security admission controller does: containers, then
// initContainers, then ephemeralContainers (`containers:` keeps some of them). Per container,
// one observation per value its path reaches (a fan-out path: one per element); when it
// reaches nothing, the pod annotation `annotation:` + the container's name stands in (AppArmor's
// `container.apparmor.security.beta.kubernetes.io/NAME`), then the `inherit:` path under the pod
// spec (a pod-level securityContext.runAsNonRoot applies to containers that set none) — the
// order in which the kubelet resolves a container's AppArmor profile. A container where none
// of them reaches anything gives one `absent` observation naming it, so the test's `absent:` judges
// each container; a pod with no containers at all observes nothing (the test's `missing:`).
// `where` is the container's field path from the object root with its manifest line.
#include <algorithm>

#include <fmt/format.h>

#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

using Named = docker::JsonPath::Named;

constexpr std::string_view kNormalise[] = {"none", "image-registry", "image-tag",
                                           "image-repository", "apparmor-type"};

constexpr ParamSpec kParams[] = {
    {"path", ParamType::Path, true, "JSON path under each container (securityContext.privileged)"},
    {"containers", ParamType::StringList, false,
     "which containers: regular, init, ephemeral (default: all three)", probes::kContainerKinds},
    {"inherit", ParamType::Path, false,
     "JSON path under the pod spec, read for a container whose own path reaches nothing"},
    {"annotation", ParamType::String, false,
     "pod annotation key prefix: the annotation PREFIX+container name is read for a container "
     "whose own path reaches nothing, before `inherit` (with `normalise`, only a value it "
     "translates)"},
    {"normalise", ParamType::String, false,
     "none (default); image-registry, image-tag or image-repository: that part of an image "
     "reference; apparmor-type: an AppArmor annotation value as its appArmorProfile.type "
     "(runtime/default → RuntimeDefault, localhost/P → Localhost, unconfined → Unconfined)",
     kNormalise},
};

std::string imageRegistry(const std::string& ref) {
  const auto registry = probes::splitImage(ref).registry;
  return registry.empty() ? std::string("docker.io") : std::string(registry);
}

// "digest" when the reference pins content (whatever its tag), else the tag ("" when none).
std::string imageTag(const std::string& ref) {
  const auto parts = probes::splitImage(ref);
  return parts.digest ? std::string("digest") : std::string(parts.tag);
}

std::string imageRepository(const std::string& ref) {
  return std::string(probes::splitImage(ref).repository);
}

// An AppArmor annotation value (k8s.io/api core/v1 DeprecatedAppArmorBeta*) as the
// securityContext.appArmorProfile.type it stands for; anything else (a type already, or a
// value the kubelet cannot parse) stays as written.
std::string appArmorType(const std::string& value) {
  if (value == "runtime/default") return "RuntimeDefault";
  if (value == "unconfined") return "Unconfined";
  if (value.starts_with("localhost/")) return "Localhost";
  return value;
}

probes::Normalise normaliser(std::string_view name) {
  if (name == "apparmor-type") return appArmorType;
  if (name == "image-registry") return imageRegistry;
  if (name == "image-tag") return imageTag;
  if (name == "image-repository") return imageRepository;
  return {};
}

// What one evaluation needs besides the container.
struct Visit {
  const k8s::Object& object;
  const docker::JsonPath& path;
  const docker::JsonPath* inherit;
  std::string_view annotation;  // key prefix; empty: none
  probes::Normalise normalise;
  std::vector<Observation>& out;

  void add(const Named& named, const std::string& where, std::string note) const {
    Observation o = probes::observationOf(named, normalise);
    if (probes::isDefaulted(object, named.path)) o.display += probes::kApiDefault;
    o.note = std::move(note);
    o.where = where;
    out.push_back(std::move(o));
  }

  // The pod annotation `annotation` + `container` stands in for the container's own field;
  // false when the pod sets none. With a normaliser, only a value it translates counts: the
  // kubelet ignores an AppArmor annotation it cannot parse ("", "RuntimeDefault") and goes on
  // to the pod's field.
  bool fromAnnotation(const std::string& container, const std::string& field) const {
    const nlohmann::json* meta = object.podMeta();
    const nlohmann::json* annotations =
        meta == nullptr ? nullptr : probes::member(*meta, "annotations");
    const std::string key = fmt::format("{}{}", annotation, container);
    const nlohmann::json* value =
        annotations == nullptr ? nullptr : probes::member(*annotations, key);
    if (value == nullptr || value->is_null()) return false;
    const Named named{fmt::format("annotations[{}]", key), value, {}};
    if (normalise && (!value->is_string() ||
                      normalise(value->get<std::string>()) == value->get<std::string>())) {
      return false;
    }
    const std::string where = probes::joinPath(object.pod_meta_path, named.path);
    add(named, field,
        fmt::format("from the pod annotation {}{}", where, object.locationSuffix(where)));
    return true;
  }

  // `relative`: the container's path under the pod spec ("initContainers[name=init]").
  void container(const nlohmann::json& doc, const std::string& relative) const {
    const std::vector<Named> own = path.resolveNamed(doc, relative);
    for (const auto& named : own) {
      const std::string where = probes::joinPath(object.pod_spec_path, named.path);
      add(named, where + object.locationSuffix(where), {});
    }
    if (!own.empty()) return;
    const std::string full = probes::joinPath(object.pod_spec_path, relative);
    const std::string location = object.locationSuffix(full);
    const std::string field = fmt::format("{}.{}", full, path.text());
    const auto name = probes::member(doc, "name");
    const bool named = name != nullptr && name->is_string();
    if (!annotation.empty() && named &&
        fromAnnotation(name->get<std::string>(), field + location)) {
      return;
    }
    if (inherit != nullptr) {
      const std::vector<Named> pod = inherit->resolveNamed(*object.podSpec());
      for (const auto& named : pod) {
        add(named, field + location,
            fmt::format("inherited from the pod: {}",
                        probes::joinPath(object.pod_spec_path, named.path)));
      }
      if (!pod.empty()) return;
    }
    Observation o;
    o.absent = true;
    // The where names the field; the display says which container and that it is unset.
    o.display =
        fmt::format("not set in container {}{}{}", named ? name->get<std::string>() : relative,
                    annotation.empty() ? "" : ", its pod annotation",
                    inherit != nullptr ? " nor on the pod" : "");
    o.where = field + location;
    out.push_back(std::move(o));
  }
};

ProbeResult evaluatePodContainer(const Params& params, const Resource& resource) {
  const docker::JsonPath* path = params.path("path");
  if (path == nullptr) return probes::noInput("JSON path");
  auto found = probes::podObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& object = *std::get<const k8s::Object*>(found);
  const auto chosen = params.list("containers");
  ProbeResult result;
  result.looked_at = fmt::format("{} containers {}{}", object.pod_spec_path, path->text(),
                                 object.locationSuffix(object.pod_spec_path));
  const std::string_view annotation = params.string("annotation");
  const Visit visit{object,
                    *path,
                    params.path("inherit"),
                    annotation,
                    normaliser(params.string("normalise")),
                    result.observations};
  if (auto malformed = probes::forEachContainer(
          object, chosen, [&](const nlohmann::json& container, const std::string& relative) {
            visit.container(container, relative);
          })) {
    return std::move(*malformed);
  }
  return result;
}

}  // namespace

const ProbeKind& podContainerProbe() {
  static const ProbeKind kKind{"pod-container", "a field of every container of a workload", kParams,
                               &evaluatePodContainer, false};
  return kKind;
}

}  // namespace bulwark::checks
