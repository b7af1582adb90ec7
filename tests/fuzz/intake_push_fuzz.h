// Shared by the push webhook fuzz targets: whatever a parser returns must be valid.
#pragma once

#include <cstdlib>

#include "server/webhooks/push_event.h"

namespace bulwark::fuzz {

inline void checkPushEvents(const server::webhooks::PushEvents& parsed) {
  using namespace server::webhooks;
  if (parsed.events.size() > kMaxEventsPerBody) std::abort();
  if (parsed.diagnostics.size() > kMaxDiagnosticsPerBody + 1) std::abort();
  for (const auto& event : parsed.events) {
    if (!validRepository(event.repository) || !validDigest(event.digest)) std::abort();
    if (!event.tag.empty() && !validTag(event.tag)) std::abort();
    if (event.registry.empty() || event.source.empty()) std::abort();
    if (!event.request_host.empty() && !validHost(event.request_host)) std::abort();
  }
  if (parsed.events.size() + parsed.duplicates + parsed.malformed + parsed.ignored >
      parsed.received) {
    std::abort();
  }
}

}  // namespace bulwark::fuzz
