// POST /api/v1/posture/snapshots (docs/dev/posture-design.md §1.4): a Docker host, Kubernetes
// cluster or worker node snapshot handed to serve for evaluation. The body (≤ 64 MiB) is
// identified by its `schema` member and validated, stored as a posture input, and a `bench`
// job is enqueued for the workers; 202 with the job, as POST /api/v1/scans answers. Ingest
// tokens (and admin). `?cluster=NAME` is required for k8s and node snapshots.
#pragma once

#include <cstddef>

#include "server/server.h"
#include "store/store.h"

namespace bulwark::server {

inline constexpr std::size_t kMaxSnapshotBody = std::size_t{64} << 20;

// `hooks.on_enqueue` wakes in-process workers when a job was created.
void registerPostureIngestRoutes(Server& server, store::Store& store, const Hooks& hooks);

}  // namespace bulwark::server
