#include "server/webhooks/generic.h"

#include <algorithm>

#include <fmt/format.h>

#include "server/webhooks/json_body.h"

namespace bulwark::server::webhooks {

namespace {

constexpr std::string_view kWhat = "generic webhook";

// Media types are RFC 6838 names: bounded, printable, no spaces before parameters.
bool validMediaType(std::string_view text) {
  if (text.size() > 255) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

void readPush(const nlohmann::json& item, std::size_t index, std::string_view registry,
              PushEvents& out) {
  const std::string where = fmt::format("[{}]", index);
  if (!item.is_object()) {
    detail::addMalformed(out, where, fmt::format("a push is an object, not {}", item.type_name()));
    return;
  }
  const std::string* named = stringField(item, "registry");
  if (named != nullptr && !validRegistryName(*named)) {
    detail::addMalformed(out, where, fmt::format("invalid registry name {}", shown(*named)));
    return;
  }
  if (!registry.empty() && named != nullptr && *named != registry) {
    detail::addMalformed(out, where,
                         fmt::format("registry {} in the body, but this webhook is for {}",
                                     shown(*named), shown(registry)));
    return;
  }
  if (registry.empty() && named == nullptr) {
    detail::addMalformed(out, where, "no \"registry\"");
    return;
  }
  const std::string* repository = stringField(item, "repository");
  if (repository == nullptr || !validRepository(*repository)) {
    detail::addMalformed(out, where,
                         fmt::format("invalid repository name {}",
                                     repository == nullptr ? "(none)" : shown(*repository)));
    return;
  }
  const std::string* digest = stringField(item, "digest");
  if (digest == nullptr || !validDigest(*digest)) {
    detail::addMalformed(out, where,
                         fmt::format("invalid digest {} (expected sha256:<64 hex>)",
                                     digest == nullptr ? "(none)" : shown(*digest)));
    return;
  }
  const std::string* tag = stringField(item, "tag");
  if (tag != nullptr && !tag->empty() && !validTag(*tag)) {
    detail::addMalformed(out, where, fmt::format("invalid tag {}", shown(*tag)));
    return;
  }
  const std::string* media_type = stringField(item, "media_type");
  if (media_type != nullptr && !validMediaType(*media_type)) {
    detail::addMalformed(out, where, fmt::format("invalid media_type {}", shown(*media_type)));
    return;
  }
  PushEvent push;
  push.registry = registry.empty() ? *named : std::string(registry);
  push.repository = *repository;
  push.digest = *digest;
  push.tag = tag == nullptr ? "" : *tag;
  push.media_type = media_type == nullptr ? "" : *media_type;
  push.source = std::string(kSourceGeneric);
  detail::addEvent(out, std::move(push));
}

}  // namespace

core::Result<PushEvents> parseGenericWebhook(std::string_view body, std::string_view registry) {
  try {
    auto root = parseJsonBody(body, kWhat, TopLevel::ObjectOrArray);
    if (!root) return tl::unexpected(root.error());
    PushEvents out;
    if (root->is_object()) {
      if (!root->contains("digest") && !root->contains("repository")) {
        return core::fail(core::ErrorCode::Input,
                          "{}: expected {{\"registry\", \"repository\", \"digest\"}} or an array "
                          "of them",
                          kWhat);
      }
      out.received = 1;
      readPush(*root, 0, registry, out);
      return out;
    }
    out.received = root->size();
    std::size_t index = 0;
    for (const auto& item : *root) {
      if (index == kMaxEventsPerBody) break;
      readPush(item, index++, registry, out);
    }
    if (root->size() > kMaxEventsPerBody) {
      out.dropped = root->size() - kMaxEventsPerBody;
      out.diagnostics.push_back(
          {"webhook.too-many-events", "[]",
           fmt::format("{} pushes, only the first {} read", root->size(), kMaxEventsPerBody)});
    }
    return out;
  } catch (const std::exception& error) {
    return core::fail(core::ErrorCode::Input, "{}: {}", kWhat, error.what());
  }
}

}  // namespace bulwark::server::webhooks
