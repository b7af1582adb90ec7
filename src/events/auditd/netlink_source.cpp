#include "events/auditd/netlink_source.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "events/auditd/record.h"

namespace bulwark::events::auditd {

namespace {

// The kernel's MAX_AUDIT_MESSAGE_LENGTH (not exported to user space) with room to spare.
constexpr std::size_t kMaxMessage = 8970;

std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void forEachMessage(
    std::span<const char> datagram,
    const std::function<void(std::uint32_t type, std::string_view payload)>& on_message) {
  std::size_t offset = 0;
  while (datagram.size() - offset >= sizeof(nlmsghdr)) {
    nlmsghdr header{};
    std::memcpy(&header, datagram.data() + offset, sizeof header);
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > datagram.size() - offset) break;
    std::string_view payload(
        datagram.data() + offset + NLMSG_HDRLEN,
        header.nlmsg_len - std::min<std::size_t>(header.nlmsg_len, NLMSG_HDRLEN));
    while (!payload.empty() && (payload.back() == '\0' || payload.back() == '\n')) {
      payload.remove_suffix(1);
    }
    if (header.nlmsg_type != NLMSG_NOOP && header.nlmsg_type != NLMSG_ERROR &&
        header.nlmsg_type != NLMSG_DONE) {
      on_message(header.nlmsg_type, payload);
    }
    // The kernel's audit messages are single; a multipart datagram is walked to its end.
    const std::size_t next = offset + NLMSG_ALIGN(header.nlmsg_len);
    if (next <= offset) break;
    offset = next;
  }
}

core::Status NetlinkSource::run(const AuditEventCallback& on_event, core::Diagnostics& diagnostics,
                                const std::atomic<bool>* stop) {
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) {
    return core::fail(core::ErrorCode::Io, "auditd-live: cannot open an audit netlink socket: {}",
                      std::strerror(errno));
  }
  const auto close_fd = [fd] { ::close(fd); };
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = AUDIT_NLGRP_READLOG;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    close_fd();
    return core::fail(core::ErrorCode::Io,
                      "auditd-live: cannot join the audit multicast group: {} (needs root or "
                      "CAP_AUDIT_READ, and a kernel with audit)",
                      std::strerror(error));
  }
  // A larger receive buffer rides out bursts; what still overflows is counted (ENOBUFS).
  const int buffer_bytes = 8 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
  if (on_ready_) on_ready_();

  Coalescer coalescer(on_event);
  std::vector<char> buffer(kMaxMessage + NLMSG_HDRLEN + 64);
  while (stop == nullptr || !stop->load()) {
    pollfd ready{fd, POLLIN, 0};
    const int polled = ::poll(&ready, 1, 200);
    if (polled < 0 && errno != EINTR) {
      const int error = errno;
      close_fd();
      return core::fail(core::ErrorCode::Io, "auditd-live: poll: {}", std::strerror(error));
    }
    if (polled > 0) {
      const ssize_t got = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (got < 0) {
        if (errno == ENOBUFS) {
          ++stats_.overruns;
          diagnostics.add("auditd.overrun", "auditd-live",
                          "the socket buffer overflowed: records were lost");
        } else if (errno != EAGAIN && errno != EINTR) {
          const int error = errno;
          close_fd();
          return core::fail(core::ErrorCode::Io, "auditd-live: recv: {}", std::strerror(error));
        }
      } else {
        forEachMessage(std::span<const char>(buffer.data(), static_cast<std::size_t>(got)),
                       [&](std::uint32_t type, std::string_view payload) {
                         ++stats_.messages;
                         auto record = parseNetlink(type, payload);
                         if (!record) {
                           ++stats_.bad;
                           diagnostics.add("auditd.malformed", "auditd-live",
                                           record.error().message);
                           return;
                         }
                         ++stats_.records;
                         coalescer.push(std::move(*record));
                       });
      }
    }
    // Events the kernel never ends (no EOE) complete after the timeout of wall-clock time.
    coalescer.expire(nowNs());
  }
  coalescer.flush();
  close_fd();
  return {};
}

}  // namespace bulwark::events::auditd
