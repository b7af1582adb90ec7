// Promotion out of quarantine: copies an image from one repository of a registry to another
// through the Registry API, byte for byte, so that the digest stays the same.
//
// For an image manifest: every blob (config + layers) is skipped when the target already has
// it (HEAD), else mounted across repositories (POST …?mount=&from=), else streamed from the
// source to the target (GET → PUT, never whole in memory); then the manifest is PUT with its
// exact bytes by digest and by tag. For an index (or Docker manifest list): every child
// manifest is copied that way and PUT by digest first, then the index. Foreign
// (non-distributable) layers are not stored in registries and are left out. Running it again
// is cheap: every blob is found present and the manifests are PUT unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "image/registry/client.h"

namespace bulwark::pipeline::service {

struct PromoteOptions {
  std::uint64_t chunk_bytes = 0;    // uploads: 0 = one streamed PUT per blob
  bool try_mount = true;            // ask for a cross-repository mount before copying
  std::size_t max_manifests = 256;  // children of an index (nested indexes count too)
  std::size_t max_blobs = 4096;     // distinct blobs over the whole image
};

struct PromoteResult {
  std::string digest;             // the top manifest's digest (unchanged by the copy)
  std::string media_type;         // the top manifest's media type
  std::size_t manifests = 0;      // manifests PUT (children + top; by tag and digest count once)
  std::size_t blobs_present = 0;  // already in the target repository
  std::size_t blobs_mounted = 0;  // mounted from the source repository
  std::size_t blobs_copied = 0;   // streamed through bulwark
  std::uint64_t bytes_copied = 0;
  std::size_t blobs_foreign = 0;  // non-distributable layers left out
};

// Copies `digest` from `from_repository` to `to_repository` in the registry `client` talks to,
// and points `tag` at it there ("" = by digest only). Fails on the first error (the target may
// then hold some blobs, which a retry finds present).
core::Result<PromoteResult> promoteImage(image::registry::RegistryClient& client,
                                         std::string_view from_repository, std::string_view digest,
                                         std::string_view to_repository, std::string_view tag,
                                         const PromoteOptions& options = {});

// Maps a quarantine repository to its release repository with a pattern pair such as
// `quarantine/*` → `release/*`: `from` holds at most one '*', which matches one or more
// characters (any, '/' too) and replaces the '*' of `to`; without '*' the repository must equal
// `from` and `to` is taken as it is. nullopt when the pattern does not match, a pattern is
// malformed (two '*', or a '*' in `to` but not in `from`), the result is not a valid repository
// name, or it equals `repository` (an image is never promoted onto itself).
std::optional<std::string> mapQuarantine(std::string_view pattern_from, std::string_view pattern_to,
                                         std::string_view repository);

}  // namespace bulwark::pipeline::service
