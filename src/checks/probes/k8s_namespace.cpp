// k8s-namespace: the namespace an object lives in — metadata.namespace, or the one given with
// `-n` when the manifest names none (evidence says so). A manifest without a namespace read
// without `-n` lands wherever the kubectl context points when it is applied: nothing is
// observed, and the test's `missing:` decides. Cluster-scoped objects observe nothing either.
#include <fmt/format.h>

#include "checks/probes/k8s_common.h"

namespace bulwark::checks {

namespace {

ProbeResult evaluateK8sNamespace(const Params& /*params*/, const Resource& resource) {
  auto found = probes::k8sObject(resource);
  if (auto* gate = std::get_if<ProbeResult>(&found)) return std::move(*gate);
  const k8s::Object& object = *std::get<const k8s::Object*>(found);
  ProbeResult result;
  const std::string where = "metadata.namespace" + object.locationSuffix("metadata");
  if (object.ns.empty() || object.namespace_defaulted) {
    result.looked_at =
        object.ns.empty()
            ? where + " (a cluster-scoped object)"
            : where + " (not set: kubectl puts the object in its context's namespace)";
    return result;
  }
  const auto meta = object.doc.find("metadata");
  const bool written = meta != object.doc.end() && meta->is_object() && meta->contains("namespace");
  Observation o;
  o.values = {object.ns};
  o.where = written ? where : fmt::format("-n {} (the manifest names no namespace)", object.ns);
  result.observations.push_back(std::move(o));
  return result;
}

}  // namespace

const ProbeKind& k8sNamespaceProbe() {
  static const ProbeKind kKind{"k8s-namespace",
                               "the namespace a Kubernetes object lives in",
                               {},
                               &evaluateK8sNamespace,
                               false};
  return kKind;
}

}  // namespace bulwark::checks
