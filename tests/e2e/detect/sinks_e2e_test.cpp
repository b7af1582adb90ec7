// The detect outputs against real receivers on 127.0.0.1 (ephemeral ports, stopped by guards
// even when a test fails): UDP and TCP syslog/CEF listeners that parse what they receive, a TLS
// syslog listener with a CA made at test time, an HTTP receiver (cpp-httplib) that answers 503
// first, Debian's nats-server with JetStream and a libnats consumer; then `bulwark detect` itself
// with `-o file:… -o http://… -o cef+udp://…`. The wire formats byte for byte:
// tests/unit/pipeline/sinks_test.cpp.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nats/nats.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "e2e/k8s/test_pki.h"
#include "pipeline/sinks/sink.h"
#include "testdata.h"

namespace bulwark::pipeline::sinks {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// 2026-11-24T10:00:00.001234567Z
constexpr std::int64_t kTs = 1795514400001234567;

std::shared_ptr<const SinkAlert> makeAlert(const std::string& rule, rules::Priority priority,
                                           int n) {
  auto alert = std::make_shared<SinkAlert>();
  alert->rule = rule;
  alert->priority = priority;
  alert->tags = {"shell", "test"};
  alert->ts_ns = kTs + n;
  alert->hostname = "node-1";
  alert->output = "alert " + std::to_string(n) + " user=alice";
  alert->fields = {{"user.name", "alice"}, {"proc.name", "bash"}};
  alert->line = alert->output;
  alert->json = nlohmann::json{{"rule", rule}, {"n", n}, {"output", alert->output}}.dump();
  return alert;
}

std::unique_ptr<SinkRunner> runnerFor(const std::string& text, const SinkContext& context = {}) {
  auto spec = parseSinkSpec(text);
  if (!spec) throw std::runtime_error(spec.error().message);
  auto sink = makeSink(*spec, context);
  if (!sink) throw std::runtime_error(sink.error().message);
  return std::make_unique<SinkRunner>(displayName(*spec), std::move(*sink));
}

int boundPort(int fd) {
  sockaddr_in address{};
  socklen_t len = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len);
  return ntohs(address.sin_port);
}

int loopbackSocket(int type) {
  const int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot bind a loopback socket");
  }
  // A guard against a test that waits for a message that never comes.
  const timeval timeout{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

struct Syslog {
  int pri = -1;
  std::string timestamp, hostname, app, procid, msgid, msg;
};

// An RFC 5424 message as the sinks write it (STRUCTURED-DATA "-").
Syslog parseSyslog(const std::string& text) {
  static const std::regex kMessage(R"(^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) - ([\s\S]*)$)");
  std::smatch match;
  Syslog out;
  if (!std::regex_match(text, match, kMessage)) return out;
  out.pri = std::stoi(match[1]);
  out.timestamp = match[2];
  out.hostname = match[3];
  out.app = match[4];
  out.procid = match[5];
  out.msgid = match[6];
  out.msg = match[7];
  return out;
}

// RFC 6587 octet-counted frames; an unparsable rest is returned as a last "frame" marked bad.
std::vector<std::string> splitFrames(const std::string& stream, bool& ok) {
  std::vector<std::string> frames;
  ok = true;
  std::size_t at = 0;
  while (at < stream.size()) {
    const std::size_t space = stream.find(' ', at);
    if (space == std::string::npos || space == at || space - at > 9) {
      ok = false;
      break;
    }
    const std::size_t len = std::stoul(stream.substr(at, space - at));
    if (space + 1 + len > stream.size()) {
      ok = false;
      break;
    }
    frames.push_back(stream.substr(space + 1, len));
    at = space + 1 + len;
  }
  return frames;
}

// A loopback UDP receiver.
class UdpListener {
 public:
  UdpListener() : fd_(loopbackSocket(SOCK_DGRAM)) {}
  ~UdpListener() { close(fd_); }
  UdpListener(const UdpListener&) = delete;
  UdpListener& operator=(const UdpListener&) = delete;
  int port() const { return boundPort(fd_); }
  // The next datagram ("" after the guard timeout).
  std::string receive() {
    std::string buffer(70000, '\0');
    const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    buffer.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return buffer;
  }

 private:
  int fd_;
};

// A loopback TCP (optionally TLS) receiver: takes connections one after the other and keeps
// every byte each one sent, until stopped.
class StreamListener {
 public:
  // `pki`: serve TLS with its server certificate.
  explicit StreamListener(const testing::TestPki* pki = nullptr)
      : fd_(loopbackSocket(SOCK_STREAM)) {
    listen(fd_, 8);
    if (pki != nullptr) {
      ctx_ = SSL_CTX_new(TLS_server_method());
      BIO* cert_bio =
          BIO_new_mem_buf(pki->server.cert.data(), static_cast<int>(pki->server.cert.size()));
      BIO* key_bio =
          BIO_new_mem_buf(pki->server.key.data(), static_cast<int>(pki->server.key.size()));
      X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
      EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
      if (cert == nullptr || key == nullptr || SSL_CTX_use_certificate(ctx_, cert) != 1 ||
          SSL_CTX_use_PrivateKey(ctx_, key) != 1) {
        throw std::runtime_error("TLS listener: bad test certificate");
      }
      X509_free(cert);
      EVP_PKEY_free(key);
      BIO_free(cert_bio);
      BIO_free(key_bio);
    }
    thread_ = std::thread([this] { loop(); });
  }
  ~StreamListener() {
    stop_ = true;
    thread_.join();
    close(fd_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }
  StreamListener(const StreamListener&) = delete;
  StreamListener& operator=(const StreamListener&) = delete;

  int port() const { return boundPort(fd_); }
  // Waits (guard: 20 s) until `count` connections have ended; their bytes in order.
  std::vector<std::string> connections(std::size_t count) {
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      {
        const std::lock_guard lock(mutex_);
        if (ended_.size() >= count) return ended_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const std::lock_guard lock(mutex_);
    return ended_;
  }
  std::size_t failedHandshakes() {
    const std::lock_guard lock(mutex_);
    return failed_handshakes_;
  }

 private:
  void loop() {
    // A TLS client that rejects the certificate closes while the server writes: EPIPE, not
    // the end of the test process.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    while (!stop_) {
      pollfd wait{fd_, POLLIN, 0};
      if (poll(&wait, 1, 20) != 1) continue;
      const int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      const timeval timeout{20, 0};
      setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      std::string bytes;
      char buffer[65536];
      SSL* ssl = nullptr;
      bool ok = true;
      if (ctx_ != nullptr) {
        ssl = SSL_new(ctx_);
        SSL_set_fd(ssl, client);
        if (SSL_accept(ssl) != 1) {
          ERR_clear_error();
          ok = false;
          const std::lock_guard lock(mutex_);
          ++failed_handshakes_;
        }
      }
      // Until the sender closes (the guard timeout ends a sender that never does).
      while (ok) {
        const int n = ssl != nullptr ? SSL_read(ssl, buffer, sizeof buffer)
                                     : static_cast<int>(recv(client, buffer, sizeof buffer, 0));
        if (n <= 0) break;
        bytes.append(buffer, static_cast<std::size_t>(n));
      }
      if (ssl != nullptr) SSL_free(ssl);
      close(client);
      if (ok) {
        const std::lock_guard lock(mutex_);
        ended_.push_back(std::move(bytes));
      }
    }
  }

  int fd_;
  SSL_CTX* ctx_ = nullptr;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> ended_;
  std::size_t failed_handshakes_ = 0;
  std::thread thread_;
};

void expectSyslogOf(const std::string& message, int n, int pri) {
  const Syslog syslog = parseSyslog(message);
  EXPECT_EQ(syslog.pri, pri) << message;
  EXPECT_EQ(syslog.timestamp, "2026-11-24T10:00:00.001234Z") << message;
  EXPECT_EQ(syslog.hostname, "node-1");
  EXPECT_EQ(syslog.app, "bulwark");
  EXPECT_EQ(syslog.procid, "77");
  EXPECT_EQ(syslog.msgid, "Shell_spawned");
  const auto json = nlohmann::json::parse(syslog.msg, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << syslog.msg;
  EXPECT_EQ(json["n"], n);
  EXPECT_EQ(json["rule"], "Shell spawned");
}

SinkContext context77() {
  SinkContext context;
  context.version = "9.9.9";
  context.procid = "77";
  return context;
}

TEST(SyslogSinkE2e, UdpDatagramPerAlert) {
  UdpListener listener;
  {
    auto runner = runnerFor(
        "syslog+udp://127.0.0.1:" + std::to_string(listener.port()) + "?facility=1", context77());
    runner->push(makeAlert("Shell spawned", rules::Priority::Warning, 0));
    runner->push(makeAlert("Shell spawned", rules::Priority::Critical, 1));
    runner->finish();
    EXPECT_EQ(runner->stats().sent, 2U) << runner->stats().last_error;
  }
  expectSyslogOf(listener.receive(), 0, 1 * 8 + 4);
  expectSyslogOf(listener.receive(), 1, 1 * 8 + 2);
}

TEST(SyslogSinkE2e, TcpOctetCountedFrames) {
  StreamListener listener;
  {
    auto runner =
        runnerFor("syslog+tcp://127.0.0.1:" + std::to_string(listener.port()), context77());
    for (int n = 0; n < 3; ++n) {
      runner->push(makeAlert("Shell spawned", rules::Priority::Warning, n));
    }
    runner->finish();
    EXPECT_EQ(runner->stats().sent, 3U) << runner->stats().last_error;
  }  // the sink closes its connection
  const auto connections = listener.connections(1);
  ASSERT_EQ(connections.size(), 1U);
  bool ok = false;
  const auto frames = splitFrames(connections[0], ok);
  EXPECT_TRUE(ok) << connections[0];
  ASSERT_EQ(frames.size(), 3U);
  for (int n = 0; n < 3; ++n) expectSyslogOf(frames[n], n, 16 * 8 + 4);
}

TEST(SyslogSinkE2e, TcpReceiverDownCountsFailures) {
  int port = 0;
  {
    StreamListener gone;  // a port nothing listens on once it is gone
    port = gone.port();
  }
  auto runner = runnerFor("syslog+tcp://127.0.0.1:" + std::to_string(port), context77());
  runner->push(makeAlert("Shell spawned", rules::Priority::Warning, 0));
  runner->finish();
  EXPECT_EQ(runner->stats().failed, 1U);
  EXPECT_NE(runner->stats().last_error.find("refused"), std::string::npos)
      << runner->stats().last_error;
}

TEST(SyslogSinkE2e, TlsVerifiedAgainstTheGivenCa) {
  const auto pki = testing::makeTestPki();
  const fs::path dir =
      fs::temp_directory_path() / ("bulwark-sinks-tls-" + std::to_string(getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{dir};
  std::ofstream(dir / "ca.pem") << pki.ca.cert;
  const auto other = testing::makeTestPki("some-other-ca");
  std::ofstream(dir / "other-ca.pem") << other.ca.cert;

  StreamListener listener(&pki);
  {
    auto runner = runnerFor("syslog+tls://127.0.0.1:" + std::to_string(listener.port()) +
                                "?ca=" + (dir / "ca.pem").string(),
                            context77());
    runner->push(makeAlert("Shell spawned", rules::Priority::Warning, 0));
    runner->push(makeAlert("Shell spawned", rules::Priority::Warning, 1));
    runner->finish();
    EXPECT_EQ(runner->stats().sent, 2U) << runner->stats().last_error;
  }
  auto connections = listener.connections(1);
  ASSERT_EQ(connections.size(), 1U);
  bool ok = false;
  const auto frames = splitFrames(connections[0], ok);
  EXPECT_TRUE(ok);
  ASSERT_EQ(frames.size(), 2U);
  expectSyslogOf(frames[0], 0, 132);
  expectSyslogOf(frames[1], 1, 132);

  // A server whose certificate another CA signed: nothing is sent.
  {
    auto runner = runnerFor("syslog+tls://127.0.0.1:" + std::to_string(listener.port()) +
                                "?ca=" + (dir / "other-ca.pem").string(),
                            context77());
    runner->push(makeAlert("Shell spawned", rules::Priority::Warning, 2));
    runner->finish();
    EXPECT_EQ(runner->stats().sent, 0U);
    EXPECT_EQ(runner->stats().failed, 1U);
    EXPECT_NE(runner->stats().last_error.find("certificate"), std::string::npos)
        << runner->stats().last_error;
  }
  EXPECT_EQ(listener.connections(1).size(), 1U);
}

TEST(CefSinkE2e, UdpAndTcp) {
  UdpListener udp;
  StreamListener tcp;
  {
    auto over_udp = runnerFor("cef+udp://127.0.0.1:" + std::to_string(udp.port()), context77());
    auto over_tcp = runnerFor("cef+tcp://127.0.0.1:" + std::to_string(tcp.port()), context77());
    for (auto* runner : {over_udp.get(), over_tcp.get()}) {
      runner->push(makeAlert("Shell spawned", rules::Priority::Warning, 0));
      runner->finish();
      EXPECT_EQ(runner->stats().sent, 1U) << runner->stats().last_error;
    }
  }
  const std::string expected =
      "CEF:0|bulwark|bulwark|9.9.9|Shell spawned|Shell spawned|6|rt=1795514400001 dhost=node-1 "
      "msg=alert 0 user\\=alice cs1Label=tags cs1=shell,test suser=alice sproc=bash";
  const Syslog from_udp = parseSyslog(udp.receive());
  EXPECT_EQ(from_udp.pri, 132);
  EXPECT_EQ(from_udp.msg, expected);
  bool ok = false;
  const auto frames = splitFrames(tcp.connections(1).at(0), ok);
  EXPECT_TRUE(ok);
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(parseSyslog(frames[0]).msg, expected);
}

// An HTTP receiver on a loopback port: the first POST gets 503, the next ones 200 (or 400 on
// /reject); it keeps bodies and Authorization headers.
class HttpReceiver {
 public:
  HttpReceiver() {
    server_.Post("/alerts", [this](const httplib::Request& request, httplib::Response& response) {
      const std::lock_guard lock(mutex_);
      if (requests_++ == 0) {
        response.status = 503;
        return;
      }
      bodies_.push_back(request.body);
      auth_.push_back(request.get_header_value("Authorization"));
      types_.push_back(request.get_header_value("Content-Type"));
      response.status = 200;
    });
    server_.Post("/reject", [this](const httplib::Request&, httplib::Response& response) {
      const std::lock_guard lock(mutex_);
      ++requests_;
      response.status = 400;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the server runs would be lost (and the destructor wait forever).
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (!server_.is_running() && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ~HttpReceiver() {
    server_.stop();
    thread_.join();
  }
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int requests() {
    const std::lock_guard lock(mutex_);
    return requests_;
  }
  std::vector<std::string> bodies() {
    const std::lock_guard lock(mutex_);
    return bodies_;
  }
  std::vector<std::string> auth() {
    const std::lock_guard lock(mutex_);
    return auth_;
  }
  std::vector<std::string> types() {
    const std::lock_guard lock(mutex_);
    return types_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  int requests_ = 0;
  std::vector<std::string> bodies_, auth_, types_;
};

TEST(HttpSinkE2e, RetriesA503ThenDelivers) {
  HttpReceiver receiver;
  ASSERT_GT(receiver.port(), 0);
  SinkContext context = context77();
  context.http_token = "t0ken-for-test";
  auto runner = runnerFor(receiver.url("/alerts"), context);
  runner->push(makeAlert("Shell spawned", rules::Priority::Warning, 0));
  runner->push(makeAlert("Shell spawned", rules::Priority::Warning, 1));
  runner->finish();
  const SinkStats stats = runner->stats();
  EXPECT_EQ(stats.sent, 2U) << stats.last_error;
  EXPECT_EQ(stats.failed, 0U);
  EXPECT_EQ(receiver.requests(), 3);  // 503, then the retry and the second alert
  const auto bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 2U);
  EXPECT_EQ(nlohmann::json::parse(bodies[0])["n"], 0);
  EXPECT_EQ(nlohmann::json::parse(bodies[1])["n"], 1);
  EXPECT_EQ(receiver.auth().at(0), "Bearer t0ken-for-test");
  EXPECT_EQ(receiver.types().at(0), "application/json");
}

TEST(HttpSinkE2e, A400IsRejectedWithoutRetry) {
  HttpReceiver receiver;
  auto runner = runnerFor(receiver.url("/reject"), context77());
  runner->push(makeAlert("Shell spawned", rules::Priority::Warning, 0));
  runner->finish();
  EXPECT_EQ(runner->stats().rejected, 1U);
  EXPECT_EQ(runner->stats().sent, 0U);
  EXPECT_EQ(receiver.requests(), 1);
  EXPECT_NE(runner->stats().last_error.find("HTTP 400"), std::string::npos);
}

TEST(HttpSinkE2e, HttpsVerifiedAgainstOutputCa) {
  const auto pki = testing::makeTestPki();
  const auto other = testing::makeTestPki("some-other-ca");
  const fs::path dir =
      fs::temp_directory_path() / ("bulwark-sinks-https-" + std::to_string(getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{dir};
  std::ofstream(dir / "server.pem") << pki.server.cert;
  std::ofstream(dir / "server.key") << pki.server.key;
  std::ofstream(dir / "ca.pem") << pki.ca.cert;
  std::ofstream(dir / "other-ca.pem") << other.ca.cert;

  httplib::SSLServer server((dir / "server.pem").c_str(), (dir / "server.key").c_str());
  ASSERT_TRUE(server.is_valid());
  std::mutex mutex;
  std::vector<std::string> bodies;
  server.Post("/alerts", [&](const httplib::Request& request, httplib::Response& response) {
    const std::lock_guard lock(mutex);
    bodies.push_back(request.body);
    response.status = 204;
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  struct Stop {
    httplib::SSLServer& server;
    std::thread& thread;
    ~Stop() {
      server.stop();
      thread.join();
    }
  } stop{server, thread};
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (!server.is_running() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/alerts";

  SinkContext context = context77();
  context.http_ca = (dir / "ca.pem").string();
  auto runner = runnerFor(url, context);
  runner->push(makeAlert("Shell spawned", rules::Priority::Warning, 7));
  runner->finish();
  EXPECT_EQ(runner->stats().sent, 1U) << runner->stats().last_error;

  // Another CA: the certificate does not verify; no retry, nothing delivered.
  context.http_ca = (dir / "other-ca.pem").string();
  auto refused = runnerFor(url, context);
  refused->push(makeAlert("Shell spawned", rules::Priority::Warning, 8));
  refused->finish();
  EXPECT_EQ(refused->stats().sent, 0U);
  EXPECT_EQ(refused->stats().failed, 1U);
  EXPECT_NE(refused->stats().last_error.find("certificate"), std::string::npos)
      << refused->stats().last_error;

  const std::lock_guard lock(mutex);
  ASSERT_EQ(bodies.size(), 1U);
  EXPECT_EQ(nlohmann::json::parse(bodies[0])["n"], 7);
}

// Debian's nats-server with JetStream on a free loopback port and a temporary store directory;
// killed by the destructor.
class NatsServer {
 public:
  NatsServer() {
    for (const char* candidate : {"/usr/sbin/nats-server", "/usr/bin/nats-server"}) {
      if (fs::exists(candidate)) binary_ = candidate;
    }
    if (binary_.empty()) return;
    dir_ = fs::temp_directory_path() / ("bulwark-nats-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    {
      StreamListener probe;  // a free port, released just before the server takes it
      port_ = probe.port();
    }
    const std::string port = std::to_string(port_);
    const std::string store = dir_.string();
    const std::string log = (dir_ / "nats.log").string();
    pid_ = fork();
    if (pid_ == 0) {
      execl(binary_.c_str(), binary_.c_str(), "-js", "-a", "127.0.0.1", "-p", port.c_str(), "-sd",
            store.c_str(), "-l", log.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~NatsServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  bool present() const { return !binary_.empty(); }
  // Accepts connections (guard: 20 s).
  bool ready() const {
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      address.sin_port = htons(static_cast<std::uint16_t>(port_));
      const bool up = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
      close(fd);
      if (up) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  int port() const { return port_; }

 private:
  std::string binary_;
  fs::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST(NatsSinkE2e, JetStreamPublishCreatesTheStream) {
  NatsServer server;
  if (!server.present()) GTEST_SKIP() << "nats-server is not installed (scripts/install-deps)";
  ASSERT_TRUE(server.ready());
  const std::string spec =
      "nats://127.0.0.1:" + std::to_string(server.port()) + "/BULWARK_ALERTS/bulwark.alerts";
  for (int round = 0; round < 2; ++round) {  // the second finds the stream the first created
    auto runner = runnerFor(spec, context77());
    runner->push(makeAlert("Shell spawned", rules::Priority::Warning, round * 2));
    runner->push(makeAlert("Shell spawned", rules::Priority::Warning, round * 2 + 1));
    runner->finish();
    EXPECT_EQ(runner->stats().sent, 2U) << runner->stats().last_error;
  }

  // Read the stream back with a JetStream consumer.
  natsConnection* connection = nullptr;
  const std::string url = "nats://127.0.0.1:" + std::to_string(server.port());
  ASSERT_EQ(natsConnection_ConnectTo(&connection, url.c_str()), NATS_OK);
  jsCtx* js = nullptr;
  ASSERT_EQ(natsConnection_JetStream(&js, connection, nullptr), NATS_OK);
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  ASSERT_EQ(js_GetStreamInfo(&info, js, "BULWARK_ALERTS", nullptr, &code), NATS_OK);
  EXPECT_EQ(info->State.Msgs, 4U);
  ASSERT_EQ(info->Config->SubjectsLen, 1);
  EXPECT_STREQ(info->Config->Subjects[0], "bulwark.alerts");
  jsStreamInfo_Destroy(info);
  natsSubscription* subscription = nullptr;
  ASSERT_EQ(js_SubscribeSync(&subscription, js, "bulwark.alerts", nullptr, nullptr, &code),
            NATS_OK);
  for (int n = 0; n < 4; ++n) {
    natsMsg* message = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&message, subscription, 20000), NATS_OK) << n;
    const auto json = nlohmann::json::parse(std::string(
        natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message))));
    EXPECT_EQ(json["n"], n);
    EXPECT_EQ(json["rule"], "Shell spawned");
    natsMsg_Destroy(message);
  }
  natsSubscription_Destroy(subscription);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
}

TEST(NatsSinkE2e, ServerDownCountsFailures) {
  int port = 0;
  {
    StreamListener gone;
    port = gone.port();
  }
  auto runner = runnerFor("nats://127.0.0.1:" + std::to_string(port) + "/S/subj", context77());
  runner->push(makeAlert("Shell spawned", rules::Priority::Warning, 0));
  runner->finish();
  EXPECT_EQ(runner->stats().failed, 1U);
  EXPECT_FALSE(runner->stats().last_error.empty());
}

// `bulwark detect` itself: -o file, -o http, -o cef+udp, rate limiting, bad specs.
class DetectOutputs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bulwark-detect-outputs-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    const fs::path fixtures = testing::fixtures() / "runtime" / "sinks";
    base_ = "detect -r " + (fixtures / "rules.yaml").string() +
            " -s events:" + (fixtures / "events.jsonl").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::vector<std::string> lines(const fs::path& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  fs::path dir_;
  std::string base_;
};

TEST_F(DetectOutputs, FileHttpAndCefTogether) {
  HttpReceiver receiver;
  UdpListener cef;
  std::ofstream(dir_ / "token") << "cli-t0ken\n";
  const fs::path out = dir_ / "alerts.txt";
  const auto run = testing::runBulwarkSplit(
      base_ + " -o file:" + out.string() + " -o " + receiver.url("/alerts") +
      " -o cef+udp://127.0.0.1:" + std::to_string(cef.port()) + " --output-token-file " +
      (dir_ / "token").string());
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "");  // -o given: no stdout unless asked
  const auto written = lines(out);
  ASSERT_EQ(written.size(), 4U);
  EXPECT_NE(written[0].find(": Warning Shell spawned | user=alice proc=bash cmd=bash -c echo"),
            std::string::npos)
      << written[0];
  EXPECT_NE(written[1].find(R"(cmd=bash -c printf 'x\ny')"), std::string::npos)
      << written[1];  // one line per alert
  EXPECT_NE(written[3].find(": Critical Read of shadow (user=root proc=python3"),
            std::string::npos);

  const auto bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 4U);  // after one 503 and its retry
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    const auto json = nlohmann::json::parse(bodies[i]);
    EXPECT_EQ(json["rule"], i < 3 ? "Shell spawned" : "Read of shadow");
    EXPECT_EQ(json["priority"], i < 3 ? "Warning" : "Critical");
    EXPECT_EQ(json["output_fields"]["user.name"], i < 3 ? "alice" : "root");
  }
  EXPECT_EQ(receiver.auth().at(0), "Bearer cli-t0ken");

  std::vector<std::string> cef_messages;
  for (int i = 0; i < 4; ++i) cef_messages.push_back(parseSyslog(cef.receive()).msg);
  EXPECT_NE(cef_messages[0].find("|Shell spawned|Shell spawned|6|rt=1795514400000 "),
            std::string::npos)
      << cef_messages[0];
  // The command line's '|', '\' and '=' escaped in the extension, the newline as \n.
  EXPECT_NE(cef_messages[0].find(R"(cmd\=bash -c echo a\=b|c\\d cs1Label=tags )"
                                 R"(cs1=shell,mitre_execution suser=alice sproc=bash)"),
            std::string::npos)
      << cef_messages[0];
  EXPECT_NE(cef_messages[1].find(R"(printf 'x\ny')"), std::string::npos) << cef_messages[1];
  EXPECT_NE(cef_messages[3].find("|Read of shadow|Read of shadow|8|"), std::string::npos);

  EXPECT_NE(run.err.find("output file:" + out.string() +
                         ": 4 sent, 0 dropped (queue full), 0 "
                         "rejected, 0 failed, 0 unsent at exit"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("output " + receiver.url("/alerts") + ": 4 sent"), std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("cli-t0ken"), std::string::npos);  // the token is never printed
}

TEST_F(DetectOutputs, RateLimitPerRule) {
  const fs::path out = dir_ / "limited.txt";
  const auto run = testing::runBulwarkSplit(base_ + " -o file:" + out.string() +
                                            " --rate-limit 1/s --rate-burst 1");
  ASSERT_EQ(run.status, 0) << run.err;
  // Three shells within 2 ms: the first goes out; the shadow read has its own bucket.
  const auto written = lines(out);
  ASSERT_EQ(written.size(), 2U);
  EXPECT_NE(written[0].find("Shell spawned"), std::string::npos);
  EXPECT_NE(written[1].find("Read of shadow"), std::string::npos);
  EXPECT_NE(run.err.find("rate limit: 2 alert(s) suppressed"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("rate limit: rule 'Shell spawned': 2 suppressed"), std::string::npos);
}

TEST_F(DetectOutputs, DefaultIsStdout) {
  const auto run = testing::runBulwarkSplit(base_);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("Warning Shell spawned"), std::string::npos);
  EXPECT_EQ(run.err.find("output "), std::string::npos);  // no sink lines without -o
}

TEST_F(DetectOutputs, BadSpecsAreUsageErrors) {
  for (const std::string bad :
       {"-o syslog+udp://127.0.0.1", "-o smtp://mail:25", "-o nats://127.0.0.1:4222/S",
        "-o syslog+tls://h:1?insecure=1", "--rate-limit 0", "--rate-burst 5",
        "--rate-limit 5 --rate-burst 0"}) {
    const auto run = testing::runBulwarkSplit(base_ + " " + bad);
    EXPECT_EQ(run.status, 2) << bad << "\n" << run.err;
    EXPECT_NE(run.err.find("bulwark: "), std::string::npos) << bad;
    EXPECT_EQ(run.out, "") << bad;
  }
  const auto run =
      testing::runBulwarkSplit(base_ + " -o file:" + (dir_ / "no/such/dir/x").string());
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find("No such file or directory"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace bulwark::pipeline::sinks
