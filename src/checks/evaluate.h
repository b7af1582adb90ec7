// Evaluating checks on a resource: the public entry points for the CLI and the scan pipeline.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check.h"
#include "checks/resource.h"
#include "core/diagnostic.h"
#include "model/check.h"
#include "model/package.h"

namespace bulwark::checks {

namespace docker {
struct Snapshot;
struct Image;
}  // namespace docker

namespace k8s {
struct Inventory;
struct NodeSnapshot;
}  // namespace k8s

// What one run knows besides the resource: the `--input NAME=a,b` values that `{{NAME}}` in a
// test's `value` stands for (split on commas by the caller).
// For Kubernetes, the version whose rules apply (tests with `k8s_versions` outside it are
// dropped).
struct EvalContext {
  std::map<std::string, std::vector<std::string>> inputs;
  K8sVersion k8s_version;  // latest unless set
  // What bulwark serve knows of the workloads' images (--scan-server); null: not asked, and the
  // image-scan probe gives manual.
  const k8s::ImageScans* image_scans = nullptr;
};

// One result per check that lists the resource's kind in `applies_to`, in the set's order (a
// check that does not list the kind gives no result). A listed kind with "not-applicable: why"
// or "not-evaluated: why" gives that status — never a pass.
std::vector<model::CheckResult> evaluate(const CheckSet& set, const Resource& resource,
                                         const EvalContext& context = EvalContext{});

std::vector<model::CheckResult> evaluateDockerfile(const CheckSet& set,
                                                   const dockerfile::Dockerfile& file,
                                                   std::string_view path);

// `target.config` holds the image config and history; `files` the layer facts (pass a
// default ImageFiles when the layers were not scanned).
std::vector<model::CheckResult> evaluateImage(const CheckSet& set, const model::Target& target,
                                              const ImageFiles& files);

// The one check on one resource. A kind the check does not list gives not-applicable here
// ("the check does not apply to a dockerfile"); evaluate() leaves such checks out. Semantics
// (docs/dev/hardening-design.md §1.3): applies_when gates (a failing gate: not-applicable; an
// unknown gate never hides a failure), any/all groups, if_collected tests dropped when their
// input was not collected, inputs (not given: manual), manual checks (status Manual, `assist`
// the tests' verdict), and the fold fail > not-evaluated > manual > pass > not-applicable.
model::CheckResult evaluateCheck(const Check& check, const Resource& resource,
                                 const EvalContext& context = EvalContext{});

// A Docker host: the host checks once ("docker-host:<info Name or hostname>"), the container
// checks on every container ("container:<name>", by name), and the checks that list `image` on
// every image of the host ("image:<repo:tag or id12>", by name). The effective daemon config is
// computed once (its conflicts go to `diagnostics`). Deterministic order.
std::vector<model::CheckResult> evaluateDocker(const CheckSet& set,
                                               const docker::Snapshot& snapshot,
                                               const EvalContext& context,
                                               core::Diagnostics& diagnostics);

// Every object of a Kubernetes inventory: workloads (k8s-workload) and other checked kinds
// (k8s-object), each named by Object::resourceName(), in inventory order; checks with `kinds:`
// only on those kinds. Objects of kinds bulwark does not know get BW-K8S-601, the inventory's
// input problems BW-K8S-602/603 (when those checks are in the set), each not-evaluated with
// its cause. Results of manifest objects carry their location.
std::vector<model::CheckResult> evaluateK8s(const CheckSet& set, const k8s::Inventory& inventory,
                                            const EvalContext& context);

// One Kubernetes worker node (k8s-node, named "k8s-node:<hostname>"): the checks that list
// k8s-node once, with the kubelet's and kube-proxy's effective configurations computed once
// (their problems go to `diagnostics`) and the node's host files for the file probes.
// Defined in k8s/evaluate_node.cpp.
std::vector<model::CheckResult> evaluateK8sNode(const CheckSet& set, const k8s::NodeSnapshot& node,
                                                const EvalContext& context,
                                                core::Diagnostics& diagnostics);

namespace docker {

// An Engine image as a scan target: /images/{id}/json Config → ImageConfig, /history (newest
// first) → config.history oldest first, as image configs have it. `config.present` is false
// when the inspect document was not read; layers are never scanned here.
model::Target imageTargetOf(const Image& image);

// "image:<smallest repo:tag>", or "image:<12 hex of the id>" for an untagged image.
std::string imageResourceName(const Image& image);

}  // namespace docker

}  // namespace bulwark::checks
