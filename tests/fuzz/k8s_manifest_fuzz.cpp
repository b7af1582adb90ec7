// Fuzzes the manifest reader: addManifestText then index(). Nothing may crash or hang, every
// object has a kind and a name, the object limit holds, every problem names its file, and the
// objects come out of index() in order with lookups that find them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

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
  return 0;
}
