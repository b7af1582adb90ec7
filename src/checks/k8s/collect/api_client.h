// One connection to a Kubernetes API server (a libcurl easy handle kept alive between requests):
// GETs with the kubeconfig's trust and credentials, bounded in time and size, with transport
// failures mapped to the fact states checks understand. docs/dev/k8s-design.md §1.4.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "checks/docker/snapshot.h"
#include "checks/k8s/collect/kubeconfig.h"
#include "core/result.h"

namespace bulwark::checks::k8s::collect {

struct ApiClientOptions {
  std::chrono::milliseconds timeout{10000};  // the whole request
  std::chrono::milliseconds connect_timeout{5000};
  std::size_t max_body_bytes = std::size_t{128} << 20;
  std::string user_agent = "bulwark";
  int retries = 2;  // 429/503 with a Retry-After of at most max_retry_after
  std::chrono::seconds max_retry_after{10};
};

struct ApiResponse {
  // Ok when an HTTP answer arrived (any status); else Unreachable, Timeout or Malformed (the
  // body was over the limit) with the detail.
  docker::FactState transport;
  long status = 0;
  std::string body;
};

class ApiClient {
 public:
  // Fails only for a server URL that is not http(s)://host[:port][/prefix]. Copies what it needs
  // from `config` (secrets included) and wipes its copies when destroyed.
  static core::Result<std::unique_ptr<ApiClient>> open(const ClientConfig& config,
                                                       const ApiClientOptions& options);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // `path` is the API path with its query ("/api/v1/pods?limit=500").
  ApiResponse get(std::string_view path);

  [[nodiscard]] std::size_t requests() const { return requests_; }

 private:
  struct Curl;
  ApiClient(const ApiClientOptions& options);
  ApiClientOptions options_;
  std::string base_;  // "https://host:port[/prefix]" (the TLS name as host with tls-server-name)
  std::unique_ptr<Curl> curl_;
  std::size_t requests_ = 0;
};

// The Kubernetes Status `message` of an error body, else the body's start (bounded, printable).
std::string statusMessage(std::string_view body);

}  // namespace bulwark::checks::k8s::collect
