// Fuzzes the eBPF sensor's record decoder (src/events/ebpf/decode.h): the bytes as one
// ring-buffer record, and the formatting helpers on numbers taken from them. Nothing may crash or
// read past the record; a decoded record must hold what the header promises: its strings fit
// their fields, argv joined with NULs is no longer than the field it came from, the kind matches
// the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <variant>

#include "events/ebpf/decode.h"
#include "events/ebpf/events.h"

namespace {

namespace ebpf = bulwark::events::ebpf;

void require(bool condition) {
  if (!condition) std::abort();
}

void check(const ebpf::Record& record) {
  require(record.header.comm.size() < BW_COMM_LEN + 1);
  switch (record.header.kind) {
    case ebpf::RecordKind::Exec: {
      const auto& exec = std::get<ebpf::ExecRecord>(record.body);
      require(exec.filename.size() <= BW_PATH_MAX);
      std::size_t joined = 0;
      for (const auto& arg : exec.argv) joined += arg.size() + 1;
      require(joined <= BW_ARGV_MAX + 1);
      break;
    }
    case ebpf::RecordKind::Exit:
      require(std::holds_alternative<ebpf::ExitRecord>(record.body));
      break;
    case ebpf::RecordKind::Fork:
      require(std::holds_alternative<ebpf::ForkRecord>(record.body));
      break;
    case ebpf::RecordKind::Connect: {
      const auto& connect = std::get<ebpf::ConnectRecord>(record.body);
      require(connect.unix_path.size() <= BW_UNIX_PATH_MAX);
      (void)ebpf::addressText(connect.local);
      (void)ebpf::addressText(connect.remote);
      break;
    }
    case ebpf::RecordKind::Accept: {
      const auto& accept = std::get<ebpf::AcceptRecord>(record.body);
      (void)ebpf::addressText(accept.local);
      (void)ebpf::addressText(accept.remote);
      break;
    }
    case ebpf::RecordKind::Open: {
      const auto& open = std::get<ebpf::OpenRecord>(record.body);
      require(open.path.size() <= BW_PATH_MAX);
      require(!ebpf::openFlagsText(open.flags).empty());
      require(!ebpf::modeText(open.mode).empty());
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  ebpf::Record record;
  if (ebpf::decodeRecord(bytes, record) == ebpf::DecodeStatus::Ok) check(record);
  // The same bytes behind a valid header of every kind: the bodies' own checks get exercised
  // even when the input's first bytes are not a header.
  if (size >= sizeof(bw_hdr)) {
    std::string copy(reinterpret_cast<const char*>(data), size);
    for (std::uint16_t kind = BW_KIND_EXEC; kind <= BW_KIND_OPEN; ++kind) {
      std::memcpy(copy.data() + offsetof(bw_hdr, kind), &kind, sizeof(kind));
      const std::uint16_t version = BW_RECORD_VERSION;
      std::memcpy(copy.data() + offsetof(bw_hdr, version), &version, sizeof(version));
      const std::span<const std::byte> patched(reinterpret_cast<const std::byte*>(copy.data()),
                                               copy.size());
      if (ebpf::decodeRecord(patched, record) == ebpf::DecodeStatus::Ok) check(record);
    }
  }
  (void)ebpf::splitArgv(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
