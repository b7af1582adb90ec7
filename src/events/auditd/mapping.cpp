#include "events/auditd/mapping.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>

#include <fmt/format.h>

namespace bulwark::events::auditd {

namespace {

template <class Int>
std::optional<Int> number(std::optional<std::string_view> text, int base = 10) {
  if (!text || text->empty()) return std::nullopt;
  Int value{};
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value, base);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// The argument register `a<index>` of the SYSCALL record (hex as the kernel logs it).
std::optional<std::uint64_t> syscallArg(const Record& record, int index) {
  return number<std::uint64_t>(record.raw(fmt::format("a{}", index)), 16);
}

std::string joinPath(std::string_view directory, std::string_view name) {
  if (name.starts_with('/') || directory.empty()) return std::string(name);
  std::string out(directory);
  if (!out.ends_with('/')) out += '/';
  out += name;
  return out;
}

}  // namespace

std::optional<std::uint32_t> ttyNumber(std::string_view name) {
  if (name.empty() || name == "(none)" || name == "none") return 0U;
  // The kernel's tty_nr: major << 8 | minor (minors below 256).
  const auto numbered = [&](std::string_view prefix,
                            std::uint32_t major) -> std::optional<std::uint32_t> {
    const auto minor = number<std::uint32_t>(name.substr(prefix.size()));
    if (!minor || *minor > 255) return std::nullopt;
    return (major << 8) | *minor;
  };
  if (name.starts_with("pts")) return numbered("pts", 136);
  if (name.starts_with("ttyS")) {
    const auto serial = numbered("ttyS", 4);
    if (!serial) return std::nullopt;
    return *serial + 64 <= ((4U << 8) | 255U) ? std::optional<std::uint32_t>(*serial + 64)
                                              : std::nullopt;
  }
  if (name.starts_with("tty")) return numbered("tty", 4);
  return std::nullopt;
}

void toHostEvent(const AuditEvent& in, host::HostEvent& out) {
  out = host::HostEvent{};
  out.sensor = host::Sensor::Auditd;
  for (const auto& record : in.records) {
    std::string type(record.typeName());
    if (std::find(out.audit_record_types.begin(), out.audit_record_types.end(), type) ==
        out.audit_record_types.end()) {
      out.audit_record_types.push_back(std::move(type));
    }
  }
  for (const auto tag : in.tags()) out.audit_keys.emplace_back(tag);

  const Record* syscall = in.find(record_type::kSyscall);
  const Record* primary = in.primary();
  if (primary == nullptr) return;
  out.is_syscall = syscall != nullptr;
  if (syscall != nullptr) {
    out.type = std::string(syscall->get("syscall").value_or(""));
  } else {
    out.type = lowered(in.kind() != nullptr ? in.kind()->typeName() : primary->typeName());
  }
  if (out.type.empty()) out.type = "unknown";
  if (const auto exit = number<std::int64_t>(primary->raw("exit"))) {
    out.res = *exit;
  } else if (const auto result =
                 primary->get("result") ? primary->get("result") : primary->get("res")) {
    // User-space messages: res=success|failed (or 1/0).
    out.res = *result == "success" || *result == "yes" || *result == "1" ? 0 : -1;
  }
  if (const auto session = primary->raw("ses"); session && *session != "4294967295") {
    out.audit_session = std::string(*session);
  }

  auto process = std::make_shared<host::Process>();
  process->pid = number<std::int64_t>(primary->raw("pid")).value_or(0);
  process->ppid = number<std::int64_t>(primary->raw("ppid")).value_or(0);
  process->name = std::string(primary->get("comm").value_or(""));
  process->exepath = std::string(primary->get("exe").value_or(""));
  process->uid = number<std::uint32_t>(primary->raw("uid"));
  process->gid = number<std::uint32_t>(primary->raw("gid"));
  if (const auto auid = number<std::uint32_t>(primary->raw("auid"))) {
    process->loginuid = *auid == 4294967295U ? -1 : static_cast<std::int64_t>(*auid);
  }
  if (const auto tty = primary->get("tty")) process->tty = ttyNumber(*tty);
  if (const Record* cwd = in.find(record_type::kCwd)) {
    process->cwd = std::string(cwd->get("cwd").value_or(""));
  }
  if (in.find(record_type::kExecve) != nullptr) {
    const auto argv = in.args();
    if (!argv.empty()) {
      process->exe = argv.front();
      process->args.assign(argv.begin() + 1, argv.end());
    }
  } else if (syscall != nullptr) {
    // Not an exec: the arguments of the running program are not in the event.
    process->args_unknown = true;
    process->exe = process->exepath;
  }

  // The file: the first PATH item that is not the parent directory of the name.
  for (const auto& record : in.records) {
    if (record.type() != record_type::kPath) continue;
    if (record.get("nametype").value_or("") == "PARENT") continue;
    const auto name = record.get("name");
    if (!name || name->empty() || *name == "(null)") continue;
    out.fd.type = host::Fd::Type::File;
    out.fd.nameraw = std::string(*name);
    out.fd.name = joinPath(process->cwd, *name);
    if (process->exepath.empty() && (out.type == "execve" || out.type == "execveat")) {
      process->exepath = out.fd.name;
    }
    break;
  }

  if (syscall != nullptr) {
    const bool open =
        out.type == "open" || out.type == "openat" || out.type == "creat" || out.type == "openat2";
    if (open) {
      // open(path, flags, mode); openat(dirfd, path, flags, mode); creat(path, mode).
      const int flags_at = out.type == "open" ? 1 : 2;
      if (out.type == "creat") {
        out.args.emplace_back("flags",
                              host::openFlagsText(01101));  // creat: O_WRONLY|O_CREAT|O_TRUNC
        if (const auto mode = syscallArg(*syscall, 1))
          out.args.emplace_back("mode", host::modeText(static_cast<std::uint32_t>(*mode & 07777)));
      } else if (out.type != "openat2") {
        if (const auto flags = syscallArg(*syscall, flags_at)) {
          out.args.emplace_back("flags", host::openFlagsText(static_cast<std::uint32_t>(*flags)));
        }
        if (const auto mode = syscallArg(*syscall, flags_at + 1)) {
          out.args.emplace_back("mode", host::modeText(static_cast<std::uint32_t>(*mode & 07777)));
        }
      }
      if (!out.fd.name.empty()) out.args.emplace(out.args.begin(), "name", out.fd.name);
      if (out.res && *out.res >= 0) out.fd.num = *out.res;
      if (out.fd.type == host::Fd::Type::None) out.fd.type = host::Fd::Type::File;
    }
  }

  // The socket address of connect, sendto, bind, accept…
  if (const Record* sockaddr = in.find(record_type::kSockaddr)) {
    const std::string_view family = sockaddr->get("family").value_or("");
    host::Fd::Type type = host::Fd::Type::None;
    if (family == "ipv4") type = host::Fd::Type::Ipv4;
    if (family == "ipv6") type = host::Fd::Type::Ipv6;
    if (family == "unix") type = host::Fd::Type::Unix;
    if (type != host::Fd::Type::None) {
      out.fd = host::Fd{};
      out.fd.type = type;
      const bool server = out.type == "bind" || out.type == "accept" || out.type == "accept4" ||
                          out.type == "listen";
      out.fd.is_server = server;
      if (type == host::Fd::Type::Unix) {
        out.fd.name = std::string(sockaddr->get("path").value_or(""));
      } else {
        out.fd.sip = std::string(sockaddr->get("addr").value_or(""));
        out.fd.sport = number<std::uint16_t>(sockaddr->get("port"));
        if (!server) out.fd.connected = out.res && (*out.res == 0 || *out.res == -115);
        out.fd.name = fmt::format("->{}:{}", out.fd.sip, out.fd.sport.value_or(0));
      }
      if (const auto fd = syscallArg(syscall != nullptr ? *syscall : *primary, 0)) {
        if (*fd < 65536) out.fd.num = static_cast<std::int64_t>(*fd);
      }
    }
  }
  out.process = std::move(process);
}

}  // namespace bulwark::events::auditd
