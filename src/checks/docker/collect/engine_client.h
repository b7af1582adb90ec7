// A Docker Engine API client over the daemon's unix socket (libcurl, CURLOPT_UNIX_SOCKET_PATH):
// one easy handle, so one keep-alive connection for every request; unversioned paths (the
// daemon answers with its own API version); bodies capped; connect and per-request timeouts.
// Every answer is a DocFact whose state follows docs/dev/hardening-design.md §2.2: 404 →
// missing, 401/403 → permission-denied, refused or absent socket → unreachable, no answer in
// time → timeout, any other status, bad JSON or an oversized body → malformed.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "checks/docker/snapshot.h"
#include "core/result.h"

namespace bulwark::checks::docker {

inline constexpr std::size_t kEngineBodyCap = 64u << 20;
inline constexpr std::string_view kDefaultEndpoint = "unix:///var/run/docker.sock";

// "unix:///path" → "/path". `tcp://`, `ssh://`, `npipe://` and the rest are refused with a
// Usage error that says why (the TLS client is not written yet).
core::Result<std::string> unixSocketPath(std::string_view endpoint);

class EngineClient {
 public:
  struct Options {
    std::chrono::milliseconds timeout{5000};  // whole request
    std::chrono::milliseconds connect_timeout{2000};
    std::size_t max_body = kEngineBodyCap;
  };

  // A client of the socket at `endpoint` ("unix:///var/run/docker.sock"); only a bad endpoint
  // fails. Nothing is connected until the first request.
  static core::Result<std::unique_ptr<EngineClient>> open(std::string_view endpoint,
                                                          const Options& options);
  ~EngineClient();
  EngineClient(const EngineClient&) = delete;
  EngineClient& operator=(const EngineClient&) = delete;

  // GET `path` ("/containers/json?all=1") and parse the JSON body. After the connection failed
  // (unreachable or timeout) the next requests answer the same state at once, so that a dead
  // or hung daemon costs one timeout, not one per container.
  DocFact get(std::string_view path);

  [[nodiscard]] const std::string& socketPath() const { return socket_; }
  [[nodiscard]] std::size_t requests() const { return requests_; }

 private:
  EngineClient(std::string socket, const Options& options);
  struct Curl;
  std::string socket_;
  Options options_;
  std::unique_ptr<Curl> curl_;
  std::optional<FactState> dead_;
  std::size_t requests_ = 0;
};

}  // namespace bulwark::checks::docker
