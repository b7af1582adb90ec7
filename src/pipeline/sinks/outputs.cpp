#include "pipeline/sinks/outputs.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

namespace bulwark::pipeline::sinks {

SinkAlert toSinkAlert(const Alert& alert, AlertFormat format, bool iso8601,
                      const std::string& hostname, bool with_json) {
  SinkAlert out;
  const rules::RuleItem& item = *alert.rule->item;
  out.priority = item.priority;
  out.ts_ns = alert.ts_ns;
  out.line = formatAlert(alert, format, iso8601, hostname);
  if (!with_json) return out;  // stdout and files: the line is all they read
  out.rule = item.name;
  out.rule_id = item.id;
  out.tags = item.tags;
  out.hostname = hostname;
  out.output = alert.output;
  out.json = format == AlertFormat::Json ? out.line
                                         : formatAlert(alert, AlertFormat::Json, true, hostname);
  out.fields = alert.fields;
  return out;
}

core::Result<std::unique_ptr<Outputs>> Outputs::open(const std::vector<std::string>& specs,
                                                     const SinkContext& context,
                                                     bool wait_when_full, bool default_stdout) {
  std::vector<SinkSpec> parsed;
  const bool stdout_only = specs.empty() && default_stdout;
  for (const auto& text : stdout_only ? std::vector<std::string>{"stdout"} : specs) {
    auto spec = parseSinkSpec(text);
    if (!spec) return tl::unexpected(spec.error());
    parsed.push_back(std::move(*spec));
  }
  auto outputs = std::make_unique<Outputs>();
  outputs->wait_when_full_ = wait_when_full;
  for (const auto& spec : parsed) {
    auto sink = makeSink(spec, context);
    if (!sink) return tl::unexpected(sink.error());
    if (spec.kind != SinkSpec::Kind::Stdout && spec.kind != SinkSpec::Kind::File) {
      outputs->needs_json_ = true;
    }
    // A finite run writes stdout and files on the engine's thread (nothing to wait for that a
    // queue would hide); sockets keep their thread, which holds SIGPIPE off.
    const bool local = spec.kind == SinkSpec::Kind::Stdout || spec.kind == SinkSpec::Kind::File;
    const SinkMode mode = !wait_when_full ? SinkMode::Queue
                          : local         ? SinkMode::Inline
                                          : SinkMode::QueueWaitFull;
    outputs->runners_.push_back(std::make_unique<SinkRunner>(displayName(spec), std::move(*sink),
                                                             kSinkQueueCapacity, mode));
  }
  return outputs;
}

void Outputs::add(std::string name, std::unique_ptr<Sink> sink, bool needs_json) {
  needs_json_ = needs_json_ || needs_json;
  runners_.push_back(
      std::make_unique<SinkRunner>(std::move(name), std::move(sink), kSinkQueueCapacity,
                                   wait_when_full_ ? SinkMode::QueueWaitFull : SinkMode::Queue));
}

void Outputs::deliver(const std::shared_ptr<const SinkAlert>& alert) {
  for (auto& runner : runners_) runner->push(alert);
}

void Outputs::finish() {
  // One bound for the whole exit: the sinks drain side by side, each in what is left of it.
  const auto deadline = std::chrono::steady_clock::now() + kSinkDrainBound;
  for (auto& runner : runners_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    runner->finish(std::max(left, std::chrono::milliseconds(0)));
  }
}

std::vector<std::pair<std::string, SinkStats>> Outputs::stats() const {
  std::vector<std::pair<std::string, SinkStats>> out;
  out.reserve(runners_.size());
  for (const auto& runner : runners_) out.emplace_back(runner->name(), runner->stats());
  return out;
}

std::vector<std::string> Outputs::statsLines() const {
  std::vector<std::string> lines;
  for (const auto& runner : runners_) {
    const SinkStats stats = runner->stats();
    std::string line = fmt::format(
        "output {}: {} sent, {} dropped (queue full), {} rejected, {} failed, {} "
        "unsent at exit",
        runner->name(), stats.sent, stats.dropped, stats.rejected, stats.failed, stats.unsent);
    if (!stats.last_error.empty()) line += "; last error: " + stats.last_error;
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace bulwark::pipeline::sinks
