// The agent's delivery (docs/agent.md): a thread that sends the spool's alerts to `bulwark
// serve` as NDJSON batches (POST /api/v1/alerts, the ingest token as bearer, TLS verified) and
// acknowledges each batch in the spool once the server answered it. A batch waits up to
// batch_wait for more alerts, so a burst is one request and a single alert is out in a second.
// With nothing to send for `heartbeat`, an empty batch says the agent is alive.
// Failures (network, 5xx, 429, a refused token) are retried with exponential backoff and
// jitter, forever: the spool holds the alerts meanwhile. What the server refuses for its
// content (400, a line it rejects) is counted and not sent again; a 413 halves the batch.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"
#include "pipeline/agent/spool.h"

namespace bulwark::pipeline::agent {

struct UploaderOptions {
  std::string url;  // the server's alert endpoint: https://HOST:PORT/api/v1/alerts
  std::string token;
  std::string ca;  // a CA file to verify the server with (else the system's)
  std::string version;
  std::size_t batch_lines = 500;
  std::size_t batch_bytes = std::size_t{1} << 20;
  std::chrono::milliseconds batch_wait{1000};
  std::chrono::milliseconds backoff_min{1000};
  std::chrono::milliseconds backoff_max{60000};
  std::chrono::milliseconds request_timeout{30000};
  // With nothing to send for this long, an empty batch tells the server the agent is alive
  // (posture: the host's runtime sensor). 0: never.
  std::chrono::milliseconds heartbeat{60000};
};

struct UploaderStats {
  std::uint64_t batches = 0;         // batches the server answered with 2xx
  std::uint64_t accepted = 0;        // alerts it stored
  std::uint64_t duplicates = 0;      // alerts it had already (resent after a lost answer)
  std::uint64_t rejected = 0;        // alerts it refused for their content (not sent again)
  std::uint64_t failures = 0;        // attempts that failed and were retried
  std::uint64_t heartbeats = 0;      // empty batches the server answered
  std::int64_t last_success_ms = 0;  // Unix time of the last answered batch; 0: none yet
  std::string last_error;
  bool reachable = false;  // the last attempt reached the server and was answered
};

class Uploader {
 public:
  static core::Result<std::unique_ptr<Uploader>> start(Spool& spool, UploaderOptions options);
  ~Uploader();
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  // Sends what the spool holds for at most `bound` (one attempt per batch, no backoff), then
  // stops the thread; what is left stays in the spool for the next start.
  void stop(std::chrono::milliseconds bound);
  UploaderStats stats() const;

 private:
  struct Curl;
  Uploader(Spool& spool, UploaderOptions options);
  void loop();
  // One batch, within `timeout`: true when the spool moved on (sent, or refused for good).
  bool sendOne(std::chrono::milliseconds timeout);
  // An empty batch (the heartbeat); true when the server answered 2xx.
  bool sendHeartbeat(std::chrono::milliseconds timeout);
  // Sleeps `duration` unless stopped meanwhile.
  void pause(std::chrono::milliseconds duration);

  Spool& spool_;
  UploaderOptions options_;
  std::unique_ptr<Curl> curl_;
  std::size_t batch_lines_;
  std::size_t batch_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point drain_deadline_{};
  // The last answered batch or heartbeat (the uploader thread's alone).
  std::chrono::steady_clock::time_point last_contact_ = std::chrono::steady_clock::now();
  std::atomic<bool> abort_transfer_{false};
  // A transfer under way when stop()'s bound runs out is ended then (steady-clock ns; max:
  // never).
  std::atomic<std::int64_t> abort_at_ns_{std::numeric_limits<std::int64_t>::max()};
  UploaderStats stats_;
  std::thread thread_;
};

}  // namespace bulwark::pipeline::agent
