// The routes of /api/v1 and the service endpoints (/healthz, /readyz, /metrics), registered on a
// Server by its constructor. Internal to src/server.
#pragma once

#include "server/metrics.h"
#include "server/server.h"
#include "store/store.h"

namespace bulwark::server {

void registerApiRoutes(Server& server, store::Store& store, const Hooks& hooks, Metrics& metrics);

}  // namespace bulwark::server
