// Fuzzes the /proc readers and the proc connector decoder (src/events/host/procfs.h,
// src/events/proc/connector.h): the same bytes as a stat line, a status file, a cmdline, a
// cgroup file, a mountinfo file and a netlink datagram. Nothing may crash or read out of bounds;
// the results must hold what the headers promise: comm lies inside the input, cmdline arguments
// joined with NUL give the input back, a container id is 64 hex digits (lxc: a name), a pod uid has
// the 8-4-4-4-12 shape, and the decoder's counts agree with what it appended.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/host/procfs.h"
#include "events/proc/connector.h"

namespace {

namespace host = bulwark::events::host;
namespace proc = bulwark::events::proc;

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void checkCmdline(std::string_view text) {
  const auto args = host::parseCmdline(text);
  if (text.empty()) {
    if (!args.empty()) std::abort();
    return;
  }
  std::string joined;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) joined.push_back('\0');
    joined += args[i];
  }
  std::string_view expected = text;
  if (expected.back() == '\0') expected.remove_suffix(1);
  if (joined != expected) std::abort();
}

void checkCgroup(std::string_view text) {
  if (const auto container = host::containerFromCgroup(text)) {
    if (container->runtime.empty()) std::abort();
    if (container->runtime != "lxc" &&
        (container->id.size() != 64 ||
         !std::all_of(container->id.begin(), container->id.end(), isHex))) {
      std::abort();
    }
    if (container->id.empty() || text.find(container->id) == std::string_view::npos) std::abort();
  }
  if (const auto uid = host::podUidFromCgroup(text)) {
    if (uid->size() != 36) std::abort();
    for (std::size_t i = 0; i < uid->size(); ++i) {
      const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash != ((*uid)[i] == '-') || (!dash && !isHex((*uid)[i]))) std::abort();
    }
  }
}

void checkDatagram(std::span<const std::byte> bytes) {
  std::vector<proc::ConnectorEvent> events(1);  // appended to, not replaced
  std::vector<proc::ConnectorAck> acks;
  proc::ConnectorStats stats;
  const std::size_t n = proc::decodeDatagram(bytes, events, stats, &acks);
  if (n != events.size() - 1 || stats.events != n || stats.datagrams != 1) std::abort();
  // Every message is at least 16 + 20 + 16 bytes: the counts are bounded by the size.
  if ((n + acks.size()) * 52 > bytes.size()) std::abort();
  if (stats.malformed > 1 + bytes.size() / 16) std::abort();
  for (std::size_t i = 1; i < events.size(); ++i) {
    if (events[i].comm.size() > 16) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto stat = host::parseStat(text)) {
    if (stat->comm.size() > size || text.find(stat->comm) == std::string_view::npos) std::abort();
  }
  if (const auto status = host::parseStatus(text)) {
    if (status->name.size() > size || status->nspid.size() > size) std::abort();
  }
  checkCmdline(text);
  if (const auto upper = host::overlayUpperDir(text)) {
    if (upper->size() > size) std::abort();
  }
  checkCgroup(text);
  int tty_nr = 0;
  if (size >= sizeof(tty_nr)) {
    std::copy_n(data, sizeof(tty_nr), reinterpret_cast<std::uint8_t*>(&tty_nr));
  }
  (void)host::ttyName(tty_nr);
  checkDatagram(std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), size));
  return 0;
}
