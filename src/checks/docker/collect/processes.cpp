// The process names of each running container, read as the kernel sees them: the container's
// init pid (State.Pid) → its cgroup → that cgroup's cgroup.procs → /proc/<pid>/comm. When the
// daemon's processes are not visible here (another pid namespace), GET /containers/{id}/top.
#include <algorithm>

#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/host_facts.h"
#include "core/text.h"

namespace bulwark::checks::docker::collect {
namespace {

constexpr std::size_t kMaxPids = 4'096;
constexpr std::size_t kMaxProcFile = 1u << 20;

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// The 64-hex run that starts at `at`, if there is one and it is not part of a longer run.
std::optional<std::string> idAt(std::string_view text, std::size_t at) {
  if (at + 64 > text.size()) return std::nullopt;
  for (std::size_t i = at; i < at + 64; ++i) {
    if (!isHex(text[i])) return std::nullopt;
  }
  if (at + 64 < text.size() && isHex(text[at + 64])) return std::nullopt;
  return std::string(text.substr(at, 64));
}

std::optional<std::string> idAfter(std::string_view text, std::string_view marker) {
  for (std::size_t at = text.find(marker); at != std::string_view::npos;
       at = text.find(marker, at + 1)) {
    if (auto id = idAt(text, at + marker.size())) return id;
  }
  return std::nullopt;
}

}  // namespace

std::optional<CgroupPath> parseCgroupPath(std::string_view text) {
  std::optional<CgroupPath> v2;
  std::optional<CgroupPath> v1;
  core::forEachLine(text, [&](std::string_view line, std::size_t) {
    const auto first = line.find(':');
    if (first == std::string_view::npos) return;
    const auto second = line.find(':', first + 1);
    if (second == std::string_view::npos) return;
    const std::string_view controllers = line.substr(first + 1, second - first - 1);
    const std::string_view path = line.substr(second + 1);
    if (path.empty() || path.front() != '/') return;
    if (line.substr(0, first) == "0" && controllers.empty()) {
      if (!v2) v2 = CgroupPath{std::string(path), false};
      return;
    }
    for (const auto controller : core::split(controllers, ',')) {
      if (controller == "pids" && !v1) v1 = CgroupPath{std::string(path), true};
    }
  });
  return v1 ? v1 : v2;
}

std::vector<int> parsePidList(std::string_view text, std::size_t max) {
  std::vector<int> pids;
  core::forEachLine(text, [&](std::string_view line, std::size_t) {
    if (pids.size() >= max) return;
    const auto pid = core::parseUnsigned(core::trim(line));
    if (pid && *pid > 0 && *pid < (1U << 30)) pids.push_back(static_cast<int>(*pid));
  });
  return pids;
}

std::optional<std::string> selfContainerId(std::string_view cgroup, std::string_view mountinfo) {
  for (const std::string_view marker : {"/docker/", "docker-", "/libpod-", "/containers/"}) {
    if (auto id = idAfter(cgroup, marker)) return id;
  }
  return idAfter(mountinfo, "/containers/");
}

namespace {

FactState okState(std::string source, std::string detail = {}) {
  FactState state;
  state.status = FactStatus::Ok;
  state.source = std::move(source);
  state.detail = std::move(detail);
  return state;
}

// From the kernel; nullopt when this process cannot see the container's processes.
std::optional<std::vector<std::string>> fromCgroup(const CollectOptions& options, int pid) {
  const auto proc = underRoot(options.host_root, "/proc");
  const FileRead cgroup = readHostFile(proc / std::to_string(pid) / "cgroup", kMaxProcFile);
  if (!cgroup.state.ok()) return std::nullopt;
  const auto path = parseCgroupPath(cgroup.text);
  if (!path || path->path == "/" || path->path.find("..") != std::string::npos) {
    return std::nullopt;  // a cgroup namespace hides the path
  }
  const auto base =
      underRoot(options.host_root, path->v1 ? "/sys/fs/cgroup/pids" : "/sys/fs/cgroup");
  const FileRead procs =
      readHostFile(underRoot(base.string(), path->path) / "cgroup.procs", kMaxProcFile);
  if (!procs.state.ok()) return std::nullopt;
  std::vector<std::string> names;
  for (const int member : parsePidList(procs.text, kMaxPids)) {
    const FileRead comm = readHostFile(proc / std::to_string(member) / "comm", 256);
    if (!comm.state.ok()) continue;  // ended meanwhile
    std::string name(core::trim(comm.text));
    if (!name.empty()) names.push_back(std::move(name));
  }
  if (names.empty()) return std::nullopt;
  return names;
}

void fromTop(EngineClient& client, Container& container) {
  DocFact top = client.get("/containers/" + container.id + "/top?ps_args=-eo%20pid%2Ccomm");
  if (!top.state.ok()) {
    container.processes_state = top.state;
    return;
  }
  const auto& doc = top.doc;
  if (!doc.is_object() || !doc.contains("Titles") || !doc["Titles"].is_array() ||
      !doc.contains("Processes") || !doc["Processes"].is_array() || doc["Titles"].empty()) {
    container.processes_state = top.state;
    container.processes_state.status = FactStatus::Malformed;
    container.processes_state.detail = "expected Titles and Processes";
    return;
  }
  std::size_t column = doc["Titles"].size() - 1;
  for (std::size_t i = 0; i < doc["Titles"].size(); ++i) {
    const auto& title = doc["Titles"][i];
    if (title.is_string() && (title == "COMMAND" || title == "COMM" || title == "CMD")) column = i;
  }
  for (const auto& row : doc["Processes"]) {
    if (container.processes.size() >= kMaxPids) break;
    if (!row.is_array() || column >= row.size() || !row[column].is_string()) continue;
    container.processes.push_back(row[column].get<std::string>());
  }
  container.processes_state = okState(top.state.source);
}

}  // namespace

void collectProcesses(EngineClient& client, const CollectOptions& options, Snapshot& snapshot) {
  for (auto& container : snapshot.engine.containers) {
    container.processes.clear();
    if (!options.processes) {
      container.processes_state = {};
      container.processes_state.detail = "process collection disabled";
      continue;
    }
    if (!container.inspect.state.ok()) {
      container.processes_state = container.inspect.state;
      continue;
    }
    const auto found = container.inspect.doc.find("State");
    const nlohmann::json state =
        found != container.inspect.doc.end() && found->is_object() ? *found : nlohmann::json{};
    const auto running_it = state.find("Running");
    const bool running =
        running_it != state.end() && running_it->is_boolean() && running_it->get<bool>();
    const auto pid_it = state.find("Pid");
    const std::int64_t pid =
        pid_it != state.end() && pid_it->is_number_integer() ? pid_it->get<std::int64_t>() : 0;
    if (!running || pid <= 0 || pid >= (1 << 30)) {
      container.processes_state = okState("State.Running", "not running");
      continue;
    }
    if (auto names = fromCgroup(options, static_cast<int>(pid))) {
      container.processes = std::move(*names);
      container.processes_state = okState("cgroup.procs");
    } else {
      fromTop(client, container);
    }
    std::sort(container.processes.begin(), container.processes.end());
    container.processes.erase(std::unique(container.processes.begin(), container.processes.end()),
                              container.processes.end());
  }
}

}  // namespace bulwark::checks::docker::collect
