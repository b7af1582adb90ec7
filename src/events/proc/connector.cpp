#include "events/proc/connector.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace bulwark::events::proc {

namespace {

// Wire layout (host byte order), read with memcpy at explicit offsets so that nothing depends on
// the alignment of the receive buffer or on the C structs' padding:
//   nlmsghdr   16 bytes: len u32, type u16, flags u16, seq u32, pid u32
//   cn_msg     20 bytes: idx u32, val u32, seq u32, ack u32, len u16, flags u16
//   proc_event 16 bytes of header (what u32, cpu u32, timestamp_ns u64), then the union.
constexpr std::size_t kNlHeader = 16;
constexpr std::size_t kCnHeader = 20;
constexpr std::size_t kEventHeader = 16;
static_assert(sizeof(nlmsghdr) == kNlHeader);
static_assert(sizeof(cn_msg) == kCnHeader);
static_assert(offsetof(proc_event, event_data) == kEventHeader);

// proc_event::what (a nested enum in C++; spelled out so that the values are those of the wire
// whatever the installed header's age).
constexpr std::uint32_t kWhatNone = 0x00000000;
constexpr std::uint32_t kWhatFork = 0x00000001;
constexpr std::uint32_t kWhatExec = 0x00000002;
constexpr std::uint32_t kWhatUid = 0x00000004;
constexpr std::uint32_t kWhatGid = 0x00000040;
constexpr std::uint32_t kWhatSid = 0x00000080;
constexpr std::uint32_t kWhatPtrace = 0x00000100;
constexpr std::uint32_t kWhatComm = 0x00000200;
constexpr std::uint32_t kWhatCoredump = 0x40000000;
constexpr std::uint32_t kWhatExit = 0x80000000;
static_assert(kWhatExit == proc_event::PROC_EVENT_EXIT && kWhatComm == proc_event::PROC_EVENT_COMM);

// SO_RCVBUF: a fork bomb or a build makes thousands of events a second; 4 MiB holds about
// 12 000 datagrams (each costs ~350 bytes of kernel buffer): measured, ~1.5 s of two cores
// spawning /bin/true flat out with nobody reading.
constexpr int kReceiveBufferBytes = 4 << 20;
// recv() buffer: the kernel sends one event per datagram, ~80 bytes; room for anything.
constexpr std::size_t kDatagramBytes = 64 << 10;
// How often run() looks at the stop flag.
constexpr int kPollMs = 200;
// How long open() waits for the kernel's answer to PROC_CN_MCAST_LISTEN.
constexpr auto kAckWait = std::chrono::seconds(2);
// Events kept while open() waits for the ack; more are counted lost.
constexpr std::size_t kMaxPending = 65536;
// Datagrams read in a row before the stop flag is looked at again.
constexpr int kDrainBatch = 256;

template <class T>
T load(const std::byte* at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

int loadInt(const std::byte* at) { return load<std::int32_t>(at); }

// The size of the union member each kind needs (older kernels send shorter exit and coredump
// bodies, without the parent; the rest is read when present).
std::size_t requiredBody(std::uint32_t what) {
  switch (what) {
    case kWhatNone: return 4;
    case kWhatFork: return 16;
    case kWhatExec: return 8;
    case kWhatUid: return 16;
    case kWhatGid: return 16;
    case kWhatSid: return 8;
    case kWhatPtrace: return 16;
    case kWhatComm: return 8;
    case kWhatCoredump: return 8;
    case kWhatExit: return 16;
    default: return 0;
  }
}

// One proc_event of `size` bytes (size ≥ kEventHeader + requiredBody, checked by the caller).
ConnectorEvent decodeEvent(const std::byte* at, std::size_t size) {
  ConnectorEvent event;
  event.what = load<std::uint32_t>(at);
  event.cpu = load<std::uint32_t>(at + 4);
  event.ktime_ns = load<std::uint64_t>(at + 8);
  const std::byte* body = at + kEventHeader;
  const std::size_t body_size = size - kEventHeader;
  if (body_size >= 8) {
    event.pid = loadInt(body);
    event.tgid = loadInt(body + 4);
  }
  switch (event.what) {
    case kWhatFork:
      event.kind = ConnectorKind::Fork;
      event.parent_pid = loadInt(body);
      event.parent_tgid = loadInt(body + 4);
      event.pid = loadInt(body + 8);
      event.tgid = loadInt(body + 12);
      break;
    case kWhatExec: event.kind = ConnectorKind::Exec; break;
    case kWhatUid:
      event.kind = ConnectorKind::Uid;
      event.ruid = load<std::uint32_t>(body + 8);
      event.euid = load<std::uint32_t>(body + 12);
      break;
    case kWhatGid:
      event.kind = ConnectorKind::Gid;
      event.rgid = load<std::uint32_t>(body + 8);
      event.egid = load<std::uint32_t>(body + 12);
      break;
    case kWhatSid: event.kind = ConnectorKind::Sid; break;
    case kWhatPtrace:
      event.kind = ConnectorKind::Ptrace;
      event.parent_pid = loadInt(body + 8);
      event.parent_tgid = loadInt(body + 12);
      break;
    case kWhatComm: {
      event.kind = ConnectorKind::Comm;
      // Up to 16 bytes, NUL-terminated when shorter; a body cut short gives what is there.
      const std::size_t room = std::min<std::size_t>(16, body_size - 8);
      const auto* chars = reinterpret_cast<const char*>(body + 8);
      event.comm.assign(chars, std::find(chars, chars + room, '\0'));
      break;
    }
    case kWhatCoredump:
      event.kind = ConnectorKind::Coredump;
      if (body_size >= 16) {
        event.parent_pid = loadInt(body + 8);
        event.parent_tgid = loadInt(body + 12);
      }
      break;
    case kWhatExit:
      event.kind = ConnectorKind::Exit;
      event.exit_code = loadInt(body + 8);
      event.exit_signal = loadInt(body + 12);
      if (body_size >= 24) {
        event.parent_pid = loadInt(body + 16);
        event.parent_tgid = loadInt(body + 20);
      }
      break;
    default: event.kind = ConnectorKind::Other; break;
  }
  return event;
}

core::Error systemError(core::ErrorCode code, std::string_view what, int error) {
  return core::Error{code, fmt::format("proc connector: {}: {}", what, std::strerror(error))};
}

}  // namespace

std::size_t decodeDatagram(std::span<const std::byte> bytes, std::vector<ConnectorEvent>& out,
                           ConnectorStats& stats, std::vector<ConnectorAck>* acks) {
  ++stats.datagrams;
  std::size_t decoded = 0;
  std::size_t at = 0;
  while (bytes.size() - at >= kNlHeader) {
    const std::byte* header = bytes.data() + at;
    const auto length = load<std::uint32_t>(header);
    const auto type = load<std::uint16_t>(header + 4);
    if (length < kNlHeader || length > bytes.size() - at) {
      ++stats.malformed;
      return decoded;
    }
    // The next message starts at the 4-byte aligned end of this one (NLMSG_ALIGN).
    const std::size_t aligned = (std::size_t{length} + 3) & ~std::size_t{3};
    at = aligned >= bytes.size() - at ? bytes.size() : at + aligned;

    if (type == NLMSG_NOOP) continue;
    if (type == NLMSG_ERROR || type == NLMSG_OVERRUN) {
      ++stats.other;
      continue;
    }
    const std::byte* payload = header + kNlHeader;
    const std::size_t payload_size = length - kNlHeader;
    if (payload_size < kCnHeader) {
      ++stats.malformed;
      continue;
    }
    const auto idx = load<std::uint32_t>(payload);
    const auto val = load<std::uint32_t>(payload + 4);
    if (idx != CN_IDX_PROC || val != CN_VAL_PROC) {
      ++stats.other;
      continue;
    }
    const auto data_size = std::size_t{load<std::uint16_t>(payload + 16)};
    if (data_size > payload_size - kCnHeader || data_size < kEventHeader) {
      ++stats.malformed;
      continue;
    }
    const std::byte* event_bytes = payload + kCnHeader;
    const auto what = load<std::uint32_t>(event_bytes);
    if (data_size - kEventHeader < requiredBody(what)) {
      ++stats.malformed;
      continue;
    }
    if (what == kWhatNone) {
      ++stats.other;
      if (acks != nullptr) {
        acks->push_back(ConnectorAck{load<std::uint32_t>(payload + 8),
                                     load<std::uint32_t>(payload + 12),
                                     load<std::uint32_t>(event_bytes + kEventHeader)});
      }
      continue;
    }
    out.push_back(decodeEvent(event_bytes, data_size));
    ++stats.events;
    ++decoded;
  }
  if (at != bytes.size()) ++stats.malformed;  // trailing bytes shorter than a header
  return decoded;
}

std::int64_t monotonicToEpochOffsetNs() {
  const auto ns = [](clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
  };
  const std::int64_t before = ns(CLOCK_REALTIME);
  const std::int64_t monotonic = ns(CLOCK_MONOTONIC);
  const std::int64_t after = ns(CLOCK_REALTIME);
  return before + (after - before) / 2 - monotonic;
}

Connector::Connector(int fd) : fd_(fd), buffer_(kDatagramBytes) {}

Connector::Connector(Connector&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      seq_(other.seq_),
      buffer_(std::move(other.buffer_)),
      pending_(std::move(other.pending_)),
      datagrams_(other.datagrams_.load()),
      events_(other.events_.load()),
      malformed_(other.malformed_.load()),
      lost_(other.lost_.load()),
      other_(other.other_.load()) {}

Connector& Connector::operator=(Connector&& other) noexcept {
  if (this == &other) return *this;
  if (fd_ >= 0) {
    (void)sendOp(PROC_CN_MCAST_IGNORE);
    ::close(fd_);
  }
  fd_ = std::exchange(other.fd_, -1);
  seq_ = other.seq_;
  buffer_ = std::move(other.buffer_);
  pending_ = std::move(other.pending_);
  datagrams_ = other.datagrams_.load();
  events_ = other.events_.load();
  malformed_ = other.malformed_.load();
  lost_ = other.lost_.load();
  other_ = other.other_.load();
  return *this;
}

Connector::~Connector() {
  if (fd_ < 0) return;
  (void)sendOp(PROC_CN_MCAST_IGNORE);
  ::close(fd_);
}

core::Result<Connector> Connector::open() {
  const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) {
    const int error = errno;
    return tl::unexpected(
        systemError(error == EPERM || error == EACCES ? core::ErrorCode::Auth : core::ErrorCode::Io,
                    "socket(NETLINK_CONNECTOR)", error));
  }
  Connector connector(fd);

  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = CN_IDX_PROC;
  address.nl_pid = 0;  // the kernel picks a port id
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    const int error = errno;
    return tl::unexpected(systemError(error == EPERM ? core::ErrorCode::Auth : core::ErrorCode::Io,
                                      "bind(CN_IDX_PROC)", error));
  }
  // SO_RCVBUFFORCE passes rmem_max (needs CAP_NET_ADMIN, which listening needs anyway); without
  // it SO_RCVBUF gives what rmem_max allows. A smaller buffer only means earlier ENOBUFS.
  int size = kReceiveBufferBytes;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0) {
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  }

  // A sequence number of our own, to tell our ack from those of other listeners.
  connector.seq_ =
      static_cast<std::uint32_t>(::getpid()) ^
      static_cast<std::uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  if (auto sent = connector.sendOp(PROC_CN_MCAST_LISTEN); !sent)
    return tl::unexpected(sent.error());
  if (auto acked = connector.awaitAck(connector.seq_); !acked) {
    return tl::unexpected(acked.error());
  }
  return connector;
}

core::Status Connector::sendOp(std::uint32_t op) {
  // nlmsghdr + cn_msg + the op, laid out as decodeDatagram reads them.
  std::array<std::byte, kNlHeader + kCnHeader + sizeof(std::uint32_t)> request{};
  const auto put = [&request](std::size_t at, auto value) {
    std::memcpy(request.data() + at, &value, sizeof(value));
  };
  put(0, static_cast<std::uint32_t>(request.size()));  // nlmsg_len
  put(4, static_cast<std::uint16_t>(NLMSG_DONE));      // nlmsg_type
  put(8, seq_);                                        // nlmsg_seq
  put(kNlHeader, static_cast<std::uint32_t>(CN_IDX_PROC));
  put(kNlHeader + 4, static_cast<std::uint32_t>(CN_VAL_PROC));
  put(kNlHeader + 8, seq_);                                     // cn_msg seq
  put(kNlHeader + 12, seq_);                                    // cn_msg ack: see awaitAck
  put(kNlHeader + 16, static_cast<std::uint16_t>(sizeof(op)));  // cn_msg len
  put(kNlHeader + kCnHeader, op);

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  while (::sendto(fd_, request.data(), request.size(), 0,
                  reinterpret_cast<const sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    if (errno == EINTR) continue;
    const int error = errno;
    return tl::unexpected(systemError(error == EPERM ? core::ErrorCode::Auth : core::ErrorCode::Io,
                                      "send request", error));
  }
  return {};
}

core::Status Connector::awaitAck(std::uint32_t seq) {
  // The kernel answers a request it accepts or refuses for lack of CAP_NET_ADMIN with an ack;
  // a caller outside the initial user or pid namespace gets no answer (and no events), nor does
  // a refused caller when nobody else listens: the deadline covers those.
  const auto deadline = std::chrono::steady_clock::now() + kAckWait;
  std::vector<ConnectorEvent> events;
  std::vector<ConnectorAck> acks;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd poll_fd{fd_, POLLIN, 0};
    const int ready = ::poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR)
      return tl::unexpected(systemError(core::ErrorCode::Io, "poll", errno));
    if (ready <= 0) continue;
    events.clear();
    acks.clear();
    auto got = receiveOnce(events, &acks);
    if (!got) return tl::unexpected(got.error());
    const std::size_t room = kMaxPending - std::min(kMaxPending, pending_.size());
    if (events.size() > room) lost_ += events.size() - room;
    pending_.insert(pending_.end(), events.begin(),
                    events.begin() + static_cast<std::ptrdiff_t>(std::min(room, events.size())));
    for (const auto& ack : acks) {
      // Our ack: the kernel answers with our cn_msg ack + 1 (its seq is the kernel's own event
      // counter since Linux 4.x, not ours), so the request's ack field carries our number.
      if (ack.ack != seq + 1) continue;
      if (ack.error == 0) return {};
      return tl::unexpected(
          systemError(ack.error == EPERM ? core::ErrorCode::Auth : core::ErrorCode::Io,
                      "PROC_CN_MCAST_LISTEN refused", static_cast<int>(ack.error)));
    }
  }
  return core::fail(core::ErrorCode::Auth,
                    "proc connector: no answer to PROC_CN_MCAST_LISTEN within {} s (needs the "
                    "initial user and pid namespaces, and CAP_NET_ADMIN before Linux 6.6)",
                    std::chrono::duration_cast<std::chrono::seconds>(kAckWait).count());
}

core::Result<bool> Connector::receiveOnce(std::vector<ConnectorEvent>& events,
                                          std::vector<ConnectorAck>* acks) {
  sockaddr_nl from{};
  socklen_t from_size = sizeof(from);
  const ssize_t n = ::recvfrom(fd_, buffer_.data(), buffer_.size(), MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&from), &from_size);
  if (n < 0) {
    const int error = errno;
    if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR) return false;
    if (error == ENOBUFS) {
      ++lost_;
      return false;
    }
    return tl::unexpected(systemError(core::ErrorCode::Io, "recv", error));
  }
  ConnectorStats delta;
  if (from.nl_pid != 0) {
    // Only the kernel speaks on this group; anything else is not to be believed.
    ++delta.datagrams;
    ++delta.malformed;
  } else {
    decodeDatagram(std::span<const std::byte>(buffer_.data(), static_cast<std::size_t>(n)), events,
                   delta, acks);
  }
  count(delta);
  return true;
}

void Connector::count(const ConnectorStats& delta) {
  datagrams_ += delta.datagrams;
  events_ += delta.events;
  malformed_ += delta.malformed;
  lost_ += delta.lost;
  other_ += delta.other;
}

core::Result<std::size_t> Connector::poll(
    const std::function<void(const ConnectorEvent&)>& callback, std::chrono::milliseconds timeout) {
  if (fd_ < 0) return core::fail(core::ErrorCode::Internal, "proc connector: not open");
  std::size_t delivered = pending_.size();
  for (const auto& event : pending_) callback(event);
  pending_.clear();
  pollfd poll_fd{fd_, POLLIN, 0};
  const int ready =
      ::poll(&poll_fd, 1, static_cast<int>(std::max<std::int64_t>(0, timeout.count())));
  if (ready < 0) {
    if (errno == EINTR) return delivered;
    return tl::unexpected(systemError(core::ErrorCode::Io, "poll", errno));
  }
  if (ready == 0) return delivered;
  for (int i = 0; i < kDrainBatch; ++i) {
    batch_.clear();
    auto got = receiveOnce(batch_, nullptr);
    if (!got) return tl::unexpected(got.error());
    for (const auto& event : batch_) callback(event);
    delivered += batch_.size();
    if (!*got) break;
  }
  return delivered;
}

core::Status Connector::run(const std::function<void(const ConnectorEvent&)>& callback,
                            const std::atomic<bool>* stop) {
  while (stop == nullptr || !stop->load(std::memory_order_relaxed)) {
    auto polled = poll(callback, std::chrono::milliseconds(kPollMs));
    if (!polled) return tl::unexpected(polled.error());
  }
  return {};
}

ConnectorStats Connector::stats() const {
  ConnectorStats stats;
  stats.datagrams = datagrams_.load(std::memory_order_relaxed);
  stats.events = events_.load(std::memory_order_relaxed);
  stats.malformed = malformed_.load(std::memory_order_relaxed);
  stats.lost = lost_.load(std::memory_order_relaxed);
  stats.other = other_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace bulwark::events::proc
