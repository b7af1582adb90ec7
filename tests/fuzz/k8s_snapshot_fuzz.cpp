// Fuzzes the Kubernetes snapshot reader and the checks over what it reads: readK8sSnapshot,
// then every built-in check at the newest rules. Nothing may crash or hang; every object has a
// kind and a name; every problem is an input problem; an input result never passes; and what
// was read writes a snapshot that reads back to the same objects and running images.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/snapshot.h"

namespace k8s = bulwark::checks::k8s;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bulwark::core::Diagnostics diagnostics;
  (void)k8s::isK8sSnapshot(text);
  auto inventory = k8s::readK8sSnapshot(text, "fuzz.json", diagnostics);
  if (!inventory) {
    if (inventory.error().message.empty()) std::abort();
    return 0;
  }
  for (const auto& object : inventory->objects) {
    if (object.kind.empty() || object.name.empty()) std::abort();
    if (!object.doc.is_object()) std::abort();
    if (k8s::namespaced(object.kind) == object.ns.empty()) std::abort();
    if (inventory->find(object.kind, object.ns, object.name) == nullptr) std::abort();
  }
  for (const auto& problem : inventory->problems) {
    if (!problem.check_id.starts_with("BW-K8S-60") || problem.resource.empty()) std::abort();
  }
  static const auto checks = bulwark::checks::loadBuiltinChecks();
  if (!checks) std::abort();
  // With a scan server that answered nothing: the image-scan probe reads every workload's
  // images and the running digests, and an unanswered digest never passes.
  k8s::ImageScans scans;
  for (const auto& digest : k8s::inventoryDigests(*inventory)) {
    if (k8s::repositoryDigest("@" + digest) != digest) std::abort();
    scans.by_digest[digest] = {};
  }
  bulwark::checks::EvalContext context;
  context.image_scans = &scans;
  for (const auto& result : bulwark::checks::evaluateK8s(*checks, *inventory, context)) {
    if (result.check_id == "BW-K8S-407" && result.status == bulwark::model::CheckStatus::Pass) {
      std::abort();
    }
    if (result.resource_kind == "k8s-input" &&
        result.status != bulwark::model::CheckStatus::NotEvaluated) {
      std::abort();
    }
  }
  const std::string written = k8s::writeK8sSnapshot(*inventory, "2026-11-23T06:00:00Z", "fuzz");
  if (!k8s::isK8sSnapshot(written)) std::abort();
  bulwark::core::Diagnostics again;
  const auto reread = k8s::readK8sSnapshot(written, "fuzz.json", again);
  if (!reread || reread->objects.size() != inventory->objects.size()) std::abort();
  if (reread->running_images != inventory->running_images) std::abort();
  if (reread->kubelet_configz.size() != inventory->kubelet_configz.size()) std::abort();
  return 0;
}
