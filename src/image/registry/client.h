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
//
// Beyond reading one image, the service needs (catalog.cpp, push.cpp):
//   listing   GET /v2/_catalog and /v2/NAME/tags/list, `n` per page, following the Link header's
//             rel="next" (same host, /v2/ paths only), bounded in pages, entries and bytes;
//             names that are not valid repository names or tags are skipped and counted;
//   probing   HEAD of a manifest (digest, media type, size) and of a blob (exists or not);
//   writing   cross-repository blob mount, blob upload (POST, then one streamed PUT or PATCH
//             chunks of chunk_bytes then PUT ?digest=), manifest PUT with the exact bytes.
// Write requests ask for the scope repository:NAME:pull,push (a mount also pull on the source).
// A streamed request body cannot be sent twice, so uploads authenticate on the POST that
// opens the session; the body is read from an image::ByteStream (a BlobStream from openBlob
// when copying) and never held in memory whole.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// Bounds of a paginated listing (catalog, tags).
struct ListLimits {
  std::size_t page_size = 1000;      // `n` asked per page
  std::size_t max_entries = 100000;  // past this the listing stops, marked truncated
  std::size_t max_pages = 10000;     // idem
  std::size_t max_page_bytes = 8U << 20;
};

struct NameList {
  std::vector<std::string> names;  // in the registry's order
  bool truncated = false;          // a bound was reached before the last page
  std::size_t rejected = 0;        // entries that were not valid names (skipped)
};

// What a HEAD of a manifest tells.
struct ManifestHead {
  std::string digest;      // Docker-Content-Digest (or the hash of the body when absent)
  std::string media_type;  // Content-Type without parameters; may be empty
  std::int64_t size = -1;  // Content-Length; -1 when unknown
};

struct UploadOptions {
  // 0: one PUT with the whole body (streamed); otherwise PATCH chunks of this many bytes.
  std::uint64_t chunk_bytes = 0;
};

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

  // GET /v2/_catalog (scope registry:catalog:*), paginated.
  core::Result<NameList> listCatalog(const ListLimits& limits = {});
  // GET /v2/<repository>/tags/list, paginated. An unknown repository is ErrorCode::NotFound.
  core::Result<NameList> listTags(std::string_view repository, const ListLimits& limits = {});

  // HEAD /v2/<repository>/manifests/<tag or digest> with fetchManifest's Accept types. Falls
  // back to GET (and hashes the bytes) when the registry sends no Docker-Content-Digest.
  core::Result<ManifestHead> headManifest(std::string_view repository, std::string_view reference);

  // HEAD /v2/<repository>/blobs/<digest>: true on 200, false on 404.
  core::Result<bool> blobExists(std::string_view repository, std::string_view digest);

  // POST /v2/<to>/blobs/uploads/?mount=<digest>&from=<from>: true when mounted (201); false
  // when the registry would not mount (202: the upload session it opened is cancelled).
  core::Result<bool> mountBlob(std::string_view to_repository, std::string_view digest,
                               std::string_view from_repository);

  // Uploads a blob of descriptor.size bytes (>= 0) read from `source`, which must end right
  // there; the registry checks the digest. Integrity errors of `source` (a BlobStream) abort
  // the upload and are returned as they are.
  core::Status uploadBlob(std::string_view repository, const image::Descriptor& descriptor,
                          image::ByteStream& source, const UploadOptions& options = {});

  // PUT /v2/<repository>/manifests/<tag or digest> with exactly `bytes` as `media_type`.
  // Returns the digest (sha256 of the bytes); a Docker-Content-Digest that differs is an
  // ErrorCode::Integrity error; a digest reference must be the bytes' digest.
  core::Result<std::string> putManifest(std::string_view repository, std::string_view reference,
                                        std::string_view bytes, std::string_view media_type);

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
  // Sends `spec` to `path` with the credentials or token for `scope`, answering one challenge
  // (not for a streamed body, which cannot be sent twice).
  core::Result<std::unique_ptr<detail::Transfer>> authorized(const std::string& scope,
                                                             const detail::RequestSpec& spec,
                                                             const std::string& path);
  core::Result<std::unique_ptr<detail::Transfer>> send(detail::RequestSpec spec,
                                                       const std::string& path);
  // A Location or Link target on this registry as a path ("/v2/…?…"); other hosts are refused.
  core::Result<std::string> localPath(std::string_view location) const;
  core::Result<NameList> listNames(const std::string& scope, std::string path, std::string_view key,
                                   const ListLimits& limits, bool tags);
  core::Result<std::string> startUpload(std::string_view repository, const std::string& scope);
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

// Repository names (path components as in reference.h, at most 255 characters) and tags
// ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}); ErrorCode::Usage otherwise. The listing and writing
// methods check every name they put into a URL.
core::Status checkRepositoryName(std::string_view name);
core::Status checkTagName(std::string_view tag);

// The target of the rel="next" link in a Link header (RFC 8288), e.g.
//   </v2/_catalog?last=b&n=2>; rel="next"  →  "/v2/_catalog?last=b&n=2"
// nullopt when there is none.
std::optional<std::string> parseNextLink(std::string_view header);

}  // namespace bulwark::image::registry
