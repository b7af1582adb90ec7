// `proc` (docs/dev/runtime-design.md §2.4): host process events from the kernel's proc connector
// (connector.h), enriched from /proc through the process table (host/process_table.h). Every
// exec becomes an `execve` event and every process exit a `procexit` event of the syscall
// source, with the process, its ancestors, its user and its container; forks, id and name
// changes only update the table. The connector carries no file or network activity: rules on
// open, connect and the like need the eBPF or auditd sensors.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/diagnostic.h"
#include "core/result.h"
#include "events/event.h"
#include "events/host/process_table.h"

namespace bulwark::events::proc {

struct ProcSourceOptions {
  std::filesystem::path proc_root = "/proc";
  std::string hostname;                       // evt.hostname
  host::ContainerResolver resolve_container;  // null: containers have only id and type
  // Called once the connector listens and the table is built: events from now on are seen.
  std::function<void()> on_ready;
};

struct ProcSourceStats {
  std::uint64_t events = 0;  // delivered
  std::uint64_t execs = 0;
  std::uint64_t exits = 0;
  std::uint64_t exec_races = 0;  // execs of processes gone before /proc was read
  std::uint64_t lost = 0;        // times the kernel dropped events (buffer full)
  std::uint64_t resyncs = 0;     // process table re-read after losses
  std::uint64_t processes = 0;   // in the table at the end
};

class ProcSource {
 public:
  explicit ProcSource(ProcSourceOptions options) : options_(std::move(options)) {}

  // Listens until *stop. Errors: the connector cannot be opened (not root, no
  // CONFIG_PROC_EVENTS, a container without the host's pid namespace) or stops receiving.
  core::Status run(const std::function<void(const Event&)>& on_event,
                   core::Diagnostics& diagnostics, const std::atomic<bool>* stop);

  [[nodiscard]] ProcSourceStats stats() const { return stats_; }

 private:
  ProcSourceOptions options_;
  ProcSourceStats stats_;
};

}  // namespace bulwark::events::proc
