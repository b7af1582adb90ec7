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
  }
  // The same bytes as a stored finding's detail.
  bulwark::store::FindingRecord record;
  record.detail_json = std::string(text);
  (void)bulwark::pipeline::service::fromFindingRecord(record);
  return 0;
}
