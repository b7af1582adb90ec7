// Fuzzes the `bulwark db update` state file parser (<db>.update-state.json is read back on
// every run and may be damaged or edited). A state that parses must serialize and parse again
// to the same entries. Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vulndb/update/state.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bulwark::vulndb::update;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto state = parseUpdateState(input);
  if (!state) {
    if (state.error().message.empty()) std::abort();
    return 0;
  }
  if (state->feeds.size() > kMaxStateEntries) std::abort();
  const auto again = parseUpdateState(serializeUpdateState(*state));
  if (!again || again->feeds.size() != state->feeds.size()) std::abort();
  for (const auto& [url, feed] : state->feeds) {
    const auto it = again->feeds.find(url);
    if (it == again->feeds.end() || it->second.etag != feed.etag ||
        it->second.last_modified != feed.last_modified || it->second.bytes != feed.bytes) {
      std::abort();
    }
  }
  return 0;
}
