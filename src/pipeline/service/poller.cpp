#include "pipeline/service/poller.h"

#include <utility>

namespace bulwark::pipeline::service {

using image::registry::ListLimits;
using image::registry::NameList;

core::Result<PollResult> pollRegistry(image::registry::RegistryClient& client,
                                      const PollLimits& limits) {
  PollResult result;
  core::Diagnostics diagnostics;
  ListLimits list;
  list.page_size = limits.page_size;

  NameList repositories;
  const bool from_catalog = limits.repositories.empty();
  if (from_catalog) {
    list.max_entries = limits.max_repositories;
    auto catalog = client.listCatalog(list);
    if (!catalog) return core::withContext(catalog.error(), "poll " + client.host());
    repositories = std::move(*catalog);
  } else {
    for (const auto& name : limits.repositories) {
      if (repositories.names.size() >= limits.max_repositories) {
        repositories.truncated = true;
        break;
      }
      if (auto ok = image::registry::checkRepositoryName(name); !ok) {
        ++repositories.rejected;
        continue;
      }
      repositories.names.push_back(name);
    }
  }
  if (repositories.truncated) {
    result.truncated = true;
    diagnostics.add(
        "poll.truncated", client.host(),
        fmt::format("more than {} repositories; the rest are not polled", limits.max_repositories));
  }
  if (repositories.rejected > 0) {
    diagnostics.add(
        "poll.invalid-name", client.host(),
        fmt::format("{} repository names are not valid and were skipped", repositories.rejected));
  }

  list.max_entries = limits.max_tags_per_repository;
  for (const auto& repository : repositories.names) {
    if (result.images.size() >= limits.max_images) {
      result.truncated = true;
      diagnostics.add(
          "poll.truncated", repository,
          fmt::format("more than {} images; the rest are not polled", limits.max_images));
      break;
    }
    ++result.repositories;
    auto tags = client.listTags(repository, list);
    if (!tags) {
      // A repository in the catalog with no tag left answers NAME_UNKNOWN: nothing to poll.
      if (!from_catalog || tags.error().code != core::ErrorCode::NotFound) {
        diagnostics.add("poll.tags-failed", repository, tags.error().message);
      }
      continue;
    }
    if (tags->truncated) {
      result.truncated = true;
      diagnostics.add("poll.truncated", repository,
                      fmt::format("more than {} tags; the rest are not polled",
                                  limits.max_tags_per_repository));
    }
    if (tags->rejected > 0) {
      diagnostics.add("poll.invalid-name", repository,
                      fmt::format("{} tags are not valid and were skipped", tags->rejected));
    }
    for (const auto& tag : tags->names) {
      if (result.images.size() >= limits.max_images) {
        result.truncated = true;
        diagnostics.add(
            "poll.truncated", repository + ":" + tag,
            fmt::format("more than {} images; the rest are not polled", limits.max_images));
        break;
      }
      auto head = client.headManifest(repository, tag);
      if (!head) {
        diagnostics.add("poll.manifest-failed", repository + ":" + tag, head.error().message);
        continue;
      }
      result.images.push_back(
          {repository, tag, std::move(head->digest), std::move(head->media_type)});
    }
  }
  result.diagnostics = diagnostics.sorted();
  return result;
}

}  // namespace bulwark::pipeline::service
