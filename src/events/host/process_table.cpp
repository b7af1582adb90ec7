#include "events/host/process_table.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <set>
#include <vector>

namespace bulwark::events::host {

namespace {

constexpr std::size_t kMaxAccountFileBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxContainers = 4096;
constexpr std::size_t kMaxAccountFiles = 1024;
constexpr std::uint32_t kUnsetLoginuid = 4294967295U;

std::vector<std::string_view> splitColons(std::string_view line) {
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t colon = line.find(':');
    out.push_back(line.substr(0, colon));
    if (colon == std::string_view::npos) break;
    line.remove_prefix(colon + 1);
  }
  return out;
}

std::unordered_map<std::uint32_t, Account> parseAccounts(std::string_view text, bool users) {
  std::unordered_map<std::uint32_t, Account> out;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty() || line.front() == '#') continue;
    const auto parts = splitColons(line);
    if (parts.size() < (users ? 7U : 3U) || parts[0].empty()) continue;
    std::uint32_t id = 0;
    const std::string_view number = parts[2];
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), id);
    if (ec != std::errc() || end != number.data() + number.size()) continue;
    Account account{std::string(parts[0]), {}, {}};
    if (users) {
      account.home = std::string(parts[5]);
      account.shell = std::string(parts[6]);
    }
    out.try_emplace(id, std::move(account));
  }
  return out;
}

std::string readBounded(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::string out(kMaxAccountFileBytes, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

}  // namespace

std::unordered_map<std::uint32_t, Account> parsePasswd(std::string_view text) {
  return parseAccounts(text, true);
}

std::unordered_map<std::uint32_t, Account> parseGroup(std::string_view text) {
  return parseAccounts(text, false);
}

ProcessTable::ProcessTable(Options options)
    : options_(std::move(options)),
      boot_ns_(bootTimeNs(options_.proc_root)),
      ticks_per_second_(clockTicksPerSecond()) {
  if (ticks_per_second_ == 0) ticks_per_second_ = 100;
}

ProcessTable::Snapshot ProcessTable::find(std::int64_t tgid) const {
  const auto found = entries_.find(tgid);
  return found == entries_.end() ? Snapshot{} : found->second;
}

std::shared_ptr<const Container> ProcessTable::container(const std::optional<ContainerRef>& ref) {
  if (!ref) return nullptr;
  if (const auto found = containers_.find(ref->id); found != containers_.end()) {
    return found->second;
  }
  std::shared_ptr<const Container> described;
  if (options_.resolve_container) described = options_.resolve_container(*ref);
  if (!described) {
    auto bare = std::make_shared<Container>();
    bare->id = ref->id;
    bare->type = ref->runtime;
    described = std::move(bare);
  }
  // Containers come and go; a bound that empties itself keeps memory flat on a busy node.
  if (containers_.size() >= kMaxContainers) containers_.clear();
  containers_.emplace(ref->id, described);
  return described;
}

const std::unordered_map<std::uint32_t, Account>& ProcessTable::accounts(
    const std::string& key, const std::filesystem::path& file, bool groups) {
  const std::string full = groups ? key + ":g" : key;
  if (const auto found = accounts_.find(full); found != accounts_.end()) return found->second;
  if (accounts_.size() >= kMaxAccountFiles) accounts_.clear();
  const std::string text = readBounded(file);
  return accounts_.emplace(full, groups ? parseGroup(text) : parsePasswd(text)).first->second;
}

std::optional<bool> ProcessTable::upperLayer(const Container& container, int pid,
                                             const std::string& exe) {
  auto found = upper_dirs_.find(container.id);
  if (found == upper_dirs_.end()) {
    if (upper_dirs_.size() >= kMaxContainers) upper_dirs_.clear();
    const std::string mountinfo =
        readBounded(options_.proc_root / std::to_string(pid) / "mountinfo");
    // A process that is gone says nothing about its container: ask again next time.
    if (mountinfo.empty()) return std::nullopt;
    found = upper_dirs_.emplace(container.id, overlayUpperDir(mountinfo)).first;
  }
  if (!found->second || !exe.starts_with('/') || !found->second->starts_with('/')) {
    return std::nullopt;
  }
  // The executable of a deleted file shows " (deleted)": the path it had is what is asked.
  std::string path = exe;
  constexpr std::string_view kDeleted = " (deleted)";
  if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  // The upper directory is a path of the host's: read through the host's root.
  const std::filesystem::path in_upper =
      hostRoot() / found->second->substr(1) / std::string_view(path).substr(1);
  struct stat info {};
  if (::lstat(in_upper.c_str(), &info) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return std::nullopt;
}

std::filesystem::path ProcessTable::hostRoot() const {
  // pid 1's root is the host's even when we run in a container that shares the host's pids;
  // reading it needs ptrace access to pid 1, so without it the local root is the best guess.
  std::filesystem::path init_root = options_.proc_root / "1/root";
  std::error_code error;
  if (std::filesystem::exists(init_root / "etc", error)) return init_root;
  return "/";
}

void ProcessTable::names(Process& process, const Container* in_container, int pid) {
  // A container's users are in its own files, read through the process's root directory; the
  // host's through pid 1's root (right also when we run in a container with the host's pids).
  const std::string key = in_container != nullptr ? in_container->id : std::string("host");
  const std::filesystem::path root =
      in_container != nullptr ? options_.proc_root / std::to_string(pid) / "root" : hostRoot();
  if (process.uid) {
    const auto& users = accounts(key, root / "etc/passwd", false);
    if (const auto found = users.find(*process.uid); found != users.end()) {
      process.user_name = found->second.name;
      process.user_homedir = found->second.home;
      process.user_shell = found->second.shell;
    }
  }
  if (process.gid) {
    const auto& groups = accounts(key, root / "etc/group", true);
    if (const auto found = groups.find(*process.gid); found != groups.end()) {
      process.group_name = found->second.name;
    }
  }
  if (process.loginuid && *process.loginuid >= 0) {
    const auto& users = accounts("host", hostRoot() / "etc/passwd", false);
    const auto found = users.find(static_cast<std::uint32_t>(*process.loginuid));
    if (found != users.end()) process.login_name = found->second.name;
  }
}

ProcessTable::Entry ProcessTable::build(const ProcessInfo& info, std::int64_t start_ns) {
  auto process = std::make_shared<Process>();
  process->pid = info.tgid != 0 ? info.tgid : info.pid;
  process->ppid = info.ppid;
  process->vpid = info.vpid;
  process->sid = info.sid;
  process->vpgid = info.vpgid;
  process->name = info.comm;
  process->exepath = info.exe;
  if (!info.args.empty()) {
    process->exe = info.args.front();
    process->args.assign(info.args.begin() + 1, info.args.end());
  } else if (info.exe.empty()) {
    // A kernel thread, or a process that exited before we looked (a zombie keeps its name but
    // not its argv or executable): the arguments are unknown, not empty.
    process->args_unknown = true;
  } else {
    process->exe = info.comm;  // argv emptied by the process itself
  }
  process->cwd = info.cwd;
  process->tty = static_cast<std::uint32_t>(info.tty_nr);
  process->uid = info.uid;
  process->gid = info.gid;
  if (info.loginuid) {
    process->loginuid =
        *info.loginuid == kUnsetLoginuid ? -1 : static_cast<std::int64_t>(*info.loginuid);
  }
  process->cap_effective = info.cap_eff;
  process->cap_permitted = info.cap_prm;
  process->start_ns = start_ns;
  // An executable run from a memfd (memfd_create + execveat): fileless malware.
  process->exe_from_memfd = info.exe.starts_with("/memfd:");
  process->stdin_type = info.stdin_type;
  process->stdout_type = info.stdout_type;
  process->stderr_type = info.stderr_type;
  if (const auto parent = entries_.find(info.ppid); parent != entries_.end()) {
    process->parent = parent->second.process;
  }
  Entry entry;
  entry.container = container(info.container);
  names(*process, entry.container.get(), info.pid);
  if (entry.container != nullptr && !info.exe.empty() && !*process->exe_from_memfd) {
    process->exe_upper_layer = upperLayer(*entry.container, info.pid, info.exe);
  }
  entry.process = std::move(process);
  return entry;
}

void ProcessTable::insert(std::int64_t tgid, Entry entry) {
  if (entries_.size() >= options_.max_processes && !entries_.contains(tgid)) {
    entries_.erase(entries_.begin());
    ++stats_.evicted;
  }
  entries_[tgid] = std::move(entry);
}

void ProcessTable::scan() {
  if (stats_.scanned != 0) ++stats_.resyncs;
  std::unordered_map<int, ProcessInfo> infos;
  for (const int pid : listPids(options_.proc_root)) {
    auto info = readProcess(options_.proc_root, pid);
    if (info) infos.emplace(pid, std::move(*info));
  }
  stats_.scanned += infos.size();
  // Gone since the last scan: forgotten (their snapshots live on in the events that hold them).
  std::erase_if(entries_,
                [&](const auto& entry) { return !infos.contains(static_cast<int>(entry.first)); });
  // Parents before children, so that each snapshot links to its parent's.
  std::set<int> done;
  const auto add = [&](int pid, auto& self, int depth) -> void {
    if (done.contains(pid) || depth > 4096) return;
    done.insert(pid);
    const auto found = infos.find(pid);
    if (found == infos.end()) return;
    if (found->second.ppid != pid) self(found->second.ppid, self, depth + 1);
    if (entries_.contains(pid)) return;  // known already: keep its snapshot
    const auto start_ns =
        boot_ns_ +
        static_cast<std::int64_t>(found->second.start_ticks * 1'000'000'000ULL / ticks_per_second_);
    insert(pid, build(found->second, start_ns));
  };
  for (const auto& [pid, info] : infos) add(pid, add, 0);
}

void ProcessTable::onFork(std::int64_t parent, std::int64_t child, std::int64_t ts_ns) {
  const auto found = entries_.find(parent);
  if (found == entries_.end()) return;
  // The child runs the parent's program until it execs: a copy, one generation down.
  auto process = std::make_shared<Process>(*found->second.process);
  process->pid = child;
  process->tid = 0;
  process->ppid = parent;
  process->vpid = 0;  // unknown until /proc is read
  process->start_ns = ts_ns;
  process->parent = found->second.process;
  insert(child, Entry{std::move(process), found->second.container});
}

ProcessTable::Snapshot ProcessTable::onExec(std::int64_t tgid, std::int64_t ts_ns) {
  auto info = readProcess(options_.proc_root, static_cast<int>(tgid));
  if (!info) {
    // Gone before we could look (a short-lived program): what it ran is unknown, and the
    // forked copy would name the parent's program; the identity fields are left missing.
    ++stats_.exec_races;
    const auto previous = entries_.find(tgid);
    if (previous == entries_.end()) return {};
    auto process = std::make_shared<Process>(*previous->second.process);
    process->name.clear();
    process->exe.clear();
    process->exepath.clear();
    process->args.clear();
    process->args_unknown = true;
    process->cwd.clear();
    process->exe_from_memfd.reset();
    Entry entry{std::move(process), previous->second.container};
    previous->second = entry;
    return entry;
  }
  const auto previous = entries_.find(tgid);
  const std::int64_t start_ns =
      previous != entries_.end() && previous->second.process->start_ns != 0
          ? previous->second.process->start_ns
          : ts_ns;
  Entry entry = build(*info, start_ns);
  insert(tgid, entry);
  return entry;
}

ProcessTable::Snapshot ProcessTable::onExit(std::int64_t tgid) {
  const auto found = entries_.find(tgid);
  if (found == entries_.end()) {
    ++stats_.unknown_exits;
    return {};
  }
  Snapshot out = std::move(found->second);
  entries_.erase(found);
  return out;
}

void ProcessTable::onChange(std::int64_t tgid) {
  const auto found = entries_.find(tgid);
  if (found == entries_.end()) return;
  auto info = readProcess(options_.proc_root, static_cast<int>(tgid));
  if (!info) return;
  Entry entry = build(*info, found->second.process->start_ns);
  insert(tgid, std::move(entry));
}

ProcessTableStats ProcessTable::stats() const {
  ProcessTableStats out = stats_;
  out.processes = entries_.size();
  return out;
}

}  // namespace bulwark::events::host
