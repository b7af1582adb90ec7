// evaluateK8sNode: the CIS worker-node checks on one node snapshot (docs/dev/k8s-design.md §5).
#include "checks/evaluate.h"
#include "checks/k8s/kubelet_config.h"
#include "checks/k8s/node_snapshot.h"

namespace bulwark::checks {

namespace {

k8s::ComponentConfig configOf(k8s::Component component, const k8s::NodeSnapshot::Process& process,
                              const k8s::NodeSnapshot::Config& config,
                              core::Diagnostics& diagnostics) {
  k8s::ComponentInputs inputs;
  inputs.argv = &process.argv;
  inputs.argv_state = process.state;
  inputs.config_path = config.path;
  inputs.config_state = config.state;
  inputs.config_doc = config.state.ok() ? &config.doc : nullptr;
  inputs.effective = config.effective;
  return k8s::effectiveComponentConfig(component, inputs, diagnostics);
}

}  // namespace

std::vector<model::CheckResult> evaluateK8sNode(const CheckSet& set, const k8s::NodeSnapshot& node,
                                                const EvalContext& context,
                                                core::Diagnostics& diagnostics) {
  const k8s::ComponentConfig kubelet =
      configOf(k8s::Component::Kubelet, node.kubelet, node.kubelet_config, diagnostics);
  const k8s::ComponentConfig proxy =
      configOf(k8s::Component::Proxy, node.proxy, node.proxy_config, diagnostics);
  Resource resource;
  resource.kind = ResourceKind::K8sNode;
  resource.name = k8s::nodeResourceName(node);
  resource.snapshot = &node.host;
  resource.node = &node;
  resource.kubelet = &kubelet;
  resource.kube_proxy = &proxy;
  return evaluate(set, resource, context);
}

}  // namespace bulwark::checks
