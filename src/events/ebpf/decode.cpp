#include "events/ebpf/decode.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "events/ebpf/events.h"

namespace bulwark::events::ebpf {
namespace {

// The layouts both compilers must agree on (events.h has no implicit padding).
static_assert(sizeof(bw_hdr) == 64);
static_assert(sizeof(bw_exec) == 4432);
static_assert(sizeof(bw_exit) == 72);
static_assert(sizeof(bw_fork) == 72);
static_assert(sizeof(bw_sockaddr) == 24);
static_assert(sizeof(bw_connect) == 240);
static_assert(sizeof(bw_accept) == 128);
static_assert(sizeof(bw_open) == 344);

// A field of type T at `offset`; the caller has checked the record is at least that long.
template <class T>
T load(std::span<const std::byte> bytes, std::size_t offset) {
  static_assert(std::is_trivially_copyable_v<T>);
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

#define BW_LOAD(bytes, type, member) load<decltype(type::member)>(bytes, offsetof(type, member))

// A NUL-terminated string within a `capacity`-byte field (no NUL: the whole field).
std::string cString(std::span<const std::byte> bytes, std::size_t offset, std::size_t capacity) {
  const char* begin = reinterpret_cast<const char*>(bytes.data() + offset);
  const char* end = std::find(begin, begin + capacity, '\0');
  return {begin, end};
}

// The first `length` bytes of a field, up to its first NUL (`length` includes the NUL that
// bpf_probe_read_*_str counts).
std::string boundedString(std::span<const std::byte> bytes, std::size_t offset,
                          std::size_t length) {
  return cString(bytes, offset, length);
}

SockAddr sockAddr(std::span<const std::byte> bytes, std::size_t offset) {
  SockAddr out;
  out.family = load<std::uint16_t>(bytes, offset + offsetof(bw_sockaddr, family));
  out.port = load<std::uint16_t>(bytes, offset + offsetof(bw_sockaddr, port));
  std::memcpy(out.addr.data(), bytes.data() + offset + offsetof(bw_sockaddr, addr),
              out.addr.size());
  return out;
}

std::size_t recordSize(RecordKind kind) {
  switch (kind) {
    case RecordKind::Exec: return sizeof(bw_exec);
    case RecordKind::Exit: return sizeof(bw_exit);
    case RecordKind::Fork: return sizeof(bw_fork);
    case RecordKind::Connect: return sizeof(bw_connect);
    case RecordKind::Accept: return sizeof(bw_accept);
    case RecordKind::Open: return sizeof(bw_open);
  }
  return 0;
}

}  // namespace

std::string_view toString(OpenCall call) {
  switch (call) {
    case OpenCall::Openat: return "openat";
    case OpenCall::Openat2: return "openat2";
    case OpenCall::Open: return "open";
    case OpenCall::Creat: return "creat";
  }
  return "openat";
}

std::string_view toString(DecodeStatus status) {
  switch (status) {
    case DecodeStatus::Ok: return "ok";
    case DecodeStatus::Short: return "shorter than a record header";
    case DecodeStatus::BadVersion: return "unknown record version";
    case DecodeStatus::UnknownKind: return "unknown record kind";
    case DecodeStatus::WrongSize: return "shorter than its kind's record";
    case DecodeStatus::BadLength: return "a length exceeds its field";
  }
  return "?";
}

std::string addressText(const SockAddr& addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.family == AF_INET) {
    if (inet_ntop(AF_INET, addr.addr.data(), text, sizeof(text)) == nullptr) return {};
    return text;
  }
  if (addr.family == AF_INET6) {
    if (inet_ntop(AF_INET6, addr.addr.data(), text, sizeof(text)) == nullptr) return {};
    return text;
  }
  return {};
}

std::vector<std::string> splitArgv(std::string_view bytes) {
  std::vector<std::string> out;
  if (!bytes.empty() && bytes.back() == '\0') bytes.remove_suffix(1);
  if (bytes.empty()) return out;
  std::size_t start = 0;
  while (true) {
    const std::size_t nul = bytes.find('\0', start);
    out.emplace_back(bytes.substr(start, nul == std::string_view::npos ? bytes.npos : nul - start));
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  return out;
}

DecodeStatus decodeRecord(std::span<const std::byte> bytes, Record& out) {
  if (bytes.size() < sizeof(bw_hdr)) return DecodeStatus::Short;
  if (BW_LOAD(bytes, bw_hdr, version) != BW_RECORD_VERSION) return DecodeStatus::BadVersion;
  const auto raw_kind = BW_LOAD(bytes, bw_hdr, kind);
  if (raw_kind < BW_KIND_EXEC || raw_kind > BW_KIND_OPEN) return DecodeStatus::UnknownKind;
  const auto kind = static_cast<RecordKind>(raw_kind);
  if (bytes.size() < recordSize(kind)) return DecodeStatus::WrongSize;

  RecordHeader& header = out.header;
  header.kind = kind;
  header.tid = BW_LOAD(bytes, bw_hdr, tid);
  header.tgid = BW_LOAD(bytes, bw_hdr, tgid);
  header.ppid = BW_LOAD(bytes, bw_hdr, ppid);
  header.ts_ns = BW_LOAD(bytes, bw_hdr, ts_ns);
  header.cgroup_id = BW_LOAD(bytes, bw_hdr, cgroup_id);
  header.uid = BW_LOAD(bytes, bw_hdr, uid);
  header.gid = BW_LOAD(bytes, bw_hdr, gid);
  header.loginuid = BW_LOAD(bytes, bw_hdr, loginuid);
  header.comm = cString(bytes, offsetof(bw_hdr, comm), BW_COMM_LEN);

  switch (kind) {
    case RecordKind::Exec: {
      const auto filename_len = BW_LOAD(bytes, bw_exec, filename_len);
      const auto argv_len = BW_LOAD(bytes, bw_exec, argv_len);
      if (filename_len > BW_PATH_MAX || argv_len > BW_ARGV_MAX) return DecodeStatus::BadLength;
      ExecRecord exec;
      exec.filename = boundedString(bytes, offsetof(bw_exec, filename), filename_len);
      exec.argv_truncated = BW_LOAD(bytes, bw_exec, argv_truncated) != 0;
      exec.argv_unread = argv_len == 0;
      exec.argv = splitArgv(std::string_view(
          reinterpret_cast<const char*>(bytes.data() + offsetof(bw_exec, argv)), argv_len));
      out.body = std::move(exec);
      break;
    }
    case RecordKind::Exit: out.body = ExitRecord{BW_LOAD(bytes, bw_exit, exit_code)}; break;
    case RecordKind::Fork:
      out.body =
          ForkRecord{BW_LOAD(bytes, bw_fork, parent_tgid), BW_LOAD(bytes, bw_fork, child_tgid)};
      break;
    case RecordKind::Connect: {
      ConnectRecord connect;
      connect.fd = BW_LOAD(bytes, bw_connect, fd);
      connect.res = BW_LOAD(bytes, bw_connect, res);
      connect.sock_type = BW_LOAD(bytes, bw_connect, sock_type);
      connect.local = sockAddr(bytes, offsetof(bw_connect, local));
      connect.remote = sockAddr(bytes, offsetof(bw_connect, remote));
      if (connect.remote.family == AF_UNIX) {
        const auto* path =
            reinterpret_cast<const char*>(bytes.data() + offsetof(bw_connect, unix_path));
        if (path[0] == '\0') {
          // An abstract name: the bytes after the NUL, shown as Falco does with a leading '@'.
          const std::string rest =
              cString(bytes, offsetof(bw_connect, unix_path) + 1, BW_UNIX_PATH_MAX - 1);
          if (!rest.empty()) connect.unix_path = "@" + rest;
        } else {
          connect.unix_path = cString(bytes, offsetof(bw_connect, unix_path), BW_UNIX_PATH_MAX);
        }
      }
      out.body = std::move(connect);
      break;
    }
    case RecordKind::Accept: {
      AcceptRecord accept;
      accept.accept4 = BW_LOAD(bytes, bw_accept, call) == 1;
      accept.fd = BW_LOAD(bytes, bw_accept, fd);
      accept.res = BW_LOAD(bytes, bw_accept, res);
      accept.sock_type = BW_LOAD(bytes, bw_accept, sock_type);
      accept.local = sockAddr(bytes, offsetof(bw_accept, local));
      accept.remote = sockAddr(bytes, offsetof(bw_accept, remote));
      out.body = accept;
      break;
    }
    case RecordKind::Open: {
      const auto path_len = BW_LOAD(bytes, bw_open, path_len);
      const auto call = BW_LOAD(bytes, bw_open, call);
      if (path_len > BW_PATH_MAX) return DecodeStatus::BadLength;
      if (call > BW_OPEN_CREAT) return DecodeStatus::UnknownKind;
      OpenRecord open;
      open.call = static_cast<OpenCall>(call);
      open.dirfd = BW_LOAD(bytes, bw_open, dirfd);
      open.res = BW_LOAD(bytes, bw_open, res);
      open.flags = BW_LOAD(bytes, bw_open, flags);
      open.mode = BW_LOAD(bytes, bw_open, mode);
      open.path = boundedString(bytes, offsetof(bw_open, path), path_len);
      out.body = std::move(open);
      break;
    }
  }
  return DecodeStatus::Ok;
}

}  // namespace bulwark::events::ebpf
