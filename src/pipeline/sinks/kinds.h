// The sink of each kind, one file each (stdout_sink.cpp, file_sink.cpp, …); makeSink() picks.
#pragma once

#include <memory>

#include "core/result.h"
#include "pipeline/sinks/sink.h"

namespace bulwark::pipeline::sinks {

std::unique_ptr<Sink> makeStdoutSink();
core::Result<std::unique_ptr<Sink>> makeFileSink(const SinkSpec& spec);
std::unique_ptr<Sink> makeSyslogSink(const SinkSpec& spec, const SinkContext& context);
std::unique_ptr<Sink> makeCefSink(const SinkSpec& spec, const SinkContext& context);
core::Result<std::unique_ptr<Sink>> makeHttpSink(const SinkSpec& spec, const SinkContext& context);
std::unique_ptr<Sink> makeNatsSink(const SinkSpec& spec);

}  // namespace bulwark::pipeline::sinks
