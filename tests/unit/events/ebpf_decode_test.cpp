// The eBPF sensor's record decoder (src/events/ebpf/decode.h) over records crafted with the
// same structs the BPF program fills (events.h): every kind, and every way a record can be
// malformed (short, unknown version or kind, lengths beyond their fields).
#include "events/ebpf/decode.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "events/ebpf/events.h"

namespace bulwark::events::ebpf {
namespace {

template <class T>
std::vector<std::byte> bytesOf(const T& record) {
  std::vector<std::byte> out(sizeof(T));
  std::memcpy(out.data(), &record, sizeof(T));
  return out;
}

void header(bw_hdr& hdr, bw_kind kind) {
  hdr.kind = kind;
  hdr.version = BW_RECORD_VERSION;
  hdr.tid = 4243;
  hdr.tgid = 4242;
  hdr.ppid = 1;
  hdr.ts_ns = 123456789;
  hdr.cgroup_id = 77;
  hdr.uid = 1000;
  hdr.gid = 100;
  hdr.loginuid = 1000;
  std::memcpy(hdr.comm, "cat", 4);
}

bw_exec execRecord(std::string_view filename, std::string_view argv) {
  bw_exec rec{};
  header(rec.hdr, BW_KIND_EXEC);
  std::memcpy(rec.filename, filename.data(), filename.size());
  rec.filename_len = static_cast<__u32>(filename.size() + 1);
  std::memcpy(rec.argv, argv.data(), argv.size());
  rec.argv_len = static_cast<__u32>(argv.size());
  return rec;
}

TEST(EbpfDecode, Exec) {
  using namespace std::string_view_literals;
  const auto rec = execRecord("/bin/cat", "cat\0/etc/hostname\0"sv);
  Record out;
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  EXPECT_EQ(out.header.kind, RecordKind::Exec);
  EXPECT_EQ(out.header.tgid, 4242U);
  EXPECT_EQ(out.header.tid, 4243U);
  EXPECT_EQ(out.header.ppid, 1U);
  EXPECT_EQ(out.header.ts_ns, 123456789U);
  EXPECT_EQ(out.header.cgroup_id, 77U);
  EXPECT_EQ(out.header.uid, 1000U);
  EXPECT_EQ(out.header.gid, 100U);
  EXPECT_EQ(out.header.loginuid, 1000U);
  EXPECT_EQ(out.header.comm, "cat");
  const auto& exec = std::get<ExecRecord>(out.body);
  EXPECT_EQ(exec.filename, "/bin/cat");
  EXPECT_EQ(exec.argv, (std::vector<std::string>{"cat", "/etc/hostname"}));
  EXPECT_FALSE(exec.argv_truncated);
  EXPECT_FALSE(exec.argv_unread);
}

TEST(EbpfDecode, ExecArgvUnreadAndTruncated) {
  auto rec = execRecord("/bin/sh", "");
  Record out;
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  EXPECT_TRUE(std::get<ExecRecord>(out.body).argv_unread);
  EXPECT_TRUE(std::get<ExecRecord>(out.body).argv.empty());

  // A full buffer without a final NUL: the last argument is cut, not read past the field.
  std::memset(rec.argv, 'a', sizeof(rec.argv));
  rec.argv_len = BW_ARGV_MAX;
  rec.argv_truncated = 1;
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  const auto& exec = std::get<ExecRecord>(out.body);
  EXPECT_TRUE(exec.argv_truncated);
  ASSERT_EQ(exec.argv.size(), 1U);
  EXPECT_EQ(exec.argv[0].size(), static_cast<std::size_t>(BW_ARGV_MAX));
}

TEST(EbpfDecode, FilenameWithoutNulStaysInItsField) {
  auto rec = execRecord("", "x");
  std::memset(rec.filename, 'f', sizeof(rec.filename));
  rec.filename_len = BW_PATH_MAX;
  Record out;
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  EXPECT_EQ(std::get<ExecRecord>(out.body).filename.size(), static_cast<std::size_t>(BW_PATH_MAX));
}

TEST(EbpfDecode, LengthsBeyondTheirFieldsAreRefused) {
  auto rec = execRecord("/bin/true", "true");
  rec.argv_len = BW_ARGV_MAX + 1;
  Record out;
  EXPECT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::BadLength);
  rec.argv_len = 4;
  rec.filename_len = BW_PATH_MAX + 1;
  EXPECT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::BadLength);

  bw_open open{};
  header(open.hdr, BW_KIND_OPEN);
  open.path_len = BW_PATH_MAX + 1;
  EXPECT_EQ(decodeRecord(bytesOf(open), out), DecodeStatus::BadLength);
  open.path_len = 0;
  open.call = 9;
  EXPECT_EQ(decodeRecord(bytesOf(open), out), DecodeStatus::UnknownKind);
}

TEST(EbpfDecode, ShortUnknownAndWrongSize) {
  Record out;
  EXPECT_EQ(decodeRecord({}, out), DecodeStatus::Short);
  bw_exit exit{};
  header(exit.hdr, BW_KIND_EXIT);
  auto bytes = bytesOf(exit);
  EXPECT_EQ(decodeRecord(std::span(bytes).first(sizeof(bw_hdr) - 1), out), DecodeStatus::Short);
  EXPECT_EQ(decodeRecord(std::span(bytes).first(sizeof(bw_hdr)), out), DecodeStatus::WrongSize);

  exit.hdr.version = 2;
  EXPECT_EQ(decodeRecord(bytesOf(exit), out), DecodeStatus::BadVersion);
  exit.hdr.version = BW_RECORD_VERSION;
  for (const std::uint16_t kind : {0, 7, 0xffff}) {
    exit.hdr.kind = kind;
    EXPECT_EQ(decodeRecord(bytesOf(exit), out), DecodeStatus::UnknownKind) << kind;
  }
  // An exit-sized record that says it is an exec is too short for one.
  exit.hdr.kind = BW_KIND_EXEC;
  EXPECT_EQ(decodeRecord(bytesOf(exit), out), DecodeStatus::WrongSize);
}

TEST(EbpfDecode, ExitAndFork) {
  bw_exit exit{};
  header(exit.hdr, BW_KIND_EXIT);
  exit.exit_code = 3 << 8;
  Record out;
  ASSERT_EQ(decodeRecord(bytesOf(exit), out), DecodeStatus::Ok);
  EXPECT_EQ(std::get<ExitRecord>(out.body).exit_code, 768);

  bw_fork fork{};
  header(fork.hdr, BW_KIND_FORK);
  fork.parent_tgid = 10;
  fork.child_tgid = 11;
  ASSERT_EQ(decodeRecord(bytesOf(fork), out), DecodeStatus::Ok);
  EXPECT_EQ(std::get<ForkRecord>(out.body).parent_tgid, 10U);
  EXPECT_EQ(std::get<ForkRecord>(out.body).child_tgid, 11U);
}

TEST(EbpfDecode, ConnectIpv4Ipv6Unix) {
  bw_connect rec{};
  header(rec.hdr, BW_KIND_CONNECT);
  rec.fd = 5;
  rec.res = -115;
  rec.sock_type = SOCK_STREAM;
  rec.remote.family = AF_INET;
  rec.remote.port = 8080;
  inet_pton(AF_INET, "127.0.0.1", rec.remote.addr);
  rec.local.family = AF_INET;
  rec.local.port = 40000;
  inet_pton(AF_INET, "127.0.0.2", rec.local.addr);
  Record out;
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  auto connect = std::get<ConnectRecord>(out.body);
  EXPECT_EQ(connect.fd, 5);
  EXPECT_EQ(connect.res, -115);
  EXPECT_EQ(connect.sock_type, SOCK_STREAM);
  EXPECT_EQ(addressText(connect.remote), "127.0.0.1");
  EXPECT_EQ(connect.remote.port, 8080);
  EXPECT_EQ(addressText(connect.local), "127.0.0.2");
  EXPECT_EQ(connect.local.port, 40000);

  rec.remote.family = AF_INET6;
  inet_pton(AF_INET6, "2001:db8::1", rec.remote.addr);
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  EXPECT_EQ(addressText(std::get<ConnectRecord>(out.body).remote), "2001:db8::1");

  rec.remote = {};
  rec.remote.family = AF_UNIX;
  std::memcpy(rec.unix_path, "/run/docker.sock", 17);
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  EXPECT_EQ(std::get<ConnectRecord>(out.body).unix_path, "/run/docker.sock");
  EXPECT_EQ(addressText(std::get<ConnectRecord>(out.body).remote), "");

  std::memset(rec.unix_path, 0, sizeof(rec.unix_path));
  std::memcpy(rec.unix_path + 1, "abstract", 8);
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  EXPECT_EQ(std::get<ConnectRecord>(out.body).unix_path, "@abstract");

  // A path filling the whole field has no NUL: it is cut at the field's end.
  std::memset(rec.unix_path, 'u', sizeof(rec.unix_path));
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  EXPECT_EQ(std::get<ConnectRecord>(out.body).unix_path.size(),
            static_cast<std::size_t>(BW_UNIX_PATH_MAX));
}

TEST(EbpfDecode, Accept) {
  bw_accept rec{};
  header(rec.hdr, BW_KIND_ACCEPT);
  rec.fd = 3;
  rec.res = 7;
  rec.call = 1;
  rec.sock_type = SOCK_STREAM;
  rec.local.family = AF_INET6;
  rec.local.port = 443;
  inet_pton(AF_INET6, "::1", rec.local.addr);
  rec.remote.family = AF_INET6;
  rec.remote.port = 50000;
  inet_pton(AF_INET6, "::ffff:10.0.0.1", rec.remote.addr);
  Record out;
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  const auto& accept = std::get<AcceptRecord>(out.body);
  EXPECT_TRUE(accept.accept4);
  EXPECT_EQ(accept.res, 7);
  EXPECT_EQ(addressText(accept.local), "::1");
  EXPECT_EQ(accept.local.port, 443);
  EXPECT_EQ(addressText(accept.remote), "::ffff:10.0.0.1");
}

TEST(EbpfDecode, Open) {
  bw_open rec{};
  header(rec.hdr, BW_KIND_OPEN);
  rec.call = BW_OPEN_OPENAT;
  rec.dirfd = -100;
  rec.res = 3;
  rec.flags = 01 | 0100 | 01000 | 02000000;  // O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC
  rec.mode = 0644;
  std::memcpy(rec.path, "out.txt", 8);
  rec.path_len = 8;
  Record out;
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  const auto& open = std::get<OpenRecord>(out.body);
  EXPECT_EQ(open.call, OpenCall::Openat);
  EXPECT_EQ(toString(open.call), "openat");
  EXPECT_EQ(open.path, "out.txt");
  EXPECT_EQ(open.dirfd, -100);
  EXPECT_EQ(open.res, 3);
  EXPECT_EQ(openFlagsText(open.flags), "O_TRUNC|O_CREAT|O_WRONLY|O_CLOEXEC");
  EXPECT_EQ(modeText(open.mode), "0644");

  rec.path_len = 0;  // the path could not be read
  ASSERT_EQ(decodeRecord(bytesOf(rec), out), DecodeStatus::Ok);
  EXPECT_EQ(std::get<OpenRecord>(out.body).path, "");
}

TEST(EbpfDecode, OpenFlagsAsFalcoRendersThem) {
  EXPECT_EQ(openFlagsText(0), "O_RDONLY");
  EXPECT_EQ(openFlagsText(02000000), "O_RDONLY|O_CLOEXEC");
  EXPECT_EQ(openFlagsText(2 | 0100 | 0200), "O_EXCL|O_CREAT|O_RDWR");
  EXPECT_EQ(openFlagsText(1 | 02000), "O_APPEND|O_WRONLY");
  EXPECT_EQ(openFlagsText(3), "O_NONE");
  EXPECT_EQ(openFlagsText(3 | 02000000), "O_CLOEXEC");
  EXPECT_EQ(modeText(0), "0");
  EXPECT_EQ(modeText(0600), "0600");
}

TEST(EbpfDecode, SplitArgv) {
  using namespace std::string_view_literals;
  EXPECT_TRUE(splitArgv(""sv).empty());
  EXPECT_TRUE(splitArgv("\0"sv).empty());
  EXPECT_EQ(splitArgv("a\0b\0"sv), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(splitArgv("a\0\0b\0"sv), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(splitArgv("a\0b"sv), (std::vector<std::string>{"a", "b"}));
}

TEST(EbpfDecode, DecoderCounts) {
  RecordDecoder decoder;
  Record out;
  bw_fork fork{};
  header(fork.hdr, BW_KIND_FORK);
  const auto bytes = bytesOf(fork);
  EXPECT_EQ(decoder.decode(bytes, out), DecodeStatus::Ok);
  EXPECT_EQ(decoder.decode(std::span(bytes).first(10), out), DecodeStatus::Short);
  EXPECT_EQ(decoder.stats().records, 1U);
  EXPECT_EQ(decoder.stats().malformed, 1U);
  EXPECT_EQ(static_cast<DecodeStatus>(decoder.stats().last_status), DecodeStatus::Short);
}

}  // namespace
}  // namespace bulwark::events::ebpf
