// A client of the Registry HTTP API v2 (the OCI distribution spec), over libcurl.
//
// Authentication follows the WWW-Authenticate challenge flow: a request answered 401 carries
//   Basic realm=…                          → retry with the credentials (HTTP Basic), or
//   Bearer realm=…,service=…,scope=…       → GET realm?service=…&scope=… (Basic credentials when
//                                            there are any, anonymous otherwise; an identity
//                                            token is POSTed as an OAuth2 refresh token), read
//                                            `token` or `access_token`, retry with Bearer.
// Tokens are cached per scope until they expire; once a registry asked for Basic, later
// requests send the credentials at once.
//
// Every response is bounded: manifests by image::kMaxManifestBytes, tokens and error bodies by
// small fixed limits. Blob bodies are streamed through a bounded buffer (curl multi, paused when
// the buffer is full), verified against the descriptor's size and digest as they are read: a
// mismatch is an ErrorCode::Integrity error on the read that reaches the end. Redirects (blob
// storage) are followed; libcurl drops the Authorization header when a redirect changes host,
// port or scheme. HTTP errors become core::Error with the registry's JSON error message.
// A RegistryClient is thread-safe; each blob stream is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "image/oci.h"
#include "image/registry/challenge.h"
#include "image/registry/credentials.h"
#include "image/stream.h"

namespace bulwark::image::registry {

inline constexpr std::size_t kMaxTokenResponseBytes = 1U << 20;
inline constexpr std::size_t kMaxErrorBodyBytes = 64U << 10;
// How much of a blob body may wait in memory between the network and the reader.
inline constexpr std::size_t kBlobBufferBytes = 1U << 20;

struct RegistryOptions {
  // Plain HTTP allowed: try HTTPS without certificate checks first, then fall back to HTTP
  // (as `docker` and `skopeo --tls-verify=false` do). Also allows an http:// token realm.
  bool insecure = false;
  bool tls_verify = true;  // verify the server certificate (system CAs unless ca_file is set)
  std::string ca_file;     // PEM bundle to trust instead of the system CAs
  // Explicit credentials (--username + --password-stdin); otherwise docker's config is read
  // when use_docker_config is set.
  std::optional<Credentials> credentials;
  bool use_docker_config = true;
  std::chrono::seconds connect_timeout{30};
  std::chrono::seconds stall_timeout{60};  // a transfer slower than 1 byte/s for this long fails
  std::string user_agent = "bulwark/0.1";
};

namespace detail {
class Transfer;
struct RequestSpec;
}  // namespace detail

class RegistryClient {
 public:
  // `domain` as in Reference::domain ("docker.io" talks to registry-1.docker.io). Credentials
  // come from options.credentials or docker's config for that domain.
  static core::Result<std::shared_ptr<RegistryClient>> create(std::string_view domain,
                                                              RegistryOptions options);
  ~RegistryClient();
  RegistryClient(const RegistryClient&) = delete;
  RegistryClient& operator=(const RegistryClient&) = delete;

  // GET /v2/<repository>/manifests/<tag or digest> with the Accept types of OCI index and
  // manifest and Docker list and manifest v2. The digest is the sha256 of the bytes; it must
  // equal Docker-Content-Digest when the registry sends one, and `reference` when that is a
  // digest (ErrorCode::Integrity otherwise). Schema 1 manifests are refused (ErrorCode::Input).
  core::Result<image::FetchedManifest> fetchManifest(std::string_view repository,
                                                     std::string_view reference);

  // GET /v2/<repository>/blobs/<digest>, streamed and verified (see above).
  core::Result<std::unique_ptr<image::ByteStream>> openBlob(std::string_view repository,
                                                            const image::Descriptor& descriptor);

  [[nodiscard]] const std::string& host() const { return host_; }

 private:
  enum class Scheme { Unknown, Https, Http };
  struct CachedToken {
    std::string token;
    std::chrono::steady_clock::time_point expires;
  };

  RegistryClient(std::string host, RegistryOptions options);
  core::Result<std::unique_ptr<detail::Transfer>> request(std::string_view repository,
                                                          const std::string& path,
                                                          std::string_view accept);
  core::Result<std::unique_ptr<detail::Transfer>> send(detail::RequestSpec spec,
                                                       const std::string& path);
  core::Status answerChallenge(std::string_view header, const std::string& scope);
  core::Status fetchToken(const Challenge& challenge, const std::string& scope);
  core::Error httpError(detail::Transfer& transfer, std::string_view what) const;

  std::string host_;
  RegistryOptions options_;
  std::mutex mutex_;  // guards the members below
  Scheme scheme_ = Scheme::Unknown;
  bool use_basic_ = false;
  std::map<std::string, CachedToken> tokens_;  // by scope
};

// Parses a registry's JSON error body {"errors":[{"code","message","detail"}]} into one line
// ("MANIFEST_UNKNOWN: manifest unknown"); a non-JSON body gives its first printable line.
std::string registryErrorMessage(std::string_view body);

}  // namespace bulwark::image::registry
