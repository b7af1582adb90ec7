// A real registry for tests: Debian's docker-registry (distribution 2.8) on a free loopback port
// with its storage in a temp dir, anonymous over plain HTTP (start) or with htpasswd (bcrypt)
// Basic auth over TLS with a self-signed certificate for 127.0.0.1 made by openssl
// (startWithPasswordOverTls). The registry runs in its own process group (ChildProcess) and is
// stopped with that group when the object goes away, also when an assertion failed half-way.
// Header-only.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/process.h"

namespace bulwark::testing {

class DockerRegistry {
 public:
  explicit DockerRegistry(const std::string& prefix = "bulwark-registry") : dir_(prefix) {}
  ~DockerRegistry() { stop(); }
  DockerRegistry(const DockerRegistry&) = delete;
  DockerRegistry& operator=(const DockerRegistry&) = delete;

  // Writes config.yml and starts the registry; fails (with its log) when it does not listen
  // within 20 s.
  // `extra_config` follows the storage section: indented lines add to `storage:` (for example
  // "  delete:\n    enabled: true\n"), unindented ones are top-level sections (auth,
  // notifications). `http_extra` holds lines inside `http:` (tls).
  ::testing::AssertionResult start(const std::string& extra_config = "",
                                   const std::string& http_extra = "") {
    const std::string config =
        "version: 0.1\nlog:\n  level: warn\n"
        "storage:\n  filesystem:\n    rootdirectory: " +
        storage().string() + "\n" + extra_config + "http:\n  addr: " + host() + "\n" + http_extra;
    writeFile(dir() / "config.yml", config);
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"docker-registry", "serve", (dir() / "config.yml").string()},
        log());
    if (!process_->waitForPort(port_)) {
      return ::testing::AssertionFailure() << "docker-registry did not start:\n" << readFile(log());
    }
    return ::testing::AssertionSuccess();
  }

  // htpasswd (bcrypt) Basic auth for one user, over TLS with a self-signed certificate for
  // 127.0.0.1 (SAN IP:127.0.0.1) that clients trust through cert().
  ::testing::AssertionResult startWithPasswordOverTls(const std::string& user,
                                                      const std::string& password,
                                                      const std::string& extra_config = "") {
    if (auto ok = runCommand("openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
                             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
                             shellQuote(key().string()) + " -out " + shellQuote(cert().string()));
        !ok) {
      return ok;
    }
    if (auto ok = runCommand("htpasswd -Bbc " + shellQuote(htpasswd().string()) + " " +
                             shellQuote(user) + " " + shellQuote(password));
        !ok) {
      return ok;
    }
    return start(
        extra_config +
            "auth:\n  htpasswd:\n    realm: bulwark-test\n    path: " + htpasswd().string() + "\n",
        "  tls:\n    certificate: " + cert().string() + "\n    key: " + key().string() + "\n");
  }

  // SIGTERM to the process group, SIGKILL after 2 s; returns the wait status (-1 when killed or
  // never started).
  int stop() { return process_ ? process_->stop(SIGTERM, std::chrono::seconds(2)) : -1; }

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  [[nodiscard]] std::filesystem::path storage() const { return dir() / "storage"; }
  [[nodiscard]] std::filesystem::path cert() const { return dir() / "cert.pem"; }
  [[nodiscard]] std::filesystem::path key() const { return dir() / "key.pem"; }
  [[nodiscard]] std::filesystem::path htpasswd() const { return dir() / "htpasswd"; }
  [[nodiscard]] std::filesystem::path log() const { return dir() / "registry.log"; }

  // Where the filesystem driver keeps the blob `digest` ("sha256:<hex>").
  [[nodiscard]] std::filesystem::path blobFile(const std::string& digest) const {
    const std::string hex = digest.substr(7);
    return storage() / "docker" / "registry" / "v2" / "blobs" / "sha256" / hex.substr(0, 2) / hex /
           "data";
  }

 private:
  TempDir dir_;
  int port_ = freePort();
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace bulwark::testing
