// The running dockerd: found by scanning /proc/<pid>/comm, then its argv (cmdline), real uid
// (status) and executable (exe). Several dockerds: the one listening on the endpoint's socket.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/host_facts.h"
#include "core/text.h"

namespace bulwark::checks::docker::collect {
namespace {

constexpr std::size_t kMaxProcEntries = 65'536;
constexpr std::size_t kMaxCmdline = 128u << 10;
constexpr std::size_t kMaxSmallProcFile = 64u << 10;

bool isPid(std::string_view name) {
  return !name.empty() && name.size() <= 9 &&
         std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// /var/run is a link to /run on every current distribution.
std::string sameRun(std::string_view path) {
  if (path.starts_with("/var/run/")) return "/run/" + std::string(path.substr(9));
  return std::string(path);
}

}  // namespace

std::vector<std::string> splitCmdline(std::string_view bytes) {
  std::vector<std::string> args;
  while (!bytes.empty() && args.size() < kMaxCmdlineArgs) {
    const auto end = bytes.find('\0');
    args.emplace_back(bytes.substr(0, end));
    if (end == std::string_view::npos) break;
    bytes.remove_prefix(end + 1);
  }
  return args;
}

std::optional<std::uint32_t> parseStatusUid(std::string_view text) {
  std::optional<std::uint32_t> uid;
  core::forEachLine(text, [&](std::string_view line, std::size_t) {
    if (uid || !line.starts_with("Uid:")) return;
    line.remove_prefix(4);
    line = core::trim(line);
    const auto end = line.find_first_of(" \t");
    const auto value = core::parseUnsigned(line.substr(0, end));
    if (value && *value <= 0xffffffffULL) uid = static_cast<std::uint32_t>(*value);
  });
  return uid;
}

namespace {

// Every value of a flag spelled by `names` ("--config-file"; "-H", "--host"): `--x=v`, `--x v`,
// and for one-letter flags also `-xv`.
std::vector<std::string> flagValues(const std::vector<std::string>& argv,
                                    std::initializer_list<std::string_view> names) {
  std::vector<std::string> values;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    for (const std::string_view name : names) {
      if (arg == name) {
        if (i + 1 < argv.size()) values.push_back(argv[++i]);
        break;
      }
      if (arg.starts_with(name) && arg.size() > name.size()) {
        const std::string_view rest = arg.substr(name.size());
        if (rest.front() == '=') {
          values.emplace_back(rest.substr(1));
          break;
        }
        if (name.size() == 2 && name[1] != '-') {  // -Hunix://…
          values.emplace_back(rest);
          break;
        }
      }
    }
  }
  return values;
}

}  // namespace

std::optional<std::string> configFileFlag(const std::vector<std::string>& argv) {
  auto values = flagValues(argv, {"--config-file"});
  if (values.empty()) return std::nullopt;
  return values.back();
}

std::vector<std::string> hostFlagSockets(const std::vector<std::string>& argv) {
  std::vector<std::string> sockets;
  const auto values = flagValues(argv, {"-H", "--host"});
  for (const auto& value : values) {
    if (value.starts_with("unix://")) {
      const std::string path = value.substr(7);
      sockets.push_back(path.empty() ? std::string("/var/run/docker.sock") : path);
    } else if (value.starts_with("fd://")) {
      sockets.emplace_back("/run/docker.sock");  // systemd's docker.socket
    }
  }
  if (values.empty()) sockets.emplace_back("/var/run/docker.sock");
  return sockets;
}

ProcessScan findProcesses(std::string_view host_root, std::span<const std::string_view> names) {
  ProcessScan scan;
  const auto proc = underRoot(host_root, "/proc");
  std::error_code error;
  std::size_t entries = 0;
  std::filesystem::directory_iterator it(proc, error);
  if (error) {
    scan.state = stateOfErrno(error.value(), proc.string());
    return scan;
  }
  for (const std::filesystem::directory_iterator end; it != end; it.increment(error)) {
    if (error || ++entries > kMaxProcEntries) break;
    const std::string name = it->path().filename().string();
    if (!isPid(name)) continue;
    const FileRead comm = readHostFile(it->path() / "comm", 256);
    if (!comm.state.ok()) continue;
    const std::string_view comm_name = core::trim(comm.text);
    if (std::find(names.begin(), names.end(), comm_name) != names.end()) {
      scan.pids.push_back(std::stoi(name));
    }
  }
  std::sort(scan.pids.begin(), scan.pids.end());
  if (scan.pids.empty()) {
    const FileRead mounts = readHostFile(proc / "self" / "mountinfo", 16u << 20);
    const auto super = mounts.state.ok() ? mountSuperOptions(mounts.text, "/proc") : std::nullopt;
    const bool hidden = ::geteuid() != 0 && super &&
                        (super->find("hidepid=2") != std::string::npos ||
                         super->find("hidepid=1") != std::string::npos ||
                         super->find("hidepid=invisible") != std::string::npos ||
                         super->find("hidepid=noaccess") != std::string::npos);
    scan.state.status = hidden ? FactStatus::PermissionDenied : FactStatus::Missing;
    scan.state.detail = hidden
                            ? "/proc is mounted with hidepid: other users' processes "
                              "are hidden"
                            : "no " + std::string(names.empty() ? "" : names.front()) + " process";
    scan.state.source = proc.string();
    return scan;
  }
  scan.state.status = FactStatus::Ok;
  scan.state.source = proc.string();
  return scan;
}

ProcessFact readProcess(std::string_view host_root, int pid) {
  ProcessFact found;
  found.pid = pid;
  const auto dir = underRoot(host_root, "/proc") / std::to_string(pid);
  const FileRead cmdline = readHostFile(dir / "cmdline", kMaxCmdline);
  found.state = cmdline.state;
  if (cmdline.state.ok()) {
    found.argv = splitCmdline(cmdline.text);
    if (found.argv.empty()) {
      found.state.status = FactStatus::Malformed;  // a zombie or a kernel thread
      found.state.detail = "empty cmdline";
    }
  }
  const FileRead status = readHostFile(dir / "status", kMaxSmallProcFile);
  if (status.state.ok()) {
    if (const auto uid = parseStatusUid(status.text)) found.uid = *uid;
  }
  std::error_code link_error;
  const auto exe = std::filesystem::read_symlink(dir / "exe", link_error);
  if (!link_error) {
    found.exe = exe.string();
    if (found.exe.ends_with(" (deleted)")) found.exe.resize(found.exe.size() - 10);
  }
  const auto cwd = std::filesystem::read_symlink(dir / "cwd", link_error);
  if (!link_error) found.cwd = cwd.string();
  return found;
}

void collectDockerd(const CollectOptions& options, std::string_view socket, Snapshot& snapshot) {
  auto& dockerd = snapshot.host.dockerd;
  dockerd = {};
  constexpr std::string_view kNames[] = {"dockerd"};
  const ProcessScan scan = findProcesses(options.host_root, kNames);
  if (!scan.state.ok()) {
    dockerd.state = scan.state;
    return;
  }
  const std::string wanted = sameRun(socket);
  Snapshot::Host::Dockerd first;
  bool have_first = false;
  for (const int pid : scan.pids) {
    ProcessFact process = readProcess(options.host_root, pid);
    Snapshot::Host::Dockerd found;
    found.pid = process.pid;
    found.state = std::move(process.state);
    found.uid = process.uid;
    found.exe = std::move(process.exe);
    found.argv = std::move(process.argv);
    if (found.state.ok()) {
      const auto sockets = hostFlagSockets(found.argv);
      if (std::any_of(sockets.begin(), sockets.end(),
                      [&](const std::string& s) { return sameRun(s) == wanted; })) {
        dockerd = std::move(found);
        return;
      }
    }
    if (!have_first) {
      first = std::move(found);
      have_first = true;
    }
  }
  dockerd = std::move(first);
}

}  // namespace bulwark::checks::docker::collect
