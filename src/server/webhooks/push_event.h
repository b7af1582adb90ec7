// Push notifications from registries, whatever their format: one PushEvent per manifest pushed.
// The parsers (distribution.h, harbor.h, generic.h) are pure functions of the request body:
// they validate every name against the image reference grammar (image/registry/reference.h) and
// every digest as sha256:<64 hex>, so that a forged value never reaches the store, and they
// report the entries they skipped as counted diagnostics instead of failing the whole body.
//
// A body that is not the expected document at all is an ErrorCode::Input error (ErrorCode::Limit
// when too large or too deep), with one clear line; the caller answers 400 (413).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"

namespace bulwark::server::webhooks {

inline constexpr std::string_view kSourceDistribution = "webhook:distribution";
inline constexpr std::string_view kSourceHarbor = "webhook:harbor";
inline constexpr std::string_view kSourceGeneric = "webhook:generic";

// Entries read from one body; the rest are counted in `PushEvents::dropped`.
inline constexpr std::size_t kMaxEventsPerBody = 1000;
// Diagnostics kept per body (every skipped entry is still counted).
inline constexpr std::size_t kMaxDiagnosticsPerBody = 50;

struct PushEvent {
  std::string registry;      // the registry name the caller bound the webhook to, else the host
  std::string repository;    // "library/debian"
  std::string digest;        // "sha256:<64 hex>", the manifest (or index) pushed
  std::string tag;           // "" for a push by digest
  std::string media_type;    // the manifest's media type when the notification says it
  std::string source;        // kSourceDistribution, kSourceHarbor or kSourceGeneric
  std::string request_host;  // the registry host the notification names ("" when none)

  friend bool operator==(const PushEvent&, const PushEvent&) = default;
};

struct PushEvents {
  std::vector<PushEvent> events;  // valid manifest pushes, deduplicated, in body order
  std::size_t received = 0;       // entries in the body
  std::size_t ignored = 0;        // well-formed but not a manifest push (pull, delete, blobs, …)
  std::size_t malformed = 0;      // missing or invalid fields: skipped
  std::size_t duplicates = 0;     // the same (registry, repository, digest, tag) again
  std::size_t dropped = 0;        // beyond kMaxEventsPerBody, not read
  // One per malformed entry (at most kMaxDiagnosticsPerBody) and one for dropped entries.
  // Kinds: "webhook.malformed-event", "webhook.too-many-events".
  std::vector<core::Diagnostic> diagnostics;
};

// Manifest and index media types (OCI and Docker v2): what a scan can start from.
bool isManifestMediaType(std::string_view media_type);

// The validators the parsers share. Each is the reference grammar's own rule.
bool validRepository(std::string_view repository);  // "library/debian" (no host, no tag)
bool validDigest(std::string_view digest);          // "sha256:" + 64 lower-case hex
bool validTag(std::string_view tag);                // [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool validHost(std::string_view host);              // "registry.example.com:5000", "[::1]:5000"
// A registry name as users choose them ("local", "harbor-prod", or a host[:port]):
// 1..253 of [A-Za-z0-9._:-], not starting with '.' or '-'.
bool validRegistryName(std::string_view name);

namespace detail {

// Adds `event` unless it repeats one already in `out` (by registry, repository, digest, tag).
void addEvent(PushEvents& out, PushEvent event);
void addMalformed(PushEvents& out, std::string where, std::string detail);

}  // namespace detail

}  // namespace bulwark::server::webhooks
