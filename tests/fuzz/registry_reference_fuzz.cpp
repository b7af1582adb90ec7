// Image references come from users and from registry webhooks: any bytes must parse or fail
// cleanly, and whatever parses must print back to a reference that parses to the same thing.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "image/registry/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using bulwark::image::registry::Reference;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ref = Reference::parse(text);
  if (!ref) return 0;
  auto again = Reference::parse(ref->str());
  if (!again || !(*again == *ref)) std::abort();  // the canonical form must round-trip
  (void)ref->apiHost();
  (void)ref->manifestReference();
  return 0;
}
