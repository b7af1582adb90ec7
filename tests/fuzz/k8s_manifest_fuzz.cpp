// Fuzzes the manifest reader and the Kubernetes checks: addManifestText, index(), then every
// built-in check at the newest rules. Nothing may crash or hang, every object has a kind and a
// name, the object limit holds, every problem names its file, the objects come out of index()
// with lookups that find them, and an input problem never passes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "checks/check.h"
#include "checks/evaluate.h"
#include "checks/k8s/manifest.h"

namespace k8s = bulwark::checks::k8s;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  k8s::ManifestOptions options;
  options.max_objects = 64;
  options.max_documents = 256;
  options.max_nodes = 100'000;
  options.max_depth = 64;
  k8s::Inventory inventory;
  bulwark::core::Diagnostics diagnostics;
  k8s::addManifestText(text, "fuzz.yaml", options, inventory, diagnostics);
  inventory.index();
  if (inventory.objects.size() > options.max_objects) std::abort();
  for (const auto& object : inventory.objects) {
    if (object.kind.empty() || object.name.empty()) std::abort();
    if (!object.doc.is_object()) std::abort();
    if (object.origin.file != "fuzz.yaml") std::abort();
    if (k8s::namespaced(object.kind) == object.ns.empty()) std::abort();
    if (inventory.find(object.kind, object.ns, object.name) == nullptr) std::abort();
    // Every string in the document must print (valid UTF-8).
    (void)object.doc.dump();
  }
  for (const auto& problem : inventory.problems) {
    if (problem.file != "fuzz.yaml" || problem.reason.empty()) std::abort();
  }
  static const auto checks = bulwark::checks::loadBuiltinChecks();
  if (!checks) std::abort();
  for (const auto& result : bulwark::checks::evaluateK8s(*checks, inventory, {})) {
    if (result.resource_kind == "k8s-input" &&
        result.status != bulwark::model::CheckStatus::NotEvaluated) {
      std::abort();
    }
  }
  return 0;
}
