// The path aliases of docs/dev/hardening-design.md §2.4 and a FileFact (type, mode, owner) for
// every path an alias names plus the literal paths the checks stat. Owner names come from
// <root>/etc/passwd and <root>/etc/group (not NSS), "#<id>" when unknown.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <system_error>

#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/host_facts.h"
#include "core/text.h"

namespace bulwark::checks::docker::collect {
namespace {

constexpr std::size_t kMaxFiles = 4'096;
constexpr std::size_t kMaxCertFiles = 1'000;
constexpr std::size_t kMaxAccountsFile = 16u << 20;

constexpr std::string_view kLiteralPaths[] = {
    "/etc/docker",     "/etc/default/docker",         "/etc/sysconfig/docker",
    "/run/containerd", "/etc/containerd/config.toml", "/etc/subuid",
    "/etc/subgid",
};
constexpr std::string_view kBinaries[] = {
    "containerd", "containerd-shim", "containerd-shim-runc-v1", "containerd-shim-runc-v2", "runc"};
constexpr std::string_view kBinaryDirs[] = {"/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin",
                                            "/sbin"};

// The option's values when known (from a flag, the file or the default); nullptr when the
// sources could not be read.
const std::vector<std::string>* known(const DaemonConfig& config, std::string_view key) {
  const OptionValue* value = config.find(key);
  if (value == nullptr || value->origin == OptionValue::Origin::Unknown) return nullptr;
  return &value->values;
}

std::string firstOf(const std::vector<std::string>* values) {
  return values != nullptr && !values->empty() ? values->front() : std::string();
}

bool existsUnder(std::string_view root, std::string_view path) {
  struct stat info {};
  return ::stat(underRoot(root, path).c_str(), &info) == 0;
}

std::vector<std::string> findBinary(std::string_view root, std::string_view name) {
  for (const std::string_view dir : kBinaryDirs) {
    const std::string path = std::string(dir) + "/" + std::string(name);
    if (existsUnder(root, path)) return {path};
  }
  return {};
}

std::string parentOf(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return path;
  return slash == 0 ? std::string("/") : path.substr(0, slash);
}

// Regular files matching /etc/docker/certs.d/*/*, sorted.
std::vector<std::string> certFiles(std::string_view root) {
  std::vector<std::string> files;
  std::error_code error;
  const auto base = underRoot(root, "/etc/docker/certs.d");
  for (std::filesystem::directory_iterator hosts(base, error), end; !error && hosts != end;
       hosts.increment(error)) {
    std::error_code inner;
    if (!hosts->is_directory(inner)) continue;
    for (std::filesystem::directory_iterator file(hosts->path(), inner); !inner && file != end;
         file.increment(inner)) {
      if (files.size() >= kMaxCertFiles) return files;
      std::error_code kind;
      if (!file->is_regular_file(kind)) continue;
      files.push_back("/etc/docker/certs.d/" + hosts->path().filename().string() + "/" +
                      file->path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void resolveAliases(const CollectOptions& options, const DaemonConfig& config, Snapshot& snapshot) {
  auto& paths = snapshot.host.paths;
  const auto& root = options.host_root;
  paths["daemon:config-file"] = {snapshot.host.daemon_json.path.empty()
                                     ? std::string("/etc/docker/daemon.json")
                                     : snapshot.host.daemon_json.path};
  for (const std::string_view key : {"tlscacert", "tlscert", "tlskey"}) {
    const std::string alias = "daemon:" + std::string(key);
    if (const auto* values = known(config, key)) {
      const std::string value = firstOf(values);
      paths[alias] = value.empty() ? std::vector<std::string>{} : std::vector{value};
    } else {
      paths.erase(alias);
    }
  }
  std::vector<std::string> sockets;
  if (const auto* hosts = known(config, "hosts")) {
    for (const auto& host : *hosts) {
      if (host.starts_with("unix://")) {
        sockets.push_back(host.size() > 7 ? host.substr(7) : std::string("/var/run/docker.sock"));
      } else if (host.starts_with("fd://")) {
        sockets.emplace_back("/run/docker.sock");
      }
    }
  } else if (const auto socket = unixSocketPath(snapshot.engine.endpoint)) {
    sockets.push_back(*socket);
  } else {
    sockets.emplace_back("/var/run/docker.sock");
  }
  std::sort(sockets.begin(), sockets.end());
  sockets.erase(std::unique(sockets.begin(), sockets.end()), sockets.end());
  paths["docker-socket"] = sockets;

  const std::string containerd = firstOf(known(config, "containerd"));
  paths["containerd-socket"] = {containerd.empty() ? std::string("/run/containerd/containerd.sock")
                                                   : containerd};

  std::string data_root;
  const auto& info = snapshot.engine.info;
  if (info.state.ok() && info.doc.is_object() && info.doc.contains("DockerRootDir") &&
      info.doc["DockerRootDir"].is_string()) {
    data_root = info.doc["DockerRootDir"].get<std::string>();
    bool userns = !firstOf(known(config, "userns-remap")).empty();
    if (info.doc.contains("SecurityOptions") && info.doc["SecurityOptions"].is_array()) {
      for (const auto& option : info.doc["SecurityOptions"]) {
        if (option.is_string() &&
            option.get_ref<const std::string&>().find("name=userns") != std::string::npos) {
          userns = true;
        }
      }
    }
    if (userns && !data_root.empty()) data_root = parentOf(data_root);  // <root>/<uid>.<gid>
  }
  if (data_root.empty()) data_root = firstOf(known(config, "data-root"));
  if (data_root.empty()) data_root = "/var/lib/docker";
  paths["data-root"] = {data_root};

  const auto& dockerd = snapshot.host.dockerd;
  paths["bin:dockerd"] =
      !dockerd.exe.empty() ? std::vector{dockerd.exe} : findBinary(root, "dockerd");
  for (const std::string_view name : kBinaries) {
    paths["bin:" + std::string(name)] = findBinary(root, name);
  }
  paths["certs-d"] = certFiles(root);
}

std::string nameOf(const std::map<std::uint32_t, std::string>& names, std::uint32_t id) {
  const auto it = names.find(id);
  return it != names.end() ? it->second : "#" + std::to_string(id);
}

std::string typeOf(mode_t mode) {
  if (S_ISREG(mode)) return "file";
  if (S_ISDIR(mode)) return "dir";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISLNK(mode)) return "link";
  return "other";
}

}  // namespace

void statPaths(std::string_view host_root, const std::set<std::string>& paths, Snapshot& snapshot,
               core::Diagnostics& diagnostics) {
  const std::string root(host_root);
  std::map<std::uint32_t, std::string> users;
  std::map<std::uint32_t, std::string> groups;
  if (const FileRead passwd = readHostFile(underRoot(root, "/etc/passwd"), kMaxAccountsFile);
      passwd.state.ok()) {
    users = parsePasswdFile(passwd.text);
  }
  if (const FileRead group = readHostFile(underRoot(root, "/etc/group"), kMaxAccountsFile);
      group.state.ok()) {
    core::Diagnostics ignored;  // group.cpp reports the file's bad lines
    for (auto& entry : parseGroupFile(group.text, "/etc/group", ignored)) {
      groups.emplace(entry.gid, std::move(entry.name));
    }
  }

  std::size_t count = 0;
  for (const auto& path : paths) {
    if (path.empty() || path.front() != '/') continue;
    if (++count > kMaxFiles) {
      diagnostics.add("docker.truncated", "host files",
                      fmt::format("more than {} paths; the rest are not stat'ed", kMaxFiles));
      break;
    }
    FileFact fact;
    fact.path = path;
    const auto real = underRoot(root, path);
    struct stat info {};
    if (::lstat(real.c_str(), &info) != 0) {
      fact.state = stateOfErrno(errno, path);
      snapshot.host.files[path] = std::move(fact);
      continue;
    }
    if (S_ISLNK(info.st_mode)) {
      std::error_code error;
      fact.link_target = std::filesystem::read_symlink(real, error).string();
      if (::stat(real.c_str(), &info) != 0) {  // dangling: the link is all there is
        fact.state = stateOfErrno(errno, path);
        fact.type = "link";
        snapshot.host.files[path] = std::move(fact);
        continue;
      }
    }
    fact.state.status = FactStatus::Ok;
    fact.state.source = path;
    fact.type = typeOf(info.st_mode);
    fact.mode = static_cast<std::uint32_t>(info.st_mode) & 07777U;
    fact.uid = info.st_uid;
    fact.gid = info.st_gid;
    fact.user = nameOf(users, fact.uid);
    fact.group = nameOf(groups, fact.gid);
    snapshot.host.files[path] = std::move(fact);
  }
}

void collectHostFiles(const CollectOptions& options, const DaemonConfig& config, Snapshot& snapshot,
                      core::Diagnostics& diagnostics) {
  resolveAliases(options, config, snapshot);
  std::set<std::string> wanted(std::begin(kLiteralPaths), std::end(kLiteralPaths));
  for (const auto& [alias, real] : snapshot.host.paths) wanted.insert(real.begin(), real.end());
  statPaths(options.host_root, wanted, snapshot, diagnostics);
}

}  // namespace bulwark::checks::docker::collect
