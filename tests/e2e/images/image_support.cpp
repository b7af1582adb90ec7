#include "image_support.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "testdata.h"

extern char** environ;

namespace bulwark::testing::images {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxStderrBytes = 8192;

std::string envOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

bool isRoot() { return geteuid() == 0; }

std::string percentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const std::string hex(text.substr(i + 1, 2));
      char* end = nullptr;
      const long value = std::strtol(hex.c_str(), &end, 16);
      if (end == hex.c_str() + 2) {
        out.push_back(static_cast<char>(value));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// The value of qualifier KEY in a purl ("...?arch=amd64&epoch=1&distro=..."), decoded.
std::string purlQualifier(const std::string& purl, std::string_view key) {
  const auto question = purl.find('?');
  if (question == std::string::npos) return {};
  std::string_view rest(purl);
  rest.remove_prefix(question + 1);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == key) {
      return percentDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

// dpkg's full version from a version that may or may not carry the epoch already.
std::string withEpoch(const std::string& version, const std::string& epoch) {
  if (epoch.empty() || epoch == "0" || version.find(':') != std::string::npos) return version;
  return epoch + ":" + version;
}

// Splits "oci:DIR[:tag]", "oci-archive:PATH", "docker-archive:PATH" into (transport, path).
std::pair<std::string, std::string> splitTarget(const std::string& target) {
  for (const std::string transport : {"oci-archive", "docker-archive", "oci"}) {
    const std::string prefix = transport + ":";
    if (target.rfind(prefix, 0) != 0) continue;
    std::string path = target.substr(prefix.size());
    if (transport == "oci") {
      const auto colon = path.rfind(':');
      if (colon != std::string::npos && path.find('/', colon) == std::string::npos) {
        path.resize(colon);
      }
    }
    return {transport, path};
  }
  return {"dir", target};
}

}  // namespace

CommandResult runCommand(const std::vector<std::string>& argv) {
  CommandResult result;
  if (argv.empty()) return result;
  std::array<int, 2> out_pipe{-1, -1};
  std::array<int, 2> err_pipe{-1, -1};
  if (pipe(out_pipe.data()) != 0) return result;
  if (pipe(err_pipe.data()) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.err = "cannot start " + argv[0];
    return result;
  }
  std::array<pollfd, 2> fds{pollfd{out_pipe[0], POLLIN, 0}, pollfd{err_pipe[0], POLLIN, 0}};
  std::array<char, 65536> buffer{};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) break;
    for (auto& fd : fds) {
      if (fd.fd < 0 || fd.revents == 0) continue;
      const ssize_t n = read(fd.fd, buffer.data(), buffer.size());
      if (n <= 0) {
        close(fd.fd);
        fd.fd = -1;
        --open_fds;
        continue;
      }
      std::string& sink = fd.fd == fds[0].fd ? result.out : result.err;
      sink.append(buffer.data(), static_cast<std::size_t>(n));
      if (&sink == &result.err && result.err.size() > 2 * kMaxStderrBytes) {
        result.err.erase(0, result.err.size() - kMaxStderrBytes);
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::optional<TestImage> testImage(const std::string& name, std::string& why) {
  const fs::path script = sourceDir() / "scripts" / "build-test-images";
  const std::string build = envOr("BULWARK_BUILD_IMAGES", "");
  const bool may_build =
      isRoot() && (name == "tiny" || (name != "large" && (build == "1" || build == "all")) ||
                   (name == "large" && build == "all"));
  std::vector<std::string> argv{script.string()};
  if (!may_build) argv.emplace_back("--cached");
  argv.push_back(name);
  const CommandResult run = runCommand(argv);
  if (run.exit_code != 0) {
    why = "image '" + name + "' is not in the cache (run scripts/build-test-images " + name +
          " as root, or set BULWARK_BUILD_IMAGES=1" + (name == "large" ? "/all" : "") +
          "): " + run.err.substr(run.err.size() > 400 ? run.err.size() - 400 : 0);
    return std::nullopt;
  }
  TestImage image;
  image.name = name;
  std::istringstream lines(run.out);
  std::string image_name, variant, target;
  while (lines >> image_name >> variant >> target) {
    if (image_name != name) continue;
    if (variant == "dir") {
      image.dir = target;
    } else {
      image.targets[variant] = target;
    }
  }
  if (image.dir.empty() || image.targets.size() < 8) {
    why = "scripts/build-test-images printed no complete target list for " + name;
    return std::nullopt;
  }
  return image;
}

PackageSet dpkgInstalled(const fs::path& rootfs, std::string& error) {
  const CommandResult run =
      runCommand({"dpkg-query", "--admindir=" + (rootfs / "var/lib/dpkg").string(), "-W", "-f",
                  "${db:Status-Status} ${Package} ${Version}\n"});
  PackageSet packages;
  if (run.exit_code != 0) {
    error = "dpkg-query failed on " + rootfs.string() + ": " + run.err;
    return packages;
  }
  std::istringstream lines(run.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string status, name, version;
    // Installed means dpkg's status word "installed", whatever the want flag ("hold" too).
    if (fields >> status >> name >> version && status == "installed") {
      packages.emplace(name, version);
    }
  }
  return packages;
}

std::optional<std::string> bulwarkBinary(std::string& why) {
  const std::string bin = envOr("BULWARK_BIN", (sourceDir() / "build/bin/bulwark").string());
  if (!fs::exists(bin)) {
    why = "bulwark is not built (" + bin + ")";
    return std::nullopt;
  }
  if (runCommand({bin, "sbom", "--help"}).exit_code != 0) {
    why = bin + " has no working 'sbom' subcommand yet";
    return std::nullopt;
  }
  return bin;
}

std::optional<PackageSet> bulwarkPackages(const std::string& bulwark, const std::string& target,
                                          const std::string& format, std::string& error) {
  const CommandResult run = runCommand({bulwark, "sbom", target, "--format", format});
  if (run.exit_code != 0) {
    error = "bulwark sbom " + target + " exited " + std::to_string(run.exit_code) + ": " + run.err;
    return std::nullopt;
  }
  return format == "cyclonedx" ? parseCycloneDxDeb(run.out, error)
                               : parseBulwarkJson(run.out, error);
}

std::optional<std::string> trivyBinary() {
  const std::string bin = envOr("TRIVY", "/tmp/bulwark-peers/trivy");
  if (access(bin.c_str(), X_OK) != 0) return std::nullopt;
  return bin;
}

std::optional<PackageSet> trivyPackages(const std::string& trivy, const std::string& target,
                                        std::string& error) {
  std::error_code ec;
  const fs::path cache =
      fs::temp_directory_path() / ("bulwark-trivy-cache-" + std::to_string(getpid()) + "-" +
                                   std::to_string(std::hash<std::string>{}(target)));
  fs::remove_all(cache, ec);
  const auto [transport, path] = splitTarget(target);
  if (transport == "oci-archive") {
    error = "Trivy cannot read an oci-archive tarball (it exits 1 without a message)";
    return std::nullopt;
  }
  // Trivy leaves empty analyzer-fs-* directories in TMPDIR: give it one we remove.
  const fs::path tmp = cache / "tmp";
  fs::create_directories(tmp, ec);
  std::vector<std::string> argv{"env", "TMPDIR=" + tmp.string(), trivy};
  if (transport == "dir") {
    argv.insert(argv.end(), {"rootfs", path});
  } else {
    argv.insert(argv.end(), {"image", "--input", path, "--skip-db-update", "--offline-scan"});
  }
  // Without --skip-files Trivy wants its Java DB for every jar, which cannot be fetched offline.
  argv.insert(argv.end(), {"--skip-files", "**/*.jar", "--format", "cyclonedx", "--quiet",
                           "--cache-dir", cache.string()});
  const CommandResult run = runCommand(argv);
  fs::remove_all(cache, ec);
  if (run.exit_code != 0) {
    error = "trivy on " + target + " exited " + std::to_string(run.exit_code) + ": " + run.err;
    return std::nullopt;
  }
  return parseCycloneDxDeb(run.out, error);
}

std::optional<PackageSet> parseBulwarkJson(const std::string& text, std::string& error) {
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("packages") ||
      !doc["packages"].is_array()) {
    error = "bulwark JSON has no top-level \"packages\" array";
    return std::nullopt;
  }
  PackageSet packages;
  for (const auto& package : doc["packages"]) {
    if (!package.is_object()) continue;
    const std::string type = package.value("type", std::string("deb"));
    if (type != "deb" && type != "dpkg") continue;
    std::string epoch;
    if (const auto it = package.find("epoch"); it != package.end()) {
      epoch = it->is_number()   ? std::to_string(it->get<long long>())
              : it->is_string() ? it->get<std::string>()
                                : std::string();
    }
    // docs/json-schema.md: full_version is dpkg's own "[epoch:]version"; older output lacked it.
    const std::string full = package.value("full_version", std::string());
    packages.emplace(
        package.value("name", std::string()),
        full.empty() ? withEpoch(package.value("version", std::string()), epoch) : full);
  }
  return packages;
}

std::optional<PackageSet> parseCycloneDxDeb(const std::string& text, std::string& error) {
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "not a CycloneDX JSON document";
    return std::nullopt;
  }
  PackageSet packages;
  if (!doc.contains("components")) return packages;
  for (const auto& component : doc["components"]) {
    if (!component.is_object() || !component.contains("purl") || !component["purl"].is_string()) {
      continue;
    }
    const std::string purl = component["purl"].get<std::string>();
    if (purl.rfind("pkg:deb/", 0) != 0) continue;
    packages.emplace(
        component.value("name", std::string()),
        withEpoch(component.value("version", std::string()), purlQualifier(purl, "epoch")));
  }
  return packages;
}

std::string describeDifference(const PackageSet& a, const std::string& a_name, const PackageSet& b,
                               const std::string& b_name) {
  std::ostringstream out;
  for (const auto& [name, version] : a) {
    if (!b.contains({name, version}))
      out << "  only in " << a_name << ": " << name << ' ' << version << '\n';
  }
  for (const auto& [name, version] : b) {
    if (!a.contains({name, version}))
      out << "  only in " << b_name << ": " << name << ' ' << version << '\n';
  }
  return out.str();
}

std::multimap<std::string, std::string> knownDifferences(const fs::path& compat_md) {
  std::multimap<std::string, std::string> known;
  std::ifstream in(compat_md);
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      in_section = line.rfind("## Known differences", 0) == 0;
      continue;
    }
    if (!in_section || line.empty() || line[0] != '|') continue;
    std::vector<std::string> cells;
    std::istringstream row(line.substr(1));
    std::string cell;
    while (std::getline(row, cell, '|')) {
      const auto first = cell.find_first_not_of(" `");
      const auto last = cell.find_last_not_of(" `");
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    if (cells.size() < 3 || cells[0] == "image" || cells[0].starts_with("-")) continue;
    known.emplace(cells[0], cells[1]);
  }
  return known;
}

}  // namespace bulwark::testing::images
