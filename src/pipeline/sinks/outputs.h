// The `-o` sinks of one `bulwark detect` run: opens them, hands each alert to all of them (one
// copy, shared) and reports their counts at exit.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "pipeline/detect.h"
#include "pipeline/sinks/sink.h"

namespace bulwark::pipeline::sinks {

// What the sinks need of an engine alert. `json` is Falco's JSON alert (alert.fields filled:
// DetectOptions::output_fields); `line` is the alert as `format` prints it. Without
// `with_json` (only stdout and files: Outputs::needsJson() false) just `line`, `priority` and
// `ts_ns` are filled.
SinkAlert toSinkAlert(const Alert& alert, AlertFormat format, bool iso8601,
                      const std::string& hostname, bool with_json);

class Outputs {
 public:
  // Every spec parsed and its sink made (a file that cannot be opened is an error here); no
  // specs: stdout, unless !default_stdout.
  static core::Result<std::unique_ptr<Outputs>> open(const std::vector<std::string>& specs,
                                                     const SinkContext& context,
                                                     bool wait_when_full,
                                                     bool default_stdout = true);
  // One more sink, made by the caller (the agent's spool); `needs_json`: it reads SinkAlert's
  // json and fields.
  void add(std::string name, std::unique_ptr<Sink> sink, bool needs_json);

  // Some sink sends the JSON alert or reads the output fields (all but stdout and file).
  bool needsJson() const { return needs_json_; }
  // Queues the alert for every sink; never blocks unless wait_when_full.
  void deliver(const std::shared_ptr<const SinkAlert>& alert);
  // Drains the queues (at most kSinkDrainBound in all) and stops the threads.
  void finish();
  // Each sink's name and counts so far.
  std::vector<std::pair<std::string, SinkStats>> stats() const;
  // One line per sink for stderr: "output NAME: N sent, D dropped (queue full), …".
  std::vector<std::string> statsLines() const;

 private:
  std::vector<std::unique_ptr<SinkRunner>> runners_;
  bool needs_json_ = false;
  bool wait_when_full_ = false;
};

}  // namespace bulwark::pipeline::sinks
