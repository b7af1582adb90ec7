#include "events/ebpf/ebpf_source.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/embedded.h"
#include "events/ebpf/decode.h"
#include "events/host/host_event.h"
#include "events/proc/connector.h"

namespace bulwark::events::ebpf {

// The BPF object, built from bulwark.bpf.c and embedded by CMake (cmake/Embed.cmake).
std::span<const core::EmbeddedFile> ebpfObjectFiles();

namespace {

using host::Fd;
using host::HostEvent;
using host::Process;
using host::ProcessTable;

// ---- libbpf's messages --------------------------------------------------------------------

// libbpf reports through one process-wide print callback. Its warnings (the verifier's log
// among them) are kept, bounded, so a failure can say why; the rest is dropped.
std::mutex g_log_mutex;
std::string g_log;  // guarded by g_log_mutex
constexpr std::size_t kLogKeep = 16384;

int libbpfPrint(enum libbpf_print_level level, const char* format, va_list args) {
  if (level != LIBBPF_WARN) return 0;
  std::array<char, 2048> line{};
  const int n = std::vsnprintf(line.data(), line.size(), format, args);
  if (n <= 0) return 0;
  const std::lock_guard lock(g_log_mutex);
  g_log.append(line.data(), std::min<std::size_t>(static_cast<std::size_t>(n), line.size() - 1));
  if (g_log.size() > kLogKeep) g_log.erase(0, g_log.size() - kLogKeep);
  return 0;
}

std::string takeLog() {
  const std::lock_guard lock(g_log_mutex);
  std::string out = std::move(g_log);
  g_log.clear();
  return out;
}

// The last lines of libbpf's log, for an error message.
std::string logTail() {
  std::string log = takeLog();
  while (!log.empty() && (log.back() == '\n' || log.back() == ' ')) log.pop_back();
  constexpr std::size_t kTail = 1200;
  if (log.size() > kTail) log = "…" + log.substr(log.size() - kTail);
  return log.empty() ? std::string() : ": " + log;
}

// ---- the BPF object -----------------------------------------------------------------------

struct ObjectCloser {
  void operator()(bpf_object* object) const { bpf_object__close(object); }
};
struct LinkCloser {
  void operator()(bpf_link* link) const { bpf_link__destroy(link); }
};
struct RingCloser {
  void operator()(ring_buffer* ring) const { ring_buffer__free(ring); }
};
using ObjectPtr = std::unique_ptr<bpf_object, ObjectCloser>;
using LinkPtr = std::unique_ptr<bpf_link, LinkCloser>;
using RingPtr = std::unique_ptr<ring_buffer, RingCloser>;

constexpr const char* kBtfPath = "/sys/kernel/btf/vmlinux";

// `hint` says what usually causes an error other than a refused permission.
core::Error loadError(int err, std::string_view what, std::string_view hint = {}) {
  const int code = err < 0 ? -err : err;
  if (code == EPERM || code == EACCES) {
    return core::Error{core::ErrorCode::Auth,
                       fmt::format("{}: not permitted ({}); loading eBPF programs needs root or "
                                   "CAP_BPF with CAP_PERFMON{}",
                                   what, std::strerror(code), logTail())};
  }
  return core::Error{core::ErrorCode::Io,
                     fmt::format("{}: {}{}{}", what, std::strerror(code), hint, logTail())};
}

// Opens and loads (verifies) the embedded object.
core::Result<ObjectPtr> loadObject() {
  if (::access(kBtfPath, R_OK) != 0) {
    return core::fail(core::ErrorCode::Io,
                      "eBPF: the kernel has no BTF ({} missing; CONFIG_DEBUG_INFO_BTF=y is "
                      "needed for CO-RE)",
                      kBtfPath);
  }
  const auto files = ebpfObjectFiles();
  if (files.empty() || files.front().content.empty()) {
    return core::fail(core::ErrorCode::Internal, "eBPF: no BPF object embedded in this build");
  }
  // libelf reads the ELF headers in place: give it an 8-byte aligned copy.
  const std::string_view bytes = files.front().content;
  static std::vector<std::uint64_t> aligned;
  static std::once_flag copied;
  std::call_once(copied, [&] {
    aligned.resize((bytes.size() + 7) / 8);
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
  });
  libbpf_set_print(libbpfPrint);
  takeLog();
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "bulwark");
  bpf_object* raw = bpf_object__open_mem(aligned.data(), bytes.size(), &opts);
  if (raw == nullptr) return tl::unexpected(loadError(errno, "eBPF: opening the BPF object"));
  ObjectPtr object(raw);
  if (const int err = bpf_object__load(object.get()); err != 0) {
    return tl::unexpected(loadError(err, "eBPF: loading the programs",
                                    " (a CO-RE relocation against the kernel's BTF or the "
                                    "verifier failed)"));
  }
  return object;
}

// Syscall tracepoints are found through tracefs; a host that has not mounted it gets it mounted
// at its usual place (what `mount -t tracefs` would do; nothing else changes).
void ensureTracefs() {
  if (::access("/sys/kernel/tracing/events", F_OK) == 0 ||
      ::access("/sys/kernel/debug/tracing/events", F_OK) == 0) {
    return;
  }
  ::mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr);
}

// ---- records → events ---------------------------------------------------------------------

std::string sockName(const std::string& cip, std::optional<std::uint16_t> cport,
                     const std::string& sip, std::optional<std::uint16_t> sport) {
  // Falco's socket fd.name: "cip:cport->sip:sport".
  return fmt::format("{}:{}->{}:{}", cip, cport.value_or(0), sip, sport.value_or(0));
}

Fd::Type socketType(std::uint16_t family) {
  switch (family) {
    case AF_INET: return Fd::Type::Ipv4;
    case AF_INET6: return Fd::Type::Ipv6;
    case AF_UNIX: return Fd::Type::Unix;
    default: return Fd::Type::Other;
  }
}

std::string l4proto(std::uint16_t sock_type) {
  // SOCK_DGRAM is udp; a stream socket, or one unknown (a failed connect), is taken as tcp.
  return sock_type == SOCK_DGRAM ? "udp" : "tcp";
}

std::string readLink(const std::filesystem::path& path) {
  std::error_code error;
  auto target = std::filesystem::read_symlink(path, error);
  return error ? std::string() : target.string();
}

class Converter {
 public:
  Converter(const EbpfSourceOptions& options, ProcessTable& table, EbpfSourceStats& stats,
            const std::function<void(const Event&)>& on_event)
      : options_(options),
        table_(table),
        stats_(stats),
        on_event_(on_event),
        epoch_offset_(proc::monotonicToEpochOffsetNs()) {}

  void handle(const Record& record) {
    const RecordHeader& header = record.header;
    const std::int64_t ts_ns = static_cast<std::int64_t>(header.ts_ns) + epoch_offset_;
    std::visit([&](const auto& body) { on(header, ts_ns, body); }, record.body);
  }

 private:
  void on(const RecordHeader& header, std::int64_t ts_ns, const ExecRecord& exec) {
    ++stats_.execs;
    const std::uint64_t races = table_.stats().exec_races;
    auto snapshot = table_.onExec(header.tgid, ts_ns);
    if (table_.stats().exec_races != races || !snapshot.process || snapshot.process->args_unknown ||
        snapshot.process->exepath.empty()) {
      // Gone before /proc could be read, or read as a zombie (a name, no argv, no executable):
      // the record knows the program and its arguments.
      ++stats_.exec_races;
      snapshot = fromRecord(header, ts_ns, exec, snapshot);
      raced_[header.tgid] = snapshot;
      if (raced_.size() > kMaxRaced) raced_.erase(raced_.begin());
    } else {
      raced_.erase(header.tgid);
    }
    reset("execve", snapshot);
    deliver(ts_ns);
  }

  void on(const RecordHeader& header, std::int64_t ts_ns, const ExitRecord& exit) {
    ++stats_.exits;
    auto snapshot = table_.onExit(header.tgid);
    // A raced exec's process is the one its events had (the table's lacks the program).
    if (const auto raced = raced_.find(header.tgid); raced != raced_.end()) {
      snapshot = raced->second;
      raced_.erase(raced);
    }
    if (!snapshot.process) return;
    reset("procexit", snapshot);
    // Falco's procexit arguments: the wait status and the signal that ended it.
    event_.args = {{"status", std::to_string(exit.exit_code)},
                   {"sig", std::to_string(exit.exit_code & 0x7f)}};
    event_.res = 0;
    deliver(ts_ns);
  }

  void on(const RecordHeader&, std::int64_t ts_ns, const ForkRecord& fork) {
    ++stats_.forks;
    table_.onFork(fork.parent_tgid, fork.child_tgid, ts_ns);
  }

  void on(const RecordHeader& header, std::int64_t ts_ns, const ConnectRecord& connect) {
    ++stats_.connects;
    reset("connect", find(header));
    Fd& fd = event_.fd;
    fd.type = socketType(connect.remote.family);
    fd.num = connect.fd;
    if (fd.type == Fd::Type::Unix) {
      fd.name = connect.unix_path;
    } else {
      // We are the client: our end (read from the socket) is the client address.
      fd.l4proto = l4proto(connect.sock_type);
      fd.sip = addressText(connect.remote);
      fd.sport = connect.remote.port;
      if (connect.local.family == connect.remote.family) {
        fd.cip = addressText(connect.local);
        fd.cport = connect.local.port;
      }
      fd.is_server = false;
      fd.name = sockName(fd.cip, fd.cport, fd.sip, fd.sport);
    }
    fd.connected = connect.res == 0;
    event_.res = connect.res;
    event_.args = {{"fd", std::to_string(connect.fd)}, {"tuple", fd.name}};
    deliver(ts_ns);
  }

  void on(const RecordHeader& header, std::int64_t ts_ns, const AcceptRecord& accept) {
    ++stats_.accepts;
    reset(accept.accept4 ? "accept4" : "accept", find(header));
    Fd& fd = event_.fd;
    fd.type = socketType(accept.local.family);
    fd.num = accept.res;
    fd.l4proto = l4proto(accept.sock_type);
    // We are the server: the peer is the client.
    fd.cip = addressText(accept.remote);
    fd.cport = accept.remote.port;
    fd.sip = addressText(accept.local);
    fd.sport = accept.local.port;
    fd.is_server = true;
    fd.connected = true;
    fd.name = sockName(fd.cip, fd.cport, fd.sip, fd.sport);
    event_.res = accept.res;
    event_.args = {{"fd", std::to_string(accept.res)}, {"tuple", fd.name}};
    deliver(ts_ns);
  }

  void on(const RecordHeader& header, std::int64_t ts_ns, const OpenRecord& open) {
    ++stats_.opens;
    const auto snapshot = find(header);
    reset(std::string(toString(open.call)), snapshot);
    Fd& fd = event_.fd;
    constexpr std::uint32_t kDirectoryFlag = 0200000;  // O_DIRECTORY (x86_64, generic)
    fd.type = (open.flags & kDirectoryFlag) != 0 ? Fd::Type::Directory : Fd::Type::File;
    if (open.res >= 0) fd.num = open.res;
    fd.name = absolute(header.tgid, open, snapshot.process.get());
    if (fd.name != open.path) fd.nameraw = open.path;
    event_.res = open.res;
    const std::string flags = openFlagsText(open.flags);
    event_.args.clear();
    event_.args.emplace_back("fd", std::to_string(open.res));
    if (open.call == OpenCall::Openat || open.call == OpenCall::Openat2) {
      event_.args.emplace_back("dirfd", std::to_string(open.dirfd));
    }
    event_.args.emplace_back("name", open.path);
    if (open.call != OpenCall::Creat) event_.args.emplace_back("flags", flags);
    event_.args.emplace_back("mode", modeText(open.mode));
    deliver(ts_ns);
  }

  // The path an open named, made absolute against the directory it resolved from.
  std::string absolute(std::uint32_t tgid, const OpenRecord& open, const Process* process) const {
    if (open.path.starts_with('/')) {
      return std::filesystem::path(open.path).lexically_normal().string();
    }
    const auto pid_dir = options_.proc_root / std::to_string(tgid);
    std::string base;
    if (open.dirfd == -100) {  // AT_FDCWD
      base = readLink(pid_dir / "cwd");
      if (base.empty() && process != nullptr) base = process->cwd;
    } else {
      base = readLink(pid_dir / "fd" / std::to_string(open.dirfd));
    }
    if (base.empty() || !base.starts_with('/')) return open.path;
    return (std::filesystem::path(base) / open.path).lexically_normal().string();
  }

  // A process the table could not read: what the exec record says.
  ProcessTable::Snapshot fromRecord(const RecordHeader& header, std::int64_t ts_ns,
                                    const ExecRecord& exec,
                                    const ProcessTable::Snapshot& known) const {
    auto process =
        known.process ? std::make_shared<Process>(*known.process) : std::make_shared<Process>();
    process->pid = header.tgid;
    process->ppid = header.ppid;
    process->name = header.comm;
    process->exepath = exec.filename;
    process->args.clear();
    process->args_unknown = exec.argv_unread;
    if (!exec.argv.empty()) {
      process->exe = exec.argv.front();
      process->args.assign(exec.argv.begin() + 1, exec.argv.end());
    } else {
      process->exe = exec.filename;
    }
    process->uid = header.uid;
    process->gid = header.gid;
    process->loginuid = header.loginuid == 0xffffffffU ? -1 : std::int64_t{header.loginuid};
    if (process->start_ns == 0) process->start_ns = ts_ns;
    if (!process->parent) process->parent = table_.find(header.ppid).process;
    return {std::move(process), known.container};
  }

  // The process an event is about: the table's, a raced exec's, or what the header says.
  ProcessTable::Snapshot find(const RecordHeader& header) const {
    if (const auto raced = raced_.find(header.tgid); raced != raced_.end()) return raced->second;
    auto snapshot = table_.find(header.tgid);
    if (snapshot.process) return snapshot;
    auto process = std::make_shared<Process>();
    process->pid = header.tgid;
    process->ppid = header.ppid;
    process->name = header.comm;
    process->args_unknown = true;
    process->uid = header.uid;
    process->gid = header.gid;
    process->parent = table_.find(header.ppid).process;
    return {std::move(process), nullptr};
  }

  void reset(std::string type, const ProcessTable::Snapshot& snapshot) {
    event_ = HostEvent{};
    event_.sensor = host::Sensor::Ebpf;
    event_.hostname = options_.hostname;
    event_.type = std::move(type);
    event_.res = 0;
    event_.process = snapshot.process;
    event_.container = snapshot.container;
  }

  void deliver(std::int64_t ts_ns) {
    Event event;
    event.source = Source::Syscall;
    event.ts_ns = ts_ns;
    event.num = ++num_;
    event.payload = &event_;
    ++stats_.events;
    on_event_(event);
  }

  static constexpr std::size_t kMaxRaced = 4096;
  const EbpfSourceOptions& options_;
  ProcessTable& table_;
  EbpfSourceStats& stats_;
  const std::function<void(const Event&)>& on_event_;
  std::int64_t epoch_offset_;
  std::uint64_t num_ = 0;
  HostEvent event_;
  // Processes whose exec raced /proc, kept (bounded) until their exit.
  std::unordered_map<std::uint32_t, ProcessTable::Snapshot> raced_;
};

// How long a poll waits: the latency of a record when no backlog wakes the reader, and how
// soon a stop is seen.
constexpr int kPollMs = 50;

struct Program {
  const char* name;
  bool required;
};

// Every program of bulwark.bpf.c. The optional ones may be missing on some kernels or
// architectures (open and creat do not exist on arm64).
constexpr Program kPrograms[] = {
    {"handle_exec", true},          {"handle_exit", true},
    {"handle_fork", true},          {"handle_connect_enter", true},
    {"handle_connect_exit", true},  {"handle_openat_enter", true},
    {"handle_openat_exit", true},   {"handle_openat2_enter", false},
    {"handle_openat2_exit", false}, {"handle_open_enter", false},
    {"handle_open_exit", false},    {"handle_creat_enter", false},
    {"handle_creat_exit", false},   {"handle_accept_enter", false},
    {"handle_accept_exit", false},  {"handle_accept4_enter", false},
    {"handle_accept4_exit", false},
};

// Records the kernel could not write (ring buffer full), over all CPUs and kinds.
std::uint64_t readDrops(int map_fd) {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return 0;
  std::vector<std::uint64_t> values(static_cast<std::size_t>(cpus));
  std::uint64_t total = 0;
  for (std::uint32_t kind = 0; kind < 8; ++kind) {
    if (bpf_map_lookup_elem(map_fd, &kind, values.data()) != 0) continue;
    for (const auto value : values) total += value;
  }
  return total;
}

struct RingContext {
  RecordDecoder decoder;
  Converter* converter = nullptr;
  Record record;
};

int onRecord(void* context, void* data, std::size_t size) {
  auto& ring = *static_cast<RingContext*>(context);
  const std::span<const std::byte> bytes(static_cast<const std::byte*>(data), size);
  if (ring.decoder.decode(bytes, ring.record) == DecodeStatus::Ok) {
    ring.converter->handle(ring.record);
  }
  return 0;
}

}  // namespace

core::Status EbpfSource::probe() {
  auto object = loadObject();
  if (!object) return tl::unexpected(object.error());
  return {};
}

core::Status EbpfSource::run(const std::function<void(const Event&)>& on_event,
                             core::Diagnostics& diagnostics, const std::atomic<bool>* stop) {
  auto object = loadObject();
  if (!object) return tl::unexpected(object.error());
  bpf_object* obj = object->get();

  bpf_map* events_map = bpf_object__find_map_by_name(obj, "events");
  bpf_map* self_map = bpf_object__find_map_by_name(obj, "self_tgid");
  bpf_map* drops_map = bpf_object__find_map_by_name(obj, "drops");
  if (events_map == nullptr || self_map == nullptr || drops_map == nullptr) {
    return core::fail(core::ErrorCode::Internal, "eBPF: the BPF object lacks its maps");
  }
  // Our own opens and connects (the process table reads /proc and passwd files) are not events.
  const std::uint32_t key = 0;
  const auto self = static_cast<std::uint32_t>(::getpid());
  if (bpf_map_update_elem(bpf_map__fd(self_map), &key, &self, BPF_ANY) != 0) {
    return tl::unexpected(loadError(errno, "eBPF: setting the reader's pid"));
  }

  ensureTracefs();
  std::vector<LinkPtr> links;
  for (const auto& program : kPrograms) {
    bpf_program* prog = bpf_object__find_program_by_name(obj, program.name);
    bpf_link* link = prog != nullptr ? bpf_program__attach(prog) : nullptr;
    if (link == nullptr) {
      const int err = prog != nullptr ? errno : ENOENT;
      if (program.required) {
        return tl::unexpected(loadError(err, fmt::format("eBPF: attaching {}", program.name),
                                        " (is tracefs mounted at /sys/kernel/tracing?)"));
      }
      takeLog();
      diagnostics.add("ebpf.attach", "ebpf",
                      fmt::format("{} not attached ({}): its events are not reported", program.name,
                                  std::strerror(err)));
      continue;
    }
    links.emplace_back(link);
  }

  host::ProcessTable::Options table_options;
  table_options.proc_root = options_.proc_root;
  table_options.resolve_container = options_.resolve_container;
  host::ProcessTable table(std::move(table_options));
  table.scan();

  Converter converter(options_, table, stats_, on_event);
  RingContext context;
  context.converter = &converter;
  RingPtr ring(ring_buffer__new(bpf_map__fd(events_map), onRecord, &context, nullptr));
  if (!ring) return tl::unexpected(loadError(errno, "eBPF: opening the ring buffer"));
  if (options_.on_ready) options_.on_ready();

  const int drops_fd = bpf_map__fd(drops_map);
  std::uint64_t drops_seen = 0;
  auto next_drop_check = std::chrono::steady_clock::now();
  core::Status status;
  while (stop == nullptr || !stop->load()) {
    const int n = ring_buffer__poll(ring.get(), kPollMs);
    if (n < 0 && n != -EINTR) {
      status = tl::unexpected(loadError(n, "eBPF: polling the ring buffer"));
      break;
    }
    // The program wakes the reader only for a backlog (bulwark.bpf.c, wakeup_flags): records
    // are otherwise read here, at most one timeout after they were written.
    if (n == 0) ring_buffer__consume(ring.get());
    const auto now = std::chrono::steady_clock::now();
    if (now < next_drop_check) continue;
    next_drop_check = now + std::chrono::seconds(1);
    // The kernel dropped records: the table may have missed forks and exits, read /proc again.
    const std::uint64_t drops = readDrops(drops_fd);
    if (drops != drops_seen) {
      diagnostics.add("ebpf.lost", "ebpf",
                      fmt::format("the kernel dropped {} record(s) (ring buffer full); the "
                                  "process table was read again from /proc",
                                  drops - drops_seen));
      drops_seen = drops;
      ++stats_.resyncs;
      table.scan();
    }
  }
  // What is still buffered is delivered.
  ring_buffer__consume(ring.get());

  stats_.lost = readDrops(drops_fd);
  stats_.malformed = context.decoder.stats().malformed;
  stats_.processes = table.stats().processes;
  if (stats_.malformed != 0) {
    diagnostics.add(
        "ebpf.short-record", "ebpf",
        fmt::format("{} record(s) refused ({}, the last)", stats_.malformed,
                    toString(static_cast<DecodeStatus>(context.decoder.stats().last_status))));
  }
  if (stats_.exec_races != 0) {
    diagnostics.add("ebpf.exec-race", "ebpf",
                    fmt::format("{} of {} program(s) ended before /proc could be read: their "
                                "events carry what the kernel recorded (no cwd, no container "
                                "details)",
                                stats_.exec_races, stats_.execs));
  }
  return status;
}

}  // namespace bulwark::events::ebpf
