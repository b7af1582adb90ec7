// Pure parsers of the host's text files the Docker collectors read: audit rules, mountinfo,
// /proc/net/tcp{,6}, /etc/group and /etc/passwd, /proc/<pid>/{cmdline,status,cgroup}. They
// take strings (never the file system), bound every loop by the input, and turn bad records
// into diagnostics, so that they are unit-tested and fuzzed (tests/fuzz/host_facts_fuzz.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/docker/snapshot.h"
#include "core/diagnostic.h"

namespace bulwark::checks::docker::collect {

inline constexpr std::size_t kMaxAuditRules = 100'000;
inline constexpr std::size_t kMaxProcNetLines = 100'000;
inline constexpr std::size_t kMaxMounts = 100'000;
inline constexpr std::size_t kMaxCmdlineArgs = 16'384;

// Audit rules as `auditctl -l` prints them or as audit.rules / rules.d files hold them:
// `-w PATH [-p PERMS] [-k KEY]` and `-a LIST,ACTION … -F path=P | -F dir=D [-F perm=…]
// [-F key=K | -k K]`. Comments, blank lines, control lines (-D, -b, -e, -f …) and syscall rules
// without a path are skipped; a rule that cannot be read is a diagnostic "audit.malformed-rule".
std::vector<AuditRule> parseAuditRules(std::string_view text, std::string_view where,
                                       core::Diagnostics& diagnostics);

// /proc/<pid>/mountinfo: mount point, file system type and source of each line, with the
// kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash) decoded.
std::vector<Mount> parseMountinfo(std::string_view text, std::string_view where,
                                  core::Diagnostics& diagnostics);
// The same file's super options of the mount at `point` ("rw,hidepid=2"), if mounted.
std::optional<std::string> mountSuperOptions(std::string_view mountinfo, std::string_view point);
// Decodes \ooo octal escapes; other bytes stay.
std::string decodeOctalEscapes(std::string_view text);

// /proc/net/tcp (proto "tcp") or /proc/net/tcp6 ("tcp6"): the sockets in state LISTEN (0A),
// addresses decoded from the kernel's host-order hex words. Sorted, without duplicates.
std::vector<Socket> parseProcNetTcp(std::string_view text, std::string_view proto,
                                    std::string_view where, core::Diagnostics& diagnostics);

struct GroupEntry {
  std::string name;
  std::uint32_t gid = 0;
  std::vector<std::string> members;
};
// /etc/group: name:password:gid:member,member. Lines that are not four fields are diagnostics.
std::vector<GroupEntry> parseGroupFile(std::string_view text, std::string_view where,
                                       core::Diagnostics& diagnostics);
// /etc/passwd: uid → user name (the first name wins for a shared uid).
std::map<std::uint32_t, std::string> parsePasswdFile(std::string_view text);

// /proc/<pid>/cmdline: NUL-separated arguments (a trailing NUL ends the last one).
std::vector<std::string> splitCmdline(std::string_view bytes);
// /proc/<pid>/status: the real uid of the `Uid:` line.
std::optional<std::uint32_t> parseStatusUid(std::string_view text);

// /proc/<pid>/cgroup: the cgroup v2 path ("0::/system.slice/docker-<id>.scope") or, on cgroup
// v1, the path in the pids hierarchy; `v1` tells which.
struct CgroupPath {
  std::string path;
  bool v1 = false;
};
std::optional<CgroupPath> parseCgroupPath(std::string_view text);
// cgroup.procs: one pid per line (at most `max` of them).
std::vector<int> parsePidList(std::string_view text, std::size_t max);

// The 64-hex id of the container this process runs in, from /proc/self/cgroup
// ("/docker/<id>", "docker-<id>.scope") or /proc/self/mountinfo ("/containers/<id>/").
std::optional<std::string> selfContainerId(std::string_view cgroup, std::string_view mountinfo);

// dockerd's argv: the value of `--config-file` (`--config-file=P` or `--config-file P`).
std::optional<std::string> configFileFlag(const std::vector<std::string>& argv);
// The unix socket paths dockerd listens on according to its `-H`/`--host` flags.
std::vector<std::string> hostFlagSockets(const std::vector<std::string>& argv);

}  // namespace bulwark::checks::docker::collect
