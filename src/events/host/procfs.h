// Readers of the /proc text files (docs/dev/runtime-design.md §2.4, §2.6): the parsers are pure
// functions over the bytes of one file (the fuzzer and the tests feed them text), readProcess puts
// them together for one live process. Shared by the proc connector source, the process-table
// bootstrap and the cgroup → container enrichment.
//
// The text is untrusted: a process chooses its own comm (prctl PR_SET_NAME: any bytes but NUL,
// ')' and newlines included) and its argv, and a container chooses its cgroup names. Nothing
// here trusts a length or a shape; a file that does not parse gives nullopt, never a crash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace bulwark::events::host {

// The fields of /proc/<pid>/stat we use (proc(5) numbering: pid 1, comm 2, state 3, ppid 4,
// pgrp 5, session 6, tty_nr 7, starttime 22).
struct ProcStat {
  int pid = 0;
  std::string comm;  // raw, as the process set it (up to 15 bytes from the kernel)
  char state = 0;
  int ppid = 0;
  int pgrp = 0;
  int session = 0;
  int tty_nr = 0;
  std::uint64_t start_ticks = 0;  // clock ticks since boot (clockTicksPerSecond())
};

// comm is what lies between the first '(' and the LAST ')': the kernel does not escape it, so
// "a) (b" or a newline are possible names; the fields after it are space-separated numbers.
// nullopt when the pid, the parentheses or any field up to starttime is missing or not a number.
std::optional<ProcStat> parseStat(std::string_view text);

// The lines of /proc/<pid>/status we use. Missing lines leave their member at its default.
struct ProcStatus {
  std::string name;  // un-escaped ("\n" → newline, "\\" → backslash, as the kernel escapes)
  int tgid = 0;
  int pid = 0;
  int ppid = 0;
  std::uint32_t uid[4] = {};  // real, effective, saved, filesystem
  std::uint32_t gid[4] = {};
  std::uint64_t cap_prm = 0;
  std::uint64_t cap_eff = 0;
  std::vector<int> nspid;   // NSpid: the pid in each pid namespace, outermost first
  std::vector<int> nspgid;  // NSpgid: the process group id, likewise
};

// Tolerant: parses every known line that is there and well formed, skips the rest. nullopt only
// when not one known line parsed (not a status file at all).
std::optional<ProcStatus> parseStatus(std::string_view text);

// /proc/<pid>/cmdline: arguments separated by NUL; the one NUL that ends the last argument is
// dropped (so `prog ""` keeps its empty argument). A process that rewrote its argv into one
// string (setproctitle: "nginx: worker process") gives one element, as the kernel shows it.
std::vector<std::string> parseCmdline(std::string_view bytes);

// /proc/<pid>/environ: "NAME=value" entries separated by NUL, split as parseCmdline splits.
inline std::vector<std::string> parseEnviron(std::string_view bytes) { return parseCmdline(bytes); }

// The overlay upper directory of the mount at "/" in a /proc/<pid>/mountinfo text (the
// container's writable layer, for proc.is_exe_upper_layer), octal escapes ("\040") undone;
// nullopt when "/" is not an overlay or has no upperdir. The last mount at "/" wins (mounts
// stack).
std::optional<std::string> overlayUpperDir(std::string_view mountinfo_text);

// The device name of a stat tty_nr: "pts/N" (majors 136–143), "ttyN"/"ttySN" (major 4),
// "tty"/"console"/"ptmx" (major 5), "" for none (0) or a major we do not name.
std::string ttyName(int tty_nr);

// A container found in a cgroup path.
struct ContainerRef {
  std::string id;       // full id: 64 hex digits (lxc: the container's name)
  std::string runtime;  // "docker", "containerd", "cri-o", "podman", "cri", "lxc", "unknown"
  friend bool operator==(const ContainerRef&, const ContainerRef&) = default;
};

// The container a process runs in, from the text of /proc/<pid>/cgroup (v1: one line per
// hierarchy "ID:controllers:/path"; v2: "0::/path"). Recognised, in any path component, the
// innermost match winning:
//   docker-<id>.scope, /docker/<id>               docker (systemd and cgroupfs drivers)
//   cri-containerd-<id>.scope, …:cri-containerd:<id>, nerdctl-<id>.scope  containerd
//   crio-<id>.scope, crio-<id> (cgroupfs)         cri-o (crio-conmon-<id>.scope is the host)
//   libpod-<id>.scope, /libpod_parent/libpod-<id> podman (libpod-conmon-<id>.scope is the host)
//   /kubepods…/pod<uid>/<id>                      "cri" (kubelet with the cgroupfs driver: the
//                                                 runtime is not in the path)
//   /ecs/<task>/<id>, /actions_job/<id>           docker
//   /lxc/<name>, /lxc.payload.<name>              lxc
//   /default/<id>, /k8s.io/<id>, /moby/<id>       containerd (its cgroupfs namespaces)
//   any other …/<id>                              "unknown" (a runtime we do not name)
// <id> is 64 hex digits. nullopt: a host process (or a cgroup namespace that hides the path,
// "0::/" — read the file from the host's cgroup namespace).
std::optional<ContainerRef> containerFromCgroup(std::string_view cgroup_file_text);

// The pod uid (with dashes, "8f2c…-…") of a Kubernetes container, from "pod<uid>" (cgroupfs
// driver) or "kubepods-<qos>-pod<uid with '_'>.slice" (systemd driver) components.
std::optional<std::string> podUidFromCgroup(std::string_view cgroup_file_text);

// One live process, read from PROC_ROOT/<pid>/ (the directory is opened once and every file is
// read relative to it, so a recycled pid cannot mix two processes).
struct ProcessInfo {
  int pid = 0;   // from stat (the pid as the reading namespace sees it)
  int ppid = 0;  // from status, else stat
  int tgid = 0;
  std::string comm;               // stat's comm, raw
  std::string exe;                // readlink exe, " (deleted)" kept as the kernel shows it
  std::string cwd;                // readlink cwd
  std::vector<std::string> args;  // cmdline, argv[0] first
  std::uint32_t uid = 0, gid = 0, euid = 0, egid = 0;
  // /proc/<pid>/loginuid as read; 4294967295 (= -1) when no login session set it; nullopt
  // when the kernel has no audit support (no file) or it could not be read.
  std::optional<std::uint32_t> loginuid;
  int tty_nr = 0;
  int sid = 0;
  int pgid = 0;   // the process group (stat pgrp)
  int vpid = 0;   // the pid in the process's own (innermost) pid namespace, from NSpid
  int vpgid = 0;  // the process group there, from NSpgid
  std::uint64_t start_ticks = 0;
  std::uint64_t cap_eff = 0, cap_prm = 0;
  std::optional<ContainerRef> container;
  std::string stdin_target;   // readlink fd/0: "/dev/pts/0", "socket:[123]", "pipe:[45]", …
  std::string stdout_target;  // readlink fd/1
  std::string stderr_target;  // readlink fd/2
  // Falco's fd.type of fd 0, 1 and 2 (fdType): a socket's family from the process's
  // net/{tcp,udp,raw}{,6}, net/unix and net/netlink by inode; empty when unknown.
  std::string stdin_type;
  std::string stdout_type;
  std::string stderr_type;
};

// The fd.type Falco gives a descriptor whose /proc link reads `target`: "file", "directory"
// (`is_directory`), "pipe", "memfd", "event", "eventpoll", "inotify", "signalfd", "timerfd",
// "bpf", "userfaultfd", "io_uring"; for "socket:[N]" `socket_family(N)` answers ("ipv4",
// "ipv6", "unix", "netlink" or empty). Empty when unknown.
std::string fdType(std::string_view target, bool is_directory,
                   const std::function<std::string(std::uint64_t inode)>& socket_family);

// Whether socket inode `inode` is listed in a /proc/PID/net table's text, whose inode is the
// 0-based whitespace-separated `column`: 9 in tcp, udp, raw (and their 6) and netlink, 6 in unix.
bool netTableHasInode(std::string_view table, std::uint64_t inode, int column);

// Limits on the bytes read from one file; longer content is cut there.
inline constexpr std::size_t kMaxCmdlineBytes = std::size_t{128} << 10;
inline constexpr std::size_t kMaxProcFileBytes = std::size_t{64} << 10;

// Reads stat, status, cmdline, exe, cwd, loginuid, cgroup and fd/0..2. A process that is gone (no
// directory, or stat/status vanishing while read: ENOENT, ESRCH) is NotFound; stat or status
// unreadable otherwise is Io; a file that cannot be read for lack of permission (exe, cwd,
// fd/N of another user's process without CAP_SYS_PTRACE) or is absent leaves its member empty.
core::Result<ProcessInfo> readProcess(const std::filesystem::path& proc_root, int pid);

// PROC_ROOT/<pid>/environ (≤ kMaxCmdlineBytes), read only when a rule asks for proc.env: it is
// as large as the command line and often secret-bearing. Errors as readProcess; no permission
// (another user's process without CAP_SYS_PTRACE) is Auth.
core::Result<std::vector<std::string>> readEnviron(const std::filesystem::path& proc_root, int pid);

// The numeric entries of PROC_ROOT (every process, threads not included), ascending; empty when
// it cannot be read.
std::vector<int> listPids(const std::filesystem::path& proc_root);

// sysconf(_SC_CLK_TCK): the unit of ProcStat::start_ticks.
std::uint64_t clockTicksPerSecond();

// The boot time in ns since the epoch, from the "btime" line of PROC_ROOT/stat (a whole second);
// 0 when missing. Start in epoch ns = bootTimeNs + start_ticks * 1e9 / clockTicksPerSecond().
std::int64_t bootTimeNs(const std::filesystem::path& proc_root);

}  // namespace bulwark::events::host
