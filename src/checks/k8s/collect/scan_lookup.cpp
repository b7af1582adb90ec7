#include "checks/k8s/collect/scan_lookup.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "checks/k8s/collect/api_client.h"

namespace bulwark::checks::k8s::collect {

namespace {

using docker::FactStatus;

ImageScan unanswered(model::NotEvaluatedCause cause, std::string detail) {
  ImageScan scan;
  scan.cause = cause;
  scan.detail = std::move(detail);
  return scan;
}

}  // namespace

core::Result<ImageScans> lookupImageScans(const ScanServerOptions& options,
                                          const std::vector<std::string>& digests,
                                          core::Diagnostics& diagnostics) {
  ClientConfig config;
  config.server = options.url;
  config.token = options.token;
  config.ca_pem = options.ca_pem;
  ApiClientOptions client_options;
  client_options.timeout = options.timeout;
  client_options.max_body_bytes = std::size_t{1} << 20;
  ImageScans out;
  out.server = options.url;
  const std::size_t asked = std::min(digests.size(), options.max_lookups);
  std::vector<ImageScan> answers(asked);
  // One client first: a bad URL is a usage error before anything is asked.
  std::vector<std::unique_ptr<ApiClient>> clients;
  auto first = ApiClient::open(config, client_options);
  if (!first) {
    config.wipeSecrets();
    return tl::unexpected(first.error());
  }
  clients.push_back(std::move(*first));
  const std::size_t connections = std::clamp<std::size_t>(options.connections, 1, 16);
  for (std::size_t i = 1; i < std::min(connections, asked); ++i) {
    auto client = ApiClient::open(config, client_options);
    if (!client) break;
    clients.push_back(std::move(*client));
  }
  config.wipeSecrets();

  std::atomic<std::size_t> next{0};
  std::atomic<bool> down{false};
  std::mutex down_mutex;
  ImageScan down_answer;
  auto work = [&](ApiClient& client) {
    for (std::size_t i = next++; i < asked; i = next++) {
      if (down.load()) {
        std::lock_guard lock(down_mutex);
        answers[i] = down_answer;
        continue;
      }
      const ApiResponse response = client.get("/api/v1/images/" + digests[i]);
      if (response.transport.status != FactStatus::Ok) {
        ImageScan failed = unanswered(
            docker::causeOf(response.transport.status),
            fmt::format("bulwark serve at {}: {}", options.url, response.transport.detail));
        if (response.transport.status == FactStatus::Unreachable ||
            response.transport.status == FactStatus::Timeout) {
          std::lock_guard lock(down_mutex);
          if (!down.exchange(true)) down_answer = failed;
        }
        answers[i] = std::move(failed);
        continue;
      }
      answers[i] = scanFromAnswer(response.status, response.body);
    }
  };
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 1; i < clients.size(); ++i) {
      threads.emplace_back([&work, &clients, i] { work(*clients[i]); });
    }
    work(*clients[0]);
  }
  for (std::size_t i = 0; i < digests.size(); ++i) {
    out.by_digest.emplace(
        digests[i], i < asked ? std::move(answers[i])
                              : unanswered(model::NotEvaluatedCause::Undetermined,
                                           fmt::format("not asked: more than {} image digests",
                                                       options.max_lookups)));
  }
  if (digests.size() > asked) {
    diagnostics.add("k8s.scan-lookup-limit", options.url,
                    fmt::format("{} of {} image digests looked up; narrow the run (-n, or fewer "
                                "manifests) to check the rest",
                                asked, digests.size()));
  }
  if (down.load()) {
    diagnostics.add("k8s.scan-server-unreachable", options.url, down_answer.detail);
  }
  return out;
}

}  // namespace bulwark::checks::k8s::collect
