#include "checks/k8s/collect/api_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace bulwark::checks::k8s::collect {
namespace {

constexpr std::size_t kMaxMessage = 300;
constexpr int kMaxJsonDepth = 64;

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

docker::FactState makeState(docker::FactStatus status, std::string detail) {
  docker::FactState state;
  state.status = status;
  state.detail = std::move(detail);
  return state;
}

void wipe(std::string& secret) {
  std::fill(secret.begin(), secret.end(), '\0');
  secret.clear();
}

struct ServerUrl {
  std::string scheme;  // "https"
  std::string host;    // "10.0.0.1", "[::1]"
  std::string port;    // "6443"; default per scheme
  std::string prefix;  // "/k8s" (a server behind a path), or empty
};

core::Result<ServerUrl> parseServer(std::string_view server) {
  ServerUrl url;
  std::string_view rest;
  if (server.starts_with("https://")) {
    url.scheme = "https";
    rest = server.substr(8);
  } else if (server.starts_with("http://")) {
    url.scheme = "http";
    rest = server.substr(7);
  } else {
    return core::fail(core::ErrorCode::Usage, "server {}: expected an https:// URL",
                      core::printable(server));
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.prefix = std::string(rest.substr(slash));
  while (!url.prefix.empty() && url.prefix.back() == '/') url.prefix.pop_back();
  if (authority.empty() || authority.find_first_of("@?# ") != std::string_view::npos) {
    return core::fail(core::ErrorCode::Usage, "server {}: no usable host", core::printable(server));
  }
  std::size_t colon = std::string_view::npos;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return core::fail(core::ErrorCode::Usage, "server {}: unbalanced [", core::printable(server));
    }
    if (close + 1 < authority.size() && authority[close + 1] == ':') colon = close + 1;
  } else {
    colon = authority.rfind(':');
  }
  url.host = std::string(authority.substr(0, colon));
  url.port = colon == std::string_view::npos ? (url.scheme == "https" ? "443" : "80")
                                             : std::string(authority.substr(colon + 1));
  if (url.host.empty() || url.port.empty() ||
      !std::all_of(url.port.begin(), url.port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return core::fail(core::ErrorCode::Usage, "server {}: no usable host and port",
                      core::printable(server));
  }
  return url;
}

// Retry-After in seconds from the response, when it asks for a short wait.
std::optional<long> retryAfter(CURL* handle, long status, std::chrono::seconds max) {
  if (status != 429 && status != 503) return std::nullopt;
  curl_off_t wait = -1;
  if (curl_easy_getinfo(handle, CURLINFO_RETRY_AFTER, &wait) != CURLE_OK || wait < 0 ||
      wait > max.count()) {
    return std::nullopt;
  }
  return static_cast<long>(wait);
}

}  // namespace

struct ApiClient::Curl {
  CURL* handle = nullptr;
  curl_slist* headers = nullptr;
  std::string body;
  std::size_t max_body = 0;
  bool overflow = false;
  char error[CURL_ERROR_SIZE] = {};
  // Kept alive for the handle (libcurl copies blobs with CURL_BLOB_COPY, but the bearer and the
  // connect-to list are referenced).
  std::string token;
  curl_slist* connect_to = nullptr;

  static std::size_t onData(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Curl*>(user);
    const std::size_t bytes = size * count;
    if (bytes > self->max_body - std::min(self->max_body, self->body.size())) {
      self->overflow = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    self->body.append(data, bytes);
    return bytes;
  }
  ~Curl() {
    if (handle != nullptr) curl_easy_cleanup(handle);
    if (headers != nullptr) curl_slist_free_all(headers);
    if (connect_to != nullptr) curl_slist_free_all(connect_to);
    wipe(token);
  }
};

ApiClient::ApiClient(const ApiClientOptions& options)
    : options_(options), curl_(std::make_unique<Curl>()) {}

ApiClient::~ApiClient() = default;

core::Result<std::unique_ptr<ApiClient>> ApiClient::open(const ClientConfig& config,
                                                         const ApiClientOptions& options) {
  auto url = parseServer(config.server);
  if (!url) return tl::unexpected(url.error());
  initCurlOnce();
  std::unique_ptr<ApiClient> client(new ApiClient(options));
  auto& curl = *client->curl_;
  curl.handle = curl_easy_init();
  if (curl.handle == nullptr) {
    return core::fail(core::ErrorCode::Internal, "libcurl: cannot create a handle");
  }
  CURL* h = curl.handle;
  curl.max_body = options.max_body_bytes;
  std::string host = url->host;
  if (!config.tls_server_name.empty()) {
    // The URL names the TLS server name (SNI and certificate check); the connection goes to the
    // kubeconfig's host.
    host = config.tls_server_name;
    const std::string entry = fmt::format("{}:{}:{}:{}", host, url->port, url->host, url->port);
    curl.connect_to = curl_slist_append(nullptr, entry.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, curl.connect_to);
  }
  client->base_ = fmt::format("{}://{}:{}{}", url->scheme, host, url->port, url->prefix);

  const auto timeout = std::max<long>(1, static_cast<long>(options.timeout.count()));
  const auto connect =
      std::max<long>(1, std::min(timeout, static_cast<long>(options.connect_timeout.count())));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body_bytes));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Curl::onData);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &curl);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl.error);
  curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it
  curl.headers = curl_slist_append(curl.headers, "Accept: application/json");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, curl.headers);
  if (!config.proxy_url.empty()) curl_easy_setopt(h, CURLOPT_PROXY, config.proxy_url.c_str());

  if (config.insecure_skip_tls_verify) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!config.ca_pem.empty()) {
    curl_blob ca{const_cast<char*>(config.ca_pem.data()), config.ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
  }
  if (!config.client_cert_pem.empty() && !config.client_key_pem.empty()) {
    curl_blob cert{const_cast<char*>(config.client_cert_pem.data()), config.client_cert_pem.size(),
                   CURL_BLOB_COPY};
    curl_blob key{const_cast<char*>(config.client_key_pem.data()), config.client_key_pem.size(),
                  CURL_BLOB_COPY};
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
  }
  if (!config.token.empty()) {
    curl.token = config.token;
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
    curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, curl.token.c_str());
  }
  return client;
}

ApiResponse ApiClient::get(std::string_view path) {
  ApiResponse response;
  auto& curl = *curl_;
  const std::string url = base_ + std::string(path);
  curl_easy_setopt(curl.handle, CURLOPT_URL, url.c_str());
  for (int attempt = 0;; ++attempt) {
    ++requests_;
    curl.body.clear();
    curl.overflow = false;
    curl.error[0] = '\0';
    const CURLcode code = curl_easy_perform(curl.handle);
    if (code != CURLE_OK) {
      const std::string text =
          core::printable(curl.error[0] != '\0' ? curl.error : curl_easy_strerror(code));
      using docker::FactStatus;
      if (curl.overflow || code == CURLE_FILESIZE_EXCEEDED) {
        response.transport =
            makeState(FactStatus::Malformed,
                      fmt::format("response body exceeds {} bytes", options_.max_body_bytes));
      } else if (code == CURLE_OPERATION_TIMEDOUT) {
        response.transport = makeState(
            FactStatus::Timeout, fmt::format("no answer within {} ms", options_.timeout.count()));
      } else if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE) {
        response.transport =
            makeState(FactStatus::Unreachable, fmt::format("certificate verify failed: {}", text));
      } else if (code == CURLE_SSL_CONNECT_ERROR || code == CURLE_SSL_CERTPROBLEM) {
        response.transport = makeState(FactStatus::Unreachable, fmt::format("TLS: {}", text));
      } else {
        response.transport = makeState(FactStatus::Unreachable, text);
      }
      response.transport.source = "GET " + core::printable(path);
      curl.body.clear();
      return response;
    }
    curl_easy_getinfo(curl.handle, CURLINFO_RESPONSE_CODE, &response.status);
    if (attempt < options_.retries) {
      if (const auto wait = retryAfter(curl.handle, response.status, options_.max_retry_after)) {
        std::this_thread::sleep_for(std::chrono::seconds(*wait));
        continue;
      }
    }
    break;
  }
  response.transport = makeState(docker::FactStatus::Ok, "");
  response.transport.source = "GET " + core::printable(path);
  response.body = std::move(curl.body);
  curl.body = std::string();
  return response;
}

std::string statusMessage(std::string_view body) {
  std::string message;
  if (core::jsonNestingWithin(body, kMaxJsonDepth)) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object()) {
      const auto it = json.find("message");
      if (it != json.end() && it->is_string()) message = it->get<std::string>();
    }
  }
  if (message.empty()) message = std::string(body.substr(0, kMaxMessage));
  if (message.size() > kMaxMessage) message.resize(kMaxMessage);
  return core::printable(core::trim(message));
}

}  // namespace bulwark::checks::k8s::collect
