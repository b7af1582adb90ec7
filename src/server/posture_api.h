// The posture routes under /api/v1/posture (docs/dev/posture-design.md §5.2, docs/api.md
// "Posture"): the secure score and its history, the overview, recommendations, resources with
// their assessments and history, exemptions, runs and schedules. Readers may GET; creating and
// revoking exemptions takes an admin token. The current score is computed live from the store's
// control counts and the built-in catalogue, so an exemption shows in it at once; the trend reads
// the score history the posture sync writes. Query strings are parsed by posture_query.h.
#pragma once

#include "server/server.h"
#include "store/store.h"

namespace bulwark::server {

// Called by registerApiRoutes.
void registerPostureRoutes(Server& server, store::Store& store, const Hooks& hooks);

}  // namespace bulwark::server
