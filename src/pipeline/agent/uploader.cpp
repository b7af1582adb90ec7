#include "pipeline/agent/uploader.h"

#include <curl/curl.h>

#include <algorithm>
#include <random>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace bulwark::pipeline::agent {

namespace {

constexpr long kConnectTimeoutMs = 5000;
constexpr std::size_t kMaxResponseBytes = 1 << 20;
constexpr std::size_t kMinBatchBytes = 4096;

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const std::size_t bytes = size * count;
  if (body->size() + bytes > kMaxResponseBytes) return 0;  // ends the transfer
  body->append(data, bytes);
  return bytes;
}

std::int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The server's {"error": {"message": …}} or the start of its body.
std::int64_t steadyNanos(std::chrono::steady_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
}

// A member of the server's answer that should be a count: 0 when absent or of another type
// (the body may come from a proxy or a wrong --server; nothing in it may throw).
std::uint64_t countOf(const nlohmann::json& json, const char* key) {
  const auto found = json.find(key);
  return found != json.end() && found->is_number_unsigned() ? found->get<std::uint64_t>() : 0;
}

std::string errorDetail(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("error") && json["error"].is_object() &&
      json["error"].contains("message") && json["error"]["message"].is_string()) {
    return json["error"]["message"].get<std::string>();
  }
  return body.substr(0, 200);
}

}  // namespace

struct Uploader::Curl {
  CURL* handle = nullptr;
  curl_slist* headers = nullptr;
  std::string response;
  ~Curl() {
    curl_slist_free_all(headers);
    if (handle != nullptr) curl_easy_cleanup(handle);
  }
};

Uploader::Uploader(Spool& spool, UploaderOptions options)
    : spool_(spool),
      options_(std::move(options)),
      batch_lines_(std::max<std::size_t>(1, options_.batch_lines)),
      batch_bytes_(std::max(kMinBatchBytes, options_.batch_bytes)) {}

core::Result<std::unique_ptr<Uploader>> Uploader::start(Spool& spool, UploaderOptions options) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<Uploader> uploader(new Uploader(spool, std::move(options)));
  auto curl = std::make_unique<Curl>();
  curl->handle = curl_easy_init();
  if (curl->handle == nullptr) return core::fail(core::ErrorCode::Internal, "libcurl: no handle");
  curl->headers = curl_slist_append(nullptr, "Content-Type: application/x-ndjson");
  if (!uploader->options_.token.empty()) {
    curl->headers = curl_slist_append(
        curl->headers, ("Authorization: Bearer " + uploader->options_.token).c_str());
  }
  CURL* handle = curl->handle;
  const UploaderOptions& opts = uploader->options_;
  curl_easy_setopt(handle, CURLOPT_URL, opts.url.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, curl->headers);
  curl_easy_setopt(handle, CURLOPT_POST, 1L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!opts.ca.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, opts.ca.c_str());
  curl_easy_setopt(handle, CURLOPT_USERAGENT, ("bulwark-agent/" + opts.version).c_str());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &curl->response);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, uploader.get());
  curl_easy_setopt(
      handle, CURLOPT_XFERINFOFUNCTION,
      +[](void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
        const auto* up = static_cast<const Uploader*>(self);
        return up->abort_transfer_.load() ||
                       steadyNanos(std::chrono::steady_clock::now()) >= up->abort_at_ns_.load()
                   ? 1
                   : 0;
      });
  uploader->curl_ = std::move(curl);
  uploader->thread_ = std::thread([self = uploader.get()] { self->loop(); });
  return uploader;
}

Uploader::~Uploader() { stop(std::chrono::milliseconds(0)); }

void Uploader::stop(std::chrono::milliseconds bound) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    drain_deadline_ = std::chrono::steady_clock::now() + bound;
    // No time at all: a transfer under way is ended now; else when the bound runs out.
    if (bound.count() <= 0) abort_transfer_ = true;
    abort_at_ns_ = steadyNanos(drain_deadline_);
  }
  wake_.notify_all();
  spool_.wake();
  if (thread_.joinable()) thread_.join();
}

UploaderStats Uploader::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Uploader::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, duration, [&] { return stopping_; });
}

void Uploader::loop() {
  std::mt19937_64 random(std::random_device{}());
  std::chrono::milliseconds backoff = options_.backoff_min;
  for (;;) {
    bool stopping = false;
    {
      std::lock_guard lock(mutex_);
      stopping = stopping_;
    }
    if (stopping) {
      // Drain: one try per batch until the spool is empty, a batch fails or time is up.
      while (spool_.pendingBytes() > 0 && !abort_transfer_) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            drain_deadline_ - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !sendOne(std::min(left, options_.request_timeout))) break;
      }
      return;
    }
    if (!spool_.waitForData(
            std::chrono::milliseconds(options_.heartbeat.count() > 0
                                          ? std::min<std::int64_t>(1000, options_.heartbeat.count())
                                          : 1000))) {
      if (options_.heartbeat.count() > 0 &&
          std::chrono::steady_clock::now() - last_contact_ >= options_.heartbeat) {
        sendHeartbeat(options_.request_timeout);
        last_contact_ = std::chrono::steady_clock::now();  // failed or not: next one later
      }
      continue;
    }
    // Let a batch fill for batch_wait, or until it is full (stop() ends the wait, too).
    spool_.waitForBytes(batch_bytes_, std::chrono::steady_clock::now() + options_.batch_wait);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) continue;
    }
    while (spool_.pendingBytes() > 0) {
      if (sendOne(options_.request_timeout)) {
        backoff = options_.backoff_min;
        // A stop ends this loop at once: the drain above is bounded, a backlog is not.
        std::lock_guard lock(mutex_);
        if (stopping_) break;
        continue;
      }
      // Exponential backoff with jitter (half to all of it), so that agents that lost the
      // server together do not come back together.
      std::uniform_int_distribution<std::int64_t> jitter(backoff.count() / 2, backoff.count());
      pause(std::chrono::milliseconds(jitter(random)));
      backoff = std::min(options_.backoff_max, backoff * 2);
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
  }
}

bool Uploader::sendHeartbeat(std::chrono::milliseconds timeout) {
  CURL* handle = curl_->handle;
  curl_->response.clear();
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<std::int64_t>(1, timeout.count())));
  long status = 0;
  if (curl_easy_perform(handle) == CURLE_OK) {
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  }
  std::lock_guard lock(mutex_);
  stats_.reachable = status >= 200 && status < 300;
  if (stats_.reachable) ++stats_.heartbeats;
  return stats_.reachable;
}

bool Uploader::sendOne(std::chrono::milliseconds timeout) {
  auto batch = spool_.peek(batch_lines_, batch_bytes_);
  auto fail = [&](std::string error, bool reached) {
    std::lock_guard lock(mutex_);
    ++stats_.failures;
    stats_.last_error = std::move(error);
    stats_.reachable = reached;
    return false;
  };
  if (!batch) return fail(batch.error().message, false);
  if (batch->lines == 0) {
    // Pending bytes and no whole line to send: never report that as progress (the caller
    // would spin); wait as after any failure.
    std::lock_guard lock(mutex_);
    stats_.last_error = "spool: pending data without a complete line";
    return false;
  }
  CURL* handle = curl_->handle;
  curl_->response.clear();
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, batch->body.data());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(batch->body.size()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<std::int64_t>(1, timeout.count())));
  const CURLcode rc = curl_easy_perform(handle);
  if (rc != CURLE_OK) {
    return fail(fmt::format("POST {}: {}", options_.url, curl_easy_strerror(rc)), false);
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  const std::string& body = curl_->response;
  auto settle = [&](std::uint64_t accepted, std::uint64_t duplicates, std::uint64_t rejected,
                    std::string error) {
    if (auto moved = spool_.acknowledge(batch->end); !moved) {
      return fail(moved.error().message, true);
    }
    std::lock_guard lock(mutex_);
    ++stats_.batches;
    stats_.accepted += accepted;
    stats_.duplicates += duplicates;
    stats_.rejected += rejected;
    stats_.last_success_ms = nowMillis();
    last_contact_ = std::chrono::steady_clock::now();
    stats_.reachable = true;
    if (!error.empty()) stats_.last_error = std::move(error);
    return true;
  };
  if (status >= 200 && status < 300) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    std::uint64_t accepted = batch->lines;
    std::uint64_t duplicates = 0;
    std::uint64_t rejected = 0;
    std::string error;
    if (json.is_object()) {
      accepted = countOf(json, "accepted");
      duplicates = countOf(json, "duplicates");
      if (const auto list = json.find("rejected"); list != json.end() && list->is_array()) {
        rejected = list->size();
        if (rejected > 0 && list->front().is_object()) {
          const auto message = list->front().find("error");
          error = fmt::format("the server rejected {} alert(s): {}", rejected,
                              message != list->front().end() && message->is_string()
                                  ? message->get<std::string>()
                                  : std::string());
        }
      }
    }
    return settle(accepted, duplicates, rejected, std::move(error));
  }
  if (status == 413) {
    // The server takes smaller bodies than ours: halve the batch; a single line it will never
    // take is given up.
    if (batch->lines > 1) {
      batch_lines_ = std::max<std::size_t>(1, batch->lines / 2);
      batch_bytes_ = std::max(kMinBatchBytes, batch->body.size() / 2);
      return true;
    }
    return settle(
        0, 0, 1,
        fmt::format("the server refused an alert of {} bytes (HTTP 413)", batch->body.size()));
  }
  if (status == 400) {
    return settle(0, 0, batch->lines,
                  fmt::format("the server rejected a batch of {} alert(s): {}", batch->lines,
                              errorDetail(body)));
  }
  // 401/403 (a token it does not take), 404 (a wrong URL), 429, 5xx: wait and try again; the
  // spool keeps the alerts until somebody fixes the server or its configuration.
  return fail(fmt::format("POST {}: HTTP {}: {}", options_.url, status, errorDetail(body)), true);
}

}  // namespace bulwark::pipeline::agent
