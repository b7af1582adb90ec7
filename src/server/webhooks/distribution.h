// Docker Distribution (registry:2, Debian's docker-registry) notifications: the events envelope
// the registry POSTs to a `notifications: endpoints:` URL (distribution/distribution
// docs/notifications.md), media type application/vnd.docker.distribution.events.v1+json:
//
//   {"events": [{"id", "timestamp", "action": "push" | "pull" | "delete" | "mount",
//                "target": {"mediaType", "digest", "size", "length", "repository", "url", "tag"},
//                "request": {"id", "addr", "host", "method", "useragent"},
//                "actor": {"name"}, "source": {"addr", "instanceID"}}, …]}
//
// Only pushes of manifests and indexes become PushEvents; blob pushes (layer and config media
// types), pulls, mounts and deletes are counted as ignored.
#pragma once

#include <string_view>

#include "core/result.h"
#include "server/webhooks/push_event.h"

namespace bulwark::server::webhooks {

inline constexpr std::string_view kDistributionEventsMediaType =
    "application/vnd.docker.distribution.events.v1+json";

// Whether a Content-Type names the events envelope (v1, or v2 as newer docs spell it),
// parameters and case ignored.
bool isDistributionEventsMediaType(std::string_view content_type);

// Parses an events envelope. `registry` is the registry name the endpoint is bound to; when
// empty, each event's request.host names its registry. Each event carries the request host.
core::Result<PushEvents> parseDistributionEvents(std::string_view body,
                                                 std::string_view registry = {});

}  // namespace bulwark::server::webhooks
