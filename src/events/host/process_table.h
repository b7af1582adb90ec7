// The process table of a live host sensor (docs/dev/runtime-design.md §2.6): every process of
// the machine as an immutable snapshot (host_event.h's Process), linked to its parent's, built
// from a /proc scan at start and kept current from fork/exec/exit events. A HostEvent takes the
// snapshot of the moment, so a later exec or exit never changes what a rule saw.
//
// Enrichment happens here too: user and group names from the passwd and group files that apply
// (the host's, or the container's own through /proc/PID/root), and the container of each process
// from its cgroup (procfs.h), described by a ContainerResolver (Docker inspect in the pipeline).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "events/host/host_event.h"
#include "events/host/procfs.h"

namespace bulwark::events::host {

// Describes a container found in a cgroup: name, image, privileges, mounts, pod. Returns a
// Container with at least id and type when nothing more is known; never null.
using ContainerResolver = std::function<std::shared_ptr<const Container>(const ContainerRef&)>;

// A user or group entry: the name and, for users, home directory and shell.
struct Account {
  std::string name;
  std::string home;
  std::string shell;
};

// "name:x:uid:gid:gecos:home:shell" lines (passwd) or "name:x:gid:members" (group) → id → entry.
// Malformed lines are skipped; the first entry of an id wins, as getpwuid answers.
std::unordered_map<std::uint32_t, Account> parsePasswd(std::string_view text);
std::unordered_map<std::uint32_t, Account> parseGroup(std::string_view text);

struct ProcessTableStats {
  std::uint64_t processes = 0;      // in the table now
  std::uint64_t scanned = 0;        // read by the start scan and resynchronisations
  std::uint64_t exec_races = 0;     // execs of processes gone before /proc could be read
  std::uint64_t unknown_exits = 0;  // exits of processes the table did not have
  std::uint64_t evicted = 0;        // entries dropped at the bound
  std::uint64_t resyncs = 0;
};

class ProcessTable {
 public:
  struct Options {
    std::filesystem::path proc_root = "/proc";
    std::size_t max_processes = 65536;
    ContainerResolver resolve_container;  // null: containers have only id and type
  };

  // A process as of now, with the container it runs in (null: the host).
  struct Snapshot {
    std::shared_ptr<const Process> process;
    std::shared_ptr<const Container> container;
  };

  explicit ProcessTable(Options options);

  // Reads every process of /proc (again: a resynchronisation after lost events keeps the
  // snapshots of processes still there and drops the ones gone).
  void scan();

  // The snapshot of process `tgid`; a null process when unknown.
  [[nodiscard]] Snapshot find(std::int64_t tgid) const;

  // A new process `child` of `parent` (a fork: same program; a thread's fork is ignored by
  // the caller). `ts_ns` is when it started.
  void onFork(std::int64_t parent, std::int64_t child, std::int64_t ts_ns);
  // Process `tgid` ran a new program: re-read from /proc. Returns the new snapshot; when the
  // process is already gone (counted as a race), the one it had without the program's name,
  // path, arguments and directory (unknown), or a null one if the table did not have it.
  Snapshot onExec(std::int64_t tgid, std::int64_t ts_ns);
  // Process `tgid` ended: returns its last snapshot (null when unknown) and forgets it.
  Snapshot onExit(std::int64_t tgid);
  // Its name or ids changed (prctl, setuid, setsid): re-read what /proc says.
  void onChange(std::int64_t tgid);

  [[nodiscard]] ProcessTableStats stats() const;

 private:
  using Entry = Snapshot;

  // A snapshot of `info`, linked to the current snapshot of its parent.
  Entry build(const ProcessInfo& info, std::int64_t start_ns);
  std::shared_ptr<const Container> container(const std::optional<ContainerRef>& ref);
  void names(Process& process, const Container* container, int pid);
  // Whether `exe` (the path inside the container) lies in the container's writable layer: it
  // exists under the upper directory of the overlay at the container's root (copied up or
  // created after start). nullopt when that cannot be told (not an overlay, unreadable).
  std::optional<bool> upperLayer(const Container& container, int pid, const std::string& exe);
  [[nodiscard]] std::filesystem::path hostRoot() const;
  const std::unordered_map<std::uint32_t, Account>& accounts(const std::string& key,
                                                             const std::filesystem::path& file,
                                                             bool groups);
  void insert(std::int64_t tgid, Entry entry);

  Options options_;
  std::int64_t boot_ns_ = 0;
  std::uint64_t ticks_per_second_ = 100;
  std::unordered_map<std::int64_t, Entry> entries_;
  std::map<std::string, std::shared_ptr<const Container>, std::less<>> containers_;
  // The upper directory of each container's root overlay (nullopt: none), by container id.
  std::map<std::string, std::optional<std::string>, std::less<>> upper_dirs_;
  // passwd/group files read, by "host" or container id (+ ":g" for groups).
  std::map<std::string, std::unordered_map<std::uint32_t, Account>, std::less<>> accounts_;
  ProcessTableStats stats_;
};

}  // namespace bulwark::events::host
