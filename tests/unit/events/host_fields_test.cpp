// The syscall field table over crafted host events (src/events/host/fields.cpp): Falco's
// renderings that rules depend on — proc.cmdline, ancestors, evt.res, capabilities, the host
// container, image parts, socket ends, open flags — and the missing-value rule.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "events/field.h"
#include "events/host/host_event.h"

namespace bulwark::events::host {
namespace {

using Strings = std::vector<std::string>;

const FieldTable& table() { return *fieldTable(Source::Syscall); }

std::optional<Strings> extract(const HostEvent& host, std::string_view name,
                               std::string arg_text = "", std::int64_t ts_ns = 0) {
  std::string dot_arg;
  const FieldRow* row = table().resolve(name, &dot_arg);
  EXPECT_NE(row, nullptr) << name;
  if (row == nullptr) return std::nullopt;
  if (!dot_arg.empty()) arg_text = dot_arg;
  FieldArg arg{arg_text, !arg_text.empty(), -1};
  EXPECT_EQ(checkFieldArg(*row, arg), "") << name;
  Event event;
  event.source = Source::Syscall;
  event.ts_ns = ts_ns;
  event.num = 7;
  event.payload = &host;
  Values values;
  row->extract(event, *row, arg, values);
  if (values.empty()) return std::nullopt;
  return Strings(values.items().begin(), values.items().end());
}

std::shared_ptr<Process> process(std::int64_t pid, std::string name, std::string exepath,
                                 Strings args = {}) {
  auto out = std::make_shared<Process>();
  out->pid = pid;
  out->vpid = pid;
  out->name = std::move(name);
  out->exe = out->name;
  out->exepath = std::move(exepath);
  out->args = std::move(args);
  return out;
}

HostEvent shellInContainer() {
  auto init = process(1, "systemd", "/usr/lib/systemd/systemd");
  auto sshd = process(900, "sshd", "/usr/sbin/sshd", {"-D"});
  sshd->parent = init;
  auto bash = process(1200, "bash", "/usr/bin/bash", {"-i"});
  bash->parent = sshd;
  bash->start_ns = 1'000'000'000;
  auto sh = process(1300, "sh", "/usr/bin/dash", {"-c", "cat /etc/shadow"});
  sh->parent = bash;
  sh->sid = 1200;
  sh->uid = 0;
  sh->user_name = "root";
  sh->loginuid = -1;
  sh->tty = 34816;
  sh->cap_effective = (std::uint64_t{1} << 21) | (std::uint64_t{1} << 12);  // SYS_ADMIN, NET_ADMIN
  sh->start_ns = 3'000'000'000;
  HostEvent event;
  event.type = "execve";
  event.res = 0;
  event.process = sh;
  auto container = std::make_shared<Container>();
  container->id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  container->name = "web";
  container->image = "registry.local:5000/team/app:1.2@sha256:abcd";
  container->privileged = true;
  container->mounts.push_back({"/etc", "/host-etc", "rw", true, "rprivate"});
  container->k8s_namespace = "shop";
  container->k8s_pod_labels = {{"app", "web"}, {"tier", "front"}};
  event.container = container;
  return event;
}

TEST(HostFields, ProcessIdentity) {
  const HostEvent event = shellInContainer();
  EXPECT_EQ(extract(event, "proc.name"), Strings{"sh"});
  EXPECT_EQ(extract(event, "proc.cmdline"), Strings{"sh -c cat /etc/shadow"});
  EXPECT_EQ(extract(event, "proc.args"), Strings{"-c cat /etc/shadow"});
  EXPECT_EQ(extract(event, "proc.exepath"), Strings{"/usr/bin/dash"});
  EXPECT_EQ(extract(event, "proc.pid"), Strings{"1300"});
  EXPECT_EQ(extract(event, "proc.ppid"), Strings{"1200"});
  EXPECT_EQ(extract(event, "proc.pname"), Strings{"bash"});
  EXPECT_EQ(extract(event, "proc.pcmdline"), Strings{"bash -i"});
  EXPECT_EQ(extract(event, "proc.pexepath"), Strings{"/usr/bin/bash"});
  EXPECT_EQ(extract(event, "proc.sname"), Strings{"bash"});
  EXPECT_EQ(extract(event, "proc.tty"), Strings{"34816"});
  EXPECT_EQ(extract(event, "user.name"), Strings{"root"});
  EXPECT_EQ(extract(event, "user.uid"), Strings{"0"});
  EXPECT_EQ(extract(event, "user.loginuid"), Strings{"-1"});
  EXPECT_EQ(extract(event, "thread.cap_effective"), Strings{"CAP_NET_ADMIN CAP_SYS_ADMIN"});
  EXPECT_EQ(extract(event, "proc.duration", "", 5'000'000'000), Strings{"2000000000"});
  EXPECT_EQ(extract(event, "proc.ppid.duration", "", 5'000'000'000), Strings{"4000000000"});
  // Unknown to the sensor: missing, not empty.
  EXPECT_EQ(extract(event, "user.homedir"), std::nullopt);
  EXPECT_EQ(extract(event, "group.gid"), std::nullopt);
  EXPECT_EQ(extract(event, "proc.is_exe_upper_layer"), std::nullopt);
}

TEST(HostFields, Ancestors) {
  const HostEvent event = shellInContainer();
  // Without an index: every ancestor, from the parent up (the rule holds when any does).
  EXPECT_EQ(extract(event, "proc.aname"), (Strings{"bash", "sshd", "systemd"}));
  EXPECT_EQ(extract(event, "proc.aname", "0"), Strings{"sh"});
  EXPECT_EQ(extract(event, "proc.aname", "2"), Strings{"sshd"});
  EXPECT_EQ(extract(event, "proc.aname", "9"), std::nullopt);
  EXPECT_EQ(extract(event, "proc.apid", "3"), Strings{"1"});
  EXPECT_EQ(extract(event, "proc.aexepath", "1"), Strings{"/usr/bin/bash"});
  EXPECT_EQ(extract(event, "proc.acmdline", "2"), Strings{"sshd -D"});
}

TEST(HostFields, EventFields) {
  HostEvent event = shellInContainer();
  EXPECT_EQ(extract(event, "evt.type"), Strings{"execve"});
  EXPECT_EQ(extract(event, "syscall.type"), Strings{"execve"});
  EXPECT_EQ(extract(event, "evt.res"), Strings{"SUCCESS"});
  EXPECT_EQ(extract(event, "evt.failed"), Strings{"false"});
  EXPECT_EQ(extract(event, "evt.dir"), (Strings{"<", ">"}));
  EXPECT_EQ(extract(event, "evt.num"), Strings{"7"});
  EXPECT_EQ(extract(event, "evt.category"), Strings{"process"});
  EXPECT_EQ(extract(event, "evt.time.iso8601", "", 1'700'000'000'123'456'789),
            Strings{"2023-11-14T22:13:20.123456789Z"});
  EXPECT_EQ(extract(event, "evt.time", "", 1'700'000'000'123'456'789),
            Strings{"22:13:20.123456789"});
  event.res = -2;
  EXPECT_EQ(extract(event, "evt.res"), Strings{"ENOENT"});
  EXPECT_EQ(extract(event, "evt.rawres"), Strings{"-2"});
  EXPECT_EQ(extract(event, "evt.failed"), Strings{"true"});
  event.type = "procexit";
  EXPECT_EQ(extract(event, "syscall.type"), std::nullopt);
}

TEST(HostFields, OpenAndArguments) {
  HostEvent event = shellInContainer();
  event.type = "openat";
  event.args = {
      {"fd", "3"}, {"name", "/etc/shadow"}, {"flags", "O_RDONLY|O_CLOEXEC"}, {"mode", "0"}};
  event.fd.type = Fd::Type::File;
  event.fd.num = 3;
  event.fd.name = "/etc/shadow";
  EXPECT_EQ(extract(event, "evt.is_open_read"), Strings{"true"});
  EXPECT_EQ(extract(event, "evt.is_open_write"), Strings{"false"});
  EXPECT_EQ(extract(event, "evt.is_open_exec"), Strings{"false"});
  EXPECT_EQ(extract(event, "evt.arg.flags"), Strings{"O_RDONLY|O_CLOEXEC"});
  EXPECT_EQ(extract(event, "evt.arg", "name"), Strings{"/etc/shadow"});
  EXPECT_EQ(extract(event, "evt.arg", "1"), Strings{"/etc/shadow"});
  EXPECT_EQ(extract(event, "evt.arg.nothing"), std::nullopt);
  EXPECT_EQ(extract(event, "evt.args"),
            Strings{"fd=3 name=/etc/shadow flags=O_RDONLY|O_CLOEXEC mode=0"});
  EXPECT_EQ(extract(event, "fd.name"), Strings{"/etc/shadow"});
  EXPECT_EQ(extract(event, "fd.directory"), Strings{"/etc"});
  EXPECT_EQ(extract(event, "fd.filename"), Strings{"shadow"});
  EXPECT_EQ(extract(event, "fd.typechar"), Strings{"f"});
  EXPECT_EQ(extract(event, "fd.num"), Strings{"3"});
  EXPECT_EQ(extract(event, "evt.category"), Strings{"file"});
  event.args = {{"flags", "O_WRONLY|O_CREAT|O_TRUNC"}, {"mode", "0755"}};
  EXPECT_EQ(extract(event, "evt.is_open_read"), Strings{"false"});
  EXPECT_EQ(extract(event, "evt.is_open_write"), Strings{"true"});
  EXPECT_EQ(extract(event, "evt.is_open_create"), Strings{"true"});
  EXPECT_EQ(extract(event, "evt.is_open_exec"), Strings{"true"});
  // Not an open: the open fields are missing.
  event.type = "execve";
  EXPECT_EQ(extract(event, "evt.is_open_read"), std::nullopt);
  event.type = "renameat2";
  event.args = {
      {"olddirfd", "-100"}, {"oldpath", "/tmp/a"}, {"newdirfd", "-100"}, {"newpath", "/etc/b"}};
  EXPECT_EQ(extract(event, "fs.path.source"), Strings{"/tmp/a"});
  EXPECT_EQ(extract(event, "fs.path.target"), Strings{"/etc/b"});
}

TEST(HostFields, Sockets) {
  HostEvent event = shellInContainer();
  event.type = "connect";
  event.fd.type = Fd::Type::Ipv4;
  event.fd.l4proto = "tcp";
  event.fd.cip = "172.17.0.2";
  event.fd.cport = 40000;
  event.fd.sip = "203.0.113.7";
  event.fd.sport = 4444;
  event.fd.is_server = false;
  EXPECT_EQ(extract(event, "fd.sip"), Strings{"203.0.113.7"});
  EXPECT_EQ(extract(event, "fd.rip"), Strings{"203.0.113.7"});
  EXPECT_EQ(extract(event, "fd.lip"), Strings{"172.17.0.2"});
  EXPECT_EQ(extract(event, "fd.rport"), Strings{"4444"});
  EXPECT_EQ(extract(event, "fd.lport"), Strings{"40000"});
  EXPECT_EQ(extract(event, "fd.sockfamily"), Strings{"ip"});
  EXPECT_EQ(extract(event, "fd.ip"), (Strings{"172.17.0.2", "203.0.113.7"}));
  EXPECT_EQ(extract(event, "fd.typechar"), Strings{"4"});
  EXPECT_EQ(extract(event, "evt.category"), Strings{"net"});
  // Accepting: the process is the server, so local is the server's end.
  event.fd.is_server = true;
  EXPECT_EQ(extract(event, "fd.lip"), Strings{"203.0.113.7"});
  EXPECT_EQ(extract(event, "fd.rport"), Strings{"40000"});
  // Socket fields are missing on a file.
  event.fd = Fd{Fd::Type::File, 3, "/etc/passwd"};
  EXPECT_EQ(extract(event, "fd.sip"), std::nullopt);
  EXPECT_EQ(extract(event, "fd.sockfamily"), std::nullopt);
}

TEST(HostFields, Containers) {
  HostEvent event = shellInContainer();
  EXPECT_EQ(extract(event, "container.id"), Strings{"0123456789ab"});
  EXPECT_EQ(extract(event, "container.full_id")->front().size(), 64U);
  EXPECT_EQ(extract(event, "container.image.repository"), Strings{"registry.local:5000/team/app"});
  EXPECT_EQ(extract(event, "container.image.tag"), Strings{"1.2"});
  EXPECT_EQ(extract(event, "container.image.digest"), Strings{"sha256:abcd"});
  EXPECT_EQ(extract(event, "container.privileged"), Strings{"true"});
  EXPECT_EQ(extract(event, "container.host_network"), Strings{"false"});
  EXPECT_EQ(extract(event, "container.mounts"), Strings{"/etc:/host-etc:rw:true:rprivate"});
  EXPECT_EQ(extract(event, "container.mount.source", "/host-etc"), Strings{"/etc"});
  EXPECT_EQ(extract(event, "container.mount.dest", "/etc"), Strings{"/host-etc"});
  EXPECT_EQ(extract(event, "k8s.ns.name"), Strings{"shop"});
  EXPECT_EQ(extract(event, "k8s.pod.label.app"), Strings{"web"});
  EXPECT_EQ(extract(event, "k8s.pod.label", "tier"), Strings{"front"});
  EXPECT_EQ(extract(event, "k8s.pod.labels"), (Strings{"app:web", "tier:front"}));
  // The host: container.id is "host", the rest is missing.
  event.container.reset();
  EXPECT_EQ(extract(event, "container.id"), Strings{"host"});
  EXPECT_EQ(extract(event, "container.name"), Strings{"host"});
  EXPECT_EQ(extract(event, "container.image"), std::nullopt);
  EXPECT_EQ(extract(event, "container.privileged"), std::nullopt);
  EXPECT_EQ(extract(event, "k8s.ns.name"), std::nullopt);
}

TEST(HostFields, TableShape) {
  // Sorted and unique (find() depends on it), every row documented and extractable.
  const auto rows = table().rows;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_LT(rows[i - 1].name, rows[i].name);
  }
  for (const FieldRow& row : rows) {
    EXPECT_FALSE(row.desc.empty()) << row.name;
    EXPECT_NE(row.extract, nullptr) << row.name;
  }
  std::string arg;
  EXPECT_EQ(table().resolve("evt.arg.flags", &arg)->name, "evt.arg");
  EXPECT_EQ(arg, "flags");
  EXPECT_EQ(table().resolve("proc.name.x", &arg), nullptr);  // proc.name takes no dot argument
  EXPECT_EQ(table().find("fd.sip.name")->flags & field_flag::kUnsupported,
            field_flag::kUnsupported);
}

TEST(HostEventHelpers, OpenFlagsErrnoCapabilities) {
  EXPECT_TRUE(openFlags("O_RDONLY").read);
  EXPECT_TRUE(openFlags("O_CLOEXEC").read);  // no access mode named: O_RDONLY is 0
  EXPECT_FALSE(openFlags("O_WRONLY").read);
  EXPECT_TRUE(openFlags("O_RDWR(2)").write);
  EXPECT_TRUE(openFlags("O_APPEND|O_WRONLY").write);
  EXPECT_EQ(errnoName(0), "SUCCESS");
  EXPECT_EQ(errnoName(5), "SUCCESS");
  EXPECT_EQ(errnoName(-13), "EACCES");
  EXPECT_EQ(errnoName(-99999), "-99999");
  EXPECT_EQ(capabilityNames(0), "");
  EXPECT_EQ(capabilityNames(1), "CAP_CHOWN");
  EXPECT_EQ(capabilityNames(std::uint64_t{1} << 40), "CAP_CHECKPOINT_RESTORE");
  EXPECT_EQ(capabilityNames(std::uint64_t{1} << 50), "CAP_50");
}

}  // namespace
}  // namespace bulwark::events::host
