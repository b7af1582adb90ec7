#include "events/host/host_event.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

namespace bulwark::events::host {

namespace {

struct FdTypeName {
  Fd::Type type;
  std::string_view name;  // Falco's fd.type
  char symbol;            // Falco's fd.typechar
};
constexpr FdTypeName kFdTypes[] = {
    {Fd::Type::File, "file", 'f'},
    {Fd::Type::Directory, "directory", 'd'},
    {Fd::Type::Ipv4, "ipv4", '4'},
    {Fd::Type::Ipv6, "ipv6", '6'},
    {Fd::Type::Unix, "unix", 'u'},
    {Fd::Type::Pipe, "pipe", 'p'},
    {Fd::Type::Event, "event", 'e'},
    {Fd::Type::Signalfd, "signalfd", 's'},
    {Fd::Type::Eventpoll, "eventpoll", 'l'},
    {Fd::Type::Inotify, "inotify", 'i'},
    {Fd::Type::Timerfd, "timerfd", 't'},
    {Fd::Type::Netlink, "netlink", 'n'},
    {Fd::Type::Bpf, "bpf", 'b'},
    {Fd::Type::Memfd, "memfd", 'm'},
    {Fd::Type::Other, "other", 'o'},
};

// Linux capability numbers 0–40 (include/uapi/linux/capability.h).
constexpr std::string_view kCapabilities[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

}  // namespace

std::string_view toString(Sensor sensor) {
  switch (sensor) {
    case Sensor::Replay: return "replay";
    case Sensor::Proc: return "proc";
    case Sensor::Ebpf: return "ebpf";
    case Sensor::Auditd: return "auditd";
    case Sensor::Docker: return "docker";
    case Sensor::Simulate: return "simulate";
  }
  return "unknown";
}

std::string_view toString(Fd::Type type) {
  for (const auto& entry : kFdTypes) {
    if (entry.type == type) return entry.name;
  }
  return "";
}

char typeChar(Fd::Type type) {
  for (const auto& entry : kFdTypes) {
    if (entry.type == type) return entry.symbol;
  }
  return 0;
}

bool parseFdType(std::string_view text, Fd::Type& out) {
  for (const auto& entry : kFdTypes) {
    if (entry.name == text) {
      out = entry.type;
      return true;
    }
  }
  return false;
}

const std::string* HostEvent::arg(std::string_view name) const {
  for (const auto& [key, value] : args) {
    if (key == name) return &value;
  }
  return nullptr;
}

OpenFlags openFlags(std::string_view flags) {
  OpenFlags out;
  bool access_named = false;
  while (!flags.empty()) {
    const std::size_t bar = flags.find('|');
    std::string_view flag = flags.substr(0, bar);
    flags = bar == std::string_view::npos ? std::string_view() : flags.substr(bar + 1);
    // Falco renders flags with their value in parentheses at the end: "O_RDONLY|O_CLOEXEC(…)".
    if (const std::size_t paren = flag.find('('); paren != std::string_view::npos) {
      flag = flag.substr(0, paren);
    }
    if (flag == "O_RDONLY" || flag == "O_RDWR" || flag == "O_WRONLY") access_named = true;
    if (flag == "O_RDONLY" || flag == "O_RDWR") out.read = true;
    if (flag == "O_WRONLY" || flag == "O_RDWR") out.write = true;
    if (flag == "O_CREAT") out.create = true;
    if (flag == "O_TRUNC" || flag == "O_APPEND") out.write = true;
  }
  // O_RDONLY is 0: a flags value that names no access mode opens for reading.
  if (!access_named && !out.write) out.read = true;
  return out;
}

std::string errnoName(std::int64_t res) {
  if (res >= 0) return "SUCCESS";
  if (res < -4095) return std::to_string(res);
  const char* name = strerrorname_np(static_cast<int>(-res));
  return name != nullptr ? std::string(name) : std::to_string(res);
}

std::string capabilityNames(std::uint64_t bits) {
  std::string out;
  for (std::size_t bit = 0; bit < 64; ++bit) {
    if ((bits & (std::uint64_t{1} << bit)) == 0) continue;
    if (!out.empty()) out += ' ';
    if (bit < std::size(kCapabilities)) {
      out += kCapabilities[bit];
    } else {
      out += fmt::format("CAP_{}", bit);
    }
  }
  return out;
}

namespace {

// The kernel's open flag bits (asm-generic/fcntl.h; arm64 moves four of them). Not <fcntl.h>:
// glibc defines O_LARGEFILE as 0 on 64-bit targets.
struct FlagName {
  std::uint32_t bit;
  const char* name;
};
constexpr std::uint32_t kCreat = 0100;
constexpr std::uint32_t kExcl = 0200;
constexpr std::uint32_t kTrunc = 01000;
constexpr std::uint32_t kAppend = 02000;
constexpr std::uint32_t kNonblock = 04000;
constexpr std::uint32_t kDsync = 010000;
#if defined(__aarch64__)
constexpr std::uint32_t kDirectory = 040000;
constexpr std::uint32_t kDirect = 0200000;
constexpr std::uint32_t kLargefile = 0400000;
#else
constexpr std::uint32_t kDirectory = 0200000;
constexpr std::uint32_t kDirect = 040000;
constexpr std::uint32_t kLargefile = 0100000;
#endif
constexpr std::uint32_t kCloexec = 02000000;
constexpr std::uint32_t kSync = 04000000;      // __O_SYNC
constexpr std::uint32_t kTmpfile = 020000000;  // __O_TMPFILE

}  // namespace

std::string openFlagsText(std::uint32_t flags) {
  // Falco's order (libscap's file_flags table): "O_TRUNC|O_CREAT|O_WRONLY|O_CLOEXEC".
  static constexpr FlagName kBefore[] = {
      {kLargefile, "O_LARGEFILE"}, {kDirectory, "O_DIRECTORY"}, {kDirect, "O_DIRECT"},
      {kTrunc, "O_TRUNC"},         {kSync, "O_SYNC"},           {kNonblock, "O_NONBLOCK"},
      {kExcl, "O_EXCL"},           {kDsync, "O_DSYNC"},         {kAppend, "O_APPEND"},
      {kCreat, "O_CREAT"},
  };
  std::string out;
  const auto add = [&out](const char* name) {
    if (!out.empty()) out += '|';
    out += name;
  };
  for (const auto& flag : kBefore) {
    if ((flags & flag.bit) != 0) add(flag.name);
  }
  switch (flags & 3U) {
    case 0: add("O_RDONLY"); break;
    case 1: add("O_WRONLY"); break;
    case 2: add("O_RDWR"); break;
    default: break;
  }
  if ((flags & kCloexec) != 0) add("O_CLOEXEC");
  if ((flags & kTmpfile) != 0) add("O_TMPFILE");
  // Access mode 3 (no read, no write: ioctl-only opens) with nothing else: libscap's name.
  if (out.empty()) out = "O_NONE";
  return out;
}

std::string modeText(std::uint32_t mode) {
  if (mode == 0) return "0";
  char text[16];
  const int n = std::snprintf(text, sizeof(text), "0%o", mode);
  return {text, static_cast<std::size_t>(std::max(n, 0))};
}

}  // namespace bulwark::events::host
