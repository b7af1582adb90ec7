// The JSON types the API server decodes the fields checks read into (k8s.io/api Go types):
// kubectl and the API server refuse an object whose `port` is "${PORT}", whose
// `privileged` is the string "true" or whose label value is the number 1 ("json: cannot
// unmarshal string into Go struct field ServicePort.spec.ports.port of type int32"). A
// manifest object like that is not evaluated at all (BW-K8S-602, docs/checks.md), rather than
// judged on the fields that happen to read well. Only the fields below are known: metadata
// labels and annotations of every object and pod template, the pod spec fields the
// workload checks read (per container too), Service ports and selector, replicas, role rules,
// binding subjects and roleRef, NetworkPolicy ports and Ingress hosts. Null is the Go zero
// value and always accepted; a whole-number float (80.0) decodes into an integer as it does
// through sigs.k8s.io/yaml.
#pragma once

#include <optional>
#include <string>

#include "checks/k8s/object.h"

namespace bulwark::checks::k8s {

// The first known field of `object` whose value the API server would refuse to decode, as
// "spec.ports[0].port is a string (${PORT}), not an integer"; nullopt when there is none.
// Values are shown (shortened) for scalars only, and never for a Secret (not a checked kind).
[[nodiscard]] std::optional<std::string> fieldTypeProblem(const Object& object);

}  // namespace bulwark::checks::k8s
