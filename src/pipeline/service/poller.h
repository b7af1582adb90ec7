// Polling a registry that sends no webhooks: GET /v2/_catalog → GET /v2/NAME/tags/list →
// HEAD /v2/NAME/manifests/TAG, giving the digest each tag points at now. The service compares
// the answer with the store (Store::findTag) and records a push and enqueues a scan for every
// digest it has not seen.
//
// Bounded everywhere: the catalog, each tag list and the total number of images have limits;
// reaching one marks the result truncated (with a diagnostic) instead of failing. Only a failed
// catalog fails the poll; a repository whose tags cannot be listed, or a tag whose manifest
// cannot be read, becomes a diagnostic and the poll goes on. (A catalog repository whose tag
// list is NAME_UNKNOWN — every tag deleted — simply has no images.)
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/result.h"
#include "image/registry/client.h"

namespace bulwark::pipeline::service {

struct PollLimits {
  std::size_t max_repositories = 10000;
  std::size_t max_tags_per_repository = 1000;
  std::size_t max_images = 100000;  // (repository, tag) pairs over the whole poll
  std::size_t page_size = 1000;     // `n` of each catalog or tags page
  // Poll only these repositories instead of the catalog (registries that disable _catalog,
  // such as Docker Hub); empty: the catalog.
  std::vector<std::string> repositories;
};

struct PolledImage {
  std::string repository;
  std::string tag;
  std::string digest;      // of the manifest or index the tag points at
  std::string media_type;  // as the registry answered the HEAD; may be empty

  friend bool operator==(const PolledImage&, const PolledImage&) = default;
};

struct PollResult {
  std::vector<PolledImage> images;  // in catalog order, then tag order
  std::vector<core::Diagnostic> diagnostics;
  std::size_t repositories = 0;  // repositories looked at
  bool truncated = false;        // a limit cut the poll short
};

// Diagnostic kinds: "poll.truncated", "poll.invalid-name", "poll.tags-failed",
// "poll.manifest-failed"; `where` is the repository or "repository:tag".
core::Result<PollResult> pollRegistry(image::registry::RegistryClient& client,
                                      const PollLimits& limits = {});

}  // namespace bulwark::pipeline::service
