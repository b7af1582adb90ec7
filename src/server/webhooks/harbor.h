// Harbor webhooks (goharbor.io docs, "Configure Webhook Notifications"), in both payload formats
// a Harbor project's webhook policy can choose:
//
//   Default:      {"type": "PUSH_ARTIFACT", "occur_at": 1586922308, "operator": "admin",
//                  "event_data": {"resources": [{"digest", "tag", "resource_url"}],
//                                 "repository": {"name", "namespace", "repo_full_name",
//                                                "repo_type", "date_created"}}}
//   CloudEvents:  {"specversion": "1.0", "id", "source", "type": "harbor.artifact.pushed",
//                  "datacontenttype": "application/json", "time", "operator",
//                  "data": {"resources": […], "repository": {…}}}
//
// Only artifact pushes become PushEvents; other event types (pull, delete, scan, quota,
// replication) are counted as ignored. The registry host is the host of each resource_url
// ("hub.harbor.com/test-webhook/debian:latest"). For a push by digest Harbor repeats the
// digest as the tag: such a tag is dropped.
#pragma once

#include <string_view>

#include "core/result.h"
#include "server/webhooks/push_event.h"

namespace bulwark::server::webhooks {

// `registry` is the registry name the webhook is bound to; when empty, the host of each
// resource_url names it.
core::Result<PushEvents> parseHarborWebhook(std::string_view body, std::string_view registry = {});

}  // namespace bulwark::server::webhooks
