// The proc connector's decoder (src/events/proc/connector.h, docs/dev/runtime-design.md §2.4):
// netlink + cn_msg + proc_event bytes built here (one event with the kernel's own struct, to tie
// our offsets to <linux/cn_proc.h>) → events; short and lying lengths → counted, never read past
// the end (every prefix of a good datagram is decoded from an exact-size heap buffer, which the
// sanitizer builds check).
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "events/proc/connector.h"

namespace {

namespace proc = bulwark::events::proc;
using proc::ConnectorKind;
using Bytes = std::vector<std::byte>;

template <class T>
void put(Bytes& out, T value) {
  const auto* bytes = reinterpret_cast<const std::byte*>(&value);
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

void putInts(Bytes& out, std::initializer_list<std::int32_t> values) {
  for (const auto value : values) put(out, value);
}

// A proc_event: header (what, cpu, timestamp) and the union's bytes.
Bytes event(std::uint32_t what, const Bytes& body, std::uint64_t ns = 123456789,
            std::uint32_t cpu = 1) {
  Bytes out;
  put(out, what);
  put(out, cpu);
  put(out, ns);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes ints(std::initializer_list<std::int32_t> values) {
  Bytes out;
  putInts(out, values);
  return out;
}

// cn_msg around `data`; `len` overrides the length field.
Bytes cn(const Bytes& data, std::uint32_t idx = CN_IDX_PROC, std::uint32_t val = CN_VAL_PROC,
         std::uint32_t seq = 0, std::uint32_t ack = 0, int len = -1) {
  Bytes out;
  put(out, idx);
  put(out, val);
  put(out, seq);
  put(out, ack);
  put(out, static_cast<std::uint16_t>(len < 0 ? data.size() : static_cast<std::size_t>(len)));
  put(out, std::uint16_t{0});
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// nlmsghdr around `payload`, padded to 4 bytes (NLMSG_ALIGN); `len` overrides nlmsg_len.
Bytes nl(const Bytes& payload, std::uint16_t type = NLMSG_DONE, long len = -1) {
  Bytes out;
  put(out,
      static_cast<std::uint32_t>(len < 0 ? 16 + payload.size() : static_cast<std::size_t>(len)));
  put(out, type);
  put(out, std::uint16_t{0});
  put(out, std::uint32_t{7});
  put(out, std::uint32_t{0});
  out.insert(out.end(), payload.begin(), payload.end());
  while (out.size() % 4 != 0) out.push_back(std::byte{0});
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

struct Decoded {
  std::vector<proc::ConnectorEvent> events;
  std::vector<proc::ConnectorAck> acks;
  proc::ConnectorStats stats;
};

// Decodes from an exact-size heap copy, so that reading past the end is a sanitizer error.
Decoded decode(const Bytes& bytes) {
  Decoded decoded;
  auto copy = std::make_unique<std::byte[]>(bytes.size() + 1);
  if (!bytes.empty()) std::memcpy(copy.get(), bytes.data(), bytes.size());
  const std::size_t n = proc::decodeDatagram(std::span<const std::byte>(copy.get(), bytes.size()),
                                             decoded.events, decoded.stats, &decoded.acks);
  EXPECT_EQ(n, decoded.events.size());
  EXPECT_EQ(decoded.stats.events, decoded.events.size());
  EXPECT_EQ(decoded.stats.datagrams, 1U);
  return decoded;
}

TEST(ProcConnectorDecode, KernelStructLayout) {
  // One fork event laid out by the kernel's own struct: our offsets must agree.
  proc_event kernel{};
  kernel.what = proc_event::PROC_EVENT_FORK;
  kernel.cpu = 3;
  kernel.timestamp_ns = 987654321012ULL;
  kernel.event_data.fork.parent_pid = 100;
  kernel.event_data.fork.parent_tgid = 101;
  kernel.event_data.fork.child_pid = 200;
  kernel.event_data.fork.child_tgid = 201;
  Bytes data(sizeof(kernel));
  std::memcpy(data.data(), &kernel, sizeof(kernel));
  const auto decoded = decode(nl(cn(data)));
  ASSERT_EQ(decoded.events.size(), 1U);
  const auto& e = decoded.events[0];
  EXPECT_EQ(e.kind, ConnectorKind::Fork);
  EXPECT_EQ(e.cpu, 3U);
  EXPECT_EQ(e.ktime_ns, 987654321012ULL);
  EXPECT_EQ(e.parent_pid, 100);
  EXPECT_EQ(e.parent_tgid, 101);
  EXPECT_EQ(e.pid, 200);
  EXPECT_EQ(e.tgid, 201);
  EXPECT_EQ(decoded.stats.malformed, 0U);

  proc_event exit_event{};
  exit_event.what = proc_event::PROC_EVENT_EXIT;
  exit_event.event_data.exit.process_pid = 5;
  exit_event.event_data.exit.process_tgid = 6;
  exit_event.event_data.exit.exit_code = 3 << 8;
  exit_event.event_data.exit.exit_signal = 17;
  exit_event.event_data.exit.parent_pid = 7;
  exit_event.event_data.exit.parent_tgid = 8;
  std::memcpy(data.data(), &exit_event, sizeof(exit_event));
  const auto exited = decode(nl(cn(data)));
  ASSERT_EQ(exited.events.size(), 1U);
  EXPECT_EQ(exited.events[0].kind, ConnectorKind::Exit);
  EXPECT_EQ(exited.events[0].pid, 5);
  EXPECT_EQ(exited.events[0].tgid, 6);
  EXPECT_EQ(exited.events[0].exit_code, 768);
  EXPECT_EQ(exited.events[0].exit_signal, 17);
  EXPECT_EQ(exited.events[0].parent_pid, 7);
  EXPECT_EQ(exited.events[0].parent_tgid, 8);
}

TEST(ProcConnectorDecode, EveryKind) {
  Bytes comm = ints({9, 9});
  for (const char c : std::string_view("bash\0\0\0\0\0\0\0\0\0\0\0\0", 16)) {
    comm.push_back(static_cast<std::byte>(c));
  }
  Bytes full_comm = ints({9, 9});
  for (const char c : std::string_view("0123456789abcdef"))
    full_comm.push_back(static_cast<std::byte>(c));
  const Bytes datagram = concat({
      nl(cn(event(0x1, ints({1, 1, 2, 2, 0, 0})))),          // fork
      nl(cn(event(0x2, ints({2, 2, 0, 0, 0, 0})))),          // exec
      nl(cn(event(0x4, ints({3, 4, 1000, 0, 0, 0})))),       // uid
      nl(cn(event(0x40, ints({3, 4, 100, 101, 0, 0})))),     // gid
      nl(cn(event(0x80, ints({5, 5, 0, 0, 0, 0})))),         // sid
      nl(cn(event(0x100, ints({6, 6, 70, 71, 0, 0})))),      // ptrace
      nl(cn(event(0x200, comm))),                            // comm
      nl(cn(event(0x200, full_comm))),                       // comm of 16 bytes, no NUL
      nl(cn(event(0x40000000, ints({8, 8, 1, 1, 0, 0})))),   // coredump
      nl(cn(event(0x80000000, ints({2, 2, 9, -1, 1, 1})))),  // exit (killed, a thread's -1)
      nl(cn(event(0x400, ints({11, 12})))),                  // a kind from a newer kernel
  });
  const auto decoded = decode(datagram);
  ASSERT_EQ(decoded.events.size(), 11U);
  EXPECT_EQ(decoded.stats.malformed, 0U);
  const auto& e = decoded.events;
  EXPECT_EQ(e[0].kind, ConnectorKind::Fork);
  EXPECT_EQ(e[0].pid, 2);
  EXPECT_EQ(e[0].parent_pid, 1);
  EXPECT_EQ(e[1].kind, ConnectorKind::Exec);
  EXPECT_EQ(e[1].tgid, 2);
  EXPECT_EQ(e[2].kind, ConnectorKind::Uid);
  EXPECT_EQ(e[2].pid, 3);
  EXPECT_EQ(e[2].tgid, 4);
  EXPECT_EQ(e[2].ruid, 1000U);
  EXPECT_EQ(e[2].euid, 0U);
  EXPECT_EQ(e[3].kind, ConnectorKind::Gid);
  EXPECT_EQ(e[3].rgid, 100U);
  EXPECT_EQ(e[3].egid, 101U);
  EXPECT_EQ(e[4].kind, ConnectorKind::Sid);
  EXPECT_EQ(e[4].pid, 5);
  EXPECT_EQ(e[5].kind, ConnectorKind::Ptrace);
  EXPECT_EQ(e[5].parent_pid, 70);
  EXPECT_EQ(e[5].parent_tgid, 71);
  EXPECT_EQ(e[6].kind, ConnectorKind::Comm);
  EXPECT_EQ(e[6].comm, "bash");
  EXPECT_EQ(e[7].comm, "0123456789abcdef");
  EXPECT_EQ(e[8].kind, ConnectorKind::Coredump);
  EXPECT_EQ(e[8].parent_pid, 1);
  EXPECT_EQ(e[9].kind, ConnectorKind::Exit);
  EXPECT_EQ(e[9].exit_code, 9);
  EXPECT_EQ(e[9].exit_signal, -1);
  EXPECT_EQ(e[10].kind, ConnectorKind::Other);
  EXPECT_EQ(e[10].what, 0x400U);
  EXPECT_EQ(e[10].pid, 11);
  EXPECT_EQ(e[10].tgid, 12);
  for (const auto& one : e) EXPECT_EQ(one.ktime_ns, 123456789U);
}

TEST(ProcConnectorDecode, OlderKernelBodies) {
  // Older kernels sent exit and coredump bodies without the parent.
  const auto decoded = decode(concat(
      {nl(cn(event(0x80000000, ints({4, 4, 256, 17})))), nl(cn(event(0x40000000, ints({4, 4}))))}));
  ASSERT_EQ(decoded.events.size(), 2U);
  EXPECT_EQ(decoded.events[0].exit_code, 256);
  EXPECT_EQ(decoded.events[0].parent_pid, 0);
  EXPECT_EQ(decoded.events[1].kind, ConnectorKind::Coredump);
  EXPECT_EQ(decoded.events[1].parent_pid, 0);
  EXPECT_EQ(decoded.stats.malformed, 0U);
}

TEST(ProcConnectorDecode, AcksAndOtherMessages) {
  const auto decoded = decode(concat({
      nl(cn(event(0x0, ints({0})), CN_IDX_PROC, CN_VAL_PROC, 42, 1)),  // ack, ok
      nl(cn(event(0x0, ints({1})), CN_IDX_PROC, CN_VAL_PROC, 43, 1)),  // ack, EPERM
      nl({}, NLMSG_NOOP),                                              // skipped
      nl(ints({-1, 0, 0, 0, 0, 0}), NLMSG_ERROR),                      // other
      nl(cn(event(0x2, ints({5, 5})), 0x2, 0x1)),                      // CN_IDX_CIFS
      nl(cn(event(0x2, ints({6, 6})))),                                // exec
  }));
  ASSERT_EQ(decoded.events.size(), 1U);
  EXPECT_EQ(decoded.events[0].pid, 6);
  ASSERT_EQ(decoded.acks.size(), 2U);
  EXPECT_EQ(decoded.acks[0].seq, 42U);
  EXPECT_EQ(decoded.acks[0].ack, 1U);
  EXPECT_EQ(decoded.acks[0].error, 0U);
  EXPECT_EQ(decoded.acks[1].error, 1U);
  EXPECT_EQ(decoded.stats.other, 4U);
  EXPECT_EQ(decoded.stats.malformed, 0U);
}

TEST(ProcConnectorDecode, UnalignedLengths) {
  // A comm body cut to 5 name bytes: the message is 61 bytes, the next starts at 64.
  Bytes comm = ints({3, 3});
  for (const char c : std::string_view("hello")) comm.push_back(static_cast<std::byte>(c));
  const auto decoded =
      decode(concat({nl(cn(event(0x200, comm))), nl(cn(event(0x2, ints({4, 4}))))}));
  ASSERT_EQ(decoded.events.size(), 2U);
  EXPECT_EQ(decoded.events[0].comm, "hello");
  EXPECT_EQ(decoded.events[1].pid, 4);
  // Without the padding after the last message: still fine.
  Bytes last = nl(cn(event(0x200, comm)));
  last.resize(16 + 20 + 16 + 13);
  EXPECT_EQ(decode(last).events.size(), 1U);
  EXPECT_EQ(decode(last).stats.malformed, 0U);
}

TEST(ProcConnectorDecode, LyingLengths) {
  const Bytes good = nl(cn(event(0x2, ints({9, 9}))));
  // nlmsg_len below the header, or past the datagram: the rest of the datagram is dropped.
  EXPECT_EQ(decode(concat({nl(cn(event(0x2, ints({1, 1}))), NLMSG_DONE, 8), good})).stats.malformed,
            1U);
  auto past = decode(concat({good, nl(cn(event(0x2, ints({1, 1}))), NLMSG_DONE, 4000)}));
  EXPECT_EQ(past.events.size(), 1U);
  EXPECT_EQ(past.stats.malformed, 1U);
  // cn_msg len past the message, or shorter than a proc_event header: that message is skipped.
  auto cn_past = decode(
      concat({nl(cn(event(0x2, ints({1, 1})), CN_IDX_PROC, CN_VAL_PROC, 0, 0, 60000)), good}));
  EXPECT_EQ(cn_past.events.size(), 1U);
  EXPECT_EQ(cn_past.stats.malformed, 1U);
  auto cn_short =
      decode(concat({nl(cn(event(0x2, ints({1, 1})), CN_IDX_PROC, CN_VAL_PROC, 0, 0, 15)), good}));
  EXPECT_EQ(cn_short.events.size(), 1U);
  EXPECT_EQ(cn_short.stats.malformed, 1U);
  // A body too short for its kind (fork needs 16 bytes).
  auto short_body = decode(concat({nl(cn(event(0x1, ints({1, 1})))), good}));
  EXPECT_EQ(short_body.events.size(), 1U);
  EXPECT_EQ(short_body.events[0].kind, ConnectorKind::Exec);
  EXPECT_EQ(short_body.stats.malformed, 1U);
  // A netlink payload too short for a cn_msg.
  EXPECT_EQ(decode(nl(ints({1, 2}))).stats.malformed, 1U);
  // Trailing bytes shorter than a netlink header.
  Bytes trailing = good;
  trailing.resize(trailing.size() + 5);
  auto tail = decode(trailing);
  EXPECT_EQ(tail.events.size(), 1U);
  EXPECT_EQ(tail.stats.malformed, 1U);
  // Nothing at all.
  auto empty = decode({});
  EXPECT_TRUE(empty.events.empty());
  EXPECT_EQ(empty.stats.malformed, 0U);
}

TEST(ProcConnectorDecode, EveryPrefixIsSafe) {
  const Bytes datagram = concat({
      nl(cn(event(0x1, ints({1, 1, 2, 2, 0, 0})))),
      nl(cn(event(0x80000000, ints({2, 2, 0, 17, 1, 1})))),
      nl(cn(event(0x200, ints({3, 3, 0x73616261, 0x68})))),
  });
  for (std::size_t n = 0; n <= datagram.size(); ++n) {
    const auto decoded = decode(Bytes(datagram.begin(), datagram.begin() + static_cast<long>(n)));
    EXPECT_LE(decoded.events.size(), 3U);
    if (n < datagram.size() && n > 0) {
      EXPECT_GE(decoded.stats.malformed + decoded.events.size(), 1U) << n;
    }
  }
  EXPECT_EQ(decode(datagram).events.size(), 3U);
}

TEST(ProcConnectorDecode, AppendsAndCounts) {
  std::vector<proc::ConnectorEvent> out(2);
  proc::ConnectorStats stats;
  const Bytes one = nl(cn(event(0x2, ints({1, 1}))));
  EXPECT_EQ(proc::decodeDatagram(one, out, stats), 1U);
  EXPECT_EQ(proc::decodeDatagram(one, out, stats), 1U);
  EXPECT_EQ(out.size(), 4U);
  EXPECT_EQ(stats.datagrams, 2U);
  EXPECT_EQ(stats.events, 2U);
}

TEST(ProcConnector, MonotonicOffset) {
  // The epoch is far behind now and the offset is after 2020 minus the uptime.
  EXPECT_GT(proc::monotonicToEpochOffsetNs(), 1'500'000'000LL * 1'000'000'000LL);
}

}  // namespace
