// The syscall field table (docs/dev/runtime-design.md §1.3): Falco's evt.*, proc.*, thread.*,
// user.*, group.*, fd.*, fs.path.*, container.* and k8s.* fields, read from a HostEvent. Names,
// types and renderings are Falco's (they are the interface rules are written against); the
// descriptions are ours. Fields Falco has and no sensor of ours fills yet are rows flagged
// kUnsupported: a rule naming one is skipped with a warning instead of failing its file.
//
// Renderings that rules depend on: proc.cmdline is the task name and the arguments
// ("bash -c ls"); evt.res is "SUCCESS" or the errno name; thread.cap_* are capability names
// separated by blanks; container.id is "host" outside containers and 12 characters inside;
// proc.aname without an index is every ancestor (from the parent up) and holds when any does.
#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "events/field.h"
#include "events/host/host_event.h"

namespace bulwark::events::host {

namespace {

using namespace field_flag;

const HostEvent& hostOf(const Event& event) {
  return *static_cast<const HostEvent*>(event.payload);
}
const Process* processOf(const Event& event) { return hostOf(event).process.get(); }

void number(Values& out, std::int64_t value) { out.own(std::to_string(value)); }
void unsignedNumber(Values& out, std::uint64_t value) { out.own(std::to_string(value)); }
void boolean(Values& out, bool value) { out.add(value ? "true" : "false"); }
void text(Values& out, const std::string& value) {
  if (!value.empty()) out.add(value);
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += ' ';
    out += part;
  }
  return out;
}

std::string commandLine(const Process& process) {
  return process.args.empty() ? process.name : process.name + " " + joined(process.args);
}

// The process `generation` steps up the chain: 0 the process itself, 1 its parent, …
const Process* ancestor(const Process* process, std::int64_t generation) {
  for (std::int64_t i = 0; process != nullptr && i < generation; ++i)
    process = process->parent.get();
  return process;
}

constexpr std::int64_t kMaxAncestors = 64;  // a bound against a cyclic or absurd recording

// ---- evt.* ----------------------------------------------------------------------------------

void evtType(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  text(out, hostOf(event).type);
}

void syscallType(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const HostEvent& host = hostOf(event);
  if (host.is_syscall && host.type != "container" && host.type != "docker" &&
      host.type != "procexit") {
    text(out, host.type);
  }
}

void evtNum(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  unsignedNumber(out, event.num);
}

void evtRawTime(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  number(out, event.ts_ns);
}

std::tm utc(std::int64_t ns) {
  const std::time_t seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

// Falco prints evt.time as the time of day with nanoseconds (in UTC here: alerts from many
// hosts compare better that way).
void evtTime(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const std::tm tm = utc(event.ts_ns);
  out.own(fmt::format("{:02}:{:02}:{:02}.{:09}", tm.tm_hour, tm.tm_min, tm.tm_sec,
                      event.ts_ns % 1'000'000'000));
}

void evtTimeS(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const std::tm tm = utc(event.ts_ns);
  out.own(fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec));
}

void evtIso8601(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const std::tm tm = utc(event.ts_ns);
  out.own(fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                      event.ts_ns % 1'000'000'000));
}

void evtDatetime(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const std::tm tm = utc(event.ts_ns);
  out.own(fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec));
}

void evtRes(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  if (const auto res = hostOf(event).res) out.own(errnoName(*res));
}

void evtRawRes(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  if (const auto res = hostOf(event).res) number(out, *res);
}

void evtFailed(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  if (const auto res = hostOf(event).res) boolean(out, *res < 0);
}

// Falco sees a call twice, entering ('>') and returning ('<'), and rules pick one with evt.dir;
// our sensors report each call once, when it has returned, with the arguments of both halves.
// So an event is both: `evt.dir=<` and `evt.dir=>` hold (as one of Falco's two events would).
void evtDir(const Event&, const FieldRow&, const FieldArg&, Values& out) {
  out.add("<");
  out.add(">");
}

void evtArgs(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  std::string all;
  for (const auto& [name, value] : hostOf(event).args) {
    if (!all.empty()) all += ' ';
    all += name;
    all += '=';
    all += value;
  }
  out.own(std::move(all));
}

// evt.arg.NAME, evt.arg[NAME] or evt.arg[N] (the N-th argument, from 0).
void evtArg(const Event& event, const FieldRow&, const FieldArg& arg, Values& out) {
  const auto& args = hostOf(event).args;
  std::int64_t index = -1;
  if (!arg.text.empty() &&
      std::all_of(arg.text.begin(), arg.text.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      arg.text.size() < 6) {
    index = std::stoll(arg.text);
  }
  if (index >= 0) {
    if (static_cast<std::size_t>(index) < args.size())
      out.add(args[static_cast<std::size_t>(index)].second);
    return;
  }
  if (const std::string* value = hostOf(event).arg(arg.text)) out.add(*value);
}

bool isOpen(const HostEvent& host) {
  return host.type == "open" || host.type == "openat" || host.type == "openat2" ||
         host.type == "open_by_handle_at" || host.type == "creat";
}

template <bool OpenFlags::*Member>
void evtIsOpen(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const HostEvent& host = hostOf(event);
  if (!isOpen(host)) return;
  const std::string* flags = host.arg("flags");
  if (flags == nullptr) return;
  boolean(out, openFlags(*flags).*Member);
}

// A file created with an execute bit in its mode.
void evtIsOpenExec(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const HostEvent& host = hostOf(event);
  if (!isOpen(host)) return;
  const std::string* flags = host.arg("flags");
  if (flags == nullptr) return;
  bool exec = false;
  if (const std::string* mode = host.arg("mode"); mode != nullptr && openFlags(*flags).create) {
    // Falco renders the mode as octal with its bit names: "0755" or "0755(S_IXUSR|…)".
    const std::uint64_t bits = std::strtoull(mode->c_str(), nullptr, 8);
    exec = (bits & 0111) != 0;
  }
  boolean(out, exec);
}

void evtSource(const Event&, const FieldRow&, const FieldArg&, Values& out) { out.add("syscall"); }

void evtHostname(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  text(out, hostOf(event).hostname);
}

void evtCategory(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const HostEvent& host = hostOf(event);
  const std::string& type = host.type;
  if (type == "execve" || type == "execveat" || type == "clone" || type == "clone3" ||
      type == "fork" || type == "vfork" || type == "procexit" || type == "ptrace" ||
      type == "setuid" || type == "setgid" || type == "setns" || type == "unshare") {
    out.add("process");
  } else if (type == "connect" || type == "accept" || type == "accept4" || type == "listen" ||
             type == "bind" || type == "socket" || type == "sendto" || type == "recvfrom") {
    out.add("net");
  } else if (type == "container") {
    out.add("container");
  } else if (isOpen(host) || type == "unlink" || type == "unlinkat" || type == "rename" ||
             type == "renameat" || type == "renameat2" || type == "mkdir" || type == "mkdirat" ||
             type == "rmdir" || type == "symlink" || type == "symlinkat" || type == "link" ||
             type == "linkat" || type == "chmod" || type == "fchmodat" || type == "chown") {
    out.add("file");
  } else {
    out.add("other");
  }
}

// ---- proc.* / thread.* / user.* / group.* ------------------------------------------------

template <class Read>
void withProcess(const Event& event, Values& out, std::int64_t generation, Read read) {
  if (const Process* process = ancestor(processOf(event), generation)) read(*process, out);
}

#define BW_PROC_FIELD(fn, body)                                                                 \
  [[maybe_unused]] void fn(const Event& event, const FieldRow&, const FieldArg&, Values& out) { \
    withProcess(event, out, 0, [](const Process& p, Values& values) { body; });                 \
  }                                                                                             \
  [[maybe_unused]] void fn##Parent(const Event& event, const FieldRow&, const FieldArg&,        \
                                   Values& out) {                                               \
    withProcess(event, out, 1, [](const Process& p, Values& values) { body; });                 \
  }                                                                                             \
  /* Ancestor `[n]` (0: the process itself), or every ancestor from the parent up. */           \
  void fn##Ancestor(const Event& event, const FieldRow&, const FieldArg& arg, Values& out) {    \
    if (arg.present) {                                                                          \
      withProcess(event, out, arg.index, [](const Process& p, Values& values) { body; });       \
      return;                                                                                   \
    }                                                                                           \
    const Process* p0 = processOf(event);                                                       \
    const Process* a = p0 != nullptr ? p0->parent.get() : nullptr;                              \
    for (std::int64_t i = 0; a != nullptr && i < kMaxAncestors; ++i, a = a->parent.get()) {     \
      const Process& p = *a;                                                                    \
      Values& values = out;                                                                     \
      body;                                                                                     \
    }                                                                                           \
  }

BW_PROC_FIELD(procName, text(values, p.name))
BW_PROC_FIELD(procPid, number(values, p.pid))
BW_PROC_FIELD(procExe, text(values, p.exe))
BW_PROC_FIELD(procExepath, text(values, p.exepath))
BW_PROC_FIELD(procCmdline, if (!p.name.empty() && !p.args_unknown) values.own(commandLine(p)))

#undef BW_PROC_FIELD

void procPpid(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  withProcess(event, out, 0, [](const Process& p, Values& values) {
    if (p.ppid > 0 || p.parent) number(values, p.parent ? p.parent->pid : p.ppid);
  });
}

void procVpid(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  withProcess(event, out, 0, [](const Process& p, Values& values) {
    if (p.vpid > 0) number(values, p.vpid);
  });
}

void procParentVpid(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  withProcess(event, out, 1, [](const Process& p, Values& values) {
    if (p.vpid > 0) number(values, p.vpid);
  });
}

void procArgs(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  withProcess(event, out, 0, [](const Process& p, Values& values) {
    if ((!p.name.empty() || !p.args.empty()) && !p.args_unknown) values.own(joined(p.args));
  });
}

void procCwd(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  withProcess(event, out, 0, [](const Process& p, Values& values) { text(values, p.cwd); });
}

void procTty(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  withProcess(event, out, 0, [](const Process& p, Values& values) {
    if (p.tty) unsignedNumber(values, *p.tty);
  });
}

void procSid(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  withProcess(event, out, 0, [](const Process& p, Values& values) {
    if (p.sid > 0) number(values, p.sid);
  });
}

void procVpgid(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  withProcess(event, out, 0, [](const Process& p, Values& values) {
    if (p.vpgid > 0) number(values, p.vpgid);
  });
}

// The process of the chain (itself included) whose pid is `pid`: the session or group leader.
const Process* leader(const Process* process, std::int64_t pid, bool virtual_pid) {
  for (std::int64_t i = 0; process != nullptr && i < kMaxAncestors; ++i) {
    if ((virtual_pid ? process->vpid : process->pid) == pid) return process;
    process = process->parent.get();
  }
  return nullptr;
}

void procSname(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* process = processOf(event);
  if (process == nullptr || process->sid <= 0) return;
  if (const Process* found = leader(process, process->sid, false)) text(out, found->name);
}

void procIsVpgidLeader(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* process = processOf(event);
  if (process == nullptr || process->vpgid <= 0 || process->vpid <= 0) return;
  boolean(out, process->vpid == process->vpgid);
}

template <std::string Process::*Member>
void procVpgidLeader(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* process = processOf(event);
  if (process == nullptr || process->vpgid <= 0) return;
  if (const Process* found = leader(process, process->vpgid, true)) text(out, found->*Member);
}

void procDuration(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* process = processOf(event);
  if (process != nullptr && process->start_ns > 0) number(out, event.ts_ns - process->start_ns);
}

void procParentDuration(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* parent = ancestor(processOf(event), 1);
  if (parent != nullptr && parent->start_ns > 0) number(out, event.ts_ns - parent->start_ns);
}

void procStartTs(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* process = processOf(event);
  if (process != nullptr && process->start_ns > 0) number(out, process->start_ns);
}

void procEnv(const Event& event, const FieldRow&, const FieldArg& arg, Values& out) {
  const Process* process = processOf(event);
  if (process == nullptr) return;
  if (arg.present) {
    for (const auto& [name, value] : process->env) {
      if (name == arg.text) {
        out.add(value);
        return;
      }
    }
    return;
  }
  if (process->env.empty()) return;
  std::string all;
  for (const auto& [name, value] : process->env) {
    if (!all.empty()) all += ' ';
    all += name + "=" + value;
  }
  out.own(std::move(all));
}

template <std::string Process::*Member>
void procStdio(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* process = processOf(event);
  if (process != nullptr && !(process->*Member).empty()) text(out, process->*Member);
}

template <std::optional<bool> Process::*Member>
void procFlag(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* process = processOf(event);
  if (process != nullptr && (process->*Member).has_value()) boolean(out, *(process->*Member));
}

void threadTid(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* process = processOf(event);
  if (process != nullptr) number(out, process->tid != 0 ? process->tid : process->pid);
}

template <std::optional<std::uint64_t> Process::*Member>
void threadCaps(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* process = processOf(event);
  if (process != nullptr && (process->*Member).has_value()) {
    out.own(capabilityNames(*(process->*Member)));
  }
}

template <std::optional<std::uint32_t> Process::*Member>
void processId(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* process = processOf(event);
  if (process != nullptr && (process->*Member).has_value())
    unsignedNumber(out, *(process->*Member));
}

template <std::string Process::*Member>
void processText(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  if (const Process* process = processOf(event)) text(out, process->*Member);
}

void userLoginuid(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Process* process = processOf(event);
  if (process != nullptr && process->loginuid) number(out, *process->loginuid);
}

// ---- fd.* / fs.path.* --------------------------------------------------------------------

const Fd& fdOf(const Event& event) { return hostOf(event).fd; }
bool isSocket(const Fd& fd) { return fd.type == Fd::Type::Ipv4 || fd.type == Fd::Type::Ipv6; }

void fdNum(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  if (const auto& num = fdOf(event).num) number(out, *num);
}

void fdType(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  if (fd.type != Fd::Type::None) out.add(toString(fd.type));
}

void fdTypeChar(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  if (fd.type != Fd::Type::None) out.own(std::string(1, typeChar(fd.type)));
}

void fdName(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  text(out, fdOf(event).name);
}

void fdNameRaw(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  text(out, fd.nameraw.empty() ? fd.name : fd.nameraw);
}

void fdDirectory(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  if (fd.name.empty()) return;
  if (fd.type == Fd::Type::Directory) {
    out.add(fd.name);
  } else if (fd.type == Fd::Type::File) {
    const std::size_t slash = fd.name.rfind('/');
    if (slash == std::string::npos) return;
    out.add(slash == 0 ? std::string_view("/") : std::string_view(fd.name).substr(0, slash));
  }
}

void fdFilename(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  if (fd.type != Fd::Type::File || fd.name.empty()) return;
  const std::size_t slash = fd.name.rfind('/');
  out.add(slash == std::string::npos ? std::string_view(fd.name)
                                     : std::string_view(fd.name).substr(slash + 1));
}

void fdNameChanged(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  if (!fdOf(event).name.empty()) boolean(out, false);
}

enum class End { Client, Server, Local, Remote };

// The local end is the server's when the process serves (accept), else the client's.
bool serverEnd(const Fd& fd, End end) {
  switch (end) {
    case End::Client: return false;
    case End::Server: return true;
    case End::Local: return fd.is_server.value_or(false);
    case End::Remote: return !fd.is_server.value_or(false);
  }
  return false;
}

template <End Which>
void fdIp(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  if (!isSocket(fd)) return;
  text(out, serverEnd(fd, Which) ? fd.sip : fd.cip);
}

template <End Which>
void fdPort(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  if (!isSocket(fd)) return;
  const auto& port = serverEnd(fd, Which) ? fd.sport : fd.cport;
  if (port) unsignedNumber(out, *port);
}

void fdEitherIp(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  if (!isSocket(fd)) return;
  text(out, fd.cip);
  text(out, fd.sip);
}

void fdEitherPort(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  if (!isSocket(fd)) return;
  if (fd.cport) unsignedNumber(out, *fd.cport);
  if (fd.sport) unsignedNumber(out, *fd.sport);
}

void fdL4proto(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  text(out, fdOf(event).l4proto);
}

void fdSockfamily(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  if (isSocket(fd)) out.add("ip");
  if (fd.type == Fd::Type::Unix) out.add("unix");
}

void fdConnected(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  if (fd.connected) boolean(out, *fd.connected);
}

void fdIsServer(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Fd& fd = fdOf(event);
  if (fd.is_server) boolean(out, *fd.is_server);
}

// fs.path.*: one view of the paths of unlink, rename, link, symlink, mkdir and their friends.
void fsPathName(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const HostEvent& host = hostOf(event);
  for (const char* name : {"path", "name", "pathname"}) {
    if (const std::string* value = host.arg(name)) {
      out.add(*value);
      return;
    }
  }
}

void fsPathSource(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const HostEvent& host = hostOf(event);
  for (const char* name : {"oldpath", "target"}) {
    if (const std::string* value = host.arg(name)) {
      out.add(*value);
      return;
    }
  }
}

void fsPathTarget(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const HostEvent& host = hostOf(event);
  for (const char* name : {"newpath", "linkpath"}) {
    if (const std::string* value = host.arg(name)) {
      out.add(*value);
      return;
    }
  }
}

// ---- container.* / k8s.* -----------------------------------------------------------------

const Container* containerOf(const Event& event) { return hostOf(event).container.get(); }

void containerId(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Container* container = containerOf(event);
  if (container == nullptr) {
    out.add("host");
    return;
  }
  out.add(std::string_view(container->id).substr(0, 12));
}

void containerFullId(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Container* container = containerOf(event);
  out.add(container == nullptr ? std::string_view("host") : std::string_view(container->id));
}

void containerName(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Container* container = containerOf(event);
  if (container == nullptr) {
    out.add("host");
    return;
  }
  text(out, container->name);
}

void containerType(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Container* container = containerOf(event);
  if (container != nullptr) text(out, container->type);
}

struct ImageParts {
  std::string_view repository;
  std::string_view tag;
  std::string_view digest;
};

// "registry:5000/team/app:1.2@sha256:…" → repository, tag, digest. A colon before the last '/'
// is a registry's port, not a tag.
ImageParts splitImage(std::string_view image) {
  ImageParts parts;
  if (const std::size_t at = image.find('@'); at != std::string_view::npos) {
    parts.digest = image.substr(at + 1);
    image = image.substr(0, at);
  }
  const std::size_t slash = image.rfind('/');
  const std::size_t colon = image.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    parts.tag = image.substr(colon + 1);
    image = image.substr(0, colon);
  }
  parts.repository = image;
  return parts;
}

void containerImage(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  if (const Container* container = containerOf(event)) text(out, container->image);
}

template <std::string_view ImageParts::*Member>
void containerImagePart(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Container* container = containerOf(event);
  if (container == nullptr || container->image.empty()) return;
  const std::string_view value = splitImage(container->image).*Member;
  if (!value.empty()) out.add(value);
}

void containerImageDigest(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Container* container = containerOf(event);
  if (container == nullptr) return;
  if (!container->image_digest.empty()) {
    out.add(container->image_digest);
    return;
  }
  const std::string_view digest = splitImage(container->image).digest;
  if (!digest.empty()) out.add(digest);
}

template <bool Container::*Member>
void containerFlag(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  if (const Container* container = containerOf(event)) boolean(out, container->*Member);
}

template <std::string Container::*Member>
void containerText(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  if (const Container* container = containerOf(event)) text(out, container->*Member);
}

std::string renderMount(const Mount& mount) {
  return fmt::format("{}:{}:{}:{}:{}", mount.source, mount.destination, mount.mode,
                     mount.rw ? "true" : "false", mount.propagation);
}

void containerMounts(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Container* container = containerOf(event);
  if (container == nullptr) return;
  for (const auto& mount : container->mounts) out.own(renderMount(mount));
}

// container.mount.source[DEST]: the source mounted at DEST (glob patterns allowed, as Falco).
void containerMountSource(const Event& event, const FieldRow&, const FieldArg& arg, Values& out) {
  const Container* container = containerOf(event);
  if (container == nullptr) return;
  for (const auto& mount : container->mounts) {
    if (mount.destination == arg.text) {
      out.add(mount.source);
      return;
    }
  }
}

void containerMountDest(const Event& event, const FieldRow&, const FieldArg& arg, Values& out) {
  const Container* container = containerOf(event);
  if (container == nullptr) return;
  for (const auto& mount : container->mounts) {
    if (mount.source == arg.text) {
      out.add(mount.destination);
      return;
    }
  }
}

void containerStartTs(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Container* container = containerOf(event);
  if (container != nullptr && container->start_ns > 0) number(out, container->start_ns);
}

void containerDuration(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Container* container = containerOf(event);
  if (container != nullptr && container->start_ns > 0)
    number(out, event.ts_ns - container->start_ns);
}

void containerInfo(const Event&, const FieldRow&, const FieldArg&, Values& out) { out.add(""); }

void k8sPodLabels(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const Container* container = containerOf(event);
  if (container == nullptr) return;
  for (const auto& [key, value] : container->k8s_pod_labels) out.own(key + ":" + value);
}

void k8sPodLabel(const Event& event, const FieldRow&, const FieldArg& arg, Values& out) {
  const Container* container = containerOf(event);
  if (container == nullptr) return;
  const auto found = container->k8s_pod_labels.find(arg.text);
  if (found != container->k8s_pod_labels.end()) out.add(found->second);
}

// ---- audit.* (ours: the auditd sensor) -----------------------------------------------------

void auditKeys(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  for (const auto& key : hostOf(event).audit_keys) out.add(key);
}

void auditRecordTypes(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  for (const auto& type : hostOf(event).audit_record_types) out.add(type);
}

void auditSession(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  text(out, hostOf(event).audit_session);
}

// ---- docker.* (ours: events of the Docker Engine, evt.type container and docker) ------------

template <const char* kArg>
void dockerArg(const Event& event, const FieldRow&, const FieldArg&, Values& out) {
  const HostEvent& host = hostOf(event);
  if (host.type != "container" && host.type != "docker") return;
  if (const std::string* value = host.arg(kArg)) text(out, *value);
}
constexpr char kDockerAction[] = "action";
constexpr char kDockerCommand[] = "command";
constexpr char kDockerExitCode[] = "exit_code";

void unsupported(const Event&, const FieldRow&, const FieldArg&, Values&) {}

std::vector<FieldRow> buildRows() {
  constexpr auto kStr = FieldType::Str;
  constexpr auto kI64 = FieldType::Int64;
  constexpr auto kU64 = FieldType::UInt64;
  constexpr auto kBool = FieldType::Bool;
  constexpr auto kIp = FieldType::Ip;
  constexpr auto kNet = FieldType::IpNet;
  constexpr auto kAbs = FieldType::AbsTime;
  constexpr auto kRel = FieldType::RelTime;
  constexpr std::uint32_t kAncestor = kList | kAnyValue | kArgIndex;
  return {
      // audit.* (ours)
      {"audit.key", kStr, kList, "The keys of the audit rules that recorded the event (auditd).",
       &auditKeys},
      {"audit.record_types", kStr, kList,
       "The audit record types of the event: SYSCALL, EXECVE, PATH, USER_LOGIN, …",
       &auditRecordTypes},
      {"audit.session", kStr, 0, "The audit login session (ses); missing when unset.",
       &auditSession},
      // docker.* (ours)
      {"docker.action", kStr, 0,
       "What the Docker Engine did to the container: start (evt.type=container), or create, "
       "die, kill, destroy, exec_create, exec_start, exec_die, … (evt.type=docker).",
       &dockerArg<kDockerAction>},
      {"docker.exec.command", kStr, 0,
       "The command of a docker exec (docker.action exec_create, exec_start, exec_die).",
       &dockerArg<kDockerCommand>},
      {"docker.exit_code", kStr, 0, "The exit code of a container that died (docker.action die).",
       &dockerArg<kDockerExitCode>},
      // evt.*
      {"evt.type", kStr, 0,
       "The system call (execve, openat, connect, …) or event (procexit, container, docker).",
       &evtType},
      {"evt.num", kU64, 0, "The event's number in its stream, from 1.", &evtNum},
      {"evt.time", kStr, 0, "The time of day of the event, UTC, with nanoseconds.", &evtTime},
      {"evt.time.s", kStr, 0, "The time of day of the event, UTC, in seconds.", &evtTimeS},
      {"evt.time.iso8601", kStr, 0, "The event time, ISO 8601, UTC.", &evtIso8601},
      {"evt.datetime", kStr, 0, "The event date and time, UTC.", &evtDatetime},
      {"evt.rawtime", kAbs, 0, "The event time, ns since the epoch.", &evtRawTime},
      {"evt.res", kStr, 0, "SUCCESS, or the error name (ENOENT, EACCES, …) of a failed call.",
       &evtRes},
      {"evt.rawres", kI64, 0, "The call's return value (negative: -errno).", &evtRawRes},
      {"evt.failed", kBool, 0, "true when the call failed.", &evtFailed},
      {"evt.dir", kStr, kList | kAnyValue,
       "Both '<' and '>': an event is the whole call, its entry and its return.", &evtDir},
      {"evt.args", kStr, 0, "Every argument as name=value, blank-separated.", &evtArgs},
      {"evt.arg", kStr, kArgKey | kArgDot | kArgRequired,
       "One argument, by name (evt.arg.flags, evt.arg[flags]) or position (evt.arg[0]).", &evtArg},
      {"evt.rawarg", kStr, kArgKey | kArgDot | kArgRequired,
       "One argument by name, as evt.arg renders it.", &evtArg},
      {"evt.is_open_read", kBool, 0, "An open of a file for reading.",
       &evtIsOpen<&OpenFlags::read>},
      {"evt.is_open_write", kBool, 0,
       "An open of a file for writing (O_WRONLY, O_RDWR, O_TRUNC, O_APPEND).",
       &evtIsOpen<&OpenFlags::write>},
      {"evt.is_open_create", kBool, 0, "An open that may create the file (O_CREAT).",
       &evtIsOpen<&OpenFlags::create>},
      {"evt.is_open_exec", kBool, 0, "An open that creates a file with an execute permission bit.",
       &evtIsOpenExec},
      {"evt.source", kStr, 0, "Always syscall.", &evtSource},
      {"evt.hostname", kStr, 0, "The host the event happened on.", &evtHostname},
      {"evt.category", kStr, 0, "process, net, file, container or other.", &evtCategory},
      {"evt.buffer", kStr, kUnsupported,
       "The data of a read or write (no sensor captures I/O data).", &unsupported},
      {"syscall.type", kStr, 0,
       "The system call of a syscall event (missing for procexit and container events).",
       &syscallType},
      // proc.*
      {"proc.name", kStr, 0, "The process's task name (comm, at most 15 bytes).", &procName},
      {"proc.pid", kI64, 0, "The process id.", &procPid},
      {"proc.ppid", kI64, 0, "The parent's process id.", &procPpid},
      {"proc.vpid", kI64, 0, "The process id inside its pid namespace.", &procVpid},
      {"proc.pvpid", kI64, 0, "The parent's id inside its pid namespace.", &procParentVpid},
      {"proc.exe", kStr, 0, "argv[0] as the process was started.", &procExe},
      {"proc.exepath", kStr, 0, "The full path of the executable.", &procExepath},
      {"proc.cmdline", kStr, 0, "The task name and the arguments: \"bash -c ls\".", &procCmdline},
      {"proc.args", kStr, 0, "The arguments (argv[1..]), blank-separated.", &procArgs},
      {"proc.cwd", kStr, 0, "The working directory.", &procCwd},
      {"proc.tty", kU64, 0, "The controlling terminal's device number; 0: none.", &procTty},
      {"proc.sid", kI64, 0, "The session id.", &procSid},
      {"proc.sname", kStr, 0, "The task name of the session leader.", &procSname},
      {"proc.vpgid", kI64, 0, "The process group id inside the pid namespace.", &procVpgid},
      {"proc.is_vpgid_leader", kBool, 0, "The process leads its process group.",
       &procIsVpgidLeader},
      {"proc.vpgid.name", kStr, 0,
       "The task name of the process group leader (when it is an ancestor).",
       &procVpgidLeader<&Process::name>},
      {"proc.vpgid.exe", kStr, 0, "argv[0] of the process group leader (when it is an ancestor).",
       &procVpgidLeader<&Process::exe>},
      {"proc.vpgid.exepath", kStr, 0,
       "The executable path of the process group leader (when it is an ancestor).",
       &procVpgidLeader<&Process::exepath>},
      {"proc.pname", kStr, 0, "The parent's task name.", &procNameParent},
      {"proc.pcmdline", kStr, 0, "The parent's task name and arguments.", &procCmdlineParent},
      {"proc.pexe", kStr, 0, "The parent's argv[0].", &procExeParent},
      {"proc.pexepath", kStr, 0, "The parent's executable path.", &procExepathParent},
      {"proc.aname", kStr, kAncestor,
       "An ancestor's task name: [n] the n-th (0 itself, 1 the parent); without an index any "
       "ancestor.",
       &procNameAncestor},
      {"proc.apid", kI64, kAncestor, "An ancestor's process id, as proc.aname.", &procPidAncestor},
      {"proc.acmdline", kStr, kAncestor, "An ancestor's command line, as proc.aname.",
       &procCmdlineAncestor},
      {"proc.aexe", kStr, kAncestor, "An ancestor's argv[0], as proc.aname.", &procExeAncestor},
      {"proc.aexepath", kStr, kAncestor, "An ancestor's executable path, as proc.aname.",
       &procExepathAncestor},
      {"proc.duration", kRel, 0, "ns since the process started.", &procDuration},
      {"proc.ppid.duration", kRel, 0, "ns since the parent started.", &procParentDuration},
      {"proc.pid.ts", kAbs, 0, "When the process started, ns since the epoch.", &procStartTs},
      {"proc.env", kStr, kArgKey,
       "The environment (NAME=value, blank-separated), or [NAME]'s value.", &procEnv},
      {"proc.is_exe_upper_layer", kBool, 0,
       "The executable is in the container's writable layer (written after the image).",
       &procFlag<&Process::exe_upper_layer>},
      {"proc.is_exe_from_memfd", kBool, 0, "The executable is a memfd: nothing on disk.",
       &procFlag<&Process::exe_from_memfd>},
      {"proc.is_exe_writable", kBool, 0, "The process's user may write its executable.",
       &procFlag<&Process::exe_writable>},
      {"proc.exe_ino", kI64, kUnsupported, "The executable's inode.", &unsupported},
      {"proc.exe_ino.ctime", kAbs, kUnsupported, "The executable's inode change time.",
       &unsupported},
      {"proc.exe_ino.mtime", kAbs, kUnsupported, "The executable's modification time.",
       &unsupported},
      {"proc.exe_ino.ctime_duration_proc_start", kRel, kUnsupported,
       "From the executable's change to the process's start.", &unsupported},
      {"proc.stdin.type", kStr, 0,
       "The fd.type of fd 0 when the process was read (ipv4, ipv6, unix, pipe, file, …).",
       &procStdio<&Process::stdin_type>},
      {"proc.stdout.type", kStr, 0, "The fd.type of fd 1 when the process was read.",
       &procStdio<&Process::stdout_type>},
      {"proc.stderr.type", kStr, 0, "The fd.type of fd 2 when the process was read.",
       &procStdio<&Process::stderr_type>},
      {"proc.pidns_init_start_ts", kAbs, kUnsupported, "When the pid namespace's init started.",
       &unsupported},
      // thread.*
      {"thread.tid", kI64, 0, "The thread id.", &threadTid},
      {"thread.cap_effective", kStr, 0, "The effective capabilities, by name.",
       &threadCaps<&Process::cap_effective>},
      {"thread.cap_permitted", kStr, 0, "The permitted capabilities, by name.",
       &threadCaps<&Process::cap_permitted>},
      {"thread.cap_inheritable", kStr, 0, "The inheritable capabilities, by name.",
       &threadCaps<&Process::cap_inheritable>},
      {"thread.cgroups", kStr, kUnsupported, "The thread's cgroups.", &unsupported},
      // user.* / group.*
      {"user.uid", kU64, 0, "The real user id.", &processId<&Process::uid>},
      {"user.name", kStr, 0, "The user's name (in the passwd file of the process's container).",
       &processText<&Process::user_name>},
      {"user.homedir", kStr, 0, "The user's home directory.", &processText<&Process::user_homedir>},
      {"user.shell", kStr, 0, "The user's shell.", &processText<&Process::user_shell>},
      {"user.loginuid", kI64, 0, "The audit login uid; -1: none.", &userLoginuid},
      {"user.loginname", kStr, 0, "The name of the login uid.", &processText<&Process::login_name>},
      {"group.gid", kU64, 0, "The real group id.", &processId<&Process::gid>},
      {"group.name", kStr, 0, "The group's name.", &processText<&Process::group_name>},
      // fd.*
      {"fd.num", kI64, 0, "The file descriptor number.", &fdNum},
      {"fd.type", kStr, 0, "file, directory, ipv4, ipv6, unix, pipe, …", &fdType},
      {"fd.typechar", kStr, 0, "fd.type as one character: f, d, 4, 6, u, p, …", &fdTypeChar},
      {"fd.name", kStr, 0, "The path, or client:port->server:port for a socket.", &fdName},
      {"fd.nameraw", kStr, 0,
       "The path as the call gave it, before it was made absolute and clean.", &fdNameRaw},
      {"fd.directory", kStr, 0, "The directory of a file (a directory's own path).", &fdDirectory},
      {"fd.filename", kStr, 0, "The last component of a file's path.", &fdFilename},
      {"fd.name_changed", kBool, 0,
       "The fd's name changed with this event (never, for our sensors).", &fdNameChanged},
      {"fd.cip", kIp, 0, "The client address of a socket.", &fdIp<End::Client>},
      {"fd.sip", kIp, 0, "The server address of a socket.", &fdIp<End::Server>},
      {"fd.lip", kIp, 0, "The local address of a socket.", &fdIp<End::Local>},
      {"fd.rip", kIp, 0, "The remote address of a socket.", &fdIp<End::Remote>},
      {"fd.ip", kIp, kList | kAnyValue, "Either address of a socket.", &fdEitherIp},
      {"fd.cport", kU64, 0, "The client port.", &fdPort<End::Client>},
      {"fd.sport", kU64, 0, "The server port.", &fdPort<End::Server>},
      {"fd.lport", kU64, 0, "The local port.", &fdPort<End::Local>},
      {"fd.rport", kU64, 0, "The remote port.", &fdPort<End::Remote>},
      {"fd.port", kU64, kList | kAnyValue, "Either port of a socket.", &fdEitherPort},
      {"fd.net", kNet, kList | kAnyValue, "Either address, compared with a CIDR.", &fdEitherIp},
      {"fd.cnet", kNet, 0, "The client address, compared with a CIDR.", &fdIp<End::Client>},
      {"fd.snet", kNet, 0, "The server address, compared with a CIDR.", &fdIp<End::Server>},
      {"fd.lnet", kNet, 0, "The local address, compared with a CIDR.", &fdIp<End::Local>},
      {"fd.rnet", kNet, 0, "The remote address, compared with a CIDR.", &fdIp<End::Remote>},
      {"fd.l4proto", kStr, 0, "tcp, udp, icmp or raw.", &fdL4proto},
      {"fd.sockfamily", kStr, 0, "ip or unix.", &fdSockfamily},
      {"fd.connected", kBool, 0, "The socket is connected.", &fdConnected},
      {"fd.is_server", kBool, 0, "The process is the server end (it accepted the connection).",
       &fdIsServer},
      {"fd.sip.name", kStr, kUnsupported, "The domain name the server address was resolved from.",
       &unsupported},
      {"fd.cip.name", kStr, kUnsupported, "The domain name of the client address.", &unsupported},
      {"fd.lip.name", kStr, kUnsupported, "The domain name of the local address.", &unsupported},
      {"fd.rip.name", kStr, kUnsupported, "The domain name of the remote address.", &unsupported},
      {"fd.types", kStr, kUnsupported | kList, "The types of every fd of the process.",
       &unsupported},
      {"fd.ino", kI64, kUnsupported, "The file's inode.", &unsupported},
      {"fd.dev", kU64, kUnsupported, "The file's device.", &unsupported},
      // fs.path.*
      {"fs.path.name", kStr, 0, "The path of unlink, mkdir, rmdir, … events.", &fsPathName},
      {"fs.path.source", kStr, 0, "The source path of rename, link and symlink events.",
       &fsPathSource},
      {"fs.path.target", kStr, 0, "The target path of rename, link and symlink events.",
       &fsPathTarget},
      // container.*
      {"container.id", kStr, 0, "The container id's first 12 characters; host outside containers.",
       &containerId},
      {"container.full_id", kStr, 0, "The full container id; host outside containers.",
       &containerFullId},
      {"container.name", kStr, 0, "The container's name; host outside containers.", &containerName},
      {"container.type", kStr, 0, "docker, containerd, cri-o or podman.", &containerType},
      {"container.image", kStr, 0, "The image reference the container was created from.",
       &containerImage},
      {"container.image.repository", kStr, 0, "The image's repository (with its registry).",
       &containerImagePart<&ImageParts::repository>},
      {"container.image.tag", kStr, 0, "The image's tag.", &containerImagePart<&ImageParts::tag>},
      {"container.image.digest", kStr, 0, "The image's digest.", &containerImageDigest},
      {"container.image.id", kStr, 0, "The image's id.", &containerText<&Container::image_id>},
      {"container.privileged", kBool, 0, "The container runs privileged.",
       &containerFlag<&Container::privileged>},
      {"container.host_pid", kBool, 0, "The container shares the host's pid namespace.",
       &containerFlag<&Container::host_pid>},
      {"container.host_network", kBool, 0, "The container shares the host's network namespace.",
       &containerFlag<&Container::host_network>},
      {"container.host_ipc", kBool, 0, "The container shares the host's IPC namespace.",
       &containerFlag<&Container::host_ipc>},
      {"container.mounts", kStr, kList, "Every mount as source:dest:mode:rw:propagation.",
       &containerMounts},
      {"container.mount.source", kStr, kArgKey | kArgRequired, "The source mounted at [DEST].",
       &containerMountSource},
      {"container.mount.dest", kStr, kArgKey | kArgRequired, "Where [SOURCE] is mounted.",
       &containerMountDest},
      {"container.ip", kStr, 0, "The container's address.", &containerText<&Container::ip>},
      {"container.start_ts", kAbs, 0, "When the container started, ns since the epoch.",
       &containerStartTs},
      {"container.duration", kRel, 0, "ns since the container started.", &containerDuration},
      {"container.info", kStr, kDeprecated, "Deprecated by Falco: prints nothing.", &containerInfo},
      {"container.healthcheck", kStr, kUnsupported, "The container's health check command.",
       &unsupported},
      {"container.liveness_probe", kStr, kUnsupported, "The pod's liveness probe command.",
       &unsupported},
      {"container.readiness_probe", kStr, kUnsupported, "The pod's readiness probe command.",
       &unsupported},
      // k8s.*
      {"k8s.ns.name", kStr, 0, "The pod's namespace.", &containerText<&Container::k8s_namespace>},
      {"k8s.pod.name", kStr, 0, "The pod's name.", &containerText<&Container::k8s_pod_name>},
      {"k8s.pod.uid", kStr, 0, "The pod's uid.", &containerText<&Container::k8s_pod_uid>},
      {"k8s.pod.labels", kStr, kList, "The pod's labels as key:value.", &k8sPodLabels},
      {"k8s.pod.label", kStr, kArgKey | kArgDot | kArgRequired,
       "One label of the pod: k8s.pod.label[app] or k8s.pod.label.app.", &k8sPodLabel},
      {"k8s.deployment.name", kStr, kUnsupported, "The deployment of the pod.", &unsupported},
      {"k8s.rs.name", kStr, kUnsupported, "The replica set of the pod.", &unsupported},
      {"k8s.svc.name", kStr, kUnsupported, "The services selecting the pod.", &unsupported},
  };
}

}  // namespace

const FieldTable& fieldTable() {
  static const std::vector<FieldRow> kRows = [] {
    std::vector<FieldRow> out = buildRows();
    std::sort(out.begin(), out.end(),
              [](const FieldRow& a, const FieldRow& b) { return a.name < b.name; });
    return out;
  }();
  static const FieldTable kTable{Source::Syscall, kRows};
  return kTable;
}

}  // namespace bulwark::events::host
