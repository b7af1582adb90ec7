// Listening TCP sockets: /proc/net/tcp and /proc/net/tcp6, state 0A (LISTEN).
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "checks/docker/collect/collectors.h"
#include "checks/docker/collect/host_facts.h"
#include "core/text.h"

namespace bulwark::checks::docker::collect {
namespace {

constexpr std::size_t kMaxProcNet = 32u << 20;

std::optional<std::uint32_t> hexWord(std::string_view text) {
  if (text.empty() || text.size() > 8) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : text) {
    value <<= 4;
    if (c >= '0' && c <= '9') {
      value |= static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'A' && c <= 'F') {
      value |= static_cast<std::uint32_t>(c - 'A' + 10);
    } else if (c >= 'a' && c <= 'f') {
      value |= static_cast<std::uint32_t>(c - 'a' + 10);
    } else {
      return std::nullopt;
    }
  }
  return value;
}

// The kernel prints each 32-bit word of the address as loaded in host byte order.
std::optional<std::string> decodeAddress(std::string_view hex) {
  if (hex.size() != 8 && hex.size() != 32) return std::nullopt;
  unsigned char bytes[16] = {};
  for (std::size_t word = 0; word * 8 < hex.size(); ++word) {
    const auto value = hexWord(hex.substr(word * 8, 8));
    if (!value) return std::nullopt;
    std::memcpy(bytes + word * 4, &*value, 4);
  }
  char text[INET6_ADDRSTRLEN] = {};
  const int family = hex.size() == 8 ? AF_INET : AF_INET6;
  if (::inet_ntop(family, bytes, text, sizeof text) == nullptr) return std::nullopt;
  return std::string(text);
}

}  // namespace

std::vector<Socket> parseProcNetTcp(std::string_view text, std::string_view proto,
                                    std::string_view where, core::Diagnostics& diagnostics) {
  std::vector<Socket> sockets;
  std::size_t lines = 0;
  std::size_t bad = 0;
  core::forEachLine(text, [&](std::string_view line, std::size_t number) {
    if (++lines > kMaxProcNetLines) return;
    const std::string_view trimmed = core::trim(line);
    if (trimmed.empty() || trimmed.starts_with("sl")) return;
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < trimmed.size() && fields.size() < 4) {
      while (i < trimmed.size() && trimmed[i] == ' ') ++i;
      const std::size_t start = i;
      while (i < trimmed.size() && trimmed[i] != ' ') ++i;
      if (i > start) fields.push_back(trimmed.substr(start, i - start));
    }
    const auto malformed = [&] {
      if (++bad <= 10) {
        diagnostics.add("procnet.malformed-line", fmt::format("{}:{}", where, number),
                        "not a /proc/net/tcp line");
      }
    };
    if (fields.size() < 4) return malformed();
    if (fields[3] != "0A") return;
    const auto colon = fields[1].find(':');
    if (colon == std::string_view::npos) return malformed();
    const auto address = decodeAddress(fields[1].substr(0, colon));
    const auto port = hexWord(fields[1].substr(colon + 1));
    if (!address || !port || *port > 0xffff) return malformed();
    sockets.push_back(Socket{std::string(proto), *address, static_cast<std::uint16_t>(*port)});
  });
  const auto key = [](const Socket& s) { return std::tie(s.proto, s.address, s.port); };
  std::sort(sockets.begin(), sockets.end(),
            [&](const Socket& a, const Socket& b) { return key(a) < key(b); });
  sockets.erase(std::unique(sockets.begin(), sockets.end(),
                            [&](const Socket& a, const Socket& b) { return key(a) == key(b); }),
                sockets.end());
  return sockets;
}

void collectListening(const CollectOptions& options, Snapshot& snapshot,
                      core::Diagnostics& diagnostics) {
  auto& listening = snapshot.host.listening;
  listening = {};
  const bool on_host = options.host_root.empty() || options.host_root == "/";
  // With a host root, the host's network namespace is that of its pid 1.
  const std::string base = on_host ? "/proc/net/" : "/proc/1/net/";
  bool any = false;
  for (const auto& [file, proto] : {std::pair{"tcp", "tcp"}, std::pair{"tcp6", "tcp6"}}) {
    const auto path =
        on_host ? std::filesystem::path(base + file) : underRoot(options.host_root, base + file);
    const FileRead read = readHostFile(path, kMaxProcNet);
    if (read.state.status == FactStatus::Missing) continue;  // no IPv6
    if (!read.state.ok()) {
      listening.state = read.state;
      listening.sockets.clear();
      return;
    }
    any = true;
    auto found = parseProcNetTcp(read.text, proto, path.string(), diagnostics);
    listening.sockets.insert(listening.sockets.end(), found.begin(), found.end());
  }
  if (!any) {
    listening.state.status = FactStatus::Missing;
    listening.state.detail = "no /proc/net/tcp";
    listening.state.source = base + "tcp";
    return;
  }
  listening.state.status = FactStatus::Ok;
  listening.state.source = base + "tcp, " + base + "tcp6";
}

}  // namespace bulwark::checks::docker::collect
