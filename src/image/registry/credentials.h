// Registry credentials: explicit (--username + --password-stdin) or from docker's config file
// (~/.docker/config.json, or $DOCKER_CONFIG/config.json), the way the docker CLI reads it:
//   1. "credHelpers": {"<host>": "<name>"}  → run `docker-credential-<name> get`
//   2. "credsStore": "<name>"               → the same helper for every registry
//   3. "auths": {"<key>": {"auth": base64("user:password")} | {"username","password"}
//                          | {"identitytoken"}}
// A helper receives the server address on stdin and prints {"ServerURL","Username","Secret"};
// the user name "<token>" marks an identity (OAuth refresh) token. A helper that answers
// "credentials not found" means anonymous access, and the auths entry is tried next.
// Keys match by exact server address, then by host after dropping the scheme and any path, so
// that "https://index.docker.io/v1/" (docker.io's key) and "https://host:5000" both match.
// Secrets are never logged or put in error messages.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::image::registry {

// docker.io's key in config.json and the server address its credential helpers expect.
inline constexpr std::string_view kDockerHubConfigKey = "https://index.docker.io/v1/";
inline constexpr std::size_t kMaxDockerConfigBytes = 4U << 20;
inline constexpr std::size_t kMaxHelperOutputBytes = 1U << 20;

struct Credentials {
  std::string username;
  std::string password;
  std::string identity_token;  // an OAuth refresh token, used instead of the password

  [[nodiscard]] bool empty() const {
    return username.empty() && password.empty() && identity_token.empty();
  }
};

// Runs `docker-credential-<helper> get` with `input` on stdin and returns its stdout.
// Replaceable in tests; the default uses posix_spawnp with a 60 s time limit.
using CredentialHelperRunner =
    std::function<core::Result<std::string>(const std::string& helper, const std::string& input)>;
core::Result<std::string> runCredentialHelper(const std::string& helper, const std::string& input);

// $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json.
std::filesystem::path dockerConfigPath();

// Looks `domain` (a Reference::domain such as "docker.io" or "localhost:5000") up in the text of
// a config.json. nullopt: no credentials for that registry.
core::Result<std::optional<Credentials>> credentialsFromDockerConfig(
    std::string_view config_json, std::string_view domain,
    const CredentialHelperRunner& runner = runCredentialHelper);

// The same over the file at dockerConfigPath(); a missing file means no credentials.
core::Result<std::optional<Credentials>> loadDockerCredentials(
    std::string_view domain, const CredentialHelperRunner& runner = runCredentialHelper);

// Reads a password the way `docker login --password-stdin` does: all of stdin, with trailing
// newline characters removed.
core::Result<std::string> readPasswordFromStream(std::FILE* stream);

}  // namespace bulwark::image::registry
