// Resource identity (docs/dev/posture-design.md §1.2): a canonical key per resource, for people
// and uniqueness, and an id = the first 16 hex digits of SHA-256(key), equal on every server and
// backend and one URL path segment.
//
//   registry:<name>                                        registry (root)
//   repository:<registry>/<repository>                     → registry
//   image:<registry>/<repository>@<digest>                 → repository
//   host:<name>                                            host (root)
//   container:docker/<host>/<id64>                         → host
//   image:~<host>/<image id>                               → host (an image of no monitored
//   registry) cluster:<name>                                         cluster (root)
//   node:<cluster>/<node>                                  → cluster
//   namespace:<cluster>/<ns>                               → cluster
//   workload:<cluster>/<ns>/<Kind>/<name>                  → namespace
//   container:k8s/<cluster>/<ns>/<Kind>/<name>/<container> → workload
//   k8s-object:<cluster>/<ns or _cluster>/<Kind>/<name>    → namespace, or cluster for _cluster
//
// Each segment is percent-escaped (keySegment) for '%', '/', '@', '~' and control bytes; the
// repository keeps its '/'. So no segment can forge another's boundary, and the '~' of a
// host-local image can never be the start of a registry name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/posture.h"

namespace bulwark::posture {

// One key segment, escaped ("a/b" → "a%2Fb"); `keep_slash` for repository paths.
std::string keySegment(std::string_view text, bool keep_slash = false);

// The id of a key: 16 lower-case hex digits.
std::string resourceId(std::string_view key);
// Whether `text` has the shape of an id (16 lower-case hex digits): checked before a lookup.
bool isResourceId(std::string_view text);

// A resource with type, key, id, parent and display name set (the rest is the caller's). The
// parent id is that of the key in the table above.
model::Resource registryResource(std::string_view registry);
model::Resource repositoryResource(std::string_view registry, std::string_view repository);
model::Resource imageResource(std::string_view registry, std::string_view repository,
                              std::string_view digest);
model::Resource hostResource(std::string_view host);
model::Resource dockerContainerResource(std::string_view host, std::string_view container_id,
                                        std::string_view name);
model::Resource hostImageResource(std::string_view host, std::string_view image_id,
                                  std::string_view name);
model::Resource clusterResource(std::string_view cluster);
model::Resource nodeResource(std::string_view cluster, std::string_view node);
model::Resource namespaceResource(std::string_view cluster, std::string_view ns);
model::Resource workloadResource(std::string_view cluster, std::string_view ns,
                                 std::string_view kind, std::string_view name);
model::Resource k8sContainerResource(std::string_view cluster, std::string_view ns,
                                     std::string_view kind, std::string_view name,
                                     std::string_view container);
// `ns` empty: a cluster-scoped object (key segment "_cluster", parent the cluster).
model::Resource k8sObjectResource(std::string_view cluster, std::string_view ns,
                                  std::string_view kind, std::string_view name);

// The resource type a check's `applies_to` kind (model::CheckResult::resource_kind) judges:
// docker-host → host, docker-container → container, image and dockerfile → image, k8s-workload
// → workload, k8s-namespace → namespace, k8s-object → k8s-object, k8s-node → node.
std::optional<model::ResourceType> resourceTypeOfCheckKind(std::string_view kind);

}  // namespace bulwark::posture
