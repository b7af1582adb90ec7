// cef+udp|tcp://H:P: ArcSight CEF over syslog, the CEF record as the MSG of an RFC 5424 message
// (same framing as the syslog sink: a datagram each, octet counting on TCP).
#include "pipeline/sinks/format.h"
#include "pipeline/sinks/kinds.h"
#include "pipeline/sinks/transport.h"

namespace bulwark::pipeline::sinks {

namespace {

class CefSink final : public Sink {
 public:
  CefSink(const SinkSpec& spec, const SinkContext& context)
      : facility_(spec.facility),
        procid_(context.procid),
        version_(context.version),
        framed_(spec.kind == SinkSpec::Kind::CefTcp),
        transport_(framed_ ? makeTcpTransport(spec.host, spec.port, false, {})
                           : makeUdpTransport(spec.host, spec.port)) {}

  Delivery write(const SinkAlert& alert, std::string& error) override {
    const std::string message =
        formatSyslog(alert.priority, facility_, alert.ts_ns, alert.hostname, procid_,
                     syslogMsgId(alert.rule), formatCef(alert, version_));
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
  std::string version_;
  bool framed_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace

std::unique_ptr<Sink> makeCefSink(const SinkSpec& spec, const SinkContext& context) {
  return std::make_unique<CefSink>(spec, context);
}

}  // namespace bulwark::pipeline::sinks
