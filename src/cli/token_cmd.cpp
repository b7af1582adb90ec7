// bulwark token create|list|revoke — API tokens of the service. A secret is printed once and
// stored only as its SHA-256 (server/tokens.h).
#include <cstdio>
#include <ctime>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/service_options.h"
#include "server/tokens.h"

namespace bulwark::cli {

namespace {

struct TokenArgs {
  ServiceFlags service;
  std::string name;
  std::string role = "reader";
  std::string expires;  // a duration from now ("30d"); "" never
  std::int64_t id = 0;
};

std::string formatTime(store::Millis millis) {
  const std::time_t seconds = millis / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

int runCreate(const TokenArgs& args) {
  auto role = store::parseRole(args.role);
  if (!role) return failWith("--role: " + role.error().message);
  std::optional<store::Millis> expires_at;
  if (!args.expires.empty()) {
    auto duration = pipeline::parseDuration(args.expires);
    if (!duration) return failWith("--expires: " + duration.error().message);
    expires_at = store::nowMillis() + duration->count();
  }
  auto config = loadServiceConfig(args.service);
  if (!config) return failWith(config.error().message);
  auto store = openConfiguredStore(*config);
  if (!store) return failWith(store.error().message);
  auto created = server::createToken(**store, args.name, *role, expires_at);
  if (!created) return failWith(created.error().message);
  // The secret alone on stdout, so that `TOKEN=$(bulwark token create …)` works; the rest on
  // stderr.
  std::fprintf(stderr, "token %lld \"%s\" (%s) created; the secret is shown only now:\n",
               static_cast<long long>(created->token.id), created->token.name.c_str(),
               std::string(store::toString(created->token.role)).c_str());
  std::printf("%s\n", created->secret.c_str());
  return kExitOk;
}

int runList(const TokenArgs& args) {
  auto config = loadServiceConfig(args.service);
  if (!config) return failWith(config.error().message);
  auto store = openConfiguredStore(*config);
  if (!store) return failWith(store.error().message);
  auto tokens = (*store)->listTokens();
  if (!tokens) return failWith(tokens.error().message);
  std::printf("%-6s %-24s %-8s %-21s %-21s %s\n", "ID", "NAME", "ROLE", "CREATED", "EXPIRES",
              "STATE");
  const auto now = store::nowMillis();
  for (const auto& t : *tokens) {
    const char* state = t.revoked                                          ? "revoked"
                        : t.expires_at.has_value() && *t.expires_at <= now ? "expired"
                                                                           : "active";
    std::printf("%-6lld %-24s %-8s %-21s %-21s %s\n", static_cast<long long>(t.id), t.name.c_str(),
                std::string(store::toString(t.role)).c_str(), formatTime(t.created_at).c_str(),
                t.expires_at ? formatTime(*t.expires_at).c_str() : "never", state);
  }
  return kExitOk;
}

int runRevoke(const TokenArgs& args) {
  auto config = loadServiceConfig(args.service);
  if (!config) return failWith(config.error().message);
  auto store = openConfiguredStore(*config);
  if (!store) return failWith(store.error().message);
  if (auto revoked = (*store)->revokeToken(args.id); !revoked) {
    return failWith(revoked.error().message);
  }
  std::printf("token %lld revoked\n", static_cast<long long>(args.id));
  return kExitOk;
}

}  // namespace

void addTokenCommand(CLI::App& root, Action& action) {
  auto args = std::make_shared<TokenArgs>();
  auto* command = root.add_subcommand("token", "API tokens of the service");
  command->require_subcommand(1);

  auto* create = command->add_subcommand("create", "Create a token; prints its secret once");
  create->add_option("--name", args->name, "What the token is for")->required();
  create->add_option("--role", args->role, "admin, reader or ingest")
      ->check(CLI::IsMember({"admin", "reader", "ingest"}));
  create->add_option("--expires", args->expires, "Lifetime (e.g. 90d); default: no expiry");
  addServiceFlags(*create, args->service, false);
  create->callback([args, &action] { action = [args] { return runCreate(*args); }; });

  auto* list = command->add_subcommand("list", "List tokens (never their secrets)");
  addServiceFlags(*list, args->service, false);
  list->callback([args, &action] { action = [args] { return runList(*args); }; });

  auto* revoke = command->add_subcommand("revoke", "Revoke a token by id");
  revoke->add_option("id", args->id, "The token's id")->required();
  addServiceFlags(*revoke, args->service, false);
  revoke->callback([args, &action] { action = [args] { return runRevoke(*args); }; });
}

}  // namespace bulwark::cli
