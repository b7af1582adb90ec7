// The host event (docs/dev/runtime-design.md §1.1): what every host sensor — eBPF, the proc
// connector, auditd, Docker events, a replayed recording — turns its records into, so that one
// field table (the `syscall` source, host/fields.cpp) serves them all and Falco's
// falco_rules.yaml runs unchanged on any of them. A sensor that cannot know something leaves it
// unset, and the field is missing (every comparison on it false).
//
// Processes and containers are shared, immutable snapshots: an event points at the process as
// it was when the event happened, and the process at its parent, so ancestor fields
// (`proc.aname[2]`) read a chain that a later exec cannot change under a rule.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulwark::events::host {

// Which sensor produced an event (`evt.source` stays "syscall"; this is for diagnostics).
enum class Sensor : std::uint8_t { Replay, Proc, Ebpf, Auditd, Docker, Simulate };
std::string_view toString(Sensor sensor);

struct Mount {
  std::string source;       // host path or volume name
  std::string destination;  // path inside the container
  std::string mode;         // "rw", "ro", …, as the runtime reports it
  bool rw = true;
  std::string propagation;
};

// A container as its runtime describes it; shared by every event of its processes.
struct Container {
  std::string id;     // the full id (64 hex); container.id prints its first 12
  std::string name;   // without the leading '/'
  std::string type;   // docker, containerd, cri-o, podman
  std::string image;  // as the container was created from: "nginx:1.25"
  std::string image_digest;
  std::string image_id;
  bool privileged = false;
  bool host_pid = false;
  bool host_network = false;
  bool host_ipc = false;
  std::vector<Mount> mounts;
  std::string ip;
  std::int64_t start_ns = 0;  // 0: unknown
  // Kubernetes, from the runtime's labels or annotations (empty outside a pod).
  std::string k8s_namespace;
  std::string k8s_pod_name;
  std::string k8s_pod_uid;
  std::map<std::string, std::string, std::less<>> k8s_pod_labels;
};

// A process as a process table (or a recording) knows it at one moment.
struct Process {
  std::int64_t pid = 0;
  std::int64_t tid = 0;  // the thread that did it; 0: pid
  std::int64_t ppid = 0;
  std::int64_t vpid = 0;  // pid in the process's own namespace; 0: unknown
  std::int64_t sid = 0;
  std::int64_t vpgid = 0;
  std::string name;               // comm: the kernel's 15-byte task name
  std::string exe;                // argv[0] as the process was started
  std::string exepath;            // the executable's full path (/proc/PID/exe)
  std::vector<std::string> args;  // argv[1..]
  bool args_unknown = false;  // the sensor could not read argv (proc.args, proc.cmdline missing)
  std::string cwd;
  std::optional<std::uint32_t> tty;  // the controlling terminal's device number; 0: none
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<std::uint32_t> uid;
  std::optional<std::uint32_t> gid;
  std::optional<std::int64_t> loginuid;  // -1: unset (4294967295 in the kernel)
  std::string user_name;                 // from the passwd file that applies; empty: unknown
  std::string user_homedir;
  std::string user_shell;
  std::string login_name;
  std::string group_name;
  std::optional<std::uint64_t> cap_effective;
  std::optional<std::uint64_t> cap_permitted;
  std::optional<std::uint64_t> cap_inheritable;
  std::int64_t start_ns = 0;            // wall clock; 0: unknown
  std::optional<bool> exe_upper_layer;  // the executable lives in the container's writable layer
  std::optional<bool> exe_from_memfd;   // the executable is a memfd (fileless execution)
  std::optional<bool> exe_writable;     // the executable is writable by the process's user
  // Falco's fd.type of stdin, stdout and stderr when the process was read ("ipv4": a socket to
  // another machine, as a reverse shell's); empty: unknown.
  std::string stdin_type;
  std::string stdout_type;
  std::string stderr_type;
  std::shared_ptr<const Process> parent;  // null: unknown or pid 1
};

// The file descriptor an event is about: an opened file or a socket.
struct Fd {
  enum class Type : std::uint8_t {
    None,
    File,
    Directory,
    Ipv4,
    Ipv6,
    Unix,
    Pipe,
    Event,
    Signalfd,
    Eventpoll,
    Inotify,
    Timerfd,
    Netlink,
    Bpf,
    Memfd,
    Other
  };
  Type type = Type::None;
  std::optional<std::int64_t> num;
  std::string name;     // a path, or "cip:cport->sip:sport" for sockets (Falco's shape)
  std::string nameraw;  // the path as the call gave it ("../../etc/shadow"); empty: `name`
  // Sockets: client and server ends (for an outbound connect, we are the client).
  std::string l4proto;  // tcp, udp, icmp, raw
  std::string cip;
  std::string sip;
  std::optional<std::uint16_t> cport;
  std::optional<std::uint16_t> sport;
  std::optional<bool> is_server;  // the event's process is the server end (accept, listen)
  std::optional<bool> connected;
};

std::string_view toString(Fd::Type type);  // Falco's fd.type: "file", "ipv4", …
char typeChar(Fd::Type type);              // Falco's fd.typechar: 'f', '4', …
bool parseFdType(std::string_view text, Fd::Type& out);

// One host event. `type` is the syscall name as Falco spells it (execve, openat, connect,
// procexit, container, …); `args` are its arguments, rendered as Falco renders them
// (flags as "O_RDONLY|O_CLOEXEC"), in the order of the syscall's signature.
struct HostEvent {
  Sensor sensor = Sensor::Replay;
  std::string type;
  std::optional<std::int64_t> res;  // the return value; negative: -errno
  std::vector<std::pair<std::string, std::string>> args;
  std::shared_ptr<const Process> process;
  std::shared_ptr<const Container> container;  // null: the host
  Fd fd;
  std::string hostname;
  // A system call (false: an event of another kind — a user-space audit message — whose type
  // is not a syscall name; procexit and container are never syscalls either).
  bool is_syscall = true;
  // Linux audit (the auditd sensor): the rule keys, the record types, the login session.
  std::vector<std::string> audit_keys;
  std::vector<std::string> audit_record_types;
  std::string audit_session;

  [[nodiscard]] const std::string* arg(std::string_view name) const;
};

// What an open's flags say (evt.is_open_read and friends): the flags argument's names.
struct OpenFlags {
  bool read = false;
  bool write = false;
  bool create = false;
};
OpenFlags openFlags(std::string_view flags);  // "O_RDWR|O_CREAT" → read, write, create

// The other way, as Falco renders an open's flags (libscap's order): 0x241 →
// "O_TRUNC|O_CREAT|O_WRONLY"; the kernel's bit values of this build's architecture (x86_64 and
// arm64 differ in four); unknown bits left out; "O_NONE" when nothing is named.
std::string openFlagsText(std::uint32_t flags);
// A mode as Falco prints it: octal with a leading 0 ("0644"); "0" for none.
std::string modeText(std::uint32_t mode);

// "ENOENT" for -2, "SUCCESS" for 0 and positive results (Falco's evt.res).
std::string errnoName(std::int64_t res);
// Capability bits as Falco renders them: "CAP_CHOWN CAP_SYS_ADMIN".
std::string capabilityNames(std::uint64_t bits);

}  // namespace bulwark::events::host
