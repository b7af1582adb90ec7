// The generic push webhook, for registries and CI systems without a notification format of
// their own: one object or an array of them (at most kMaxEventsPerBody),
//
//   {"registry": "local", "repository": "library/debian",
//    "digest": "sha256:<64 hex>", "tag": "12", "media_type": "…"}
//
// "tag" and "media_type" are optional; "registry" is optional when the caller binds the webhook
// to a registry (then a different "registry" in the body is refused as malformed).
#pragma once

#include <string_view>

#include "core/result.h"
#include "server/webhooks/push_event.h"

namespace bulwark::server::webhooks {

core::Result<PushEvents> parseGenericWebhook(std::string_view body, std::string_view registry = {});

}  // namespace bulwark::server::webhooks
