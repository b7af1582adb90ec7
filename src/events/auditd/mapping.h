// Linux audit events as host events (docs/dev/runtime-design.md §2.5): a coalesced audit event
// (SYSCALL with its EXECVE, CWD, PATH and SOCKADDR records, or a user-space message such as
// USER_LOGIN) becomes a HostEvent of the syscall source, so that Falco's rules run on auditd
// logs too. What an audit log cannot say stays missing: the process's ancestors beyond its
// parent's pid, its container, its capabilities.
//
//   SYSCALL  syscall → evt.type (a user-space message: its record type, lowercased, and
//            syscall.type missing); exit → evt.res/rawres; pid, ppid, comm → proc.name,
//            exe → proc.exepath; uid, gid; auid → user.loginuid (unset: -1); tty → proc.tty
//            (pts1 → 34817, as the kernel numbers terminals); a0–a3 → evt.arg.flags/mode
//            for open, openat and creat, rendered as Falco renders them ("O_CREAT|O_WRONLY")
//   EXECVE   argv → proc.exe (argv[0]) and proc.args
//   CWD      → proc.cwd
//   PATH     the first item that is not the PARENT directory → fd.name (a relative path is
//            made absolute against CWD); for execve, the program → proc.exepath if exe is absent
//   SOCKADDR family, addr, port → fd.type ipv4/ipv6/unix, fd.sip/sport (connect, sendto), or
//            the local end with fd.is_server (bind, accept)
//   keys     → audit.key; record types → audit.record_types; ses → audit.session
#pragma once

#include <string>

#include "events/auditd/coalesce.h"
#include "events/host/host_event.h"

namespace bulwark::events::auditd {

// Fills `out` (cleared first) from `in`.
void toHostEvent(const AuditEvent& in, host::HostEvent& out);

// "pts1" → 34817, "tty2" → 1026, "(none)"/"" → 0; nullopt for a name we cannot number.
std::optional<std::uint32_t> ttyNumber(std::string_view name);

}  // namespace bulwark::events::auditd
