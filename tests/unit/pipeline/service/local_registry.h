// A real registry for the worker tests: Debian's docker-registry on a free loopback port with its
// storage in a temp dir, stopped (with its process group) when the guard goes away, also when an
// assertion fails half-way. Test images are built with umoci from tests/fixtures/rootfs/
// debian-mini (amd64 and arm64, and an index of both) and pushed with skopeo. After
// tests/e2e/registry/registry_e2e_test.cpp, reduced to what the worker tests need.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "image/oci.h"
#include "service_test_support.h"
#include "testdata.h"

namespace bulwark::pipeline::service::testing {

namespace fs = std::filesystem;

inline bool haveTool(const char* name) {
  return std::system(("command -v " + std::string(name) + " >/dev/null 2>&1").c_str()) == 0;
}

inline std::string missingRegistryTools() {
  std::string missing;
  for (const char* tool : {"docker-registry", "skopeo", "umoci"}) {
    if (!haveTool(tool)) missing += std::string(missing.empty() ? "" : ", ") + tool;
  }
  return missing;
}

inline std::string quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command; on failure the assertion shows the command and its output.
inline ::testing::AssertionResult run(const std::string& command) {
  const std::string log = "/tmp/bulwark-service-registry-" + std::to_string(getpid()) + ".log";
  const int rc = std::system((command + " >" + quote(log) + " 2>&1").c_str());
  const std::string output = bulwark::testing::readFile(log);
  fs::remove(log);
  if (rc == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << command << " failed (" << rc << "):\n" << output;
}

inline void writeFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

inline int freePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

inline bool portOpen(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool open = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return open;
}

// docker-registry in its own process group, killed with the group on destruction.
class RegistryProcess {
 public:
  RegistryProcess(const fs::path& config, int port, const fs::path& log) {
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
      }
      execlp("docker-registry", "docker-registry", "serve", config.c_str(), nullptr);
      _exit(127);
    }
    if (pid_ > 0) setpgid(pid_, pid_);
    for (int i = 0; i < 1000 && pid_ > 0; ++i) {
      if (portOpen(port)) {
        ready_ = true;
        break;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~RegistryProcess() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(-pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  RegistryProcess(const RegistryProcess&) = delete;
  RegistryProcess& operator=(const RegistryProcess&) = delete;
  [[nodiscard]] bool ready() const { return ready_; }

 private:
  pid_t pid_ = -1;
  bool ready_ = false;
};

// An OCI layout with tags amd64, arm64 (debian-mini's files) and multi (an index of both).
struct TestImages {
  TempDir dir;
  fs::path layout = dir.path() / "layout";
};

inline ::testing::AssertionResult buildImages(TestImages& out) {
  const fs::path fixture = bulwark::testing::fixtures() / "rootfs" / "debian-mini";
  const std::string layout = out.layout.string();
  if (auto ok = run("umoci init --layout " + quote(layout)); !ok) return ok;
  for (const std::string arch : {"amd64", "arm64"}) {
    const std::string image = quote(layout + ":" + arch);
    if (auto ok = run("umoci new --image " + image); !ok) return ok;
    if (auto ok = run("umoci config --image " + image + " --os linux --architecture " + arch);
        !ok) {
      return ok;
    }
    for (const std::string top : {"etc", "usr", "var"}) {
      if (auto ok = run("umoci insert --image " + image + " " + quote((fixture / top).string()) +
                        " /" + top);
          !ok) {
        return ok;
      }
    }
  }
  auto index_json = nlohmann::json::parse(bulwark::testing::readFile(out.layout / "index.json"));
  auto manifests = nlohmann::json::array();
  for (const auto& entry : index_json["manifests"]) {
    const std::string tag = entry["annotations"]["org.opencontainers.image.ref.name"];
    nlohmann::json descriptor = {{"mediaType", entry["mediaType"]},
                                 {"digest", entry["digest"]},
                                 {"size", entry["size"]},
                                 {"platform", {{"os", "linux"}, {"architecture", tag}}}};
    if (tag == "arm64") descriptor["platform"]["variant"] = "v8";
    manifests.push_back(descriptor);
  }
  if (manifests.size() != 2) return ::testing::AssertionFailure() << "umoci made no 2 images";
  const nlohmann::json nested = {
      {"schemaVersion", 2}, {"mediaType", image::media::kOciIndex}, {"manifests", manifests}};
  const std::string bytes = nested.dump();
  const std::string hex = core::sha256Hex(bytes);
  writeFile(out.layout / "blobs" / "sha256" / hex, bytes);
  index_json["manifests"].push_back(
      {{"mediaType", image::media::kOciIndex},
       {"digest", "sha256:" + hex},
       {"size", static_cast<std::int64_t>(bytes.size())},
       {"annotations", {{"org.opencontainers.image.ref.name", "multi"}}}});
  writeFile(out.layout / "index.json", index_json.dump());
  return ::testing::AssertionSuccess();
}

// One registry, anonymous, plain HTTP.
struct LocalRegistry {
  TempDir dir;
  int port = freePort();
  fs::path storage = dir.path() / "storage";
  std::unique_ptr<RegistryProcess> process;

  [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(port); }

  ::testing::AssertionResult start() {
    writeFile(dir.path() / "config.yml",
              "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: " +
                  storage.string() + "\n  delete:\n    enabled: true\nhttp:\n  addr: " + host() +
                  "\n");
    process = std::make_unique<RegistryProcess>(dir.path() / "config.yml", port,
                                                dir.path() / "registry.log");
    if (!process->ready()) {
      return ::testing::AssertionFailure()
             << "docker-registry did not start:\n"
             << bulwark::testing::readFile(dir.path() / "registry.log");
    }
    return ::testing::AssertionSuccess();
  }

  // Pushes layout tag `tag` to `destination` ("repo:tag"); returns the manifest digest pushed.
  std::string push(const TestImages& images, const std::string& tag, const std::string& destination,
                   bool all = false) {
    const fs::path digest_file = dir.path() / "digest";
    const auto pushed =
        run("skopeo copy --quiet --dest-tls-verify=false " + std::string(all ? "--all " : "") +
            "--digestfile " + quote(digest_file.string()) + " " +
            quote("oci:" + images.layout.string() + ":" + tag) + " " +
            quote("docker://" + host() + "/" + destination));
    EXPECT_TRUE(pushed);
    return bulwark::testing::readFile(digest_file);
  }

  [[nodiscard]] fs::path blobFile(const std::string& digest) const {
    const std::string hex = digest.substr(7);
    return storage / "docker" / "registry" / "v2" / "blobs" / "sha256" / hex.substr(0, 2) / hex /
           "data";
  }
};

}  // namespace bulwark::pipeline::service::testing
