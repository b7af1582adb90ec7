// The agent's output: every alert (Falco's JSON alert with bulwark's alert_id) is appended to
// the spool, which the uploader sends from; flush() syncs it, so an alert is on disk before
// the engine's queue runs dry.
#pragma once

#include <memory>

#include "pipeline/agent/spool.h"
#include "pipeline/sinks/sink.h"

namespace bulwark::pipeline::agent {

std::unique_ptr<sinks::Sink> makeSpoolSink(Spool& spool);

}  // namespace bulwark::pipeline::agent
