// The sockets under the syslog and CEF sinks: a UDP datagram per message, or one TCP stream
// (plain or TLS, verified with OpenSSL) that reconnects when it breaks.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace bulwark::pipeline::sinks {

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one message (already framed for streams); reconnects once when the connection broke.
  virtual core::Status send(std::string_view bytes) = 0;
};

// Connect and send timeouts: a receiver that stops reading fails the message instead of
// holding the sink forever.
inline constexpr int kTransportTimeoutMs = 5000;
// Larger datagrams are cut (RFC 5426 receivers need only take 480 bytes; 64 KiB is IPv4's
// limit less headers).
inline constexpr std::size_t kMaxDatagram = 65000;

std::unique_ptr<Transport> makeUdpTransport(std::string host, int port);
// `tls`: verify the server's certificate against `ca_file` (empty: the system's CAs) and its
// name or IP address against `host`.
std::unique_ptr<Transport> makeTcpTransport(std::string host, int port, bool tls,
                                            std::string ca_file);

}  // namespace bulwark::pipeline::sinks
