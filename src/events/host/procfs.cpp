#include "events/host/procfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace bulwark::events::host {

namespace {

constexpr std::size_t kContainerIdLength = 64;
constexpr std::size_t kPodUidLength = 36;  // 8-4-4-4-12 hex digits with dashes

template <class T>
bool parseNumber(std::string_view text, T& out, int base = 10) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out, base);
  return ec == std::errc() && ptr == end;
}

std::string_view trimRight(std::string_view text) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

// Splits on any run of `separators`; empty pieces are not produced.
template <class F>
void forEachToken(std::string_view text, std::string_view separators, F&& on_token) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t begin = text.find_first_not_of(separators, at);
    if (begin == std::string_view::npos) return;
    std::size_t end = text.find_first_of(separators, begin);
    if (end == std::string_view::npos) end = text.size();
    if (!on_token(text.substr(begin, end - begin))) return;
    at = end;
  }
}

// Calls on_line for each line (without its '\n'), the last one even without '\n'.
template <class F>
void forEachLine(std::string_view text, F&& on_line) {
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    on_line(text.substr(0, end));
    if (end == std::string_view::npos) return;
    text.remove_prefix(end + 1);
  }
}

bool isHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

bool isContainerId(std::string_view text) {
  return text.size() == kContainerIdLength && isHex(text);
}

// The kernel escapes a task name in status with seq_escape_str(ESCAPE_SPACE | ESCAPE_SPECIAL,
// "\n\\"): only newline and backslash, as "\n" and "\\". The other escapes of those classes are
// undone too, in case a kernel escapes more; an unknown escape is kept as it is.
std::string unescapeName(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out.push_back(text[i]);
      continue;
    }
    char decoded = 0;
    switch (text[i + 1]) {
      case 'n': decoded = '\n'; break;
      case '\\': decoded = '\\'; break;
      case 't': decoded = '\t'; break;
      case 'r': decoded = '\r'; break;
      case 'f': decoded = '\f'; break;
      case 'v': decoded = '\v'; break;
      case 'a': decoded = '\a'; break;
      case 'e': decoded = '\x1b'; break;
      case '"': decoded = '"'; break;
      default: break;
    }
    if (decoded == 0) {
      out.push_back('\\');
      continue;
    }
    out.push_back(decoded);
    ++i;
  }
  return out;
}

// "a\tb\tc\td" → N numbers into `out`, left as it was unless there are exactly N well-formed ones.
template <std::size_t N, class T>
bool parseNumbers(std::string_view value, T (&out)[N]) {
  std::array<T, N> parsed{};
  std::size_t count = 0;
  bool ok = true;
  forEachToken(value, " \t", [&](std::string_view token) {
    if (count == N || !parseNumber(token, parsed[count])) {
      ok = false;
      return false;
    }
    ++count;
    return true;
  });
  if (!ok || count != N) return false;
  std::copy(parsed.begin(), parsed.end(), out);
  return true;
}

// The components of the cgroup path of every line of a cgroup file ("ID:controllers:/a/b/c";
// the path itself may hold ':', so only the first two separate).
template <class F>
void forEachCgroupPath(std::string_view text, F&& on_path) {
  bool done = false;
  forEachLine(text, [&](std::string_view line) {
    if (done) return;
    const std::size_t first = line.find(':');
    if (first == std::string_view::npos) return;
    const std::size_t second = line.find(':', first + 1);
    if (second == std::string_view::npos) return;
    std::vector<std::string_view> parts;
    forEachToken(trimRight(line.substr(second + 1)), "/", [&](std::string_view part) {
      parts.push_back(part);
      return true;
    });
    done = on_path(parts);
  });
}

struct ScopePrefix {
  std::string_view prefix;
  std::string_view runtime;
};

// "<prefix><id>" or "<prefix><id>.scope". The conmon scopes of CRI-O and podman
// ("crio-conmon-<id>.scope") do not match: the monitor runs on the host.
constexpr std::array<ScopePrefix, 5> kScopePrefixes{{
    {"docker-", "docker"},
    {"cri-containerd-", "containerd"},
    {"crio-", "cri-o"},
    {"libpod-", "podman"},
    {"nerdctl-", "containerd"},
}};

// The runtime named by the middle part of containerd's systemd-driver form
// "<slice>:<prefix>:<id>" (kubelet passes it; some setups show it as a path component).
std::string_view colonRuntime(std::string_view prefix) {
  if (prefix == "cri-containerd") return "containerd";
  if (prefix == "docker") return "docker";
  if (prefix == "crio") return "cri-o";
  if (prefix == "libpod") return "podman";
  return "unknown";
}

// The runtime of a bare "<id>" component, from the components above it.
std::string_view bareRuntime(const std::vector<std::string_view>& parts, std::size_t at) {
  const std::string_view parent = at > 0 ? parts[at - 1] : std::string_view();
  if (parent == "docker" || parent == "actions_job") return "docker";
  if (at > 1 && parts[at - 2] == "ecs") return "docker";  // /ecs/<task>/<id>
  if (parent == "libpod_parent") return "podman";
  if (parent == "default" || parent == "k8s.io" || parent == "moby") return "containerd";
  for (std::size_t i = 0; i < at; ++i) {
    if (parts[i].find("kubepods") != std::string_view::npos) return "cri";
  }
  return "unknown";
}

std::optional<ContainerRef> containerOfComponent(const std::vector<std::string_view>& parts,
                                                 std::size_t at) {
  std::string_view part = parts[at];
  const std::size_t colon = part.rfind(':');
  if (colon != std::string_view::npos) {
    const std::string_view id = part.substr(colon + 1);
    if (!isContainerId(id)) return std::nullopt;
    const std::string_view head = part.substr(0, colon);
    const std::size_t before = head.rfind(':');
    const std::string_view prefix =
        before == std::string_view::npos ? head : head.substr(before + 1);
    return ContainerRef{std::string(id), std::string(colonRuntime(prefix))};
  }
  if (part.ends_with(".scope")) part.remove_suffix(6);
  if (isContainerId(part)) {
    return ContainerRef{std::string(part), std::string(bareRuntime(parts, at))};
  }
  for (const auto& [prefix, runtime] : kScopePrefixes) {
    if (part.starts_with(prefix) && isContainerId(part.substr(prefix.size()))) {
      return ContainerRef{std::string(part.substr(prefix.size())), std::string(runtime)};
    }
  }
  return std::nullopt;
}

std::optional<ContainerRef> lxcContainer(const std::vector<std::string_view>& parts) {
  for (std::size_t i = parts.size(); i-- > 0;) {
    constexpr std::string_view kPayload = "lxc.payload.";
    if (parts[i].starts_with(kPayload) && parts[i].size() > kPayload.size()) {
      return ContainerRef{std::string(parts[i].substr(kPayload.size())), "lxc"};
    }
  }
  if (parts.size() >= 2 && parts[0] == "lxc") return ContainerRef{std::string(parts[1]), "lxc"};
  return std::nullopt;
}

bool isPodUid(std::string_view text) {
  if (text.size() != kPodUidLength) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !isHex(text.substr(i, 1))) return false;
  }
  return true;
}

std::optional<std::string> podUidOfComponent(std::string_view part) {
  // cgroupfs: "pod<uid>"; systemd: "kubepods[-<qos>]-pod<uid with '_'>.slice" (kind nests
  // the kubelet's slices under "kubelet-kubepods…").
  if (part.starts_with("pod") && isPodUid(part.substr(3))) return std::string(part.substr(3));
  if (part.find("kubepods") == std::string_view::npos || !part.ends_with(".slice")) {
    return std::nullopt;
  }
  part.remove_suffix(6);
  const std::size_t at = part.rfind("-pod");
  if (at == std::string_view::npos) return std::nullopt;
  std::string uid(part.substr(at + 4));
  std::replace(uid.begin(), uid.end(), '_', '-');
  if (!isPodUid(uid)) return std::nullopt;
  return uid;
}

// mountinfo escapes space, tab, newline and backslash in paths as "\ooo" octal.
std::string unescapeOctal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto octal = [&](std::size_t at) { return text[at] >= '0' && text[at] <= '7'; };
    if (text[i] == '\\' && i + 3 < text.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      out.push_back(static_cast<char>(((text[i + 1] - '0') << 6) | ((text[i + 2] - '0') << 3) |
                                      (text[i + 3] - '0')));
      i += 3;
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

// --- reading files of one /proc/<pid> directory -------------------------------------------------

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

// The socket tables of a busy server run to tens of thousands of lines; past this, a socket's
// family is left unknown rather than the exec held up.
constexpr std::size_t kMaxNetTableBytes = std::size_t{8} << 20;

// Up to `limit` bytes of DIR/NAME into `out`; 0, or the errno of the failure.
int readAt(int dir, const char* name, std::size_t limit, std::string& out) {
  out.clear();
  const Fd fd(::openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return errno;
  constexpr std::size_t kChunk = 4096;
  while (out.size() < limit) {
    const std::size_t old = out.size();
    const std::size_t want = std::min(kChunk, limit - old);
    out.resize(old + want);
    const ssize_t n = ::read(fd.get(), out.data() + old, want);
    if (n < 0) {
      const int error = errno;
      out.resize(old);
      if (error == EINTR) continue;
      return error;
    }
    out.resize(old + static_cast<std::size_t>(n));
    if (n == 0) break;
  }
  return 0;
}

// readlink DIR/NAME; empty when it fails (gone, no permission, a kernel thread's exe).
std::string readLinkAt(int dir, const char* name) {
  std::array<char, 4097> buffer{};
  const ssize_t n = ::readlinkat(dir, name, buffer.data(), buffer.size());
  if (n <= 0) return {};
  return std::string(buffer.data(), static_cast<std::size_t>(n));
}

bool isGone(int error) { return error == ENOENT || error == ESRCH; }

core::Error readError(int pid, const char* file, int error) {
  return core::Error{isGone(error) ? core::ErrorCode::NotFound : core::ErrorCode::Io,
                     fmt::format("process {}: {}: {}", pid, file, std::strerror(error))};
}

}  // namespace

std::optional<ProcStat> parseStat(std::string_view text) {
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  ProcStat stat;
  std::string_view head = trimRight(text.substr(0, open));
  if (!parseNumber(head, stat.pid)) return std::nullopt;
  stat.comm.assign(text.substr(open + 1, close - open - 1));

  // Fields 3… (state is index 0 here); starttime is field 22.
  constexpr std::size_t kStartTime = 22 - 3;
  std::size_t index = 0;
  bool ok = true;
  forEachToken(text.substr(close + 1), " \n", [&](std::string_view token) {
    switch (index) {
      case 0:
        ok = token.size() == 1;
        stat.state = token.empty() ? 0 : token[0];
        break;
      case 1: ok = parseNumber(token, stat.ppid); break;
      case 2: ok = parseNumber(token, stat.pgrp); break;
      case 3: ok = parseNumber(token, stat.session); break;
      case 4: ok = parseNumber(token, stat.tty_nr); break;
      case kStartTime: ok = parseNumber(token, stat.start_ticks); break;
      default: break;
    }
    ++index;
    return ok && index <= kStartTime;
  });
  if (!ok || index <= kStartTime) return std::nullopt;
  return stat;
}

std::optional<ProcStatus> parseStatus(std::string_view text) {
  ProcStatus status;
  std::size_t known = 0;
  forEachLine(text, [&](std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    const std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    bool ok = false;
    if (key == "Name") {
      // Only the tab after the colon is the separator: a name may begin with blanks.
      if (value.starts_with('\t')) value.remove_prefix(1);
      status.name = unescapeName(value);
      ok = true;
    } else {
      value = trimRight(value);
      while (value.starts_with('\t') || value.starts_with(' ')) value.remove_prefix(1);
      if (key == "Tgid") {
        ok = parseNumber(value, status.tgid);
      } else if (key == "Pid") {
        ok = parseNumber(value, status.pid);
      } else if (key == "PPid") {
        ok = parseNumber(value, status.ppid);
      } else if (key == "Uid") {
        ok = parseNumbers(value, status.uid);
      } else if (key == "Gid") {
        ok = parseNumbers(value, status.gid);
      } else if (key == "CapPrm") {
        ok = parseNumber(value, status.cap_prm, 16);
      } else if (key == "CapEff") {
        ok = parseNumber(value, status.cap_eff, 16);
      } else if (key == "NSpid" || key == "NSpgid") {
        std::vector<int> pids;
        ok = true;
        forEachToken(value, " \t", [&](std::string_view token) {
          int pid = 0;
          ok = parseNumber(token, pid);
          if (ok) pids.push_back(pid);
          return ok;
        });
        ok = ok && !pids.empty();
        if (ok) (key == "NSpid" ? status.nspid : status.nspgid) = std::move(pids);
      }
    }
    if (ok) ++known;
  });
  if (known == 0) return std::nullopt;
  return status;
}

std::vector<std::string> parseCmdline(std::string_view bytes) {
  std::vector<std::string> args;
  if (bytes.empty()) return args;
  if (bytes.back() == '\0') bytes.remove_suffix(1);
  while (true) {
    const std::size_t end = bytes.find('\0');
    args.emplace_back(bytes.substr(0, end));
    if (end == std::string_view::npos) break;
    bytes.remove_prefix(end + 1);
  }
  return args;
}

std::string ttyName(int tty_nr) {
  if (tty_nr <= 0) return {};
  const auto nr = static_cast<unsigned>(tty_nr);
  const unsigned major = (nr >> 8) & 0xfffU;
  const unsigned minor = (nr & 0xffU) | ((nr >> 12) & 0xfff00U);
  if (major >= 136 && major <= 143) return fmt::format("pts/{}", (major - 136) * 256 + minor);
  if (major == 4) {
    return minor < 64 ? fmt::format("tty{}", minor) : fmt::format("ttyS{}", minor - 64);
  }
  if (major == 5) {
    switch (minor) {
      case 0: return "tty";
      case 1: return "console";
      case 2: return "ptmx";
      default: return {};
    }
  }
  return {};
}

bool netTableHasInode(std::string_view table, std::uint64_t inode, int column) {
  const std::string wanted = std::to_string(inode);
  bool header = true;
  while (!table.empty()) {
    const std::size_t end = table.find('\n');
    std::string_view line = table.substr(0, end);
    table = end == std::string_view::npos ? std::string_view() : table.substr(end + 1);
    if (header) {  // every table starts with a line of column names
      header = false;
      continue;
    }
    int index = 0;
    while (!line.empty()) {
      const std::size_t start = line.find_first_not_of(' ');
      if (start == std::string_view::npos) break;
      line.remove_prefix(start);
      const std::size_t stop = line.find(' ');
      if (index == column) {
        if (line.substr(0, stop) == wanted) return true;
        break;
      }
      ++index;
      if (stop == std::string_view::npos) break;
      line.remove_prefix(stop);
    }
  }
  return false;
}

std::string fdType(std::string_view target, bool is_directory,
                   const std::function<std::string(std::uint64_t inode)>& socket_family) {
  if (target.starts_with("socket:[") && target.ends_with(']')) {
    std::uint64_t inode = 0;
    const std::string_view digits = target.substr(8, target.size() - 9);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), inode);
    if (ec != std::errc() || end != digits.data() + digits.size()) return {};
    return socket_family ? socket_family(inode) : std::string();
  }
  if (target.starts_with("pipe:[")) return "pipe";
  if (target.starts_with("/memfd:")) return "memfd";
  if (target.starts_with("anon_inode:")) {
    const std::string_view kind = target.substr(11);
    static constexpr std::pair<std::string_view, std::string_view> kKinds[] = {
        {"[eventfd]", "event"},     {"[eventpoll]", "eventpoll"},
        {"inotify", "inotify"},     {"[signalfd]", "signalfd"},
        {"[timerfd]", "timerfd"},   {"[userfaultfd]", "userfaultfd"},
        {"[io_uring]", "io_uring"}, {"bpf-", "bpf"},
    };
    for (const auto& [prefix, type] : kKinds) {
      if (kind.starts_with(prefix)) return std::string(type);
    }
    return {};
  }
  if (target.starts_with('/')) return is_directory ? "directory" : "file";
  return {};
}

std::optional<ContainerRef> containerFromCgroup(std::string_view cgroup_file_text) {
  std::optional<ContainerRef> found;
  forEachCgroupPath(cgroup_file_text, [&](const std::vector<std::string_view>& parts) {
    for (std::size_t i = parts.size(); i-- > 0;) {
      found = containerOfComponent(parts, i);
      if (found) return true;
    }
    found = lxcContainer(parts);
    return found.has_value();
  });
  return found;
}

std::optional<std::string> podUidFromCgroup(std::string_view cgroup_file_text) {
  std::optional<std::string> found;
  forEachCgroupPath(cgroup_file_text, [&](const std::vector<std::string_view>& parts) {
    for (std::size_t i = parts.size(); i-- > 0 && !found;) {
      // containerd's "<slice>:<prefix>:<id>" form carries the pod slice before the first ':'.
      found = podUidOfComponent(parts[i].substr(0, parts[i].find(':')));
    }
    return found.has_value();
  });
  return found;
}

std::optional<std::string> overlayUpperDir(std::string_view mountinfo_text) {
  // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - overlay overlay rw,lowerdir=…,upperdir=…"
  std::optional<std::string> found;
  forEachLine(mountinfo_text, [&](std::string_view line) {
    std::vector<std::string_view> fields;
    forEachToken(line, " ", [&](std::string_view field) {
      fields.push_back(field);
      return true;
    });
    if (fields.size() < 5 || fields[4] != "/") return;
    // A later mount at "/" hides an earlier one, overlay or not.
    found.reset();
    std::size_t dash = 6;  // the optional fields end with "-"
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash + 3 >= fields.size() || fields[dash + 1] != "overlay") return;
    std::optional<std::string> upper;
    forEachToken(trimRight(fields[dash + 3]), ",", [&](std::string_view option) {
      if (option.starts_with("upperdir=")) upper = unescapeOctal(option.substr(9));
      return true;
    });
    found = std::move(upper);
  });
  return found;
}

core::Result<ProcessInfo> readProcess(const std::filesystem::path& proc_root, int pid) {
  const std::string dir_path = (proc_root / std::to_string(pid)).string();
  const Fd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return tl::unexpected(readError(pid, "open", errno));

  std::string text;
  int error = readAt(dir.get(), "stat", kMaxProcFileBytes, text);
  if (error != 0) return tl::unexpected(readError(pid, "stat", error));
  const auto stat = parseStat(text);
  // An empty read: the process was reaped between open and read.
  if (!stat && text.empty()) return core::fail(core::ErrorCode::NotFound, "process {}: gone", pid);
  if (!stat) return core::fail(core::ErrorCode::Input, "process {}: stat does not parse", pid);

  error = readAt(dir.get(), "status", kMaxProcFileBytes, text);
  if (error != 0) return tl::unexpected(readError(pid, "status", error));
  const auto status = parseStatus(text);
  if (!status && text.empty()) {
    return core::fail(core::ErrorCode::NotFound, "process {}: gone", pid);
  }

  ProcessInfo info;
  info.pid = stat->pid;
  info.ppid = stat->ppid;
  info.tgid = stat->pid;
  info.comm = stat->comm;
  info.tty_nr = stat->tty_nr;
  info.sid = stat->session;
  info.start_ticks = stat->start_ticks;
  info.vpid = stat->pid;
  info.pgid = stat->pgrp;
  info.vpgid = stat->pgrp;
  if (status) {
    if (status->ppid != 0 || status->pid != 0) info.ppid = status->ppid;
    if (status->tgid != 0) info.tgid = status->tgid;
    info.uid = status->uid[0];
    info.euid = status->uid[1];
    info.gid = status->gid[0];
    info.egid = status->gid[1];
    info.cap_prm = status->cap_prm;
    info.cap_eff = status->cap_eff;
    if (!status->nspid.empty()) info.vpid = status->nspid.back();
    if (!status->nspgid.empty()) info.vpgid = status->nspgid.back();
  }

  if (readAt(dir.get(), "cmdline", kMaxCmdlineBytes, text) == 0) info.args = parseCmdline(text);
  info.exe = readLinkAt(dir.get(), "exe");
  info.cwd = readLinkAt(dir.get(), "cwd");
  info.stdin_target = readLinkAt(dir.get(), "fd/0");
  info.stdout_target = readLinkAt(dir.get(), "fd/1");
  info.stderr_target = readLinkAt(dir.get(), "fd/2");
  {
    // A socket's family from the process's own network namespace's tables, each read once
    // and only when one of the three is a socket (a reverse shell's stdio is).
    std::map<std::string, std::string, std::less<>> tables;
    const auto table = [&](const char* name) -> const std::string& {
      auto [it, added] = tables.try_emplace(name);
      if (added && readAt(dir.get(), name, kMaxNetTableBytes, it->second) != 0) it->second.clear();
      return it->second;
    };
    const auto family = [&](std::uint64_t inode) -> std::string {
      for (const char* name : {"net/tcp", "net/udp", "net/raw"}) {
        if (netTableHasInode(table(name), inode, 9)) return "ipv4";
      }
      for (const char* name : {"net/tcp6", "net/udp6", "net/raw6"}) {
        if (netTableHasInode(table(name), inode, 9)) return "ipv6";
      }
      if (netTableHasInode(table("net/unix"), inode, 6)) return "unix";
      if (netTableHasInode(table("net/netlink"), inode, 9)) return "netlink";
      return {};
    };
    const auto type = [&](const std::string& target, const char* fd) {
      if (target.empty()) return std::string();
      struct stat info {};
      const bool directory = ::fstatat(dir.get(), fd, &info, 0) == 0 && S_ISDIR(info.st_mode);
      return fdType(target, directory, family);
    };
    info.stdin_type = type(info.stdin_target, "fd/0");
    info.stdout_type = type(info.stdout_target, "fd/1");
    info.stderr_type = type(info.stderr_target, "fd/2");
  }
  if (readAt(dir.get(), "loginuid", kMaxProcFileBytes, text) == 0) {
    std::uint32_t loginuid = 0;
    if (parseNumber(trimRight(text), loginuid)) info.loginuid = loginuid;
  }
  if (readAt(dir.get(), "cgroup", kMaxProcFileBytes, text) == 0) {
    info.container = containerFromCgroup(text);
  }
  return info;
}

core::Result<std::vector<std::string>> readEnviron(const std::filesystem::path& proc_root,
                                                   int pid) {
  const std::string dir_path = (proc_root / std::to_string(pid)).string();
  const Fd dir(::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return tl::unexpected(readError(pid, "open", errno));
  std::string text;
  const int error = readAt(dir.get(), "environ", kMaxCmdlineBytes, text);
  if (error == EACCES || error == EPERM) {
    return core::fail(core::ErrorCode::Auth, "process {}: environ: {}", pid, std::strerror(error));
  }
  if (error != 0) return tl::unexpected(readError(pid, "environ", error));
  return parseEnviron(text);
}

std::vector<int> listPids(const std::filesystem::path& proc_root) {
  std::vector<int> pids;
  DIR* dir = ::opendir(proc_root.c_str());
  if (dir == nullptr) return pids;
  while (const dirent* entry = ::readdir(dir)) {
    int pid = 0;
    if (parseNumber(std::string_view(entry->d_name), pid) && pid > 0) pids.push_back(pid);
  }
  ::closedir(dir);
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::uint64_t clockTicksPerSecond() {
  static const std::uint64_t kTicks = [] {
    const long ticks = ::sysconf(_SC_CLK_TCK);
    return ticks > 0 ? static_cast<std::uint64_t>(ticks) : std::uint64_t{100};
  }();
  return kTicks;
}

std::int64_t bootTimeNs(const std::filesystem::path& proc_root) {
  // Read line by line: the "intr" line before btime can be long on a machine with many IRQs.
  std::ifstream in(proc_root / "stat");
  std::string line;
  while (std::getline(in, line)) {
    std::string_view view(line);
    if (!view.starts_with("btime ")) continue;
    view.remove_prefix(6);
    std::int64_t seconds = 0;
    if (!parseNumber(trimRight(view), seconds) || seconds < 0) return 0;
    return seconds * 1'000'000'000;
  }
  return 0;
}

}  // namespace bulwark::events::host
