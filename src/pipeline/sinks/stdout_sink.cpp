// stdout: each alert's line as --format prints it (the default output).
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pipeline/sinks/kinds.h"

namespace bulwark::pipeline::sinks {

namespace {

class StdoutSink final : public Sink {
 public:
  Delivery write(const SinkAlert& alert, std::string& error) override {
    if (std::fwrite(alert.line.data(), 1, alert.line.size(), stdout) != alert.line.size() ||
        std::fputc('\n', stdout) == EOF) {
      error = std::string("stdout: ") + std::strerror(errno);
      return Delivery::Failed;
    }
    return Delivery::Sent;
  }
  // After each batch: a live stream shows each alert as it fires.
  core::Status flush() override {
    if (std::fflush(stdout) != 0) {
      return core::fail(core::ErrorCode::Io, "stdout: {}", std::strerror(errno));
    }
    return {};
  }
  bool blocksSigpipe() const override { return false; }
};

}  // namespace

std::unique_ptr<Sink> makeStdoutSink() { return std::make_unique<StdoutSink>(); }

}  // namespace bulwark::pipeline::sinks
