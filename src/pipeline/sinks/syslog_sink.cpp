// syslog+udp|tcp|tls://H:P: RFC 5424 messages whose MSG is the JSON alert; one datagram each
// over UDP (RFC 5426), octet-counted frames over TCP and TLS (RFC 6587 §3.4.1, RFC 5425).
#include "pipeline/sinks/format.h"
#include "pipeline/sinks/kinds.h"
#include "pipeline/sinks/transport.h"

namespace bulwark::pipeline::sinks {

namespace {

class SyslogSink final : public Sink {
 public:
  SyslogSink(const SinkSpec& spec, const SinkContext& context)
      : facility_(spec.facility),
        procid_(context.procid),
        framed_(spec.kind != SinkSpec::Kind::SyslogUdp),
        transport_(spec.kind == SinkSpec::Kind::SyslogUdp
                       ? makeUdpTransport(spec.host, spec.port)
                       : makeTcpTransport(spec.host, spec.port,
                                          spec.kind == SinkSpec::Kind::SyslogTls, spec.ca)) {}

  Delivery write(const SinkAlert& alert, std::string& error) override {
    const std::string message = formatSyslog(alert.priority, facility_, alert.ts_ns, alert.hostname,
                                             procid_, syslogMsgId(alert.rule), alert.json);
    auto sent = transport_->send(framed_ ? octetFrame(message) : message);
    if (!sent) {
      error = sent.error().message;
      return Delivery::Failed;
    }
    return Delivery::Sent;
  }

 private:
  int facility_;
  std::string procid_;
  bool framed_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace

std::unique_ptr<Sink> makeSyslogSink(const SinkSpec& spec, const SinkContext& context) {
  return std::make_unique<SyslogSink>(spec, context);
}

}  // namespace bulwark::pipeline::sinks
