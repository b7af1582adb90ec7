#include "server/webhooks/distribution.h"

#include <fmt/format.h>

#include "core/text.h"
#include "server/webhooks/json_body.h"

namespace bulwark::server::webhooks {

namespace {

constexpr std::string_view kWhat = "distribution notification";

void readEvent(const nlohmann::json& event, std::size_t index, std::string_view registry,
               PushEvents& out) {
  const std::string where = fmt::format("events[{}]", index);
  if (!event.is_object()) {
    detail::addMalformed(out, where,
                         fmt::format("an event is an object, not {}", event.type_name()));
    return;
  }
  const std::string* action = stringField(event, "action");
  const nlohmann::json* target = objectField(event, "target");
  if (action == nullptr || target == nullptr) {
    detail::addMalformed(out, where, "no action or no target");
    return;
  }
  const std::string* media_type = stringField(*target, "mediaType");
  if (*action != "push" || media_type == nullptr || !isManifestMediaType(*media_type)) {
    ++out.ignored;  // pulls, deletes, mounts, blob pushes
    return;
  }
  const std::string* repository = stringField(*target, "repository");
  const std::string* digest = stringField(*target, "digest");
  const std::string* tag = stringField(*target, "tag");
  if (repository == nullptr || !validRepository(*repository)) {
    detail::addMalformed(out, where,
                         fmt::format("invalid repository name {}",
                                     repository == nullptr ? "(none)" : shown(*repository)));
    return;
  }
  if (digest == nullptr || !validDigest(*digest)) {
    detail::addMalformed(out, where,
                         fmt::format("invalid digest {} (expected sha256:<64 hex>)",
                                     digest == nullptr ? "(none)" : shown(*digest)));
    return;
  }
  if (tag != nullptr && !tag->empty() && !validTag(*tag)) {
    detail::addMalformed(out, where, fmt::format("invalid tag {}", shown(*tag)));
    return;
  }
  std::string host;
  if (const auto* request = objectField(event, "request"); request != nullptr) {
    if (const auto* value = stringField(*request, "host"); value != nullptr && validHost(*value)) {
      host = *value;
    }
  }
  if (registry.empty() && host.empty()) {
    detail::addMalformed(out, where, "no valid request.host to name the registry");
    return;
  }
  PushEvent push;
  push.registry = registry.empty() ? host : std::string(registry);
  push.repository = *repository;
  push.digest = *digest;
  push.tag = tag == nullptr ? "" : *tag;
  push.media_type = *media_type;
  push.source = std::string(kSourceDistribution);
  push.request_host = std::move(host);
  detail::addEvent(out, std::move(push));
}

}  // namespace

bool isDistributionEventsMediaType(std::string_view content_type) {
  const std::string lower = core::asciiLower(
      core::trim(content_type.substr(0, std::min(content_type.find(';'), content_type.size()))));
  return lower == kDistributionEventsMediaType ||
         lower == "application/vnd.docker.distribution.events.v2+json";
}

core::Result<PushEvents> parseDistributionEvents(std::string_view body, std::string_view registry) {
  try {
    auto root = parseJsonBody(body, kWhat);
    if (!root) return tl::unexpected(root.error());
    const nlohmann::json* events = arrayField(*root, "events");
    if (events == nullptr) {
      return core::fail(core::ErrorCode::Input, "{}: not an events envelope (no \"events\" array)",
                        kWhat);
    }
    PushEvents out;
    out.received = events->size();
    std::size_t index = 0;
    for (const auto& event : *events) {
      if (index == kMaxEventsPerBody) break;
      readEvent(event, index++, registry, out);
    }
    if (events->size() > kMaxEventsPerBody) {
      out.dropped = events->size() - kMaxEventsPerBody;
      out.diagnostics.push_back(
          {"webhook.too-many-events", "events",
           fmt::format("{} events, only the first {} read", events->size(), kMaxEventsPerBody)});
    }
    return out;
  } catch (const std::exception& error) {
    return core::fail(core::ErrorCode::Input, "{}: {}", kWhat, error.what());
  }
}

}  // namespace bulwark::server::webhooks
