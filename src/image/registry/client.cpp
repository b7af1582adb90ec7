#include "image/registry/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/sha256.h"
#include "core/text.h"
#include "image/registry/transfer.h"

namespace bulwark::image::registry {

using core::ErrorCode;
using Json = nlohmann::json;

namespace {

using detail::escape;
using detail::mediaTypeOf;
using detail::readBody;
using detail::RequestSpec;
using detail::Transfer;

constexpr std::string_view kSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
constexpr std::string_view kSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Streams a blob and checks its size and digest as the bytes go by.
class BlobStream final : public image::ByteStream {
 public:
  BlobStream(std::unique_ptr<Transfer> transfer, image::Descriptor descriptor)
      : transfer_(std::move(transfer)), descriptor_(std::move(descriptor)) {}

  core::Result<std::size_t> read(char* buffer, std::size_t size) override {
    if (failure_) return tl::unexpected(*failure_);
    if (finished_) return std::size_t{0};
    auto got = transfer_->read(buffer, size);
    if (!got) return remember(got.error());
    if (*got > 0) {
      received_ += *got;
      if (descriptor_.size >= 0 && received_ > static_cast<std::uint64_t>(descriptor_.size)) {
        return remember(
            {ErrorCode::Integrity, fmt::format("blob {}: larger than its descriptor's {} bytes",
                                               descriptor_.digest, descriptor_.size)});
      }
      sha_.update(buffer, *got);
      return got;
    }
    finished_ = true;
    if (descriptor_.size >= 0 && received_ != static_cast<std::uint64_t>(descriptor_.size)) {
      return remember(
          {ErrorCode::Integrity, fmt::format("blob {}: {} bytes received, descriptor says {}",
                                             descriptor_.digest, received_, descriptor_.size)});
    }
    const std::string actual = "sha256:" + sha_.hexDigest();
    if (actual != descriptor_.digest) {
      return remember({ErrorCode::Integrity, fmt::format("blob {}: digest mismatch: got {}",
                                                         descriptor_.digest, actual)});
    }
    return std::size_t{0};
  }

 private:
  tl::unexpected<core::Error> remember(core::Error error) {
    failure_ = error;
    return tl::unexpected<core::Error>(std::move(error));
  }

  std::unique_ptr<Transfer> transfer_;
  image::Descriptor descriptor_;
  core::Sha256 sha_;
  std::uint64_t received_ = 0;
  bool finished_ = false;
  std::optional<core::Error> failure_;
};

}  // namespace

std::string registryErrorMessage(std::string_view body) {
  const Json json = Json::parse(body, nullptr, false);
  std::string out;
  if (json.is_object()) {
    const auto errors = json.find("errors");
    if (errors != json.end() && errors->is_array()) {
      for (const auto& entry : *errors) {
        if (!entry.is_object() || out.size() > 400) continue;
        const auto code = entry.find("code");
        const auto message = entry.find("message");
        std::string one;
        if (code != entry.end() && code->is_string()) one = code->get<std::string>();
        if (message != entry.end() && message->is_string()) {
          one += (one.empty() ? "" : ": ") + message->get<std::string>();
        }
        if (one.empty()) continue;
        out += (out.empty() ? "" : "; ") + one;
      }
    }
    if (out.empty()) {  // token servers: {"error": "...", "error_description": "..."}
      for (const char* key : {"error_description", "error", "details", "message"}) {
        const auto it = json.find(key);
        if (it != json.end() && it->is_string()) {
          out = it->get<std::string>();
          break;
        }
      }
    }
  } else {
    out = std::string(core::trim(body.substr(0, body.find('\n'))));
  }
  return core::printable(out.substr(0, 400));
}

RegistryClient::RegistryClient(std::string host, RegistryOptions options)
    : host_(std::move(host)), options_(std::move(options)) {}

RegistryClient::~RegistryClient() = default;

core::Result<std::shared_ptr<RegistryClient>> RegistryClient::create(std::string_view domain,
                                                                     RegistryOptions options) {
  initCurlOnce();
  if (domain.empty()) return core::fail(ErrorCode::Usage, "empty registry host");
  if (!options.credentials && options.use_docker_config) {
    auto found = loadDockerCredentials(domain);
    if (!found) return core::withContext(found.error(), "credentials for " + std::string(domain));
    options.credentials = std::move(*found);
    if (options.credentials) {
      spdlog::debug("registry {}: using credentials from docker config", domain);
    }
  }
  if (options.credentials && options.credentials->empty()) options.credentials.reset();
  std::string host = domain == "docker.io" || domain == "index.docker.io"
                         ? std::string("registry-1.docker.io")
                         : std::string(domain);
  return std::shared_ptr<RegistryClient>(new RegistryClient(std::move(host), std::move(options)));
}

// Sends `spec` to this registry's `path`, choosing HTTPS or (when insecure) HTTP on first use.
core::Result<std::unique_ptr<Transfer>> RegistryClient::send(RequestSpec spec,
                                                             const std::string& path) {
  Scheme scheme;
  {
    const std::lock_guard lock(mutex_);
    scheme = scheme_;
  }
  const auto attempt = [&](Scheme use) -> core::Result<std::unique_ptr<Transfer>> {
    spec.url = (use == Scheme::Http ? "http://" : "https://") + host_ + path;
    spec.verify_tls = options_.tls_verify && !options_.insecure;
    auto transfer = std::make_unique<Transfer>();
    if (auto ok = transfer->start(spec); !ok) {
      return core::withContext(ok.error(), fmt::format("{} {}", host_, core::printable(path)));
    }
    return transfer;
  };
  if (scheme != Scheme::Unknown) return attempt(scheme);
  auto transfer = attempt(Scheme::Https);
  if (!transfer && options_.insecure) {
    spdlog::debug("registry {}: HTTPS failed ({}), trying plain HTTP", host_,
                  transfer.error().message);
    transfer = attempt(Scheme::Http);
    if (transfer) {
      const std::lock_guard lock(mutex_);
      scheme_ = Scheme::Http;
    }
    return transfer;
  }
  if (transfer) {
    const std::lock_guard lock(mutex_);
    scheme_ = Scheme::Https;
  }
  return transfer;
}

core::Result<std::unique_ptr<Transfer>> RegistryClient::request(std::string_view repository,
                                                                const std::string& path,
                                                                std::string_view accept) {
  RequestSpec spec;
  if (!accept.empty()) spec.headers.push_back(fmt::format("Accept: {}", accept));
  return authorized(fmt::format("repository:{}:pull", repository), spec, path);
}

core::Result<std::unique_ptr<Transfer>> RegistryClient::authorized(const std::string& scope,
                                                                   const RequestSpec& base,
                                                                   const std::string& path) {
  for (int attempt = 0;; ++attempt) {
    RequestSpec spec = base;
    spec.options = &options_;
    {
      const std::lock_guard lock(mutex_);
      const auto token = tokens_.find(scope);
      if (token != tokens_.end() && token->second.expires > std::chrono::steady_clock::now()) {
        spec.headers.push_back("Authorization: Bearer " + token->second.token);
      } else if (use_basic_ && options_.credentials) {
        spec.basic = &*options_.credentials;
      }
    }
    auto transfer = send(spec, path);
    if (!transfer) return transfer;
    if ((*transfer)->status() != 401 || attempt > 0 || base.upload != nullptr) return transfer;
    const std::string challenge = (*transfer)->header("www-authenticate");
    if (challenge.empty()) return transfer;
    if (auto ok = answerChallenge(challenge, scope); !ok) return tl::unexpected(ok.error());
  }
}

core::Status RegistryClient::answerChallenge(std::string_view header, const std::string& scope) {
  const auto challenges = parseChallenges(header);
  const auto bearer = std::find_if(challenges.begin(), challenges.end(),
                                   [](const Challenge& c) { return c.scheme == "bearer"; });
  if (bearer != challenges.end()) return fetchToken(*bearer, scope);
  const auto basic = std::find_if(challenges.begin(), challenges.end(),
                                  [](const Challenge& c) { return c.scheme == "basic"; });
  if (basic != challenges.end()) {
    if (!options_.credentials || options_.credentials->username.empty()) {
      return core::fail(ErrorCode::Auth,
                        "registry {} requires a user name and password (--username with "
                        "--password-stdin, or docker login)",
                        host_);
    }
    const std::lock_guard lock(mutex_);
    use_basic_ = true;
    return {};
  }
  return core::fail(ErrorCode::Auth, "registry {} asks for an unsupported authentication: {}",
                    host_, core::printable(header.substr(0, 200)));
}

core::Status RegistryClient::fetchToken(const Challenge& challenge, const std::string& scope) {
  const std::string realm = challenge.param("realm");
  const bool https = realm.rfind("https://", 0) == 0;
  const bool http = realm.rfind("http://", 0) == 0;
  if (!https && !(http && options_.insecure)) {
    return core::fail(ErrorCode::Auth, "registry {}: token realm '{}' is not an https:// URL{}",
                      host_, core::printable(realm.substr(0, 200)),
                      http ? " (plain HTTP realms need --insecure)" : "");
  }
  const std::string service = challenge.param("service");
  // The registry names the scope it wants; ours is the fallback.
  std::string want_scope = challenge.param("scope");
  if (want_scope.empty()) want_scope = scope;

  RequestSpec spec;
  spec.options = &options_;
  spec.verify_tls = https && options_.tls_verify && !options_.insecure;
  const Credentials* credentials = options_.credentials ? &*options_.credentials : nullptr;
  if (credentials != nullptr && !credentials->identity_token.empty()) {
    spec.url = realm;
    spec.post_fields = fmt::format(
        "grant_type=refresh_token&client_id=bulwark&service={}&scope={}&refresh_token={}",
        escape(service), escape(want_scope), escape(credentials->identity_token));
    spec.headers.emplace_back("Content-Type: application/x-www-form-urlencoded");
  } else {
    std::string query;
    if (!service.empty()) query += "service=" + escape(service);
    for (const auto one : core::split(want_scope, ' ')) {
      if (one.empty()) continue;
      query += (query.empty() ? "" : "&") + ("scope=" + escape(one));
    }
    spec.url = realm + (realm.find('?') == std::string::npos ? "?" : "&") + query;
    if (credentials != nullptr && !credentials->username.empty()) spec.basic = credentials;
  }
  auto transfer = std::make_unique<Transfer>();
  const std::string what = fmt::format("token server {}", core::printable(realm.substr(0, 200)));
  if (auto ok = transfer->start(spec); !ok) return core::withContext(ok.error(), what);
  const long status = transfer->status();
  if (status == 401 || status == 403) {
    const std::string detail = registryErrorMessage(transfer->errorBody());
    return core::fail(
        ErrorCode::Auth, "{} refused {}: HTTP {}{}{}", what,
        spec.basic != nullptr || !spec.post_fields.empty() ? "the credentials" : "anonymous access",
        status, detail.empty() ? "" : ": ", detail);
  }
  if (status != 200) {
    const std::string detail = registryErrorMessage(transfer->errorBody());
    return core::fail(ErrorCode::Auth, "{}: HTTP {}{}{}", what, status, detail.empty() ? "" : ": ",
                      detail);
  }
  auto body = readBody(*transfer, kMaxTokenResponseBytes, what);
  if (!body) return tl::unexpected(body.error());
  const Json json = Json::parse(*body, nullptr, false);
  std::string token;
  std::int64_t expires_in = 60;
  if (json.is_object()) {
    for (const char* key : {"token", "access_token"}) {
      const auto it = json.find(key);
      if (it != json.end() && it->is_string() && !it->get<std::string>().empty()) {
        token = it->get<std::string>();
        break;
      }
    }
    const auto it = json.find("expires_in");
    if (it != json.end() && it->is_number_integer()) expires_in = it->get<std::int64_t>();
  }
  if (token.empty()) return core::fail(ErrorCode::Auth, "{}: the answer holds no token", what);
  if (token.find_first_of("\r\n") != std::string::npos || token.size() > (64U << 10)) {
    return core::fail(ErrorCode::Auth, "{}: the token is malformed", what);
  }
  // Tokens live at least 60 s (the spec's minimum); renew a little early.
  constexpr std::int64_t kMaxTokenLifetime = 24LL * 3600;
  expires_in = std::clamp<std::int64_t>(expires_in, 60, kMaxTokenLifetime);
  const std::lock_guard lock(mutex_);
  tokens_[scope] = CachedToken{
      std::move(token), std::chrono::steady_clock::now() + std::chrono::seconds(expires_in - 10)};
  return {};
}

core::Error RegistryClient::httpError(Transfer& transfer, std::string_view what) const {
  const long status = transfer.status();
  const std::string detail = registryErrorMessage(transfer.errorBody());
  ErrorCode code = ErrorCode::Network;
  std::string hint;
  if (status == 401 || status == 403) {
    code = ErrorCode::Auth;
    hint = options_.credentials ? " (credentials refused)" : " (no credentials given)";
  } else if (status == 404) {
    code = ErrorCode::NotFound;
  }
  return core::Error{code, fmt::format("{}: {}: HTTP {}{}{}{}", host_, what, status,
                                       detail.empty() ? "" : ": ", detail, hint)};
}

core::Result<image::FetchedManifest> RegistryClient::fetchManifest(std::string_view repository,
                                                                   std::string_view reference) {
  const bool by_digest = reference.rfind("sha256:", 0) == 0;
  if (by_digest) {
    if (auto ok = image::checkDigest(reference); !ok) return tl::unexpected(ok.error());
  }
  const std::string what = fmt::format("manifest {}:{}", repository, core::printable(reference));
  const std::string accept =
      fmt::format("{}, {}, {}, {}", image::media::kOciIndex, image::media::kOciManifest,
                  image::media::kDockerList, image::media::kDockerManifest);
  auto transfer =
      request(repository, fmt::format("/v2/{}/manifests/{}", repository, reference), accept);
  if (!transfer) return tl::unexpected(transfer.error());
  if ((*transfer)->status() != 200) return tl::unexpected(httpError(**transfer, what));
  auto bytes = readBody(**transfer, image::kMaxManifestBytes, what);
  if (!bytes) return tl::unexpected(bytes.error());

  image::FetchedManifest manifest;
  manifest.media_type = mediaTypeOf((*transfer)->header("content-type"));
  if (manifest.media_type == kSchema1 || manifest.media_type == kSchema1Signed) {
    return core::fail(ErrorCode::Input,
                      "{}: Docker schema 1 manifests are unsupported (deprecated since 2017); "
                      "push the image again with a current client",
                      what);
  }
  if (manifest.media_type == "application/json" || manifest.media_type.empty()) {
    const Json json = Json::parse(*bytes, nullptr, false);
    if (json.is_object() && json.value("schemaVersion", 0) == 1) {
      return core::fail(ErrorCode::Input, "{}: Docker schema 1 manifests are unsupported", what);
    }
    manifest.media_type.clear();  // let resolveImage() read mediaType from the document
  }
  manifest.digest = "sha256:" + core::sha256Hex(*bytes);
  const std::string announced(core::trim((*transfer)->header("docker-content-digest")));
  if (announced.rfind("sha256:", 0) == 0 && announced != manifest.digest) {
    return core::fail(ErrorCode::Integrity,
                      "{}: digest mismatch: the registry says {}, the bytes hash to {}", what,
                      core::printable(announced.substr(0, 100)), manifest.digest);
  }
  if (by_digest && manifest.digest != reference) {
    return core::fail(ErrorCode::Integrity, "{}: digest mismatch: got {}", what, manifest.digest);
  }
  manifest.bytes = std::move(*bytes);
  return manifest;
}

core::Result<std::unique_ptr<image::ByteStream>> RegistryClient::openBlob(
    std::string_view repository, const image::Descriptor& descriptor) {
  if (auto ok = image::checkDigest(descriptor.digest); !ok) return tl::unexpected(ok.error());
  const std::string what = fmt::format("blob {}", descriptor.digest);
  auto transfer =
      request(repository, fmt::format("/v2/{}/blobs/{}", repository, descriptor.digest), "");
  if (!transfer) return tl::unexpected(transfer.error());
  if ((*transfer)->status() != 200) return tl::unexpected(httpError(**transfer, what));
  return std::unique_ptr<image::ByteStream>(
      std::make_unique<BlobStream>(std::move(*transfer), descriptor));
}

}  // namespace bulwark::image::registry
