#include "server/webhooks/harbor.h"

#include <fmt/format.h>

#include "server/webhooks/json_body.h"

namespace bulwark::server::webhooks {

namespace {

constexpr std::string_view kWhat = "Harbor webhook";

// "hub.harbor.com/test-webhook/debian:latest" → "hub.harbor.com"; "" when there is no valid one.
std::string hostOf(std::string_view resource_url) {
  if (const auto scheme = resource_url.find("://"); scheme != std::string_view::npos) {
    resource_url.remove_prefix(scheme + 3);
  }
  const auto slash = resource_url.find('/');
  if (slash == std::string_view::npos) return {};
  const std::string_view host = resource_url.substr(0, slash);
  return validHost(host) ? std::string(host) : std::string();
}

// The repository of a Harbor repository object: repo_full_name, else namespace/name.
std::string repositoryOf(const nlohmann::json& repository) {
  if (const auto* full = stringField(repository, "repo_full_name"); full != nullptr) return *full;
  const auto* name_space = stringField(repository, "namespace");
  const auto* name = stringField(repository, "name");
  if (name_space == nullptr || name == nullptr) return {};
  return *name_space + "/" + *name;
}

void readResource(const nlohmann::json& resource, std::size_t index, const std::string& repository,
                  std::string_view registry, PushEvents& out) {
  const std::string where = fmt::format("resources[{}]", index);
  if (!resource.is_object()) {
    detail::addMalformed(out, where,
                         fmt::format("a resource is an object, not {}", resource.type_name()));
    return;
  }
  const std::string* digest = stringField(resource, "digest");
  if (digest == nullptr || !validDigest(*digest)) {
    detail::addMalformed(out, where,
                         fmt::format("invalid digest {} (expected sha256:<64 hex>)",
                                     digest == nullptr ? "(none)" : shown(*digest)));
    return;
  }
  std::string tag;
  if (const auto* value = stringField(resource, "tag");
      value != nullptr && !value->empty() && *value != *digest) {
    if (!validTag(*value)) {
      detail::addMalformed(out, where, fmt::format("invalid tag {}", shown(*value)));
      return;
    }
    tag = *value;
  }
  std::string host;
  if (const auto* url = stringField(resource, "resource_url"); url != nullptr) host = hostOf(*url);
  if (registry.empty() && host.empty()) {
    detail::addMalformed(out, where, "no valid resource_url host to name the registry");
    return;
  }
  PushEvent push;
  push.registry = registry.empty() ? host : std::string(registry);
  push.repository = repository;
  push.digest = *digest;
  push.tag = std::move(tag);
  push.source = std::string(kSourceHarbor);
  push.request_host = std::move(host);
  detail::addEvent(out, std::move(push));
}

}  // namespace

core::Result<PushEvents> parseHarborWebhook(std::string_view body, std::string_view registry) {
  try {
    auto root = parseJsonBody(body, kWhat);
    if (!root) return tl::unexpected(root.error());
    const std::string* type = stringField(*root, "type");
    if (type == nullptr) {
      return core::fail(core::ErrorCode::Input, "{}: no event \"type\"", kWhat);
    }
    // CloudEvents carry the event in "data", the default format in "event_data".
    const bool cloud_event = root->contains("specversion");
    const nlohmann::json* data = objectField(*root, cloud_event ? "data" : "event_data");
    if (data == nullptr) {
      return core::fail(core::ErrorCode::Input, "{}: no \"{}\" object", kWhat,
                        cloud_event ? "data" : "event_data");
    }
    PushEvents out;
    out.received = 1;
    const bool push = cloud_event ? *type == "harbor.artifact.pushed" : *type == "PUSH_ARTIFACT";
    if (!push) {
      out.ignored = 1;
      return out;
    }
    const nlohmann::json* resources = arrayField(*data, "resources");
    const nlohmann::json* repository_object = objectField(*data, "repository");
    if (resources == nullptr || repository_object == nullptr) {
      return core::fail(core::ErrorCode::Input,
                        "{}: a push event needs \"resources\" and \"repository\"", kWhat);
    }
    const std::string repository = repositoryOf(*repository_object);
    if (!validRepository(repository)) {
      return core::fail(core::ErrorCode::Input, "{}: invalid repository name {}", kWhat,
                        repository.empty() ? "(none)" : shown(repository));
    }
    out.received = resources->size();
    std::size_t index = 0;
    for (const auto& resource : *resources) {
      if (index == kMaxEventsPerBody) break;
      readResource(resource, index++, repository, registry, out);
    }
    if (resources->size() > kMaxEventsPerBody) {
      out.dropped = resources->size() - kMaxEventsPerBody;
      out.diagnostics.push_back({"webhook.too-many-events", "resources",
                                 fmt::format("{} resources, only the first {} read",
                                             resources->size(), kMaxEventsPerBody)});
    }
    return out;
  } catch (const std::exception& error) {
    return core::fail(core::ErrorCode::Input, "{}: {}", kWhat, error.what());
  }
}

}  // namespace bulwark::server::webhooks
