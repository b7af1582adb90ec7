// http(s)://URL: POSTs each JSON alert (Content-Type: application/json) with libcurl, TLS
// verified (--output-ca: the CA file), `Authorization: Bearer` from --output-token-file. Network
// errors, 5xx and 429 are retried 3 times after 1, 2 and 4 s (not a certificate that does not
// verify; once an alert failed them all, one try per alert until the receiver answers again);
// any other 4xx rejects the alert (counted; sending it again would be refused again).
#include <curl/curl.h>

#include <array>
#include <mutex>

#include <fmt/format.h>

#include "pipeline/sinks/kinds.h"

namespace bulwark::pipeline::sinks {

namespace {

constexpr std::array<int, 3> kBackoffSeconds = {1, 2, 4};
constexpr long kConnectTimeoutMs = 5000;
constexpr long kRequestTimeoutMs = 10000;

std::size_t discardBody(char* /*data*/, std::size_t size, std::size_t count, void* /*user*/) {
  return size * count;
}

class HttpSink final : public Sink {
 public:
  HttpSink(std::string url, CURL* curl, curl_slist* headers)
      : url_(std::move(url)), curl_(curl), headers_(headers) {}
  ~HttpSink() override {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  HttpSink(const HttpSink&) = delete;
  HttpSink& operator=(const HttpSink&) = delete;

  Delivery write(const SinkAlert& alert, std::string& error) override {
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, alert.json.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(alert.json.size()));
    curl_easy_setopt(curl_, CURLOPT_XFERINFODATA, this);
    // After an alert that failed every retry, the receiver is taken to be down: one try per
    // alert until it answers again, so that a backlog does not wait 7 s per alert.
    const std::size_t retries = down_ ? 0 : kBackoffSeconds.size();
    for (std::size_t attempt = 0;; ++attempt) {
      const CURLcode rc = curl_easy_perform(curl_);
      long status = 0;
      if (rc == CURLE_OK) {
        curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300) {
          down_ = false;
          return Delivery::Sent;
        }
        if (status >= 400 && status < 500 && status != 429) {
          error = fmt::format("POST {}: HTTP {} (alert dropped)", redacted(), status);
          down_ = false;
          return Delivery::Rejected;
        }
        error = fmt::format("POST {}: HTTP {}", redacted(), status);
      } else {
        error = fmt::format("POST {}: {}", redacted(), curl_easy_strerror(rc));
        // A certificate that does not verify will not verify a second later.
        if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
          return Delivery::Failed;
        }
      }
      if (attempt == retries || !sleepFor(std::chrono::seconds(kBackoffSeconds[attempt]))) {
        down_ = attempt == retries;
        return Delivery::Failed;
      }
    }
  }

  // Ends a transfer when the exit bound is hit.
  static int progress(void* self, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/,
                      curl_off_t /*ultotal*/, curl_off_t /*ulnow*/) {
    return static_cast<HttpSink*>(self)->aborted() ? 1 : 0;
  }

 private:
  // The URL without user:password@ (errors are printed).
  std::string redacted() const {
    SinkSpec spec;
    spec.kind = SinkSpec::Kind::Http;
    spec.url = url_;
    spec.text = url_;
    return displayName(spec);
  }

  std::string url_;
  CURL* curl_;
  curl_slist* headers_;
  bool down_ = false;
};

}  // namespace

core::Result<std::unique_ptr<Sink>> makeHttpSink(const SinkSpec& spec, const SinkContext& context) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return core::fail(core::ErrorCode::Internal, "libcurl: no handle");
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  if (!context.http_token.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + context.http_token).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, spec.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, kRequestTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!context.http_ca.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, context.http_ca.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &discardBody);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, ("bulwark/" + context.version).c_str());
  auto sink = std::make_unique<HttpSink>(spec.url, curl, headers);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &HttpSink::progress);
  return std::unique_ptr<Sink>(std::move(sink));
}

}  // namespace bulwark::pipeline::sinks
