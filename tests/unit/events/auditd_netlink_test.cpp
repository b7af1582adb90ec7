// The audit netlink framing of `auditd-live` (src/events/auditd/netlink_source.h): datagrams of
// one or more nlmsghdr messages, payloads without their NULs, control messages skipped,
// truncated or lying headers ending the walk without reading past the datagram.
#include <linux/netlink.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "events/auditd/netlink_source.h"
#include "events/auditd/record.h"

namespace bulwark::events::auditd {
namespace {

std::string message(std::uint16_t type, const std::string& payload, bool nul = true) {
  const std::size_t size = payload.size() + (nul ? 1 : 0);
  std::string out(NLMSG_SPACE(size), '\0');
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(NLMSG_LENGTH(size));
  header.nlmsg_type = type;
  std::memcpy(out.data(), &header, sizeof header);
  std::memcpy(out.data() + NLMSG_HDRLEN, payload.data(), payload.size());
  return out;
}

using Seen = std::vector<std::pair<std::uint32_t, std::string>>;

Seen walk(const std::string& datagram) {
  Seen out;
  forEachMessage(std::span<const char>(datagram.data(), datagram.size()),
                 [&](std::uint32_t type, std::string_view payload) {
                   out.emplace_back(type, std::string(payload));
                 });
  return out;
}

constexpr std::string_view kSyscall =
    "audit(1795503529.322:42): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 "
    "items=2 ppid=1 pid=4242 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
    "fsgid=0 tty=pts0 ses=3 comm=\"id\" exe=\"/usr/bin/id\" key=(null)";

TEST(AuditNetlink, MessagesOfADatagramWithoutTheirNuls) {
  const std::string datagram = message(1300, std::string(kSyscall)) +
                               message(1320, "audit(1795503529.322:42): ", false) +
                               message(NLMSG_NOOP, "");
  const Seen seen = walk(datagram);
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].first, 1300U);
  EXPECT_EQ(seen[0].second, kSyscall);
  EXPECT_EQ(seen[1].first, 1320U);
  // The payload parses as the record auditd would have logged.
  const auto record = parseNetlink(seen[0].first, seen[0].second);
  ASSERT_TRUE(record) << record.error().message;
  EXPECT_EQ(record->typeName(), "SYSCALL");
  EXPECT_EQ(record->serial(), 42U);
}

TEST(AuditNetlink, TruncatedAndLyingHeadersEndTheWalk) {
  const std::string good = message(1107, "audit(1.0:1): pid=1 uid=0 msg='x'");
  EXPECT_EQ(walk(good.substr(0, 10)).size(), 0U);               // shorter than a header
  EXPECT_EQ(walk(good.substr(0, good.size() - 8)).size(), 0U);  // the length says more
  std::string lying = good;
  nlmsghdr header{};
  std::memcpy(&header, lying.data(), sizeof header);
  header.nlmsg_len = 4;  // less than a header
  std::memcpy(lying.data(), &header, sizeof header);
  EXPECT_EQ(walk(lying + good).size(), 0U);
  EXPECT_EQ(walk(good + good.substr(0, 20)).size(), 1U);  // a good message, then garbage
}

}  // namespace
}  // namespace bulwark::events::auditd
