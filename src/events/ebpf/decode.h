// Decoding of the eBPF sensor's ring-buffer records (events.h) into typed C++ records. Pure: no
// kernel, no /proc; the bytes are untrusted as far as this code is concerned (a kernel object
// of another version, a truncated sample): every length is checked against the record's size,
// and a record that does not fit its kind is refused and counted, never read past its end.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "events/host/host_event.h"

namespace bulwark::events::ebpf {

enum class RecordKind : std::uint16_t {
  Exec = 1,
  Exit = 2,
  Fork = 3,
  Connect = 4,
  Accept = 5,
  Open = 6
};

// Which open call (Falco names them apart: evt.type open, openat, openat2, creat).
enum class OpenCall : std::uint16_t { Openat = 0, Openat2 = 1, Open = 2, Creat = 3 };
std::string_view toString(OpenCall call);

struct RecordHeader {
  RecordKind kind = RecordKind::Exec;
  std::uint32_t tid = 0;
  std::uint32_t tgid = 0;
  std::uint32_t ppid = 0;
  std::uint64_t ts_ns = 0;  // CLOCK_MONOTONIC
  std::uint64_t cgroup_id = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint32_t loginuid = 0xffffffff;  // unset
  std::string comm;
};

// One end of a socket: address bytes in network order (IPv4 in the first 4), port in host order.
struct SockAddr {
  std::uint16_t family = 0;  // AF_INET, AF_INET6, AF_UNIX; 0: unknown
  std::uint16_t port = 0;
  std::array<std::uint8_t, 16> addr{};
};
// "127.0.0.1", "::1"; empty for other families or an all-zero address.
std::string addressText(const SockAddr& addr);

struct ExecRecord {
  std::string filename;           // the path exec was given (bprm->filename)
  std::vector<std::string> argv;  // argv[0..]
  bool argv_truncated = false;    // longer than the 4 KiB read
  bool argv_unread = false;       // the kernel could not read it: argv unknown
};

struct ExitRecord {
  std::int32_t exit_code = 0;  // the wait status
};

struct ForkRecord {
  std::uint32_t parent_tgid = 0;
  std::uint32_t child_tgid = 0;
};

struct ConnectRecord {
  std::int32_t fd = -1;
  std::int32_t res = 0;
  std::uint16_t sock_type = 0;  // SOCK_STREAM 1, SOCK_DGRAM 2; 0: unknown
  SockAddr local;
  SockAddr remote;
  std::string unix_path;  // AF_UNIX; an abstract name as "@name"
};

struct AcceptRecord {
  bool accept4 = false;  // accept4(2), not accept(2)
  std::int32_t fd = -1;
  std::int32_t res = 0;
  std::uint16_t sock_type = 0;
  SockAddr local;
  SockAddr remote;
};

struct OpenRecord {
  OpenCall call = OpenCall::Openat;
  std::int32_t dirfd = -100;
  std::int32_t res = 0;
  std::uint32_t flags = 0;
  std::uint32_t mode = 0;
  std::string path;
};

struct Record {
  RecordHeader header;
  std::variant<ExecRecord, ExitRecord, ForkRecord, ConnectRecord, AcceptRecord, OpenRecord> body;
};

enum class DecodeStatus : std::uint8_t {
  Ok,
  Short,        // shorter than the header
  BadVersion,   // a record layout this build does not know
  UnknownKind,  // a kind this build does not know
  WrongSize,    // shorter than its kind's record
  BadLength,    // a length inside the record exceeds its field
};
std::string_view toString(DecodeStatus status);

// One record → `out`. `out` is unspecified unless Ok.
DecodeStatus decodeRecord(std::span<const std::byte> bytes, Record& out);

struct DecodeStats {
  std::uint64_t records = 0;    // decoded
  std::uint64_t malformed = 0;  // refused, any reason
  std::uint64_t last_status = 0;
};

// decodeRecord with counts (the source keeps one).
class RecordDecoder {
 public:
  DecodeStatus decode(std::span<const std::byte> bytes, Record& out) {
    const auto status = decodeRecord(bytes, out);
    if (status == DecodeStatus::Ok) {
      ++stats_.records;
    } else {
      ++stats_.malformed;
      stats_.last_status = static_cast<std::uint64_t>(status);
    }
    return status;
  }
  [[nodiscard]] const DecodeStats& stats() const { return stats_; }

 private:
  DecodeStats stats_;
};

// Falco's rendering of open flags and modes, shared by every host sensor (host_event.h).
using host::modeText;
using host::openFlagsText;
// argv as the kernel keeps it (NUL-separated, last NUL optional) → arguments.
std::vector<std::string> splitArgv(std::string_view bytes);

}  // namespace bulwark::events::ebpf
