// The pieces of the service's end-to-end tests: images made with umoci from a root directory, and
// a whole set-up (a vulnerability database, a store, tokens, a registry notifying bulwark, the
// bulwark binary under test as `serve`, optionally `bulwark worker` processes) in a temp dir with
// free loopback ports, stopped when the object goes away, also when an assertion failed.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/oci_index.h"
#include "support/process.h"
#include "support/registry.h"

namespace bulwark::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Json = nlohmann::json;

#define REQUIRE_TOOLS()                                                                  \
  do {                                                                                   \
    if (const std::string missing =                                                      \
            missingTools({"docker-registry", "skopeo", "umoci", "openssl", "htpasswd"}); \
        !missing.empty()) {                                                              \
      GTEST_SKIP() << "service e2e needs " << missing << " (run scripts/install-deps)";  \
    }                                                                                    \
  } while (0)

inline std::string bulwarkBin() {
  const char* bin = std::getenv("BULWARK_BIN");
  return bin != nullptr ? bin : "build/bin/bulwark";
}

// An OCI layout with one image per call: the files of `rootfs` as one layer, for linux on
// `architecture`.
inline ::testing::AssertionResult addImage(const fs::path& layout, const std::string& tag,
                                           const fs::path& rootfs,
                                           const std::string& architecture = "amd64") {
  if (!fs::exists(layout / "index.json")) {
    if (auto ok = runCommand("umoci init --layout " + shellQuote(layout.string())); !ok) return ok;
  }
  const std::string image = shellQuote(layout.string() + ":" + tag);
  if (auto ok = runCommand("umoci new --image " + image); !ok) return ok;
  if (auto ok = runCommand("umoci config --image " + image + " --os linux --architecture " +
                           shellQuote(architecture));
      !ok) {
    return ok;
  }
  for (const auto& entry : fs::directory_iterator(rootfs)) {
    const std::string name = entry.path().filename().string();
    if (auto ok = runCommand("umoci insert --image " + image + " " +
                             shellQuote(entry.path().string()) + " /" + name);
        !ok) {
      return ok;
    }
  }
  return ::testing::AssertionSuccess();
}

// One service set-up: a registry, a vulnerability database, a store, tokens, `bulwark serve`.
class Service {
 public:
  // A registry that needs a password and speaks TLS (DockerRegistry::startWithPasswordOverTls,
  // self-signed): registered with --username/--password-stdin and, unless `trust_ca` is false,
  // --ca-file; pushes verify its certificate and send the credentials.
  struct SecureRegistry {
    std::string user;
    std::string password;
    std::string registered_password;  // given to `registry add`; "" = `password`
    bool trust_ca = true;
  };
  struct Options {
    std::string config_yaml;               // bulwark.yml
    std::string store;                     // "" = SQLite in the temp dir; else a postgres:// URL
    int serve_workers = 1;                 // in-process workers of `serve`
    std::optional<SecureRegistry> secure;  // else a plain-HTTP registry without a password
    std::string registry_name = "local";   // as registered in bulwark
  };

  explicit Service(std::string config_yaml = "") { options_.config_yaml = std::move(config_yaml); }
  explicit Service(Options options) : options_(std::move(options)) {}

  ::testing::AssertionResult start() {
    const fs::path root = dir_.path();
    // The database and the tokens first: the registry's notification header needs a token.
    if (auto ok = bulwark("db import --db " + q(db()) + " " +
                          q((sourceDir() / "tests/fixtures/advisories/debian-mini").string()));
        !ok) {
      return ok;
    }
    if (auto ok = bulwark("token create --name e2e-admin --role admin" + storeFlag(), &admin_);
        !ok) {
      return ok;
    }
    if (auto ok = bulwark("token create --name registry --role ingest" + storeFlag(), &ingest_);
        !ok) {
      return ok;
    }
    admin_ = lastLine(admin_);
    ingest_ = lastLine(ingest_);
    const std::string notifications =
        "notifications:\n  endpoints:\n    - name: bulwark\n      url: http://" + serviceHost() +
        "/api/v1/webhooks/distribution/" + options_.registry_name +
        "\n      headers:\n        Authorization: [\"Bearer " + ingest_ +
        "\"]\n      timeout: 2s\n      threshold: 3\n      backoff: 500ms\n";
    if (!options_.secure) {
      if (auto ok = bulwark("registry add " + options_.registry_name + " http://" + registryHost() +
                            " --insecure" + storeFlag());
          !ok) {
        return ok;
      }
      if (auto ok = registry_.start(notifications); !ok) return ok;
      return startServer();
    }
    const SecureRegistry& secure = *options_.secure;
    if (auto ok = registry_.startWithPasswordOverTls(secure.user, secure.password, notifications);
        !ok) {
      return ok;
    }
    // skopeo trusts the *.crt files of a --cert-dir as CAs.
    fs::create_directories(certDir());
    fs::copy_file(registry_.cert(), certDir() / "ca.crt", fs::copy_options::overwrite_existing);
    const std::string registered =
        secure.registered_password.empty() ? secure.password : secure.registered_password;
    const std::string ca = secure.trust_ca ? " --ca-file " + q(registry_.cert().string()) : "";
    if (auto ok =
            runCommand("printf '%s\\n' " + q(registered) + " | " + q(bulwarkBin()) +
                       " registry add " + options_.registry_name + " https://" + registryHost() +
                       " --username " + q(secure.user) + " --password-stdin" + ca + storeFlag());
        !ok) {
      return ok;
    }
    return startServer();
  }

  ::testing::AssertionResult startServer() {
    const fs::path root = dir_.path();
    // A shared store needs a configured key (the default one lives beside a SQLite file).
    const std::string key_line =
        options_.store.empty() ? "" : "secret_key_file: " + (root / "secret.key").string() + "\n";
    writeFile(root / "bulwark.yml", key_line + options_.config_yaml);
    server_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{bulwarkBin(), "serve", "--config", (root / "bulwark.yml").string(),
                                 "--listen", serviceHost(), "--store", store(), "--db", db(),
                                 "--workers", std::to_string(options_.serve_workers)},
        root / "serve.log");
    if (!server_->waitForPort(service_port_)) {
      return ::testing::AssertionFailure() << "bulwark serve did not start:\n"
                                           << readFile(root / "serve.log");
    }
    return ::testing::AssertionSuccess();
  }

  // Starts `count` more `bulwark worker` processes (one worker thread each) on the same store;
  // their logs are worker-N.log.
  void startWorkers(int count) {
    for (int i = 0; i < count; ++i) {
      const std::string log = "worker-" + std::to_string(workers_.size()) + ".log";
      workers_.push_back(std::make_unique<ChildProcess>(
          std::vector<std::string>{bulwarkBin(), "worker", "--config",
                                   (dir_.path() / "bulwark.yml").string(), "--store", store(),
                                   "--db", db(), "--workers", "1"},
          dir_.path() / log));
    }
  }
  std::vector<std::unique_ptr<ChildProcess>>& workers() { return workers_; }

  // SIGTERM: a graceful stop; returns the exit status.
  int stopServer() { return server_ ? server_->stop() : -1; }

  // Pushes a layout's tag to REPOSITORY:TAG in the registry.
  // `all`: an index with every platform image it lists (skopeo copy --all).
  ::testing::AssertionResult push(const fs::path& layout, const std::string& image_tag,
                                  const std::string& destination, bool all = false) {
    return runCommand("skopeo copy --quiet " + std::string(all ? "--all " : "") +
                      skopeoAccess("--dest-") + " " +
                      shellQuote("oci:" + layout.string() + ":" + image_tag) + " " +
                      shellQuote("docker://" + registryHost() + "/" + destination));
  }

  // The manifest digest of REPOSITORY:TAG in the registry ("" when absent).
  std::string registryDigest(const std::string& reference) {
    std::string out;
    if (!runCommand("skopeo inspect " + skopeoAccess("--") + " --format '{{.Digest}}' " +
                        shellQuote("docker://" + registryHost() + "/" + reference),
                    &out)) {
      return "";
    }
    return lastLine(out);
  }

  // The digest of the manifest or index REPOSITORY:TAG names as stored, unresolved (skopeo
  // inspect picks the platform of this machine from an index); "" when absent.
  std::string rawDigest(const std::string& reference) {
    const fs::path raw = dir_.path() / "raw-manifest";
    // In a subshell: runCommand sends the command's own stdout to its log.
    if (!runCommand("(skopeo inspect --raw " + skopeoAccess("--") + " " +
                    shellQuote("docker://" + registryHost() + "/" + reference) + " >" +
                    shellQuote(raw.string()) + ")")) {
      return "";
    }
    return "sha256:" + core::sha256Hex(readFile(raw));
  }

  // Polls until REPOSITORY:TAG has `digest` (rawDigest, so an index counts as itself) or
  // `timeout` passes; the digest seen last.
  std::string waitForDigest(const std::string& reference, const std::string& digest,
                            std::chrono::milliseconds timeout = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string seen = rawDigest(reference);
    while (seen != digest && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(200ms);
      seen = rawDigest(reference);
    }
    return seen;
  }

  // The quarantine decisions of `digest` once there is one (`timeout` at most).
  Json decisions(const std::string& digest, std::chrono::milliseconds timeout = 60s) {
    return waitFor(
        "/api/v1/images/" + digest + "/decisions",
        [](const Json& j) { return j.contains("decisions") && !j["decisions"].empty(); }, timeout);
  }

  httplib::Result get(const std::string& path, const std::string& token) {
    httplib::Client client("127.0.0.1", service_port_);
    client.set_read_timeout(10, 0);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Get(path, headers);
  }

  httplib::Result post(const std::string& path, const std::string& body,
                       const std::string& content_type, const std::string& token) {
    httplib::Client client("127.0.0.1", service_port_);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Post(path, headers, body, content_type);
  }

  // GETs `path` until `ready(json)` holds or `timeout` passes; the last document either way.
  Json waitFor(const std::string& path, const std::function<bool(const Json&)>& ready,
               std::chrono::milliseconds timeout = 60s,
               std::chrono::milliseconds interval = 100ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Json last;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto res = get(path, admin_); res && res->status == 200) {
        last = Json::parse(res->body, nullptr, false);
        if (!last.is_discarded() && ready(last)) return last;
      }
      std::this_thread::sleep_for(interval);
    }
    return last;
  }

  // waitFor on REPOSITORY:TAG of the registered registry until its image is scanned.
  Json waitForScan(const std::string& repository, const std::string& tag) {
    return waitFor("/api/v1/registries/" + options_.registry_name + "/tags/" + tag +
                       "?repository=" + repository,
                   [](const Json& j) { return j.value("scanned", false); });
  }

  // The server's log, every worker's and the registry's.
  std::string log() {
    std::string out = "--- serve.log\n" + readFile(dir_.path() / "serve.log");
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      const std::string name = "worker-" + std::to_string(i) + ".log";
      out += "--- " + name + "\n" + readFile(dir_.path() / name);
    }
    return out + "--- registry.log\n" + readFile(registry_.log());
  }
  bool serverRunning() { return server_ && server_->running(); }
  fs::path registryCert() const { return registry_.cert(); }
  // The SQLite store's file, and the key that seals registry passwords beside it.
  fs::path storeFile() const { return dir_.path() / "service.db"; }
  fs::path keyFile() const { return dir_.path() / "secret.key"; }
  const std::string& admin() const { return admin_; }
  const std::string& ingest() const { return ingest_; }
  std::string registryHost() const { return registry_.host(); }
  std::string servicePort() const { return std::to_string(service_port_); }
  const fs::path& dir() const { return dir_.path(); }

 private:
  static std::string q(const std::string& text) { return shellQuote(text); }
  static std::string lastLine(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    const auto newline = text.rfind('\n');
    return newline == std::string::npos ? text : text.substr(newline + 1);
  }
  std::string db() const { return (dir_.path() / "vuln.db").string(); }
  std::string store() const {
    return options_.store.empty() ? "sqlite:" + storeFile().string() : options_.store;
  }
  fs::path certDir() const { return dir_.path() / "registry-certs"; }
  // skopeo's TLS and credential flags for the registry; `prefix` is "--" or "--dest-".
  std::string skopeoAccess(const std::string& prefix) const {
    if (!options_.secure) return prefix + "tls-verify=false";
    return prefix + "tls-verify=true " + prefix + "cert-dir " + q(certDir().string()) + " " +
           prefix + "creds " + q(options_.secure->user + ":" + options_.secure->password);
  }
  std::string storeFlag() const { return " --store " + q(store()); }
  std::string serviceHost() const { return "127.0.0.1:" + std::to_string(service_port_); }

  ::testing::AssertionResult bulwark(const std::string& args, std::string* output = nullptr) {
    std::string out;
    auto ok = runCommand(q(bulwarkBin()) + " " + args + " 2>/dev/null", &out);
    if (output != nullptr) *output = out;
    return ok;
  }

  TempDir dir_{"bulwark-service-e2e"};
  Options options_;
  int service_port_ = freePort();
  std::string admin_;
  std::string ingest_;
  DockerRegistry registry_{"bulwark-service-registry"};
  std::unique_ptr<ChildProcess> server_;
  std::vector<std::unique_ptr<ChildProcess>> workers_;
};

inline fs::path miniRootfs() { return sourceDir() / "tests/fixtures/rootfs/debian-mini"; }

// A Debian 12 root with no vulnerable package (only os-release): clean under any policy.
inline fs::path cleanRootfs(const fs::path& dir) {
  const fs::path root = dir / "clean-root";
  writeFile(root / "etc" / "os-release",
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
  return root;
}

inline bool scanned(const Json& image) { return image.value("scanned", false); }

}  // namespace bulwark::testing
