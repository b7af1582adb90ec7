#include "pipeline/agent/spool_sink.h"

namespace bulwark::pipeline::agent {

namespace {

class SpoolSink final : public sinks::Sink {
 public:
  explicit SpoolSink(Spool& spool) : spool_(spool) {}

  sinks::Delivery write(const sinks::SinkAlert& alert, std::string& error) override {
    auto appended = spool_.append(alert.json);
    if (appended) return sinks::Delivery::Sent;
    error = appended.error().message;
    // A line the server could never take is refused; a disk that fails may recover.
    return appended.error().code == core::ErrorCode::Io ? sinks::Delivery::Failed
                                                        : sinks::Delivery::Rejected;
  }

  core::Status flush() override { return spool_.sync(); }

 private:
  Spool& spool_;
};

}  // namespace

std::unique_ptr<sinks::Sink> makeSpoolSink(Spool& spool) {
  return std::make_unique<SpoolSink>(spool);
}

}  // namespace bulwark::pipeline::agent
