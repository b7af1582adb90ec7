// The stored inventory is read back from the service's database (which another process, a
// restore or an attacker with database access may have written): decoding is a parser of
// untrusted text. Whatever decodes must encode and decode again to the same encoding.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pipeline/service/finding_records.h"
#include "pipeline/service/inventory_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t count = 0;
  auto inventory = bulwark::pipeline::service::decodeInventory(text, &count);
  if (inventory) {
    const std::string once =
        bulwark::pipeline::service::encodeInventory(*inventory, {.files = true});
    auto again = bulwark::pipeline::service::decodeInventory(once);
    if (!again) std::abort();
    if (bulwark::pipeline::service::encodeInventory(*again, {.files = true}) != once) {
      std::abort();
    }
    // What the encoder wrote, the lookup decoder reads the same way.
    auto lookups = bulwark::pipeline::service::decodeLookupInventory(once);
    if (!lookups || lookups->packages.size() != again->packages.size() ||
        lookups->distro.id != again->distro.id) {
      std::abort();
    }
    for (std::size_t i = 0; i < again->packages.size(); ++i) {
      if (lookups->packages[i].name != again->packages[i].name ||
          lookups->packages[i].source_name != again->packages[i].source_name ||
          lookups->packages[i].type != again->packages[i].type) {
        std::abort();
      }
    }
  }
  (void)bulwark::pipeline::service::decodeLookupInventory(text);
  // The same bytes as a stored finding's detail.
  bulwark::store::FindingRecord record;
  record.detail_json = std::string(text);
  (void)bulwark::pipeline::service::fromFindingRecord(record);
  return 0;
}
