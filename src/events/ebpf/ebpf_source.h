// `ebpf` (docs/dev/runtime-design.md §2.3): host events from the kernel through eBPF. The BPF
// program (bulwark.bpf.c, built at build time and embedded in the library) traces exec, exit,
// fork, connect, accept and open; this source loads it, keeps a process table (host/
// process_table.h) from its fork/exec/exit records, and turns each record into a HostEvent of
// the syscall source: `execve`, `procexit`, `connect`, `accept`/`accept4`, and
// `openat`/`openat2`/`open`/`creat` for the opens the kernel-side filter keeps (writes, and reads
// under /etc/, /root/, /home/, /dev/shm/, /run/secrets/, /var/run/secrets/).
//
// Unlike the proc connector, an exec record carries the program's path and argv: a program that
// ends before /proc can be read still gets a complete execve event.
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

namespace bulwark::events::ebpf {

struct EbpfSourceOptions {
  std::filesystem::path proc_root = "/proc";
  std::string hostname;                       // evt.hostname
  host::ContainerResolver resolve_container;  // null: containers have only id and type
  // Called once the programs are attached and the table is built: events from now on are seen.
  std::function<void()> on_ready;
};

struct EbpfSourceStats {
  std::uint64_t events = 0;  // delivered
  std::uint64_t execs = 0;
  std::uint64_t exits = 0;
  std::uint64_t forks = 0;
  std::uint64_t connects = 0;
  std::uint64_t accepts = 0;
  std::uint64_t opens = 0;
  std::uint64_t exec_races = 0;  // execs of processes gone before /proc was read (record used)
  std::uint64_t lost = 0;        // records the kernel had no ring-buffer room for
  std::uint64_t malformed = 0;   // records refused by the decoder
  std::uint64_t resyncs = 0;     // process table re-read after losses
  std::uint64_t processes = 0;   // in the table at the end
};

class EbpfSource {
 public:
  explicit EbpfSource(EbpfSourceOptions options) : options_(std::move(options)) {}

  // Traces until *stop (checked at least every 200 ms). Errors: not permitted (not root, no
  // CAP_BPF/CAP_PERFMON: Auth), no kernel BTF, the verifier refused a program, a required
  // tracepoint cannot be attached (Io); the message says which and carries libbpf's last words.
  core::Status run(const std::function<void(const Event&)>& on_event,
                   core::Diagnostics& diagnostics, const std::atomic<bool>* stop);

  [[nodiscard]] EbpfSourceStats stats() const { return stats_; }

  // Whether the programs load here (permissions, BTF, verifier), without attaching them.
  static core::Status probe();

 private:
  EbpfSourceOptions options_;
  EbpfSourceStats stats_;
};

}  // namespace bulwark::events::ebpf
