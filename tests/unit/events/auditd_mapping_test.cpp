// Linux audit events as host events (src/events/auditd/mapping): the records of hand-written
// auditd events (tests/fixtures/runtime/falco_syscall/auditd.log) and of go-libaudit's
// aucoalesce inputs become the syscall fields Falco's rules read.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "events/auditd/file_reader.h"
#include "events/auditd/mapping.h"
#include "events/field.h"
#include "testdata.h"

namespace bulwark::events::auditd {
namespace {

using Strings = std::vector<std::string>;

std::vector<host::HostEvent> readFixture() {
  std::vector<host::HostEvent> out;
  core::Diagnostics diagnostics;
  auto read = readLogFile(
      (testing::sourceDir() / "tests/fixtures/runtime/falco_syscall/auditd.log").string(),
      [&](const AuditEvent& event) { toHostEvent(event, out.emplace_back()); }, diagnostics);
  EXPECT_TRUE(read) << read.error().message;
  EXPECT_EQ(diagnostics.size(), 0U);
  return out;
}

std::optional<Strings> field(const host::HostEvent& host, std::string_view name) {
  const FieldTable& table = *fieldTable(Source::Syscall);
  std::string dot;
  const FieldRow* row = table.resolve(name, &dot);
  EXPECT_NE(row, nullptr) << name;
  FieldArg arg{dot, !dot.empty(), -1};
  Event event;
  event.source = Source::Syscall;
  event.payload = &host;
  Values values;
  row->extract(event, *row, arg, values);
  if (values.empty()) return std::nullopt;
  return Strings(values.items().begin(), values.items().end());
}

TEST(AuditdMapping, OpenExecConnectAndAUserMessage) {
  const auto events = readFixture();
  ASSERT_EQ(events.size(), 5U);

  const auto& open = events[0];
  EXPECT_EQ(field(open, "evt.type"), Strings{"openat"});
  EXPECT_EQ(field(open, "syscall.type"), Strings{"openat"});
  EXPECT_EQ(field(open, "evt.rawres"), Strings{"3"});
  EXPECT_EQ(field(open, "evt.arg.flags"), Strings{"O_RDONLY|O_CLOEXEC"});
  EXPECT_EQ(field(open, "evt.is_open_read"), Strings{"true"});
  EXPECT_EQ(field(open, "fd.name"), Strings{"/etc/shadow"});
  EXPECT_EQ(field(open, "fd.typechar"), Strings{"f"});
  EXPECT_EQ(field(open, "fd.num"), Strings{"3"});
  EXPECT_EQ(field(open, "proc.name"), Strings{"python3"});
  EXPECT_EQ(field(open, "proc.exepath"), Strings{"/usr/bin/python3.11"});
  EXPECT_EQ(field(open, "proc.pid"), Strings{"1300"});
  EXPECT_EQ(field(open, "proc.ppid"), Strings{"1200"});
  EXPECT_EQ(field(open, "proc.cwd"), Strings{"/root"});
  EXPECT_EQ(field(open, "proc.cmdline"), std::nullopt);  // not in an open's records
  EXPECT_EQ(field(open, "proc.tty"), Strings{"34816"});
  EXPECT_EQ(field(open, "user.uid"), Strings{"0"});
  EXPECT_EQ(field(open, "user.loginuid"), Strings{"1000"});
  EXPECT_EQ(field(open, "audit.key"), Strings{"sensitive-read"});
  EXPECT_EQ(field(open, "audit.session"), Strings{"3"});
  EXPECT_EQ(field(open, "audit.record_types"),
            (Strings{"SYSCALL", "CWD", "PATH", "PROCTITLE", "EOE"}));
  EXPECT_EQ(field(open, "container.id"), Strings{"host"});

  const auto& exec = events[1];
  EXPECT_EQ(field(exec, "evt.type"), Strings{"execve"});
  EXPECT_EQ(field(exec, "proc.cmdline"), Strings{"grep -r BEGIN RSA PRIVATE /home"});
  EXPECT_EQ(field(exec, "proc.exe"), Strings{"grep"});
  EXPECT_EQ(field(exec, "proc.exepath"), Strings{"/usr/bin/grep"});
  EXPECT_EQ(field(exec, "user.uid"), Strings{"1000"});

  const auto& relative = events[2];
  EXPECT_EQ(field(relative, "fd.name"), Strings{"/etc/hostname"});  // made absolute with CWD
  EXPECT_EQ(field(relative, "fd.nameraw"), Strings{"hostname"});
  EXPECT_EQ(field(relative, "evt.arg.flags"), Strings{"O_RDONLY"});
  EXPECT_EQ(field(relative, "audit.key"), std::nullopt);

  const auto& connect = events[3];
  EXPECT_EQ(field(connect, "evt.type"), Strings{"connect"});
  EXPECT_EQ(field(connect, "fd.typechar"), Strings{"4"});
  EXPECT_EQ(field(connect, "fd.sip"), Strings{"203.0.113.7"});
  EXPECT_EQ(field(connect, "fd.sport"), Strings{"4444"});
  EXPECT_EQ(field(connect, "fd.num"), Strings{"3"});
  EXPECT_EQ(field(connect, "fd.connected"), Strings{"true"});
  EXPECT_EQ(field(connect, "fd.l4proto"), std::nullopt);  // audit cannot tell tcp from udp

  const auto& login = events[4];
  EXPECT_EQ(field(login, "evt.type"), Strings{"user_login"});
  EXPECT_EQ(field(login, "syscall.type"), std::nullopt);
  EXPECT_EQ(field(login, "evt.res"), Strings{"SUCCESS"});
  EXPECT_EQ(field(login, "proc.pid"), Strings{"1400"});
  EXPECT_EQ(field(login, "user.loginuid"), Strings{"1000"});
}

TEST(AuditdMapping, FlagsAndTerminals) {
  // Falco's order, shared with the eBPF sensor (host::openFlagsText).
  EXPECT_EQ(host::openFlagsText(0), "O_RDONLY");
  EXPECT_EQ(host::openFlagsText(0x241), "O_TRUNC|O_CREAT|O_WRONLY");
  EXPECT_EQ(host::openFlagsText(02 | 02000 | 02000000), "O_APPEND|O_RDWR|O_CLOEXEC");
  EXPECT_EQ(ttyNumber("pts1"), 34817U);
  EXPECT_EQ(ttyNumber("tty2"), 1026U);
  EXPECT_EQ(ttyNumber("ttyS0"), 1088U);
  EXPECT_EQ(ttyNumber("(none)"), 0U);
  EXPECT_EQ(ttyNumber("pts999"), std::nullopt);
  EXPECT_EQ(ttyNumber("console"), std::nullopt);
}

// Every aucoalesce input of go-libaudit maps: the syscall events keep their process and
// syscall name, the others (AVC, user-space messages) take their record type.
TEST(AuditdMapping, GoLibauditEventsKeepProcessAndSyscall) {
  constexpr const char* kDir = "runtime/elastic-go-libaudit/aucoalesce/testdata";
  BULWARK_REQUIRE_SHARED(kDir);
  std::size_t mapped = 0;
  std::size_t syscalls = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::sharedTestdata() / kDir)) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const YAML::Node doc = YAML::LoadFile(entry.path().string());
    for (const auto& test : doc["tests"]) {
      std::vector<host::HostEvent> events;
      LogReader reader(test.first.as<std::string>(),
                       [&](const AuditEvent& event) { toHostEvent(event, events.emplace_back()); });
      core::Diagnostics diagnostics;
      reader.feed(test.second.as<std::string>(), diagnostics);
      reader.finish(diagnostics);
      ASSERT_EQ(events.size(), 1U) << test.first.as<std::string>();
      const host::HostEvent& event = events.front();
      ++mapped;
      EXPECT_FALSE(event.type.empty());
      if (!event.is_syscall) continue;
      ++syscalls;
      ASSERT_NE(event.process, nullptr);
      EXPECT_NE(event.process->pid, 0) << test.first.as<std::string>();
      EXPECT_FALSE(event.process->name.empty()) << test.first.as<std::string>();
      EXPECT_NE(event.type.find_first_not_of("0123456789"), std::string::npos)
          << "syscall number left unnamed: " << event.type;
    }
  }
  EXPECT_EQ(mapped, 48U);
  EXPECT_EQ(syscalls, 23U);  // the rest are AVCs, user-space and kernel messages
}

}  // namespace
}  // namespace bulwark::events::auditd
