// A Kubernetes API server that plays back recorded responses, for the live-cluster e2e tests:
// cpp-httplib's SSLServer on 127.0.0.1 (an ephemeral port) serving one scenario of
// tests/fixtures/k8s/api/<scenario>/routes.yaml. It paginates lists itself (limit, continue
// tokens it validates), serves /api/v1/namespaces/N/<resource> by filtering the cluster-wide
// route, checks the caller (a bearer token or the client certificate's CN, as the scenario says;
// else 401), and per route can answer with an error status, hang, answer 410 Gone to the first
// continue token, or send an oversized body. docs/dev/k8s-design.md §7.3.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/k8s/test_pki.h"

namespace httplib {
class SSLServer;
struct Request;
struct Response;
}  // namespace httplib

namespace bulwark::testing {

struct PlaybackRoute {
  std::string path;  // "/apis/apps/v1/deployments"
  int status = 200;
  std::string message;      // the Status message of an error status
  nlohmann::json body;      // a plain body (/version, discovery)
  bool list = false;        // `items` given: a List the server paginates
  std::string list_kind;    // "DeploymentList"
  std::string api_version;  // "apps/v1"
  std::vector<nlohmann::json> items;
  int delay_ms = 0;        // hang this long (woken when the server stops)
  bool gone_once = false;  // 410 to the first request carrying a continue token
  // 429 with this Retry-After (seconds) to the first request, as API Priority and Fairness
  // answers a client it throttles; 0: never.
  int throttle_once = 0;
  std::size_t body_bytes = 0;  // oversize: a body of this many bytes
  std::size_t max_page = 0;    // at most this many items per page whatever `limit` says; 0: none
};

class ApiPlayback {
 public:
  // Loads `scenario_dir`/routes.yaml; item files named `shared:<path>` are read from
  // `testdata` (../shared/testdata), others from the scenario folder. Throws on a bad scenario.
  ApiPlayback(const std::filesystem::path& scenario_dir, const std::filesystem::path& testdata,
              const TestPki& pki);
  ~ApiPlayback();
  ApiPlayback(const ApiPlayback&) = delete;
  ApiPlayback& operator=(const ApiPlayback&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url() const;
  // Requests seen for a path (query excluded), and every request line "GET /path?query".
  [[nodiscard]] std::size_t count(const std::string& path) const;
  [[nodiscard]] std::vector<std::string> requests() const;
  [[nodiscard]] const PlaybackRoute* route(const std::string& path) const;

 private:
  void handle(const httplib::Request& request, httplib::Response& response);
  bool authorized(const httplib::Request& request) const;

  std::map<std::string, PlaybackRoute> routes_;
  std::string token_;      // accepted bearer token; empty: none
  std::string client_cn_;  // accepted client certificate CN; empty: none
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stopping_;
  bool stopped_ = false;
  std::map<std::string, std::size_t> counts_;
  std::map<std::string, bool> gone_sent_;
  std::map<std::string, bool> throttled_;
  std::vector<std::string> log_;
};

}  // namespace bulwark::testing
