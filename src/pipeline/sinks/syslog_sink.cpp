// syslog+udp|tcp|tls://H:P: RFC 5424 messages whose MSG is the JSON alert; cef+udp|tcp://H:P:
// the same messages with an ArcSight CEF record as MSG. One datagram each over UDP (RFC 5426),
// octet-counted frames over TCP and TLS (RFC 6587 §3.4.1, RFC 5425).
#include "pipeline/sinks/format.h"
#include "pipeline/sinks/kinds.h"
#include "pipeline/sinks/transport.h"

namespace bulwark::pipeline::sinks {

namespace {

class SyslogSink final : public Sink {
 public:
  // `cef`: the MSG is a CEF record (with the product version of `context`), else the JSON alert.
  SyslogSink(const SinkSpec& spec, const SinkContext& context, bool cef,
             std::unique_ptr<Transport> transport, bool framed)
      : facility_(spec.facility),
        procid_(context.procid),
        cef_(cef),
        version_(context.version),
        framed_(framed),
        transport_(std::move(transport)) {}

  Delivery write(const SinkAlert& alert, std::string& error) override {
    const std::string message =
        formatSyslog(alert.priority, facility_, alert.ts_ns, alert.hostname, procid_,
                     syslogMsgId(alert.rule), cef_ ? formatCef(alert, version_) : alert.json);
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
  bool cef_;
  std::string version_;
  bool framed_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace

std::unique_ptr<Sink> makeSyslogSink(const SinkSpec& spec, const SinkContext& context) {
  const bool udp = spec.kind == SinkSpec::Kind::SyslogUdp;
  return std::make_unique<SyslogSink>(
      spec, context, /*cef=*/false,
      udp ? makeUdpTransport(spec.host, spec.port)
          : makeTcpTransport(spec.host, spec.port, spec.kind == SinkSpec::Kind::SyslogTls, spec.ca),
      !udp);
}

std::unique_ptr<Sink> makeCefSink(const SinkSpec& spec, const SinkContext& context) {
  const bool tcp = spec.kind == SinkSpec::Kind::CefTcp;
  return std::make_unique<SyslogSink>(spec, context, /*cef=*/true,
                                      tcp ? makeTcpTransport(spec.host, spec.port, false, {})
                                          : makeUdpTransport(spec.host, spec.port),
                                      tcp);
}

}  // namespace bulwark::pipeline::sinks
