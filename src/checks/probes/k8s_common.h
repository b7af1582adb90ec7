// What the Kubernetes probes share (docs/dev/k8s-design.md §3): finding the object a probe
// reads (a state that is not Ok is never an observation that could pass), reaching values
// with paths written for people ("spec.template.spec.containers[name=web].ports[0].hostPort"),
// keeping only the members whose key matches `key:`, and turning each value reached into an
// observation whose `where` is its path from the object root plus " (file:line)".
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/docker/json_path.h"
#include "checks/k8s/object.h"
#include "checks/probes/docker_common.h"

namespace bulwark::checks::probes {

// The object of a k8s-object or k8s-workload resource, or the result to return: no object →
// not evaluated (MissingInput); a state that is not Ok → not evaluated with its cause.
using ObjectOrResult = std::variant<const k8s::Object*, ProbeResult>;
ObjectOrResult k8sObject(const Resource& resource);

// As k8sObject, for the pod probes: the resource must be a workload whose pod spec view exists
// (else not evaluated, Malformed, "spec.template.spec is missing").
ObjectOrResult podObject(const Resource& resource);

// "spec.template.spec" + "volumes[name=data]" → "spec.template.spec.volumes[name=data]"; a
// relative path that starts with '[' (a member whose name has dots) joins without the dot.
std::string joinPath(std::string_view base, std::string_view relative);

// Every value `path` reaches in `doc`, each with its path (`prefix` starts them). With `key`
// (the `key:` parameter, may be null) the path must end in `{*}` (keep the members whose key
// matches) or `{keys}` (keep the matching keys); any other path with `key` is not evaluated.
// The JSON rule holds: null counts as absent, so nothing is reached through it.
using NamedOrResult = std::variant<std::vector<docker::JsonPath::Named>, ProbeResult>;
NamedOrResult reachValues(const docker::JsonPath& path, const nlohmann::json& doc,
                          std::string_view prefix, const re2::RE2* key);

// One observation of a reached value, as addJsonObservations makes them: an array is a list
// observation of its (non-null) elements, a {keys} result the key, anything else a scalar
// (docker::scalarText); `normalise` (may be empty) rewrites each value.
Observation observationOf(const docker::JsonPath::Named& named, const Normalise& normalise);

// Whether `relative` (a path under the pod spec, as resolveNamed writes it) is, or lies
// inside, a value the pod-spec view's API defaults set.
bool isDefaulted(const k8s::Object& object, std::string_view relative);

// Appended to the display of a defaulted value.
inline constexpr std::string_view kApiDefault = " (API default)";

// An image reference split as written, without docker's completions (no `library/`, no
// `latest`): evidence shows what the manifest says, and a reference that would not parse
// (a template placeholder) still has parts. The first component is a registry when it has a
// '.' or ':' or is `localhost`.
struct ImageParts {
  std::string_view registry;  // empty: docker.io
  std::string_view repository;
  std::string_view tag;
  bool digest = false;
};

ImageParts splitImage(std::string_view ref);

// The `containers:` parameter of the per-container probes: which lists of the pod spec to visit.
inline constexpr std::string_view kContainerKinds[] = {"regular", "init", "ephemeral"};

// Each container of a workload's pod spec in the order the Pod Security admission controller
// visits them — containers, initContainers, ephemeralContainers — keeping the kinds in `chosen`
// (kContainerKinds; empty: all three). `visit` gets the container and its path under the pod
// spec ("initContainers[name=init]"). A list that is not a list cannot be read, and skipping it
// could pass a bad pod: the not-evaluated result (Malformed) to return; nullopt otherwise.
std::optional<ProbeResult> forEachContainer(
    const k8s::Object& object, const std::vector<std::string>& chosen,
    const std::function<void(const nlohmann::json& container, const std::string& relative)>& visit);

// The workloads a Service sends traffic to (k8s/network.h), with the selector as evidence
// writes it ("Service selector app=web"); or why they cannot be known: not evaluated (workload
// lists not read, a malformed selector, a workload that could not be read) or not applicable
// (no selector: Endpoints managed by hand; a selector matching no workload of the input).
struct ServiceBackends {
  std::vector<const k8s::Object*> workloads;
  std::string via;
};
std::variant<ServiceBackends, ProbeResult> serviceBackends(const Resource& resource,
                                                           const k8s::Object& service);

}  // namespace bulwark::checks::probes
