// A Docker host snapshot: every fact the Docker checks read, collected once (live, by
// docker/collect/) or read from a file (`bulwark collect docker > host.json`, schema
// "bulwark.docker-snapshot/v1"). The evaluator reads only this, never the file system or the
// socket, so a live run and an offline run of the same facts give the same results.
//
// Every fact carries its state. A check whose fact is not `Ok` (or `Missing` where absence
// means something, such as a file) is not evaluated, with the state as the cause: never a pass.
// The JSON shape is in docs/dev/hardening-design.md §2.2 and docs/checks.md.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/diagnostic.h"
#include "core/result.h"
#include "model/check.h"

namespace bulwark::checks::docker {

inline constexpr std::string_view kSnapshotSchema = "bulwark.docker-snapshot/v1";

enum class FactStatus {
  Ok,
  Missing,           // ENOENT, 404, no such group, no dockerd process, 503 not a swarm manager
  PermissionDenied,  // EACCES/EPERM, socket 403, auditctl "must be root"
  Unreachable,       // the socket refused or does not exist
  Timeout,           // connected but no answer within the timeout
  Malformed,         // bad JSON, an oversized body, an unparsable file
  NotCollected       // not in the snapshot, or the collector was disabled
};

std::string_view toString(FactStatus status);  // "ok", "missing", "permission-denied", …
bool parseFactStatus(std::string_view text, FactStatus& status);
// The not-evaluated cause a probe reports when its fact has this state (None for Ok/Missing).
model::NotEvaluatedCause causeOf(FactStatus status);

struct FactState {
  FactStatus status = FactStatus::NotCollected;
  std::string detail;  // "connect: No such file or directory", "HTTP 403"
  std::string source;  // "/proc/812/cmdline", "GET /info", "auditctl -l"
  [[nodiscard]] bool ok() const { return status == FactStatus::Ok; }
};

struct FileFact {
  std::string path;
  FactState state;
  std::string type;        // file | dir | socket | link | other
  std::uint32_t mode = 0;  // permission bits and setuid/setgid/sticky (07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::string user;         // from <root>/etc/passwd; "#<uid>" when unknown
  std::string group;        // from <root>/etc/group; "#<gid>" when unknown
  std::string link_target;  // when the path itself is a symbolic link
};

// A raw Engine API document, addressed by probes through JSON paths (docker/json_path.h).
struct DocFact {
  FactState state;
  nlohmann::json doc;  // null unless state is Ok
};

struct Container {
  std::string id;    // full 64-hex id
  std::string name;  // without the leading '/'
  DocFact summary;   // the /containers/json entry
  DocFact inspect;   // /containers/{id}/json
  FactState processes_state;
  std::vector<std::string> processes;  // comm of each process, sorted
  FactState execs_state;
  std::vector<nlohmann::json> execs;  // /exec/{id}/json of each ExecIDs entry
};

struct Image {
  std::string id;  // "sha256:…"
  std::vector<std::string> tags;
  DocFact inspect;  // /images/{id}/json
  DocFact history;  // /images/{id}/history (an array)
};

struct AuditRule {
  enum class Kind { Watch, Syscall };
  Kind kind = Kind::Watch;
  std::string path;   // -w PATH, or -F path=PATH / -F dir=DIR of a syscall rule
  bool dir = false;   // -F dir= (covers everything below `path`)
  std::string perms;  // -p rwxa, or -F perm=
  std::string key;    // -k KEY or -F key=
  std::string raw;    // the rule as read
};

struct Socket {
  std::string proto;    // tcp | tcp6
  std::string address;  // "0.0.0.0", "::", "127.0.0.1"
  std::uint16_t port = 0;
};

struct Mount {
  std::string point;
  std::string fstype;
  std::string source;
};

struct Snapshot {
  std::string schema = std::string(kSnapshotSchema);
  std::string collected_at;  // RFC 3339 UTC
  std::string collector_version;
  std::uint32_t collector_uid = 0;
  std::string hostname;

  struct Engine {
    std::string endpoint;  // "unix:///var/run/docker.sock"
    FactState state;       // the connection as a whole (/_ping or /version)
    DocFact version, info, networks, plugins, swarm, nodes;
    FactState containers_state;
    std::vector<Container> containers;  // sorted by name
    FactState images_state;
    std::vector<Image> images;  // sorted by id
  } engine;

  struct Host {
    std::string root = "/";  // --host-root the files were read under
    struct Dockerd {
      FactState state;
      int pid = 0;
      std::uint32_t uid = 0;
      std::string exe;
      std::vector<std::string> argv;
    } dockerd;
    struct DaemonJson {
      std::string path;
      FactState state;
      nlohmann::json doc;  // null unless Ok
    } daemon_json;
    // Path aliases ("unit:docker.service", "docker-socket", "bin:runc", "certs-d", …) → the
    // real paths they resolved to (empty: nothing; e.g. no TLS CA configured).
    std::map<std::string, std::vector<std::string>, std::less<>> paths;
    std::map<std::string, FileFact, std::less<>> files;  // by real path
    struct Group {
      FactState state;
      std::string name = "docker";
      bool exists = false;
      std::vector<std::string> members;
    } docker_group;
    struct Audit {
      FactState state;
      std::vector<AuditRule> rules;
    } audit;  // state.source: "auditctl -l" or the rules files read
    struct Listening {
      FactState state;
      std::vector<Socket> sockets;
    } listening;
    struct Mounts {
      FactState state;
      std::vector<Mount> mounts;
    } mountinfo;
    // Environment of the collecting process that checks read (DOCKER_CONTENT_TRUST); a key
    // present with nullopt: looked up, unset. Key absent: not collected.
    std::map<std::string, std::optional<std::string>, std::less<>> environment;
  } host;

  std::vector<core::Diagnostic> diagnostics;  // what the collector or reader survived
};

// Limits for reading untrusted snapshots; beyond them the rest is dropped with a diagnostic.
struct SnapshotLimits {
  std::size_t max_bytes = 64u << 20;
  std::size_t max_containers = 10'000;
  std::size_t max_images = 10'000;
  std::size_t max_audit_rules = 100'000;
  std::size_t max_files = 4'096;
};

// Reads a snapshot. Unusable input (not JSON, wrong schema, too large) is an error; bad parts
// become diagnostics and facts with state Malformed. `engine.info` may also be the output of
// `docker info --format json`, `engine.version` that of `docker version --format json`.
core::Result<Snapshot> readSnapshot(std::string_view json, core::Diagnostics& diagnostics,
                                    const SnapshotLimits& limits = {});
// Writes it with sorted keys and two-space indentation: the same snapshot, the same bytes.
std::string writeSnapshot(const Snapshot& snapshot);

}  // namespace bulwark::checks::docker
