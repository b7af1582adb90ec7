#include "events/proc/proc_source.h"

#include <fmt/format.h>

#include "events/proc/connector.h"

namespace bulwark::events::proc {

core::Status ProcSource::run(const std::function<void(const Event&)>& on_event,
                             core::Diagnostics& diagnostics, const std::atomic<bool>* stop) {
  auto connector = Connector::open();
  if (!connector) {
    return core::withContext(connector.error(), "proc connector");
  }
  host::ProcessTable::Options table_options;
  table_options.proc_root = options_.proc_root;
  table_options.resolve_container = options_.resolve_container;
  host::ProcessTable table(std::move(table_options));
  table.scan();
  if (options_.on_ready) options_.on_ready();

  const std::int64_t epoch_offset = monotonicToEpochOffsetNs();
  std::uint64_t lost_seen = 0;
  std::uint64_t num = 0;
  host::HostEvent host_event;
  host_event.sensor = host::Sensor::Proc;
  host_event.hostname = options_.hostname;
  const auto deliver = [&](const char* type, std::int64_t ts_ns,
                           const host::ProcessTable::Snapshot& snapshot) {
    host_event.type = type;
    host_event.res = 0;
    host_event.process = snapshot.process;
    host_event.container = snapshot.container;
    Event event;
    event.source = Source::Syscall;
    event.ts_ns = ts_ns;
    event.num = ++num;
    event.payload = &host_event;
    ++stats_.events;
    on_event(event);
  };

  auto status = connector->run(
      [&](const ConnectorEvent& in) {
        const std::int64_t ts_ns = static_cast<std::int64_t>(in.ktime_ns) + epoch_offset;
        switch (in.kind) {
          case ConnectorKind::Fork:
            // Threads share their process's entry: only a new process is a new entry.
            if (in.pid == in.tgid) table.onFork(in.parent_tgid, in.tgid, ts_ns);
            break;
          case ConnectorKind::Exec: {
            ++stats_.execs;
            const auto snapshot = table.onExec(in.tgid, ts_ns);
            if (snapshot.process) {
              host_event.args.clear();
              deliver("execve", ts_ns, snapshot);
            }
            break;
          }
          case ConnectorKind::Exit: {
            if (in.pid != in.tgid) break;  // a thread
            ++stats_.exits;
            const auto snapshot = table.onExit(in.tgid);
            if (snapshot.process) {
              // Falco's procexit arguments: the wait status and the signal that ended it.
              host_event.args = {{"status", std::to_string(in.exit_code)},
                                 {"sig", std::to_string(in.exit_code & 0x7f)}};
              deliver("procexit", ts_ns, snapshot);
            }
            break;
          }
          case ConnectorKind::Uid:
          case ConnectorKind::Gid:
          case ConnectorKind::Sid:
          case ConnectorKind::Comm:
            if (in.pid == in.tgid) table.onChange(in.tgid);
            break;
          default: break;
        }
        // The kernel dropped events: what the table knows may be stale, read /proc again.
        const std::uint64_t lost = connector->stats().lost;
        if (lost != lost_seen) {
          lost_seen = lost;
          diagnostics.add("proc.lost", "proc connector",
                          "the kernel dropped process events (socket buffer full); the process "
                          "table was read again from /proc");
          table.scan();
        }
      },
      stop);
  const auto table_stats = table.stats();
  stats_.exec_races = table_stats.exec_races;
  stats_.resyncs = table_stats.resyncs;
  stats_.processes = table_stats.processes;
  stats_.lost = connector->stats().lost;
  if (stats_.exec_races != 0) {
    diagnostics.add("proc.exec-race", "proc connector",
                    fmt::format("{} of {} program(s) ended before /proc could be read: their "
                                "executable and arguments are missing from their events",
                                stats_.exec_races, stats_.execs));
  }
  if (!status) return core::withContext(status.error(), "proc connector");
  return {};
}

}  // namespace bulwark::events::proc
