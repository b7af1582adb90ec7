// Runtime alerts on the server (docs/dev/runtime-design.md §5.3): agents and `bulwark detect -o`
// post them as NDJSON to /api/v1/alerts (parsed by alert_ndjson.h), readers list, fetch and
// summarize them.
#pragma once

#include "server/alert_ndjson.h"
#include "server/server.h"
#include "store/store.h"

namespace bulwark::server {

// POST /api/v1/alerts (ingest), GET /api/v1/alerts, /api/v1/alerts/summary,
// /api/v1/alerts/{id} (reader), PUT /api/v1/alerts/{id}/status (admin: triage). Called by
// registerApiRoutes.
void registerAlertRoutes(Server& server, store::Store& store);

}  // namespace bulwark::server
