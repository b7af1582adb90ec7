// A tiny HTTP/1.1 server on a unix socket for the Engine API client tests (cpp-httplib 0.11
// has no AF_UNIX): one accept loop on a thread, keep-alive connections served in turn, and
// misbehaviours on request — never answer, or send a body larger than any cap.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bulwark::testing {

struct HttpReply {
  enum class Mode { Normal, Hang, HugeWithLength, HugeUntilClose };
  int status = 200;
  std::string body;
  Mode mode = Mode::Normal;
  std::size_t huge_bytes = 0;
};

class UnixHttpServer {
 public:
  using Handler = std::function<HttpReply(const std::string& path)>;

  UnixHttpServer(std::string path, Handler handler)
      : path_(std::move(path)), handler_(std::move(handler)) {
    ::unlink(path_.c_str());
    listen_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
    if (::bind(listen_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_, 8) != 0 || ::pipe(stop_) != 0) {
      ok_ = false;
      return;
    }
    thread_ = std::thread([this] { run(); });
  }

  ~UnixHttpServer() {
    if (thread_.joinable()) {
      const char byte = 'x';
      (void)!::write(stop_[1], &byte, 1);
      thread_.join();
    }
    if (listen_ >= 0) ::close(listen_);
    if (stop_[0] >= 0) ::close(stop_[0]);
    if (stop_[1] >= 0) ::close(stop_[1]);
    ::unlink(path_.c_str());
  }

  UnixHttpServer(const UnixHttpServer&) = delete;
  UnixHttpServer& operator=(const UnixHttpServer&) = delete;

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] int connections() const { return connections_.load(); }
  [[nodiscard]] std::vector<std::string> paths() const {
    std::lock_guard lock(mutex_);
    return paths_;
  }

 private:
  // Waits until `fd` is readable; false when the server is stopping.
  bool waitReadable(int fd) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    for (;;) {
      const int ready = ::poll(fds, 2, -1);
      if (ready < 0) continue;
      if ((fds[1].revents & POLLIN) != 0) return false;
      if (fds[0].revents != 0) return true;
    }
  }

  bool sendAll(int fd, const char* data, std::size_t size) {
    while (size > 0) {
      const ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
      if (sent <= 0) return false;
      data += sent;
      size -= static_cast<std::size_t>(sent);
    }
    return true;
  }

  void run() {
    for (;;) {
      if (!waitReadable(listen_)) return;
      const int client = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      ++connections_;
      const bool go_on = serve(client);
      ::close(client);
      if (!go_on) return;
    }
  }

  // Serves one connection's requests; false when the server is stopping.
  bool serve(int client) {
    std::string buffer;
    for (;;) {
      std::size_t end = buffer.find("\r\n\r\n");
      while (end == std::string::npos) {
        if (!waitReadable(client)) return false;
        char chunk[4096];
        const ssize_t got = ::recv(client, chunk, sizeof chunk, 0);
        if (got <= 0) return true;  // the client closed
        buffer.append(chunk, static_cast<std::size_t>(got));
        end = buffer.find("\r\n\r\n");
      }
      const std::string head = buffer.substr(0, end);
      buffer.erase(0, end + 4);
      const auto first_space = head.find(' ');
      const auto second_space = head.find(' ', first_space + 1);
      const std::string path = head.substr(first_space + 1, second_space - first_space - 1);
      {
        std::lock_guard lock(mutex_);
        paths_.push_back(path);
      }
      const HttpReply reply = handler_(path);
      if (reply.mode == HttpReply::Mode::Hang) {
        while (waitReadable(client)) {
          char chunk[4096];
          if (::recv(client, chunk, sizeof chunk, 0) <= 0) return true;
        }
        return false;
      }
      std::string header = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\n" +
                           "Content-Type: application/json\r\n";
      if (reply.mode == HttpReply::Mode::Normal) {
        header += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n";
        if (!sendAll(client, header.data(), header.size()) ||
            !sendAll(client, reply.body.data(), reply.body.size())) {
          return true;
        }
        continue;
      }
      if (reply.mode == HttpReply::Mode::HugeWithLength) {
        header += "Content-Length: " + std::to_string(reply.huge_bytes) + "\r\n\r\n";
      } else {
        header += "Connection: close\r\n\r\n";
      }
      if (!sendAll(client, header.data(), header.size())) return true;
      const std::string chunk(1 << 16, ' ');
      for (std::size_t sent = 0; sent < reply.huge_bytes; sent += chunk.size()) {
        if (!sendAll(client, chunk.data(), chunk.size())) break;
      }
      return true;  // the connection is spent either way
    }
  }

  std::string path_;
  Handler handler_;
  int listen_ = -1;
  int stop_[2] = {-1, -1};
  bool ok_ = true;
  std::thread thread_;
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> paths_;
};

}  // namespace bulwark::testing
