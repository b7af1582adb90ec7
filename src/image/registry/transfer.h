// The HTTP exchange under RegistryClient (libcurl, one multi handle per transfer) and small
// helpers shared by client.cpp, catalog.cpp and push.cpp. Internal to src/image/registry/.
#pragma once

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/text.h"
#include "image/registry/client.h"
#include "image/registry/credentials.h"
#include "image/stream.h"

namespace bulwark::image::registry {

namespace detail {

using core::ErrorCode;

// A streamed request body: `length` bytes read from `source` as libcurl asks for them. With
// `expect_end`, the source must end right after them (a BlobStream checks its digest there).
class UploadBody {
 public:
  UploadBody(image::ByteStream& source, std::uint64_t length, bool expect_end)
      : source_(&source), length_(length), expect_end_(expect_end) {}

  static std::size_t onRead(char* buffer, std::size_t size, std::size_t n, void* self_ptr) {
    auto* self = static_cast<UploadBody*>(self_ptr);
    const std::uint64_t left = self->length_ - self->sent_;
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(left, std::uint64_t{size} * n));
    if (want == 0) return 0;
    auto got = self->source_->read(buffer, want);
    if (!got) return self->abort(got.error());
    if (*got == 0 || *got > want) {
      return self->abort(
          {core::ErrorCode::Integrity,
           fmt::format("the blob source ended after {} of {} bytes", self->sent_, self->length_)});
    }
    self->sent_ += *got;
    if (self->sent_ == self->length_ && self->expect_end_) {
      char probe = 0;
      auto end = self->source_->read(&probe, 1);  // lets the source check its digest
      if (!end) return self->abort(end.error());
      if (*end != 0) {
        return self->abort({core::ErrorCode::Integrity,
                            fmt::format("the blob source is longer than {} bytes", self->length_)});
      }
    }
    return *got;
  }

  [[nodiscard]] std::uint64_t length() const { return length_; }
  [[nodiscard]] const std::optional<core::Error>& failure() const { return failure_; }

 private:
  std::size_t abort(core::Error error) {
    failure_ = std::move(error);
    return CURL_READFUNC_ABORT;
  }

  image::ByteStream* source_;
  std::uint64_t length_;
  bool expect_end_;
  std::uint64_t sent_ = 0;
  std::optional<core::Error> failure_;
};

struct RequestSpec {
  std::string url;
  std::string method;  // "" = GET, or POST when post_fields is set; "HEAD", "PUT", "PATCH", ...
  std::vector<std::string> headers;
  std::string post_fields;             // POST when non-empty
  bool send_body = false;              // send post_fields as the body even when empty
  UploadBody* upload = nullptr;        // a streamed body instead
  const Credentials* basic = nullptr;  // HTTP Basic user/password (libcurl encodes them)
  bool verify_tls = true;
  const RegistryOptions* options = nullptr;
};

// One HTTP exchange on its own curl multi handle. start() runs it until the final response's
// body begins (or it ends); read() pulls the body through a bounded buffer.
class Transfer {
 public:
  Transfer() = default;
  ~Transfer() {
    if (multi_ != nullptr && easy_ != nullptr) curl_multi_remove_handle(multi_, easy_);
    if (easy_ != nullptr) curl_easy_cleanup(easy_);
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
    curl_slist_free_all(headers_);
  }
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  core::Status start(const RequestSpec& spec) {
    easy_ = curl_easy_init();
    multi_ = curl_multi_init();
    if (easy_ == nullptr || multi_ == nullptr) {
      return core::fail(ErrorCode::Internal, "cannot initialise libcurl");
    }
    const RegistryOptions& options = *spec.options;
    const char* protocols = options.insecure ? "http,https" : "https";
    curl_easy_setopt(easy_, CURLOPT_URL, spec.url.c_str());
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy_, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(easy_, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT,
                     static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(options.stall_timeout.count()));
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, spec.verify_tls ? 1L : 0L);
    curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, spec.verify_tls ? 2L : 0L);
    if (!options.ca_file.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, options.ca_file.c_str());
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, curl_error_);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Transfer::onData);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &Transfer::onHeader);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
    for (const auto& header : spec.headers) headers_ = curl_slist_append(headers_, header.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    if (spec.basic != nullptr) {
      curl_easy_setopt(easy_, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      curl_easy_setopt(easy_, CURLOPT_USERNAME, spec.basic->username.c_str());
      curl_easy_setopt(easy_, CURLOPT_PASSWORD, spec.basic->password.c_str());
    }
    if (spec.method == "HEAD") {
      curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
    } else if (spec.upload != nullptr) {
      curl_easy_setopt(easy_, CURLOPT_UPLOAD, 1L);  // PUT
      curl_easy_setopt(easy_, CURLOPT_INFILESIZE_LARGE,
                       static_cast<curl_off_t>(spec.upload->length()));
      curl_easy_setopt(easy_, CURLOPT_READFUNCTION, &UploadBody::onRead);
      curl_easy_setopt(easy_, CURLOPT_READDATA, spec.upload);
    } else if (!spec.post_fields.empty() || spec.send_body) {
      curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE, static_cast<long>(spec.post_fields.size()));
      curl_easy_setopt(easy_, CURLOPT_COPYPOSTFIELDS, spec.post_fields.c_str());
    }
    if (!spec.method.empty() && spec.method != "HEAD" && spec.method != "GET") {
      curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
    }
    curl_multi_add_handle(multi_, easy_);
    while (!body_started_ && !done_) {
      if (auto ok = pump(); !ok) return ok;
    }
    if (done_ && result_ != CURLE_OK && status() < 400) {
      return core::fail(ErrorCode::Network, "{}", curlMessage());
    }
    return {};
  }

  [[nodiscard]] long status() const {
    long code = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }
  [[nodiscard]] CURLcode result() const { return result_; }
  [[nodiscard]] const std::string& errorBody() const { return error_body_; }
  [[nodiscard]] std::string header(const std::string& lower_name) const {
    const auto it = response_headers_.find(lower_name);
    return it == response_headers_.end() ? std::string() : it->second;
  }
  [[nodiscard]] std::string curlMessage() const {
    return curl_error_[0] != '\0' ? std::string(curl_error_) : curl_easy_strerror(result_);
  }

  // Body bytes of a 2xx response; 0 at the end. A transfer that breaks off is a Network error.
  core::Result<std::size_t> read(char* buffer, std::size_t size) {
    while (pending_pos_ == pending_.size() && !done_) {
      if (auto ok = pump(); !ok) return tl::unexpected(ok.error());
    }
    if (pending_pos_ < pending_.size()) {
      const std::size_t n = std::min(size, pending_.size() - pending_pos_);
      std::memcpy(buffer, pending_.data() + pending_pos_, n);
      pending_pos_ += n;
      if (pending_pos_ == pending_.size()) {
        pending_.clear();
        pending_pos_ = 0;
      }
      return n;
    }
    if (result_ != CURLE_OK) {
      return core::fail(ErrorCode::Network, "transfer failed: {}", curlMessage());
    }
    return std::size_t{0};
  }

 private:
  core::Status pump() {
    if (paused_) {
      paused_ = false;
      curl_easy_pause(easy_, CURLPAUSE_CONT);  // may deliver the held data right away
      if (!pending_.empty()) return {};
    }
    int running = 0;
    if (curl_multi_perform(multi_, &running) != CURLM_OK) {
      return core::fail(ErrorCode::Network, "libcurl multi interface failed");
    }
    if (running == 0) {
      int left = 0;
      while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
        if (message->msg == CURLMSG_DONE) result_ = message->data.result;
      }
      done_ = true;
      return {};
    }
    if (!pending_.empty() || paused_) return {};
    if (curl_multi_poll(multi_, nullptr, 0, 1000, nullptr) != CURLM_OK) {
      return core::fail(ErrorCode::Network, "libcurl poll failed");
    }
    return {};
  }

  static std::size_t onData(char* data, std::size_t one, std::size_t n, void* self_ptr) {
    auto* self = static_cast<Transfer*>(self_ptr);
    (void)one;
    const long code = self->status();
    if (code >= 300 && code < 400) return n;  // the body of a redirect being followed
    if (code < 200 || code >= 300) {
      if (self->error_body_.size() + n > kMaxErrorBodyBytes) return 0;  // aborts the transfer
      self->error_body_.append(data, n);
      return n;
    }
    self->body_started_ = true;
    if (self->pending_.size() >= kBlobBufferBytes) {
      self->paused_ = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    self->pending_.append(data, n);
    return n;
  }

  static std::size_t onHeader(char* data, std::size_t one, std::size_t n, void* self_ptr) {
    auto* self = static_cast<Transfer*>(self_ptr);
    (void)one;
    const std::string_view line(data, n);
    if (line.substr(0, 5) == "HTTP/") {
      self->response_headers_.clear();  // a new response (after a redirect or 100-continue)
      self->header_bytes_ = 0;
      return n;
    }
    self->header_bytes_ += n;
    if (self->header_bytes_ > kMaxErrorBodyBytes) return n;  // keep the first 64 KiB
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    const std::string name = core::asciiLower(core::trim(line.substr(0, colon)));
    const std::string value(core::trim(line.substr(colon + 1)));
    auto& slot = self->response_headers_[name];
    slot = slot.empty() ? value : slot + ", " + value;
    return n;
  }

  CURL* easy_ = nullptr;
  CURLM* multi_ = nullptr;
  curl_slist* headers_ = nullptr;
  char curl_error_[CURL_ERROR_SIZE] = {};
  std::map<std::string, std::string> response_headers_;
  std::size_t header_bytes_ = 0;
  std::string pending_;
  std::size_t pending_pos_ = 0;
  std::string error_body_;
  bool body_started_ = false;
  bool paused_ = false;
  bool done_ = false;
  CURLcode result_ = CURLE_OK;
};

// Percent-encodes everything but RFC 3986 unreserved characters.
inline std::string escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

// Reads a whole body, failing with ErrorCode::Limit past `max_bytes`.
inline core::Result<std::string> readBody(Transfer& transfer, std::size_t max_bytes,
                                          std::string_view what) {
  std::string out;
  char buffer[16 * 1024];
  for (;;) {
    auto got = transfer.read(buffer, sizeof buffer);
    if (!got) return core::withContext(got.error(), what);
    if (*got == 0) return out;
    if (out.size() + *got > max_bytes) {
      return core::fail(core::ErrorCode::Limit, "{}: response larger than {} bytes", what,
                        max_bytes);
    }
    out.append(buffer, *got);
  }
}

inline std::string mediaTypeOf(std::string_view content_type) {
  return core::asciiLower(core::trim(content_type.substr(0, content_type.find(';'))));
}

}  // namespace detail

}  // namespace bulwark::image::registry
