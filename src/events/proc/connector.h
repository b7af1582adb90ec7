// The `proc` sensor's kernel side (docs/dev/runtime-design.md §2.4): the netlink process-events
// connector (<linux/cn_proc.h>). A NETLINK_CONNECTOR socket bound to the CN_IDX_PROC multicast
// group receives one proc_event per fork, exec, exit, id change, setsid, ptrace, comm change and
// core dump of every task on the machine, threads included (pid != tgid). It carries ids only:
// names, paths and argv are read from /proc at once (events/host/procfs.h), racing the process.
//
// decodeDatagram is pure (the tests and the fuzzer feed it bytes); Connector owns the socket.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace bulwark::events::proc {

enum class ConnectorKind : std::uint8_t {
  Fork,      // clone/fork of a process or a thread: pid/tgid the child, parent_* the parent
  Exec,      // execve succeeded in pid/tgid
  Exit,      // pid/tgid ended (every thread reports its own exit)
  Uid,       // ruid/euid changed
  Gid,       // rgid/egid changed
  Sid,       // setsid
  Comm,      // comm changed (prctl PR_SET_NAME, or a thread's name)
  Ptrace,    // attach (parent_* = the tracer) or detach (parent_* = 0)
  Coredump,  // pid/tgid is dumping core
  Other,     // a proc_event `what` this build does not know
};

struct ConnectorEvent {
  ConnectorKind kind = ConnectorKind::Other;
  std::uint64_t ktime_ns = 0;           // ktime_get_ns() at the event: CLOCK_MONOTONIC
  int pid = 0;                          // the task (thread) id
  int tgid = 0;                         // the process id
  int parent_pid = 0, parent_tgid = 0;  // Fork, Exit, Coredump: the parent; Ptrace: tracer
  // Exit: task->exit_code, the wait(2) status (exit(3) → 3 << 8; killed by SIGKILL → 9), and
  // task->exit_signal, the signal the parent is sent (SIGCHLD, or -1 for a thread).
  int exit_code = 0, exit_signal = 0;
  std::uint32_t ruid = 0, euid = 0;  // Uid
  std::uint32_t rgid = 0, egid = 0;  // Gid
  std::string comm;                  // Comm: the new name (up to 15 bytes)
  std::uint32_t what = 0;            // the raw proc_event `what` (for Other)
  std::uint32_t cpu = 0;
};

struct ConnectorStats {
  std::uint64_t datagrams = 0;  // recv() buffers decoded
  std::uint64_t events = 0;     // proc events decoded (and delivered by run)
  std::uint64_t malformed = 0;  // netlink or connector headers, or event bodies, too short or
                                // lying about their length; datagrams not from the kernel
  std::uint64_t lost = 0;       // times recv() said ENOBUFS: the socket buffer overflowed and an
                                // unknown number of events was dropped (plus events over the
                                // bound kept while open() waited for its ack)
  std::uint64_t other = 0;      // well-formed messages that are not proc events (NLMSG_ERROR,
                                // another connector id) and acks of listen/ignore requests
};

// The kernel's answer to a PROC_CN_MCAST_LISTEN/IGNORE request (a proc_event with what = 0),
// sent to every listener: `ack` is the request's cn_msg ack plus one; `seq` is the kernel's
// per-CPU event counter (not the request's).
struct ConnectorAck {
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint32_t error = 0;  // 0, or an errno (EPERM)
};

// Decodes one recv() buffer: a sequence of netlink messages (NLMSG_NOOP skipped, NLMSG_ERROR
// counted as other; the connector sends its messages as NLMSG_DONE), each a cn_msg with the id
// {CN_IDX_PROC, CN_VAL_PROC} and a proc_event. Every length is checked against what is there; a
// bad header stops the datagram (counted once as malformed), a bad event skips that message.
// Appends to `out` (and acks to `acks` when given); returns the number of events appended.
std::size_t decodeDatagram(std::span<const std::byte> bytes, std::vector<ConnectorEvent>& out,
                           ConnectorStats& stats, std::vector<ConnectorAck>* acks = nullptr);

// The offset to add to a ConnectorEvent::ktime_ns (CLOCK_MONOTONIC) to get ns since the epoch,
// measured now (it moves when the wall clock is set).
std::int64_t monotonicToEpochOffsetNs();

class Connector {
 public:
  // socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR), bind to the CN_IDX_PROC group, a 4 MiB
  // receive buffer (SO_RCVBUFFORCE as root, else SO_RCVBUF up to rmem_max), then
  // PROC_CN_MCAST_LISTEN; waits up to 1 s for the kernel's ack (events arriving meanwhile are
  // kept for run). Errors: Auth when the kernel refuses or does not answer (before Linux 6.6
  // listening needs CAP_NET_ADMIN; any kernel answers only callers in the initial user and pid
  // namespaces), Io otherwise (no CONFIG_PROC_EVENTS: EPROTONOSUPPORT…).
  static core::Result<Connector> open();

  Connector(Connector&& other) noexcept;
  Connector& operator=(Connector&& other) noexcept;
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;
  // Sends PROC_CN_MCAST_IGNORE (the kernel counts listeners and skips the work without any)
  // and closes the socket.
  ~Connector();

  // Receives and delivers events until *stop is true (looked at least every 200 ms) or a
  // receive error other than ENOBUFS/EINTR (Io). ENOBUFS counts `lost` and goes on: the caller
  // resynchronises its process table from /proc when stats().lost grows.
  core::Status run(const std::function<void(const ConnectorEvent&)>& callback,
                   const std::atomic<bool>* stop);

  // One step of run, for a caller with its own loop (an EventSource's poll): delivers the
  // events kept by open(), then waits up to `timeout` for the socket and delivers what up to 256
  // datagrams hold. Returns the number of events delivered; errors as run.
  core::Result<std::size_t> poll(const std::function<void(const ConnectorEvent&)>& callback,
                                 std::chrono::milliseconds timeout);

  // Safe to call from another thread while run is going (the counters are copied racily but
  // each one is read whole).
  [[nodiscard]] ConnectorStats stats() const;

 private:
  explicit Connector(int fd);
  core::Status sendOp(std::uint32_t op);
  core::Status awaitAck(std::uint32_t seq);
  // One recv() without blocking: true when a datagram was read and decoded into `events`
  // (and `acks`), false when there was none (or EINTR, or ENOBUFS, counted); an Io error ends run.
  core::Result<bool> receiveOnce(std::vector<ConnectorEvent>& events,
                                 std::vector<ConnectorAck>* acks);
  void count(const ConnectorStats& delta);

  int fd_ = -1;
  std::uint32_t seq_ = 0;
  std::vector<std::byte> buffer_;
  std::vector<ConnectorEvent> pending_;  // decoded while open() waited for the ack
  std::vector<ConnectorEvent> batch_;    // reused by poll
  std::atomic<std::uint64_t> datagrams_{0}, events_{0}, malformed_{0}, lost_{0}, other_{0};
};

}  // namespace bulwark::events::proc
