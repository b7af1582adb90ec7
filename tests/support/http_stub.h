// A stand-in HTTP server for tests: cpp-httplib on a loopback port of its own (any free one),
// serving on a thread from start() until it is destroyed. Handlers are registered on server()
// before start(); each calls record() so that the test can ask how many requests came and what
// the last one carried.
#pragma once

#include <httplib.h>

#include <mutex>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "core/http_server.h"

namespace bulwark::testing {

class HttpStub {
 public:
  HttpStub() { port_ = http_.bind_to_any_port("127.0.0.1"); }
  ~HttpStub() {
    http_.stop();
    if (thread_.joinable()) thread_.join();
  }
  HttpStub(const HttpStub&) = delete;
  HttpStub& operator=(const HttpStub&) = delete;

  httplib::Server& server() { return http_; }
  void start() { thread_ = core::listenInBackground(http_); }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url(const std::string& path) const {
    return fmt::format("http://127.0.0.1:{}{}", port_, path);
  }

  // From a handler: counts the request and keeps its headers.
  void record(const httplib::Request& req) {
    std::lock_guard lock(mutex_);
    ++requests_;
    last_headers_ = req.headers;
  }
  int requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  // A header of the last request ("" when it had none).
  std::string lastHeader(const std::string& name) {
    std::lock_guard lock(mutex_);
    const auto found = last_headers_.find(name);
    return found == last_headers_.end() ? std::string() : found->second;
  }

 private:
  httplib::Server http_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  int requests_ = 0;
  httplib::Headers last_headers_;
};

}  // namespace bulwark::testing
