#include "pipeline/sinks/transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

namespace bulwark::pipeline::sinks {

namespace {

struct AddrInfoFree {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

std::string opensslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown TLS error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

core::Result<std::unique_ptr<addrinfo, AddrInfoFree>> resolve(const std::string& host, int port,
                                                              int socktype) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return core::fail(core::ErrorCode::Network, "{}:{}: {}", host, port, gai_strerror(rc));
  }
  return std::unique_ptr<addrinfo, AddrInfoFree>(found);
}

// A connected socket, within kTransportTimeoutMs.
core::Result<int> connectTo(const addrinfo& address, const std::string& host, int port) {
  const int fd = socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                        address.ai_protocol);
  if (fd < 0) return core::fail(core::ErrorCode::Network, "socket: {}", std::strerror(errno));
  if (connect(fd, address.ai_addr, address.ai_addrlen) != 0 && errno != EINPROGRESS) {
    const int err = errno;
    close(fd);
    return core::fail(core::ErrorCode::Network, "{}:{}: {}", host, port, std::strerror(err));
  }
  pollfd wait{fd, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (poll(&wait, 1, kTransportTimeoutMs) != 1) {
    err = ETIMEDOUT;
  } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
    err = errno;
  }
  if (err != 0) {
    close(fd);
    return core::fail(core::ErrorCode::Network, "{}:{}: {}", host, port, std::strerror(err));
  }
  // Blocking from now on, with a send timeout (a receiver that stops reading fails the send).
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const timeval timeout{kTransportTimeoutMs / 1000,
                        static_cast<suseconds_t>(kTransportTimeoutMs % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

class UdpTransport final : public Transport {
 public:
  UdpTransport(std::string host, int port) : host_(std::move(host)), port_(port) {}
  ~UdpTransport() override {
    if (fd_ >= 0) close(fd_);
  }
  UdpTransport(const UdpTransport&) = delete;
  UdpTransport& operator=(const UdpTransport&) = delete;

  core::Status send(std::string_view bytes) override {
    if (fd_ < 0) {
      auto address = resolve(host_, port_, SOCK_DGRAM);
      if (!address) return tl::unexpected(address.error());
      auto fd = connectTo(**address, host_, port_);
      if (!fd) return tl::unexpected(fd.error());
      fd_ = *fd;
    }
    bytes = bytes.substr(0, kMaxDatagram);
    if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0) {
      const int err = errno;
      // A connected UDP socket reports the ICMP errors of earlier datagrams: start again.
      close(fd_);
      fd_ = -1;
      return core::fail(core::ErrorCode::Network, "{}:{}: {}", host_, port_, std::strerror(err));
    }
    return {};
  }

 private:
  std::string host_;
  int port_;
  int fd_ = -1;
};

class TcpTransport final : public Transport {
 public:
  TcpTransport(std::string host, int port, bool tls, std::string ca_file)
      : host_(std::move(host)), port_(port), tls_(tls), ca_file_(std::move(ca_file)) {}
  ~TcpTransport() override {
    disconnect();
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  core::Status send(std::string_view bytes) override {
    // Checking first keeps the message from going into a dead connection's buffer.
    if (fd_ >= 0 && peerClosed()) disconnect();
    // A close that happens after the check shows on the write: one reconnect per message.
    const bool fresh = fd_ < 0;
    if (fresh) {
      if (auto connected = connect(); !connected) return connected;
    }
    auto sent = write(bytes);
    if (sent || fresh) {
      if (!sent) disconnect();
      return sent;
    }
    disconnect();
    if (auto connected = connect(); !connected) return connected;
    sent = write(bytes);
    if (!sent) disconnect();
    return sent;
  }

 private:
  core::Status connect() {
    auto addresses = resolve(host_, port_, SOCK_STREAM);
    if (!addresses) return tl::unexpected(addresses.error());
    core::Error last{core::ErrorCode::Network, "no address"};
    for (const addrinfo* a = addresses->get(); a != nullptr; a = a->ai_next) {
      auto fd = connectTo(*a, host_, port_);
      if (fd) {
        fd_ = *fd;
        break;
      }
      last = fd.error();
    }
    if (fd_ < 0) return tl::unexpected(last);
    if (!tls_) return {};
    if (auto handshake = startTls(); !handshake) {
      disconnect();
      return handshake;
    }
    return {};
  }

  core::Status startTls() {
    if (ctx_ == nullptr) {
      ctx_ = SSL_CTX_new(TLS_client_method());
      if (ctx_ == nullptr) return core::fail(core::ErrorCode::Internal, "TLS: {}", opensslError());
      SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
      const int loaded = ca_file_.empty()
                             ? SSL_CTX_set_default_verify_paths(ctx_)
                             : SSL_CTX_load_verify_locations(ctx_, ca_file_.c_str(), nullptr);
      if (loaded != 1) {
        const std::string error = opensslError();
        SSL_CTX_free(ctx_);
        ctx_ = nullptr;
        return core::fail(core::ErrorCode::Input, "TLS CA {}: {}",
                          ca_file_.empty() ? "(system)" : ca_file_, error);
      }
    }
    ssl_ = SSL_new(ctx_);
    if (ssl_ == nullptr) return core::fail(core::ErrorCode::Internal, "TLS: {}", opensslError());
    SSL_set_fd(ssl_, fd_);
    // The certificate must name the host we dialled: its IP address, or its DNS name (also
    // sent as SNI).
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    in6_addr probe{};
    const bool is_ip = inet_pton(AF_INET, host_.c_str(), &probe) == 1 ||
                       inet_pton(AF_INET6, host_.c_str(), &probe) == 1;
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, host_.c_str(), 0);
      SSL_set_tlsext_host_name(ssl_, host_.c_str());
    }
    if (SSL_connect(ssl_) != 1) {
      const long verify = SSL_get_verify_result(ssl_);
      const std::string error =
          verify != X509_V_OK ? std::string(X509_verify_cert_error_string(verify)) : opensslError();
      return core::fail(core::ErrorCode::Network, "{}:{}: TLS handshake: {}", host_, port_, error);
    }
    return {};
  }

  // Syslog receivers send no data: a readable socket is one the receiver closed or reset, or
  // (TLS 1.3) holds session tickets, which a non-blocking read consumes.
  bool peerClosed() {
    pollfd check{fd_, POLLIN | POLLRDHUP, 0};
    if (poll(&check, 1, 0) != 1) return false;
    if ((check.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) return true;
    if (ssl_ == nullptr) {
      char byte = 0;
      return recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
    }
    const int flags = fcntl(fd_, F_GETFL);
    fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
    char byte = 0;
    const int n = SSL_peek(ssl_, &byte, 1);
    const int error = n > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_, n);
    fcntl(fd_, F_SETFL, flags);
    ERR_clear_error();
    return error != SSL_ERROR_NONE && error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE;
  }

  core::Status write(std::string_view bytes) {
    while (!bytes.empty()) {
      long n = 0;
      if (ssl_ != nullptr) {
        n = SSL_write(ssl_, bytes.data(),
                      static_cast<int>(std::min<std::size_t>(bytes.size(), std::size_t{1} << 30)));
        if (n <= 0) {
          ERR_clear_error();
          return core::fail(core::ErrorCode::Network, "{}:{}: TLS write failed", host_, port_);
        }
      } else {
        n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0) {
          if (errno == EINTR) continue;
          return core::fail(core::ErrorCode::Network, "{}:{}: {}", host_, port_,
                            std::strerror(errno));
        }
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }

  void disconnect() {
    if (ssl_ != nullptr) {
      SSL_free(ssl_);
      ssl_ = nullptr;
    }
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }

  std::string host_;
  int port_;
  bool tls_;
  std::string ca_file_;
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace

std::unique_ptr<Transport> makeUdpTransport(std::string host, int port) {
  return std::make_unique<UdpTransport>(std::move(host), port);
}

std::unique_ptr<Transport> makeTcpTransport(std::string host, int port, bool tls,
                                            std::string ca_file) {
  return std::make_unique<TcpTransport>(std::move(host), port, tls, std::move(ca_file));
}

}  // namespace bulwark::pipeline::sinks
