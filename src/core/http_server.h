// The cpp-httplib server every HTTP endpoint of bulwark starts from: plain, or TLS when given a
// certificate and a key (PEM files). Header-only: only code that already uses cpp-httplib
// includes it (bulwark serve, the k8s audit webhook of bulwark detect).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <httplib.h>

#include "core/result.h"

namespace bulwark::core {

// Both files or neither; NotFound for a missing file, Input for a certificate or key that does
// not load.
inline Result<std::unique_ptr<httplib::Server>> makeHttpServer(const std::string& tls_cert,
                                                               const std::string& tls_key) {
  if (tls_cert.empty() != tls_key.empty()) {
    return fail(ErrorCode::Usage, "TLS needs both a certificate and a key");
  }
  if (tls_cert.empty()) return std::make_unique<httplib::Server>();
  for (const std::string& file : {tls_cert, tls_key}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      return fail(ErrorCode::NotFound, "TLS file {} not found", file);
    }
  }
  auto ssl = std::make_unique<httplib::SSLServer>(tls_cert.c_str(), tls_key.c_str());
  if (!ssl->is_valid()) {
    return fail(ErrorCode::Input, "TLS certificate {} or key {} is unusable", tls_cert, tls_key);
  }
  return std::unique_ptr<httplib::Server>(std::move(ssl));
}

// Runs the listen loop of a bound server on a new thread and returns once it runs (at most
// 5 s): httplib's stop() does nothing until then, so a stop() right after the start would
// leave the loop, and a join() of its thread, running for ever.
inline std::thread listenInBackground(httplib::Server& http) {
  std::thread thread([&http] { http.listen_after_bind(); });
  for (int i = 0; i < 5000 && !http.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return thread;
}

}  // namespace bulwark::core
