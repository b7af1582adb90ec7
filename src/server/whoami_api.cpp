#include "server/whoami_api.h"

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace bulwark::server {
namespace {

using Json = nlohmann::json;

void whoami(const RequestContext& context, httplib::Response& res) {
  // The server authenticated the token before calling: an AnyToken route always has one.
  if (!context.token) return sendError(res, 401, "unauthorized", "a bearer token is required");
  const store::Token& token = *context.token;
  const Json body = {{"name", token.name},
                     {"role", std::string(store::toString(token.role))},
                     {"expires_at", token.expires_at ? Json(*token.expires_at) : Json(nullptr)}};
  sendJson(res, 200, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace

void registerWhoamiRoute(Server& server) {
  // A static route: failing to add it is a programming error the server tests catch.
  auto added = server.addRoute("GET", "/api/v1/whoami", Access::AnyToken, whoami);
  if (!added) throw std::logic_error(added.error().message);
}

}  // namespace bulwark::server
