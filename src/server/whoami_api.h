// GET /api/v1/whoami: the calling token's name, role and expiry, for any valid token (the
// dashboard's login checks a token with it and refuses ingest tokens). Internal to src/server.
#pragma once

#include "server/server.h"

namespace bulwark::server {

void registerWhoamiRoute(Server& server);

}  // namespace bulwark::server
