// The routes of /api/v1 and the service endpoints (/healthz, /readyz, /metrics), registered on a
// Server by its constructor. Internal to src/server.
#pragma once

#include <nlohmann/json.hpp>

#include "server/metrics.h"
#include "server/server.h"
#include "store/store.h"

namespace bulwark::server {

void registerApiRoutes(Server& server, store::Store& store, const Hooks& hooks, Metrics& metrics);

// A job as the jobs routes answer it (the schema Job of docs/openapi.yaml).
nlohmann::json jobJson(const store::Job& job);

}  // namespace bulwark::server
